"""HTTP plumbing shared by every request of a run: pacing, 429 back-off, re-sends, recording.

Schemathesis sends through ``ContractSession`` (a requests.Session: ``case.call_and_validate``
hands it the prepared request, and its answer is what the checks see), the generated client
through ``ContractTransport`` (an httpx transport). Both go through one ``Pacer``: it paces with
the run's Throttle, retries a 429 after backing off (a 429 is the target protecting itself, not a
contract answer), re-sends an answer that may be the target's own trouble (instability.py), and
records every exchange, including the attempts it retried or re-sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx
import requests

from plaid_contracts.infra.instability import (
    RESENT_NOTE,
    Attempt,
    Instability,
    answer_class,
    attempt_of,
    is_trouble,
)
from plaid_contracts.infra.throttle import BackoffPolicy, Throttle
from plaid_contracts.recording.recorder import Interaction, Recorder

Native = TypeVar("Native")  # the HTTP library's response


def text_headers(items: Iterable[tuple[str, str | bytes]]) -> list[tuple[str, str]]:
    """requests allows bytes header values; recorders and maskers work on text."""
    return [
        (name, value if isinstance(value, str) else value.decode("latin-1"))
        for name, value in items
    ]


def request_body(request: requests.PreparedRequest) -> bytes | str | None:
    """A prepared request's body as it was sent, when it has one (not a stream)."""
    body = request.body
    return body if isinstance(body, bytes | str) else None


@dataclass(frozen=True)
class Sent:
    """A request as it is recorded."""

    method: str
    url: str
    headers: list[tuple[str, str]]
    body: bytes | str | None


@dataclass(frozen=True)
class Received(Generic[Native]):
    """One attempt's answer: the library's response and what is recorded of it."""

    native: Native
    status: int
    headers: list[tuple[str, str]]
    content: bytes


class Pacer:
    """Throttle, send, record; retry a 429 after backing off, re-send an answer that may be the
    target's own trouble (instability.py), whatever sends the request."""

    def __init__(
        self,
        throttle: Throttle,
        recorder: Recorder,
        backoff: BackoffPolicy,
        *,
        source: str,
        instability: Instability | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.throttle = throttle
        self.recorder = recorder
        self.backoff = backoff
        self.source = source
        self.instability = instability or Instability()
        self._sleep = sleep
        self.retried_429 = 0

    def send(
        self,
        sent: Sent,
        attempt: Callable[[], Received[Native]],
        *,
        no_answer: type[Exception] | tuple[type[Exception], ...],
        not_sent: Callable[[str], Exception],
        discard: Callable[[Native], None] = lambda native: None,
    ) -> tuple[Received[Native], Interaction]:
        """The answer to judge and its recording: a 429 only once retries are exhausted, a
        possible trouble only once its re-sends are (every attempt is recorded and paced).

        Once the run is too unstable to go on (``Instability.stopped``), a new request is not
        sent: ``not_sent`` makes the no-answer error its caller expects."""
        if self.instability.stopped:
            raise not_sent(f"not sent: {self.instability.stopped}")
        retried_429 = 0
        resent: list[Attempt] = []
        while True:
            self.throttle.wait()
            started = time.perf_counter()
            try:
                received = attempt()
            except no_answer as exc:
                failure = type(exc).__name__
                self.instability.attempted(trouble=True)
                if self._may_resend(resent):
                    interaction = self._record(
                        sent, None, started, f"no response: {failure}, re-sent"
                    )
                    resent.append(attempt_of(None, b"", failure, interaction.number, self.source))
                    self._sleep(self.backoff.resend_delay(len(resent) - 1, None))
                    continue
                self._record(sent, None, started, f"no response: {failure}")
                self.instability.finished(resent, answer_class(None))
                raise
            retry_after = dict((k.lower(), v) for k, v in received.headers).get("retry-after")
            if received.status == 429 and retried_429 < self.backoff.max_retries:
                self._record(sent, received, started, "429, retried")
                discard(received.native)
                self.retried_429 += 1
                self._sleep(self.backoff.delay(retried_429, retry_after))
                retried_429 += 1
                continue
            trouble = is_trouble(received.status, received.content)
            self.instability.attempted(trouble)
            if trouble and self._may_resend(resent):
                interaction = self._record(sent, received, started, RESENT_NOTE)
                resent.append(
                    attempt_of(
                        received.status, received.content, "", interaction.number, self.source
                    )
                )
                discard(received.native)
                self._sleep(self.backoff.resend_delay(len(resent) - 1, retry_after))
                continue
            interaction = self._record(sent, received, started, "")
            self.instability.finished(resent, answer_class(received.status, received.content))
            return received, interaction

    def _may_resend(self, resent: list[Attempt]) -> bool:
        return len(resent) < self.backoff.max_resends and not self.instability.stopped

    def _record(
        self, sent: Sent, received: Received[Any] | None, started: float, note: str
    ) -> Interaction:
        return self.recorder.record(
            source=self.source,
            method=sent.method,
            url=sent.url,
            request_headers=sent.headers,
            request_body=sent.body,
            status=None if received is None else received.status,
            response_headers=[] if received is None else received.headers,
            response_body=None if received is None else received.content,
            elapsed_ms=(time.perf_counter() - started) * 1000,
            note=note,
        )


class ContractSession(requests.Session):
    def __init__(
        self,
        throttle: Throttle,
        recorder: Recorder,
        backoff: BackoffPolicy,
        *,
        source: str = "schemathesis",
        instability: Instability | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__()
        self.pacer = Pacer(
            throttle, recorder, backoff, source=source, instability=instability, sleep=sleep
        )

    @property
    def retried_429(self) -> int:
        return self.pacer.retried_429

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        body = request.body if isinstance(request.body, bytes | str) else None
        sent = Sent(
            request.method or "GET", request.url or "", text_headers(request.headers.items()), body
        )

        def attempt() -> Received[requests.Response]:
            response = super(ContractSession, self).send(request, **kwargs)
            # .content reads the body now, so the recording has it.
            return Received(
                response, response.status_code, list(response.headers.items()), response.content
            )

        received, interaction = self.pacer.send(
            sent,
            attempt,
            no_answer=requests.RequestException,
            not_sent=lambda why: requests.ConnectionError(why, request=request),
        )
        # Lets a failure report point at its exchange in the cassette.
        request.plaid_interaction = interaction.number  # type: ignore[attr-defined]
        return received.native


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
        instability: Instability | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.pacer = Pacer(
            throttle, recorder, backoff, source=source, instability=instability, sleep=sleep
        )
        self._inner = inner or httpx.HTTPTransport()

    @property
    def retried_429(self) -> int:
        return self.pacer.retried_429

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        sent = Sent(
            request.method, str(request.url), list(request.headers.multi_items()), request.read()
        )

        def attempt() -> Received[httpx.Response]:
            response = self._inner.handle_request(request)
            content = response.read()
            return Received(
                response, response.status_code, list(response.headers.multi_items()), content
            )

        received, _ = self.pacer.send(
            sent,
            attempt,
            no_answer=httpx.TransportError,
            not_sent=lambda why: httpx.ConnectError(why, request=request),
            discard=httpx.Response.close,
        )
        response = received.native
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            content=received.content,
            request=request,
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._inner.close()
