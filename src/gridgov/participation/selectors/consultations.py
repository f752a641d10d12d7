"""Reads of public consultations: the published ones (the public's), and a department's own."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gridgov.core.exceptions import NotFound
from gridgov.participation.models import Consultation, Theme


def _as_int(value) -> int:
    return int(value) if str(value).isdigit() else -1


def published() -> QuerySet[Consultation]:
    return Consultation.objects.filter(published_at__isnull=False).select_related("owner")


def access_published(consultation_id) -> Consultation:
    consultation = published().filter(pk=_as_int(consultation_id)).first()
    if consultation is None:
        raise NotFound(_("No such consultation."))
    return consultation


def of_department(user) -> QuerySet[Consultation]:
    """The consultations of the user's department, in its area."""
    qs = Consultation.objects.visible_to(user)
    return qs.filter(owner_id=user.department_id) if user.department_id else qs.none()


def access_managed(user, consultation_id) -> Consultation:
    consultation = of_department(user).filter(pk=_as_int(consultation_id)).first()
    if consultation is None:
        raise NotFound(_("No such consultation of your department."))
    return consultation


def theme_of(consultation: Consultation, theme_id) -> Theme:
    theme = Theme.objects.filter(consultation=consultation, pk=_as_int(theme_id)).first()
    if theme is None:
        raise NotFound(_("No such theme of this consultation."))
    return theme
