"""Forms of the care pages. They parse input; the rules (scope, schedules, who may do what)
live in services and selectors.

One module per room, all re-exported here (`from gridgov.care.forms import X` keeps working):
`common` (field helpers and the lists' filters), `visits` (visits and crises), `enrollment`
(enrolling, program details and the enrollment page's actions), `payments`, `campaigns`.
"""

from gridgov.care.forms.campaigns import (  # noqa: F401 (re-exported: `gridgov.care.forms.X` keeps working)
    CampaignForm,
    CampaignItemForm,
    CampaignListFilterForm,
    ChecklistFilterForm,
)
from gridgov.care.forms.common import (  # noqa: F401 (re-exported: `gridgov.care.forms.X` keeps working)
    ONLY_LABELS,
    PAGE_SIZE,
    STATUS_LABELS,
    AreaForm,
    PaymentsFilterForm,
    TodayFilterForm,
    _account,
    _area,
    _checks,
    _choice_labels,
    _count,
    _date,
    _org_code_field,
    _radio,
    _text,
)
from gridgov.care.forms.enrollment import (  # noqa: F401 (re-exported: `gridgov.care.forms.X` keeps working)
    FAMILY_ROWS,
    PROGRAM_DETAIL_FORMS,
    STAFF_ROWS,
    YES_NO,
    ChildDetailsForm,
    CorrectionsDetailsForm,
    DrugRehabDetailsForm,
    ElderlyDetailsForm,
    EnrollmentForm,
    ExitForm,
    FamilyRowForm,
    HandoverForm,
    PersonLookupForm,
    ProgramDetailsForm,
    ReentryDetailsForm,
    RejectForm,
    SmdDetailsForm,
    StaffRowForm,
    StatusChangeForm,
    TeamMemberForm,
    YouthDetailsForm,
    program_detail_labels,
    program_value_labels,
)
from gridgov.care.forms.payments import (  # noqa: F401 (re-exported: `gridgov.care.forms.X` keeps working)
    AgreementForm,
    GuardianPaymentForm,
    SubsidyForm,
)
from gridgov.care.forms.visits import (  # noqa: F401 (re-exported: `gridgov.care.forms.X` keeps working)
    DANGEROUS_BEHAVIOUR,
    HOSPITALISED_SINCE_LAST,
    INSIGHT,
    LEVEL_OF_FUNCTION,
    LOCKED_AT_HOME,
    MEDICATION_ADHERENCE,
    REHABILITATION,
    RISK_LEVELS,
    SMD_CHOICE_FIELDS,
    SMD_TEXT_FIELDS,
    CrisisActionForm,
    CrisisReportForm,
    VisitRecordForm,
    smd_detail_labels,
    smd_value_labels,
)
