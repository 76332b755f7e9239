"""An operation's spec section (its paths and component schemas) merged into a copy of a spec, as
a maintainer adds an operation to openapi/plaid-session-token.yaml."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml


def with_section(spec: dict[str, Any], section_file: Path) -> dict[str, Any]:
    section = yaml.safe_load(section_file.read_text(encoding="utf-8"))
    merged = copy.deepcopy(spec)
    merged["paths"].update(section["paths"])
    merged["components"]["schemas"].update(section["components"]["schemas"])
    return merged
