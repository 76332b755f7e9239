"""``run``: start the target if needed, run the suite, write the reports and swap them in
(reports/staging.py), also after a failure or Ctrl-C."""

from __future__ import annotations

import gc
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from plaid_contracts import operations
from plaid_contracts.commands import preflight
from plaid_contracts.infra.instability import Instability
from plaid_contracts.infra.paths import CONTRACT_SUITE
from plaid_contracts.infra.settings import RunMode, RunSettings
from plaid_contracts.infra.targets import Target, TargetKind
from plaid_contracts.infra.throttle import Throttle

# Imported in every mode, not only --in-process: hypothesis draws from constants it finds in the
# local modules loaded in the process, so both offline modes must load the same modules for the
# same seed to send the same cases.
from plaid_contracts.offline import in_process
from plaid_contracts.offline.loopback import SandboxProcess, SandboxStartError
from plaid_contracts.recording.history import Previous
from plaid_contracts.recording.masking import Masker
from plaid_contracts.recording.progress import Progress
from plaid_contracts.recording.recorder import Recorder
from plaid_contracts.recording.stats import RunStats
from plaid_contracts.reports import summary
from plaid_contracts.reports.staging import fresh_staging_dir, publish
from plaid_contracts.reports.summary import RunOutcome
from plaid_contracts.runtime import context
from plaid_contracts.runtime.context import RunContext
from plaid_contracts.runtime.transport import ContractSession, ContractTransport

if TYPE_CHECKING:
    import httpx

EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INCONCLUSIVE = 3
EXIT_INTERRUPTED = 130
# Verdicts of a run stopped before its first case, and their exit codes.
REFUSED = "refused"  # the preflight request's credentials or fixtures were refused: usage
INCONCLUSIVE = "inconclusive"
STOPPED_EXIT_CODES = {REFUSED: EXIT_USAGE, INCONCLUSIVE: EXIT_INCONCLUSIVE}
# Every verdict's exit code (`merge` exits with its merged verdict's).
VERDICT_EXIT_CODES = {
    "passed": EXIT_PASSED,
    "failed": EXIT_FAILED,
    "error": EXIT_FAILED,
    "interrupted": EXIT_INTERRUPTED,
    **STOPPED_EXIT_CODES,
}
PER_TEST_TIMEOUT_SECONDS = 3 * 60 * 60  # hang protection only; nightly remote runs are slow
# The pytest plugins the suite uses: @schema.parametrize, --hypothesis-seed, the timeout.
SUITE_PLUGINS = ("schemathesis.pytest.plugin", "_hypothesis_pytestplugin", "pytest_timeout")


@dataclass(frozen=True)
class RunRequest:
    """What the CLI decided; the offline target's URL is known only once the sandbox is up."""

    settings: RunSettings
    reports_dir: Path
    # In-process runs only: what turns the sandbox's configuration into the app (tests
    # substitute a deliberately broken one); None is the real sandbox.
    app_factory: in_process.AppFactory | None = None
    # The command the summary gives to run the same cases again, when it is not the
    # `contracts` session's (the mutation harness: a broken app `-s sandbox` cannot replay).
    reproduce: str | None = None
    previous: Previous | None = None  # --previous: the run this one is compared with


def _pytest_args(settings: RunSettings, staging: Path) -> list[str]:
    args = [
        str(CONTRACT_SUITE),
        f"--rootdir={CONTRACT_SUITE}",
        "-c",
        str(CONTRACT_SUITE / "pytest.ini"),
        "-p",
        "no:cacheprovider",
        # Autoloading would make pytest assertion-rewrite every module of every plugin's
        # distribution (all of schemathesis, hypothesis, anyio: ~200 modules re-parsed per run,
        # seconds where bytecode caching is off). The suite needs these three, loaded by module.
        "--disable-plugin-autoload",
        *(arg for plugin in SUITE_PLUGINS for arg in ("-p", plugin)),
        f"--junitxml={staging / summary.JUNIT_XML}",
        "-o",
        "junit_suite_name=plaid_contracts",
        "-o",
        f"timeout={PER_TEST_TIMEOUT_SECONDS}",
        "-q",
        # Long tracebacks print every frame's arguments: the generated client's
        # `_request(self, kwargs, ...)` would show the JSON body, body credentials included, on
        # the console and in junit.xml. Short ones show the code only.
        "--tb=short",
        # Plugins imported before pytest starts (schemathesis, via in_process) cannot be
        # assertion-rewritten: noise.
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
    ]
    # Every profile seeds hypothesis with the run's seed (PR's is fixed), which makes the client
    # tests repeatable without `derandomize`: that hashes each test's source on every call.
    args.append(f"--hypothesis-seed={settings.seed}")
    return args


