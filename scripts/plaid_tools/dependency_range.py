"""The runtime dependency range the generated wheel declares, tested at both ends.

    python -m plaid_tools.dependency_range compile          # rewrite requirements/client-*.txt
    python -m plaid_tools.dependency_range check lowest     # in the session's venv

`nox -s dependency-range` installs requirements/client-lowest.txt or client-highest.txt (hashed,
`--require-hashes`) beside the client and the offline sandbox, then runs `check` and the
client's own tests. `check` fails, naming the file, when the installed httpx and attrs are not
the end of the range the wheel's pyproject.toml declares (its `dependencies`, written by
openapi/templates/pyproject_uv.toml.jinja): a bound changed without recompiling, or a pin moved
out of the range. The lowest end is the declared lower bound itself; the highest is the newest
release inside the range when `compile` last ran (`compile` moves it).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import platform
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from plaid_tools import paths

BOUNDS = ("lowest", "highest")
REQUIREMENTS = paths.ROOT / "requirements"
# What the client's tests need beside the client and the sandbox (their own pins follow).
TEST_NEEDS = REQUIREMENTS / "client-range.in"
LOWEST_PYTHON = "3.11"
COMPILE_COMMAND = "python3 scripts/nox_pinned.py -s dependency-range-compile"


class RangeError(Exception):
    """The installed versions are not the end of the declared range; one line per problem."""


def requirements_file(bound: str) -> Path:
    return REQUIREMENTS / f"client-{bound}.txt"


def declared(pyproject: Path = paths.CLIENT_PROJECT / "pyproject.toml") -> dict[str, SpecifierSet]:
    """The wheel's runtime dependencies: name -> the versions it allows."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = [Requirement(text) for text in project["dependencies"]]
    return {requirement.name: requirement.specifier for requirement in requirements}


def lowest(specifier: SpecifierSet) -> Version:
    """The lowest version a `>=` / `==` / `~=` bound allows (a range without one has no end)."""
    floors = [Version(s.version) for s in specifier if s.operator in (">=", "==", "~=")]
    if not floors:
        raise RangeError(f"`{specifier}` has no lower bound to test")
    return max(floors)


def problems(
    bound: str, allowed: dict[str, SpecifierSet], installed: dict[str, Version]
) -> list[str]:
    """Why `installed` is not the `bound` end of `allowed` (empty: it is)."""
    found = []
    where = requirements_file(bound).relative_to(paths.ROOT)
    for name, specifier in sorted(allowed.items()):
        version = installed.get(name)
        if version is None:
            found.append(f"{where} does not install {name}")
        elif version not in specifier:
            found.append(f"{where} installs {name} {version}, outside the declared `{specifier}`")
        elif bound == "lowest" and version != lowest(specifier):
            found.append(
                f"{where} installs {name} {version}, but the lowest the wheel declares is "
                f"{lowest(specifier)} (`{specifier}`)"
            )
    return found


def check(bound: str) -> str:
    """The one line saying what this venv tests; RangeError when it is not the `bound` end of
    the range the installed wheel declares."""
    requirements = [
        Requirement(text) for text in importlib.metadata.requires(paths.DISTRIBUTION) or []
    ]
    allowed = {requirement.name: requirement.specifier for requirement in requirements}
    installed = {name: Version(importlib.metadata.version(name)) for name in allowed}
    found = problems(bound, allowed, installed)
    if found:
        raise RangeError("\n".join([*found, f"recompile: {COMPILE_COMMAND}"]))
    versions = ", ".join(f"{name} {version}" for name, version in sorted(installed.items()))
    return f"dependency-range {bound}: {versions} on Python {platform.python_version()}"


def compile_bound(bound: str, pyproject: Path, output: Path) -> None:
    """Lock the client's tests' environment at one end of `pyproject`'s range, with hashes."""
    allowed = declared(pyproject)
    with tempfile.TemporaryDirectory() as scratch:
        command = [
            "uv",
            "pip",
            "compile",
            str(TEST_NEEDS),
            str(pyproject),
            str(paths.SANDBOX_PROJECT / "pyproject.toml"),
            "--universal",  # one lock for every Python the session runs on
            "--python-version",
            LOWEST_PYTHON,
            "--generate-hashes",
            "--quiet",
            "--custom-compile-command",
            COMPILE_COMMAND,
            "-o",
            str(output),
        ]
        if bound == "lowest":
            floors = Path(scratch) / "floors.txt"
            floors.write_text("".join(f"{n}=={lowest(s)}\n" for n, s in allowed.items()))
            command += ["-c", str(floors)]
        else:
            command += [arg for name in allowed for arg in ("--upgrade-package", name)]
        subprocess.run(command, check=True, cwd=paths.ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m plaid_tools.dependency_range")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("compile", help="rewrite requirements/client-lowest.txt and -highest.txt")
    checking = commands.add_parser("check", help="fail unless this venv is that end of the range")
    checking.add_argument("bound", choices=BOUNDS)
    args = parser.parse_args(argv)
    if args.command == "compile":
        for bound in BOUNDS:
            compile_bound(bound, paths.CLIENT_PROJECT / "pyproject.toml", requirements_file(bound))
        return 0
    try:
        print(check(args.bound))
    except RangeError as error:
        print(f"dependency-range: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
