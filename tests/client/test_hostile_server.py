"""The generated client against a hostile server, byte by byte, blocking and asyncio alike.

Every scenario runs in both modes with canary credentials in Plaid's format and asserts what a
user would check: the exact outcome type, how many requests the server saw, that the call ended
within a (generous) bound, and that no piece of a canary is in the outcome (text, args, repr,
traceback, attributes, headers, body, model) or in any log record, httpx's and httpcore's DEBUG
records included. The server is tests/client/hostile_server.py.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import gzip
import json
import logging
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
import plaid_session_client as plaid
import pytest
from plaid_session_client.models import (
    SessionTokenCreateRequest,
    SessionTokenCreateRequestUser,
    SessionTokenCreateResponse,
)

from tests.client.conftest import SUCCESS_BODY, plaid_error_body
from tests.client.hostile_server import (
    JSON_HEADERS,
    Behaviour,
    HostileServer,
    Peer,
    Received,
    drip,
    from_request,
    hang,
    in_turn,
    raw,
    reply,
    reply_gzip,
    reply_json,
    response_bytes,
)

# Plaid's formats: a 24-hex client id and a 30-hex secret.
CANARY_CLIENT_ID = "7c3f9a1e5b2d8c4f6a0e1b3d"
CANARY_SECRET = "e4b8d2f6a0c9e7b5d3f1a8c6e2b4d0"
# Any run of this many characters of a canary counts as a leak (a cut-off secret is one too).
PIECE = 10
CANARY_PIECES = frozenset(
    canary[start : start + PIECE]
    for canary in (CANARY_CLIENT_ID, CANARY_SECRET)
    for start in range(len(canary) - PIECE + 1)
)
NOW = 1_700_000_000.0
MiB = 1024 * 1024
Mode = Literal["sync", "async"]

REQUEST = SessionTokenCreateRequest(
    template_id="template_4uinBNe4B2x9",
    user=SessionTokenCreateRequestUser(client_user_id="user-8d0e7a52"),
)


def success(**link: object) -> dict[str, Any]:
    """Plaid's success body, with `link` fields changed (a None value removes the field)."""
    body: dict[str, Any] = json.loads(json.dumps(SUCCESS_BODY))
    for name, value in link.items():
        if value is None:
            del body["link"][name]
        else:
            body["link"][name] = value
    return body


def with_top(**fields: object) -> dict[str, Any]:
    return {**success(), **fields}


OK = reply_json(200, success())
INVALID_REQUEST = reply_json(400, plaid_error_body())
RATE_LIMITED = plaid_error_body("RATE_LIMIT_EXCEEDED", "RATE_LIMIT", "rate limit exceeded")


def rate_limited_then_ok(retry_after: str) -> Behaviour:
    return in_turn(reply_json(429, RATE_LIMITED, [("Retry-After", retry_after)]), OK)


