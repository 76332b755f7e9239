"""Fixtures for the spec-diff and versioning tests: the spec history, small documents, a
throwaway git repository, and generated clients (each generated at most once per session)."""

from __future__ import annotations

import copy
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypedDict

import pytest
import yaml
from plaid_tools import paths
from plaid_tools.spec_diff.api_diff import generate_client
from plaid_tools.spec_diff.document import compare_documents
from plaid_tools.spec_diff.loader import LoadedSpec
from plaid_tools.spec_diff.model import Change, Impact, verdict

HISTORY = Path(__file__).resolve().parents[1] / "fixtures" / "spec_history"
HISTORY_FILES = sorted(HISTORY.glob("*.yaml"))


def history_spec(stem: str) -> LoadedSpec:
    path = HISTORY / f"{stem}.yaml"
    text = path.read_text(encoding="utf-8")
    return LoadedSpec(str(path), text, yaml.safe_load(text))


def mini(
    *,
    request: Any = None,
    response: Any = None,
    schemas: dict[str, Any] | None = None,
    version: str = "3.0.3",
    **top: Any,
) -> dict[str, Any]:
    """A one-operation document: POST /things with the given request and 200 schemas."""
    operation: dict[str, Any] = {
        "operationId": "createThing",
        "responses": {"200": {"description": "OK"}},
    }
    if request is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": request}},
        }
    if response is not None:
        operation["responses"]["200"]["content"] = {"application/json": {"schema": response}}
    return {
        "openapi": version,
        "info": {"title": "t", "version": "2020-09-14_1.0.0"},
        "paths": {"/things": {"post": operation}},
        "components": {"schemas": schemas or {}},
        **top,
    }


def obj(required: list[str] | None = None, **props: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    return schema


STRING = {"type": "string"}


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    return compare_documents(copy.deepcopy(old), copy.deepcopy(new))


def verdict_of(old: dict[str, Any], new: dict[str, Any]) -> Impact:
    return verdict([change.impact for change in diff(old, new)])


def rules_of(changes: list[Change]) -> dict[str, Impact]:
    return {change.rule: change.impact for change in changes}


# The history steps the API-diff tests use; all are generated together, two at a time.
API_DIFF_STEPS = (
    "04_more_optional_fields",
    "05_user_made_required",
    "06_user_optional_again_root_user_id",
    "09_error_type_value_added",
    "10_error_type_value_removed",
)


@pytest.fixture(scope="session")
def generated_client(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """A history fixture's client generated with the generator's stock templates, once.

    Stock templates keep these tests about our griffe integration, independent of the
    repository's custom templates (the CLI test exercises those).
    """
    root = tmp_path_factory.mktemp("clients")
    clients = {
        stem: generate_client(history_spec(stem), root, stem, None) for stem in API_DIFF_STEPS
    }
    return clients.__getitem__


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.email=tests@example.com", "-c", "user.name=tests", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture
def git_repo(tmp_path: Path) -> Iterator[Path]:
    """A repository laid out like ours, with history fixture 01 committed on main."""
    repo = tmp_path / "repo"
    (repo / "openapi").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    spec = (HISTORY / "01_initial.yaml").read_text(encoding="utf-8")
    (repo / "openapi" / "plaid-session-token.yaml").write_text(
        spec.replace("info:\n", "info:\n  # keep this comment\n", 1), encoding="utf-8"
    )
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "spec 1.0.0")
    yield repo


# --- a repository with our openapi/ (spec, templates, config, hook), for versioning's client diff


def spec_version(repo: Path) -> str:
    spec = yaml.safe_load((repo / "openapi" / "plaid-session-token.yaml").read_text())
    return str(spec["info"]["version"])


class RepoPaths(TypedDict):
    repo_root: Path
    spec_path: Path
    changelog_path: Path


def repo_paths(repo: Path) -> RepoPaths:
    return {
        "repo_root": repo,
        "spec_path": repo / "openapi" / "plaid-session-token.yaml",
        "changelog_path": repo / "openapi" / "CHANGELOG.md",
    }


@pytest.fixture
def client_repo(tmp_path: Path) -> Path:
    """This repository's openapi/ (spec, templates, config, hook) committed on main."""
    repo = tmp_path / "client-repo"
    shutil.copytree(
        paths.OPENAPI_DIR,
        repo / "openapi",
        ignore=shutil.ignore_patterns("__pycache__", "CHANGELOG.md"),
    )
    (repo / "openapi" / "CHANGELOG.md").write_text("# Changelog\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    return repo
