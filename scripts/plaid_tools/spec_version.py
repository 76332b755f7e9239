"""The spec's info.version: `<Plaid API version>_<semver revision>`, e.g. `2020-09-14_1.2.3`.

Plaid's own format for its published spec. Kept free of heavy imports: the generator pipeline
reads it on every run.
"""

from __future__ import annotations

import re

VERSION_SEPARATOR = "_"
SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


class InvalidSpecVersion(ValueError):
    """info.version does not have the `<api version>_<semver>` form."""


def split(info_version: str) -> tuple[str, tuple[int, int, int]]:
    """(`2020-09-14`, (1, 2, 3)) from `2020-09-14_1.2.3`."""
    api, sep, revision = str(info_version).partition(VERSION_SEPARATOR)
    match = SEMVER.match(revision)
    if not sep or not api or not match:
        raise InvalidSpecVersion(f"info.version {info_version!r} is not '<api version>_<semver>'")
    major, minor, patch = (int(part) for part in match.groups())
    return api, (major, minor, patch)


def package_version_of(info_version: str) -> str:
    """The package version in an info.version (`2020-09-14_1.2.3` -> `1.2.3`), validated."""
    return ".".join(map(str, split(info_version)[1]))
