"""Every behaviour Plaid does not document, in one place.

Each constant names the BEHAVIOUR.md row (``[A<n>]``) that explains it. When a nightly run against
the real Plaid Sandbox confirms or overturns an assumption, change the constant here and the row
there; nothing else should need editing. The field orders and messages of
/session/token/create are here too, where the contract suite reads them; its endpoint module
(``endpoints/session_token_create.py``) uses them.
"""

from __future__ import annotations

from typing import Final, Literal

# [A1] Order in which header checks run, before the body is read.
HEADER_CHECK_ORDER: Final = ("content_type", "plaid_version")

# [A2] Order in which checks on the parsed body run; the first failing check answers.
BODY_CHECK_ORDER: Final = (
    "unknown_fields",
    "missing_fields",
    "field_types",
    "credentials",
    "template_id",
    "allow_lists",
)

# [A3] Missing credentials are reported in the same MISSING_FIELDS message as missing body
# fields, in this order (dotted paths, comma-space). `user` is only missing when the root-level
# `user_id` is absent too (that rule is documented; naming `user` in the message is ours).
MISSING_FIELD_ORDER: Final = ("client_id", "secret", "template_id", "user", "user.client_user_id")

# [A4] Unknown fields are listed in the order they appear in the body (top level first, then
# inside `user`).
UNKNOWN_FIELDS_ORDER: Final[Literal["document", "sorted"]] = "document"

# [A5] JSON null for any field is treated as if the field were absent (Go backend semantics).
NULL_MEANS_ABSENT: Final = True

# [A6] Only the first invalid field is reported, in this order.
FIELD_TYPE_CHECK_ORDER: Final = (
    "client_id",
    "secret",
    "template_id",
    "user_id",
    "user",
    "user.client_user_id",
    "user.user_id",
    "webhook",
    "redirect_uri",
    "android_package_name",
)

# [A7] An empty string in an optional field is INVALID_FIELD (like in a required one).
EMPTY_OPTIONAL_STRING_IS_INVALID: Final = True

# [A8] Message for a `user` value that is not an object.
USER_NOT_OBJECT_MESSAGE: Final = "user must be a properly formatted, non-null object"

# [A9] `webhook` must be an absolute http(s) URL with a host.
WEBHOOK_SCHEMES: Final = frozenset({"http", "https"})
WEBHOOK_INVALID_MESSAGE: Final = "webhook must be a properly formatted, absolute http or https URL"

# [A10] An unknown template_id: 400 INVALID_REQUEST / INVALID_FIELD with this message.
UNKNOWN_TEMPLATE_MESSAGE: Final = (
    "template_id must be the id of a template defined in the Dashboard"
)

# [A11] Header and body credentials that disagree.
#   "reject": 400 INVALID_API_KEYS;  "header": header wins;  "body": body wins.
CREDENTIAL_CONFLICT_POLICY: Final[Literal["reject", "header", "body"]] = "reject"

# [A12] An empty PLAID-CLIENT-ID / PLAID-SECRET header counts as absent.
EMPTY_CREDENTIAL_HEADER_IS_ABSENT: Final = True

# [A13] A missing Content-Type is INVALID_HEADERS (documented) with this message (ours). A present
# one is JSON when its media type is application/json (case-insensitive, parameters such as
# charset accepted); any other is INVALID_BODY "body could not be parsed as JSON" (documented).
# The body is always decoded as UTF-8.
MISSING_CONTENT_TYPE_MESSAGE: Final = "the Content-Type header is missing: send application/json"

# [A14] Plaid-Version: optional; when present it must be one of Plaid's API versions.
KNOWN_PLAID_VERSIONS: Final = ("2020-09-14", "2019-05-29", "2018-05-22", "2017-03-08")
PLAID_VERSION_MESSAGE: Final = "the Plaid-Version header must be one of: " + ", ".join(
    KNOWN_PLAID_VERSIONS
)

# [A15] (retired: the sandbox sends no plaid-version response header; none is on record.)

# [A16] A JSON value that is not an object.
NON_OBJECT_BODY_MESSAGE: Final = "body must be a JSON object"

