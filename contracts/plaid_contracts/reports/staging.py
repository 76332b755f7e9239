"""Reports are written into a staging folder next to the reports folder and swapped in at the end,
also after a failure or Ctrl-C, so a reader never sees half of one run mixed with another."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from plaid_contracts.infra.settings import RunSettings
from plaid_contracts.recording.masking import Masker, scrub
from plaid_contracts.recording.recorder import Recorder
from plaid_contracts.recording.stats import RunStats
from plaid_contracts.reports import summary
from plaid_contracts.reports.summary import RunOutcome


def staging_dir_for(reports_dir: Path) -> Path:
    return reports_dir.parent / f".{reports_dir.name}.staging-{os.getpid()}"


def fresh_staging_dir(reports_dir: Path) -> Path:
    """An empty staging folder for ``reports_dir`` (whose parent is created if needed)."""
    reports_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_dir_for(reports_dir)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    return staging


def swap_in(staging: Path, reports_dir: Path) -> None:
    """Replace the previous run's folder by this run's, never leaving a mixed folder."""
    previous = reports_dir.parent / f".{reports_dir.name}.previous-{os.getpid()}"
    if reports_dir.exists():
        reports_dir.rename(previous)
    staging.rename(reports_dir)
    if previous.exists():
        shutil.rmtree(previous, ignore_errors=True)


def publish(
    staging: Path,
    reports_dir: Path,
    settings: RunSettings,
    stats: RunStats,
    recorder: Recorder,
    outcome: RunOutcome,
    masker: Masker,
    cassette_metadata: dict[str, Any],
) -> Path:
    """Write the cassette and the summaries next to what the run already wrote there (junit.xml,
    sandbox.log), scan everything for credentials, swap it in; returns summary.md's path."""
    recorder.write(staging / summary.CASSETTE, cassette_metadata)
    summary.write(staging, settings, stats, outcome)
    leaked = scrub(staging, masker)
    if leaked:
        stats.notes.append(
            "MASKING BUG: a credential value was found and scrubbed in " + ", ".join(leaked)
        )
        print(f"contracts: {stats.notes[-1]}", file=sys.stderr)
        # Rewritten from the same stats to carry the note, the summaries hold the leak again.
        summary.write(staging, settings, stats, outcome)
        scrub(staging, masker)
    swap_in(staging, reports_dir)
    return reports_dir / summary.SUMMARY_MD
