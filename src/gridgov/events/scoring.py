"""Evaluation (综合评价): the indicators of DOMAIN.md with exactly its formulas, cards,
points and a weighted composite score, per department, station, grid worker and area.

立案率 = 立案数/受理数; 派遣率 = 派遣数/立案数; 结案率 = 结案数/应结案数;
按期结案率 = 按期结案数/应结案数; 返工率 = 返工数/应结案数; 延期率 = 延期数/应结案数;
有效上报率 = 有效上报数/上报数; 按时核实率 = 按时核实数/应核实数;
应结案数 = events whose handling deadline falls in the period.
A rate with a zero denominator is None ("no data"), never 0 or 100 %.

Every indicator is counted over one area, `scope` (an org code prefix, the viewer's own
scope): an empty scope covers nothing, never the whole city (core.querysets' rule).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from gridgov.core import orgnames, xlsx
from gridgov.core.db_router import reads_from_replica
from gridgov.core.models import Department, User
from gridgov.core.workcal import DEFAULT_PERIODS, WorkCalendar
from gridgov.events.models import Event, ScoreRule, TimelineEntry
from gridgov.events.ranking_cache import ranking_cached
from gridgov.events.workflow import Status

CLOSED = [Status.CLOSED, Status.EVALUATED]
AREA_LEVELS = {"county": 6, "township": 9, "village": 12}  # the area tabs: their org code lengths


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


@dataclass
class Indicators:
    key: str
    label: str = ""
    received: int = 0  # 受理数
    registered: int = 0  # 立案数
    dispatched: int = 0  # 派遣数
    due: int = 0  # 应结案数
    closed: int = 0  # 结案数
    closed_on_time: int = 0  # 按期结案数
    reworked: int = 0  # 返工数
    extended: int = 0  # 延期数
    wrongly_dispatched: int = 0  # 错误派遣 (returned by this unit)
    reports: int = 0  # 上报数 (grid worker)
    valid_reports: int = 0  # 有效上报数
    verifications: int = 0  # 应核实数
    verified_on_time: int = 0  # 按时核实数
    yellow_cards: int = 0
    red_cards: int = 0
    points: int = 0
    score: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def registration_rate(self):
        return _rate(self.registered, self.received)

    @property
    def dispatch_rate(self):
        return _rate(self.dispatched, self.registered)

    @property
    def closure_rate(self):
        return _rate(self.closed, self.due)

    @property
    def on_time_rate(self):
        return _rate(self.closed_on_time, self.due)

    @property
    def rework_rate(self):
        return _rate(self.reworked, self.due)

    @property
    def extension_rate(self):
        return _rate(self.extended, self.due)

    @property
    def valid_report_rate(self):
        return _rate(self.valid_reports, self.reports)

    @property
    def on_time_verification_rate(self):
        return _rate(self.verified_on_time, self.verifications)


def score_rule() -> ScoreRule:
    return ScoreRule.objects.order_by("id").first() or ScoreRule()


def _period(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    return (datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
            datetime.datetime.combine(end, datetime.time.min, tzinfo=tz))


def _due_aggregates() -> dict:
    return {
        "due": Count("id"),
        "closed": Count("id", filter=Q(status__in=CLOSED)),
        "on_time": Count("id", filter=Q(status__in=CLOSED, closed_on_time=True)),
        "reworked": Count("id", filter=Q(rework_count__gt=0)),
        "extended": Count("id", filter=Q(extension_count__gt=0)),
    }


def _card_aggregates(rule: ScoreRule, hours_per_day: float) -> dict:
    def over(field_name: str, days: int) -> Q:
        return Q(**{f"{field_name}__gt": days * hours_per_day})

    return {
        "red_accept": Count("id", filter=over("accept_hours_used", rule.red_card_accept_days)),
        "yellow_accept": Count("id", filter=over("accept_hours_used", rule.yellow_card_accept_days)
                               & ~over("accept_hours_used", rule.red_card_accept_days)),
        "red_handle": Count("id", filter=over("handle_hours_used", rule.red_card_handle_days)),
        "yellow_handle": Count("id", filter=over("handle_hours_used", rule.yellow_card_handle_days)
                               & ~over("handle_hours_used", rule.red_card_handle_days)),
    }


def _due_counts(queryset, group: str, **more) -> dict:
    """Per `group`, the counts over the events due in the period, in one grouped scan of
    them (and the `more` aggregates in the same pass)."""
    rows = queryset.values(group).annotate(**_due_aggregates(), **more).order_by()
    return {r[group]: r for r in rows}


def _finish(items: list[Indicators], rule: ScoreRule) -> list[Indicators]:
    """Points, and the composite score with volume normalised to the busiest unit."""
    busiest = max((i.due for i in items), default=0)
    for item in items:
        item.points = (item.yellow_cards * rule.yellow_card_points + item.red_cards * rule.red_card_points
                       + item.closed_on_time * rule.on_time_points)
        if item.due:
            weights = [Decimal(str(w)) for w in (rule.weight_closure, rule.weight_on_time,
                                                   rule.weight_no_rework, rule.weight_volume)]
            parts = [Decimal(str(item.closure_rate)), Decimal(str(item.on_time_rate)),
                     1 - Decimal(str(item.rework_rate)), Decimal(item.due) / Decimal(busiest)]
            item.score = round(100 * float(sum(w * p for w, p in zip(weights, parts))), 2)
    return sorted(items, key=lambda i: (i.score is None, -(i.score or 0), -i.points, i.key))


@reads_from_replica()  # statistics: served by the replica where there is one (issue 12)
def unit_indicators(*, kind: str, start: datetime.date, end: datetime.date, scope: str) -> list[Indicators]:
    """Per department (`kind="department"`, by owner) or per station/handling unit
    (`kind="station"`, by the unit the event was last sent to)."""
    group = "owner_department_id" if kind == "department" else "department_id"
    begin, finish = _period(start, end)
    rule = score_rule()
    hours_per_day = WorkCalendar(periods=DEFAULT_PERIODS).hours_per_day
    if not scope:
        return []  # an empty scope covers nothing, never the whole city
    base = Event.objects.in_subtree(scope)
    # One grouped scan of the period's due events (the BRIN range of handle_deadline), the
    # cards counted in the same pass; the returns grouped in SQL over the period's return
    # entries of the area (issue 12: no pass over the area's whole history, no row in Python).
    due = _due_counts(base.filter(handle_deadline__gte=begin, handle_deadline__lt=finish), group,
                      **_card_aggregates(rule, hours_per_day))
    returns = dict(
        TimelineEntry.objects.filter(action="return", at__gte=begin, at__lt=finish,
                                     event__org_code__startswith=scope)
        .values_list("extra__returned_by").annotate(n=Count("id")).order_by().values_list("extra__returned_by", "n")
    )
    units = Department.objects.filter(pk__in=set(due)).in_bulk()
    items = []
    for unit_id, unit in units.items():
        d = c = due.get(unit_id, {})
        items.append(Indicators(
            key=unit.code, label=unit.name, due=d.get("due", 0), closed=d.get("closed", 0),
            closed_on_time=d.get("on_time", 0), reworked=d.get("reworked", 0), extended=d.get("extended", 0),
            wrongly_dispatched=returns.get(unit.code, 0),
            yellow_cards=c.get("yellow_accept", 0) + c.get("yellow_handle", 0),
            red_cards=c.get("red_accept", 0) + c.get("red_handle", 0),
        ))
    return _finish(items, rule)


@reads_from_replica()
def area_indicators(*, level_length: int, start: datetime.date, end: datetime.date, scope: str) -> list[Indicators]:
    """Per area (county 6, township 9, village 12, grid 15): the whole loop's rates."""
    begin, finish = _period(start, end)
    rule = score_rule()
    if not scope:
        return []  # an empty scope covers nothing, never the whole city
    base = Event.objects.in_subtree(scope).annotate(area=Substr("org_code", 1, level_length))
    intake = {
        r["area"]: r for r in base.filter(created_at__gte=begin, created_at__lt=finish).values("area").annotate(
            received=Count("id"),
            registered=Count("id", filter=~Q(status=Status.CANCELLED)),
            dispatched=Count("id", filter=Q(owner_department__isnull=False) & ~Q(status=Status.CANCELLED)),
        ).order_by()
    }
    due = _due_counts(base.filter(handle_deadline__gte=begin, handle_deadline__lt=finish), "area")
    names = orgnames.org_name_paths(set(intake) | set(due))  # 县 › 镇 › 村, one query
    items = []
    for area in sorted(set(intake) | set(due)):
        i, d = intake.get(area, {}), due.get(area, {})
        items.append(Indicators(
            key=area, label=names.get(area, area), received=i.get("received", 0), registered=i.get("registered", 0),
            dispatched=i.get("dispatched", 0), due=d.get("due", 0), closed=d.get("closed", 0),
            closed_on_time=d.get("on_time", 0), reworked=d.get("reworked", 0), extended=d.get("extended", 0),
        ))
    return _finish(items, rule)


