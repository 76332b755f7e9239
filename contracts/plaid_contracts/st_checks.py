"""Our checks, registered with schemathesis (importing this module registers them).

Each runs on every response schemathesis receives, next to the built-in checks, and reads the
run's settings from plaid_contracts.settings.current().
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import requests
import schemathesis
from schemathesis import Case, CheckContext, Response
from schemathesis.generation.meta import CoveragePhaseData, CoverageScenario

from plaid_contracts import checks, client_contract
from plaid_contracts.settings import current

CUSTOM_CHECK_NAMES = (
    "plaid_error_object",
    "plaid_link_token",
    "plaid_request_id_format",
    "generated_client_parses",
    "plaid_auth_enforced",
    "plaid_unsupported_method",
)


def _fail(problems: list[str]) -> None:
    if problems:
        raise AssertionError("\n".join(problems))


def _headers(response: Response) -> list[tuple[str, str]]:
    return [(name, value) for name, values in response.headers.items() for value in values]


@schemathesis.check
def plaid_error_object(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Every non-2xx body is a PlaidError: request_id, UPPER_SNAKE error_type/error_code."""
    _fail(checks.plaid_error_problems(response.status_code, response.content))
    return None


@schemathesis.check
def plaid_link_token(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """A success carries a link token of the target's environment, expiring within its lifetime."""
    context = current()
    settings = context.settings
    if 200 <= response.status_code < 300:
        ok, body = checks.decode_json(response.content)
        link = body.get("link") if ok and isinstance(body, dict) else None
        token = link.get("link_token") if isinstance(link, dict) else None
        environment = settings.link_token_environment(token)
        if environment is not None:
            context.stats.count_link_token(environment)
    _fail(
        checks.link_token_problems(
            response.status_code,
            response.content,
            prefixes=settings.link_token_prefixes,
            lifetime_seconds=settings.token_lifetime_seconds,
            skew_seconds=settings.clock_skew_seconds,
            now=datetime.now(UTC),
        )
    )
    return None


@schemathesis.check
def plaid_request_id_format(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """request_id is 15 alphanumerics (an observed format Plaid may change)."""
    _fail(checks.request_id_problems(response.content))
    return None


def client_parse_problems(
    status: int, headers: list[tuple[str, str]], content: bytes, method: str, url: str
) -> list[str]:
    """The generated client turns the response into the success model or the right typed error."""
    outcome = client_contract.parse(
        client_contract.as_httpx_response(status, headers, content, method, url)
    )
    if outcome.kind == "crash":
        return [f"the generated client's parse_response raised: {outcome.detail}"]
    if status == 200:
        if outcome.kind != "success":
            return [
                f"the generated client did not parse a 200 into the success model: {outcome.detail}"
            ]
        return []
    if 200 <= status < 300:
        return [f"status {status} is not in the spec; the client made it {outcome.kind}"]
    ok, body = checks.decode_json(content)
    if ok and isinstance(body, dict) and not checks.plaid_error_problems(status, content):
        expected = (body["error_type"], body["error_code"])
        if outcome.kind != "plaid_error":
            got = f"{outcome.kind} {outcome.detail}"
            return [f"the client did not read the Plaid error {expected}: got {got}"]
        if (outcome.error_type, outcome.error_code) != expected:
            read = (outcome.error_type, outcome.error_code)
            return [f"the client read {read}, the body says {expected}"]
        wanted = client_contract.expected_error_class(str(body["error_type"]))
        if type(outcome.result) is not wanted:
            got = type(outcome.result).__name__
            should = f"error_type {body['error_type']} should give {wanted.__name__}"
            return [f"{should}, the client gave {got}"]
        return []
    # Not a Plaid error object: the client must still return its typed "unexpected" error.
    if outcome.kind != "unexpected":
        return [f"a non-Plaid error body should give UnexpectedResponseError, got {outcome.kind}"]
    return []


@schemathesis.check
def generated_client_parses(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """The client side of the contract, on the very response the server side was checked on."""
    request = response.request
    _fail(
        client_parse_problems(
            response.status_code,
            _headers(response),
            response.content,
            request.method or "POST",
            request.url or "",
        )
    )
    return None


CREDENTIAL_HEADERS = ("PLAID-CLIENT-ID", "PLAID-SECRET")
# Well-formed (30 lowercase hex, like Plaid's secrets) and wrong: a malformed one would be
# INVALID_FIELD, not the INVALID_API_KEYS this probe is about.
WRONG_SECRET = "0bad5ec2e70bad5ec2e70bad5ec2e7"
# Plaid answers a route it does not serve with NOT_FOUND: 404 per its docs, 400 in the one real
# answer to a wrong method on record (plaid/plaid-java#123). Both are Plaid's.
UNSUPPORTED_METHOD_STATUSES = (404, 400)


def _probe(request: requests.PreparedRequest, what: str) -> requests.Response:
    context = current()
    context.recorder.current_phase = f"probe: {what}"
    return context.probe_session.send(request, timeout=30)


def _expect_error(
    response: requests.Response, status: int, error_type: str, error_code: str, what: str
) -> list[str]:
    ok, body = checks.decode_json(response.content)
    got = (
        response.status_code,
        body.get("error_type") if ok and isinstance(body, dict) else None,
        body.get("error_code") if ok and isinstance(body, dict) else None,
    )
    if got != (status, error_type, error_code):
        return [
            f"{what}: expected {status} {error_type}/{error_code}, got {got[0]} {got[1]}/{got[2]}"
        ]
    return []


@schemathesis.check
def plaid_auth_enforced(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Replaces schemathesis' ignored_auth (which expects 401/403) with Plaid's answers.

    Once per run, on the first success: the same request without credentials must give
    400 INVALID_REQUEST/MISSING_FIELDS, and with a wrong secret 400 INVALID_INPUT/INVALID_API_KEYS.
    """
    if not 200 <= response.status_code < 300:
        return None
    context = current()
    with context.auth_probe_lock:  # the flag lives on the run's context, not in this module
        if context.auth_probed:
            return None
        context.auth_probed = True
    phase = context.recorder.current_phase
    try:
        without = response.request.copy()
        for name in CREDENTIAL_HEADERS:
            without.headers.pop(name, None)
        problems = _expect_error(
            _probe(without, "no credentials"),
            400,
            "INVALID_REQUEST",
            "MISSING_FIELDS",
            "without credentials",
        )
        wrong = response.request.copy()
        wrong.headers["PLAID-SECRET"] = WRONG_SECRET
        problems += _expect_error(
            _probe(wrong, "wrong secret"),
            400,
            "INVALID_INPUT",
            "INVALID_API_KEYS",
            "with a wrong secret",
        )
    finally:
        context.recorder.current_phase = phase
    _fail(problems)
    return None


@schemathesis.check
def plaid_unsupported_method(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Replaces schemathesis' unsupported_method (which expects 405 + Allow) with Plaid's answer.

    A method the spec does not declare is a route Plaid does not serve: INVALID_REQUEST /
    NOT_FOUND (HEAD answers carry no body, so only their status is checked).
    """
    meta = case.meta
    data = meta.phase.data if meta is not None else None
    if not (
        isinstance(data, CoveragePhaseData)
        and data.scenario == CoverageScenario.UNSPECIFIED_HTTP_METHOD
    ):
        return None
    method = response.request.method or "?"
    problems: list[str] = []
    if response.status_code not in UNSUPPORTED_METHOD_STATUSES:
        problems.append(
            f"{method} answered {response.status_code}; Plaid answers a route it does not serve "
            "with NOT_FOUND (HTTP 404 documented, 400 seen)"
        )
    if method != "HEAD":
        ok, body = checks.decode_json(response.content)
        code = None
        if ok and isinstance(body, dict):
            code = (body.get("error_type"), body.get("error_code"))
        if code != ("INVALID_REQUEST", "NOT_FOUND"):
            problems.append(f"{method} answered {code}, expected INVALID_REQUEST/NOT_FOUND")
    _fail(problems)
    return None
