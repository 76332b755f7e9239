"""CONTRIBUTING.md "Adding an endpoint", proved: a scratch copy of the repository gets a made-up
endpoint (POST /fixture/echo/create) exactly as CONTRIBUTING.md tells a maintainer to add one, and
nothing else by hand; `generate` rates it a minor and writes the CHANGELOG entry; the contract
suite passes with a section for it in the summary.

The three hand-written files are tests/fixtures/adding_an_endpoint/ (the sandbox one is shared
with tests/sandbox/test_endpoints.py). The copy's spec, client, sandbox and contracts are the
ones imported: its folders go first on the import path (and on PYTHONPATH, for what its runs
start), ahead of this venv's installs (an editable tooling and sandbox, a non-editable client),
of a fork of an interpreter that has imported nothing of ours (tests/scratch_repo.py). A
throwaway venv costs more: created from this venv's interpreter, --system-site-packages gives
the base interpreter's packages, not this venv's (schemathesis, ...), and the three --no-deps
installs alone took 2.4 s with uv.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from plaid_contracts.recording.stats import SCHEMATHESIS_TEST
from plaid_tools.spec_diff.model import Impact
from plaid_tools.versioning import SpecVersion

from tests.scratch_repo import CLIENT, changed_files, run_in, scratch_copy
from tests.spec_diff.conftest import spec_version
from tests.spec_sections import with_section

# On one xdist worker, so that its fixture is made once: the scratch copy (module scope).
pytestmark = pytest.mark.xdist_group("adding-an-endpoint")

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "adding_an_endpoint"
LABEL = "POST /fixture/echo/create"
# CONTRIBUTING.md's steps, as the files a maintainer writes.
SPEC = "openapi/plaid-session-token.yaml"
SANDBOX_MODULE = (
    "contracts/plaid-offline-sandbox/plaid_offline_sandbox/endpoints/fixture_echo_create.py"
)
CONTRACT_MODULE = "contracts/plaid_contracts/operations/fixture_echo_create.py"
CHANGELOG = "openapi/CHANGELOG.md"


def add_fixture_endpoint(repo: Path) -> None:
    """What CONTRIBUTING.md's steps have a maintainer write, and nothing else."""
    spec_file = repo / SPEC
    spec = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
    merged = with_section(spec, FIXTURE / "spec_section.yaml")
    spec_file.write_text(yaml.safe_dump(merged, sort_keys=False), encoding="utf-8")
    shutil.copyfile(FIXTURE / "sandbox_endpoint.py", repo / SANDBOX_MODULE)
    shutil.copyfile(FIXTURE / "contract_operation.py", repo / CONTRACT_MODULE)


def version(repo: Path) -> SpecVersion:
    return SpecVersion.parse(spec_version(repo))


@dataclass(frozen=True)
class Scratch:
    repo: Path
    hand_edited: set[str]
    base: SpecVersion
    generate: list[subprocess.CompletedProcess[str]]
    contracts: subprocess.CompletedProcess[str]

    @property
    def reports(self) -> Path:
        return self.repo / "reports" / "contracts"

    def summary(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.reports / "summary.json").read_text())
        return loaded


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Scratch:
    repo = scratch_copy(tmp_path_factory.mktemp("adding-an-endpoint"))
    base = version(repo)
    add_fixture_endpoint(repo)
    hand_edited = changed_files(repo)
    # What `nox -s generate` runs (noxfile.py), on the copy: bump against its main, regenerate.
    generate = [
        run_in(repo, "-m", "plaid_tools.versioning", "bump"),
        run_in(repo, "-m", "plaid_tools.regenerate"),
    ]
    contracts = run_in(repo, "-m", "plaid_contracts", "run", "--in-process", "--max-examples", "5")
    return Scratch(repo, hand_edited, base, generate, contracts)


