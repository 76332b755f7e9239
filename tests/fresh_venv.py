"""A fresh virtual environment with what ``python -m venv`` puts in it, in a fraction of its time.

``python -m venv`` spends ~5 s in ensurepip: pip runs from its wheel, compiling every module it
imports, then installs itself and compiles again. The runner's environment (.nox-env, made by
scripts/nox_pinned.py with ensurepip) holds the very packages ensurepip installs: when it holds
them at the versions this interpreter bundles, their files are copied in (by their RECORD, the
console scripts pointed at the new interpreter). Otherwise venv's own way. The same copy puts
a package this test environment has, with what it requires, into such a venv (``copy_installed``),
where a test needs it as installed but not the seconds of ``pip install``.
"""

from __future__ import annotations

import ensurepip
import os
import shutil
import sys
import venv
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

RUNNER_ENV = (
    Path(__file__).resolve().parents[1]
    / ".nox-env"
    / f"py{sys.version_info.major}.{sys.version_info.minor}"
)
RUNNER_BIN = RUNNER_ENV / "bin"


def create(path: Path) -> None:
    """``python -m venv path``: this interpreter's own pip (and, before 3.12, setuptools)."""
    site = _site_packages(RUNNER_ENV)
    dists = _bundled_dists(site) if site else None
    if not site or not dists:
        venv.create(path, with_pip=True, symlinks=os.name != "nt")
        return
    venv.create(path, with_pip=False, symlinks=os.name != "nt")
    _copy(dists, RUNNER_ENV, path)


def copy_installed(path: Path, name: str) -> None:
    """Into the venv at ``path``, this environment's ``name`` and every distribution it requires
    (their versions are the pinned ones this environment was installed with)."""
    wanted, dists = [name], {}
    while wanted:
        dist = metadata.distribution(wanted.pop())
        if dist.metadata["Name"] not in dists:
            dists[dist.metadata["Name"]] = dist
            wanted += _required(dist)
    _copy(list(dists.values()), Path(sys.prefix).resolve(), path)


def _required(dist: metadata.Distribution) -> list[str]:
    """The names ``dist`` requires in this interpreter, without extras."""
    names = []
    for line in dist.requires or ():
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            names.append(requirement.name)
    return names


def _copy(dists: list[metadata.Distribution], env: Path, path: Path) -> None:
    """The files of ``dists`` (installed in ``env``) by their RECORD into the venv at ``path``."""
    site, into = _site_packages(env), _site_packages(path)
    assert site is not None and into is not None
    for dist in dists:
        for file in dist.files or ():
            source = (site / file).resolve()
            target = (into / file).resolve()
            if source.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
                if source.parent == env / "bin":  # a console script: its #! names env's python
                    shebang, rest = target.read_text(encoding="utf-8").split("\n", 1)
                    shebang = shebang.replace(str(env), str(path))
                    target.write_text(f"{shebang}\n{rest}", encoding="utf-8")


def _site_packages(env: Path) -> Path | None:
    found = sorted(env.glob("lib/python*/site-packages"))
    return found[0] if found else None


def _bundled_dists(site: Path) -> list[metadata.Distribution] | None:
    """The runner's distributions of what ensurepip bundles, if they are the bundled versions."""
    bundled = Path(ensurepip.__file__).parent / "_bundled"
    wanted = dict(wheel.name.split("-")[:2] for wheel in bundled.glob("*.whl"))
    have = {dist.metadata["Name"]: dist for dist in metadata.distributions(path=[str(site)])}
    if not wanted or any(
        have.get(name) is None or have[name].version != version for name, version in wanted.items()
    ):
        return None
    return [have[name] for name in wanted]
