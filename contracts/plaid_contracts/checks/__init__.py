"""The checks schemathesis runs on every response, what the generated client makes of a
response, and where a finding goes (failure or observation); the rules they apply are in
`rules/`."""
