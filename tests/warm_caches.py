"""Imported last by the forkserver of tests/forked_runs.py: what schemathesis computes once per
process and keeps, computed once for all the forks.

The coverage phase's candidates for a value outside an enum (values drawn, seeded, until a filter
that rejects them all gives up) are a third of a 5-example run's time. A fork inherits them
instead; it sends the cases a fresh interpreter with the same modules sends
(tests/contracts/test_run_modes.py).
"""

from schemathesis.specs.openapi.coverage._schema import _invalid_enum_candidates

_invalid_enum_candidates()
