"""`python -m plaid_tools.spec_diff [OLD] [NEW] [--format table|json|markdown] [--fail-on ...]`.

OLD and NEW are spec files, git refs (meaning the ref's openapi/plaid-session-token.yaml) or
`REF:path`. Defaults: the main branch's spec (`origin/main`, else `main`) vs the working tree.
Exit status: 0, or 1 when the verdict reaches `--fail-on`, or 2 when a spec cannot be loaded.
"""

from __future__ import annotations

import argparse
import sys

from plaid_tools import paths
from plaid_tools.spec_diff import compare
from plaid_tools.spec_diff.loader import SpecLoadError, default_base_ref, load_source
from plaid_tools.spec_diff.model import Impact
from plaid_tools.spec_diff.report import to_json, to_markdown, to_table

RENDERERS = {"table": to_table, "json": to_json, "markdown": to_markdown}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m plaid_tools.spec_diff",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("old", nargs="?", help="default: origin/main (else main)")
    parser.add_argument("new", nargs="?", help="default: the working tree's spec")
    parser.add_argument("--format", choices=sorted(RENDERERS), default="table")
    parser.add_argument(
        "--markdown",
        action="store_const",
        const="markdown",
        dest="format",
        help="same as --format markdown (for $GITHUB_STEP_SUMMARY)",
    )
    parser.add_argument(
        "--fail-on",
        choices=["breaking", "compatible", "docs"],
        help="exit 1 when the verdict is at least this",
    )
    parser.add_argument(
        "--no-api-diff",
        action="store_true",
        help="skip the griffe diff of the generated clients (saves seconds)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    old_source = args.old or default_base_ref()
    if old_source is None:
        print("spec-diff: no OLD given and neither origin/main nor main exists", file=sys.stderr)
        return 2
    try:
        old = load_source(old_source)
        new = load_source(args.new or str(paths.SPEC))
        report = compare(old, new, api_diff=not args.no_api_diff)
    except SpecLoadError as error:
        print(f"spec-diff: {error}", file=sys.stderr)
        return 2
    print(RENDERERS[args.format](report))
    if args.fail_on and report.verdict >= Impact.from_label(args.fail_on):
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
