"""OpenAPI post-processing: the error answers that any operation can give.

Every view declares the errors of its own logic (`errors(400, 409)`); the framework adds
others whatever the view: 401 without a valid sign-in, 403 for a role or a failed CSRF check,
404 for an id outside the user's area, 413/415 for a body too large or of the wrong type, 429
for rate limits and lockouts, 503 while the database is unreachable. Documenting them here,
once, keeps the schema true for clients and for the fuzzer that checks answers against it.
"""

from __future__ import annotations

_ERROR_REF = {"$ref": "#/components/schemas/Error"}

_DESCRIPTIONS = {
    "400": "Invalid input: `fields` says what is wrong with each field.",
    "401": "Not signed in, or the token is invalid or expired.",
    "403": "Signed in, but this role may not do this (or the CSRF check failed).",
    "404": "Missing, or outside the user's area.",
    "413": "The request body is larger than the limit.",
    "415": "The body's content type is not accepted.",
    "429": "Too many attempts.",
    "503": "The database is briefly unavailable; try again.",
}

_METHODS = {"get", "post", "put", "patch", "delete"}


def _needs_sign_in(operation: dict) -> bool:
    security = operation.get("security")
    return not (security == [] or security == [{}] or (security and {} in security and len(security) == 1))


def add_framework_errors(result, generator, request, public):
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in _METHODS:
                continue
            statuses = ["400", "404", "429", "503"]
            if _needs_sign_in(operation):
                statuses += ["401", "403"]
            if "requestBody" in operation:
                statuses += ["413", "415"]
            responses = operation.setdefault("responses", {})
            for status in statuses:
                responses.setdefault(
                    status,
                    {"description": _DESCRIPTIONS[status], "content": {"application/json": {"schema": _ERROR_REF}}},
                )
    return result
