"""Everything the contract suite knows about POST /session/token/create, and nothing else does.

* **Fixtures**: the run's template (``TEMPLATE``, from PLAID_TEMPLATE_ID), and how a case carries
  it (``prepare_body``): a schema-valid random template names one that does not exist.
* **Its fields and their rules** (``FIELDS``, ``body_rules``), on top of what every Plaid
  endpoint follows (checks/expected_answers.py): what Plaid answers to each way a body of this
  endpoint can be broken, with the strength of every rule.
* **What a success carries** (``link_token_problems``): a link token of the target's environment,
  expiring within the Link token lifetime; the check ``plaid_link_token``.
* **Its client tests' requests and answers** (``valid_requests``, ``CLIENT_EXPECTED_ERRORS``);
  the tests themselves are contracts/suite/test_session_token_create_client.py.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import urlsplit

import httpx
from hypothesis import strategies as st
from plaid_offline_sandbox import assumptions
from plaid_offline_sandbox import catalogue as sandbox_catalogue
from plaid_offline_sandbox.config import DEFAULT_TEMPLATE_ID
from plaid_session_client import parse_response
from plaid_session_client.models import (
    SessionTokenCreateRequest,
    SessionTokenCreateRequestUser,
    SessionTokenCreateResponse,
)
from plaid_session_client.types import UNSET

from plaid_contracts.checks import envelope
from plaid_contracts.checks.catalogue import CheckInfo
from plaid_contracts.checks.expected_answers import (
    ABSENT,
    EMPTY_OPTIONAL,
    INVALID_REQUEST_DOC,
    MALFORMED_CLIENT_ID,
    MISSING_CREDENTIALS,
    NULL_MEANS_ABSENT,
    WRONG_CREDENTIALS,
    WRONG_TYPE,
    Classifier,
    Fields,
    Format,
    StringField,
    WhenValid,
    invalid_field,
    plaid_error,
)
from plaid_contracts.checks.rules import (
    SANDBOX_PACKAGE,
    Divergence,
    Rule,
    Strength,
    adopt_constant,
)
from plaid_contracts.client_contract.strategies import (
    ExpectedError,
    ValidRequest,
    android_package,
    http_url,
    https_url,
    non_empty_text,
)
from plaid_contracts.infra.credentials import Credentials
from plaid_contracts.infra.targets import Target
from plaid_contracts.operations import Fixture, Operation, Success

# The offline sandbox's module for this operation (its field rules).
SANDBOX_ENDPOINT: Final = f"{SANDBOX_PACKAGE}/endpoints/session_token_create.py"

PATH: Final = "/session/token/create"
METHOD: Final = "POST"
ENDPOINT_DOC: Final = "https://plaid.com/docs/api/products/layer/#sessiontokencreate"
LINK_TOKEN_DOC: Final = "https://plaid.com/docs/api/link/#linktokencreate"

TEMPLATE: Final = Fixture(
    "template_id",
    "PLAID_TEMPLATE_ID",
    DEFAULT_TEMPLATE_ID,
    "the Link template every valid request names (a Dashboard template for Plaid)",
)
# The user a valid case gets when it has neither `user` nor `user_id` (spec: `user` is "required
# if a root-level user_id is not provided").
FIXTURE_USER: Final = {"client_user_id": "contract-user"}

_UNKNOWN_TEMPLATE: Final = sandbox_catalogue.UNKNOWN_TEMPLATE

# --- rules of this endpoint --------------------------------------------------------------------

VALID_ACCEPTED: Final = Rule(
    "valid-request-accepted",
    Strength.DOC,
    f"every required field, no unknown one, well-formed values, the run's template and "
    f"credentials: Plaid creates the token ({ENDPOINT_DOC})",
)
USER_OR_USER_ID: Final = Rule(
    "user-or-user-id",
    Strength.DOC,
    'Plaid\'s published spec: `user` is "Required if a root-level `user_id` is not provided"',
)
NAMING_USER: Final = Rule(
    "missing-user-named",
    Strength.ASSUMED,
    "a body with neither `user` nor `user_id` names `user` in MISSING_FIELDS",
    tag="A3",
    adopt=adopt_constant("MISSING_FIELD_ORDER", "Missing fields"),
)
WEBHOOK_FORMAT: Final = Rule(
    "webhook-format",
    Strength.ASSUMED,
    "webhook must be an absolute http(s) URL with a host, else INVALID_FIELD",
    tag="A9",
    adopt=adopt_constant("WEBHOOK_SCHEMES", "`webhook`"),
)
FREE_TEXT_ACCEPTED: Final = Rule(
    "free-text-accepted",
    Strength.ASSUMED,
    "any non-empty client_user_id is accepted: Plaid documents no length or character limit "
    "here (128 characters only on /user/create)",
    tag="A26",
    adopt=f"add the limit to `{SANDBOX_ENDPOINT}` and replace the row "
    "'String lengths' of BEHAVIOUR.md ([A26])",
)
USER_ID_ACCEPTED: Final = Rule(
    "user-id-accepted",
    Strength.ASSUMED,
    "any non-empty user_id is accepted: no format (or existence) check is documented",
    tag="A29",
    adopt=f"model the check in `{SANDBOX_ENDPOINT}` and the rows "
    "'Root-level `user_id`' / '`user`' of BEHAVIOUR.md ([A29])",
)
ALLOW_LISTS: Final = Rule(
    "allow-lists",
    Strength.ASSUMED,
    "redirect_uri and android_package_name are accepted as any non-empty string (Plaid's "
    "Dashboard allow-lists are not modelled)",
    adopt=f"model the allow-list in `{SANDBOX_ENDPOINT}` and the row "
    "'`redirect_uri`, `android_package_name`' of BEHAVIOUR.md",
)
UNKNOWN_TEMPLATE: Final = Rule(
    "unknown-template",
    Strength.ASSUMED,
    f"an unknown template_id is {_UNKNOWN_TEMPLATE.error_type}/{_UNKNOWN_TEMPLATE.error_code} "
    "(undocumented)",
    tag="A10",
    adopt=adopt_constant("UNKNOWN_TEMPLATE_MESSAGE", "Unknown `template_id`")
    + " (and the UNKNOWN_TEMPLATE entry of catalogue.py)",
)
EMPTY_CLIENT_USER_ID: Final = Rule(
    "empty-client-user-id",
    Strength.DOC,
    "the spec's minLength 1 on user.client_user_id; Plaid's INVALID_FIELD for an improperly "
    f"formatted field ({INVALID_REQUEST_DOC}#invalid_field)",
)
LINK_TOKEN: Final = Rule(
    "link-token",
    Strength.SEEN,
    "link_token is link-<environment>-<uuid> (SEEN in Sandbox); expiration is RFC 3339 UTC, in "
    f"the future, within the Link token lifetime (4 h: {LINK_TOKEN_DOC}; --token-lifetime)",
)

# --- its fields --------------------------------------------------------------------------------


def _absolute_http_url(value: str) -> bool:
    """Assumption A9's URL rule, written here too, not imported: the suite judges the sandbox."""
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() in assumptions.WEBHOOK_SCHEMES and bool(host)


