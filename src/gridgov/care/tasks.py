from django_tasks import task

from gridgov.care.daily import run_daily


@task()
def care_daily() -> dict:
    return run_daily()
