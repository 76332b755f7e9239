"""The requests ``plaid_auth_enforced`` derives from a valid success to see credentials checked as
Plaid checks them: without credentials, with a wrong secret, with another pair in the body (A11).
Each is sent once per operation, on the run's probe session, and judged like every other request.
"""

from __future__ import annotations

import json
from typing import ClassVar, Final

import requests

from plaid_contracts.infra import credentials
from plaid_contracts.runtime.context import current
from plaid_contracts.runtime.transport import request_body


class _Probe:
    """One request derived from a success, sent once per operation, judged like every other."""

    what: ClassVar[str]

    def build(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        raise NotImplementedError


class _NoCredentials(_Probe):
    what = "no credentials"

    def build(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        probe = request.copy()
        for name in credentials.HEADERS.values():
            probe.headers.pop(name, None)
        return probe


class _WrongSecret(_Probe):
    what = "wrong secret"

    def build(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        probe = request.copy()
        probe.headers[credentials.HEADERS["secret"]] = credentials.WRONG.secret
        return probe


class _ConflictingBodyCredentials(_Probe):
    """The run's credentials in the headers, another well-formed pair in the body (A11)."""

    what = "header and body credentials disagree"

    def build(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        probe = request.copy()
        body = json.loads(request_body(request) or "{}")
        body.update({"client_id": credentials.WRONG.client_id, "secret": credentials.WRONG.secret})
        probe.prepare_body(data=None, files=None, json=body)
        return probe


PROBES: Final = (_NoCredentials(), _WrongSecret(), _ConflictingBodyCredentials())


def send(request: requests.PreparedRequest, what: str) -> requests.Response:
    """Send a probe on the run's probe session, the recorder naming it as the phase."""
    context = current()
    context.recorder.current_phase = f"probe: {what}"
    return context.probe_session.send(request, timeout=context.settings.request_timeout_seconds)