_STRING_FIELDS: Final = (
    StringField("template_id", True, WRONG_TYPE, None),
    StringField("user_id", False, EMPTY_OPTIONAL, USER_ID_ACCEPTED),
    StringField(
        "webhook",
        False,
        EMPTY_OPTIONAL,
        WEBHOOK_FORMAT,
        Format("webhook_not_a_url", WEBHOOK_FORMAT, _absolute_http_url),
    ),
    StringField("redirect_uri", False, EMPTY_OPTIONAL, ALLOW_LISTS),
    StringField("android_package_name", False, EMPTY_OPTIONAL, ALLOW_LISTS),
)
_USER_FIELDS: Final = (
    StringField("user.client_user_id", True, WRONG_TYPE, FREE_TEXT_ACCEPTED),
    StringField("user.user_id", False, EMPTY_OPTIONAL, USER_ID_ACCEPTED),
)
FIELDS: Final = Fields(
    top_level=frozenset({"user", *(spec.path for spec in _STRING_FIELDS)}),
    nested={"user": frozenset(spec.path.removeprefix("user.") for spec in _USER_FIELDS)},
)


def body_rules(classifier: Classifier, data: dict[str, Any]) -> None:
    """This endpoint's rules on a JSON object body (after unknown fields and credentials)."""
    for spec in _STRING_FIELDS:
        classifier.string_rule(spec, data)
    user = data.get("user", ABSENT)
    user_id = data.get("user_id")
    if user is None and assumptions.NULL_MEANS_ABSENT:
        if user_id is None:
            classifier.null("user", required=True)
        else:
            classifier.accepted("user", NULL_MEANS_ABSENT)
    elif user is ABSENT:
        if user_id is None:
            expected = plaid_error("MISSING_FIELDS", "user", USER_OR_USER_ID, NAMING_USER)
            classifier.broken("missing_field", "user", USER_OR_USER_ID, expected)
    elif not isinstance(user, dict):
        classifier.broken("wrong_type", "user", WRONG_TYPE, invalid_field("user", WRONG_TYPE))
    else:
        for spec in _USER_FIELDS:
            classifier.string_rule(spec, user)


