"""Hostile clients: a seeded fuzz in process and over real sockets, and each cause it found.

The long run (tens of thousands of requests, memory measured) is
`python3 scripts/nox_pinned.py -s bench -- --only hostile`; here a few thousand requests keep the
suite fast.
"""

from __future__ import annotations

import gzip
import json
import tracemalloc
import urllib.parse
from typing import Any

import httpx
import pytest
from plaid_offline_sandbox import http_protocol
from plaid_offline_sandbox.app import create_app
from plaid_offline_sandbox.config import SandboxConfig
from plaid_offline_sandbox.serving import RunningSandbox
from plaid_tools import fuzz
from plaid_tools.fuzz.corpus import CREDENTIAL_HEADERS, JSON_CT, VALID_FIELDS, HostileRequest

from tests.sandbox.sandbox_support import VALID_BODY, Client, assert_plaid_error, post

SEED = 20261201
IN_PROCESS_REQUESTS = 4_000
OVER_HTTP_REQUESTS = 3_000
VALID = json.dumps(VALID_BODY).encode()


def _problems(tally: fuzz.Tally) -> str:
    return tally.summary() + "\n" + "\n".join(tally.problems[:20])


def test_fuzz_in_process() -> None:
    app = create_app(SandboxConfig())
    tally = fuzz.run_in_process(app, fuzz.requests(SEED, IN_PROCESS_REQUESTS, in_process=True))
    assert not tally.problems, _problems(tally)
    assert tally.unexpected_5xx == 0
    # The corpus reaches both the success path and the rejections.
    assert tally.statuses[200] > 100 and tally.statuses[400] > 1_000, tally.summary()


def test_fuzz_over_real_sockets(live_server: RunningSandbox) -> None:
    tally = fuzz.run_over_sockets(
        "127.0.0.1", live_server.port, fuzz.requests(SEED, OVER_HTTP_REQUESTS)
    )
    assert not tally.problems, _problems(tally)
    assert tally.unexpected_5xx == 0
    assert tally.refused_by_server > 0, "no byte-level case reached the HTTP parser"
    assert live_server.process.poll() is None, "the server died"
    log = live_server.log_text()
    assert "unhandled" not in log and "Traceback" not in log, log[-2000:]
    after = httpx.post(
        live_server.base_url + "/session/token/create",
        content=VALID,
        headers=dict((k.decode(), v.decode()) for k, v in (JSON_CT, *CREDENTIAL_HEADERS)),
    )
    assert after.status_code == 200


# --- the 5xx causes the fuzz found -----------------------------------------------------------


@pytest.mark.parametrize(
    "argument",
    [b"\xb2", b"\xb9", b"9" * 400, b"9" * 5_000],
    ids=["latin-1 superscript two", "superscript one", "overflows a float", "over int()'s limit"],
)
def test_rate_limit_argument_that_int_refuses_is_a_header_error(
    live_server: RunningSandbox, argument: bytes
) -> None:
    # These answered 500 (ValueError / OverflowError escaping the fault parser).
    fault = (b"plaid-sandbox-fault", b"rate_limit:" + argument)
    request = HostileRequest("t", headers=(JSON_CT, *CREDENTIAL_HEADERS, fault), body=VALID)
    over_http = _answers(live_server, request)
    in_process = fuzz.answer_in_process(create_app(SandboxConfig()), request)
    for answer in [*over_http, in_process]:
        assert answer is not None and answer.status == 400
        data = json.loads(answer.body)
        assert data["error_code"] == "INVALID_HEADERS"
        assert "rate_limit takes whole seconds" in data["error_message"]
    assert len(over_http) == 1


