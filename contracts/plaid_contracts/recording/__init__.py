"""What a run records as it goes: the cassette (every exchange, masked as it is recorded), the
statistics the suite fills, the progress line, and the findings' fingerprints."""
