"""Upstream drift watch: our spec against Plaid's published spec for the same operations.

`python -m plaid_tools.upstream [SOURCE]` (`nox -s upstream`). Upstream's whole-API document is
cut down to our operations (`extract`), compared with ours in both directions by the spec-diff
engine (`drift`), and every difference is either a known deviation listed with its evidence in
openapi/upstream-deviations.yaml (`deviations`) or new; the Markdown report (`report`) says
what to do about each new one (`advice`). `--propose` adopts what it can in our spec
(`propose`, editing it as text: `yaml_text`) and generates.
"""

from __future__ import annotations

from plaid_tools.upstream.deviations import Deviation, DeviationsError, load_deviations
from plaid_tools.upstream.drift import Drift, compare_with_upstream
from plaid_tools.upstream.report import to_markdown
from plaid_tools.upstream.source import DEFAULT_URL, load_upstream

__all__ = [
    "DEFAULT_URL",
    "Deviation",
    "DeviationsError",
    "Drift",
    "compare_with_upstream",
    "load_deviations",
    "load_upstream",
    "to_markdown",
]
