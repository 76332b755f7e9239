"""Preflight: before the first case, one valid request per operation with the run's credentials
and fixtures.

Credentials or a fixture the target does not know would turn every case into a false failure and
every refusal into a false lesson (an observation that would feed ``parity``): a nightly given a
stale secret reported 1,284 cases and 6 distinct failures instead of one line. A refusal naming
them stops the run here, before any case, with one line saying which (exit 2). Any other answer
is for the checks to judge: the run goes on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

import requests

from plaid_contracts.infra.credentials import BODY_KEYS, ENV_CLIENT_ID, ENV_SECRET
from plaid_contracts.operations import Operation
from plaid_contracts.runtime.context import RunContext

PHASE: Final = "preflight"
# Plaid's answer to credentials it does not know (DOC: errors/invalid-input#invalid_api_keys).
INVALID_API_KEYS: Final = "INVALID_API_KEYS"


class PreflightRefused(Exception):
    """The target refused the run's credentials or a fixture; the message is the one line."""


class PreflightNoAnswer(Exception):
    """The preflight request got no answer, re-sends included: there is nothing to judge."""


def body(operation: Operation, run: RunContext) -> dict[str, Any]:
    """The smallest valid request of the operation: its required fixtures, and what a valid case
    gets. An allow-listed value (an optional fixture) is left out: its refusal is a DOC failure
    for the cases to find, not a usage error to stop on."""
    required = {f.env for f in operation.fixtures if not f.optional}
    fixtures = {env: value for env, value in run.settings.fixtures.items() if env in required}
    return operation.body_to_send(operation.fixture_values(fixtures), fixtures, True)


def check(run: RunContext, operations: Iterable[Operation]) -> None:
    """Send each operation's preflight request; raises PreflightRefused or PreflightNoAnswer."""
    settings = run.settings
    run.recorder.current_test = PHASE
    run.recorder.current_phase = PHASE
    headers = {**settings.credentials.headers(), "Content-Type": "application/json"}
    for operation in operations:
        request = requests.Request(
            operation.method,
            settings.target.base_url.rstrip("/") + operation.path,
            headers=headers,
            data=json.dumps(body(operation, run)),
        ).prepare()
        try:
            response = run.probe_session.send(request, timeout=settings.request_timeout_seconds)
        except requests.RequestException as exc:
            raise PreflightNoAnswer(
                f"no answer to the preflight request of `{operation.label}` "
                f"({type(exc).__name__}, re-sends included)"
            ) from None
        line = refusal(operation, settings.fixtures, response.status_code, response.content)
        if line is not None:
            raise PreflightRefused(run.recorder.masker.text(line))


def refusal(
    operation: Operation, fixtures: Mapping[str, str], status: int, content: bytes
) -> str | None:
    """The line naming what the target refused, or None when the answer is no such refusal.

    Recognised by the error, not by a field list: INVALID_API_KEYS, or a client error whose
    message names a credential or one of the operation's required fixtures (its field or its
    value).
    """
    error = _plaid_error(content)
    if error is None or not 400 <= status < 500:
        return None
    code = str(error.get("error_code", ""))
    message = str(error.get("error_message", ""))
    answered = f"{status} {error.get('error_type', '?')}/{code}: {message}"
    if code == INVALID_API_KEYS or any(key in message for key in BODY_KEYS):
        return f"{ENV_CLIENT_ID}/{ENV_SECRET} refused by the target ({answered})"
    for fixture in (f for f in operation.fixtures if not f.optional):
        value = fixtures.get(fixture.env, "")
        if fixture.name in message or (value and value in message):
            return f"{fixture.env} refused by the target ({answered})"
    return None


def _plaid_error(content: bytes) -> dict[str, Any] | None:
    try:
        decoded = json.loads(content)
    except ValueError:
        return None
    return decoded if isinstance(decoded, dict) and "error_code" in decoded else None
