"""The mutants: the offline sandbox with one realistic divergence each, written from Plaid's
behaviour (the sandbox's BEHAVIOUR.md, with its sources) and from what real servers and gateways get
wrong; and the compatible variants: servers that differ from the sandbox only where Plaid may differ
too, which the suite must let pass (with observations where an assumption is contradicted).

Every mutant composes the real app (``tests.mutation.asgi.mutate``); nothing edits the sandbox.
To add one: write its change below, add a ``Mutant`` to ``MUTANTS`` with the checks expected to
kill it (or, for a variant, the assumption tags it should be observed against), and run
``nox -s mutation -- --only NAME``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from plaid_contracts.infra.credentials import WRONG
from plaid_offline_sandbox import assumptions, catalogue
from plaid_offline_sandbox.app import create_app
from plaid_offline_sandbox.catalogue import PlaidErrorDef
from plaid_offline_sandbox.config import SandboxConfig
from plaid_offline_sandbox.credentials import is_well_formed
from plaid_offline_sandbox.endpoints.session_token_create import TOP_LEVEL_FIELDS, USER_FIELDS
from plaid_offline_sandbox.fields import string_message
from plaid_offline_sandbox.responses import error_response, format_expiration, new_request_id

from tests.mutation.asgi import AsgiApp, Exchange, Reply, mutate

Wrap = Callable[[AsgiApp, SandboxConfig], AsgiApp]

AUTH = "auth"
SUCCESS = "success shape and formats"
ENVELOPE = "error envelope"
VALIDATION = "validation"
STATUS = "status codes"
IDENTITY = "identity (request_id)"
SERVER = "server errors"
SLOW = "slowness"
DOCUMENTED_VALUES = "documented values"
COMPATIBLE = "compatible"


@dataclass(frozen=True)
class Mutant:
    name: str
    category: str
    what: str  # the divergence, and why a real Sandbox or a regression could show it
    wrap: Wrap
    # Mutants: the checks of which at least one must fail. Variants: the assumption tags the
    # run must observe (empty: none).
    expect: tuple[str, ...]
    ci: bool = False  # in the CI-sized subset (.ci/run)
    # Fixtures the run is not given (their environment variables): a target whose allow-list
    # the run does not know.
    unset: tuple[str, ...] = ()
    # The run's verdict it must get: failed (mutants), passed (variants); refused (stopped at
    # the preflight) or inconclusive (too unstable to judge) for targets no case can judge.
    verdict: str = ""
    # A variant whose trouble must be listed under Target instability (and never fail the run).
    unstable: bool = False
    options: tuple[str, ...] = ()  # run options of its own (e.g. a shorter --silence-limit)

    @property
    def compatible(self) -> bool:
        return self.category == COMPATIBLE

    @property
    def expected_verdict(self) -> str:
        return self.verdict or ("passed" if self.compatible else "failed")

    def app(self, config: SandboxConfig) -> AsgiApp:
        return self.wrap(create_app(config), config)


def _responses(change: Callable[[Exchange, Reply], None]) -> Wrap:
    return lambda app, config: mutate(app, response=change)


def _requests(change: Callable[[Exchange], None]) -> Wrap:
    return lambda app, config: mutate(app, request=change)


def _errors(change: Callable[[dict[str, Any], Reply], None]) -> Wrap:
    """Rewrite every Plaid error object the sandbox answers."""

    def rewrite(exchange: Exchange, answer: Reply) -> None:
        error = answer.error
        if error is not None:
            change(error, answer)
            answer.set_json(error)

    return _responses(rewrite)


def _success(change: Callable[[dict[str, Any], Reply], None]) -> Wrap:
    """Rewrite every success body the sandbox answers."""

    def rewrite(exchange: Exchange, answer: Reply) -> None:
        body = answer.json() if answer.status == 200 else None
        if isinstance(body, dict):
            change(body, answer)
            answer.set_json(body, pretty=False)

    return _responses(rewrite)


def _code(code: str) -> Callable[[Exchange, Reply], bool]:
    return lambda exchange, answer: (answer.error or {}).get("error_code") == code


def _answer_with(answer: Reply, error: PlaidErrorDef, **values: object) -> None:
    """Replace the answer with the sandbox's own answer for ``error``."""
    made = error_response(error, new_request_id(), values=values)
    answer.status = made.status
    answer.set_body(made.body)


def _pair(config: SandboxConfig) -> tuple[str, str]:
    return sorted(config.credentials)[0]


# --- auth --------------------------------------------------------------------------------------


