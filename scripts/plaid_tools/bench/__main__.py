"""Run every benchmark section, write reports/bench/, print the table."""

from __future__ import annotations

import argparse
import traceback
from collections.abc import Callable
from pathlib import Path

from plaid_tools import paths
from plaid_tools.bench import (
    client_overhead,
    client_vs_official,
    contracts_speed,
    fault_matrix,
    generation,
    hostile,
    imports,
    report,
    sandbox_load,
    sandbox_speed,
    upstream_watch,
)
from plaid_tools.bench.figures import Figure

Section = Callable[[list[str]], list[Figure]]
SECTIONS: dict[str, Section] = {
    "client-overhead": client_overhead.measure,
    "client-vs-official": client_vs_official.measure,
    "imports": imports.measure,
    "sandbox-load": sandbox_load.measure,
    "sandbox-speed": sandbox_speed.measure,
    "contracts": contracts_speed.measure,
    "contracts-startup": contracts_speed.startup,
    "generation": generation.measure,
    "upstream": upstream_watch.measure,
    "reliability": sandbox_load.reliability,
    "hostile": hostile.measure,
    "canary": contracts_speed.canary,
    "fault-matrix": fault_matrix.measure,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(SECTIONS),
        help="run only these sections (repeatable)",
    )
    parser.add_argument("--output", default=str(paths.REPORTS_DIR / "bench"))
    args = parser.parse_args(argv)
    figures: list[Figure] = []
    notes: list[str] = []
    for name, section in SECTIONS.items():
        if args.only and name not in args.only:
            continue
        print(f"bench: {name} ...", flush=True)
        try:
            figures += section(notes)
        except Exception as error:  # one broken section must not hide the others' figures
            notes.append(f"Section {name} failed: {type(error).__name__}: {error}")
            traceback.print_exc()
    written = report.write(Path(args.output), figures, notes)
    print(written.read_text(encoding="utf-8"))
    missed = [f.name for f in figures if f.met is False]
    print(f"bench: {len(figures)} figures, {len(missed)} targets missed; report in {written}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
