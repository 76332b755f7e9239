"""The client's safeguards as a user configures them: the deadlines and the size cap per client
and per call, their validation, and the log filter living alongside the application's own
logging setup. (What they do against a real misbehaving server: test_hostile_server.py.)"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import plaid_session_client as plaid
import pytest
from plaid_session_client import _credentials

from tests.client.conftest import (
    CLIENT_ID,
    SECRET,
    SUCCESS_BODY,
    MakeAsyncClient,
    MakeClient,
    Script,
    Waits,
    json_response,
    request_body,
)

OK = json_response(200, SUCCESS_BODY)


# --- deadlines and the size cap, per client and per call ----------------------------------------


def test_defaults() -> None:
    assert plaid.DEFAULT_ATTEMPT_DEADLINE == 60.0
    assert plaid.DEFAULT_MAX_RESPONSE_BYTES == 1024 * 1024
    client = plaid.PlaidSessionClient(client_id="a", secret="b")
    assert (client.attempt_deadline, client.call_deadline) == (60.0, None)
    assert client.max_response_bytes == plaid.DEFAULT_MAX_RESPONSE_BYTES


def test_size_cap_per_client_and_per_call(make_client: MakeClient) -> None:
    script = Script([OK])
    size = len(OK.content)
    client = make_client(script=script, max_response_bytes=size)
    assert client.session_token_create(body=request_body()).request_id
    with pytest.raises(plaid.ResponseTooLargeError) as caught:
        client.session_token_create(body=request_body(), max_response_bytes=size - 1)
    assert (caught.value.limit, caught.value.status_code) == (size - 1, 200)
    assert isinstance(caught.value, plaid.APIConnectionError)
    assert len(script.requests) == 2  # a body too large is not retried


def test_a_deadline_shortens_every_phase_timeout(make_client: MakeClient) -> None:
    script = Script([OK])
    client = make_client(script=script, attempt_deadline=2.0)
    client.session_token_create(body=request_body())
    client.session_token_create(body=request_body(), attempt_deadline=None, call_deadline=1.5)
    first, second = (request.extensions["timeout"] for request in script.requests)
    assert max(first.values()) <= 2.0 and first["connect"] <= 2.0
    assert max(second.values()) <= 1.5


def test_the_call_deadline_stops_retries_that_would_not_fit(
    make_client: MakeClient, waits: Waits
) -> None:
    busy = json_response(503, {"busy": True})
    script = Script([busy, busy, OK])
    client = make_client(script=script, call_deadline=0.2)  # the first backoff is 0.5 s
    with pytest.raises(plaid.UnexpectedResponseError):
        client.session_token_create(body=request_body())
    assert len(script.requests) == 1 and waits.seconds == []
    assert client.session_token_create(body=request_body(), call_deadline=None).request_id
    assert waits.seconds == [0.5]


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("attempt_deadline", 0),
        ("attempt_deadline", -1.0),
        ("attempt_deadline", float("inf")),
        ("attempt_deadline", True),
        ("call_deadline", "5"),
        ("max_response_bytes", 0),
        ("max_response_bytes", 1.5),
    ],
)
def test_bad_limits_are_configuration_errors(
    make_client: MakeClient, argument: str, value: Any
) -> None:
    with pytest.raises(plaid.ClientConfigurationError, match=argument):
        plaid.PlaidSessionClient(client_id="a", secret="b", **{argument: value})
    client = make_client(OK)
    with pytest.raises(plaid.ClientConfigurationError, match=argument):
        client.session_token_create(body=request_body(), **{argument: value})


def test_async_per_call_limits(make_async_client: MakeAsyncClient) -> None:
    script = Script([OK])

    async def run() -> None:
        async with make_async_client(script=script) as client:
            with pytest.raises(plaid.ResponseTooLargeError):
                await client.session_token_create(body=request_body(), max_response_bytes=10)
            await client.session_token_create(body=request_body(), attempt_deadline=3.0)

    asyncio.run(run())
    assert max(script.requests[1].extensions["timeout"].values()) <= 3.0


class SlowBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that arrives a piece every 50 ms, from a transport without sockets."""

    def __iter__(self) -> Iterator[bytes]:
        for piece in OK.content:
            time.sleep(0.05)
            yield bytes([piece])

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in OK.content:
            await asyncio.sleep(0.05)
            yield bytes([piece])


def slow_body(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, headers=OK.headers, stream=SlowBody())


def test_the_deadline_holds_between_chunks_without_sockets(
    make_client: MakeClient, make_async_client: MakeAsyncClient
) -> None:
    # ~8 s of body; the deadline is checked as each chunk arrives.
    started = time.monotonic()
    with pytest.raises(plaid.APITimeoutError, match="attempt deadline"):
        make_client(slow_body, max_retries=0).session_token_create(
            body=request_body(), attempt_deadline=0.3
        )

    async def run() -> None:
        async with make_async_client(slow_body, max_retries=0, attempt_deadline=0.3) as client:
            await client.session_token_create(body=request_body())

    with pytest.raises(plaid.APITimeoutError, match="attempt deadline"):
        asyncio.run(run())
    assert time.monotonic() - started < 3.0


