"""`nox -s dependency-range`: the locks sit at the ends of the range the wheel declares, and a
bound made wrong on purpose fails, as a stale lock (`check`) and in the client's own tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version
from plaid_tools import dependency_range, paths

from tests.fresh_venv import RUNNER_BIN
from tests.tooling.test_pinned_installs import pins

DECLARED = dependency_range.declared()
SANDBOX_TESTS = "tests/client/test_sandbox.py"  # the client's calls to the offline sandbox


def locked(bound: str) -> dict[str, Version]:
    return {name: Version(version) for name, version in pins(f"client-{bound}.txt").items()}


def test_the_declared_range_is_httpx_and_attrs_with_lower_bounds() -> None:
    assert set(DECLARED) == {"httpx", "attrs"}
    assert all(dependency_range.lowest(specifier) for specifier in DECLARED.values())


@pytest.mark.parametrize("bound", dependency_range.BOUNDS)
def test_each_lock_is_its_end_of_the_declared_range(bound: str) -> None:
    assert dependency_range.problems(bound, DECLARED, locked(bound)) == []


def test_the_highest_lock_is_above_the_lowest() -> None:
    low, high = locked("lowest"), locked("highest")
    assert all(high[name] > low[name] for name in DECLARED)


def test_a_lower_bound_changed_without_recompiling_is_named() -> None:
    wrong = {**DECLARED, "attrs": SpecifierSet(">=21.2.0")}
    assert dependency_range.problems("lowest", wrong, locked("lowest")) == [
        "requirements/client-lowest.txt installs attrs 22.2.0, but the lowest the wheel "
        "declares is 21.2.0 (`>=21.2.0`)"
    ]


def test_an_upper_bound_below_the_highest_lock_is_named() -> None:
    wrong = {**DECLARED, "httpx": SpecifierSet(">=0.24.0,<0.28.0")}
    (problem,) = dependency_range.problems("highest", wrong, locked("highest"))
    assert problem.startswith("requirements/client-highest.txt installs httpx 0.28.")
    assert problem.endswith("outside the declared `<0.28.0,>=0.24.0`")


def test_a_range_without_a_lower_bound_cannot_be_tested() -> None:
    with pytest.raises(dependency_range.RangeError, match="no lower bound"):
        dependency_range.lowest(SpecifierSet("<1"))


@pytest.mark.heavy
def test_a_wrong_lower_bound_fails_the_clients_tests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """attrs>=21.2.0, as a template could say: 21.2 has no `attrs` namespace, which the models
    import. Locked and installed as the session does, `check` passes (the lock is that end of
    the range) and the client's tests against the offline sandbox fail on the import."""
    uv = shutil.which("uv", path=f"{RUNNER_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if uv is None:
        pytest.skip("needs uv: run the tests through scripts/nox_pinned.py")
    client = tmp_path / "client"
    shutil.copytree(paths.CLIENT_PROJECT, client, ignore=shutil.ignore_patterns("__pycache__"))
    pyproject = client / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    assert '"attrs>=22.2.0"' in text
    pyproject.write_text(text.replace('"attrs>=22.2.0"', '"attrs>=21.2.0"'), encoding="utf-8")
    lock = tmp_path / "lowest.txt"
    monkeypatch.setenv("PATH", f"{Path(uv).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    dependency_range.compile_bound("lowest", pyproject, lock)
    env = dict(os.environ)
    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    for command in (
        [uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--python",
            str(python),
            "--require-hashes",
            "-r",
            str(lock),
        ],
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--python",
            str(python),
            "--no-deps",
            "--build-constraints",
            str(paths.ROOT / "requirements" / "build.txt"),
            str(client),
            str(paths.SANDBOX_PROJECT),
            "-e",
            str(paths.ROOT),
        ],
    ):
        subprocess.run(command, check=True, env=env, timeout=300, capture_output=True)
    checked = subprocess.run(
        [str(python), "-m", "plaid_tools.dependency_range", "check", "lowest"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert checked.stdout.startswith("dependency-range lowest: attrs 21.2.0, httpx "), checked
    tested = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", SANDBOX_TESTS],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    # 4: the conftest already builds a model (pytest's "ImportError while loading conftest").
    output = tested.stdout + tested.stderr
    assert tested.returncode in (1, 4), output[-2000:]
    assert "No module named 'attrs'" in output, output[-2000:]
