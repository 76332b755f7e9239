"""The long hostile run: tens of thousands of seeded hostile requests, and memory over the run.

The corpus is plaid_tools.fuzz (random bytes and JSON, every field with every JSON type, lone
surrogates, huge numbers and bodies, content-type/length variants, chunked and gzip bodies, odd
methods and paths, HTTP/1.0, pipelining, odd values in every header the sandbox reads, oversized
heads, bytes that are not HTTP). Every answer must be a Plaid-format 4xx or success (or the HTTP
parser's own 400), never a 5xx the client did not ask for with a fault step; resident memory at
the end of the run must stay within 1.1x of what it was after the warm-up.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx
from plaid_offline_sandbox.app import create_app
from plaid_offline_sandbox.config import SandboxConfig

from plaid_tools import fuzz
from plaid_tools.bench import servers
from plaid_tools.bench.figures import Figure, Spread, at_most
from plaid_tools.bench.sandbox_load import VALID

SECTION = "Reliability"
SEED = 20261202
WARM_UP = 5_000
LONG_RUN = 30_000
SAMPLE_EVERY = 5_000
IN_PROCESS = 10_000


def measure(notes: list[str]) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "sandbox.log"
        with servers.offline_sandbox(log_path=log) as running:
            port = int(running.base_url.rsplit(":", 1)[1])
            fuzz.run_over_sockets("127.0.0.1", port, fuzz.requests(SEED, WARM_UP))
            warm = servers.rss_kib(running.pid)
            tally = fuzz.Tally()
            samples: list[int] = []
            for chunk in range(LONG_RUN // SAMPLE_EVERY):
                requests = fuzz.requests(SEED + 1 + chunk, SAMPLE_EVERY)
                fuzz.run_over_sockets("127.0.0.1", port, requests, tally)
                samples.append(servers.rss_kib(running.pid))
            alive = Path(f"/proc/{running.pid}").exists()
            after = httpx.post(
                running.base_url + "/session/token/create",
                content=VALID.body,
                headers=VALID.headers,
            ).status_code
        logged_errors = [line for line in log.read_text().splitlines() if " ERROR " in line]
    in_process = fuzz.run_in_process(
        create_app(SandboxConfig()), fuzz.requests(SEED, IN_PROCESS, in_process=True)
    )
    notes.append(f"Hostile fuzz over loopback (seed {SEED}+): {tally.summary()}.")
    notes.append(f"Hostile fuzz in process (seed {SEED}): {in_process.summary()}.")
    for problem in [*tally.problems[:5], *in_process.problems[:5], *logged_errors[:5]]:
        notes.append(f"Hostile fuzz problem: {problem[:300]}")
    trail = " → ".join(f"{s / warm:.3f}" for s in samples)
    return [
        Figure(
            SECTION,
            f"hostile fuzz over loopback ({tally.requests:,} requests): 5xx to a client's mistake",
            Spread.of([float(tally.unexpected_5xx)]),
            "answers",
            f"{tally.answers:,} answers, {tally.refused_by_server:,} refused by the HTTP parser, "
            f"{tally.deliberate_5xx} deliberate fault 5xx",
            f"server alive: {alive}; a valid request afterwards: {after}",
            at_most(0, "0"),
        ),
        Figure(
            SECTION,
            "… answers not in Plaid's format, and errors in the server's log",
            Spread.of([float(len(tally.problems) + len(logged_errors))]),
            "answers",
            f"{len(tally.problems)} answers, {len(logged_errors)} log lines",
            "0 expected",
            at_most(0, "0"),
        ),
        Figure(
            SECTION,
            f"hostile fuzz in process ({in_process.requests:,} requests): 5xx or wrong answers",
            Spread.of([float(in_process.unexpected_5xx + len(in_process.problems))]),
            "answers",
            f"{in_process.unexpected_5xx} 5xx, {len(in_process.problems)} problems",
            "0 expected",
            at_most(0, "0"),
        ),
        Figure(
            SECTION,
            f"RSS at the end of the long hostile run / after {WARM_UP:,} warm-up requests",
            Spread.of([samples[-1] / warm]),
            "× after warm-up",
            f"{samples[-1] / 1024:.1f} MiB at the end; every {SAMPLE_EVERY:,}: {trail}",
            f"{warm / 1024:.1f} MiB after warm-up",
            at_most(1.1, "≤ 1.1×"),
        ),
    ]