def test_redirects_are_never_followed_even_by_a_following_http_client() -> None:
    script = Script(
        [httpx.Response(307, headers={"Location": "https://elsewhere.example/steal"}), OK]
    )
    http = httpx.Client(transport=httpx.MockTransport(script), follow_redirects=True)
    with (
        plaid.PlaidSessionClient(client_id=CLIENT_ID, secret=SECRET, http_client=http) as client,
        pytest.raises(plaid.UnexpectedResponseError) as caught,
    ):
        client.session_token_create(body=request_body())
    assert caught.value.status_code == 307
    assert caught.value.headers["location"] == "https://elsewhere.example/steal"
    assert [request.url.host for request in script.requests] == ["sandbox.plaid.com"]


# --- the log filter and the application's logging --------------------------------------------


@pytest.fixture
def http_logger() -> Iterator[logging.Logger]:
    """httpcore's logger as an application might have set it up, restored afterwards."""
    gc.collect()  # other tests' clients, and their one-letter credentials, are gone
    logger = logging.getLogger("httpcore.http11")
    saved = (logger.level, list(logger.handlers), list(logger.filters), logger.propagate)
    yield logger
    logger.setLevel(saved[0])
    logger.handlers[:], logger.filters[:] = saved[1], saved[2]
    logger.propagate = saved[3]


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_the_filter_leaves_the_applications_logging_setup_alone(
    http_logger: logging.Logger,
) -> None:
    collect = Collect()
    own_filter = logging.Filter("httpcore")
    http_logger.setLevel(logging.DEBUG)
    http_logger.addHandler(collect)
    http_logger.addFilter(own_filter)
    http_logger.propagate = False
    root = logging.getLogger()
    root_state = (root.level, list(root.handlers))

    first = plaid.PlaidSessionClient(client_id=CLIENT_ID, secret=SECRET)
    second = plaid.PlaidSessionClient(client_id=CLIENT_ID, secret=SECRET)  # installs once

    assert http_logger.level == logging.DEBUG
    assert http_logger.handlers == [collect]
    assert http_logger.propagate is False
    # The application's filter kept, this client's once (other generated packages imported in
    # the same process, such as the template tests' clients, have their own).
    ours = [f for f in http_logger.filters if type(f).__module__.startswith(plaid.__name__)]
    assert own_filter in http_logger.filters and len(ours) == 1
    assert (root.level, list(root.handlers)) == root_state
    http_logger.debug("headers: %s", [(b"X-Echo", SECRET.encode())])
    http_logger.debug("plain record")
    assert collect.lines == ["headers: [(b'X-Echo', b'[REDACTED]')]", "plain record"]
    del first, second


def test_child_loggers_are_covered_too(http_logger: logging.Logger) -> None:
    child = logging.getLogger("httpcore.some_future_module")
    client = plaid.PlaidSessionClient(client_id=CLIENT_ID, secret=SECRET)
    collect = Collect()
    for logger in (child, logging.getLogger("httpx"), logging.getLogger("hpack.hpack")):
        logger.addHandler(collect)
        logger.setLevel(logging.DEBUG)
        try:
            logger.debug("echo %s", SECRET)
        finally:
            logger.removeHandler(collect)
            logger.setLevel(logging.NOTSET)
    assert collect.lines == ["echo [REDACTED]"] * 3
    del client


def test_a_closed_clients_credentials_are_not_kept_for_the_filter() -> None:

    gc.collect()
    before = len(_credentials.LIVE_CREDENTIALS)
    client = plaid.PlaidSessionClient(client_id="gone-id", secret="gone-secret")
    assert len(_credentials.LIVE_CREDENTIALS) == before + 2
    del client
    gc.collect()
    assert len(_credentials.LIVE_CREDENTIALS) == before


# --- what importing and constructing costs ------------------------------------------------------

# What the client adds to `import httpx`: httpx below 0.28 (the wheel allows it, `nox -s
# dependency-range` tests it) imports httpcore itself, from 0.28 on lazily.
PROBE = """
import json, sys
import httpx
httpx_own = set(sys.modules)
import plaid_session_client as plaid
client = plaid.PlaidSessionClient(client_id="a", secret="b")
heavy = sorted(
    name for name in ("attr", "attrs", "httpcore", "asyncio")
    if name in sys.modules and name not in httpx_own
)
ours = sorted(name for name in sys.modules if name.startswith("plaid_session_client."))
from plaid_session_client.models import SessionTokenCreateRequest
import plaid_session_client.models as models
print(json.dumps([heavy, ours, "attrs" in sys.modules, models.PlaidError.__name__, dir(models)]))
"""


def test_import_and_construction_load_neither_attrs_nor_the_models_nor_httpcore() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    heavy, ours, attrs_after_a_model, name, listed = json.loads(out.stdout)
    assert heavy == []
    # The pipeline's small modules, but neither the models, the operation modules, nor what
    # only parsing needs.
    assert ours == [
        "plaid_session_client._base_client",
        "plaid_session_client._config",
        "plaid_session_client._credentials",
        "plaid_session_client._limits",
        "plaid_session_client._operations",
        "plaid_session_client._retry",
        "plaid_session_client._scrub",
        "plaid_session_client.client",
        "plaid_session_client.errors",
        "plaid_session_client.types",
    ]
    # The models still import by name, and list themselves, as before.
    assert attrs_after_a_model is True and name == "PlaidError"
    assert listed == sorted(plaid.models.__all__)