def _status_of(code: str, status: int) -> Wrap:
    def rewrite(exchange: Exchange, answer: Reply) -> None:
        if _code(code)(exchange, answer):
            answer.status = status

    return _responses(rewrite)


def _missing_credentials_accepted(app: AsgiApp, config: SandboxConfig) -> AsgiApp:
    """A gateway that fills in default keys when a request carries none."""
    client_id, secret = _pair(config)

    def fill(exchange: Exchange) -> None:
        body = exchange.json()
        in_body = isinstance(body, dict) and ("client_id" in body or "secret" in body)
        if not in_body:
            exchange.headers.setdefault("plaid-client-id", client_id)
            exchange.headers.setdefault("plaid-secret", secret)

    return mutate(app, request=fill)


def _any_secret_accepted(app: AsgiApp, config: SandboxConfig) -> AsgiApp:
    """Only the client id is checked: any well-formed secret passes."""
    secrets = dict(config.credentials)

    def fix(exchange: Exchange) -> None:
        client_id = exchange.headers.get("plaid-client-id")
        if client_id in secrets and "plaid-secret" in exchange.headers:
            exchange.headers["plaid-secret"] = secrets[client_id]

    return mutate(app, request=fix)


def _malformed_client_id_as_api_keys(exchange: Exchange, answer: Reply) -> None:
    error = answer.error
    if error and error["error_code"] == "INVALID_FIELD" and "client_id" in error["error_message"]:
        error.update(
            error_type="INVALID_INPUT",
            error_code="INVALID_API_KEYS",
            error_message="invalid client_id or secret provided",
        )
        answer.set_json(error)


def _missing_credentials_as_invalid_field(exchange: Exchange, answer: Reply) -> None:
    error = answer.error
    if error and error["error_code"] == "MISSING_FIELDS" and "client_id" in error["error_message"]:
        error.update(
            error_code="INVALID_FIELD",
            error_message="client_id must be a properly formatted, non-empty string",
        )
        answer.set_json(error)


def _body_credentials_ignored(exchange: Exchange) -> None:
    body = exchange.json()
    if isinstance(body, dict) and ("client_id" in body or "secret" in body):
        body.pop("client_id", None)
        body.pop("secret", None)
        exchange.set_json(body)


# --- success shape and formats -----------------------------------------------------------------


def _expiration(offset: timedelta, *, suffix: str = "Z") -> Callable[[dict[str, Any], Reply], None]:
    def change(body: dict[str, Any], answer: Reply) -> None:
        moment = datetime.now(UTC) + offset
        body["link"]["expiration"] = moment.strftime("%Y-%m-%dT%H:%M:%S") + suffix

    return change


def _production_prefix(body: dict[str, Any], answer: Reply) -> None:
    body["link"]["link_token"] = body["link"]["link_token"].replace(
        "link-sandbox-", "link-production-"
    )


def _without_request_id(body: dict[str, Any], answer: Reply) -> None:
    del body["request_id"]


def _flattened(body: dict[str, Any], answer: Reply) -> None:
    # The shape of /link/token/create's answer, returned by a handler wired to the wrong model.
    body.update(body.pop("link"))


def _success_status(status: int) -> Wrap:
    def rewrite(exchange: Exchange, answer: Reply) -> None:
        if answer.status == 200:
            answer.status = status

    return _responses(rewrite)


def _success_as_text(exchange: Exchange, answer: Reply) -> None:
    if answer.status == 200:
        answer.set_body(answer.body, b"text/plain; charset=utf-8")


# --- error envelope ----------------------------------------------------------------------------


def _error_without_request_id(error: dict[str, Any], answer: Reply) -> None:
    del error["request_id"]


def _error_code_lowercase(error: dict[str, Any], answer: Reply) -> None:
    error["error_code"] = error["error_code"].lower()


def _type_and_code_swapped(error: dict[str, Any], answer: Reply) -> None:
    error["error_type"], error["error_code"] = error["error_code"], error["error_type"]


def _error_wrapped(exchange: Exchange, answer: Reply) -> None:
    error = answer.error
    if error is not None:
        answer.set_json({"error": error})


def _error_as_html(exchange: Exchange, answer: Reply) -> None:
    if 400 <= answer.status < 500:
        page = f"<html><body><h1>{answer.status} Bad Request</h1></body></html>".encode()
        answer.set_body(page, b"text/html")


# --- validation --------------------------------------------------------------------------------

# The sandbox's own field lists: a mutant changes what the sandbox does with them, not them.
KNOWN_TOP: Final = TOP_LEVEL_FIELDS
KNOWN_USER: Final = USER_FIELDS
OPTIONAL_STRINGS: Final = ("user_id", "webhook", "redirect_uri", "android_package_name")


