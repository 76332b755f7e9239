"""``python -m tests.mutation [--ci] [--only NAME ...]`` (``nox -s mutation``): the contract
suite's PR profile against every mutant and compatible variant of the offline sandbox.

A mutant is killed when the run fails (or, for a target no case can judge, stops as it must:
refused at the preflight, inconclusive); a variant must pass (its observations and, for Plaid-side
trouble, its instability listed). The score
is killed / mutants; the harness exits 1 below 100 % or with any false positive (a variant that
failed, or one whose assumption was not observed), 2 on bad arguments. Every run is
``run --in-process --assumptions observe``: the mutants stand for a real Sandbox, against which
ASSUMED rules are observations, never failures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from tests.forked_runs import run_module
from tests.mutation.mutants import BY_NAME, MUTANTS, Mutant

REPO_ROOT: Final = Path(__file__).resolve().parents[2]
DEFAULT_REPORTS: Final = REPO_ROOT / "reports" / "mutation"
# In Plaid's formats and not the sandbox's defaults, with a Dashboard-style template: what the
# nightly job is given. Canaries too: tests check they appear in no report.
CLIENT_ID: Final = "6a1c0e5b9f3d2a7c4e8b1d0f"
SECRET: Final = "3e9a7c5b1d0f2e4a6c8b0d9f1e3a5c"
TEMPLATE_ID: Final = "template_b4r9mQ2kX7tz"
# Above the 2 s latency variant, below the stalling mutant's 8 s.
REQUEST_TIMEOUT_SECONDS: Final = 5
RUN_TIMEOUT_SECONDS: Final = 240
KEPT_FILES: Final = ("summary.md", "summary.json")


@dataclass
class Outcome:
    mutant: Mutant
    verdict: str  # the run's: passed, failed, error...
    seconds: float
    failed_checks: list[str] = field(default_factory=list)
    observed: list[str] = field(default_factory=list)  # assumption tags
    detail: str = ""
    unstable: int = 0  # requests listed under Target instability

    @property
    def killed(self) -> bool:
        """The run did not pass: it failed, or stopped as the mutant's verdict says it must."""
        return self.verdict == "failed" or (
            self.verdict != "passed" and self.verdict == self.mutant.expected_verdict
        )

    @property
    def caught_as_expected(self) -> bool:
        if self.mutant.expected_verdict != "failed":
            return self.verdict == self.mutant.expected_verdict
        return any(check in self.failed_checks for check in self.mutant.expect)

    @property
    def missing_observations(self) -> list[str]:
        return [tag for tag in self.mutant.expect if tag not in self.observed]

    @property
    def status(self) -> str:
        if self.verdict not in ("passed", "failed", self.mutant.expected_verdict):
            return f"ERROR ({self.verdict})"
        if self.mutant.compatible:
            if self.verdict != "passed":
                return "FALSE POSITIVE"
            if self.missing_observations:
                return "NOT OBSERVED"
            return (
                "NOT LISTED AS UNSTABLE" if self.mutant.unstable and not self.unstable else "passed"
            )
        if not self.killed:
            return "SURVIVED"
        return "killed" if self.caught_as_expected else "killed (not as expected)"

    @property
    def ok(self) -> bool:
        return self.status in ("passed", "killed")


def run_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAID_")}
    env.update(
        {
            "PLAID_CLIENT_ID": CLIENT_ID,
            "PLAID_SECRET": SECRET,
            "PLAID_TEMPLATE_ID": TEMPLATE_ID,
        }
    )
    return env


def run_mutant(mutant: Mutant, reports: Path) -> Outcome:
    directory = reports / "runs" / mutant.name
    shutil.rmtree(directory, ignore_errors=True)
    options = [
        mutant.name,
        "--assumptions",
        "observe",
        "--request-timeout",
        str(REQUEST_TIMEOUT_SECONDS),
        "--reports-dir",
        str(directory),
        *mutant.options,
    ]
    started = time.monotonic()
    try:
        completed = run_module(
            "tests.mutation.run_one",
            options,
            env=run_env(),
            cwd=REPO_ROOT,
            timeout=RUN_TIMEOUT_SECONDS,
        )
        output = completed.stdout + completed.stderr
    except subprocess.TimeoutExpired:
        return Outcome(mutant, "timeout", time.monotonic() - started)
    seconds = time.monotonic() - started
    summary_path = directory / "summary.json"
    if not summary_path.exists():
        return Outcome(mutant, "error", seconds, detail=output[-800:])
    summary: dict[str, Any] = json.loads(summary_path.read_text(encoding="utf-8"))
    for path in directory.iterdir():
        if path.name not in KEPT_FILES:
            path.unlink()
    failed = sorted({item["check"] for item in summary["failures"]})
    if not failed and summary["test_errors"]:
        failed = ["(test errors)"]
    observed = sorted({item["tag"] or "untagged" for item in summary["observations"]})
    unstable = summary["instability"]["transient_requests"]
    return Outcome(mutant, summary["verdict"], seconds, failed, observed, unstable=unstable)


