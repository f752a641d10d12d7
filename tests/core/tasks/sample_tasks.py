"""Module-level tasks of the Celery bridge tests (django-tasks wants module-level functions)."""

from django_tasks import task


@task(takes_context=True)
def result_id_and_argument(context, value):
    return {"id": context.task_result.id, "value": value, "attempt": context.attempt}
