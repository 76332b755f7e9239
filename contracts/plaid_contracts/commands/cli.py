"""``python -m plaid_contracts run|merge|parity|try``: argument parsing and target selection."""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from pathlib import Path

from plaid_contracts import operations
from plaid_contracts.infra import environment, targets
from plaid_contracts.infra.environment import RunInputs
from plaid_contracts.infra.instability import DEFAULT_SILENCE_LIMIT_SECONDS
from plaid_contracts.infra.paths import CONTRACT_REPORTS
from plaid_contracts.infra.settings import (
    DEFAULT_CLOCK_SKEW_SECONDS,
    DEFAULT_PROGRESS_SECONDS,
    DEFAULT_REMOTE_RATE,
    DEFAULT_REQUEST_TIMEOUT_SECONDS,
    DEFAULT_TOKEN_LIFETIME_SECONDS,
    PR_SEED,
    PROFILES,
    RunSettings,
)
from plaid_contracts.infra.targets import PRODUCTION_FLAG, Target, TargetError, TargetKind
from plaid_contracts.infra.throttle import BackoffPolicy, Rate
from plaid_contracts.recording import history

EXIT_USAGE = 2
ENFORCE = "enforce"
OBSERVE = "observe"


def _add_target_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--base-url",
        help="a running target, e.g. https://sandbox.plaid.com (needs PLAID_CLIENT_ID, "
        "PLAID_SECRET, PLAID_TEMPLATE_ID; optional: PLAID_REDIRECT_URI, "
        "PLAID_ANDROID_PACKAGE_NAME, values on the Dashboard's allow-lists); default: start the "
        "offline sandbox on loopback",
    )
    parser.add_argument(
        PRODUCTION_FLAG,
        dest="allow_production",
        action="store_true",
        help="allow a --base-url that is not Plaid's Sandbox or loopback (Plaid Production)",
    )


def _duration(text: str) -> int:
    """Seconds, or with a unit: 90, 30m, 4h."""
    units = {"s": 1, "m": 60, "h": 3600}
    try:
        if text[-1:] in units:
            return int(text[:-1]) * units[text[-1]]
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds or 30m / 4h, got {text!r}") from None


def _positive_duration(text: str) -> int:
    """--token-lifetime: a token that expires at once (or before it is issued) is no bound."""
    seconds = _duration(text)
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, got {text!r}")
    return seconds


def _non_negative_duration(text: str) -> int:
    """--clock-skew: 0 is allowed (a target sharing this machine's clock, e.g. on loopback)."""
    seconds = _duration(text)
    if seconds < 0:
        raise argparse.ArgumentTypeError(f"must be 0 seconds or more, got {text!r}")
    return seconds


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, got {text!r}")
    return seconds


def enforce_assumptions(choice: str | None, target: Target) -> bool:
    """ASSUMED rules fail a run only where they are ours to enforce: never against Plaid."""
    if choice is None:
        return target.kind is TargetKind.OFFLINE
    if choice == ENFORCE and target.kind not in (TargetKind.OFFLINE, TargetKind.LOOPBACK):
        raise TargetError(
            "--assumptions enforce is for the offline sandbox and loopback servers: against "
            "Plaid, a divergence from an ASSUMED rule is an observation, never a failure"
        )
    return choice == ENFORCE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m plaid_contracts", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the contract suite and write reports")
    _add_target_options(run)
    run.add_argument(
        "--in-process",
        action="store_true",
        help="run the offline sandbox inside the test process (no subprocess, no socket); "
        "not with --base-url",
    )
    run.add_argument(
        "--operation",
        action="append",
        default=[],
        metavar="NAME",
        help="check only this operation (repeatable): its name (session_token_create) or label "
        "('POST /session/token/create'); default: every one. A shard of a run: `merge` joins "
        "the shards' summaries",
    )
    run.add_argument("--profile", choices=sorted(PROFILES), default="pr")
    run.add_argument(
        "--seed", type=int, help="reproduce a nightly run (ignored by derandomized profiles)"
    )
    run.add_argument(
        "--max-examples",
        type=int,
        help="fuzzing examples (overrides the profile; also caps the client tests)",
    )
    run.add_argument(
        "--rate",
        help=f"request rate such as 5/s or 300/m (default {DEFAULT_REMOTE_RATE} for Plaid hosts, "
        "unthrottled on loopback)",
    )
    run.add_argument(
        "--token-lifetime",
        type=_positive_duration,
        default=DEFAULT_TOKEN_LIFETIME_SECONDS,
        help="longest accepted link token lifetime: seconds or 30m/4h (default 4h)",
    )
    run.add_argument(
        "--clock-skew",
        type=_non_negative_duration,
        default=DEFAULT_CLOCK_SKEW_SECONDS,
        help=f"tolerated clock difference with the target (default {DEFAULT_CLOCK_SKEW_SECONDS} s)",
    )
    run.add_argument(
        "--request-timeout",
        type=_positive_seconds,
        default=DEFAULT_REQUEST_TIMEOUT_SECONDS,
        help="seconds to wait for each answer; no answer is a contract failure (default "
        f"{DEFAULT_REQUEST_TIMEOUT_SECONDS:.0f})",
    )
    run.add_argument(
        "--assumptions",
        choices=(ENFORCE, OBSERVE),
        help="what a divergence from an ASSUMED rule is: a failure (enforce, the default for the "
        "offline sandbox, which implements them) or an observation (observe, the default and the "
        "only choice for a --base-url target other than loopback)",
    )
    run.add_argument(
        "--progress-every",
        type=_positive_seconds,
        default=DEFAULT_PROGRESS_SECONDS,
        metavar="S",
        help="seconds between two progress lines on the console: cases done per phase of each "
        f"operation, time elapsed (default {DEFAULT_PROGRESS_SECONDS:.0f})",
    )
    run.add_argument(
        "--sandbox-access-log",
        action="store_true",
        help="the offline sandbox writes a line per request into sandbox.log (method, path, "
        "status, error_code, request_id); not with --base-url",
    )
    run.add_argument("--reports-dir", type=Path, default=CONTRACT_REPORTS)
    run.add_argument(
        "--previous",
        type=Path,
        metavar="PATH",
        help="a previous run's summary.json: summary.md opens with the failures new since it, "
        "still failing and fixed",
    )
    # Internal (tests, the mutation harness): seconds of nothing but target trouble after which
    # the run is inconclusive (60 s).
    run.add_argument(
        "--silence-limit",
        type=_positive_seconds,
        default=DEFAULT_SILENCE_LIMIT_SECONDS,
        help=argparse.SUPPRESS,
    )

    parity = commands.add_parser("parity", help="replay a recording against the offline sandbox")
    parity.add_argument("recording", type=Path, help="a cassette.yaml written by `run`")
    parity.add_argument("--output", type=Path, help="also write the differences as Markdown here")

    merge = commands.add_parser(
        "merge", help="merge the summaries of a run's shards (run --operation) into one"
    )
    merge.add_argument("summaries", nargs="+", type=Path, metavar="SUMMARY_JSON")
    merge.add_argument("--output", type=Path, required=True, metavar="DIR")
    merge.add_argument(
        "--previous", type=Path, metavar="PATH", help="as for run: a previous summary.json"
    )

    try_request = commands.add_parser(
        "try", help="send the spec's example request and print the answer"
    )
    _add_target_options(try_request)
    return parser


