"""The contract suite's speed against schemathesis' own CLI, the PR run's wall time, and canaries.

Baseline, in the same run and interleaved: ``st run`` on the same spec, the same offline sandbox
(one process on loopback for both), the same phases (examples, coverage, fuzzing) and fuzzing
examples as the nightly profile, every check on, no shrinking (the suite never shrinks either).
Both are measured as a user runs them: process start to exit, cases per wall second. The suite's
cases include its client tests; the CLI's are what it reports as generated.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from plaid_offline_sandbox.config import DEFAULT_CLIENT_ID, DEFAULT_SECRET, DEFAULT_TEMPLATE_ID

from plaid_tools import paths
from plaid_tools.bench.figures import Figure, Spread, at_least, at_most, ratio_rounds
from plaid_tools.bench.servers import offline_sandbox

ROUNDS = 3
NIGHTLY_SEED = 424242
NIGHTLY_FUZZING_EXAMPLES = 500  # settings.PROFILES["nightly"]
# In Plaid's formats (24 / 30 lowercase hex), which the offline sandbox requires.
CANARY_CLIENT_ID = "ca4a2eb3e4c45e1f0aca4a2e"
CANARY_SECRET = "ca4a2eb3e4c4b7c2d9ca4a2eb3e4c4"
OFFLINE_ENV = {
    "PLAID_CLIENT_ID": DEFAULT_CLIENT_ID,
    "PLAID_SECRET": DEFAULT_SECRET,
    "PLAID_TEMPLATE_ID": DEFAULT_TEMPLATE_ID,
}
_GENERATED = re.compile(r"(\d+) generated")


def _run(
    reports: Path, *extra: str, env: dict[str, str] | None = None
) -> tuple[dict[str, object], float, str]:
    """One contract run; returns summary.json, wall seconds and captured output."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "plaid_contracts", "run", "--reports-dir", str(reports), *extra],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    wall = time.perf_counter() - started
    summary_path = reports / "summary.json"
    if not summary_path.exists():
        raise RuntimeError(
            f"contract run wrote no summary (exit {result.returncode}):\n"
            f"{result.stdout[-2000:]}{result.stderr[-2000:]}"
        )
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    if summary.get("verdict") != "passed":
        raise RuntimeError(f"contract run did not pass: {summary.get('verdict')}")
    return summary, wall, result.stdout + result.stderr


def _cli_run(base_url: str, workdir: Path) -> tuple[int, float]:
    """schemathesis' CLI on the same spec, target and phases; (cases, wall seconds)."""
    started = time.perf_counter()
    # fmt: off
    result = subprocess.run(
        [
            sys.executable, "-m", "schemathesis.cli", "run", str(paths.SPEC),
            "--url", base_url,
            "--phases", "examples,coverage,fuzzing",
            "--max-examples", str(NIGHTLY_FUZZING_EXAMPLES),
            "--checks", "all",
            "--continue-on-failure",  # a failing check must not end its phase early
            "--no-shrink",
            "--seed", str(NIGHTLY_SEED),
            "--generation-database", "none",
            "-H", f"PLAID-CLIENT-ID: {DEFAULT_CLIENT_ID}",
            "-H", f"PLAID-SECRET: {DEFAULT_SECRET}",
        ],
        capture_output=True,
        text=True,
        cwd=workdir,  # it writes .schemathesis/ and .hypothesis/ there
        env=os.environ.copy(),
    )
    # fmt: on
    wall = time.perf_counter() - started
    found = _GENERATED.search(result.stdout)
    if found is None:
        raise RuntimeError(f"st run printed no case count (exit {result.returncode})")
    return int(found.group(1)), wall


