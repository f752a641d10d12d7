"""Forms of the event pages. They parse input; the rules live in services and selectors.

One module per part, all of it importable from here as before:
- fields.py: the page sizes, the photos field, the grouped category select, a report's point;
- reports.py: the grid worker's, the hotline's and the public report, the reporter's voice;
- lists.py: the queue's filters, the inbox, the evaluation's month, the routing-rule editor;
- actions.py: one form per workflow action (`ACTION_FORMS`), merging a duplicate.
"""

from gridgov.events.forms.actions import (
    ACTION_FORMS,
    DECISION_CHOICES,
    PASSED_CHOICES,
    AcceptForm,
    ActionForm,
    ApproveExtensionForm,
    CancelForm,
    CloseForm,
    DispatchForm,
    EvaluateForm,
    ExtendForm,
    HandleForm,
    MergeForm,
    ReopenForm,
    ResolveOnSiteForm,
    ResumeForm,
    ReturnForm,
    SuspendForm,
    VerifyForm,
)
from gridgov.events.forms.fields import (
    MOBILE_PAGE_SIZE,
    MOBILE_PHONE,
    PAGE_SIZE,
    PHONE,
    RATING_CHOICES,
    CategorySelect,
    MultipleFileInput,
    PhotosField,
    category_fields,
)
from gridgov.events.forms.lists import ALL, OPEN, AfterForm, InboxForm, QueueFilterForm, RankingForm, RoutingRuleForm
from gridgov.events.forms.reports import (
    DisputeForm,
    HotlineForm,
    PublicReportForm,
    ReporterRatingForm,
    ReportForm,
    TrackLookupForm,
)

__all__ = [
    "ACTION_FORMS", "ALL", "DECISION_CHOICES", "MOBILE_PAGE_SIZE", "MOBILE_PHONE", "OPEN", "PAGE_SIZE",
    "PASSED_CHOICES", "PHONE", "RATING_CHOICES",
    "AcceptForm", "ActionForm", "AfterForm", "ApproveExtensionForm", "CancelForm", "CategorySelect", "CloseForm",
    "DispatchForm", "DisputeForm", "EvaluateForm", "ExtendForm", "HandleForm", "HotlineForm", "InboxForm",
    "MergeForm", "MultipleFileInput", "PhotosField", "PublicReportForm", "QueueFilterForm", "RankingForm",
    "ReopenForm", "ReportForm", "ReporterRatingForm", "ResolveOnSiteForm", "ResumeForm", "ReturnForm",
    "RoutingRuleForm", "SuspendForm", "TrackLookupForm", "VerifyForm", "category_fields",
]
