"""Audit entries in words (emergency, issue 10): object types and purposes, never codes."""

from __future__ import annotations

from django import template

from gridgov.core import audit_labels

register = template.Library()


@register.filter
def object_type_label(object_type: str) -> str:
    return audit_labels.object_type_label(object_type)


@register.filter
def purpose_label(entry) -> str:
    return audit_labels.purpose_label(entry)