def measure(notes: list[str]) -> list[Figure]:
    suite_rates, cli_rates, suite_direct = [], [], []
    in_process, loopback, walls = [], [], []
    with tempfile.TemporaryDirectory() as tmp, offline_sandbox() as sandbox:
        for index in range(ROUNDS):
            summary, wall, _ = _run(
                Path(tmp) / f"nightly-{index}",
                "--base-url",
                sandbox.base_url,
                "--profile",
                "nightly",
                "--seed",
                str(NIGHTLY_SEED),
                env=OFFLINE_ENV,
            )
            cases = float(summary["total_cases"])  # type: ignore[arg-type]
            suite_rates.append(cases / wall)
            suite_direct.append(float(summary["cases_per_second"]))  # type: ignore[arg-type]
            cli_cases, cli_wall = _cli_run(sandbox.base_url, Path(tmp))
            cli_rates.append(cli_cases / cli_wall)
            summary, _, _ = _run(Path(tmp) / f"in-process-{index}", "--in-process")
            in_process.append(float(summary["cases_per_second"]))  # type: ignore[arg-type]
            summary, wall, _ = _run(Path(tmp) / f"loopback-{index}")
            loopback.append(float(summary["cases_per_second"]))  # type: ignore[arg-type]
            walls.append(wall)
    section = "Contract suite (offline, every check on)"
    suite, cli = Spread.of(suite_rates), Spread.of(cli_rates)
    return [
        Figure(
            section,
            "cases per second vs schemathesis' CLI, nightly profile, wall (process start to exit)",
            ratio_rounds(suite_rates, cli_rates),
            "× st run",
            f"suite {suite.format(0)} cases/s (its client tests included)",
            f"st run {cli.format(0)} cases/s, same spec, sandbox, phases, examples",
            at_least(1.8, "≥ 1.8×"),
        ),
        Figure(
            section,
            "suite cases per second, nightly profile, test phase only",
            Spread.of(suite_direct),
            "cases/s",
            "pytest alone: no process start, no reports",
            "absolute",
        ),
        Figure(
            section,
            "in-process / loopback cases per second, PR profile",
            ratio_rounds(in_process, loopback),
            "× loopback",
            f"{Spread.of(in_process).format(0)} cases/s",
            f"loopback {Spread.of(loopback).format(0)} cases/s",
        ),
        Figure(
            section,
            "PR run wall time (nox -s contracts' work)",
            Spread.of(walls),
            "s",
            "loopback, sandbox start included",
            "absolute (target is absolute)",
            at_most(30, "≤ 30 s"),
        ),
    ]


def _session_run(reports: Path) -> tuple[float, dict[str, Any]]:
    """`nox -s contracts` as the README's reader types it; (wall seconds, summary.json)."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(paths.ROOT / "scripts" / "nox_pinned.py"), "-s", "contracts", "--",
         "--reports-dir", str(reports)],
        capture_output=True,
        check=True,
        cwd=paths.ROOT,
    )  # fmt: skip
    wall = time.perf_counter() - started
    summary: dict[str, Any] = json.loads((reports / "summary.json").read_text(encoding="utf-8"))
    return wall, summary


def startup(notes: list[str]) -> list[Figure]:
    """Where the wall time of a PR run goes, from the user's command to its exit."""
    with tempfile.TemporaryDirectory() as tmp:
        _session_run(Path(tmp) / "warm-up")  # installs the session's venv if it is out of date
        rounds = [_session_run(Path(tmp) / f"round-{index}") for index in range(ROUNDS)]
    walls = [wall for wall, _ in rounds]
    summaries = [summary for _, summary in rounds]
    section = "Contract suite (offline, every check on)"

    def part(name: str, values: list[float], what: str) -> Figure:
        return Figure(section, f"of which {name}", Spread.of(values), "s", what, "absolute")

    def phase(name: str) -> list[float]:
        return [s["test_phase_seconds"][name] for s in summaries]

    return [
        Figure(
            section,
            "`nox -s contracts` wall, venv up to date, PR profile",
            Spread.of(walls),
            "s",
            "command typed to exit, loopback sandbox",
            "absolute (target is absolute)",
            at_most(5, "≤ 5 s"),
        ),
        part(
            "nox, interpreter start, imports, reports",
            [wall - s["duration_seconds"] for wall, s in rounds],
            "outside the run's own clock",
        ),
        part(
            "sandbox start and set-up",
            [s["duration_seconds"] - s["test_seconds"] for s in summaries],
            "loopback process listening",
        ),
        part(
            "pytest start-up and teardown",
            [a + b for a, b in zip(phase("pytest_startup"), phase("pytest_teardown"), strict=True)],
            "plugins, junit",
        ),
        part(
            "collection", phase("collection"), "spec load, schemathesis' examples, coverage cases"
        ),
        part("cases", phase("tests"), "requests sent and judged"),
    ]


def canary(notes: list[str]) -> list[Figure]:
    """A full contract run with canary credentials: count their appearances everywhere."""
    canaries = (CANARY_CLIENT_ID, CANARY_SECRET)
    env = {"PLAID_CLIENT_ID": CANARY_CLIENT_ID, "PLAID_SECRET": CANARY_SECRET}
    with tempfile.TemporaryDirectory() as tmp:
        reports = Path(tmp) / "reports"
        _, _, output = _run(reports, env=env)
        artifacts = [p for p in reports.rglob("*") if p.is_file()]
        hits = sum(path.read_bytes().count(c.encode()) for path in artifacts for c in canaries)
        hits += sum(output.count(c) for c in canaries)
    return [
        Figure(
            "Reliability",
            "canary-secret hits in a full contract run",
            Spread.of([float(hits)]),
            "occurrences",
            f"{len(artifacts)} artifacts + stdout/stderr scanned",
            "0 expected",
            at_most(0, "0"),
        ),
    ]
