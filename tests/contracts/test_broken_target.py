"""A target that breaks a rule makes the run fail, with a reproduction a person can use."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from plaid_contracts.in_process import IN_PROCESS_BASE_URL

from tests.contracts.broken_apps import BROKEN_RULES, rewrite_start
from tests.contracts.helpers import FAST, RunResult, offline_app, remote_env, serve_asgi


def assert_failed_with_reproduction(result: RunResult, failing_check: str, base_url: str) -> str:
    """The run failed on ``failing_check`` with a curl against ``base_url``; returns the summary."""
    assert result.returncode == 1, result.stdout + result.stderr
    summary = result.summary
    assert summary.startswith("# Contract run: FAILED")
    assert f"| `{failing_check}` **FAILED** |" in summary
    failures = summary.split("## Failures", 1)[1]
    assert f"`{failing_check}`" in failures
    # A reproduction with credential placeholders, against the broken target, and the seed.
    assert f"curl -sS -i -X POST {base_url}/session/token/create" in failures
    assert '"$PLAID_CLIENT_ID"' in failures and '"$PLAID_SECRET"' in failures
    assert "seed `20200914`" in failures
    assert "summary.md" in result.stdout and "FAILED" in result.stdout
    # Failure reports (junit.xml, hypothesis' falsifying examples) are masked at the source.
    assert "MASKING BUG" not in result.stdout + result.stderr
    return summary


@pytest.mark.parametrize("rule", sorted(BROKEN_RULES))
def test_broken_rule_fails_the_run_with_a_reproduction(
    run_contracts: Callable[..., RunResult], rule: str
) -> None:
    change, failing_check = BROKEN_RULES[rule]
    with serve_asgi(rewrite_start(offline_app(), change)) as base_url:
        result = run_contracts("--base-url", base_url, *FAST, env=remote_env())

    assert_failed_with_reproduction(result, failing_check, base_url)


@pytest.mark.parametrize("rule", sorted(BROKEN_RULES))
def test_broken_in_process_app_fails_the_run_with_a_reproduction(
    run_broken_in_process: Callable[..., RunResult], rule: str
) -> None:
    _, failing_check = BROKEN_RULES[rule]

    result = run_broken_in_process(rule, *FAST)

    summary = assert_failed_with_reproduction(result, failing_check, IN_PROCESS_BASE_URL)
    assert "| Target | offline sandbox, in-process |" in summary
    # Nothing listened on that URL during the run: the summary says how to replay there.
    assert "ran inside the test process: start it with `nox -s sandbox -- --port 8100`" in summary
    assert "`nox -s contracts -- --in-process --profile pr`" in summary
