"""Everything the contract suite knows about POST /session/token/create, and nothing else does.

* **Fixtures**: the run's template (``TEMPLATE``, from PLAID_TEMPLATE_ID), the values on its
  Dashboard allow-lists (``REDIRECT_URI``, ``ANDROID_PACKAGE_NAME``: optional), and how a case
  carries them (``prepare_body``): a schema-valid random template names one that does not exist,
  a random redirect URI one no allow-list has.
* **Its fields and their rules** (``FIELDS``, ``body_rules``), on top of what every Plaid
  endpoint follows (rules/every_operation.py): what Plaid answers to each way a body of this
  endpoint can be broken, with the strength of every rule, and for each field's accepted values
  which class they are in: its documented values (DOC: a refusal fails the run) or the edges of
  its format (ASSUMED: a refusal is an observation). Every rule names the values it covers.
* **What a success carries** (``link_token_problems``): a link token of the target's environment,
  expiring within the Link token lifetime; the check ``plaid_link_token``.
* **Its client tests' requests and answers** (``valid_requests``, ``CLIENT_EXPECTED_ERRORS``);
  the tests themselves are contracts/suite/test_session_token_create_client.py.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import urlsplit

import httpx
from hypothesis import strategies as st
from plaid_offline_sandbox import assumptions, catalogue
from plaid_offline_sandbox.config import (
    DEFAULT_ANDROID_PACKAGE_NAME,
    DEFAULT_REDIRECT_URI,
    DEFAULT_TEMPLATE_ID,
    ENV_ANDROID_PACKAGE_NAME,
    ENV_REDIRECT_URI,
)
from plaid_session_client import parse_response
from plaid_session_client.models import (
    SessionTokenCreateRequest,
    SessionTokenCreateRequestUser,
    SessionTokenCreateResponse,
)
from plaid_session_client.types import UNSET

from plaid_contracts.infra.credentials import Credentials
from plaid_contracts.infra.targets import Target
from plaid_contracts.operations import Fixture, Operation, Success
from plaid_contracts.rules import (
    SANDBOX_PACKAGE,
    Divergence,
    Rule,
    Strength,
    adopt_constant,
    envelope,
)
from plaid_contracts.rules.check_info import CheckInfo
from plaid_contracts.rules.classifier import ABSENT, Classifier
from plaid_contracts.rules.every_operation import (
    EMPTY_OPTIONAL,
    INVALID_REQUEST_DOC,
    MALFORMED_CLIENT_ID,
    MISSING_CREDENTIALS,
    NULL_MEANS_ABSENT,
    WRONG_CREDENTIALS,
    WRONG_TYPE,
)
from plaid_contracts.rules.expectations import (
    Documented,
    Fields,
    Format,
    StringField,
    WhenValid,
    invalid_field,
    plaid_error,
)
from plaid_contracts.rules.strategies import (
    ExpectedError,
    ValidRequest,
    android_package,
    documented_https_url,
    http_url,
    https_url,
    non_empty_text,
    plain_id,
)

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
REDIRECT_URI: Final = Fixture(
    "redirect_uri",
    ENV_REDIRECT_URI,  # the variable the sandbox reads its allow-list from too
    DEFAULT_REDIRECT_URI,
    "a redirect URI on the Dashboard's allow-list, which valid requests send (without it, the "
    "values sent are only assumed acceptable)",
    optional=True,
)
ANDROID_PACKAGE_NAME: Final = Fixture(
    "android_package_name",
    ENV_ANDROID_PACKAGE_NAME,
    DEFAULT_ANDROID_PACKAGE_NAME,
    "an Android package name on the Dashboard's allow-list, which valid requests send (without "
    "it, the values sent are only assumed acceptable)",
    optional=True,
)
ALLOW_LISTED: Final = (REDIRECT_URI, ANDROID_PACKAGE_NAME)

# The user a valid case gets when it has neither `user` nor `user_id` (spec: `user` is "required
# if a root-level user_id is not provided").
FIXTURE_USER: Final = {"client_user_id": "contract-user"}

_UNKNOWN_TEMPLATE: Final = catalogue.UNKNOWN_TEMPLATE

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
    covers="webhook values that are not an absolute http(s) URL with a host (refused)",
)
WEBHOOK_DOCUMENTED: Final = Rule(
    "webhook-documented",
    Strength.DOC,
    f"`webhook` is documented as the URL Plaid sends this session's webhooks to ({ENDPOINT_DOC}): "
    "an https URL on a real host is what it is for",
    covers="an https URL with a real host (a DNS name under a public top-level domain, no port "
    "or user info)",
)
WEBHOOK_EDGES: Final = Rule(
    "webhook-edges",
    Strength.ASSUMED,
    "any other absolute http(s) URL with a host is accepted (Plaid documents no rule on "
    "schemes, hosts or ports)",
    tag="A9",
    adopt=adopt_constant("WEBHOOK_SCHEMES", "`webhook`"),
    covers="the edges of the URL format: http, localhost, IP addresses, reserved or odd hosts, "
    "ports, user info",
)
CLIENT_USER_ID_DOCUMENTED: Final = Rule(
    "client-user-id-documented",
    Strength.DOC,
    f"`user.client_user_id` is documented as the end user's ID in your application "
    f"({ENDPOINT_DOC}): an identifier of letters, digits, `_`, `-` and `.` is one",
    covers="an identifier ([A-Za-z0-9][A-Za-z0-9_.-], at most 128 characters)",
)
FREE_TEXT_ACCEPTED: Final = Rule(
    "free-text-accepted",
    Strength.ASSUMED,
    "any non-empty client_user_id is accepted: Plaid documents no length or character limit "
    "here (128 characters only on /user/create)",
    tag="A26",
    adopt=f"add the limit to `{SANDBOX_ENDPOINT}` and replace the row "
    "'String lengths' of BEHAVIOUR.md ([A26])",
    covers="other non-empty strings: whitespace, non-ASCII, control characters, over 128 "
    "characters",
)
USER_ID_ACCEPTED: Final = Rule(
    "user-id-accepted",
    Strength.ASSUMED,
    "any non-empty user_id is accepted: no format (or existence) check is documented",
    tag="A29",
    adopt=f"model the check in `{SANDBOX_ENDPOINT}` and the rows "
    "'Root-level `user_id`' / '`user`' of BEHAVIOUR.md ([A29])",
    covers="other non-empty strings: whitespace, non-ASCII, control characters, over 128 "
    "characters",
)
ALLOW_LISTED_ACCEPTED: Final = Rule(
    "allow-listed-accepted",
    Strength.DOC,
    f"a value on the Dashboard's allow-list is accepted ({ENDPOINT_DOC}: redirect_uri must be "
    'on the allowed redirect URIs, android_package_name "must also be added to the Allowed '
    'Android package names")',
    covers="the run's allow-listed value",
)
NOT_ALLOW_LISTED: Final = Rule(
    "not-allow-listed",
    Strength.DOC,
    f"a value outside the Dashboard's allow-list is refused ({ENDPOINT_DOC})",
    covers="any other value, when the run is given the allow-listed one",
)
NOT_ALLOW_LISTED_ANSWER: Final = Rule(
    "not-allow-listed-answer",
    Strength.ASSUMED,
    "a value outside the allow-list is 400 INVALID_REQUEST/INVALID_FIELD, its message naming no "
    'field ("OAuth redirect URI must be configured in the developer dashboard")',
    tag="A31",
    adopt=adopt_constant(
        "REDIRECT_URI_NOT_ALLOWED_MESSAGE", "`redirect_uri`, `android_package_name`"
    ),
    covers="the answer to a value outside the allow-list",
)
ALLOW_LIST_UNKNOWN: Final = Rule(
    "allow-list-unknown",
    Strength.ASSUMED,
    "without the run's allow-listed value, any non-empty redirect_uri / android_package_name is "
    "taken to be on the target's allow-list",
    adopt="give the run the allow-listed value: PLAID_REDIRECT_URI / PLAID_ANDROID_PACKAGE_NAME "
    "(a refusal here is the target's allow-list, not a divergence)",
    covers="any non-empty value, when the run is not given the allow-listed one",
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


# A public top-level domain is letters only; these are reserved, never a real host's (RFC 2606,
# RFC 6761).
_RESERVED_TLDS: Final = frozenset({"example", "invalid", "local", "localhost", "test"})
_DNS_LABEL: Final = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_IDENTIFIER: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")


def _documented_webhook(value: str) -> bool:
    """An https URL on a real host: a DNS name under a public top-level domain, no port, no user
    info, nothing but printable ASCII."""
    if not (value.isascii() and value.isprintable()) or " " in value:
        return False
    try:
        parts = urlsplit(value)
        host, port = parts.hostname, parts.port
    except ValueError:
        return False
    if parts.scheme != "https" or host is None or port is not None or "@" in parts.netloc:
        return False
    labels = host.split(".")
    tld = labels[-1]
    return (
        len(labels) >= 2
        and tld.isalpha()
        and tld not in _RESERVED_TLDS
        and all(_DNS_LABEL.fullmatch(label) for label in labels)
    )


def _identifier(value: str) -> bool:
    return _IDENTIFIER.fullmatch(value) is not None


_STRING_FIELDS: Final = (
    StringField("template_id", True, WRONG_TYPE, None),
    # No documented value: Plaid's `user_id` is "a unique user identifier, created by
    # /user/create" (plaid-ruby's SessionTokenCreateRequest), which a run cannot know, so a
    # refusal of a made-up one stays an observation (A29).
    StringField("user_id", False, EMPTY_OPTIONAL, USER_ID_ACCEPTED),
    StringField(
        "webhook",
        False,
        EMPTY_OPTIONAL,
        WEBHOOK_EDGES,
        Format("webhook_not_a_url", WEBHOOK_FORMAT, _absolute_http_url),
        Documented(WEBHOOK_DOCUMENTED, _documented_webhook),
    ),
    # Their accepted values are the allow-lists' (``_allow_list_rule``).
    StringField("redirect_uri", False, EMPTY_OPTIONAL, None),
    StringField("android_package_name", False, EMPTY_OPTIONAL, None),
)
_USER_FIELDS: Final = (
    StringField(
        "user.client_user_id",
        True,
        WRONG_TYPE,
        FREE_TEXT_ACCEPTED,
        documented=Documented(CLIENT_USER_ID_DOCUMENTED, _identifier),
    ),
    StringField("user.user_id", False, EMPTY_OPTIONAL, USER_ID_ACCEPTED),  # as `user_id`
)
FIELDS: Final = Fields(
    top_level=frozenset({"user", *(spec.path for spec in _STRING_FIELDS)}),
    nested={"user": frozenset(spec.path.removeprefix("user.") for spec in _USER_FIELDS)},
)


def _allow_list_rule(classifier: Classifier, data: dict[str, Any], fixture: Fixture) -> None:
    """A field Plaid checks against a Dashboard allow-list: with the run's allowed value, that
    value is accepted (DOC) and any other refused (DOC); without it, any value is only assumed
    acceptable. Either way a refusal of it is known by its error: Plaid's wording names no
    field."""
    value = data.get(fixture.name)
    if not isinstance(value, str) or value == "":
        return  # absent, null, mistyped or empty: the string rules' (``string_rule``)
    allowed = classifier.fixtures.get(fixture.name)
    if allowed is None:
        classifier.accepted(fixture.name, ALLOW_LIST_UNKNOWN, value=value, unnamed=True)
    elif value == allowed:
        classifier.accepted(fixture.name, ALLOW_LISTED_ACCEPTED, value=value, unnamed=True)
    else:
        expected = plaid_error("INVALID_FIELD", None, NOT_ALLOW_LISTED_ANSWER)
        classifier.broken("not_allow_listed", fixture.name, NOT_ALLOW_LISTED, expected)


def body_rules(classifier: Classifier, data: dict[str, Any]) -> None:
    """This endpoint's rules on a JSON object body (after unknown fields and credentials)."""
    for spec in _STRING_FIELDS:
        classifier.string_rule(spec, data)
    for fixture in ALLOW_LISTED:
        _allow_list_rule(classifier, data, fixture)
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
      an invalid case then breaks only what it was generated to break. So does a schema-valid
      ``redirect_uri`` / ``android_package_name`` become the run's allow-listed value, when the
      run has one (the client tests send values outside the allow-lists).
    * A valid case with neither ``user`` nor ``user_id`` gets the fixture user (once the spec lets
      both be omitted, schemathesis may generate that).
    """
    prepared = dict(body)
    for fixture in (TEMPLATE, *ALLOW_LISTED):
        if _non_empty_string(prepared.get(fixture.name)) and fixture.name in fixtures:
            prepared[fixture.name] = fixtures[fixture.name]
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
        "SEEN, DOC",
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


# Each field's valid values: its documented ones first, then the edges of its format (which a
# real target may refuse: observations). Allow-listed fields send the run's value when it has one.
_IDENTIFIERS: Final = st.one_of(plain_id, non_empty_text)
_WEBHOOKS: Final = st.one_of(documented_https_url, http_url)


def _allow_listed(
    fixtures: Mapping[str, str], fixture: Fixture, otherwise: st.SearchStrategy[str]
) -> st.SearchStrategy[str]:
    allowed = fixtures.get(fixture.name)
    return otherwise if allowed is None else st.just(allowed)


@st.composite
def valid_requests(
    draw: st.DrawFn,
    fixtures: Mapping[str, str],
    run_credentials: Credentials,
    present: frozenset[str],
) -> ValidRequest[SessionTokenCreateRequest]:
    """A valid request with the optional fields in ``present`` (``fixtures``: by body field)."""
    user = SessionTokenCreateRequestUser(
        client_user_id=draw(_IDENTIFIERS),
        user_id=draw(_IDENTIFIERS) if "user_id" in present else UNSET,
    )
    with_body_credentials = "body_credentials" in present
    redirect_uris = _allow_listed(fixtures, REDIRECT_URI, https_url)
    packages = _allow_listed(fixtures, ANDROID_PACKAGE_NAME, android_package)
    body = SessionTokenCreateRequest(
        template_id=fixtures[TEMPLATE.name],
        user=user,
        client_id=run_credentials.client_id if with_body_credentials else UNSET,
        secret=run_credentials.secret if with_body_credentials else UNSET,
        webhook=draw(_WEBHOOKS) if "webhook" in present else UNSET,
        redirect_uri=draw(redirect_uris) if "redirect_uri" in present else UNSET,
        android_package_name=draw(packages) if "android_package_name" in present else UNSET,
    )
    return ValidRequest(body, "plaid_version" in present)


def any_valid_request(
    fixtures: Mapping[str, str], run_credentials: Credentials
) -> st.SearchStrategy[ValidRequest[SessionTokenCreateRequest]]:
    return st.sampled_from(ALL_COMBINATIONS).flatmap(
        lambda present: valid_requests(fixtures, run_credentials, present)
    )


@st.composite
def documented_value_requests(
    draw: st.DrawFn, fixtures: Mapping[str, str]
) -> dict[str, SessionTokenCreateRequest]:
    """One request per documented optional field, carrying only it, with a documented value
    (and a documented client_user_id): a refusal is a DOC failure naming the field. The
    allow-listed fields are among them only when the run has their allowed value."""

    def request(**fields: Any) -> SessionTokenCreateRequest:
        user_id = fields.pop("user.user_id", UNSET)
        user = SessionTokenCreateRequestUser(client_user_id=draw(plain_id), user_id=user_id)
        return SessionTokenCreateRequest(template_id=fixtures[TEMPLATE.name], user=user, **fields)

    requests = {
        "user_id": request(user_id=draw(plain_id)),
        "user.user_id": request(**{"user.user_id": draw(plain_id)}),
        "webhook": request(webhook=draw(documented_https_url)),
    }
    for fixture in ALLOW_LISTED:
        if fixture.name in fixtures:
            requests[fixture.name] = request(**{fixture.name: fixtures[fixture.name]})
    return requests


@st.composite
def outside_the_allow_lists(
    draw: st.DrawFn, fixtures: Mapping[str, str]
) -> dict[str, SessionTokenCreateRequest]:
    """Per allow-listed field the run has the allowed value of, a request carrying another
    (well-formed) one: Plaid refuses it for not being on the list."""
    others = {REDIRECT_URI.name: documented_https_url, ANDROID_PACKAGE_NAME.name: android_package}
    requests = {}
    for fixture in ALLOW_LISTED:
        allowed = fixtures.get(fixture.name)
        if allowed is None:
            continue
        value = draw(others[fixture.name].filter(_other_than(allowed)))
        requests[fixture.name] = SessionTokenCreateRequest(
            template_id=fixtures[TEMPLATE.name],
            user=SessionTokenCreateRequestUser(client_user_id="contract-allow-list"),
            **{fixture.name: value},
        )
    return requests


def _other_than(allowed: str) -> Callable[[str], bool]:
    return lambda value: value != allowed


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
        ExpectedError("not_allow_listed", "INVALID_REQUEST", "INVALID_FIELD", NOT_ALLOW_LISTED),
    )
}


def _parse(response: httpx.Response) -> object:
    return parse_response(response, operation="session_token_create")


OPERATION: Final = Operation(
    name="session_token_create",
    method=METHOD,
    path=PATH,
    doc=ENDPOINT_DOC,
    fixtures=(TEMPLATE, REDIRECT_URI, ANDROID_PACKAGE_NAME),
    fields=FIELDS,
    body_rules=body_rules,
    when_valid=WHEN_VALID,
    prepare=prepare_body,
    success=SUCCESS,
    example="minimal",
    success_model=SessionTokenCreateResponse,
    parse=_parse,
)
