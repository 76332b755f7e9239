"""A scratch copy of this repository, to follow a recipe of CONTRIBUTING.md on it and run what a
maintainer then runs, with the copy's packages imported (tests/tooling/test_adding_*.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from plaid_tools import paths

from tests.forked_runs import run_module
from tests.spec_diff.conftest import git

# What the copy needs to generate and to run the contracts (its tracked files only: no .nox,
# .venv or reports).
COPIED = (".gitignore", "pyproject.toml", "openapi", "generated", "contracts", "scripts")
# Where the copy's packages are imported from.
CLIENT = paths.CLIENT_PROJECT.relative_to(paths.ROOT).as_posix()
IMPORT_ROOTS = ("scripts", "contracts", "contracts/plaid-offline-sandbox", CLIENT)


def changed_files(repo: Path) -> set[str]:
    """Every file that differs from the copy's main, new ones included."""
    status = git(repo, "status", "--porcelain", "--untracked-files=all", "--no-renames")
    return {line[3:] for line in status.splitlines()}


def scratch_copy(root: Path) -> Path:
    """This working tree's tracked files under COPIED, committed as main of a new repository."""
    repo = root / "repo"
    tracked = git(paths.ROOT, "ls-files", "-z", "--", *COPIED).split("\0")
    for name in filter(None, tracked):
        source = paths.ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is not copied
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    return repo


def run_in(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m MODULE ARGS` with the copy's packages imported, not this venv's installs:
    forked from an interpreter that has imported nothing of ours (tests/forked_runs.py), with
    the copy's folders first on its path and on PYTHONPATH (for what the run starts)."""
    option, module, *rest = args
    assert option == "-m", args
    roots = [repo / root for root in IMPORT_ROOTS]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAID_")}
    env["PYTHONPATH"] = os.pathsep.join(str(root) for root in roots)
    return run_module(module, rest, env=env, cwd=repo, timeout=180, path=roots)
