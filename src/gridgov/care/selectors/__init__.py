"""Reads of the care programs, with their privacy rules:

- Above the county, statistics only: lists of named people come back empty, counts filled.
- Health and criminal-record details (and which sensitive program someone is in) only for
  roles with VIEW_CARE_DETAILS in scope, and for the clinical members of the care team;
  a grid worker sees that a person needs a visit, not why.

One module per concern, all re-exported here (`from gridgov.care.selectors import X` and
`selectors.X` keep working):

- `enrollments`: who sees which enrollment, and its details (`access_enrollment`);
- `masking`: one function per object, for viewers without the details;
- `daily`: the daily map, its counts and the list in order of urgency;
- `metrics`: the programs' figures, folded and suppressed as the viewer may see them;
- `records`: the officer's page, the API's lists and records, the pages' reads;
- `campaigns`: screening campaigns and their checklists.
"""

from gridgov.care.querysets import (  # noqa: F401 (re-exported: views and other modules read them here)
    COUNTY_CODE_LENGTH,
    statistics_only,
)
from gridgov.care.querysets import sees_team_only as team_only  # noqa: F401
from gridgov.care.selectors.campaigns import (  # noqa: F401 (re-exported: `gridgov.care.selectors.X` keeps working)
    CampaignProgress,
    _counted_items,
    _manages_campaigns,
    _own_items,
    _progress_suppressed,
    _with_address,
    access_campaign,
    access_campaign_item,
    campaign_items_for,
    campaign_list,
    campaign_progress,
    campaigns_visible_to,
)
from gridgov.care.selectors.daily import (  # noqa: F401 (re-exported: `gridgov.care.selectors.X` keeps working)
    _NO_DUE_DATE,
    DAILY_FIELDS,
    ONLY_OPEN_CRISIS,
    ONLY_TASKS_DUE,
    ONLY_TO_CONFIRM,
    STATUSES,
    URGENCY_ORDER,
    TodayRow,
    by_urgency,
    care_today_queryset,
    care_today_rows,
    day_status,
    day_statuses_for,
    lean_daily,
    only_q,
    open_crisis_q,
    parse_urgency_cursor,
    status_on,
    status_q,
    tasks_due_q,
    to_confirm_q,
    today_counts,
    today_counts_for,
    urgency_cursor,
)
from gridgov.care.selectors.enrollments import (  # noqa: F401 (re-exported: `gridgov.care.selectors.X` keeps working)
    CLINICAL_TEAM_ROLES,
    MASKED,
    _enrollment_under_emergency_grant,
    access_enrollment,
    consent_withdrawal_of,
    enrollments_in_scope,
    enrollments_of_people,
    enrollments_visible_to,
    exit_reason_text,
    high_risk_unconfirmed_for,
    masked_name,
    may_see_details,
    officer_of_person,
    person_ids_held_by_care,
    program_label,
    team_officers_of_person,
    with_details_visible,
)
from gridgov.care.selectors.masking import (  # noqa: F401 (re-exported: `gridgov.care.selectors.X` keeps working)
    MASKED_OUTCOME,
    PLAIN_REPORTERS,
    PLAIN_TEAM_ROLES,
    TELLING_TEAM_ROLES,
    TELLING_VISIT_FORMS,
    away_since,
    crisis_alerted,
    crisis_outcome,
    crisis_reported_by,
    masks_health,
    metrics_masked,
    period_kind,
    team_member_view,
    visit_view,
)
from gridgov.care.selectors.metrics import (  # noqa: F401 (re-exported: `gridgov.care.selectors.X` keeps working)
    METRIC_COUNTS,
    METRIC_RATES,
    _metrics_folded,
    _reentry_outcomes,
    care_metrics,
    care_metrics_for,
    metrics_suppressed,
)
from gridgov.care.selectors.records import (  # noqa: F401 (re-exported: `gridgov.care.selectors.X` keeps working)
    RECENT_VISITS,
    access_agreement,
    access_crisis,
    access_handover,
    access_team_member,
    crisis_actions,
    enrollment_history,
    enrollment_record,
    enrollment_visits,
    enrollments_list,
    handover_list,
    handovers_for,
    may_record_visit,
    overdue_enrollments,
    payment_totals,
    payments_in_scope,
    payments_visible_to,
    team_accounts,
    unacknowledged_high_risk,
    unacknowledged_with_waiting,
    with_on_team,
)
