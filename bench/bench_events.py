"""Benchmarks of the event loop: intake and the dispatcher's list must not slow down as the
events table grows (indexes on every list filter)."""

from __future__ import annotations

import datetime
import random
import secrets

from django.db import transaction
from django.utils import timezone

from bench import Context, Result, benchmark, per_call


def _submit_rolled_back(worker, point) -> None:
    from gridgov.events.models import Channel
    from gridgov.events.services import Submission, event_submit

    with transaction.atomic():
        event_submit(actor=worker, submission=Submission(
            category_code="food.unlicensed", description="路边无证摊贩", channel=Channel.GRID_WORKER,
            lat=point[1], lng=point[0]))
        transaction.set_rollback(True)


def _add_old_events(n: int, cell) -> None:
    """n closed events of last year, written in bulk (only the table size matters here)."""
    from gridgov.events.models import Category, Event

    category = Category.objects.get(code="food.unlicensed")
    start = timezone.now() - datetime.timedelta(days=365)
    rows = [
        Event(code=f"{cell.code[:6]}-bench-{i:07d}", category=category, description="历史事件", channel="grid_worker",
              status="closed", org_code=cell.code, lat=cell.centroid_lat, lng=cell.centroid_lng,
              public_token=secrets.token_urlsafe(16), handle_deadline=start, closed_at=start, closed_on_time=True)
        for i in range(n)
    ]
    Event.objects.bulk_create(rows, batch_size=2000)


@benchmark("event intake growth")
def event_intake_growth(ctx: Context) -> Result:
    from gridgov.core.models import OrgUnit, User

    worker = User.objects.get(username="gridworker")
    cell = OrgUnit.objects.get(code=worker.grid_assignments.first().cell_id)
    rng = random.Random(11)
    points = [(rng.uniform(cell.min_lng, cell.max_lng), rng.uniform(cell.min_lat, cell.max_lat)) for _i in range(50)]
    rounds = ctx.rounds(9, 3)
    few = per_call(lambda: _submit_rolled_back(worker, rng.choice(points)), rounds=rounds, number=3)
    extra = 2_000 if ctx.quick else 30_000
    _add_old_events(extra, cell)
    many = per_call(lambda: _submit_rolled_back(worker, rng.choice(points)), rounds=rounds, number=3)
    return Result("event intake growth", f"submit + route with {extra:,} more events", many,
                  "submit + route with the demo's events", few)


@benchmark("event queue growth")
def event_queue_growth(ctx: Context) -> Result:
    from gridgov.core.models import User
    from gridgov.events.models import Event
    from gridgov.events.selectors import events_visible_to
    from gridgov.events.workflow import OPEN_STATUSES

    dispatcher = User.objects.get(username="dispatcher")

    def queue():
        # The dispatcher's first page of open events, newest first, and the overdue count.
        qs = events_visible_to(dispatcher).filter(status__in=OPEN_STATUSES)
        page = list(qs.order_by("-id")[:50])
        qs.filter(step_deadline__lt=timezone.now()).count()
        return page

    rounds = ctx.rounds(15, 5)
    before = per_call(queue, rounds=rounds, number=5)
    if not Event.objects.filter(code__contains="-bench-").exists():
        _add_old_events(2_000 if ctx.quick else 30_000, User.objects.get(username="gridworker")
                        .grid_assignments.first().cell)
    after = per_call(queue, rounds=rounds, number=5)
    total = Event.objects.count()
    return Result("event queue growth", f"open-events page + overdue count, {total:,} events", after,
                  "the same with the demo's events only", before)
