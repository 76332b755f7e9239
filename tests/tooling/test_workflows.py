"""The GitHub workflows: actions pinned by commit, Plaid's secrets only where Plaid is called."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOWS = sorted((Path(__file__).parents[2] / ".github" / "workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
PLAID_SECRETS = ("PLAID_CLIENT_ID", "PLAID_SECRET", "PLAID_TEMPLATE_ID")


def load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict), path
    return document


def steps(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (job_name, step)
        for job_name, job in document["jobs"].items()
        for step in job.get("steps", [])
    ]


def test_there_are_workflows() -> None:
    assert {path.name for path in WORKFLOWS} >= {"pr.yml", "nightly.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=[path.name for path in WORKFLOWS])
def test_every_action_is_pinned_by_commit_sha(path: Path) -> None:
    """A tag can be moved to other code; a commit cannot."""
    uses = [step["uses"] for _, step in steps(load(path)) if "uses" in step]
    assert uses, f"{path.name} uses no action"
    assert [use for use in uses if not PINNED.match(use)] == []
    # The trailing comment names the version, for readers and Dependabot.
    text = path.read_text(encoding="utf-8")
    assert all(re.search(re.escape(use) + r" # v\d", text) for use in uses)


@pytest.mark.parametrize("path", WORKFLOWS, ids=[path.name for path in WORKFLOWS])
def test_plaid_secrets_reach_only_the_step_that_calls_plaid(path: Path) -> None:
    document = load(path)
    assert not set(document.get("env") or {}) & set(PLAID_SECRETS), "workflow-wide secrets"
    for job_name, job in document["jobs"].items():
        assert not set(job.get("env") or {}) & set(PLAID_SECRETS), f"job {job_name} env"
    holders = [
        (job_name, step.get("name"))
        for job_name, step in steps(document)
        if set(step.get("env") or {}) & set(PLAID_SECRETS)
    ]
    runs_against_plaid = [
        (job_name, step.get("name"))
        for job_name, step in steps(document)
        if "--base-url https://sandbox.plaid.com" in str(step.get("run", ""))
    ]
    assert holders == runs_against_plaid


def test_pull_requests_run_ci_on_the_lowest_and_highest_supported_python() -> None:
    """The README promises 3.11+ and the pins are locked for noxfile.SUPPORTED_PYTHONS."""
    noxfile = (Path(__file__).parents[2] / "noxfile.py").read_text(encoding="utf-8")
    supported = re.search(r"SUPPORTED_PYTHONS = \(([^)]*)\)", noxfile)
    assert supported
    versions = re.findall(r'"(3\.\d+)"', supported.group(1))
    ci = load(Path(__file__).parents[2] / ".github" / "workflows" / "pr.yml")["jobs"]["ci"]
    assert set(ci["strategy"]["matrix"]["python"]) == {versions[0], versions[-1]}
    setup = [step for step in ci["steps"] if step.get("uses", "").startswith("actions/setup-py")]
    assert setup[0]["with"]["python-version"] == "${{ matrix.python }}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=[path.name for path in WORKFLOWS])
def test_write_permissions_only_on_the_job_that_opens_the_upstream_proposal(path: Path) -> None:
    """The token that can push never meets the code that read Plaid's spec and ran our tools."""
    document = load(path)
    assert document["permissions"] == {"contents": "read"}
    writers = {
        name: job["permissions"]
        for name, job in document["jobs"].items()
        if "write" in (job.get("permissions") or {}).values()
    }
    if path.name != "nightly.yml":
        assert writers == {}
        return
    assert writers == {"upstream-proposal": {"contents": "write", "pull-requests": "write"}}
    job = document["jobs"]["upstream-proposal"]
    assert not any("scripts/" in str(step.get("run", "")) for step in job["steps"])
    opener = [step for step in job["steps"] if "create-pull-request" in step.get("uses", "")]
    assert len(opener) == 1 and opener[0]["with"]["branch"] == "upstream/proposal"
