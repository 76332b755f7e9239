"""Where things live in this repository, in one place (the contract runner imports it too; the
offline sandbox and the generated client need no repository paths and import nothing of ours)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OPENAPI_DIR = ROOT / "openapi"
SPEC = OPENAPI_DIR / "plaid-session-token.yaml"
UPSTREAM_DEVIATIONS = OPENAPI_DIR / "upstream-deviations.yaml"
GENERATOR_CONFIG = OPENAPI_DIR / "generator-config.yaml"
TEMPLATES = OPENAPI_DIR / "templates"
HEADER_HOOK = OPENAPI_DIR / "hooks" / "add_generated_header.py"
GENERATED_DIR = ROOT / "generated"
DISTRIBUTION = "plaid-session-client"
PACKAGE = "plaid_session_client"
CLIENT_PROJECT = GENERATED_DIR / DISTRIBUTION
CONTRACTS_DIR = ROOT / "contracts"
CONTRACT_SUITE = CONTRACTS_DIR / "suite"
SANDBOX_PROJECT = CONTRACTS_DIR / "plaid-offline-sandbox"
SANDBOX_PACKAGE = SANDBOX_PROJECT / "plaid_offline_sandbox"
REPORTS_DIR = ROOT / "reports"
CONTRACT_REPORTS = REPORTS_DIR / "contracts"
UPSTREAM_REPORT = REPORTS_DIR / "upstream" / "upstream.md"
# How the README runs a session; every command a report or a message prints starts with it.
NOX = "python3 scripts/nox_pinned.py"
