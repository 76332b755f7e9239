"""``python -m tests.contracts.in_process_run RULE [run options]``: ``run --in-process`` against
the offline sandbox with one rule broken (tests.contracts.broken_apps.app_wrapper).

The runner takes the app factory as a parameter, so a test can hand it a broken app; this entry
point does that in a fresh process, as ``python -m plaid_contracts run --in-process`` would run.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from plaid_contracts import cli, runner
from plaid_offline_sandbox.app import create_app
from plaid_offline_sandbox.config import SandboxConfig

from tests.contracts.broken_apps import app_wrapper
from tests.contracts.helpers import AsgiApp


def main(argv: Sequence[str]) -> int:
    rule, *options = argv
    wrap = app_wrapper(rule)

    def broken_sandbox(config: SandboxConfig) -> AsgiApp:
        return wrap(create_app(config))

    args = cli.build_parser().parse_args(["run", "--in-process", *options])
    request = runner.RunRequest(
        cli.settings_from_args(args), args.reports_dir, app_factory=broken_sandbox
    )
    return runner.execute(request)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