def test_large_rate_limit_arguments_still_work(client: Client) -> None:
    response = post(client, VALID_BODY, headers={"Plaid-Sandbox-Fault": "rate_limit:99999"})
    assert_plaid_error(response, 429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT")
    assert response.headers["retry-after"] == "99999"


# --- what the sandbox keeps: nothing keyed on client input -----------------------------------


def _retained_bytes(requests: list[HostileRequest]) -> int:
    app = create_app(SandboxConfig())
    fuzz.run_in_process(app, requests[:20])  # warm-up: imports, interned names, first caches
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        tally = fuzz.run_in_process(app, requests[20:])
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    assert not tally.problems, _problems(tally)
    return sum(stat.size_diff for stat in after.compare_to(before, "filename"))


def _with(headers: tuple[tuple[bytes, bytes], ...] = (), **fields: bytes) -> HostileRequest:
    body = json.dumps({k: json.loads(v) for k, v in VALID_FIELDS.items()}).encode()
    if fields:
        body = (
            body[:-1] + b"".join(b', "%s": %s' % (k.encode(), v) for k, v in fields.items()) + b"}"
        )
    return HostileRequest("memory", headers=(JSON_CT, *CREDENTIAL_HEADERS, *headers), body=body)


def test_distinct_large_webhooks_are_not_kept() -> None:
    # urlsplit's lru_cache kept the last 128 webhooks: 25 MB for these 100 KB ones.
    cached = urllib.parse.urlsplit.cache_info().currsize  # type: ignore[attr-defined]
    requests = [
        _with(webhook=json.dumps(f"https://a.example/{i}/" + "p" * 100_000).encode())
        for i in range(220)
    ]
    assert _retained_bytes(requests) < 1_000_000
    assert urllib.parse.urlsplit.cache_info().currsize == cached  # type: ignore[attr-defined]


def test_distinct_large_fault_scripts_are_not_kept() -> None:
    # parse_script's lru_cache kept 512 header texts: 11 MB for these 22 KB ones.
    requests = [
        _with(headers=((b"plaid-sandbox-fault", b"ok" + b" " * (20_000 + i)),)) for i in range(600)
    ]
    assert _retained_bytes(requests) < 1_000_000


def test_fault_ids_cost_a_fixed_size_each() -> None:
    # Counted by hash: ~140 bytes per id whatever its length (a 256-character id cost ~400).
    requests = [
        _with(headers=((b"plaid-sandbox-fault", b"ok"), (b"plaid-sandbox-fault-id", b"%0256d" % i)))
        for i in range(2_020)
    ]
    assert _retained_bytes(requests) < 2_000 * 200


# --- byte-level HTTP ---------------------------------------------------------------------------


def _answers(server: RunningSandbox, request: HostileRequest) -> list[fuzz.Answer]:
    return fuzz.exchange("127.0.0.1", server.port, request)


def _valid(**kw: object) -> HostileRequest:
    return HostileRequest("t", headers=(JSON_CT, *CREDENTIAL_HEADERS), body=VALID, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("extra", "status"),
    [(http_protocol.MAX_HEAD_BYTES - 2_000, 200), (http_protocol.MAX_HEAD_BYTES + 1, 400)],
    ids=["just under the head limit", "just over"],
)
def test_request_head_limit(live_server: RunningSandbox, extra: int, status: int) -> None:
    request = HostileRequest(
        "t", headers=(JSON_CT, *CREDENTIAL_HEADERS, (b"x-padding", b"p" * extra)), body=VALID
    )
    (answer,) = _answers(live_server, request)
    assert answer.status == status
    if status == 400:  # refused by the server before the app: uvicorn's plain-text answer
        assert answer.body == http_protocol.REFUSAL_MESSAGE.encode()
        assert answer.header(b"connection") == b"close"


def test_huge_header_is_refused_and_the_server_keeps_serving(live_server: RunningSandbox) -> None:
    fault = (b"plaid-sandbox-fault", b"ok" + b" " * 8_000_000)  # httptools buffered it all
    (answer,) = _answers(live_server, HostileRequest("t", headers=(JSON_CT, fault), body=VALID))
    assert (answer.status, answer.body) == (400, http_protocol.REFUSAL_MESSAGE.encode())
    assert _answers(live_server, _valid())[0].status == 200


def test_the_head_limit_does_not_count_the_body(live_server: RunningSandbox) -> None:
    body = b'{"x": "' + b"a" * 200_000 + b'"}'
    request = HostileRequest("t", headers=(JSON_CT, *CREDENTIAL_HEADERS), body=body)
    (answer,) = _answers(live_server, request)
    assert answer.status == 400 and b"UNKNOWN_FIELDS" in answer.body


def test_pipelined_requests_are_answered_in_order(live_server: RunningSandbox) -> None:
    missing = HostileRequest("t", headers=(JSON_CT,), body=b"{}")
    wire = _valid().to_wire() + missing.to_wire() + _valid(framing="chunked").to_wire()
    answers = _answers(live_server, HostileRequest("t", wire=wire, answers=3))
    assert [a.status for a in answers] == [200, 400, 200]


def test_http_1_0(live_server: RunningSandbox) -> None:
    (answer,) = _answers(live_server, _valid(version=b"HTTP/1.0"))
    assert answer.status == 200


def test_websocket_upgrade_is_an_unknown_route(live_server: RunningSandbox) -> None:
    # With a websocket library installed, uvicorn answered a declined upgrade with 500.
    upgrade = (
        (b"upgrade", b"websocket"),
        (b"connection", b"Upgrade"),
        (b"sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ=="),
        (b"sec-websocket-version", b"13"),
    )
    request = HostileRequest("t", method=b"GET", target=b"/", headers=upgrade, framing="none")
    (answer,) = _answers(live_server, request)
    assert answer.status == 404 and b"NOT_FOUND" in answer.body


# --- compressed bodies (assumption A30) --------------------------------------------------------


def test_gzip_body_is_not_decoded(client: Client) -> None:
    response = post(client, raw=gzip.compress(VALID), headers={"Content-Encoding": "gzip"})
    assert_plaid_error(
        response, 400, "INVALID_REQUEST", "INVALID_BODY", "body could not be parsed as JSON"
    )


@pytest.mark.parametrize("encoding", ["gzip", "identity", "br", "x-unknown"])
def test_content_encoding_header_alone_changes_nothing(client: Client, encoding: str) -> None:
    assert post(client, VALID_BODY, headers={"Content-Encoding": encoding}).status_code == 200


# --- the fuzz can fail: mutants of the sandbox it must catch -----------------------------------


def _mutant(change: Any) -> Any:
    """The real app with its answers passed through `change(request_body, message)`."""
    real = create_app(SandboxConfig())

    async def app(scope: Any, receive: Any, send: Any) -> None:
        received: list[bytes] = []

        async def spying_receive() -> Any:
            message = await receive()
            received.append(message.get("body", b""))
            return message

        async def changing_send(message: Any) -> None:
            await send(change(b"".join(received), message))

        await real(scope, spying_receive, changing_send)

    return app


def _500_for_lone_surrogates(body: bytes, message: Any) -> Any:
    if b"\\ud800" in body and message["type"] == "http.response.start":
        return {**message, "status": 500}
    return message


def _errors_reformatted(body: bytes, message: Any) -> Any:
    if message["type"] == "http.response.body" and b'"display_message"' in message["body"]:
        data = json.loads(message["body"])
        return {**message, "body": json.dumps(data, indent=2).encode().replace(b"null", b"null ")}
    return message


@pytest.mark.parametrize("change", [_500_for_lone_surrogates, _errors_reformatted])
def test_the_fuzz_catches_a_diverging_sandbox(change: Any) -> None:
    tally = fuzz.run_in_process(_mutant(change), fuzz.requests(SEED, 1_500, in_process=True))
    assert tally.problems, tally.summary()
