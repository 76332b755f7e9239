"""Every error the sandbox can answer: error_type, error_code, HTTP status, message template.

Documented entries follow https://plaid.com/docs/errors/ ; entries whose status or message is
undocumented take them from ``assumptions`` so that changing an assumption stays a one-line edit.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import assumptions


@dataclass(frozen=True, eq=False)  # identity: entries are module constants, hashed per request
class PlaidErrorDef:
    """One catalogue entry; ``message`` is a ``str.format`` template."""

    error_type: str
    error_code: str
    status: int
    message: str

    def render(self, **values: object) -> str:
        return self.message.format(**values) if values else self.message


def documentation_url(error_type: str) -> str:
    slug = assumptions.DOCUMENTATION_SLUGS.get(error_type)
    if slug is None:
        slug = error_type.lower().replace("_", "-") + "-errors"
    return assumptions.DOCUMENTATION_URL_PREFIX + slug


# https://plaid.com/docs/errors/invalid-request/
MISSING_FIELDS = PlaidErrorDef(
    "INVALID_REQUEST", "MISSING_FIELDS", 400, "the following required fields are missing: {fields}"
)
UNKNOWN_FIELDS = PlaidErrorDef(
    "INVALID_REQUEST",
    "UNKNOWN_FIELDS",
    400,
    "the following fields are not recognized by this endpoint: {fields}",
)
INVALID_FIELD = PlaidErrorDef("INVALID_REQUEST", "INVALID_FIELD", 400, "{detail}")
INVALID_BODY = PlaidErrorDef(
    "INVALID_REQUEST", "INVALID_BODY", 400, "body could not be parsed as JSON"
)
INVALID_HEADERS = PlaidErrorDef("INVALID_REQUEST", "INVALID_HEADERS", 400, "{detail}")
NOT_FOUND = PlaidErrorDef("INVALID_REQUEST", "NOT_FOUND", 404, "not found")

# https://plaid.com/docs/errors/invalid-input/
INVALID_API_KEYS = PlaidErrorDef(
    "INVALID_INPUT", "INVALID_API_KEYS", 400, "invalid client_id or secret provided"
)

# https://plaid.com/docs/errors/api/
INTERNAL_SERVER_ERROR = PlaidErrorDef(
    "API_ERROR", "INTERNAL_SERVER_ERROR", 500, "an unexpected error occurred"
)
PLANNED_MAINTENANCE = PlaidErrorDef(
    "API_ERROR",
    "PLANNED_MAINTENANCE",
    503,
    "the Plaid API is temporarily unavailable due to planned maintenance. "
    "visit https://status.plaid.com/ for more information",
)

# Assumed entries (status/message from assumptions.py).
BODY_TOO_LARGE = PlaidErrorDef(
    "INVALID_REQUEST",
    "INVALID_BODY",
    assumptions.BODY_TOO_LARGE_STATUS,
    assumptions.BODY_TOO_LARGE_MESSAGE,
)
NON_OBJECT_BODY = PlaidErrorDef(
    "INVALID_REQUEST", "INVALID_BODY", 400, assumptions.NON_OBJECT_BODY_MESSAGE
)
DUPLICATE_KEY = PlaidErrorDef(
    "INVALID_REQUEST", "INVALID_BODY", 400, assumptions.DUPLICATE_KEY_MESSAGE
)
UNSUPPORTED_METHOD = PlaidErrorDef(
    "INVALID_REQUEST", "NOT_FOUND", assumptions.UNSUPPORTED_METHOD_STATUS, NOT_FOUND.message
)
UNKNOWN_TEMPLATE = PlaidErrorDef(
    "INVALID_REQUEST", "INVALID_FIELD", 400, assumptions.UNKNOWN_TEMPLATE_MESSAGE
)
REDIRECT_URI_NOT_ALLOWED = PlaidErrorDef(
    "INVALID_REQUEST", "INVALID_FIELD", 400, assumptions.REDIRECT_URI_NOT_ALLOWED_MESSAGE
)
ANDROID_PACKAGE_NOT_ALLOWED = PlaidErrorDef(
    "INVALID_REQUEST", "INVALID_FIELD", 400, assumptions.ANDROID_PACKAGE_NOT_ALLOWED_MESSAGE
)
RATE_LIMIT = PlaidErrorDef(
    "RATE_LIMIT_EXCEEDED", assumptions.RATE_LIMIT_ERROR_CODE, 429, assumptions.RATE_LIMIT_MESSAGE
)

# Sandbox-only: an error_type Plaid might add later, to test client forward compatibility.
NEW_FUTURE_ERROR = PlaidErrorDef(
    "NEW_FUTURE_ERROR_TYPE",
    "NEW_FUTURE_ERROR_CODE",
    400,
    "this error type did not exist when your client was generated",
)
# Sandbox-only: a malformed fault-injection header.
INVALID_FAULT_HEADER = PlaidErrorDef(
    "INVALID_REQUEST", "INVALID_HEADERS", 400, "the Plaid-Sandbox-Fault header is invalid: {detail}"
)