def _verdict(exit_code: int | pytest.ExitCode, stats: RunStats) -> tuple[str, int]:
    if stats.interrupted:
        return "interrupted", EXIT_INTERRUPTED
    if exit_code == pytest.ExitCode.INTERRUPTED:
        # pytest also "interrupts" on collection errors; only Ctrl-C is an interruption.
        return "error", EXIT_FAILED
    if stats.instability.inconclusive_reason() and not stats.fails_on_judged_answers:
        # Too unstable to judge; a failure on an answer that is no trouble still fails the run.
        return INCONCLUSIVE, EXIT_INCONCLUSIVE
    if exit_code == pytest.ExitCode.OK and not stats.has_contract_failure:
        return "passed", EXIT_PASSED
    if exit_code == pytest.ExitCode.TESTS_FAILED or stats.has_contract_failure:
        return "failed", EXIT_FAILED
    # Collection errors, usage or internal errors, nothing collected: the suite did not run.
    return "error", EXIT_FAILED


def execute(request: RunRequest) -> int:
    stats = RunStats(instability=Instability(request.settings.silence_limit_seconds))
    with _stopped_by_signals(stats):
        return _execute(request, stats)


@contextmanager
def _stopped_by_signals(stats: RunStats) -> Iterator[None]:
    """Ctrl-C and SIGTERM (a CI runner cancelling, nox stopping its command) stop the run: the
    sandbox stopped, the reports of what ran written. Further SIGTERMs wait for that.

    The stop is also noted in `stats`, which the suite checks before every test and case: a
    KeyboardInterrupt raised while pytest starts up can be swallowed (seen under load: the run
    then went on to pass), the note cannot."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread (a caller's own thread keeps its own)
        return

    def interrupt(signum: int, frame: object) -> None:
        stats.interrupted = True
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt

    handled = [signal.SIGTERM]
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not a caller's SIG_IGN
        handled.append(signal.SIGINT)
    previous = {signum: signal.signal(signum, interrupt) for signum in handled}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _execute(request: RunRequest, stats: RunStats) -> int:
    settings = request.settings
    reports_dir = request.reports_dir.resolve()
    staging = fresh_staging_dir(reports_dir)

    masker = Masker(settings.credentials, public=settings.public_credentials)
    recorder = Recorder(masker)
    throttle = Throttle(settings.rate)
    started = time.monotonic()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    test_seconds = 0.0
    exit_code: int | pytest.ExitCode = pytest.ExitCode.INTERNAL_ERROR
    detail = ""
    stopped = ""  # the verdict of a run stopped at its preflight
    try:
        # The target (subprocess or in-process app) is stopped before the reports are written.
        with ExitStack() as target_lifetime:
            settings, sandbox = _start_target(request, staging, target_lifetime)
            print(
                f"contracts: target {_describe_target(settings)}, "
                f"profile {settings.profile.name}, seed {settings.seed}",
                flush=True,
            )
            progress = Progress(stats, settings.progress_seconds, started=started)
            run = _run_context(settings, recorder, stats, throttle, sandbox, progress)
            preflight.check(
                run, [op for op in operations.registered() if settings.checks_operation(op.label)]
            )
            context.set_current(run)
            stats.mark("pytest_started")
            # What is imported by now lives as long as the process: out of the collector's
            # sight, a run's full collections (pytest and hypothesis force some) cost a third.
            gc.freeze()
            try:
                exit_code = pytest.main(_pytest_args(settings, staging))
            finally:
                stats.mark("pytest_done")
                test_seconds = stats.moments["pytest_done"] - stats.moments["pytest_started"]
                context.set_current(None)
                stats.retried_429 = (
                    run.session.retried_429
                    + run.probe_session.retried_429
                    + run.client_transport.retried_429
                )
    except SandboxStartError as exc:
        detail = str(exc)
    except preflight.PreflightRefused as exc:
        stopped, detail = REFUSED, str(exc)
    except preflight.PreflightNoAnswer as exc:
        stopped, detail = INCONCLUSIVE, str(exc)
    except KeyboardInterrupt:
        exit_code = pytest.ExitCode.INTERRUPTED
        stats.interrupted = True
    finally:
        verdict, code = (
            (stopped, STOPPED_EXIT_CODES[stopped]) if stopped else _verdict(exit_code, stats)
        )
        if verdict == "interrupted":
            detail = "interrupted before the suite finished"
        if verdict == "error" and not detail:
            detail = "the suite could not run to the end: see the test errors below"
        if verdict == INCONCLUSIVE and not detail:
            detail = (
                f"Too unstable to judge: {stats.instability.inconclusive_reason()}. Plaid-side "
                "trouble, not a contract failure: see Target instability"
            )
        outcome = RunOutcome(
            verdict=verdict,
            pytest_exit_code=int(exit_code),
            duration_seconds=time.monotonic() - started,
            test_seconds=test_seconds,
            started_at=started_at,
            requests_recorded=len(recorder),
            detail=detail,
            reproduce=request.reproduce,
            previous=request.previous,
        )
        summary_path = publish(
            staging,
            reports_dir,
            settings,
            stats,
            recorder,
            outcome,
            masker,
            _metadata(settings, outcome),
        )
    if stopped == REFUSED:
        print(f"error: {detail}", file=sys.stderr)  # the one line; no case ran
    _print_result(summary_path, verdict, stats, outcome)
    if stats.notes and code == EXIT_PASSED:
        code = EXIT_FAILED
    return code


def _start_target(
    request: RunRequest, staging: Path, lifetime: ExitStack
) -> tuple[RunSettings, in_process.InProcessSandbox | None]:
    """Start the offline sandbox if the mode needs one; the settings then carry its URL."""
    settings = request.settings
    log_path = staging / summary.SANDBOX_LOG
    if settings.mode is RunMode.LOOPBACK:
        sandbox = lifetime.enter_context(
            SandboxProcess(
                settings.credentials,
                settings.fixtures,
                settings.token_lifetime_seconds,
                log_path,
                access_log=settings.sandbox_access_log,
            )
        )
        return _with_target(settings, Target(sandbox.base_url, TargetKind.OFFLINE)), None
    if settings.mode is RunMode.IN_PROCESS:
        make_app = request.app_factory or in_process.sandbox_app
        app = make_app(
            in_process.sandbox_config(
                settings.credentials,
                settings.fixtures,
                settings.token_lifetime_seconds,
                access_log=settings.sandbox_access_log,
            )
        )
        running = lifetime.enter_context(in_process.running(app, log_path))
        return _with_target(
            settings, Target(in_process.IN_PROCESS_BASE_URL, TargetKind.OFFLINE)
        ), running
    return settings, None


def _run_context(
    settings: RunSettings,
    recorder: Recorder,
    stats: RunStats,
    throttle: Throttle,
    sandbox: in_process.InProcessSandbox | None,
    progress: Progress,
) -> RunContext:
    backoff, instability = settings.backoff, stats.instability
    session = ContractSession(throttle, recorder, backoff, instability=instability)
    probe_session = ContractSession(
        throttle, recorder, backoff, source="probe", instability=instability
    )
    client_inner: httpx.BaseTransport | None = None
    if sandbox is not None:
        in_process.mount(session, sandbox.app)
        in_process.mount(probe_session, sandbox.app)
        client_inner = sandbox.client_transport()
    return RunContext(
        settings=settings,
        recorder=recorder,
        stats=stats,
        throttle=throttle,
        session=session,
        probe_session=probe_session,
        client_transport=ContractTransport(
            throttle, recorder, backoff, inner=client_inner, instability=instability
        ),
        progress=progress,
    )


def _describe_target(settings: RunSettings) -> str:
    if settings.mode is RunMode.IN_PROCESS:
        return "offline sandbox, in-process"
    return settings.target.describe


def _with_target(settings: RunSettings, target: Target) -> RunSettings:
    return replace(settings, target=target)


def _metadata(settings: RunSettings, outcome: RunOutcome) -> dict[str, Any]:
    """The cassette's header: what parity needs to replay it."""
    return {
        "target": {"base_url": settings.target.base_url, "kind": settings.target.kind.value},
        "fixtures": dict(settings.fixtures),
        "profile": settings.profile.name,
        "seed": settings.seed,
        "recorded_at": outcome.started_at,
    }


def _print_result(summary_path: Path, verdict: str, stats: RunStats, outcome: RunOutcome) -> None:
    cases = summary.total_cases(stats)
    checks_failed = sum(t.failed for t in stats.checks.values())
    print(f"contracts: summary {summary_path}")
    print(
        f"contracts: {verdict.upper()}: {cases} cases, {outcome.requests_recorded} requests, "
        f"{len(stats.failures)} distinct failure(s) ({checks_failed} failed check results), "
        f"{len(stats.observations)} observation(s), "
        f"{outcome.duration_seconds:.1f} s (tests {outcome.test_seconds:.1f} s, "
        f"{summary.cases_per_second(stats, outcome):.0f} cases/s)",
        flush=True,
    )
