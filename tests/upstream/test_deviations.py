"""The deviations file: what an entry must say, and the checked-in file itself."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from plaid_tools import paths
from plaid_tools.upstream.deviations import DeviationsError, load_deviations

# assumptions.py, or an endpoint module for the assumptions of its own
SANDBOX_MODULES = sorted(paths.SANDBOX_PACKAGE.rglob("*.py"))
KEY = {"at": "POST /x request body (application/json)", "rule": "additional_properties_changed"}


def entry(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "closed",
        "reason": "Unknown fields are rejected.",
        "evidence": {"kind": "DOC", "link": "https://docs.example.com/errors"},
        "differences": [KEY],
    }
    return {**base, **changes}


def write(tmp_path: Path, *entries: dict[str, Any]) -> Path:
    path = tmp_path / "deviations.yaml"
    path.write_text(yaml.safe_dump({"deviations": list(entries)}), encoding="utf-8")
    return path


def test_each_evidence_kind_with_what_it_needs(tmp_path: Path) -> None:
    seen = {"kind": "SEEN", "quote": '{"error_code": "X"}', "where": "plaid/plaid-ruby #344"}
    entries = [
        entry(),
        entry(id="seen", evidence=seen, differences=[{**KEY, "at": "POST /y"}]),
        entry(
            id="assumed",
            evidence={"kind": "ASSUMED", "tag": "A7"},
            differences=[{**KEY, "subject": "minLength"}],
        ),
    ]
    loaded = load_deviations(write(tmp_path, *entries))
    assert [str(d.evidence).split(" ")[0] for d in loaded] == ["DOC", "SEEN", "ASSUMED"]
    assert loaded[2].differences[0].subject == "minLength"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (entry(evidence={"kind": "DOC"}), "`link` must be a non-empty string"),
        (entry(evidence={"kind": "DOC", "link": "plaid.com/docs"}), "https://"),
        (entry(evidence={"kind": "SEEN", "quote": "x"}), "`where`"),
        (entry(evidence={"kind": "ASSUMED", "tag": "guess"}), "looks like A7"),
        (entry(evidence={"kind": "HEARSAY"}), "DOC | SEEN | ASSUMED"),
        (entry(evidence={"kind": "DOC", "link": "https://x", "url": "y"}), "unknown field"),
        (entry(reason="TODO: why our spec keeps this"), "still says TODO"),
        (entry(differences=[]), "at least one difference"),
        (entry(differences=[{"at": "POST /x"}]), "`rule`"),
        (entry(owner="me"), "unknown field(s) owner"),
    ],
)
def test_an_incomplete_entry_is_refused_with_its_reason(
    tmp_path: Path, bad: dict[str, Any], message: str
) -> None:
    with pytest.raises(DeviationsError, match=re.escape(message)):
        load_deviations(write(tmp_path, bad))


def test_a_difference_belongs_to_one_deviation(tmp_path: Path) -> None:
    with pytest.raises(DeviationsError, match="listed by both closed and again"):
        load_deviations(write(tmp_path, entry(), entry(id="again")))


def test_the_checked_in_deviations_cite_real_sandbox_assumptions() -> None:
    deviations = load_deviations(paths.UPSTREAM_DEVIATIONS)
    assert deviations
    tags = {
        tag
        for module in SANDBOX_MODULES
        for tag in re.findall(r"# \[(A\d+)\]", module.read_text(encoding="utf-8"))
    }
    assumed = {d.evidence.fields["tag"] for d in deviations if d.evidence.kind == "ASSUMED"}
    assert assumed and assumed <= tags
