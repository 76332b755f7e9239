"""Where the runner finds what it runs and writes, in the checkout it lives in, and how the
README runs it. The tooling (scripts/plaid_tools/paths.py) takes these from here: it sits above
the runner, never the other way round."""

from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parents[3]  # contracts/plaid_contracts/infra/paths.py
SPEC: Final = ROOT / "openapi" / "plaid-session-token.yaml"
CONTRACT_SUITE: Final = ROOT / "contracts" / "suite"
CONTRACT_REPORTS: Final = ROOT / "reports" / "contracts"
# How the README runs a session; every command a report or a message prints starts with it.
NOX: Final = "python3 scripts/nox_pinned.py"
