"""What the suite holds a target to: the rules and their strengths (DOC / SEEN / ASSUMED), the
checks schemathesis runs on every response, and where a finding goes (failure or observation)."""