def _drop_unknown(*, nested: bool) -> Callable[[Exchange], None]:
    def change(exchange: Exchange) -> None:
        body = exchange.json()
        if not isinstance(body, dict):
            return
        user = body.get("user")
        if nested and isinstance(user, dict):
            body["user"] = {k: v for k, v in user.items() if k in KNOWN_USER}
        elif not nested:
            body = {k: v for k, v in body.items() if k in KNOWN_TOP}
        exchange.set_json(body)

    return change


def _unknown_fields_without_path(error: dict[str, Any], answer: Reply) -> None:
    if error["error_code"] == "UNKNOWN_FIELDS":
        error["error_message"] = error["error_message"].replace("user.", "")


def _template_optional(app: AsgiApp, config: SandboxConfig) -> AsgiApp:
    """A default template when none is given (a Dashboard-wide default some APIs have)."""
    template = sorted(config.template_ids)[0]

    def fill(exchange: Exchange) -> None:
        body = exchange.json()
        if isinstance(body, dict) and body.get("template_id") is None:
            body["template_id"] = template
            exchange.set_json(body)

    return mutate(app, request=fill)


def _missing_fields_unnamed(error: dict[str, Any], answer: Reply) -> None:
    if error["error_code"] == "MISSING_FIELDS":
        error["error_message"] = "required fields are missing"


def _missing_as_invalid_field(error: dict[str, Any], answer: Reply) -> None:
    if error["error_code"] == "MISSING_FIELDS":
        error["error_code"] = "INVALID_FIELD"


def _coerce_scalars(exchange: Exchange) -> None:
    """Loose typing: numbers and booleans in string fields are turned into strings."""
    body = exchange.json()
    if not isinstance(body, dict):
        return

    def coerced(value: Any) -> Any:
        return json.dumps(value) if isinstance(value, int | float | bool) else value

    body = {key: coerced(value) for key, value in body.items()}
    if isinstance(body.get("user"), dict):
        body["user"] = {key: coerced(value) for key, value in body["user"].items()}
    exchange.set_json(body)


def _content_type_ignored(exchange: Exchange) -> None:
    exchange.headers["content-type"] = "application/json"


def _user_id_required(app: AsgiApp, config: SandboxConfig) -> AsgiApp:
    """An optional field treated as required (a schema marked the wrong property required)."""

    def answer(exchange: Exchange, result: Reply) -> None:
        body = exchange.json()
        user = body.get("user") if isinstance(body, dict) else None
        if result.status == 200 and isinstance(user, dict) and "user_id" not in user:
            _answer_with(result, catalogue.MISSING_FIELDS, fields="user.user_id")

    return mutate(app, response=answer)


# --- documented values -------------------------------------------------------------------------

# Each documented optional field, as the sandbox's INVALID_FIELD message names it.
REFUSAL_MESSAGES: Final = {
    path: assumptions.WEBHOOK_INVALID_MESSAGE if path == "webhook" else string_message(path)
    for path in ("user_id", "user.user_id", "webhook", "redirect_uri", "android_package_name")
}


def _value_at(body: Any, path: str) -> Any:
    head, _, tail = path.partition(".")
    value = body.get(head) if isinstance(body, dict) else None
    if tail:
        value = value.get(tail) if isinstance(value, dict) else None
    return value


def _refuses_fields(*paths: str) -> Wrap:
    """A validation rule that refuses the fields whatever their values (a regression, or a
    Sandbox that lost a field): every request that would succeed with one gets INVALID_FIELD."""

    def answer(exchange: Exchange, result: Reply) -> None:
        body = exchange.json()
        for path in paths:
            if result.status == 200 and _value_at(body, path) is not None:
                _answer_with(result, catalogue.INVALID_FIELD, detail=REFUSAL_MESSAGES[path])

    return _responses(answer)


def _refuses_allow_listed_redirect_uri(app: AsgiApp, config: SandboxConfig) -> AsgiApp:
    """A Dashboard that lost its redirect URIs: the allowed one is refused too, in Plaid's
    wording (which names no field)."""

    def answer(exchange: Exchange, result: Reply) -> None:
        value = _value_at(exchange.json(), "redirect_uri")
        if result.status == 200 and value in config.redirect_uris:
            _answer_with(result, catalogue.REDIRECT_URI_NOT_ALLOWED)

    return mutate(app, response=answer)


# --- status codes ------------------------------------------------------------------------------