WHEN_VALID: Final = WhenValid(
    VALID_ACCEPTED,
    "200 with a link token",
    hint="a rejection naming PLAID_TEMPLATE_ID's template means the run was given a template "
    "the target does not know",
)


def _non_empty_string(value: object) -> bool:
    return isinstance(value, str) and value != ""


def prepare_body(body: dict[str, Any], fixtures: Mapping[str, str], valid: bool) -> dict[str, Any]:
    """The body to send (a new dict): the run's fixtures wherever they are not what is broken.

    * A schema-valid ``template_id`` becomes the run's template, in valid and invalid cases alike:
      an invalid case then breaks only what it was generated to break.
    * A valid case with neither ``user`` nor ``user_id`` gets the fixture user (once the spec lets
      both be omitted, schemathesis may generate that).
    """
    prepared = dict(body)
    if _non_empty_string(prepared.get("template_id")):
        prepared["template_id"] = fixtures[TEMPLATE.name]
    if valid and prepared.get("user") is None and prepared.get("user_id") is None:
        prepared["user"] = dict(FIXTURE_USER)
    return prepared


# --- what a success carries: a link token ------------------------------------------------------


def token_prefixes(target: Target) -> tuple[str, ...]:
    return tuple(f"link-{env}-" for env in target.token_environments)


def _link_of(payload: object) -> dict[str, Any] | None:
    link = payload.get("link") if isinstance(payload, dict) else None
    return link if isinstance(link, dict) else None


def token_environment(payload: object, target: Target) -> str | None:
    """The target's environment the success' link token names, None if it names none of them."""
    link = _link_of(payload)
    token = None if link is None else link.get("link_token")
    for env in target.token_environments:
        prefix = f"link-{env}-"
        if isinstance(token, str) and token.startswith(prefix) and len(token) > len(prefix):
            return env
    return None


def link_token_problems(
    payload: object, target: Target, lifetime_seconds: int, skew_seconds: int, now: datetime
) -> list[Divergence]:
    """A success names a token of the target's environment that expires within its lifetime."""
    link = _link_of(payload)
    if link is None:
        return [_link_divergence("no-link", "the success body has no `link` object")]
    problems: list[Divergence] = []
    token = link.get("link_token")
    if token_environment(payload, target) is None:
        wanted = " or ".join(repr(prefix) for prefix in token_prefixes(target))
        message = f"`link.link_token` must start with {wanted} for this target, got {token!r}"
        problems.append(_link_divergence("prefix", message))
    raw = link.get("expiration")
    expiration = envelope.parse_rfc3339_utc(raw) if isinstance(raw, str) else None
    if expiration is None:
        message = f"`link.expiration` must be an RFC 3339 UTC timestamp, got {raw!r}"
        return [*problems, _link_divergence("expiration-format", message)]
    skew = timedelta(seconds=skew_seconds)
    if expiration <= now - skew:
        message = f"`link.expiration` {raw} is not in the future (now {envelope.iso(now)})"
        problems.append(_link_divergence("expiration-past", message))
    latest = now + timedelta(seconds=lifetime_seconds) + skew
    if expiration > latest:
        message = (
            f"`link.expiration` {raw} is later than now + {lifetime_seconds} s "
            f"(+{skew_seconds} s skew) = {envelope.iso(latest)}; "
            "adjust --token-lifetime if Plaid changed it"
        )
        problems.append(_link_divergence("expiration-late", message))
    return problems


def _link_divergence(cause: str, problem: str) -> Divergence:
    return Divergence(LINK_TOKEN, problem, "a link token of this target, valid now", cause=cause)


