"""Night over night: stable fingerprints, and ``--previous`` saying which failures are new,
still failing and fixed."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from plaid_contracts.recording.history import fingerprint
from plaid_offline_sandbox.config import SandboxConfig

from tests.contracts.helpers import FAST, RunResult, remote_env, serve_asgi
from tests.mutation.mutants import composed

FINDING: dict[str, Any] = {
    "operation": "POST /session/token/create",
    "check": "plaid_error_status",
    "rule": "documented-status",
    "status": 422,
    "response_excerpt": json.dumps(
        {"error_type": "INVALID_REQUEST", "error_code": "INVALID_FIELD", "request_id": "abc"}
    ),
    "title": "documented-status: 422 for webhook 'ftp://x'",
    "curl": "curl -X POST ...",
}


def test_a_fingerprint_names_what_broke_not_how_this_run_showed_it() -> None:
    assert fingerprint(FINDING) == (
        "POST /session/token/create | plaid_error_status | documented-status | "
        "422 INVALID_REQUEST/INVALID_FIELD"
    )
    other_night = {
        **FINDING,
        "response_excerpt": FINDING["response_excerpt"].replace("abc", "xyz"),
        "title": "documented-status: 422 for user_id 'u-1'",
        "curl": "curl -X POST other body",
        "phase": "fuzzing",
    }
    assert fingerprint(other_night) == fingerprint(FINDING)
    assert fingerprint({**FINDING, "status": 500, "response_excerpt": ""}) != fingerprint(FINDING)


# Whatever the target answered instead (a 200, or the error of another value the request carried).
UNKNOWN_FIELDS_NOT_NAMED = "POST /session/token/create | plaid_expected_answer | unknown-field |"


def _failures(result: RunResult) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((result.reports_dir / "summary.json").read_text())
    return data


def test_previous_says_what_is_new_still_failing_and_fixed(
    run_contracts: Callable[..., RunResult], tmp_path: Path
) -> None:
    """The target changes between two nights: one divergence goes, one stays, one comes."""

    def night(*mutants: str, previous: Path | None = None) -> RunResult:
        with serve_asgi(composed(*mutants)(SandboxConfig())) as base_url:
            extra = ("--previous", str(previous)) if previous else ()
            return run_contracts("--base-url", base_url, *FAST, *extra, env=remote_env())

    first = night("validation-422", "constant-request-id")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "No previous run to compare with" in first.summary
    kept = tmp_path / "first-summary.json"
    shutil.copy(first.reports_dir / "summary.json", kept)
    before = {item["fingerprint"] for item in _failures(first)["failures"]}

    second = night("constant-request-id", "unknown-fields-ignored", previous=kept)
    assert second.returncode == 1, second.stdout + second.stderr
    after = {item["fingerprint"] for item in _failures(second)["failures"]}
    since = _failures(second)["since_previous"]
    listed = {
        name: {item["fingerprint"] for item in since[name]} for name in since if name != "path"
    }
    assert listed == {
        "new": after - before,
        "still_failing": after & before,
        "fixed": before - after,
    }
    # The 422s are gone, the shared request_id stays, accepted unknown fields are new.
    assert any(key.endswith("| 422 INVALID_REQUEST/MISSING_FIELDS") for key in listed["fixed"])
    assert any("| request-id-unique | 200" in key for key in listed["still_failing"])
    assert any(key.startswith(UNKNOWN_FIELDS_NOT_NAMED) for key in listed["new"])
    # summary.md opens with it, right under the verdict.
    opening = second.summary.split("## `POST /session/token/create`", 1)[0]
    assert opening.startswith("# Contract run: FAILED\n\n## Since the previous run\n\n")
    assert f"Compared with `{kept}` (failed, started " in opening
    for heading in ("**New since the previous run**", "**Still failing**", "**Fixed**"):
        assert heading in opening


def test_a_previous_that_is_no_summary_is_one_line_and_exit_2(
    run_contracts: Callable[..., RunResult], tmp_path: Path
) -> None:
    bogus = tmp_path / "notes.json"
    bogus.write_text("[1, 2]")
    for path, says in ((tmp_path / "missing.json", "no such file"), (bogus, "not a contract")):
        result = run_contracts("--previous", str(path))
        assert result.returncode == 2
        assert result.stderr == f"error: --previous {path}: {says}" + result.stderr.split(says)[1]
        assert len(result.stderr.splitlines()) == 1
