"""Notifications that reach people: one service every app tells people through.

- `notify(...)` (services.py): the in-app row per user in the caller's transaction, then e-mail
  and SMS deliveries sent by a task after commit, retried with backoff, each one recorded
  (`core.models_notifications.Delivery`). Names a person as each receiver may see them.
- `register_kind(...)` (kinds.py): each app declares its kinds, their labels and default channels.
- `register_person_subjects_hook(...)`: each app names the subjects of its notifications that
  speak of a registered person; `notifications_forget_people` forgets them when the register
  anonymises that person (retention).
- channels.py: the e-mail, Alibaba Cloud SMS and console SMS adapters.
- Pages `/notifications/` (list, mark read, mark all read, preferences) and the API
  `/api/v1/notifications/…`.
"""

from gridgov.core.notifications.kinds import register_kind
from gridgov.core.notifications.services import (
    PERSON_SUBJECT,
    Contact,
    Subject,
    may_open_person_record,
    notifications_withdraw,
    notify,
    register_person_subjects_hook,
)

__all__ = ["PERSON_SUBJECT", "Contact", "Subject", "may_open_person_record", "notifications_withdraw", "notify", "register_kind",
           "register_person_subjects_hook"]