def _link_token_rows(target: Target, tallies: Counter[str]) -> list[tuple[str, str]]:
    """What the target's tokens may name, and what the successes' tokens named."""
    expected = " or ".join(f"`{prefix}`" for prefix in token_prefixes(target))
    seen = ", ".join(f"`link-{env}-` {count}" for env, count in sorted(tallies.items()))
    return [("Link tokens", f"expected {expected}; seen: {seen or 'none'}")]


SUCCESS: Final = Success(
    "plaid_link_token",
    CheckInfo(
        "a success carries a link token of the target's environment (`link-sandbox-...` for "
        "the Sandbox), expiring within the Link token lifetime",
        "seen, documented",
        LINK_TOKEN_DOC,
    ),
    link_token_problems,
    token_environment,
    _link_token_rows,
)

# --- its client tests: what they send and what they expect -------------------------------------

OPTIONAL_FIELDS: Final = (
    "user_id",
    "webhook",
    "redirect_uri",
    "android_package_name",
    "body_credentials",  # the run's own credentials, repeated in the body
    "plaid_version",  # the Plaid-Version header
)
ALL_COMBINATIONS: Final = tuple(
    frozenset(name for name, present in zip(OPTIONAL_FIELDS, mask, strict=True) if present)
    for mask in itertools.product((False, True), repeat=len(OPTIONAL_FIELDS))
)


def combination_id(present: frozenset[str]) -> str:
    return "+".join(name for name in OPTIONAL_FIELDS if name in present) or "required-only"


@st.composite
def valid_requests(
    draw: st.DrawFn, template_id: str, run_credentials: Credentials, present: frozenset[str]
) -> ValidRequest[SessionTokenCreateRequest]:
    """A valid request with the optional fields in ``present``."""
    user = SessionTokenCreateRequestUser(
        client_user_id=draw(non_empty_text),
        user_id=draw(non_empty_text) if "user_id" in present else UNSET,
    )
    with_body_credentials = "body_credentials" in present
    body = SessionTokenCreateRequest(
        template_id=template_id,
        user=user,
        client_id=run_credentials.client_id if with_body_credentials else UNSET,
        secret=run_credentials.secret if with_body_credentials else UNSET,
        webhook=draw(http_url) if "webhook" in present else UNSET,
        redirect_uri=draw(https_url) if "redirect_uri" in present else UNSET,
        android_package_name=draw(android_package) if "android_package_name" in present else UNSET,
    )
    return ValidRequest(body, "plaid_version" in present)


def any_valid_request(
    template_id: str, run_credentials: Credentials
) -> st.SearchStrategy[ValidRequest[SessionTokenCreateRequest]]:
    return st.sampled_from(ALL_COMBINATIONS).flatmap(
        lambda present: valid_requests(template_id, run_credentials, present)
    )


def unknown_template_ids(accepted: str) -> st.SearchStrategy[str]:
    return non_empty_text.filter(lambda value: value != accepted and value.strip() != "")


# The error each invalid request of the client tests must give, and the rule that says so.
CLIENT_EXPECTED_ERRORS: Final = {
    expected.case: expected
    for expected in (
        ExpectedError(
            "unknown_template",
            _UNKNOWN_TEMPLATE.error_type,
            _UNKNOWN_TEMPLATE.error_code,
            UNKNOWN_TEMPLATE,
        ),
        ExpectedError("wrong_credentials", "INVALID_INPUT", "INVALID_API_KEYS", WRONG_CREDENTIALS),
        ExpectedError(
            "malformed_client_id", "INVALID_REQUEST", "INVALID_FIELD", MALFORMED_CLIENT_ID
        ),
        ExpectedError(
            "missing_credentials", "INVALID_REQUEST", "MISSING_FIELDS", MISSING_CREDENTIALS
        ),
        ExpectedError(
            "empty_client_user_id", "INVALID_REQUEST", "INVALID_FIELD", EMPTY_CLIENT_USER_ID
        ),
    )
}


def _parse(response: httpx.Response) -> object:
    return parse_response(response, operation="session_token_create")


OPERATION: Final = Operation(
    name="session_token_create",
    method=METHOD,
    path=PATH,
    doc=ENDPOINT_DOC,
    fixtures=(TEMPLATE,),
    fields=FIELDS,
    body_rules=body_rules,
    when_valid=WHEN_VALID,
    prepare=prepare_body,
    success=SUCCESS,
    example="minimal",
    success_model=SessionTokenCreateResponse,
    parse=_parse,
)
