"""``run``: start the target if needed, run the suite, write reports, swap them in.

Reports are written into a staging folder next to the reports folder and swapped in at the end,
also after a failure or Ctrl-C, so a reader never sees half of one run mixed with another.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from plaid_contracts import report
from plaid_contracts import settings as settings_module
from plaid_contracts.paths import SUITE_DIR
from plaid_contracts.recorder import Recorder
from plaid_contracts.report import RunOutcome
from plaid_contracts.sandbox_process import SandboxProcess, SandboxStartError
from plaid_contracts.sanitize import Masker
from plaid_contracts.settings import RunContext, RunSettings
from plaid_contracts.stats import RunStats
from plaid_contracts.targets import Target, TargetKind
from plaid_contracts.throttle import Throttle
from plaid_contracts.transport import ContractSession, ContractTransport

EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
PER_TEST_TIMEOUT_SECONDS = 3 * 60 * 60  # hang protection only; nightly remote runs are slow


@dataclass(frozen=True)
class RunRequest:
    """What the CLI decided; the offline target's URL is known only once the sandbox is up."""

    settings: RunSettings
    reports_dir: Path


def staging_dir_for(reports_dir: Path) -> Path:
    return reports_dir.parent / f".{reports_dir.name}.staging-{os.getpid()}"


def swap_in(staging: Path, reports_dir: Path) -> None:
    """Replace the previous run's folder by this run's, never leaving a mixed folder."""
    previous = reports_dir.parent / f".{reports_dir.name}.previous-{os.getpid()}"
    if reports_dir.exists():
        reports_dir.rename(previous)
    staging.rename(reports_dir)
    if previous.exists():
        shutil.rmtree(previous, ignore_errors=True)


def scrub(directory: Path, masker: Masker) -> list[str]:
    """Last line of defence: replace any credential value still found in a report file.

    Finding one is a masking bug (every writer masks at the source); the run reports it loudly.
    """
    leaked: list[str] = []
    values = [value.encode("utf-8") for value in masker.known_values()]
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if any(value in data for value in values):
            text = data.decode("utf-8", errors="replace")
            path.write_text(masker.text(text), encoding="utf-8")
            leaked.append(path.name)
    return leaked


def _pytest_args(settings: RunSettings, staging: Path) -> list[str]:
    args = [
        str(SUITE_DIR),
        f"--rootdir={SUITE_DIR}",
        "-c",
        str(SUITE_DIR / "pytest.ini"),
        "-p",
        "no:cacheprovider",
        f"--junitxml={staging / report.JUNIT_XML}",
        "-o",
        "junit_suite_name=plaid_contracts",
        "-o",
        f"timeout={PER_TEST_TIMEOUT_SECONDS}",
        "-q",
        # anyio (imported by httpx before pytest starts) cannot be assertion-rewritten: noise.
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
    ]
    if not settings.profile.deterministic:
        args.append(f"--hypothesis-seed={settings.seed}")
    return args


def _verdict(exit_code: int | pytest.ExitCode, stats: RunStats) -> tuple[str, int]:
    if exit_code == pytest.ExitCode.INTERRUPTED:
        # pytest also "interrupts" on collection errors; only Ctrl-C is an interruption.
        return ("interrupted", EXIT_INTERRUPTED) if stats.interrupted else ("error", EXIT_FAILED)
    if exit_code == pytest.ExitCode.OK and not stats.has_contract_failure:
        return "passed", EXIT_PASSED
    if exit_code == pytest.ExitCode.TESTS_FAILED or stats.has_contract_failure:
        return "failed", EXIT_FAILED
    # Collection errors, usage or internal errors, nothing collected: the suite did not run.
    return "error", EXIT_FAILED


