"""The CI workflows never splice GitHub expressions into shell scripts (script injection)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

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
