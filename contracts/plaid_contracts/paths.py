"""Where the runner finds the spec and the suite, and where reports go by default."""

from __future__ import annotations

from pathlib import Path

CONTRACTS_DIR = Path(__file__).resolve().parents[1]
ROOT = CONTRACTS_DIR.parent  # the same place as plaid_tools.paths.ROOT
SPEC = ROOT / "openapi" / "plaid-session-token.yaml"
REPORTS_DIR = ROOT / "reports"
SUITE_DIR = CONTRACTS_DIR / "suite"
DEFAULT_REPORTS_DIR = REPORTS_DIR / "contracts"