def execute(request: RunRequest) -> int:
    settings = request.settings
    reports_dir = request.reports_dir.resolve()
    reports_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_dir_for(reports_dir)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()

    masker = Masker(settings.credentials)
    recorder = Recorder(masker)
    stats = RunStats()
    throttle = Throttle(settings.rate)
    started = time.monotonic()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    sandbox: SandboxProcess | None = None
    exit_code: int | pytest.ExitCode = pytest.ExitCode.INTERNAL_ERROR
    detail = ""
    try:
        if settings.target.kind is TargetKind.OFFLINE:
            sandbox = SandboxProcess(
                settings.credentials,
                settings.template_id,
                settings.token_lifetime_seconds,
                staging / report.SANDBOX_LOG,
            )
            sandbox.start()
            settings = _with_target(settings, Target(sandbox.base_url, TargetKind.OFFLINE))
        print(
            f"contracts: target {settings.target.describe}, profile {settings.profile.name}, "
            f"seed {settings.seed}",
            flush=True,
        )
        context = RunContext(
            settings=settings,
            recorder=recorder,
            stats=stats,
            throttle=throttle,
            session=ContractSession(throttle, recorder, settings.backoff),
            probe_session=ContractSession(throttle, recorder, settings.backoff, source="probe"),
            client_transport=ContractTransport(throttle, recorder, settings.backoff),
            staging_dir=staging,
        )
        settings_module.set_current(context)
        try:
            exit_code = pytest.main(_pytest_args(settings, staging))
        finally:
            settings_module.set_current(None)
            stats.retried_429 = (
                context.session.retried_429
                + context.probe_session.retried_429
                + context.client_transport.retried_429
            )
    except SandboxStartError as exc:
        detail = str(exc)
    except KeyboardInterrupt:
        exit_code = pytest.ExitCode.INTERRUPTED
        stats.interrupted = True
        detail = "interrupted before the suite finished"
    finally:
        if sandbox is not None:
            sandbox.stop()
        verdict, code = _verdict(exit_code, stats)
        if verdict == "error" and not detail:
            detail = "the suite could not run to the end: see the test errors below"
        outcome = RunOutcome(
            verdict=verdict,
            pytest_exit_code=int(exit_code),
            duration_seconds=time.monotonic() - started,
            started_at=started_at,
            requests_recorded=len(recorder),
            detail=detail,
        )
        summary_path = _write_reports(
            staging, reports_dir, settings, stats, recorder, outcome, masker
        )
    _print_result(summary_path, verdict, stats, outcome)
    if stats.notes and code == EXIT_PASSED:
        code = EXIT_FAILED
    return code


def _with_target(settings: RunSettings, target: Target) -> RunSettings:
    from dataclasses import replace

    return replace(settings, target=target)


def _write_reports(
    staging: Path,
    reports_dir: Path,
    settings: RunSettings,
    stats: RunStats,
    recorder: Recorder,
    outcome: RunOutcome,
    masker: Masker,
) -> Path:
    recorder.write(
        staging / report.CASSETTE,
        {
            "target": {"base_url": settings.target.base_url, "kind": settings.target.kind.value},
            "template_id": settings.template_id,
            "profile": settings.profile.name,
            "seed": settings.seed,
            "recorded_at": outcome.started_at,
        },
    )
    report.write(staging, settings, stats, outcome)
    leaked = scrub(staging, masker)
    if leaked:
        stats.notes.append(
            "MASKING BUG: a credential value was found and scrubbed in " + ", ".join(leaked)
        )
        print(f"contracts: {stats.notes[-1]}", file=sys.stderr)
        report.write(staging, settings, stats, outcome)
    swap_in(staging, reports_dir)
    return reports_dir / report.SUMMARY_MD


def _print_result(summary_path: Path, verdict: str, stats: RunStats, outcome: RunOutcome) -> None:
    cases = sum(stats.cases.values())
    checks_failed = sum(t.failed for t in stats.checks.values())
    print(f"contracts: summary {summary_path}")
    print(
        f"contracts: {verdict.upper()}: {cases} cases, {outcome.requests_recorded} requests, "
        f"{len(stats.failures)} distinct failure(s) ({checks_failed} failed check results), "
        f"{outcome.duration_seconds:.1f} s",
        flush=True,
    )
