"""Wiring between schemathesis, pytest and the run: hooks, result collection, fixtures.

Executed only by ``python -m plaid_contracts run``, which puts the run's RunContext in
plaid_contracts.runtime.context before pytest starts. Every hook looks the operation up by the case
or test at hand (``plaid_contracts.operations``): nothing here is about one endpoint.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import plaid_contracts.checks.response_checks  # noqa: F401 - registers our checks
import pytest
import schemathesis
from plaid_contracts import operations
from plaid_contracts.checks.results import (
    is_valid_case,
    phase_of,
    record_check_results,
    schemathesis_test,
)
from plaid_contracts.recording.stats import SCHEMATHESIS_TEST
from plaid_contracts.runtime.context import RunContext, current
from schemathesis import Case, CheckResult, HookContext, Response


@schemathesis.hook
def before_call(context: HookContext, case: Case[Any], kwargs: dict[str, Any]) -> None:
    """Every case carries the run's credentials and fixtures where they are not what it breaks
    (``Operation.body_to_send``)."""
    run = current()
    operation = operations.for_case(case)
    if isinstance(case.body, dict):
        case.body = operation.body_to_send(case.body, run.settings.fixtures, is_valid_case(case))
    run.recorder.current_test = schemathesis_test(operation)
    run.recorder.current_phase = phase_of(case)


@schemathesis.hook
def after_validate(
    context: HookContext, case: Case[Any], response: Response, results: list[CheckResult]
) -> None:
    """Tally every check outcome and keep every finding with a masked reproduction."""
    record_check_results(current(), case, response, results)


@pytest.fixture(scope="session")
def run_context() -> RunContext:
    return current()


@pytest.fixture(scope="session")
def auth_headers(run_context: RunContext) -> dict[str, str]:
    return run_context.settings.credentials.headers()


def pytest_sessionstart(session: pytest.Session) -> None:
    run = current()
    run.stats.mark("session_started")
    capture = session.config.pluginmanager.getplugin("capturemanager")
    terminal = session.config.pluginmanager.getplugin("terminalreporter")
    if capture is not None and terminal is not None:

        def write(line: str) -> None:
            # Past pytest's capture of the tests' output (as live logs are), on a line of its own
            # even after the progress dots of `-q`, which ensure_newline does not see.
            with capture.global_and_fixture_disabled():
                if getattr(getattr(terminal, "_tw", None), "width_of_current_line", 0):
                    terminal.write("\n")
                terminal.write_line(line)

        run.progress.write = write


def operation_of(item: pytest.Item) -> operations.Operation:
    """The operation a test covers: schemathesis' item names it, a client test module says it
    (``OPERATION``, the operation module's)."""
    label = getattr(item, "operation_label", None)
    if isinstance(label, str):
        try:
            return operations.for_label(label)
        except KeyError as missing:  # an operation of the spec without its contract module
            raise pytest.UsageError(missing.args[0]) from None
    operation = getattr(getattr(item, "module", None), "OPERATION", None)
    if not isinstance(operation, operations.Operation):
        raise pytest.UsageError(
            f"{item.nodeid}: a client test module sets OPERATION to its operation's "
            "(plaid_contracts.operations.<name>.OPERATION)"
        )
    return operation


def node_name(item: pytest.Item) -> str:
    """``file::name``, the name naming the operation for schemathesis' test (its node id does
    not: ``test_schemathesis_contract[POST /session/token/create]``)."""
    return f"{item.nodeid.split('::', 1)[0]}::{item.name}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """--operation: the client tests of the other operations are deselected (schemathesis'
    are not generated: test_schemathesis_contract.py)."""
    settings = current().settings
    deselected = [item for item in items if not settings.checks_operation(operation_of(item).label)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]


def pytest_collection_finish(session: pytest.Session) -> None:
    run = current()
    run.stats.mark("collected")
    for item in session.items:
        operation = operation_of(item)
        run.stats.test_operations[node_name(item)] = operation.label
        run.stats.operation(operation.label)  # every operation has its section, run or not
        if item.name.startswith(SCHEMATHESIS_TEST):
            _plan_phases(run, operation, item)


def _plan_phases(run: RunContext, operation: operations.Operation, item: pytest.Item) -> None:
    """How many cases each schemathesis phase has to run for the operation: its explicit
    examples (examples and coverage), and the fuzzing phase's maximum. The summary compares them
    with what ran."""
    planned = run.stats.operation(operation.label).planned
    test = getattr(item, "obj", None)
    for example in getattr(test, "hypothesis_explicit_examples", ()):
        case = example.kwargs.get("case")
        if isinstance(case, Case):
            planned[phase_of(case)] += 1
    planned["fuzzing"] += run.settings.effective_fuzzing_examples


def pytest_runtest_setup(item: pytest.Item) -> None:
    current().stop_if_interrupted()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """No test stops at a failing case (every phase runs to its end, every example of a client
    test runs); a test fails once it has run them all, listing every distinct failure it found.
    Nothing is raised into hypothesis, whose failure reports cost far more than a run."""
    run = current()
    position = len(run.stats.failure_log)
    yield
    failures = run.stats.failures_since(position)
    if failures:
        listed = "\n".join(f"- `{f.check}` [{f.strength}]: {f.title}" for f in failures)
        raise AssertionError(
            f"{len(failures)} distinct contract failure(s), each with its reproduction in "
            f"summary.md:\n{listed}"
        )


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
        name = node_name(item)
        run.stats.test_outcomes[name] = "skipped" if report.skipped else report.outcome
        if report.failed:
            text = run.recorder.masker.text(str(report.longrepr))
            run.stats.test_errors[name] = text[-4000:]
    return report
