"""`upstream --propose` on a scratch copy of the repository, against a Plaid-shaped fixture
written here (our spec plus one new optional request field and one new error type, as Plaid
would publish them): the spec adopts both where they belong, lints, generates as a minor with
its CHANGELOG entry; the offline sandbox is untouched and the offline contract run fails on
the sandbox rule the proposal names as missing; a second run proposes nothing."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from plaid_tools import paths
from plaid_tools.spec_diff.model import Impact

from tests.scratch_repo import changed_files, run_in, scratch_copy
from tests.tooling.test_adding_an_endpoint import CHANGELOG, SPEC, version

pytestmark = pytest.mark.xdist_group("upstream-propose")

FIELD = "language"
FIELD_SCHEMA = {
    "type": "string",
    "description": "The language Link is shown in, as an ISO 639-1 code.",
    "example": "fr",
}
ERROR_TYPE = "SESSION_ERROR"
DEVIATIONS = "openapi/upstream-deviations.yaml"
REQUEST = "POST /session/token/create request body (application/json)"


def plaid_fixture(path: Path) -> Path:
    """Upstream as Plaid would publish the two additions (our spec's shapes, not Plaid's file)."""
    document: dict[str, Any] = yaml.safe_load(paths.SPEC.read_text(encoding="utf-8"))
    schemas = document["components"]["schemas"]
    schemas["SessionTokenCreateRequest"]["properties"][FIELD] = dict(FIELD_SCHEMA)
    schemas["KnownPlaidErrorType"]["enum"].append(ERROR_TYPE)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Proposed:
    repo: Path
    base: Any
    run: subprocess.CompletedProcess[str]
    again: subprocess.CompletedProcess[str]
    changed: set[str]
    spec_after_first: str

    def text(self, name: str) -> str:
        return (self.repo / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def proposed(tmp_path_factory: pytest.TempPathFactory) -> Proposed:
    root = tmp_path_factory.mktemp("upstream-propose")
    repo = scratch_copy(root)
    base = version(repo)
    upstream = plaid_fixture(root / "plaid-2020-09-14.yml")
    run = run_in(repo, "-m", "plaid_tools.upstream", str(upstream), "--propose")
    changed = changed_files(repo)
    spec_after_first = (repo / SPEC).read_text(encoding="utf-8")
    again = run_in(repo, "-m", "plaid_tools.upstream", str(upstream), "--propose")
    return Proposed(repo, base, run, again, changed, spec_after_first)


def test_the_proposal_adopts_both_differences(proposed: Proposed) -> None:
    assert proposed.run.returncode == 0, proposed.run.stdout[-3000:] + proposed.run.stderr
    spec = yaml.safe_load(proposed.text(SPEC))
    schemas = spec["components"]["schemas"]
    # Where it belongs, with Plaid's description and example and our string rule.
    assert schemas["SessionTokenCreateRequest"]["properties"][FIELD] == {
        **FIELD_SCHEMA,
        "minLength": 1,
    }
    assert schemas["KnownPlaidErrorType"]["enum"][-1] == ERROR_TYPE
    # With the evidence link, and every comment of the hand-written spec kept.
    text = proposed.text(SPEC)
    assert text.count("Adopted from Plaid's published spec by `upstream --propose`") == 2
    assert "plaid-2020-09-14.yml" in text
    original = (paths.SPEC.read_text(encoding="utf-8")).splitlines()
    assert [line for line in original if line.strip().startswith("#")] == [
        line
        for line in text.splitlines()
        if line.strip().startswith("#") and "upstream --propose" not in line
    ]


def test_our_string_rule_gets_its_evidence_entry(proposed: Proposed) -> None:
    deviations = yaml.safe_load(proposed.text(DEVIATIONS))["deviations"]
    (entry,) = [d for d in deviations if d["id"] == "non-empty-optional-strings"]
    assert entry["differences"][-1] == {
        "at": f"{REQUEST} {FIELD}",
        "rule": "bounds_changed",
        "subject": "minLength",
    }


def test_it_lints_and_generates_as_a_minor_with_its_changelog_entry(proposed: Proposed) -> None:
    assert version(proposed.repo) == proposed.base.bumped(Impact.COMPATIBLE, proposed.base.api)
    newest = proposed.text(CHANGELOG).split("\n## ")[1]
    assert newest.startswith(f"{version(proposed.repo)}\n"), newest
    assert "Verdict: **compatible**" in newest, newest
    assert f"{REQUEST} {FIELD}" in newest and ERROR_TYPE in newest, newest
    model = "generated/plaid-session-client/plaid_session_client/models/"
    assert FIELD in proposed.text(model + "session_token_create_request.py")
    assert ERROR_TYPE in proposed.text(model + "known_plaid_error_type.py")
    lint = run_in(proposed.repo, "-m", "plaid_tools.spec_lint")
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_it_never_writes_the_offline_sandbox(proposed: Proposed) -> None:
    assert {name for name in proposed.changed if not name.startswith("generated/")} == {
        SPEC,
        DEVIATIONS,
        CHANGELOG,
    }


def test_the_proposal_names_the_sandbox_rule_now_missing(proposed: Proposed) -> None:
    body = (proposed.repo / "reports" / "upstream" / "proposal.md").read_text(encoding="utf-8")
    assert f"The offline sandbox does not know `{FIELD}`" in body
    assert "plaid_offline_sandbox/endpoints/session_token_create.py" in body
    assert f"The offline sandbox never answers `{ERROR_TYPE}`" in body
    assert "Left for a person" not in body


def test_a_difference_already_proposed_is_not_proposed_twice(proposed: Proposed) -> None:
    assert proposed.again.returncode == 0, proposed.again.stdout + proposed.again.stderr
    assert "nothing new to adopt" in proposed.again.stdout
    assert proposed.text(SPEC) == proposed.spec_after_first


def test_the_offline_contract_run_shows_the_missing_sandbox_rule(proposed: Proposed) -> None:
    run = run_in(
        proposed.repo, "-m", "plaid_contracts", "run", "--in-process", "--max-examples", "10"
    )
    output = run.stdout + run.stderr
    assert run.returncode != 0, output[-3000:]
    assert "`positive_data_acceptance` [DOC]: Schema-valid request rejected" in output, output
    # Its reproduction: the sandbox's answer names the field it has no rule for.
    summary = proposed.text("reports/contracts/summary.md")
    assert f"the following fields are not recognized by this endpoint: {FIELD}" in summary