# [A17] Duplicate keys in a JSON object: the last value wins (Go's encoding/json does this).
#   "last_wins" or "reject" (reject answers INVALID_BODY with DUPLICATE_KEY_MESSAGE).
DUPLICATE_KEY_POLICY: Final[Literal["last_wins", "reject"]] = "last_wins"
DUPLICATE_KEY_MESSAGE: Final = "body could not be parsed as JSON: duplicate key"

# [A18] NaN / Infinity literals are not JSON: INVALID_BODY with the standard parse message.
# [A19] Body over the size limit: this status with INVALID_REQUEST / INVALID_BODY.
BODY_TOO_LARGE_STATUS: Final = 400
BODY_TOO_LARGE_MESSAGE: Final = "body exceeds the maximum size of {limit} bytes"

# [A20] Other methods on the endpoint are a route Plaid does not serve: NOT_FOUND "not found"
# (documented) with this status. The docs give 404 for NOT_FOUND; one 2018 response to a GET
# was 400 "invalid route: /transactions/get". No Allow header either way.
UNSUPPORTED_METHOD_STATUS: Final = 404

# [A21] Only an endpoint module's exact path matches; a trailing slash is a different (unknown)
# path. The query string is ignored.

# [A22] documentation_url slug per error_type; types not listed get "<type-in-kebab>-errors".
DOCUMENTATION_URL_PREFIX: Final = "https://plaid.com/docs/?ref=error#"
DOCUMENTATION_SLUGS: Final = {
    "INVALID_REQUEST": "invalid-request-errors",  # seen in real responses
    "INVALID_INPUT": "invalid-input-errors",  # seen in real responses
    "ITEM_ERROR": "item-errors",  # seen in real responses
    "RATE_LIMIT_EXCEEDED": "rate-limit-exceeded-errors",
    "API_ERROR": "api-errors",
}

# [A23] Rate limit fault: no rate limit is documented for this route; this code and message.
RATE_LIMIT_ERROR_CODE: Final = "RATE_LIMIT"
RATE_LIMIT_MESSAGE: Final = "rate limit exceeded for this endpoint. please try again later"

# [A24] Expiration = now + lifetime, truncated to whole seconds.
# [A25] request_id: 15 characters of [A-Za-z0-9].
REQUEST_ID_LENGTH: Final = 15

# [A26] No length limits on string fields (none are documented).

# [A27] A well-formed client_id is 24 lowercase hex characters, like every real one seen; any
# other string is INVALID_FIELD "client_id must be a properly formatted, non-empty string"
# (that answer is seen; where exactly Plaid draws the line is ours). Header and body alike.
CLIENT_ID_PATTERN: Final = r"[0-9a-f]{24}"

# [A28] A well-formed secret is 30 lowercase hex characters; a malformed one is INVALID_FIELD
# like a malformed client_id (by analogy: no malformed-secret answer is on record).
SECRET_PATTERN: Final = r"[0-9a-f]{30}"

# [A29] Root-level `user_id`: a non-empty string, no format check (none is documented). A body
# with both `user` and `user_id` is accepted.

# [A30] Content-Encoding on a request is not decoded: the body is parsed as it arrives, so a
# gzip-compressed body is INVALID_BODY and the header alone changes nothing. Plaid documents no
# compressed requests; the servers in front of most APIs (nginx, Go's net/http) do not inflate
# request bodies either, and a sandbox more lenient than Plaid would hide a client bug.

# [A31] A `redirect_uri` / `android_package_name` outside the Dashboard's allow-list (that Plaid
# checks them against it is documented) is INVALID_REQUEST / INVALID_FIELD with these messages:
# the redirect one in the wording reported for Plaid (no public record quotes it whole), the
# Android one ours. Entries match exactly (the documented `*` subdomain wildcard is
# not modelled); the redirect URI is checked first.
REDIRECT_URI_NOT_ALLOWED_MESSAGE: Final = (
    "OAuth redirect URI must be configured in the developer dashboard"
)
ANDROID_PACKAGE_NOT_ALLOWED_MESSAGE: Final = (
    "android_package_name must be added to the Allowed Android package names in the developer "
    "dashboard"
)