def _validation_422(exchange: Exchange, answer: Reply) -> None:
    error = answer.error
    if error is not None and error["error_type"] == "INVALID_REQUEST" and answer.status == 400:
        answer.status = 422


def _methods_405(exchange: Exchange, answer: Reply) -> None:
    if exchange.method != "POST":
        answer.status = 405
        answer.set_body(b'{"detail":"Method Not Allowed"}', b"application/json")
        answer.headers.append((b"allow", b"POST"))


def _errors_200(exchange: Exchange, answer: Reply) -> None:
    if answer.error is not None:
        answer.status = 200


# --- identity ----------------------------------------------------------------------------------


def _constant_request_id(exchange: Exchange, answer: Reply) -> None:
    body = answer.json()
    if isinstance(body, dict) and "request_id" in body:
        body["request_id"] = "OUoAFhGrwHQbZ2O"
        answer.set_json(body, pretty=answer.status != 200)


def _request_id_reused(every: int) -> Callable[[Exchange, Reply], None]:
    """A response cache that sometimes serves the previous request_id again."""
    previous: list[str] = []

    def change(exchange: Exchange, answer: Reply) -> None:
        body = answer.json()
        if not isinstance(body, dict) or "request_id" not in body:
            return
        if previous and exchange.number % every == 0:
            body["request_id"] = previous[-1]
            answer.set_json(body, pretty=answer.status != 200)
        previous.append(body["request_id"])

    return change


def _short_request_ids(exchange: Exchange, answer: Reply) -> None:
    body = answer.json()
    if isinstance(body, dict) and isinstance(body.get("request_id"), str):
        body["request_id"] = body["request_id"][:5]  # the 2018 form
        answer.set_json(body, pretty=answer.status != 200)


# --- server errors -----------------------------------------------------------------------------


def _internal_error(answer: Reply) -> None:
    _answer_with(answer, catalogue.INTERNAL_SERVER_ERROR)


def _invalid_json_500(exchange: Exchange, answer: Reply) -> None:
    if _code("INVALID_BODY")(exchange, answer) and "parsed" in answer.error["error_message"]:  # type: ignore[index]
        _internal_error(answer)


