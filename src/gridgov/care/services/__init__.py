"""Writes of the care programs: enrollment, teams and two-way confirmation, visits,
crises, hospital stays and absences, handovers, exits, agreements and payments.

Each function checks permission and scope, validates, writes in one transaction with an
audit entry (never copying health or criminal-record facts into it), and alerts people
after commit.

One module per area, all re-exported here (`from gridgov.care.services import X` and
`services.X` keep working):

- `common`: settings of a program, its detail fields, the team's alerts, the officers of a place;
- `enrollment`: enrolling, the team, exits (every way an enrollment ends), opening a record,
  merged and deceased people, exports, and the withdrawal of consent;
- `visits`: visits, crises, hospital stays and absences;
- `handovers`, `payments` (subsidies and guardian agreements), `campaigns` (screening).
"""

from gridgov.care.audit_actions import CareAudit  # noqa: F401 (read as services.CareAudit)
from gridgov.care.services.campaigns import (  # noqa: F401 (re-exported: `gridgov.care.services.X` keeps working)
    campaign_item_record,
    campaign_open,
)
from gridgov.care.services.common import (  # noqa: F401 (re-exported: `gridgov.care.services.X` keeps working)
    DEFAULT_RETENTION_YEARS,
    FIRST_VISIT_AFTER_HANDOVER_DAYS,
    PROGRAM_DETAIL_FIELDS,
    SMD_FOLLOW_UP_FIELDS,
    _alert_team,
    _derived_flags,
    _raise_if,
    _team_users,
    check_details,
    officers_of,
    program_settings,
)
from gridgov.care.services.enrollment import (  # noqa: F401 (re-exported: `gridgov.care.services.X` keeps working)
    TeamSpec,
    _check_team,
    _consent_fields,
    care_report_export_record,
    consent_withdrawn_reason,
    enrollment_create,
    enrollment_exit,
    enrollment_open_record,
    enrollment_withdraw_consent,
    person_care_export,
    person_death_end_enrollments,
    person_merge_care_references,
    team_acknowledge,
    team_member_add,
    team_member_remove,
    unknown_account_message,
)
from gridgov.care.services.handovers import (  # noqa: F401 (re-exported: `gridgov.care.services.X` keeps working)
    handover_accept,
    handover_create,
    handover_reject,
)
from gridgov.care.services.payments import (  # noqa: F401 (re-exported: `gridgov.care.services.X` keeps working)
    TREATMENT_MAX_DAYS,
    TREATMENT_RATES,
    guardian_agreement_sign,
    guardian_payment_record,
    treatment_subsidy_record,
)
from gridgov.care.services.visits import (  # noqa: F401 (re-exported: `gridgov.care.services.X` keeps working)
    _may_visit,
    _open_period,
    crisis_record_action,
    crisis_report,
    status_begin,
    status_end,
    visit_record,
)
