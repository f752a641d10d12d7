"""The kinds of notification core itself sends (imported from `CoreConfig.ready`)."""

from django.utils.translation import gettext_lazy as _

from gridgov.core.emergency import NOTIFICATION_KIND as EMERGENCY_KIND
from gridgov.core.export_jobs import NOTIFY_KIND as EXPORT_READY_KIND
from gridgov.core.export_jobs import NOTIFY_LABEL as EXPORT_READY_LABEL
from gridgov.core.exports import NOTIFY_KIND as EXPORT_KIND
from gridgov.core.models import Role
from gridgov.core.notifications.kinds import register_kind
from gridgov.core.person_duplicates import NOTIFY_KIND as DUPLICATE_KIND
from gridgov.core.person_duplicates import NOTIFY_LABEL as DUPLICATE_LABEL

CORRECTION_KIND = "correction_decided"

register_kind(EMERGENCY_KIND, _("Emergency access to a record in my area"), channels=("email",),
              roles=(Role.PROGRAM_OFFICER, Role.CITY_ADMIN))
register_kind(EXPORT_KIND, _("Bulk exports of personal data put on hold"), channels=("email",),
              roles=(Role.AUDITOR,))
register_kind(EXPORT_READY_KIND, EXPORT_READY_LABEL)
register_kind(CORRECTION_KIND, _("My correction request was decided"))
register_kind(DUPLICATE_KIND, DUPLICATE_LABEL, roles=(Role.SCREENER,))
