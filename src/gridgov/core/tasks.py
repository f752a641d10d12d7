"""Background work of the shared core through the Tasks API (django-tasks)."""

from django_tasks import task

from gridgov.core import partitions


@task()
def maintain_partitions(ahead: int = partitions.DEFAULT_AHEAD) -> list[str]:
    """Create the monthly partitions this month and `ahead` months need (schedule it daily or
    monthly, like `gridgov partitions`); detaches nothing. Returns the partitions created."""
    return partitions.ensure_partitions(ahead=ahead)


EXPORTS_QUEUE = "exports"


@task(queue_name=EXPORTS_QUEUE)
def run_export_job(job_id: int) -> str:
    """Prepare one background export (`core.export_jobs`), on its own queue: it may run for
    minutes. Returns the status it was left in."""
    from gridgov.core.export_jobs import export_job_run

    return export_job_run(job_id=job_id)


@task()
def sweep_export_jobs() -> dict[str, int]:
    """Remove exported files past their time and pick up exports a worker or a queue lost
    (schedule it every ten minutes or so, like `gridgov exports_sweep`)."""
    from gridgov.core import export_jobs

    return export_jobs.sweep_export_jobs()
