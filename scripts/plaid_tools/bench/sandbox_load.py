"""Offline sandbox throughput and latency over loopback, with Prism serving our spec as the peer."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager

from plaid_offline_sandbox.config import DEFAULT_CLIENT_ID, DEFAULT_SECRET, DEFAULT_TEMPLATE_ID

from plaid_tools import paths
from plaid_tools.bench import load, servers
from plaid_tools.bench.figures import Figure, Spread, at_least, at_most, ratio_rounds

SECTION = "Offline sandbox under load (loopback, one worker)"
CONCURRENCY = (1, 16, 64)
ROUND_SECONDS = 3.0
ROUNDS = 3
# What a client sends: a valid request with credentials in headers (every validation runs).
CLIENT_ID, SECRET, TEMPLATE_ID = DEFAULT_CLIENT_ID, DEFAULT_SECRET, DEFAULT_TEMPLATE_ID
VALID = load.Request(
    body=json.dumps(
        {"template_id": TEMPLATE_ID, "user": {"client_user_id": "bench-user"}}
    ).encode(),
    headers={
        "Content-Type": "application/json",
        "PLAID-CLIENT-ID": CLIENT_ID,
        "PLAID-SECRET": SECRET,
        "Plaid-Version": "2020-09-14",
    },
)


def _rounds(server: AbstractContextManager[servers.Server], c: int) -> list[load.LoadResult]:
    with server as running:
        load.run(running.base_url, VALID, connections=c, seconds=1)  # warm-up
        return [
            load.run(running.base_url, VALID, connections=c, seconds=ROUND_SECONDS)
            for _ in range(ROUNDS)
        ]


def measure(notes: list[str]) -> list[Figure]:
    generator = load.generator_name()
    notes.append(f"Load generator: {generator}.")
    prism = servers.prism_command()
    if isinstance(prism, str):
        notes.append(prism)
    else:
        notes.append(
            f"Prism {servers.PRISM_VERSION} mocks openapi/plaid-session-token.yaml: it validates "
            "the request against the spec and answers the spec's example (no Plaid rules)."
        )
    figures: list[Figure] = []
    for c in CONCURRENCY:
        ours = _rounds(servers.offline_sandbox(), c)
        ours_rps = [r.rps for r in ours]
        ours_p99 = [r.p99_ms for r in ours]
        figures.append(
            Figure(
                SECTION,
                f"p99 latency, concurrency {c}",
                Spread.of(ours_p99),
                "ms",
                f"p50 {Spread.of([r.p50_ms for r in ours]).format()} ms",
                "absolute (target is absolute)",
                at_most(10.0, "≤ 10 ms") if c == 16 else None,
            )
        )
        if isinstance(prism, str):
            figures.append(
                Figure(
                    SECTION,
                    f"throughput, concurrency {c}",
                    Spread.of(ours_rps),
                    "req/s",
                    "offline sandbox",
                    "Prism skipped",
                    None,
                    prism,
                )
            )
            continue
        theirs = _rounds(servers.prism(paths.SPEC, prism), c)
        figures.append(
            Figure(
                SECTION,
                f"throughput vs Prism, concurrency {c}",
                ratio_rounds(ours_rps, [r.rps for r in theirs]),
                "× Prism",
                f"{Spread.of(ours_rps).format(0)} req/s",
                f"Prism {Spread.of([r.rps for r in theirs]).format(0)} req/s",
                at_least(3.0, "≥ 3×") if c == 16 else None,
            )
        )
    return figures


def reliability(notes: list[str]) -> list[Figure]:
    """10,000 valid requests at concurrency 64: errors, 5xx and memory before/after."""
    section = "Reliability"
    with servers.offline_sandbox() as running:
        before = servers.rss_kib(running.pid)
        result = load.run(
            running.base_url, VALID, connections=64, seconds=12, total_requests=10_000
        )
        after = servers.rss_kib(running.pid)
    failures = result.errors + result.non_2xx
    return [
        Figure(
            section,
            "10,000 requests at concurrency 64: requests answered",
            Spread.of([float(result.requests)]),
            "requests",
            "offline sandbox",
            "10,000 sent",
            at_least(10_000, "= 10,000"),
        ),
        Figure(
            section,
            "… failed (socket errors + non-2xx)",
            Spread.of([float(failures)]),
            "requests",
            f"{result.errors} socket errors, {result.non_2xx} non-2xx",
            "0 expected",
            at_most(0, "0"),
        ),
        Figure(
            section,
            "… RSS after / before",
            Spread.of([after / before if before else 0.0]),
            "× before",
            f"{after / 1024:.1f} MiB after",
            f"{before / 1024:.1f} MiB before",
            at_most(1.5, "≤ 1.5× (no leak)"),
        ),
    ]
