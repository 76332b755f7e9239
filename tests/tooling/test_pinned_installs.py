"""Hash-pinned installs: every pin carries hashes, and other bytes than pinned stop the install.

The two installers of this repository are exercised for real, each on a copy whose hash for
one package was changed: scripts/nox_pinned.py (pip, `--require-hashes`, for the runner) and a
nox session of noxfile.py (uv, hashes from the constraints). Both must stop with the one line
that says why, and name the package.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from plaid_tools import dependency_range, paths

from tests import fresh_venv
from tests.fresh_venv import RUNNER_BIN

REQUIREMENTS = paths.ROOT / "requirements"
COMPILED = ("constraints.txt", "build.txt", "nox.txt", "client-lowest.txt", "client-highest.txt")
PIN = re.compile(r"^([A-Za-z0-9][\w.-]*)==(\S+)", re.M)
WRONG_HASH = "sha256:" + "0" * 64


def _blocks(text: str) -> dict[str, str]:
    """Each pin of a compiled requirements file with its continuation lines (its hashes)."""
    starts = [match.start() for match in PIN.finditer(text)] + [len(text)]
    blocks = (text[start:end] for start, end in itertools.pairwise(starts))
    return {block.split("==")[0]: block for block in blocks}


def closure(name: str, root: str) -> str:
    """The pins of a compiled file that `root` needs, by its `# via` annotations, as a file."""
    blocks = _blocks((REQUIREMENTS / name).read_text())
    parents = {
        pin: set(re.findall(r"^\s+#\s+(?:via\s+)?([A-Za-z0-9][\w.-]*)", block, re.M)) - {"via"}
        for pin, block in blocks.items()
    }
    needed = {root}
    while grown := {pin for pin, via in parents.items() if via & needed} - needed:
        needed |= grown
    return "".join(block for pin, block in blocks.items() if pin in needed)


def pins(name: str) -> dict[str, str]:
    """What a compiled requirements file pins: name -> version."""
    return {match[1]: match[2] for match in PIN.finditer((REQUIREMENTS / name).read_text())}


def tampered(name: str, package: str) -> str:
    """That requirements file with every hash of one package replaced by a wrong one."""
    text = (REQUIREMENTS / name).read_text()
    block = _blocks(text)[package]
    return text.replace(block, re.sub(r"sha256:[0-9a-f]{64}", WRONG_HASH, block))


@pytest.mark.parametrize("name", COMPILED)
def test_every_pin_carries_hashes(name: str) -> None:
    blocks = _blocks((REQUIREMENTS / name).read_text())
    assert blocks, name
    assert [pin for pin, block in blocks.items() if "--hash=sha256:" not in block] == []


@pytest.mark.parametrize("name", COMPILED)
def test_the_compiled_files_say_how_they_were_compiled(name: str) -> None:
    header = (REQUIREMENTS / name).read_text().splitlines()[1].removeprefix("#").strip()
    if name.startswith("client-"):  # both ends of the range, from the wheel's pyproject.toml
        assert header == dependency_range.COMPILE_COMMAND
    else:
        assert "uv pip compile" in header and "--generate-hashes" in header, header


@pytest.mark.heavy
def test_the_runner_install_stops_on_a_changed_hash(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "requirements").mkdir()
    shutil.copy(paths.ROOT / "scripts" / "nox_pinned.py", tmp_path / "scripts")
    # The environment as venv leaves it (creating it is not what this tests, and takes 5 s).
    fresh_venv.create(tmp_path / ".nox-env" / RUNNER_BIN.parent.name)
    # One pin, so that pip has only the tampered file to fetch.
    (tmp_path / "requirements" / "nox.txt").write_text(
        _blocks(tampered("nox.txt", "argcomplete"))["argcomplete"]
    )
    done = subprocess.run(
        [sys.executable, str(tmp_path / "scripts" / "nox_pinned.py"), "--version"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2, done
    assert "DO NOT MATCH THE HASHES" in done.stderr
    assert "argcomplete" in done.stderr
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .startswith("nox_pinned: installing requirements/nox.txt failed")
    )
    assert not (tmp_path / ".nox-env" / RUNNER_BIN.parent.name / ".requirements-sha256").exists()


@pytest.mark.heavy
def test_a_session_install_stops_on_a_changed_hash(tmp_path: Path) -> None:
    """The `sandbox` session (the smallest install) on a copy of this repository whose
    constraints pin other bytes for uvicorn, which the offline sandbox depends on."""
    if not (RUNNER_BIN / "nox").exists():
        pytest.skip("needs the pinned runner: run the tests through scripts/nox_pinned.py")
    copy = tmp_path / "repo"
    ignore = shutil.ignore_patterns(".nox*", "__pycache__", "reports", "generated", ".git")
    shutil.copytree(paths.ROOT, copy, ignore=ignore)
    (copy / "requirements" / "constraints.txt").write_text(tampered("constraints.txt", "uvicorn"))
    env = {**os.environ, "PATH": f"{RUNNER_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run(
        [str(RUNNER_BIN / "nox"), "-s", "sandbox", "--", "--help"],
        cwd=copy,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Hash mismatch for `uvicorn==" in output, output
    assert "install failed. If uv says 'Hash mismatch' above" in output, output
