"""What a run writes at its end: summary.md and summary.json, staged and swapped in, and the merge
of shard summaries into one."""