def chunked_forever(chunk: bytes = b"x" * 65536, limit: int = 32 * MiB) -> Behaviour:
    """A chunked 200 that keeps coming (until `limit` bytes or the client hangs up)."""

    def behave(peer: Peer, request: Received, index: int) -> bool:
        if not peer.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"):
            return False
        for _ in range(limit // len(chunk)):
            if not peer.send(b"%x\r\n%s\r\n" % (len(chunk), chunk)):
                return False
        return False

    return behave


@functools.cache
def gzip_bomb() -> bytes:
    return gzip.compress(b"\0" * 16 * MiB)


def huge_declared() -> Behaviour:
    body = b" " * 20 * MiB
    return reply(200, body, JSON_HEADERS)


def echo_secret_in_error(request: Received) -> Behaviour:
    secret, client_id = request.headers["plaid-secret"], request.headers["plaid-client-id"]
    body = plaid_error_body(
        "INVALID_INPUT",
        "INVALID_API_KEYS",
        error_message=f"invalid client_id or secret provided: {client_id} / {secret}",
    )
    body["display_message"] = f"secret {secret}"
    body["error_code_reason"] = secret
    body[f"echo_{client_id}"] = {"nested": [secret]}
    body["request_id"] = secret
    return reply_json(400, body)


def echo_secret_past_the_excerpt(request: Received) -> Behaviour:
    # The secret starts 180 characters in, so a 200-character excerpt cut before scrubbing
    # would keep its first 20 characters.
    page = "<pre>" + "a" * 175 + request.headers["plaid-secret"] + "</pre>"
    return reply(500, page.encode(), [("Content-Type", "text/html")])


def echo_secret_escaped(request: Received) -> Behaviour:
    # JSON escapes spell the secret without it appearing verbatim in the bytes.
    escaped = "".join(f"\\u{ord(char):04x}" for char in request.headers["plaid-secret"])
    body = json.dumps(plaid_error_body(error_message="ESCAPED")).replace("ESCAPED", escaped)
    return reply(400, body.encode(), JSON_HEADERS)


def echo_secret_in_headers(status: int, data: object) -> Callable[[Received], Behaviour]:
    def make(request: Received) -> Behaviour:
        secret, client_id = request.headers["plaid-secret"], request.headers["plaid-client-id"]
        return reply_json(status, data, [("X-Echo-Secret", secret), (f"X-Seen-{client_id}", "1")])

    return make


@functools.cache
def elsewhere() -> HostileServer:
    """Another origin (another port), for redirects; it would accept anything."""
    server = HostileServer()
    server.behaviour = OK
    return server


def redirect_elsewhere(status: int) -> Behaviour:
    def behave(peer: Peer, request: Received, index: int) -> bool:
        location = f"{elsewhere().url}/session/token/create"
        return reply(status, headers=[("Location", location)])(peer, request, index)

    return behave


def not_plaid_json(outcome: object) -> None:
    assert isinstance(outcome, plaid.UnexpectedResponseError)


def expiration_is_aware(outcome: object) -> None:
    assert isinstance(outcome, SessionTokenCreateResponse)
    assert outcome.link.expiration.utcoffset() is not None


def extras_kept(outcome: object) -> None:
    assert isinstance(outcome, SessionTokenCreateResponse)
    assert outcome["new_top_level"] == {"x": 1}
    assert outcome.link["new_link_field"] == [1, 2]


def headers_scrubbed(outcome: object) -> None:
    assert isinstance(outcome, plaid.APIStatusError)
    assert outcome.headers["x-echo-secret"] == "[REDACTED]"
    assert "x-seen-[redacted]" in outcome.headers


def all_fields_scrubbed(outcome: object) -> None:
    assert isinstance(outcome, plaid.InvalidInputError)
    assert outcome.error_message == "invalid client_id or secret provided: [REDACTED] / [REDACTED]"
    assert outcome.request_id == "[REDACTED]"
    assert isinstance(outcome.body, dict)
    assert outcome.body["echo_[REDACTED]"] == {"nested": ["[REDACTED]"]}
    assert outcome.model is not None and outcome.model.error_code_reason == "[REDACTED]"


def escaped_scrubbed(outcome: object) -> None:
    assert isinstance(outcome, plaid.InvalidRequestError)
    assert isinstance(outcome.body, dict) and outcome.body["error_message"] == "[REDACTED]"


def excerpt_scrubbed(outcome: object) -> None:
    assert isinstance(outcome, plaid.UnexpectedResponseError)
    assert "[REDACTED]" in outcome.body_excerpt


def status_is(status: int) -> Callable[[object], None]:
    def check(outcome: object) -> None:
        assert isinstance(outcome, plaid.APIStatusError) and outcome.status_code == status

    return check


def deadline_named(outcome: object) -> None:
    assert isinstance(outcome, plaid.APITimeoutError)
    assert "deadline" in str(outcome)


@dataclass(frozen=True)
class Scenario:
    name: str
    behaviour: Behaviour
    outcome: type[object]
    attempts: int
    within: float = 3.0  # seconds: generous, to catch hangs, not to benchmark
    client: Mapping[str, Any] = field(default_factory=dict)
    waits: tuple[float, ...] | None = None  # the retry waits asked for (not slept)
    check: Callable[[object], None] | None = None
    follow_redirects_client: bool = False  # pass http_client=httpx.Client(follow_redirects=True)


Model = SessionTokenCreateResponse
Unexpected = plaid.UnexpectedResponseError
Connection = plaid.APIConnectionError
Timeout = plaid.APITimeoutError
TooLarge = plaid.ResponseTooLargeError
FAST = {"timeout": httpx.Timeout(1.0)}
DRIP_HEAD = response_bytes(200, json.dumps(success()).encode(), JSON_HEADERS)

SCENARIOS = [
    # --- good answers, in every honest shape -----------------------------------------------
    Scenario("success", OK, Model, 1),
    Scenario(
        "success with unknown fields",
        reply_json(200, {**success(new_link_field=[1, 2]), "new_top_level": {"x": 1}}),
        Model,
        1,
        check=extras_kept,
    ),
    Scenario(
        "expiration with an offset",
        reply_json(200, success(expiration="2030-01-01T02:00:00.123456+02:00")),
        Model,
        1,
        check=expiration_is_aware,
    ),
    Scenario("gzip body", reply_gzip(200, json.dumps(success()).encode(), JSON_HEADERS), Model, 1),
    Scenario(
        "unknown content-encoding is read as identity",
        reply(200, json.dumps(success()).encode(), [("Content-Encoding", "x-custom")]),
        Model,
        1,
    ),
    Scenario(
        "JSON labelled text/plain",
        reply(200, json.dumps(success()).encode(), [("Content-Type", "text/plain")]),
        Model,
        1,
    ),
    Scenario(
        "HTTP/1.0, body delimited by close",
        raw(
            b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n"
            + json.dumps(success()).encode()
        ),
        Model,
        1,
    ),
    Scenario(
        "100 Continue before the answer",
        raw(b"HTTP/1.1 100 Continue\r\n\r\n" + response_bytes(200, json.dumps(success()).encode())),
        Model,
        1,
    ),
    Scenario(
        "103 Early Hints before the answer",
        raw(
            b"HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"
            + response_bytes(200, json.dumps(success()).encode())
        ),
        Model,
        1,
    ),
    Scenario("503 then success", in_turn(reply(503, b"busy"), OK), Model, 2, waits=(0.5,)),
    Scenario(
        "identical duplicate Content-Length",
        raw(
            b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nContent-Length: %d\r\n\r\n%s"
            % (
                len(json.dumps(success())),
                len(json.dumps(success())),
                json.dumps(success()).encode(),
            )
        ),
        Model,
        1,
    ),
    # --- 200s that are not a success model ---------------------------------------------------
    Scenario(
        "naive expiration",
        reply_json(200, success(expiration="2030-01-01T00:00:00")),
        Unexpected,
        1,
    ),
    Scenario(
        "date-only expiration", reply_json(200, success(expiration="2030-01-01")), Unexpected, 1
    ),
    Scenario(
        "expiration is a number", reply_json(200, success(expiration=1893456000)), Unexpected, 1
    ),
    Scenario("link_token is a number", reply_json(200, success(link_token=12345)), Unexpected, 1),
    Scenario("link_token is a boolean", reply_json(200, success(link_token=True)), Unexpected, 1),
    Scenario("link_token missing", reply_json(200, success(link_token=None)), Unexpected, 1),
    Scenario("request_id is null", reply_json(200, with_top(request_id=None)), Unexpected, 1),
    Scenario("link is a string", reply_json(200, with_top(link="link-sandbox-x")), Unexpected, 1),
    Scenario(
        "link is a list of pairs",
        reply_json(
            200, with_top(link=[["link_token", "x"], ["expiration", "2030-01-01T00:00:00Z"]])
        ),
        Unexpected,
        1,
    ),
    Scenario("top level is an array", reply_json(200, [success()]), Unexpected, 1),
    Scenario(
        "malformed JSON",
        reply(200, b"{'link': 1}", JSON_HEADERS),
        Unexpected,
        1,
        check=not_plaid_json,
    ),
    Scenario(
        "truncated JSON",
        reply(200, json.dumps(success()).encode()[:30], JSON_HEADERS),
        Unexpected,
        1,
    ),
    Scenario(
        "NaN in an extra field",  # NaN is not JSON, even where any value would do
        reply(200, json.dumps(success()).encode()[:-1] + b', "score": NaN}', JSON_HEADERS),
        Unexpected,
        1,
    ),
    Scenario("empty 200", reply(200, b"", JSON_HEADERS), Unexpected, 1),
    Scenario(
        "HTML 200",
        reply(200, b"<html>maintenance</html>", [("Content-Type", "text/html")]),
        Unexpected,
        1,
    ),
    Scenario("not UTF-8", reply(200, b'{"request_id": "\xff\xfe"}', JSON_HEADERS), Unexpected, 1),
    Scenario(
        "deeply nested JSON",
        reply(200, b"[" * 100_000 + b"]" * 100_000, JSON_HEADERS),
        Unexpected,
        1,
    ),
    Scenario(
        "a 5000-digit number",
        reply(200, b'{"request_id": ' + b"7" * 5000 + b"}", JSON_HEADERS),
        Unexpected,
        1,
    ),
    # --- encodings and sizes -------------------------------------------------------------------
    Scenario(
        "gzip header, body not gzip",
        reply(200, b"not gzip at all", [("Content-Encoding", "gzip")]),
        Connection,
        3,
    ),
    Scenario(
        "gzip bomb",
        lambda p, r, i: reply(200, gzip_bomb(), [("Content-Encoding", "gzip")])(p, r, i),
        TooLarge,
        1,
    ),
    Scenario("20 MiB declared", lambda p, r, i: huge_declared()(p, r, i), TooLarge, 1),
    Scenario("endless chunked body", chunked_forever(), TooLarge, 1),
    Scenario("body over a small cap", OK, TooLarge, 1, client={"max_response_bytes": 64}),
    # --- statuses, with Plaid and non-Plaid bodies ----------------------------------------------
    Scenario("Plaid 400", INVALID_REQUEST, plaid.InvalidRequestError, 1),
    Scenario(
        "new error_type",
        reply_json(400, plaid_error_body("BRAND_NEW_TYPE", "X")),
        plaid.UnknownPlaidError,
        1,
    ),
    Scenario(
        "error_type is a number",
        reply_json(400, {**plaid_error_body(), "error_type": 7}),
        Unexpected,
        1,
    ),
    Scenario(
        "Plaid 429",
        reply_json(429, RATE_LIMITED),
        plaid.RateLimitExceededError,
        3,
        waits=(0.5, 1.0),
    ),
    Scenario(
        "Plaid 500",
        reply_json(500, plaid_error_body("API_ERROR", "INTERNAL_SERVER_ERROR")),
        plaid.ApiError,
        3,
    ),
    Scenario(
        "HTML 502",
        reply(502, b"<html>Bad Gateway</html>", [("Content-Type", "text/html")]),
        Unexpected,
        3,
    ),
    Scenario("CDN 520", reply(520, b"error code: 520"), Unexpected, 3, check=status_is(520)),
    Scenario("non-Plaid JSON 404", reply_json(404, {"message": "not found"}), Unexpected, 1),
    Scenario("204 No Content", reply(204), Unexpected, 1),
    Scenario("status 999 is not retried", reply(999, b"?"), Unexpected, 1, check=status_is(999)),
    Scenario(
        "101 Switching Protocols",
        raw(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\n\r\n",
            then="hang",
        ),
        Connection,  # an upgrade nobody asked for is a protocol error
        3,
    ),
    # --- redirects: never followed, the credentials stay with base_url --------------------------
    Scenario(
        "same-origin 301",
        reply(301, headers=[("Location", "/elsewhere")]),
        Unexpected,
        1,
        check=status_is(301),
    ),
    Scenario("cross-origin 307", redirect_elsewhere(307), Unexpected, 1, check=status_is(307)),
    Scenario(
        "cross-origin 307, following http_client",
        redirect_elsewhere(307),
        Unexpected,
        1,
        check=status_is(307),
        follow_redirects_client=True,
    ),
    Scenario(
        "cross-origin 308, following http_client",
        redirect_elsewhere(308),
        Unexpected,
        1,
        check=status_is(308),
        follow_redirects_client=True,
    ),
    # --- every Retry-After form -----------------------------------------------------------------
    Scenario("Retry-After seconds", rate_limited_then_ok("0.25"), Model, 2, waits=(0.25,)),
    Scenario("Retry-After zero", rate_limited_then_ok("0"), Model, 2, waits=(0.0,)),
    Scenario("Retry-After negative", rate_limited_then_ok("-5"), Model, 2, waits=(0.5,)),
    Scenario("Retry-After huge", rate_limited_then_ok("99999999999"), Model, 2, waits=(0.5,)),
    Scenario("Retry-After NaN", rate_limited_then_ok("nan"), Model, 2, waits=(0.5,)),
    Scenario("Retry-After infinity", rate_limited_then_ok("inf"), Model, 2, waits=(0.5,)),
    Scenario(
        "Retry-After date ahead",
        rate_limited_then_ok(email.utils.formatdate(NOW + 7, usegmt=True)),
        Model,
        2,
        waits=(7.0,),
    ),
    Scenario(
        "Retry-After date past",
        rate_limited_then_ok(email.utils.formatdate(NOW - 30, usegmt=True)),
        Model,
        2,
        waits=(0.5,),
    ),
    Scenario(
        "Retry-After bad date",
        rate_limited_then_ok("Mon, 99 Foo 99999 99:99:99 GMT"),
        Model,
        2,
        waits=(0.5,),
    ),
    Scenario("Retry-After garbage", rate_limited_then_ok("soon, please"), Model, 2, waits=(0.5,)),
    # --- broken connections and framing ---------------------------------------------------------
    Scenario("reset before the answer", raw(b"", then="reset"), Connection, 3, waits=(0.5, 1.0)),
    Scenario("closed before the answer", raw(b""), Connection, 3),
    Scenario(
        "reset mid headers", raw(b"HTTP/1.1 200 OK\r\nContent-Ty", then="reset"), Connection, 3
    ),
    Scenario(
        "reset mid body",
        raw(
            b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n" + json.dumps(success()).encode()[:40],
            then="reset",
        ),
        Connection,
        3,
    ),
    Scenario(
        "closed mid body",
        raw(
            b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n" + json.dumps(success()).encode()[:40]
        ),
        Connection,
        3,
    ),
    Scenario(
        "bad chunk size",
        raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
        Connection,
        3,
    ),
    Scenario("garbage status line", raw(b"HTTP/1.1 abc OK\r\n\r\n"), Connection, 3),
    Scenario("not HTTP at all", raw(b"SSH-2.0-OpenSSH_9.6\r\n"), Connection, 3),
    Scenario(
        "header line without a colon",
        raw(b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n"),
        Connection,
        3,
    ),
    Scenario(
        "conflicting duplicate Content-Length",
        raw(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n12345"),
        Connection,
        3,
    ),
    Scenario(
        "garbage Content-Length",
        raw(b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n{}"),
        Connection,
        3,
    ),
    # --- silence and drips: the deadline holds ----------------------------------------------------
    Scenario(
        "never answers", hang(), Timeout, 3, within=3.0, client={"timeout": httpx.Timeout(0.15)}
    ),
    Scenario(
        "drip headers under the read timeout",
        drip(DRIP_HEAD, 0.02),
        Timeout,
        3,
        within=3.0,
        client={**FAST, "attempt_deadline": 0.2},
        check=deadline_named,
    ),
    Scenario(
        "drip body under the read timeout",
        drip(DRIP_HEAD, 0.02, at_once=DRIP_HEAD.index(b"\r\n\r\n") + 4),  # headers at once
        Timeout,
        3,
        within=3.0,
        client={**FAST, "attempt_deadline": 0.2},
        check=deadline_named,
    ),
    Scenario(
        "drip against the call deadline",
        drip(DRIP_HEAD, 0.02),
        Timeout,
        1,
        within=2.0,
        client={**FAST, "attempt_deadline": 30.0, "call_deadline": 0.3},
        check=deadline_named,
    ),
    # --- servers echoing the canary credentials --------------------------------------------------
    Scenario(
        "echo in every error field",
        from_request(echo_secret_in_error),
        plaid.InvalidInputError,
        1,
        check=all_fields_scrubbed,
    ),
    Scenario(
        "echo past the excerpt",
        from_request(echo_secret_past_the_excerpt),
        Unexpected,
        3,
        check=excerpt_scrubbed,
    ),
    Scenario(
        "echo in JSON escapes",
        from_request(echo_secret_escaped),
        plaid.InvalidRequestError,
        1,
        check=escaped_scrubbed,
    ),
    Scenario(
        "echo in error headers",
        from_request(echo_secret_in_headers(400, plaid_error_body())),
        plaid.InvalidRequestError,
        1,
        check=headers_scrubbed,
    ),
    Scenario(
        "echo in success headers", from_request(echo_secret_in_headers(200, success())), Model, 1
    ),
    Scenario(
        "echo in a retried 503's headers",
        in_turn(from_request(echo_secret_in_headers(503, {"busy": True})), OK),
        Model,
        2,
    ),
]


@pytest.fixture(scope="module")
def server() -> Iterator[HostileServer]:
    hostile = HostileServer()
    yield hostile
    hostile.close()
    elsewhere().close()
    elsewhere.cache_clear()


@dataclass
class Run:
    outcome: object
    seconds: float
    waits: list[float]


def run(scenario: Scenario, mode: Mode, server: HostileServer) -> Run:
    waits: list[float] = []

    async def async_wait(seconds: float) -> None:
        waits.append(seconds)

    options: dict[str, Any] = {
        "client_id": CANARY_CLIENT_ID,
        "secret": CANARY_SECRET,
        "base_url": server.url,
        "timeout": httpx.Timeout(2.0),
        "retry_policy": plaid.RetryPolicy(
            sleep=waits.append, async_sleep=async_wait, random=lambda: 0.0, clock=lambda: NOW
        ),
        **scenario.client,
    }
    started = time.perf_counter()
    outcome: object
    if mode == "sync":
        http = httpx.Client(follow_redirects=True) if scenario.follow_redirects_client else None
        with plaid.PlaidSessionClient(http_client=http, **options) as client:
            try:
                outcome = client.session_token_create(body=REQUEST)
            except plaid.PlaidClientError as error:
                outcome = error
        if http is not None:
            http.close()
    else:

        async def call() -> object:
            http = (
                httpx.AsyncClient(follow_redirects=True)
                if scenario.follow_redirects_client
                else None
            )
            async with plaid.AsyncPlaidSessionClient(http_client=http, **options) as client:
                try:
                    return await client.session_token_create(body=REQUEST)
                except plaid.PlaidClientError as error:
                    return error
                finally:
                    if http is not None:
                        await http.aclose()

        outcome = asyncio.run(call())
    return Run(outcome, time.perf_counter() - started, waits)


def outcome_texts(outcome: object) -> list[str]:
    """Everything a user could print or log of an outcome."""
    texts = [str(outcome), repr(outcome)]
    if isinstance(outcome, BaseException):
        texts += [repr(outcome.args), "".join(traceback.format_exception(outcome))]
        texts += [repr(value) for value in vars(outcome).values()]
    if isinstance(outcome, plaid.APIStatusError):
        texts += [repr(outcome.headers.multi_items()), repr(outcome.body), repr(outcome.model)]
    return texts


def leaked(texts: list[str]) -> list[str]:
    return sorted({piece for piece in CANARY_PIECES for text in texts if piece in text})


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.name for scenario in SCENARIOS])
def test_hostile_server(
    scenario: Scenario, mode: Mode, server: HostileServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    elsewhere().requests.clear()
    with server.answering(scenario.behaviour):
        result = run(scenario, mode, server)
        seen = list(server.requests)
    assert type(result.outcome) is scenario.outcome, outcome_texts(result.outcome)[:2]
    assert len(seen) == scenario.attempts
    assert result.seconds <= scenario.within
    if scenario.waits is not None:
        assert result.waits == pytest.approx(list(scenario.waits))
    if scenario.check is not None:
        scenario.check(result.outcome)
    # The canaries really went out, to this server only: otherwise the leak check proves nothing.
    assert seen[0].headers["plaid-client-id"] == CANARY_CLIENT_ID
    assert seen[0].headers["plaid-secret"] == CANARY_SECRET
    assert elsewhere().requests == []
    logs = [record.getMessage() for record in caplog.records] + [caplog.text]
    assert any(record.name.startswith("httpcore") for record in caplog.records)
    assert leaked(outcome_texts(result.outcome) + logs) == []


def test_there_are_enough_scenarios() -> None:
    assert len(SCENARIOS) >= 40
    assert len({scenario.name for scenario in SCENARIOS}) == len(SCENARIOS)
