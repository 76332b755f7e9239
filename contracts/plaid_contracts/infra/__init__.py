"""What one run is and what every request of it goes through: its settings, its target, the
pacing and 429 back-off, the transports schemathesis and the generated client send with."""
