"""The contract runner's packages form one direction (ARCHITECTURE.md): a module imports only its
own package and the packages below it, so no two packages import each other and nothing runs back
up; and nothing under contracts/ imports the tooling (plaid_tools), which sits above the runner."""

from __future__ import annotations

import ast
from pathlib import Path

from plaid_tools import paths

RUNNER = paths.CONTRACTS_DIR / "plaid_contracts"
# Bottom to top, as ARCHITECTURE.md lists them.
LAYERS = (
    "infra",
    "recording",
    "runtime",
    "rules",
    "operations",
    "checks",
    "client_contract",
    "offline",
    "reports",
    "commands",
)


def imported_modules(source: Path) -> set[str]:
    """Every absolute module a file imports, `from x import y` as both x and x.y (y may be a
    module), TYPE_CHECKING imports included: an annotation is an arrow too."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "plaid_contracts" or len(parts) < 2 or parts[1] not in LAYERS:
        return None
    return LAYERS.index(parts[1])


def arrows_back_up(runner: Path) -> list[str]:
    """`file -> module` for every import of a package above the file's own."""
    found = []
    for source in sorted(runner.rglob("*.py")):
        package = source.relative_to(runner).parts[0]
        if package not in LAYERS:
            continue  # __init__.py and __main__.py of the runner stand above every layer
        own = LAYERS.index(package)
        for module in sorted(imported_modules(source)):
            layer = layer_of(module)
            if layer is not None and layer > own:
                found.append(f"{source.relative_to(runner)} -> {module}")
    return found


def test_every_package_of_the_runner_is_a_layer() -> None:
    packages = {p.name for p in RUNNER.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages == set(LAYERS)


def test_no_import_runs_back_up() -> None:
    assert arrows_back_up(RUNNER) == []


def test_nothing_under_contracts_imports_the_tooling() -> None:
    importers = [
        str(source.relative_to(paths.CONTRACTS_DIR))
        for source in sorted(paths.CONTRACTS_DIR.rglob("*.py"))
        if any(m.split(".")[0] == "plaid_tools" for m in imported_modules(source))
    ]
    assert importers == []


def test_an_import_back_up_is_caught(tmp_path: Path) -> None:
    for package in LAYERS:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "infra" / "settings.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from plaid_contracts.reports import summary\n"
    )
    (tmp_path / "checks" / "results.py").write_text("from plaid_contracts.rules import envelope\n")
    assert arrows_back_up(tmp_path) == [
        "infra/settings.py -> plaid_contracts.reports",
        "infra/settings.py -> plaid_contracts.reports.summary",
    ]
