"""The rules every Plaid operation follows, whatever its body: headers (Content-Type,
Plaid-Version), a body that is a JSON object, credentials in headers or body, unknown fields,
missing, null, mistyped and empty strings. An operation's own rules live in its module.

Every rule carries its strength: DOC/SEEN from Plaid's documentation and real responses (written
here from Plaid's documentation and the real answers quoted in BEHAVIOUR.md, not taken from the
offline sandbox, which the suite judges), ASSUMED from the offline sandbox's tagged assumptions
(whose constants are what the assumption *says*, so they are read from there).
"""

from __future__ import annotations

from typing import Final

from plaid_offline_sandbox import assumptions

from plaid_contracts.rules import (
    SANDBOX_PARSER,
    Rule,
    Strength,
    adopt_constant,
)

INVALID_REQUEST_DOC: Final = "https://plaid.com/docs/errors/invalid-request/"

# --- rules of every endpoint ---------------------------------------------------------------

MISSING_FIELD: Final = Rule(
    "missing-field",
    Strength.DOC,
    f"a missing required field is 400 INVALID_REQUEST/MISSING_FIELDS naming it "
    f"({INVALID_REQUEST_DOC}#missing_fields)",
)
MISSING_CREDENTIALS: Final = Rule(
    "missing-credentials",
    Strength.SEEN,
    'no credentials: "the following required fields are missing: client_id, secret" '
    "(plaid/pattern#192); only one missing names only it (plaid/plaid-ruby#344)",
)
UNKNOWN_FIELD: Final = Rule(
    "unknown-field",
    Strength.DOC,
    f"an unknown field is 400 INVALID_REQUEST/UNKNOWN_FIELDS naming its dotted path "
    f'({INVALID_REQUEST_DOC}#unknown_fields; SEEN: "...not recognized by this endpoint: '
    'user.phone_number")',
)
WRONG_TYPE: Final = Rule(
    "invalid-field",
    Strength.DOC,
    f"a field of the wrong type or improperly formatted is 400 INVALID_REQUEST/INVALID_FIELD, "
    f'with a message specific to the field ({INVALID_REQUEST_DOC}#invalid_field: "client_id must '
    'be a properly formatted, non-empty string")',
)
MALFORMED_CLIENT_ID: Final = Rule(
    "malformed-client-id",
    Strength.SEEN,
    "a client_id that is not a Plaid id is INVALID_FIELD, not INVALID_API_KEYS "
    "(plaid/plaid-ruby#163 `test_id`, #418; plaid/plaid-node#221; a 2026 probe)",
)
MALFORMED_SECRET: Final = Rule(
    "malformed-secret",
    Strength.ASSUMED,
    "a secret that is not 30 hex characters is INVALID_FIELD, like a malformed client_id",
    tag="A28",
    adopt=adopt_constant("SECRET_PATTERN", "Malformed `secret`"),
)
WRONG_CREDENTIALS: Final = Rule(
    "wrong-credentials",
    Strength.DOC,
    "a well-formed pair Plaid does not know is HTTP 400 INVALID_INPUT/INVALID_API_KEYS "
    "(https://plaid.com/docs/errors/invalid-input/#invalid_api_keys)",
)
CREDENTIAL_CONFLICT: Final = Rule(
    "credential-conflict",
    Strength.ASSUMED,
    f"header and body credentials that disagree: policy {assumptions.CREDENTIAL_CONFLICT_POLICY!r}",
    tag="A11",
    adopt=adopt_constant("CREDENTIAL_CONFLICT_POLICY", "Header and body disagree"),
)
EMPTY_OPTIONAL: Final = Rule(
    "empty-optional-string",
    Strength.ASSUMED,
    "an empty optional string is INVALID_FIELD like an empty required one",
    tag="A7",
    adopt=adopt_constant("EMPTY_OPTIONAL_STRING_IS_INVALID", "Empty optional strings"),
)
NULL_MEANS_ABSENT: Final = Rule(
    "null-means-absent",
    Strength.ASSUMED,
    "JSON null counts as absent (a required field: MISSING_FIELDS; an optional one: accepted)",
    tag="A5",
    adopt=adopt_constant("NULL_MEANS_ABSENT", "JSON `null`"),
)
CONTENT_TYPE_MISSING: Final = Rule(
    "content-type-missing",
    Strength.DOC,
    f"no Content-Type is 400 INVALID_REQUEST/INVALID_HEADERS ({INVALID_REQUEST_DOC}"
    '#invalid_headers: "typically the Content-Type header")',
)
CONTENT_TYPE_NOT_JSON: Final = Rule(
    "content-type-not-json",
    Strength.DOC,
    f"a Content-Type other than application/json is 400 INVALID_REQUEST/INVALID_BODY "
    f"({INVALID_REQUEST_DOC}#invalid_body)",
)
CONTENT_TYPE_PARAMETERS: Final = Rule(
    "content-type-parameters",
    Strength.ASSUMED,
    "application/json is matched case-insensitively, with parameters such as charset",
    tag="A13",
    adopt=adopt_constant("MISSING_CONTENT_TYPE_MESSAGE", "Content-Type present but not JSON"),
)
UNPARSABLE_BODY: Final = Rule(
    "unparsable-body",
    Strength.DOC,
    f"a body that is not JSON is 400 INVALID_REQUEST/INVALID_BODY ({INVALID_REQUEST_DOC}"
    "#invalid_body)",
)
NON_JSON_CONSTANTS: Final = Rule(
    "non-json-constants",
    Strength.ASSUMED,
    "NaN / Infinity are not JSON: INVALID_BODY",
    tag="A18",
    adopt=f"change the parser in `{SANDBOX_PARSER}` and the row "
    "'`NaN`, `Infinity`, `-Infinity` literals' of BEHAVIOUR.md ([A18])",
)
NOT_AN_OBJECT: Final = Rule(
    "body-not-an-object",
    Strength.ASSUMED,
    "a JSON value that is not an object is INVALID_BODY",
    tag="A16",
    adopt=adopt_constant("NON_OBJECT_BODY_MESSAGE", "JSON value that is not an object"),
)
NOT_AN_OBJECT_REJECTED: Final = Rule(
    "body-not-an-object-rejected",
    Strength.DOC,
    "a body that is not an object has none of the required fields: Plaid cannot accept it",
)
PLAID_VERSION_MALFORMED: Final = Rule(
    "plaid-version-malformed",
    Strength.SEEN,
    "a malformed Plaid-Version is INVALID_HEADERS (plaid/plaid-node#245, `0.1.0`)",
)
PLAID_VERSION_UNKNOWN: Final = Rule(
    "plaid-version-known",
    Strength.ASSUMED,
    f"only Plaid's API versions are accepted ({', '.join(assumptions.KNOWN_PLAID_VERSIONS)}); a "
    "well-formed unknown one is INVALID_HEADERS",
    tag="A14",
    adopt=adopt_constant("KNOWN_PLAID_VERSIONS", "Plaid-Version"),
)
