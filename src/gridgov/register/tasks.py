"""Background work of the register, through the Tasks API (django-tasks)."""

from django_tasks import task

from gridgov.register.rounds import rounds_open_due


@task()
def open_due_rounds() -> int:
    return len(rounds_open_due())


@task()
def register_retention() -> dict:
    """rights (issue 10): the nightly anonymisation of register data past retention."""
    from gridgov.register.retention import run_retention

    return run_retention()
