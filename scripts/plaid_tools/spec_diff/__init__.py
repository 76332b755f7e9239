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
            # Our templates expect this product's PlaidError model; a spec without it (an early
            # revision, someone else's API) still gets the models' API diff from the stock ones.
            try:
                report.api_changes = python_api_changes(old, new, templates=None)
                report.api_diff_status = (
                    f"done with the generator's stock templates (ours failed: {_last_line(error)})"
                )
            except GenerationError as stock_error:
                report.api_diff_status = f"failed: {_last_line(stock_error)}"
    return report


def _last_line(error: GenerationError) -> str:
    """The generator's last line names the cause; the rest is a traceback."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[-1] if lines else "generator error"
