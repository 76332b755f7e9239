"""`python -m plaid_tools.upstream [SOURCE] [--spec FILE] [--deviations FILE] [--output FILE]`.

SOURCE is a URL (default: the raw 2020-09-14.yml of plaid/plaid-openapi's default branch), a
file, a directory (a checkout, or a bare clone at HEAD) or DIR@REF[:PATH] (see
plaid_tools.upstream.source). The Markdown report is written to --output and printed.
Exit status: 0 when every difference is a known deviation, 1 on a new difference or a stale
deviation, 2 on bad input (unreachable URL, not OpenAPI, our operation missing upstream, an
invalid deviations file), with one line saying which.

`--propose` also adopts each new difference it can (plaid_tools.upstream.propose): it edits our
spec and the deviations file, runs what `nox -s generate` runs (version bump, CHANGELOG entry,
generated/) and writes the proposal (the pull request's body) to reports/upstream/proposal.md.
Exit status then: 0 when every new difference was adopted (or none was new), 1 when some are
left for a person.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from plaid_tools import paths, regenerate, versioning
from plaid_tools.spec_diff.loader import LoadedSpec, SpecLoadError, load_source, path_label
from plaid_tools.upstream import (
    DEFAULT_URL,
    compare_with_upstream,
    load_deviations,
    load_upstream,
    to_markdown,
)
from plaid_tools.upstream.propose import propose
from plaid_tools.upstream.propose import to_markdown as proposal_markdown
from plaid_tools.upstream.yaml_text import ProposalError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m plaid_tools.upstream",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("source", nargs="?", default=DEFAULT_URL, help=f"default: {DEFAULT_URL}")
    parser.add_argument("--spec", default=str(paths.SPEC), help="our spec (default: %(default)s)")
    parser.add_argument(
        "--deviations",
        type=Path,
        default=paths.UPSTREAM_DEVIATIONS,
        help="known deviations (default: %(default)s)",
    )
    parser.add_argument(
        "--output", type=Path, default=paths.UPSTREAM_REPORT, help="default: %(default)s"
    )
    parser.add_argument(
        "--propose",
        action="store_true",
        help="adopt each new difference in our spec, then generate (see the module's docstring)",
    )
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds for fetching a URL (default: 60)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        deviations = load_deviations(args.deviations)
        ours = load_source(args.spec)
        upstream = load_upstream(args.source, timeout=args.timeout)
        drift = compare_with_upstream(ours, upstream, deviations)
    except SpecLoadError as error:
        print(f"upstream: {str(error).splitlines()[0]}", file=sys.stderr)
        return 2
    report = to_markdown(drift, path_label(args.deviations))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report, encoding="utf-8")
    if not args.propose:
        print(report)
        return drift.exit_code
    return _propose(args, ours, upstream)


def _propose(args: argparse.Namespace, ours: LoadedSpec, upstream: LoadedSpec) -> int:
    try:
        made = propose(ours, upstream, args.deviations.read_text(encoding="utf-8"))
    except ProposalError as error:
        print(f"upstream --propose: {error}", file=sys.stderr)
        return 2
    if not made.adopted:
        left = f"; {len(made.left)} left for a person (see the report)" if made.left else ""
        print(f"upstream --propose: nothing new to adopt{left}")
        return 1 if made.left else 0
    Path(args.spec).write_text(made.spec_text, encoding="utf-8")
    args.deviations.write_text(made.deviations_text, encoding="utf-8")
    # What `nox -s generate` runs, on the edited spec.
    print(versioning.bump(spec_path=Path(args.spec)))
    if regenerate.main(["--spec", args.spec]) != 0:
        return 2
    body = proposal_markdown(made, upstream.label)
    proposal = args.output.with_name("proposal.md")
    proposal.write_text(body, encoding="utf-8")
    print(body)
    return 1 if made.left else 0


if __name__ == "__main__":
    raise SystemExit(main())
