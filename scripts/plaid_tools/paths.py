"""Where things live in this repository, in one place. What the contract runner needs too is
defined in its own package and taken from there (the runner never imports the tooling); the
offline sandbox and the generated client need no repository paths and import nothing of ours."""

from plaid_contracts.infra.paths import CONTRACT_REPORTS, CONTRACT_SUITE, NOX, ROOT, SPEC

OPENAPI_DIR = ROOT / "openapi"
UPSTREAM_DEVIATIONS = OPENAPI_DIR / "upstream-deviations.yaml"
GENERATOR_CONFIG = OPENAPI_DIR / "generator-config.yaml"
TEMPLATES = OPENAPI_DIR / "templates"
HEADER_HOOK = OPENAPI_DIR / "hooks" / "add_generated_header.py"
GENERATED_DIR = ROOT / "generated"
DISTRIBUTION = "plaid-session-client"
PACKAGE = "plaid_session_client"
CLIENT_PROJECT = GENERATED_DIR / DISTRIBUTION
CONTRACTS_DIR = ROOT / "contracts"
SANDBOX_PROJECT = CONTRACTS_DIR / "plaid-offline-sandbox"
SANDBOX_PACKAGE = SANDBOX_PROJECT / "plaid_offline_sandbox"
REPORTS_DIR = ROOT / "reports"
UPSTREAM_REPORT = REPORTS_DIR / "upstream" / "upstream.md"

__all__ = [
    "CLIENT_PROJECT",
    "CONTRACTS_DIR",
    "CONTRACT_REPORTS",
    "CONTRACT_SUITE",
    "DISTRIBUTION",
    "GENERATED_DIR",
    "GENERATOR_CONFIG",
    "HEADER_HOOK",
    "NOX",
    "OPENAPI_DIR",
    "PACKAGE",
    "REPORTS_DIR",
    "ROOT",
    "SANDBOX_PACKAGE",
    "SANDBOX_PROJECT",
    "SPEC",
    "TEMPLATES",
    "UPSTREAM_DEVIATIONS",
    "UPSTREAM_REPORT",
]
