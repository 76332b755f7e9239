"""Offline sandbox speed against its physical ceiling: a bare uvicorn app on the same options.

Both servers run side by side, one worker each, and are loaded in interleaved rounds with the
same request; the bare app answers the status and bytes the sandbox answers to that request, so
the ratio is what validation and answer building cost. Success and error requests are measured
apart, and a load whose answers are not all what it is named for fails its figure.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import httpx

from plaid_tools.bench import load, servers
from plaid_tools.bench.figures import Figure, Goal, Spread, at_least, ratio_rounds
from plaid_tools.bench.sandbox_load import VALID

SECTION = "Offline sandbox speed vs bare uvicorn (loopback, one worker, concurrency 16)"
CONNECTIONS = 16
ROUND_SECONDS = 3.0
ROUNDS = 7
# Well-formed credentials the sandbox does not accept: every check up to the pair runs.
UNKNOWN_SECRET = "0a1b2c3d4e5f60718293a4b5c6d7e8"
ERROR = load.Request(VALID.body, {**VALID.headers, "PLAID-SECRET": UNKNOWN_SECRET})
KINDS: dict[str, tuple[load.Request, int, str]] = {
    # kind: (request, expected status, expected error_code or "")
    "success": (VALID, 200, ""),
    "error": (ERROR, 400, "INVALID_API_KEYS"),
}


def _answer(base_url: str, request: load.Request, status: int, code: str) -> bytes:
    """The sandbox's answer to `request`, checked to be the kind the load is named for."""
    response = httpx.post(base_url + load.PATH, content=request.body, headers=request.headers)
    if response.status_code != status or (code and response.json()["error_code"] != code):
        raise RuntimeError(f"expected {status} {code}, got {response.status_code}: {response.text}")
    return response.content


def _all(expected: int, results: list[load.LoadResult]) -> str | None:
    """Why the rounds do not count (socket errors, answers of the wrong class), or None."""
    errors = sum(r.errors for r in results)
    non_2xx = sum(r.non_2xx for r in results)
    total = sum(r.requests for r in results)
    wrong = non_2xx if expected < 300 else total - non_2xx
    if errors or wrong:
        return f"{errors} socket errors, {wrong} of {total} answers not {expected}"
    return None


def _failed(reason: str) -> Goal:
    return Goal(f"all answers {reason}", lambda value: False)


def _interleaved(pairs: dict[str, str], request: load.Request) -> dict[str, list[load.LoadResult]]:
    results: dict[str, list[load.LoadResult]] = {name: [] for name in pairs}
    for url in pairs.values():  # warm-up
        load.run(url, request, connections=CONNECTIONS, seconds=1)
    for _ in range(ROUNDS):
        for name, url in pairs.items():
            results[name].append(
                load.run(url, request, connections=CONNECTIONS, seconds=ROUND_SECONDS)
            )
    return results


def measure(notes: list[str]) -> list[Figure]:
    notes.append(
        f"Sandbox speed: load generator {load.generator_name()}, {ROUNDS} interleaved rounds of "
        f"{ROUND_SECONDS:g} s per server; the bare app is plaid_tools/bench/bare_app.py."
    )
    figures: list[Figure] = []
    with servers.offline_sandbox() as sandbox:
        for kind, (request, status, code) in KINDS.items():
            body = _answer(sandbox.base_url, request, status, code)
            with servers.bare_app(body, status) as bare:
                results = _interleaved(
                    {"sandbox": sandbox.base_url, "bare": bare.base_url}, request
                )
            figures += _kind_figures(kind, status, results)
    figures.append(_access_log_cost())
    return figures


def _kind_figures(
    kind: str, status: int, results: dict[str, list[load.LoadResult]]
) -> list[Figure]:
    ours, bare = results["sandbox"], results["bare"]
    ours_rps, bare_rps = [r.rps for r in ours], [r.rps for r in bare]
    problem = _all(status, ours) or _all(status, bare)
    target = _failed(problem) if problem else at_least(0.7, "≥ 0.7×")
    p99 = Spread.of([r.p99_ms for r in ours])
    return [
        Figure(
            SECTION,
            f"throughput vs bare app, {kind} requests (every validation on)",
            ratio_rounds(ours_rps, bare_rps),
            "× bare app",
            f"{Spread.of(ours_rps).format(0)} req/s, all {status}",
            f"bare app {Spread.of(bare_rps).format(0)} req/s",
            target,
            problem or "",
        ),
        Figure(
            SECTION,
            f"p99 latency, {kind} requests",
            p99,
            "ms",
            f"p50 {Spread.of([r.p50_ms for r in ours]).format()} ms",
            f"bare app p99 {Spread.of([r.p99_ms for r in bare]).format()} ms",
        ),
    ]


def _access_log_cost() -> Figure:
    """Throughput with --access-log (lines to a log file) over without it, success requests."""
    with contextlib.ExitStack() as stack:
        log = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "sandbox.log"
        on = stack.enter_context(servers.offline_sandbox(1, "--access-log", log_path=log))
        off = stack.enter_context(servers.offline_sandbox(1))
        results = _interleaved({"on": on.base_url, "off": off.base_url}, VALID)
        lines = log.read_text(encoding="utf-8").count("plaid_offline_sandbox.access")
    problem = _all(200, results["on"]) or _all(200, results["off"])
    answered = sum(r.requests for r in results["on"])
    if not problem and lines < answered:
        problem = f"{lines} access lines for {answered} requests"
    on_rps, off_rps = [r.rps for r in results["on"]], [r.rps for r in results["off"]]
    return Figure(
        SECTION,
        "access log cost: throughput with --access-log / without",
        ratio_rounds(on_rps, off_rps),
        "× without",
        f"{Spread.of(on_rps).format(0)} req/s with, {lines} lines",
        f"{Spread.of(off_rps).format(0)} req/s without",
        _failed(problem) if problem else None,
        problem or "one INFO line per request, to a log file",
    )
