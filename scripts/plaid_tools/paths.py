"""Where things live in this repository, in one place."""

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
SANDBOX_PROJECT = ROOT / "contracts" / "plaid-offline-sandbox"
SANDBOX_PACKAGE = SANDBOX_PROJECT / "plaid_offline_sandbox"
REPORTS_DIR = ROOT / "reports"
UPSTREAM_REPORT = REPORTS_DIR / "upstream" / "upstream.md"