def _non_ascii(value: Any) -> bool:
    if isinstance(value, str):
        return not value.isascii()
    if isinstance(value, dict):
        return any(_non_ascii(key) or _non_ascii(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_non_ascii(item) for item in value)
    return False


def _unicode_crash(exchange: Exchange, answer: Reply) -> None:
    if _non_ascii(exchange.json()):
        answer.status = 500
        answer.set_body(b"Internal Server Error", b"text/plain; charset=utf-8")


def _transient_500(every: int) -> Callable[[Exchange, Reply], None]:
    """One request in ``every`` answered 500 API_ERROR; its identical re-send is the next one."""

    def rewrite(exchange: Exchange, answer: Reply) -> None:
        if exchange.number % every == 0:
            _internal_error(answer)

    return rewrite


def _maintenance_window(start: int, seconds: float) -> Callable[[Exchange, Reply], None]:
    """From request ``start`` on, ``seconds`` of 503 PLANNED_MAINTENANCE with Retry-After: 1."""
    opened: list[float] = []

    def rewrite(exchange: Exchange, answer: Reply) -> None:
        now = time.monotonic()
        if exchange.number == start:
            opened.append(now)
        if opened and now - opened[0] < seconds:
            _answer_with(answer, catalogue.PLANNED_MAINTENANCE)
            answer.headers.append((b"retry-after", b"1"))

    return rewrite


def _rotated_keys(exchange: Exchange) -> None:
    """Keys rotated on the Dashboard: whatever the run sends, the target knows other ones."""
    rotated = {"plaid-client-id": WRONG.client_id, "plaid-secret": WRONG.secret}
    exchange.headers.update({name: rotated[name] for name in rotated if name in exchange.headers})


def _waits_for_a_body(exchange: Exchange) -> float:
    """A server that waits for a body that never comes: a POST without one stalls, every time."""
    return 8.0 if exchange.method == "POST" and not exchange.body else 0.0


def _drops_body_credentials(exchange: Exchange) -> bool:
    """A firewall rule that resets connections whose body mentions credentials."""
    return b'"secret"' in exchange.body or b'"client_id"' in exchange.body


# --- compatible variants -----------------------------------------------------------------------


def _extra_success_fields(body: dict[str, Any], answer: Reply) -> None:
    body["link"]["user_id"] = "usr_9nSp2KuZ2x4JDw"  # Plaid's spec has link.user_id since 1.637.2
    body["warnings"] = []


def _optional_error_fields(error: dict[str, Any], answer: Reply) -> None:
    error.update(
        display_message="Something went wrong. Please try again.",
        suggested_action="Check the request against the API reference.",
        error_code_reason="FIELD_REASON",
        causes=[],
        status=answer.status,
        required_account_subtypes=[],
        provided_account_subtypes=[],
    )


def _unknown_template_new_type(error: dict[str, Any], answer: Reply) -> None:
    if error["error_message"] == assumptions.UNKNOWN_TEMPLATE_MESSAGE:
        error.update(
            error_type="TEMPLATE_ERROR",
            error_code="TEMPLATE_NOT_FOUND",
            documentation_url="https://plaid.com/docs/?ref=error#template-errors",
        )


def _methods_400(exchange: Exchange, answer: Reply) -> None:
    error = answer.error
    if exchange.method != "POST" and error is not None:
        answer.status = 400  # plaid/plaid-java#123 (2018)
        error["error_message"] = f"invalid route: {exchange.path}"
        answer.set_json(error)


def _header_credentials_win(exchange: Exchange) -> None:
    """A11 the other way: a well-formed body copy that disagrees with the header is ignored."""
    body = exchange.json()
    if not isinstance(body, dict):
        return
    for name in ("client_id", "secret"):
        header = exchange.headers.get(f"plaid-{name.replace('_', '-')}")
        value = body.get(name)
        if header and isinstance(value, str) and value != header and is_well_formed(name, value):
            del body[name]
    exchange.set_json(body)


def _empty_optional_accepted(exchange: Exchange) -> None:
    body = exchange.json()
    if not isinstance(body, dict):
        return
    body = {k: v for k, v in body.items() if not (k in OPTIONAL_STRINGS and v == "")}
    user = body.get("user")
    if isinstance(user, dict) and user.get("user_id") == "":
        body["user"] = {k: v for k, v in user.items() if k != "user_id"}
    exchange.set_json(body)


def _null_as_invalid_field(exchange: Exchange, answer: Reply) -> None:
    body = exchange.json()
    if not isinstance(body, dict) or answer.status != 200:
        return
    user = body.get("user")
    nulls = [k for k in OPTIONAL_STRINGS if k in body and body[k] is None]
    if isinstance(user, dict) and "user_id" in user and user["user_id"] is None:
        nulls.append("user.user_id")
    if nulls:
        detail = f"{nulls[0]} must be a properly formatted, non-empty string"
        _answer_with(answer, catalogue.INVALID_FIELD, detail=detail)


def _compact_errors(exchange: Exchange, answer: Reply) -> None:
    error = answer.error
    if error is not None:
        answer.set_json(error, pretty=False)


def _short_lifetime(body: dict[str, Any], answer: Reply) -> None:
    body["link"]["expiration"] = format_expiration(datetime.now(UTC), 30 * 60)


def _sorted_unknown_fields(error: dict[str, Any], answer: Reply) -> None:
    if error["error_code"] == "UNKNOWN_FIELDS":
        head, _, fields = error["error_message"].partition(": ")
        error["error_message"] = f"{head}: {', '.join(sorted(fields.split(', ')))}"


def _every(n: int, seconds: float) -> Callable[[Exchange], float]:
    return lambda exchange: seconds if exchange.number % n == 0 else 0.0


MUTANTS: Final = (
    # auth
    Mutant(
        "refuses-credentials",
        AUTH,
        "keys rotated on the Dashboard: the run's credentials answered INVALID_API_KEYS; the run "
        "must stop at its preflight with one line, no case, no observation",
        _requests(_rotated_keys),
        ("preflight",),
        ci=True,
        verdict="refused",
    ),
    Mutant(
        "bad-credentials-401",
        AUTH,
        "wrong keys answered 401, as most APIs (and "
        "schemathesis' ignored_auth) expect; Plaid documents 400 INVALID_API_KEYS",
        _status_of("INVALID_API_KEYS", 401),
        ("plaid_auth_enforced", "client_expected_error"),
        ci=True,
    ),
    Mutant(
        "missing-credentials-accepted",
        AUTH,
        "a gateway fills in default keys when a request has none",
        _missing_credentials_accepted,
        ("plaid_auth_enforced", "client_expected_error"),
    ),
    Mutant(
        "any-secret-accepted",
        AUTH,
        "only the client id is checked",
        _any_secret_accepted,
        ("plaid_auth_enforced", "client_expected_error"),
    ),
    Mutant(
        "malformed-client-id-as-invalid-api-keys",
        AUTH,
        "a malformed client_id answered "
        "INVALID_API_KEYS; Plaid answers INVALID_FIELD (seen: plaid-ruby#163)",
        _responses(_malformed_client_id_as_api_keys),
        ("client_expected_error",),
    ),
    Mutant(
        "missing-credentials-as-invalid-field",
        AUTH,
        "no credentials answered INVALID_FIELD "
        "(one 2026 report; seen: MISSING_FIELDS in plaid/pattern#192)",
        _responses(_missing_credentials_as_invalid_field),
        ("plaid_auth_enforced", "client_expected_error"),
    ),
    Mutant(
        "body-credentials-ignored",
        AUTH,
        "credentials read from headers only; Plaid accepts them in the body too",
        _requests(_body_credentials_ignored),
        ("client_typed_success",),
    ),
    # success shape and formats
    Mutant(
        "production-token-prefix",
        SUCCESS,
        "a Sandbox issuing link-production- tokens",
        _success(_production_prefix),
        ("plaid_link_token", "client_typed_success"),
        ci=True,
    ),
    Mutant(
        "expiration-in-the-past",
        SUCCESS,
        "expiration computed in the wrong time zone (an hour ago)",
        _success(_expiration(timedelta(hours=-1))),
        ("plaid_link_token",),
    ),
    Mutant(
        "expiration-days-away",
        SUCCESS,
        "tokens that live 30 days, not Plaid's 4 h",
        _success(_expiration(timedelta(days=30))),
        ("plaid_link_token",),
    ),
    Mutant(
        "expiration-without-timezone",
        SUCCESS,
        "a naive local timestamp without Z",
        _success(_expiration(timedelta(hours=1), suffix="")),
        ("plaid_link_token", "response_schema_conformance"),
    ),
    Mutant(
        "success-without-request-id",
        SUCCESS,
        "request_id dropped from successes",
        _success(_without_request_id),
        ("response_schema_conformance",),
    ),
    Mutant(
        "link-token-at-top-level",
        SUCCESS,
        "the flat shape of /link/token/create's answer",
        _success(_flattened),
        ("response_schema_conformance", "plaid_link_token"),
    ),
    Mutant(
        "created-201",
        SUCCESS,
        "201 Created instead of 200",
        _success_status(201),
        ("response_schema_conformance", "generated_client_parses"),
    ),
    Mutant(
        "success-as-text-plain",
        SUCCESS,
        "successes served as text/plain",
        _responses(_success_as_text),
        ("content_type_conformance",),
    ),
    # error envelope
    Mutant(
        "error-without-request-id",
        ENVELOPE,
        "error bodies without request_id",
        _errors(_error_without_request_id),
        ("plaid_error_object",),
        ci=True,
    ),
    Mutant(
        "error-code-lowercase",
        ENVELOPE,
        "error codes in lower case",
        _errors(_error_code_lowercase),
        ("plaid_error_object",),
    ),
    Mutant(
        "error-type-and-code-swapped",
        ENVELOPE,
        "error_type and error_code swapped",
        _errors(_type_and_code_swapped),
        ("plaid_expected_answer",),
    ),
    Mutant(
        "error-wrapped",
        ENVELOPE,
        'errors wrapped in {"error": ...}',
        _responses(_error_wrapped),
        ("plaid_error_object", "response_schema_conformance"),
    ),
    Mutant(
        "error-as-html",
        ENVELOPE,
        "a proxy replacing 4xx bodies with an HTML page",
        _responses(_error_as_html),
        ("plaid_error_object", "content_type_conformance"),
    ),
    # validation
    Mutant(
        "unknown-fields-ignored",
        VALIDATION,
        "unknown top-level fields silently ignored",
        _requests(_drop_unknown(nested=False)),
        ("plaid_expected_answer",),
        ci=True,
    ),
    Mutant(
        "unknown-nested-fields-ignored",
        VALIDATION,
        "unknown fields inside user ignored",
        _requests(_drop_unknown(nested=True)),
        ("plaid_expected_answer",),
    ),
    Mutant(
        "unknown-fields-without-path",
        VALIDATION,
        "nested unknown fields named without their user. prefix",
        _errors(_unknown_fields_without_path),
        ("plaid_expected_answer",),
    ),
    Mutant(
        "template-id-optional",
        VALIDATION,
        "a body without template_id accepted",
        _template_optional,
        ("plaid_expected_answer",),
    ),
    Mutant(
        "missing-fields-unnamed",
        VALIDATION,
        "MISSING_FIELDS without the field names",
        _errors(_missing_fields_unnamed),
        ("plaid_expected_answer",),
    ),
    Mutant(
        "missing-as-invalid-field",
        VALIDATION,
        "missing fields answered INVALID_FIELD",
        _errors(_missing_as_invalid_field),
        ("plaid_expected_answer",),
    ),
    Mutant(
        "wrong-types-coerced",
        VALIDATION,
        "numbers and booleans accepted as strings",
        _requests(_coerce_scalars),
        ("plaid_expected_answer",),
    ),
    Mutant(
        "content-type-ignored",
        VALIDATION,
        "any Content-Type parsed as JSON",
        _requests(_content_type_ignored),
        ("plaid_expected_answer",),
    ),
    Mutant(
        "user-id-required",
        VALIDATION,
        "the optional user.user_id treated as required",
        _user_id_required,
        ("positive_data_acceptance", "plaid_expected_answer"),
    ),
    # status codes
    Mutant(
        "validation-422",
        STATUS,
        "validation errors answered 422",
        _responses(_validation_422),
        ("plaid_error_status", "negative_data_rejection"),
        ci=True,
    ),
    Mutant(
        "other-methods-405",
        STATUS,
        "a framework's default 405 + Allow for other methods",
        _responses(_methods_405),
        ("plaid_unsupported_method",),
    ),
    Mutant(
        "errors-200",
        STATUS,
        "errors sent with HTTP 200",
        _responses(_errors_200),
        ("plaid_expected_answer", "response_schema_conformance"),
    ),
    # identity
    Mutant(
        "constant-request-id",
        IDENTITY,
        "the same request_id on every answer",
        _responses(_constant_request_id),
        ("plaid_request_id_unique",),
        ci=True,
    ),
    Mutant(
        "request-id-reused-sometimes",
        IDENTITY,
        "a cache serving a previous request_id on every 25th answer",
        lambda app, config: mutate(app, response=_request_id_reused(25)),
        ("plaid_request_id_unique",),
    ),
    # server errors
    Mutant(
        "invalid-json-500",
        SERVER,
        "an unparsable body crashes the handler",
        _responses(_invalid_json_500),
        ("not_a_server_error",),
        ci=True,
    ),
    Mutant(
        "unicode-crash",
        SERVER,
        "a non-ASCII value crashes the handler",
        _responses(_unicode_crash),
        ("not_a_server_error",),
    ),
    Mutant(
        "goes-down",
        SERVER,
        "the target goes down for good after 60 requests (every connection reset): no case "
        "can be judged, the run must be inconclusive, never red nor green",
        lambda app, config: mutate(app, drop=lambda exchange: exchange.number > 60),
        ("plaid_answers",),
        ci=True,
        verdict="inconclusive",
        options=("--silence-limit", "2"),
    ),
    Mutant(
        "drops-body-credentials",
        SERVER,
        "a firewall resetting connections whose body mentions credentials",
        lambda app, config: mutate(app, drop=_drops_body_credentials),
        ("plaid_answers",),
    ),
    # slowness
    Mutant(
        "stalls",
        SLOW,
        "a POST without a body stalls beyond the run's request timeout, its re-sends too",
        lambda app, config: mutate(app, delay=_waits_for_a_body),
        ("plaid_answers",),
        ci=True,
    ),
    # documented values
    Mutant(
        "refuses-webhook",
        DOCUMENTED_VALUES,
        "every request carrying `webhook` refused with INVALID_FIELD, documented values included",
        _refuses_fields("webhook"),
        ("client_typed_success", "plaid_expected_answer", "positive_data_acceptance"),
        ci=True,
    ),
    Mutant(
        "refuses-redirect-uri",
        DOCUMENTED_VALUES,
        "every request carrying `redirect_uri` refused with INVALID_FIELD, documented "
        "values included",
        _refuses_fields("redirect_uri"),
        ("client_typed_success", "plaid_expected_answer", "positive_data_acceptance"),
        ci=True,  # the preflight must leave an allow-listed value to the cases
    ),
    Mutant(
        "refuses-android-package-name",
        DOCUMENTED_VALUES,
        "every request carrying `android_package_name` refused with INVALID_FIELD, documented "
        "values included",
        _refuses_fields("android_package_name"),
        ("client_typed_success", "plaid_expected_answer", "positive_data_acceptance"),
    ),
    Mutant(
        "refuses-allow-listed-redirect-uri",
        DOCUMENTED_VALUES,
        "the run's allow-listed redirect_uri (PLAID_REDIRECT_URI) refused in Plaid's wording, "
        "as a Dashboard that lost its list would",
        _refuses_allow_listed_redirect_uri,
        ("client_typed_success", "plaid_expected_answer", "positive_data_acceptance"),
    ),
    # compatible variants
    Mutant(
        "transient-500",
        COMPATIBLE,
        "one request in 40 answered 500 API_ERROR/INTERNAL_SERVER_ERROR, the identical next one "
        "succeeds (Plaid-side trouble: listed as instability, never a failure)",
        _responses(_transient_500(40)),
        (),
        ci=True,
        unstable=True,
    ),
    Mutant(
        "maintenance-window",
        COMPATIBLE,
        "a 1.2 s window of 503 API_ERROR/PLANNED_MAINTENANCE with Retry-After: 1 from the 100th "
        "request on",
        _responses(_maintenance_window(100, 1.2)),
        (),
        ci=True,
        unstable=True,
    ),
    Mutant(
        "resets-connections-sometimes",
        COMPATIBLE,
        "every 40th connection reset; the identical re-send gets an answer",
        lambda app, config: mutate(app, drop=lambda exchange: exchange.number % 40 == 0),
        (),
        unstable=True,
    ),
    Mutant(
        "extra-response-fields",
        COMPATIBLE,
        "successes with link.user_id and a new field",
        _success(_extra_success_fields),
        (),
        ci=True,
    ),
    Mutant(
        "optional-error-fields-filled",
        COMPATIBLE,
        "errors with display_message, suggested_action, causes, status... filled",
        _errors(_optional_error_fields),
        (),
        ci=True,
    ),
    Mutant(
        "new-error-type",
        COMPATIBLE,
        "an unknown template answered with a new error_type (TEMPLATE_ERROR)",
        _errors(_unknown_template_new_type),
        ("A10",),
        ci=True,
    ),
    Mutant(
        "latency-2s",
        COMPATIBLE,
        "every 60th request takes 2 s",
        lambda app, config: mutate(app, delay=_every(60, 2.0)),
        (),
        ci=True,
    ),
    Mutant(
        "other-methods-400",
        COMPATIBLE,
        'other methods answered 400 NOT_FOUND "invalid route", as in the 2018 record',
        _responses(_methods_400),
        ("A20",),
        ci=True,
    ),
    Mutant(
        "header-credentials-win",
        COMPATIBLE,
        "header credentials win over conflicting body ones",
        _requests(_header_credentials_win),
        ("A11",),
    ),
    Mutant(
        "empty-optional-strings-accepted",
        COMPATIBLE,
        "empty optional strings treated as absent",
        _requests(_empty_optional_accepted),
        ("A7",),
    ),
    Mutant(
        "null-is-invalid-field",
        COMPATIBLE,
        "null optional fields answered INVALID_FIELD",
        _responses(_null_as_invalid_field),
        ("A5",),
    ),
    Mutant(
        "short-request-ids",
        COMPATIBLE,
        "5-character request ids, as in 2018",
        _responses(_short_request_ids),
        ("A25",),
    ),
    Mutant("compact-errors", COMPATIBLE, "errors as compact JSON", _responses(_compact_errors), ()),
    Mutant(
        "token-lifetime-30m",
        COMPATIBLE,
        "tokens that expire after 30 minutes (one real Layer log)",
        _success(_short_lifetime),
        (),
    ),
    Mutant(
        "made-up-user-ids-refused",
        COMPATIBLE,
        "every request carrying a `user_id` or `user.user_id` refused with INVALID_FIELD, as "
        "Plaid may refuse an id /user/create never issued: the run cannot know a real one",
        _refuses_fields("user_id", "user.user_id"),
        ("A29",),
    ),
    Mutant(
        "redirect-allow-list-unknown-to-the-run",
        COMPATIBLE,
        "a redirect_uri outside the target's allow-list refused in Plaid's wording (no field "
        "named), the run not given PLAID_REDIRECT_URI: its values are only assumed acceptable",
        lambda app, config: app,
        ("untagged",),
        unset=("PLAID_REDIRECT_URI",),
    ),
    Mutant(
        "unknown-fields-sorted",
        COMPATIBLE,
        "unknown fields listed sorted, not in document order",
        _errors(_sorted_unknown_fields),
        (),
    ),
)
BY_NAME: Final = {mutant.name: mutant for mutant in MUTANTS}


def composed(*names: str) -> Callable[[SandboxConfig], AsgiApp]:
    """The real sandbox with several mutants' divergences at once (first name innermost)."""

    def make(config: SandboxConfig) -> AsgiApp:
        app: AsgiApp = create_app(config)
        for name in names:
            app = BY_NAME[name].wrap(app, config)
        return app

    return make
