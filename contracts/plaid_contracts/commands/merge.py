"""``merge A/summary.json B/summary.json ... --output DIR``: shards of one run (``run --operation
NAME``, a CI matrix) as one summary.md and summary.json, exit code of the worst verdict."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from plaid_contracts.commands.run import VERDICT_EXIT_CODES
from plaid_contracts.recording.history import Previous
from plaid_contracts.reports import merging, summary


def main(paths: Sequence[Path], output: Path, previous: Previous | None) -> int:
    """Raises merging.MergeError (one line) when the summaries are no shards of one run."""
    settings, stats, outcome = merging.merge(merging.read(paths), previous)
    output.mkdir(parents=True, exist_ok=True)
    path = summary.write(output, settings, stats, outcome)
    print(f"contracts: merged {len(paths)} shard(s) into {path}")
    print(
        f"contracts: {outcome.verdict.upper()}: {stats.total_cases} cases, "
        f"{outcome.requests_recorded} requests, {len(stats.failures)} distinct failure(s), "
        f"{len(stats.observations)} observation(s)"
    )
    return VERDICT_EXIT_CODES.get(outcome.verdict, 1)
