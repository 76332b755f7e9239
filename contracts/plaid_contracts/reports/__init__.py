"""What a run writes: the cassette (every exchange, masked as it is recorded), the statistics the
suite fills while it runs, summary.md and summary.json."""
