"""Run the pinned nox (and uv, its fast installer) without installing anything globally.

    python3 scripts/nox_pinned.py -s contracts

Creates .nox-env/py3.X/ (one per interpreter version: nox, and so every session, runs on the
interpreter that runs this script) from requirements/nox.txt, reinstalls when that file changes,
then becomes nox with every argument. pip checks every file against the hashes pinned there
(`--require-hashes`): other bytes stop it with exit 2 and one line saying so. Only the standard
library is used, so a fresh machine with Python 3.11+ and PyPI access needs nothing else.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV_DIR = ROOT / ".nox-env" / f"py{sys.version_info.major}.{sys.version_info.minor}"
REQUIREMENTS = ROOT / "requirements" / "nox.txt"
STAMP = ENV_DIR / ".requirements-sha256"


def _env_python() -> Path:
    return ENV_DIR / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


class InstallFailed(Exception):
    """pip could not install requirements/nox.txt (other bytes than pinned, or no index)."""


def ensure_env() -> Path:
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    python = _env_python()
    if python.exists() and STAMP.exists() and STAMP.read_text() == wanted:
        return python
    if not python.exists():
        venv.create(ENV_DIR, with_pip=True)
    installed = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--require-hashes",
            "-r",
            str(REQUIREMENTS),
        ],
    )
    if installed.returncode != 0:
        raise InstallFailed(
            f"nox_pinned: installing {REQUIREMENTS.relative_to(ROOT)} failed (pip's reason above;"
            " 'DO NOT MATCH THE HASHES' means the index served other bytes than pinned: do not"
            " edit the hash, find out why)"
        )
    STAMP.write_text(wanted)
    return python


def main() -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - a friendly message on old interpreters
        print("Python 3.11 or newer is needed", file=sys.stderr)
        return 2
    try:
        python = ensure_env()
    except InstallFailed as failure:
        print(failure, file=sys.stderr)
        return 2
    # nox finds uv next to itself: put the env's bin first so sessions use the pinned uv.
    env = {**os.environ, "PATH": f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = [str(python), "-m", "nox", *sys.argv[1:]]
    os.chdir(ROOT)
    if os.name == "posix":
        # Become nox: a signal sent to this process (SIGTERM from a CI runner or a script)
        # reaches nox itself, which stops the session it runs (noxfile.py).
        os.execve(command[0], command, env)
    return subprocess.call(command, env=env)


if __name__ == "__main__":
    raise SystemExit(main())
