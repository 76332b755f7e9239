"""Hypothesis settings for the tooling's own tests, in one place.

`default` is what the README's test command uses; `thorough` looks ten times harder
(`python3 scripts/nox_pinned.py -s tests -- --hypothesis-profile thorough`). The contract suite
has profiles of its own (contracts/suite/conftest.py): they judge a target, these test our code.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# No deadline: tests share 2 cores with xdist workers and subprocesses, so a slow example is
# load, not a bug. Fuzz strategies draw large bodies on purpose.
_COMMON = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("default", _COMMON, max_examples=100)
settings.register_profile("thorough", _COMMON, max_examples=1000)
settings.load_profile("default")
