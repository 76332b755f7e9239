"""The contract suite's speed (in-process vs loopback), the PR run's wall time, and canaries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from plaid_tools.bench.figures import Figure, Spread, at_least, at_most, ratio_rounds

ROUNDS = 3
# In Plaid's formats (24 / 30 lowercase hex), which the offline sandbox requires.
CANARY_CLIENT_ID = "ca4a2eb3e4c45e1f0aca4a2e"
CANARY_SECRET = "ca4a2eb3e4c4b7c2d9ca4a2eb3e4c4"


def _run(
    reports: Path, *extra: str, env: dict[str, str] | None = None
) -> tuple[dict[str, object], float, str]:
    """One PR-profile contract run; returns summary.json, wall seconds and captured output."""
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


def _cases_per_second(summary: dict[str, object]) -> float:
    cases = summary["cases"]
    assert isinstance(cases, dict)
    # The test phase alone when the runner reports it, else the whole run.
    seconds = summary.get("test_seconds") or summary["duration_seconds"]
    return sum(int(n) for n in cases.values()) / float(seconds)  # type: ignore[arg-type]


def measure(notes: list[str]) -> list[Figure]:
    in_process, loopback, walls = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(ROUNDS):
            summary, _, _ = _run(Path(tmp) / f"in-process-{index}", "--in-process")
            in_process.append(_cases_per_second(summary))
            summary, wall, _ = _run(Path(tmp) / f"loopback-{index}")
            loopback.append(_cases_per_second(summary))
            walls.append(wall)
    section = "Contract suite (PR profile, offline, every check on)"
    return [
        Figure(
            section,
            "cases per second in-process",
            Spread.of(in_process),
            "cases/s",
            "in-process app",
            "absolute (target is absolute)",
            at_least(150, "≥ 150 cases/s"),
        ),
        Figure(
            section,
            "in-process / loopback cases per second",
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
            at_most(60, "≤ 60 s"),
        ),
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