def test_the_hand_written_files_are_the_spec_and_one_module_per_side(scratch: Scratch) -> None:
    assert scratch.hand_edited == {SPEC, SANDBOX_MODULE, CONTRACT_MODULE}


def test_generate_bumps_a_minor_and_writes_the_changelog(scratch: Scratch) -> None:
    for step in scratch.generate:
        assert step.returncode == 0, step.stdout + step.stderr
    assert version(scratch.repo) == scratch.base.bumped(Impact.COMPATIBLE, scratch.base.api)
    changelog = (scratch.repo / CHANGELOG).read_text(encoding="utf-8")
    # Nothing else changed but what generate writes: the client and the CHANGELOG.
    generated = changed_files(scratch.repo) - scratch.hand_edited
    assert {name for name in generated if not name.startswith("generated/")} == {CHANGELOG}
    assert f"{CLIENT}/plaid_session_client/api/fixture/fixture_echo_create.py" in generated
    # The entry of the new revision, at the top, says what was added.
    newest = changelog.split("\n## ")[1]
    assert newest.startswith(f"{version(scratch.repo)}\n"), newest
    assert "Verdict: **compatible**" in newest and "breaking" not in newest, newest
    assert f"`{LABEL}`: operation added" in newest, newest


def test_the_contract_suite_passes_with_a_section_for_the_new_operation(scratch: Scratch) -> None:
    run = scratch.contracts
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    summary = scratch.summary()
    assert summary["verdict"] == "passed"
    assert set(summary["operations"]) == {LABEL, "POST /session/token/create"}
    assert summary["tests"][f"test_schemathesis_contract.py::{SCHEMATHESIS_TEST}[{LABEL}]"] == (
        "passed"
    )
    # Valid requests reached the new sandbox module and the new success check judged its
    # answers; the copy's client parsed them.
    checks = summary["operations"][LABEL]["checks"]
    assert checks["fixture_echo"]["passed"] > 0 and checks["plaid_expected_answer"]["passed"] > 0
    # The shared checks hold the new endpoint to Plaid's credential rules too.
    assert checks["plaid_auth_enforced"]["passed"] == 1
    assert (
        checks["generated_client_parses"]["passed"]
        == summary["operations"][LABEL]["answers_checked"]
    )
    markdown = (scratch.reports / "summary.md").read_text(encoding="utf-8")
    assert f"## `{LABEL}`" in markdown and "## `POST /session/token/create`" in markdown


# What differs between two runs of the same cases: when and how fast they ran.
VOLATILE = ("duration_seconds", "test_seconds", "cases_per_second", "started_at")


def test_one_shard_per_operation_merged_gives_the_whole_run(scratch: Scratch) -> None:
    """`run --operation` per operation, as the nightly's matrix does, then `merge`: the summary
    of the whole run (same cases, checks, findings and verdict), with each shard checking only
    its own operation."""
    repo, shards = scratch.repo, []
    for name in ("fixture_echo_create", "session_token_create"):
        reports = repo / "reports" / f"shard-{name}"
        shard = run_in(
            repo,
            "-m",
            "plaid_contracts",
            "run",
            "--in-process",
            "--max-examples",
            "5",
            "--operation",
            name,
            "--reports-dir",
            str(reports),
        )
        assert shard.returncode == 0, shard.stdout[-2000:] + shard.stderr[-2000:]
        summary: dict[str, Any] = json.loads((reports / "summary.json").read_text())
        assert len(summary["operations"]) == 1
        shards.append(str(reports / "summary.json"))
    merged_dir = repo / "reports" / "merged"
    merged = run_in(repo, "-m", "plaid_contracts", "merge", *shards, "--output", str(merged_dir))
    assert merged.returncode == 0, merged.stdout + merged.stderr
    whole, together = scratch.summary(), json.loads((merged_dir / "summary.json").read_text())
    for key in (*VOLATILE, "test_phase_seconds"):
        whole.pop(key), together.pop(key)
    assert together == whole
