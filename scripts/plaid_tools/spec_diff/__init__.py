"""Spec evolution: classify every change between two versions of the spec by its impact on
the people who regenerate or vendor the client (breaking, compatible, docs), and diff the
generated package's public Python API with griffe. `python -m plaid_tools.spec_diff OLD NEW`.
"""

from __future__ import annotations

from plaid_tools.regenerate import GenerationError
from plaid_tools.spec_diff.api_diff import python_api_changes
from plaid_tools.spec_diff.document import compare_documents
from plaid_tools.spec_diff.loader import LoadedSpec, SpecLoadError, load_source
from plaid_tools.spec_diff.model import Change, Direction, Impact
from plaid_tools.spec_diff.report import Report

__all__ = [
    "Change",
    "Direction",
    "Impact",
    "LoadedSpec",
    "Report",
    "SpecLoadError",
    "compare",
    "compare_documents",
    "load_source",
]


def compare(old: LoadedSpec, new: LoadedSpec, *, api_diff: bool = True) -> Report:
    """The full report; the API diff regenerates both clients and is skipped on request."""
    report = Report(old.label, new.label, compare_documents(old.document, new.document))
    if api_diff:
        try:
            report.api_changes = python_api_changes(old, new)
            report.api_diff_status = "done"
        except GenerationError as error:
            # The generator's last line names the cause; the rest is a traceback.
            lines = [line.strip() for line in str(error).splitlines() if line.strip()]
            report.api_diff_status = f"failed: {lines[-1] if lines else 'generator error'}"
    return report