@reads_from_replica()
def grid_worker_indicators(*, start: datetime.date, end: datetime.date, scope: str) -> list[Indicators]:
    """有效上报率 and 按时核实率 per grid worker."""
    if not scope:
        return []  # an empty scope covers nothing, never the whole city
    begin, finish = _period(start, end)
    reports = Event.objects.in_subtree(scope).filter(created_at__gte=begin, created_at__lt=finish,
                                                     reporter__isnull=False)
    report_counts = {
        r["reporter_id"]: r for r in reports.values("reporter_id").annotate(
            reports=Count("id"), valid=Count("id", filter=~Q(status=Status.CANCELLED))).order_by()
    }
    verifications = TimelineEntry.objects.filter(action="verify", at__gte=begin, at__lt=finish, actor__isnull=False)
    verifications = verifications.filter(event__org_code__startswith=scope)
    verify_counts = {
        r["actor_id"]: r for r in verifications.values("actor_id").annotate(
            total=Count("id"), on_time=Count("id", filter=Q(extra__on_time=True))).order_by()
    }
    users = User.objects.filter(pk__in=set(report_counts) | set(verify_counts), role_rows__role="grid_worker").in_bulk()
    items = []
    for user_id, user in users.items():
        r, v = report_counts.get(user_id, {}), verify_counts.get(user_id, {})
        items.append(Indicators(
            key=user.username, label=user.label, reports=r.get("reports", 0), valid_reports=r.get("valid", 0),
            verifications=v.get("total", 0), verified_on_time=v.get("on_time", 0),
        ))
    return sorted(items, key=lambda i: (-(i.valid_report_rate or 0), -(i.on_time_verification_rate or 0), i.key))


