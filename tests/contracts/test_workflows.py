"""The CI workflows: no GitHub expression spliced into a shell script (script injection), and the
nightly's shards, merge, previous night and inconclusive warning."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from plaid_contracts import operations

from tests.contracts.helpers import REPO_ROOT

WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_run_steps_take_expressions_through_env(workflow: Path) -> None:
    document: dict[str, Any] = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    spliced = [
        f"{job_name}: {step.get('name', '?')}"
        for job_name, job in document["jobs"].items()
        for step in job.get("steps", [])
        if "${{" in str(step.get("run", ""))
    ]
    assert spliced == [], "pass ${{ ... }} values to run: through env: instead"


def _nightly() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(
        (REPO_ROOT / ".github" / "workflows" / "nightly.yml").read_text(encoding="utf-8")
    )
    return document


def test_the_nightly_shards_by_operation_and_merges_with_the_previous_night() -> None:
    jobs = _nightly()["jobs"]
    matrix = jobs["sandbox-contracts"]["strategy"]["matrix"]["operation"]
    assert matrix == [operation.name for operation in operations.registered()]
    run = " ".join(str(step.get("run", "")) for step in jobs["sandbox-contracts"]["steps"])
    assert '--seed "$SEED" --operation "$OPERATION"' in run  # one seed for every shard
    merge = jobs["merge"]
    assert merge["needs"] == "sandbox-contracts" and merge["if"] == "always()"
    assert merge["permissions"]["actions"] == "read"
    merge_run = " ".join(str(step.get("run", "")) for step in merge["steps"])
    assert "gh run download" in merge_run and "--name nightly-summary" in merge_run
    assert "-s merge --" in merge_run and "--previous previous/summary.json" in merge_run
    uploads = [step for step in merge["steps"] if "upload-artifact" in str(step.get("uses"))]
    assert uploads[0]["with"]["name"] == "nightly-summary"


def test_an_inconclusive_night_is_a_warning_not_red_and_keeps_its_reports() -> None:
    jobs = _nightly()["jobs"]
    for job in ("sandbox-contracts", "merge"):
        steps = jobs[job]["steps"]
        judged = next(step for step in steps if "status=$?" in str(step.get("run", "")))
        script = judged["run"]
        assert 'if [ "$status" = 3 ]; then' in script
        assert "::warning title=Contracts inconclusive" in script.split("= 3 ]; then", 1)[1]
        assert script.rstrip().endswith('exit "$status"')
        uploads = [step for step in steps if "upload-artifact" in str(step.get("uses"))]
        assert uploads and all("always()" in step["if"] for step in uploads)


def test_the_nightly_gives_the_allow_listed_values_when_the_repository_has_them() -> None:
    (step,) = [
        step
        for step in _nightly()["jobs"]["sandbox-contracts"]["steps"]
        if "--base-url https://sandbox.plaid.com" in str(step.get("run", ""))
    ]
    for variable in ("PLAID_REDIRECT_URI", "PLAID_ANDROID_PACKAGE_NAME"):
        assert step["env"][variable] == "${{ vars." + variable + " }}"
