"""The contract suite is only worth something while spec, client and sandbox stay independent.

- the offline sandbox is written from Plaid's behaviour: it never reads openapi/ and never
  imports the generated client or our tooling;
- the generated package is vendorable: it imports only itself, the standard library, httpx
  and attrs.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from plaid_tools import paths

SANDBOX = paths.SANDBOX_PACKAGE
CLIENT = paths.CLIENT_PROJECT / paths.PACKAGE


def imported_roots(source: Path) -> Iterator[str]:
    """Top-level names of every absolute import in a module (relative ones stay in-package)."""
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def third_party(roots: Iterator[str], own: str) -> set[str]:
    return {root for root in roots if root not in sys.stdlib_module_names and root != own}


SANDBOX_MODULES = sorted(SANDBOX.rglob("*.py"))
# The pytest plugin runs inside the user's test process: pytest is there, httpx is the client's.
PLUGIN_IMPORTS = {"pytest", "httpx"}


def _sandbox_id(module: Path) -> str:
    return module.relative_to(SANDBOX).as_posix()


@pytest.mark.parametrize("module", SANDBOX_MODULES, ids=_sandbox_id)
def test_sandbox_imports_nothing_of_the_spec_or_the_client(module: Path) -> None:
    allowed = {"uvicorn"} | (PLUGIN_IMPORTS if module.name == "pytest_plugin.py" else set())
    assert third_party(imported_roots(module), "plaid_offline_sandbox") <= allowed


@pytest.mark.parametrize("module", SANDBOX_MODULES, ids=_sandbox_id)
def test_sandbox_never_names_the_spec(module: Path) -> None:
    text = module.read_text(encoding="utf-8")
    assert "openapi" not in text.lower() and paths.SPEC.name not in text


@pytest.mark.parametrize("module", sorted(CLIENT.rglob("*.py")), ids=lambda p: p.name)
def test_generated_package_imports_only_httpx_and_attrs(module: Path) -> None:
    assert third_party(imported_roots(module), paths.PACKAGE) <= {"httpx", "attrs", "attr"}


def test_the_checks_see_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "leaky.py"
    module.write_text("import plaid_session_client\nfrom plaid_tools import paths\n")
    assert third_party(imported_roots(module), "x") == {"plaid_session_client", "plaid_tools"}
