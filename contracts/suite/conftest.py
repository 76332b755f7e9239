"""Wiring between schemathesis, pytest and the run: hooks, result collection, fixtures.

Executed only by ``python -m plaid_contracts run``, which puts the run's RunContext in
plaid_contracts.settings before pytest starts.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import plaid_contracts.st_checks  # noqa: F401 - registers our checks
import pytest
import schemathesis
from plaid_contracts import case_policy
from plaid_contracts.settings import RunContext, current
from plaid_contracts.stats import FailureRecord
from plaid_contracts.suite_support import (
    RESPONSE_EXCERPT_CHARS,
    SCHEMATHESIS_TEST,
    body_is_positive,
    masked_curl,
    phase_of,
)
from schemathesis import Case, CheckResult, HookContext, Response


@schemathesis.hook
def before_call(context: HookContext, case: Case[Any], kwargs: dict[str, Any]) -> None:
    """Positive cases must be acceptable to the target: see plaid_contracts.case_policy."""
    run = current()
    if isinstance(case.body, dict) and body_is_positive(case):
        case.body = case_policy.prepare_valid_body(case.body, run.settings.template_id)
    run.recorder.current_test = SCHEMATHESIS_TEST
    run.recorder.current_phase = phase_of(case)


@schemathesis.hook
def after_validate(
    context: HookContext, case: Case[Any], response: Response, results: list[CheckResult]
) -> None:
    """Tally every check outcome and keep every failure with a masked reproduction."""
    run = current()
    masker = run.recorder.masker
    for result in results:
        failed = result.failure is not None
        run.stats.check_result(result.name, passed=not failed)
        if result.failure is None:
            continue
        run.stats.add_failure(
            FailureRecord(
                test=SCHEMATHESIS_TEST,
                check=result.name,
                title=masker.text(result.failure.title),
                message=masker.text(result.failure.message),
                phase=phase_of(case),
                status=response.status_code,
                curl=masked_curl(masker, response.request),
                interaction=getattr(response.request, "plaid_interaction", None),
                response_excerpt=masker.body(response.content)[:RESPONSE_EXCERPT_CHARS],
            )
        )


@pytest.fixture(scope="session")
def run_context() -> RunContext:
    return current()


@pytest.fixture(scope="session")
def auth_headers(run_context: RunContext) -> dict[str, str]:
    credentials = run_context.settings.credentials
    return case_policy.credential_headers(credentials.client_id, credentials.secret)


def pytest_sessionstart(session: pytest.Session) -> None:
    current().stats.mark("session_started")


def pytest_collection_finish(session: pytest.Session) -> None:
    current().stats.mark("collected")


def pytest_sessionfinish(session: pytest.Session) -> None:
    current().stats.mark("tests_done")


def pytest_keyboard_interrupt(excinfo: pytest.ExceptionInfo[BaseException]) -> None:
    current().stats.interrupted = True


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        run = current()
        name = report.nodeid or "collection"
        run.stats.test_outcomes[name] = "failed"
        run.stats.test_errors[name] = run.recorder.masker.text(str(report.longrepr))[-4000:]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each test's outcome (and its masked traceback) for the summary."""
    report = yield
    run = current()
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        run.stats.test_outcomes[item.nodeid] = "skipped" if report.skipped else report.outcome
        if report.failed:
            text = run.recorder.masker.text(str(report.longrepr))
            run.stats.test_errors[item.nodeid] = text[-4000:]
    return report
