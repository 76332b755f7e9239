"""``python -m tests.contracts.swallowed_ctrl_c ARGS``: ``python -m plaid_contracts ARGS`` where
Ctrl-C lands while pytest starts up and something swallows its KeyboardInterrupt (seen under
load: the run went on to pass). test_run_modes checks the run stops anyway, at its first test."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from os import PathLike

import pytest
from plaid_contracts.commands.cli import main

real_main = pytest.main


def main_that_swallows_a_ctrl_c(
    args: list[str] | PathLike[str] | None = None, plugins: Sequence[str | object] | None = None
) -> int | pytest.ExitCode:
    try:
        os.kill(os.getpid(), signal.SIGINT)
        signal.sigtimedwait([], 0.1)  # a bytecode boundary for the handler to run at
    except KeyboardInterrupt:
        pass
    return real_main(args, plugins)


if __name__ == "__main__":
    pytest.main = main_that_swallows_a_ctrl_c
    sys.exit(main(sys.argv[1:]))
