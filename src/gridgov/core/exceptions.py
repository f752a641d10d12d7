"""The one error type of domain code, with stable machine-readable codes."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    CONFLICT = "conflict"
    DUPLICATE = "duplicate"
    ILLEGAL_TRANSITION = "illegal_transition"
    PURPOSE_REQUIRED = "purpose_required"
    RATE_LIMITED = "rate_limited"  # masking (issue 10): too many identifier searches
    EXPORT_ON_HOLD = "export_on_hold"  # purposes (issue 10): bulk exports wait for an auditor
    # participation (issue 14): the points bank refuses to go below zero (CONTRACTS)
    INSUFFICIENT_BALANCE = "insufficient_balance"
    OUT_OF_STOCK = "out_of_stock"
    FULL = "full"  # a volunteer shift or a centre's slot has no place left


# The HTTP status each code maps to at the API and HTML edges.
HTTP_STATUS_BY_CODE = {
    ErrorCode.INVALID: 400,
    ErrorCode.PURPOSE_REQUIRED: 400,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.PERMISSION_DENIED: 403,
    ErrorCode.CONFLICT: 409,
    ErrorCode.DUPLICATE: 409,
    ErrorCode.ILLEGAL_TRANSITION: 409,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.EXPORT_ON_HOLD: 429,
    ErrorCode.INSUFFICIENT_BALANCE: 409,
    ErrorCode.OUT_OF_STOCK: 409,
    ErrorCode.FULL: 409,
}


class DomainError(Exception):
    """A failure a user can understand: a translated message, a code and field errors."""

    def __init__(self, message, code: ErrorCode = ErrorCode.INVALID, fields: dict | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.code = code
        self.fields = {k: [str(m) for m in v] for k, v in (fields or {}).items()}

    @property
    def http_status(self) -> int:
        return HTTP_STATUS_BY_CODE.get(self.code, 400)


class NotFound(DomainError):
    def __init__(self, message=None):
        from django.utils.translation import gettext as _

        super().__init__(message or _("Not found."), ErrorCode.NOT_FOUND)


class Forbidden(DomainError):
    def __init__(self, message=None):
        from django.utils.translation import gettext as _

        super().__init__(
            message or _("You do not have permission to do this."), ErrorCode.PERMISSION_DENIED
        )


def domain_error_from_validation(exc) -> DomainError:
    """Turn a Django ValidationError into a DomainError with per-field messages."""
    from django.core.exceptions import NON_FIELD_ERRORS
    from django.utils.translation import gettext as _

    if hasattr(exc, "error_dict"):
        fields = {
            ("non_field_errors" if key == NON_FIELD_ERRORS else key): [str(m) for e in errs for m in e]
            for key, errs in exc.error_dict.items()
        }
        first = next(iter(fields.values()), [_("Invalid input.")])[0]
        return DomainError(first, ErrorCode.INVALID, fields)
    messages = [str(m) for m in exc.messages]
    return DomainError(messages[0] if messages else _("Invalid input."), ErrorCode.INVALID)
