"""The programs' figures: per program, folded for viewers without the details, suppressed above
the county."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gridgov.care.models import Crisis, Enrollment
from gridgov.care.programs import SENSITIVE_PROGRAMS
from gridgov.care.querysets import statistics_only
from gridgov.care.selectors.enrollments import MASKED, enrollments_in_scope
from gridgov.care.selectors.masking import metrics_masked
from gridgov.core import suppression
from gridgov.core.db_router import reads_from_replica
from gridgov.core.permissions import Capability, has_capability

# --- Metrics -------------------------------------------------------------------------------------


@reads_from_replica()  # statistics: served by the replica where there is one (issue 12)
def care_metrics(user, *, org: str | None = None, today: datetime.date | None = None) -> list[dict]:
    """Per program: enrolled, management rate (not overdue), visit coverage (seen within the
    program's rhythm), overdue, crises this year and their outcomes. Statistics: allowed at
    every level."""
    from gridgov.care.teams import unmanaged_high_risk_q

    today = today or timezone.localdate()
    qs = enrollments_in_scope(user, org=org)
    overdue_q = Q(next_due_date__lt=today, hospitalized_since__isnull=True, away_since__isnull=True)
    rows = qs.values("program").annotate(
        enrolled=Count("id"),
        overdue=Count("id", filter=overdue_q),
        # care (issue 11): a high-risk case counts as managed only with its full team, all confirmed
        unmanaged=Count("id", filter=overdue_q | unmanaged_high_risk_q()),
        seen_90_days=Count("id", filter=Q(last_visit_date__gte=today - datetime.timedelta(days=90))),
        hospitalized=Count("id", filter=Q(hospitalized_since__isnull=False)),
    ).order_by("program")
    crises = {
        (r["enrollment__program"], r["outcome"]): r["n"]
        for r in Crisis.objects.filter(enrollment__in=qs, occurred_at__year=today.year)
        .values("enrollment__program", "outcome").annotate(n=Count("id"))
    }
    reentry = _reentry_outcomes(qs)
    result = []
    for row in rows:
        enrolled = row["enrolled"]
        outcomes = {outcome or "open": n for (program, outcome), n in crises.items() if program == row["program"]}
        result.append({
            **row,
            "management_rate": round((enrolled - row["unmanaged"]) / enrolled, 4) if enrolled else None,
            "visit_coverage": round(row["seen_90_days"] / enrolled, 4) if enrolled else None,
            "crises": sum(outcomes.values()),
            "crisis_outcomes": outcomes,
            **(reentry if row["program"] == "reentry" else {}),
        })
    return result


def _reentry_outcomes(enrollments: QuerySet[Enrollment]) -> dict:
    """Resettlement and employment of people returning from prison: read from the encrypted
    program facts, so counted here rather than in SQL (a county has hundreds, not millions)."""
    details = [e.details for e in enrollments.filter(program="reentry").only("details")]
    total = len(details)
    resettled = sum(1 for d in details if d.get("resettled"))
    employed = sum(1 for d in details if d.get("employment"))
    return {
        "resettled": resettled,
        "resettlement_rate": round(resettled / total, 4) if total else None,
        "employed": employed,
        "employment_rate": round(employed / total, 4) if total else None,
    }


@reads_from_replica()
def care_metrics_for(user, *, org: str | None = None, today: datetime.date | None = None) -> list[dict]:
    """care_metrics, with the sensitive programs folded into one "***" row for users who may
    not know who is in which of them."""
    rows = care_metrics(user, org=org, today=today)
    if not has_capability(user, Capability.VIEW_CARE_DETAILS):
        rows = _metrics_folded(rows)
    # hostile (issue 10): above the county, counts below 5 are suppressed.
    if statistics_only(user):
        return metrics_suppressed(rows)
    return [{**row, "suppressed": []} for row in rows]


def _metrics_folded(rows: list[dict]) -> list[dict]:
    shown = [row for row in rows if row["program"] not in SENSITIVE_PROGRAMS]
    hidden = [row for row in rows if row["program"] in SENSITIVE_PROGRAMS]
    if hidden:
        merged = {"program": MASKED, "crisis_outcomes": {}}
        for key in ("enrolled", "overdue", "unmanaged", "seen_90_days", "hospitalized", "crises"):
            merged[key] = sum(row[key] for row in hidden)
        for row in hidden:
            for outcome, n in row["crisis_outcomes"].items():
                merged["crisis_outcomes"][outcome] = merged["crisis_outcomes"].get(outcome, 0) + n
        enrolled = merged["enrolled"]
        merged["management_rate"] = round((enrolled - merged["unmanaged"]) / enrolled, 4) if enrolled else None
        merged["visit_coverage"] = round(merged["seen_90_days"] / enrolled, 4) if enrolled else None
        shown.append(merged)
    return metrics_masked(shown)


METRIC_COUNTS = ("overdue", "unmanaged", "seen_90_days", "hospitalized", "crises", "resettled", "employed")
METRIC_RATES = {"management_rate": {"enrolled", "unmanaged"}, "visit_coverage": {"enrolled", "seen_90_days"},
                "resettlement_rate": {"enrolled", "resettled"}, "employment_rate": {"enrolled", "employed"}}


def metrics_suppressed(rows: list[dict]) -> list[dict]:
    """Care metrics with counts 1–4 (and what would give them back) null, each row naming
    its hidden keys in `suppressed`. The programs' `enrolled` add up to the area's total (the
    daily map's counts), and crisis outcomes to `crises`: each is suppressed as a group."""
    enrolled, hidden_rows = suppression.suppress_group({i: row["enrolled"] for i, row in enumerate(rows)})
    result = []
    for i, row in enumerate(rows):
        counts, hidden = suppression.suppress_group({k: row[k] for k in METRIC_COUNTS if k in row},
                                                    complementary=False)
        if i in hidden_rows:
            hidden.add("enrolled")
        outcomes, hidden_outcomes = suppression.suppress_group(dict(row.get("crisis_outcomes") or {}))
        hidden |= {f"crisis_outcomes.{k}" for k in hidden_outcomes}
        rates = {rate: None if parts & hidden else row[rate] for rate, parts in METRIC_RATES.items() if rate in row}
        hidden |= {rate for rate, parts in METRIC_RATES.items() if rate in row and parts & hidden}
        result.append({**row, **counts, **rates, "enrolled": enrolled[i], "crisis_outcomes": outcomes,
                       "suppressed": sorted(hidden)})
    return result