def tab_indicators(*, tab: str, start: datetime.date, end: datetime.date, scope: str) -> list[Indicators]:
    """The ranking of one tab: departments, stations, an area level or grid workers."""
    if tab in ("department", "station"):
        return unit_indicators(kind=tab, start=start, end=end, scope=scope)
    if tab in AREA_LEVELS:
        return area_indicators(level_length=AREA_LEVELS[tab], start=start, end=end, scope=scope)
    return grid_worker_indicators(start=start, end=end, scope=scope)


def ranking_indicators(*, tab: str, start: datetime.date, end: datetime.date,
                       scope: str) -> tuple[list[Indicators], datetime.datetime]:
    """`tab_indicators` from the cache (issue 12, `events.ranking_cache`: the same numbers,
    at most `ranking_cache.TTL` seconds old and never older than the area's last closure or
    return), and when they were computed."""
    from django.utils import timezone

    if not scope:
        return [], timezone.now()  # an empty scope covers nothing
    return ranking_cached(scope=scope, what=f"{tab}:{start.isoformat()}:{end.isoformat()}",
                          compute=lambda: tab_indicators(tab=tab, start=start, end=end, scope=scope))


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def ranking_workbook(items: list[Indicators], *, title: str):
    """Written in write-only mode to a temporary file (issue 12), returned open at its start
    for `xlsx.workbook_response`."""
    workbook = xlsx.new_workbook(write_only=True)
    sheet = workbook.create_sheet(_("Ranking")[:31])
    xlsx.append_row(sheet, [xlsx.cell(sheet, title, font=Font(bold=True, size=14))])
    headers = [_("Rank"), _("Code"), _("Name"), _("Due to close"), _("Closure rate"), _("On-time closure rate"),
               _("Rework rate"), _("Extension rate"), _("Wrong dispatches"), _("Yellow cards"), _("Red cards"),
               _("Points"), _("Score")]
    bold = Font(bold=True)
    xlsx.append_row(sheet, [xlsx.cell(sheet, header, font=bold) for header in headers])
    for rank, item in enumerate(items, start=1):
        xlsx.append_row(sheet, [
            rank, item.key, item.label, item.due, _percent(item.closure_rate), _percent(item.on_time_rate),
            _percent(item.rework_rate), _percent(item.extension_rate), item.wrongly_dispatched,
            item.yellow_cards, item.red_cards, item.points, item.score,
        ])
    return xlsx.workbook_file(workbook)
