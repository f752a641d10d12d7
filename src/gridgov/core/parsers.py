"""The parsing layer every request goes through: bounded JSON and text without NUL
(robustness, issue 10).

- JSON is nested at most `MAX_JSON_DEPTH` levels. Python's decoder recurses and would raise
  `RecursionError` (a 500) on a body of 100,000 `[`; the depth limit also keeps what is
  accepted well inside what later code (serialisers, the audit log, `json.dumps`) handles.
- No text may contain NUL (`\\x00`): PostgreSQL cannot store it and answers with an error
  that would be a 500, and no legitimate field needs it. JSON strings and keys are checked
  here; query parameters, form fields and file names are checked once for every page and
  endpoint by `core.input_guard.InputGuardMiddleware`.

DRF uses `JSONParser` through `REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]`; code that parses
JSON text it received (a JSON field inside a multipart form) uses `loads`.
"""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

MAX_JSON_DEPTH = 32
NUL = "\x00"


def nul_message() -> str:
    return _("Text may not contain NUL characters.")


def too_deep_message() -> str:
    return _("The JSON is nested too deeply (at most %(n)d levels).") % {"n": MAX_JSON_DEPTH}


def check_json_value(value) -> None:
    """Walk a decoded JSON value without recursion: raise `ParseError` past the depth limit
    and `ValidationError` naming the first string (or key) that holds a NUL."""
    stack = [(value, 1, "")]
    while stack:
        item, depth, path = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                raise ValidationError({path or "non_field_errors": [nul_message()]})
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise ParseError(too_deep_message())
        pairs = item.items() if isinstance(item, dict) else enumerate(item)
        for key, child in pairs:
            child_path = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and NUL in key:
                raise ValidationError({path or "non_field_errors": [nul_message()]})
            stack.append((child, depth + 1, child_path))


def loads(text: str | bytes):
    """`json.loads` with the same limits as a JSON body; `ParseError` on bad JSON."""
    try:
        value = json.loads(text)
    except RecursionError as exc:
        raise ParseError(too_deep_message()) from exc
    except ValueError as exc:
        raise ParseError(_("The JSON is not valid: %(error)s") % {"error": exc}) from exc
    check_json_value(value)
    return value


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a nesting limit and no NUL in any string."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            value = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(too_deep_message()) from exc
        check_json_value(value)
        return value
