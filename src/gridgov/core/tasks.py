"""Background work of the shared core through the Tasks API (django-tasks)."""

from django_tasks import task

from gridgov.core import partitions


@task()
def maintain_partitions(ahead: int = partitions.DEFAULT_AHEAD) -> list[str]:
    """Create the monthly partitions this month and `ahead` months need (schedule it daily or
    monthly, like `gridgov partitions`); detaches nothing. Returns the partitions created."""
    return partitions.ensure_partitions(ahead=ahead)
