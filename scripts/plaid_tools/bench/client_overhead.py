"""Per-call cost of our client against raw httpx on the same in-memory transport.

Both sides send the same request to an httpx.MockTransport that answers a prebuilt response, so
the difference is what our client adds: models and their type checks, auth headers, the retry
loop, deadlines, the size cap and typed errors (all on, as shipped). Raw httpx does what a
hand-written call would: post JSON, check the status, decode JSON.

Times are the calling thread's CPU time (`time.thread_time`): the work is all in-process, and
on a shared machine wall time mostly measured the other processes (rounds spread 0.7 to 2.5x).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable

import httpx
from plaid_session_client import AsyncPlaidSessionClient, PlaidSessionClient
from plaid_session_client.errors import APIStatusError
from plaid_session_client.models import SessionTokenCreateRequest, SessionTokenCreateRequestUser

from plaid_tools.bench.figures import Figure, Spread, at_most, ratio_rounds

ROUNDS = 25  # many short interleaved rounds: a noisy moment spoils one ratio, not the median
CALLS = 150
WARM_UP_SECONDS = 0.5
BASE_URL = "http://plaid.bench"
HEADERS = {
    "PLAID-CLIENT-ID": "bench-id",
    "PLAID-SECRET": "bench-secret",
    "Plaid-Version": "2020-09-14",
}
REQUEST = {"template_id": "template_bench", "user": {"client_user_id": "bench-user"}}
SUCCESS = json.dumps(
    {
        "link": {
            "expiration": "2026-03-10T13:13:03Z",
            "link_token": "link-sandbox-61dfbe06-8a6c-4066-a125-c6cf83fd7b6a",
        },
        "request_id": "OUoAFhGrwHQbZ2O",
    },
    indent=2,
    sort_keys=True,
).encode()
ERROR = json.dumps(
    {
        "display_message": None,
        "documentation_url": "https://plaid.com/docs/?ref=error#invalid-request-errors",
        "error_code": "MISSING_FIELDS",
        "error_message": "the following required fields are missing: template_id",
        "error_type": "INVALID_REQUEST",
        "request_id": "0PBlhvIaeYbdrTp",
        "suggested_action": None,
    },
    indent=2,
    sort_keys=True,
).encode()


def _transport(status: int, body: bytes) -> httpx.MockTransport:
    headers = {"content-type": "application/json; charset=utf-8", "plaid-version": "2020-09-14"}
    return httpx.MockTransport(
        lambda request: httpx.Response(status, headers=headers, content=body)
    )


def _body() -> SessionTokenCreateRequest:
    return SessionTokenCreateRequest(
        template_id=REQUEST["template_id"],  # type: ignore[arg-type]
        user=SessionTokenCreateRequestUser(client_user_id="bench-user"),
    )


def _per_call_us(call: Callable[[], object]) -> float:
    started = time.thread_time()
    for _ in range(CALLS):
        call()
    return (time.thread_time() - started) / CALLS * 1e6


async def _per_call_us_async(call: Callable[[], Awaitable[object]]) -> float:
    started = time.thread_time()
    for _ in range(CALLS):
        await call()
    return (time.thread_time() - started) / CALLS * 1e6


def _sync_pair(status: int, body: bytes) -> tuple[Callable[[], object], Callable[[], object]]:
    ours = PlaidSessionClient(
        client_id="bench-id",
        secret="bench-secret",
        base_url=BASE_URL,
        transport=_transport(status, body),
    )
    raw = httpx.Client(base_url=BASE_URL, transport=_transport(status, body))

    def ours_call() -> object:
        try:
            return ours.session_token_create(body=_body())
        except APIStatusError as error:
            return error

    def raw_call() -> object:
        response = raw.post("/session/token/create", json=REQUEST, headers=HEADERS)
        data = response.json()
        return data if response.is_success else (response.status_code, data)

    return ours_call, raw_call


def _async_pair(
    status: int, body: bytes
) -> tuple[Callable[[], Awaitable[object]], Callable[[], Awaitable[object]]]:
    ours = AsyncPlaidSessionClient(
        client_id="bench-id",
        secret="bench-secret",
        base_url=BASE_URL,
        transport=_transport(status, body),
    )
    raw = httpx.AsyncClient(base_url=BASE_URL, transport=_transport(status, body))

    async def ours_call() -> object:
        try:
            return await ours.session_token_create(body=_body())
        except APIStatusError as error:
            return error

    async def raw_call() -> object:
        response = await raw.post("/session/token/create", json=REQUEST, headers=HEADERS)
        data = response.json()
        return data if response.is_success else (response.status_code, data)

    return ours_call, raw_call


def _warm_up(ours_call: Callable[[], object], raw_call: Callable[[], object]) -> None:
    # Long enough for the first figure not to pay for cold caches and CPU frequency ramp-up.
    deadline = time.perf_counter() + WARM_UP_SECONDS
    while time.perf_counter() < deadline:
        ours_call(), raw_call()


async def _async_rounds(
    ours_call: Callable[[], Awaitable[object]], raw_call: Callable[[], Awaitable[object]]
) -> tuple[list[float], list[float]]:
    deadline = time.perf_counter() + WARM_UP_SECONDS
    while time.perf_counter() < deadline:
        await ours_call()
        await raw_call()
    ours, raw = [], []
    for _ in range(ROUNDS):
        ours.append(await _per_call_us_async(ours_call))
        raw.append(await _per_call_us_async(raw_call))
    return ours, raw


def measure(notes: list[str]) -> list[Figure]:
    section = "Client call overhead (in-memory transport)"
    figures = []
    for path, status, body in (("success", 200, SUCCESS), ("error", 400, ERROR)):
        ours_call, raw_call = _sync_pair(status, body)
        _warm_up(ours_call, raw_call)
        ours, raw = [], []
        for _ in range(ROUNDS):
            ours.append(_per_call_us(ours_call))
            raw.append(_per_call_us(raw_call))
        figures.append(_figure(section, f"sync, {path}", ours, raw))

        a_ours_call, a_raw_call = _async_pair(status, body)
        a_ours, a_raw = asyncio.run(_async_rounds(a_ours_call, a_raw_call))
        figures.append(_figure(section, f"asyncio, {path}", a_ours, a_raw))
    return figures


def _figure(section: str, name: str, ours: list[float], raw: list[float]) -> Figure:
    return Figure(
        section,
        name,
        ratio_rounds(ours, raw),
        "× raw httpx",
        f"{Spread.of(ours).format(1)} µs/call",
        f"raw httpx {Spread.of(raw).format(1)} µs/call",
        at_most(1.05, "≤ 1.05×"),
    )