def resolve_target(base_url: str | None, allow_production: bool) -> tuple[Target, RunInputs]:
    """The target with its credentials and the operations' fixtures; raises TargetError before
    any request."""
    fixture_defaults = {fixture.env: fixture.offline_default for fixture in operations.fixtures()}
    if base_url is None:
        # The URL is filled in once the sandbox has a port.
        target = Target("http://127.0.0.1", TargetKind.OFFLINE)
        return target, environment.offline_inputs(fixture_defaults)
    target = targets.classify(base_url, allow_production=allow_production)
    optional = frozenset(fixture.env for fixture in operations.fixtures() if fixture.optional)
    return target, environment.remote_inputs(fixture_defaults, optional=optional)


def settings_from_args(args: argparse.Namespace) -> RunSettings:
    if args.in_process and args.base_url is not None:
        raise TargetError(
            "--in-process runs the offline sandbox inside the test process; "
            "it cannot be combined with --base-url"
        )
    if args.sandbox_access_log and args.base_url is not None:
        raise TargetError(
            "--sandbox-access-log is the offline sandbox's log, which a --base-url target "
            "does not write"
        )
    target, inputs = resolve_target(args.base_url, args.allow_production)
    profile = PROFILES[args.profile]
    if args.rate:
        try:
            rate: Rate | None = Rate.parse(args.rate)
        except ValueError as exc:
            raise TargetError(str(exc)) from None
    else:
        rate = Rate.parse(DEFAULT_REMOTE_RATE) if target.is_remote else None
    if profile.deterministic:
        seed = PR_SEED
    else:
        seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    if args.max_examples is not None and args.max_examples < 1:
        raise TargetError("--max-examples must be at least 1")
    return RunSettings(
        target=target,
        credentials=inputs.credentials,
        fixtures=inputs.fixtures,
        public_credentials=inputs.public_credentials,
        profile=profile,
        seed=seed,
        rate=rate,
        token_lifetime_seconds=args.token_lifetime,
        clock_skew_seconds=args.clock_skew,
        backoff=BackoffPolicy(),
        fuzzing_examples=args.max_examples,
        in_process=args.in_process,
        enforce_assumptions=enforce_assumptions(args.assumptions, target),
        request_timeout_seconds=args.request_timeout,
        progress_seconds=args.progress_every,
        sandbox_access_log=args.sandbox_access_log,
        silence_limit_seconds=args.silence_limit,
        operations=selected_operations(args.operation),
    )


def selected_operations(names: Sequence[str]) -> tuple[str, ...]:
    """--operation values as labels, in the registry's order; TargetError for an unknown one."""
    known = {key: op.label for op in operations.registered() for key in (op.name, op.label)}
    unknown = [name for name in names if name not in known]
    if unknown:
        names_known = ", ".join(op.name for op in operations.registered())
        raise TargetError(f"--operation {unknown[0]!r} is no operation (known: {names_known})")
    chosen = {known[name] for name in names}
    return tuple(op.label for op in operations.registered() if op.label in chosen)


def _previous(path: Path | None) -> history.Previous | None:
    if path is None:
        return None
    try:
        return history.load_previous(path)
    except ValueError as exc:
        raise TargetError(str(exc)) from None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            from plaid_contracts.commands import run

            settings = settings_from_args(args)
            previous = _previous(args.previous)
            return run.execute(run.RunRequest(settings, args.reports_dir, previous=previous))
        if args.command == "merge":
            from plaid_contracts.commands import merge
            from plaid_contracts.reports.merging import MergeError

            try:
                return merge.main(args.summaries, args.output, _previous(args.previous))
            except MergeError as exc:
                raise TargetError(str(exc)) from None
        if args.command == "parity":
            from plaid_contracts.commands import parity

            return parity.main(args.recording, args.output)
        from plaid_contracts.commands import try_request

        target, inputs = resolve_target(args.base_url, args.allow_production)
        return try_request.main(target, inputs)
    except TargetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
