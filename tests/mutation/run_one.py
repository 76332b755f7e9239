"""``python -m tests.mutation.run_one MUTANT [run options]``: ``run --in-process`` against one
mutant of the offline sandbox (tests.mutation.mutants), as ``python -m plaid_contracts run``
would run it.

The runner takes the app factory as a parameter (``RunRequest.app_factory``), so the mutant is
the real sandbox app composed with its divergence; nothing is patched. A mutant's ``unset``
fixtures are left out of the run's settings (the sandbox then keeps its own allow-lists).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace

from plaid_contracts.commands import cli, run
from plaid_tools.paths import NOX

from tests.mutation.mutants import BY_NAME


def main(argv: Sequence[str]) -> int:
    name, *options = argv
    mutant = BY_NAME[name]
    args = cli.build_parser().parse_args(["run", "--in-process", *options])
    settings = cli.settings_from_args(args)
    fixtures = {k: v for k, v in settings.fixtures.items() if k not in mutant.unset}
    request = run.RunRequest(
        # Re-sends of target trouble wait 10 ms, not 1 s (Retry-After is still honoured, which
        # the maintenance-window mutant relies on): a reproducible 500 on every non-ASCII value
        # re-sends a fifth of a run's requests twice, and the wait is all a verdict never needs.
        replace(
            settings,
            fixtures=fixtures,
            backoff=replace(settings.backoff, resend_base_seconds=0.01),
        ),
        args.reports_dir,
        app_factory=mutant.app,
        # The mutant is not the sandbox `-s sandbox` serves: its runs are reproduced here.
        reproduce=f"{NOX} -s mutation -- --only {name}",
    )
    return run.execute(request)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
