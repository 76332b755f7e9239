"""Drift check: is generated/ exactly what a fresh regeneration gives?"""

from __future__ import annotations

import filecmp
import subprocess
import sys
import tempfile
from pathlib import Path

from plaid_tools import paths
from plaid_tools.regenerate import GenerationError, generate_into


def _files(root: Path) -> set[str]:
    """Every file under `root`; inside this repository, only those git does not ignore.

    A wheel built in place (dist/, build/, *.egg-info, all in the generated .gitignore) is not
    drift.
    """
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", "."],
        cwd=root,
        capture_output=True,
        check=False,
    )
    inside_repo = listed.returncode == 0 and root.resolve().is_relative_to(paths.ROOT)
    if inside_repo:
        names = {name for name in listed.stdout.decode().split("\0") if name}
        return {name for name in names if (root / name).is_file()}
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def differences(committed: Path, fresh: Path) -> list[str]:
    """Human-readable lines, one per file that is missing, extra or changed."""
    committed_files, fresh_files = _files(committed), _files(fresh)
    lines = [
        f"missing (regeneration creates it): {name}"
        for name in sorted(fresh_files - committed_files)
    ]
    lines += [
        f"extra (regeneration does not create it): {name}"
        for name in sorted(committed_files - fresh_files)
    ]
    lines += [
        f"differs: {name}"
        for name in sorted(committed_files & fresh_files)
        if not filecmp.cmp(committed / name, fresh / name, shallow=False)
    ]
    return lines


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="plaid-drift-") as tmp:
        try:
            fresh = generate_into(Path(tmp) / paths.DISTRIBUTION)
        except GenerationError as error:
            print(error, file=sys.stderr)
            return 1
        drift = differences(paths.CLIENT_PROJECT, fresh)
    if drift:
        where = paths.CLIENT_PROJECT.relative_to(paths.ROOT)
        print(f"{where} is not what the spec, config and templates generate:", file=sys.stderr)
        for line in drift:
            print(f"  {line}", file=sys.stderr)
        print(f"Run `{paths.NOX} -s generate` and commit the result.", file=sys.stderr)
        return 1
    print("generated/ matches a fresh regeneration")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
