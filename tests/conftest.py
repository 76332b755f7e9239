"""Hypothesis settings for the tooling's own tests, in one place, and what several folders share.

`default` is what the README's test command uses; `thorough` looks ten times harder
(`python3 scripts/nox_pinned.py -s tests -- --hypothesis-profile thorough`). The contract suite
has profiles of its own (contracts/suite/conftest.py): they judge a target, these test our code.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
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


def pytest_configure() -> None:
    # Started in the background (`cmd &` in a script, no job control), the suite inherits
    # SIGINT ignored, and so would every run it starts: a run respects a caller's SIG_IGN, so the
    # Ctrl-C tests would fail. They test a run started from a terminal, where Ctrl-C is default.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The heavy tests first: xdist hands tests out in this order, so the other workers run the
    # rest beside them instead of one worker finishing alone with a 20-second test.
    items.sort(key=lambda item: item.get_closest_marker("heavy") is None)


# Tests that read the fresh client carry this group, so that one xdist worker generates it.
FRESH_CLIENT_GROUP = pytest.mark.xdist_group("fresh-product-client")


@pytest.fixture(scope="session")
def fresh_client(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The product client generated afresh from the committed spec, config and templates, once."""
    from plaid_tools import paths
    from plaid_tools.regenerate import generate_into

    return generate_into(tmp_path_factory.mktemp("fresh") / paths.DISTRIBUTION)