def render(outcomes: list[Outcome], wall: float, subset: str) -> str:
    mutants = [o for o in outcomes if not o.mutant.compatible]
    variants = [o for o in outcomes if o.mutant.compatible]
    killed = sum(o.killed for o in mutants)
    false_positives = sum(not o.ok for o in variants)
    score = 100.0 * killed / len(mutants) if mutants else 100.0
    lines = [
        f"# Mutation score: {score:.0f} % ({killed}/{len(mutants)} mutants killed), "
        f"{false_positives} false positive(s) among {len(variants)} compatible variants",
        "",
        f"Subset: {subset}; {len(outcomes)} runs of the PR profile (`run --in-process "
        f"--assumptions observe`), {wall:.0f} s wall.",
        "",
        "| Mutant | Category | Verdict | Outcome | Failed checks | Observed | Unstable | s |",
        "|---|---|---|---|---|---|---:|---:|",
    ]
    for outcome in outcomes:
        checks = ", ".join(f"`{name}`" for name in outcome.failed_checks) or "-"
        observed = ", ".join(outcome.observed) or "-"
        lines.append(
            f"| `{outcome.mutant.name}` | {outcome.mutant.category} | {outcome.verdict} | "
            f"{outcome.status} | {checks} | {observed} | {outcome.unstable} | "
            f"{outcome.seconds:.1f} |"
        )
    survivors = [o.mutant.name for o in mutants if not o.killed]
    lines += [
        "",
        f"Survivors: {', '.join(survivors) or 'none'}.",
        "False positives: "
        + (", ".join(o.mutant.name for o in variants if not o.ok) or "none")
        + ".",
        "",
        "## What each one is",
        "",
    ]
    lines += [f"- `{o.mutant.name}`: {o.mutant.what}." for o in outcomes]
    errors = [o for o in outcomes if o.detail]
    for outcome in errors:
        lines += [
            "",
            f"### `{outcome.mutant.name}` did not run",
            "",
            "```text",
            outcome.detail,
            "```",
        ]
    return "\n".join(lines) + "\n"


def select(ci: bool, only: Sequence[str]) -> list[Mutant]:
    if only:
        unknown = [name for name in only if name not in BY_NAME]
        if unknown:
            raise SystemExit(f"error: unknown mutant(s): {', '.join(unknown)}")
        return [BY_NAME[name] for name in only]
    return [mutant for mutant in MUTANTS if mutant.ci or not ci]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutation", description=__doc__)
    parser.add_argument("--ci", action="store_true", help="the CI-sized subset only")
    parser.add_argument("--only", nargs="+", default=(), metavar="NAME", help="these mutants")
    # Twice the cores: the slowest runs (stalls, latency-2s) mostly wait on the clock.
    parser.add_argument("--jobs", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--reports-dir", type=Path, default=DEFAULT_REPORTS)
    args = parser.parse_args(argv)
    chosen = select(args.ci, args.only)
    reports = args.reports_dir.resolve()
    reports.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    # Slowest first, so the workers finish together.
    order = sorted(chosen, key=lambda m: m.name not in ("stalls", "latency-2s"))
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        done = {o.mutant.name: o for o in pool.map(lambda m: run_mutant(m, reports), order)}
    outcomes = [done[mutant.name] for mutant in chosen]
    subset = "CI" if args.ci else ("--only" if args.only else "all")
    text = render(outcomes, time.monotonic() - started, subset)
    (reports / "mutation.md").write_text(text, encoding="utf-8")
    (reports / "mutation.json").write_text(
        json.dumps(
            [
                {
                    "mutant": o.mutant.name,
                    "category": o.mutant.category,
                    "compatible": o.mutant.compatible,
                    "outcome": o.status,
                    "failed_checks": o.failed_checks,
                    "observed": o.observed,
                    "unstable": o.unstable,
                    "seconds": round(o.seconds, 1),
                }
                for o in outcomes
            ],
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(text, end="")
    print(f"mutation: report {reports / 'mutation.md'}")
    return 0 if all(outcome.ok for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
