"""What a run holds while it runs: the transport every request goes through (pacing, the 429
back-off, re-sends of target trouble) and the run context the suite reads."""
