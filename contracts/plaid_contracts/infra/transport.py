"""HTTP plumbing shared by every request of a run: pacing, 429 back-off, recording.

Schemathesis sends through ``ContractSession`` (a requests.Session), the generated client
through ``ContractTransport`` (an httpx transport). Both pace with the same Throttle, retry a 429
after backing off (a 429 is the target protecting itself, not a contract answer), and record
every exchange, including the 429s they retried.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import httpx
import requests

from plaid_contracts.infra.throttle import BackoffPolicy, Throttle
from plaid_contracts.reports.recorder import Recorder


def text_headers(items: Iterable[tuple[str, str | bytes]]) -> list[tuple[str, str]]:
    """requests allows bytes header values; recorders and maskers work on text."""
    return [
        (name, value if isinstance(value, str) else value.decode("latin-1"))
        for name, value in items
    ]


class ContractSession(requests.Session):
    def __init__(
        self,
        throttle: Throttle,
        recorder: Recorder,
        backoff: BackoffPolicy,
        *,
        source: str = "schemathesis",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__()
        self.throttle = throttle
        self.recorder = recorder
        self.backoff = backoff
        self.source = source
        self._sleep = sleep
        self.retried_429 = 0

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        attempt = 0
        while True:
            self.throttle.wait()
            started = time.perf_counter()
            try:
                response = super().send(request, **kwargs)
                response.content  # noqa: B018 - read now, so the recording has the body
            except requests.RequestException as exc:
                self._record(request, None, started, note=f"no response: {type(exc).__name__}")
                raise
            exhausted = attempt >= self.backoff.max_retries
            retrying = response.status_code == 429 and not exhausted
            self._record(request, response, started, note="429, retried" if retrying else "")
            if not retrying:
                return response
            self.retried_429 += 1
            self._sleep(self.backoff.delay(attempt, response.headers.get("retry-after")))
            attempt += 1

    def _record(
        self,
        request: requests.PreparedRequest,
        response: requests.Response | None,
        started: float,
        note: str,
    ) -> None:
        interaction = self.recorder.record(
            source=self.source,
            method=request.method or "GET",
            url=request.url or "",
            request_headers=text_headers(request.headers.items()),
            request_body=request.body if isinstance(request.body, bytes | str) else None,
            status=None if response is None else response.status_code,
            response_headers=[] if response is None else list(response.headers.items()),
            response_body=None if response is None else response.content,
            elapsed_ms=(time.perf_counter() - started) * 1000,
            note=note,
        )
        # Lets a failure report point at its exchange in the cassette.
        request.plaid_interaction = interaction.number  # type: ignore[attr-defined]


class ContractTransport(httpx.BaseTransport):
    """Wraps a real httpx transport for the generated client."""

    def __init__(
        self,
        throttle: Throttle,
        recorder: Recorder,
        backoff: BackoffPolicy,
        *,
        inner: httpx.BaseTransport | None = None,
        source: str = "client",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.throttle = throttle
        self.recorder = recorder
        self.backoff = backoff
        self.source = source
        self._inner = inner or httpx.HTTPTransport()
        self._sleep = sleep
        self.retried_429 = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        attempt = 0
        body = request.read()
        while True:
            self.throttle.wait()
            started = time.perf_counter()
            try:
                response = self._inner.handle_request(request)
                content = response.read()
            except httpx.TransportError as exc:
                self._record(
                    request, body, None, b"", started, f"no response: {type(exc).__name__}"
                )
                raise
            exhausted = attempt >= self.backoff.max_retries
            retrying = response.status_code == 429 and not exhausted
            self._record(
                request, body, response, content, started, "429, retried" if retrying else ""
            )
            if not retrying:
                return httpx.Response(
                    status_code=response.status_code,
                    headers=response.headers,
                    content=content,
                    request=request,
                    extensions=response.extensions,
                )
            response.close()
            self.retried_429 += 1
            self._sleep(self.backoff.delay(attempt, response.headers.get("retry-after")))
            attempt += 1

    def _record(
        self,
        request: httpx.Request,
        body: bytes,
        response: httpx.Response | None,
        content: bytes,
        started: float,
        note: str,
    ) -> None:
        self.recorder.record(
            source=self.source,
            method=request.method,
            url=str(request.url),
            request_headers=list(request.headers.multi_items()),
            request_body=body,
            status=None if response is None else response.status_code,
            response_headers=[] if response is None else list(response.headers.multi_items()),
            response_body=content,
            elapsed_ms=(time.perf_counter() - started) * 1000,
            note=note,
        )

    def close(self) -> None:
        self._inner.close()
