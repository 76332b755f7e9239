"""The plugin's per-test state: isolated fault counters, the record of requests, forced answers,
wider-scoped fixtures and the report of faults a passing test never used.

Each behaviour runs on both fixtures (a server process and the app in process), as a team's
tests would use them.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from plaid_offline_sandbox.control import CONTROL_PREFIX, MAX_RECORDED, ControlError
from plaid_offline_sandbox.pytest_plugin import InProcessSandbox, PlaidSandbox

from tests.sandbox.sandbox_support import ENDPOINT

Sandbox = PlaidSandbox | InProcessSandbox
# Plaid-format canaries: no piece of them may reach a record.
CANARY_ID = "c0ffeec0ffeec0ffeec0ffee"
CANARY_SECRET = "deadbeefdeadbeefdeadbeefdeadbe"


@pytest.fixture(params=["plaid_sandbox", "plaid_sandbox_app"])
def sandbox(request: pytest.FixtureRequest) -> Sandbox:
    chosen: Sandbox = request.getfixturevalue(request.param)
    return chosen


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    transport = sandbox.transport() if isinstance(sandbox, InProcessSandbox) else None
    with httpx.Client(base_url=sandbox.base_url, transport=transport) as http:
        yield http


def _create(client: httpx.Client, sandbox: Sandbox, **headers: str) -> httpx.Response:
    return client.post(
        ENDPOINT,
        json={"template_id": sandbox.template_id, "user": {"client_user_id": "user-1"}},
        headers={"PLAID-CLIENT-ID": sandbox.client_id, "PLAID-SECRET": sandbox.secret, **headers},
    )


class TestFaultIdsAreCountedPerTest:
    """The README's `fault_id="t1"` in two tests: each test's first request gets step 1."""

    def test_first(self, sandbox: Sandbox, client: httpx.Client) -> None:
        script = sandbox.fault_headers("rate_limit:2,ok", fault_id="t1")
        assert _create(client, sandbox, **script).status_code == 429
        assert _create(client, sandbox, **script).status_code == 200

    def test_second_with_the_same_id(self, sandbox: Sandbox, client: httpx.Client) -> None:
        script = sandbox.fault_headers("rate_limit:2,ok", fault_id="t1")
        limited = _create(client, sandbox, **script)
        assert (limited.status_code, limited.headers["retry-after"]) == (429, "2")
        assert _create(client, sandbox, **script).status_code == 200


def test_the_record_of_requests_with_credentials_masked(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    assert sandbox.requests == []
    with pytest.raises(LookupError, match="no request reached"):
        _ = sandbox.last_request
    created = _create(client, sandbox, **{"Plaid-Version": "2020-09-14"})
    body = {"client_id": CANARY_ID, "secret": CANARY_SECRET, "template_id": "t", "user": {}}
    refused = client.post(ENDPOINT, json=body, headers={"Authorization": f"Bearer {CANARY_SECRET}"})
    client.get("/elsewhere")

    first, second, third = sandbox.requests
    assert (first.method, first.path, first.status, first.error_code) == (
        "POST",
        ENDPOINT,
        200,
        None,
    )
    assert first.request_id == created.json()["request_id"]
    assert first.json == {"template_id": sandbox.template_id, "user": {"client_user_id": "user-1"}}
    assert first.headers["plaid-version"] == first.headers["Plaid-Version"] == "2020-09-14"
    assert first.headers["PLAID-CLIENT-ID"] == first.headers["PLAID-SECRET"] == "***"
    assert (second.status, second.error_code) == (400, refused.json()["error_code"])
    assert second.request_id == refused.json()["request_id"]
    assert second.json == {"client_id": "***", "secret": "***", "template_id": "t", "user": {}}
    assert second.headers["authorization"] == "***"
    assert (third.method, third.path, third.status, third.error_code) == (
        "GET",
        "/elsewhere",
        404,
        "NOT_FOUND",
    )
    assert sandbox.last_request == third
    everything = repr(sandbox.requests)
    for canary in (CANARY_ID, CANARY_SECRET, sandbox.secret, sandbox.client_id):
        assert canary not in everything


def test_a_record_keeps_retries_countable_and_drops_marked(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    script = sandbox.fault_headers("internal_error,internal_error,ok", fault_id="retry")
    for _ in range(3):
        _create(client, sandbox, **script)
    with pytest.raises(httpx.TransportError):
        _create(client, sandbox, **sandbox.fault_headers("drop"))
    assert [r.status for r in sandbox.requests] == [500, 500, 200, None]
    assert [r.error_code for r in sandbox.requests][:2] == ["INTERNAL_SERVER_ERROR"] * 2


def test_forced_catalogue_errors_for_the_next_requests(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    sandbox.respond_with_error("INVALID_API_KEYS", times=2)
    sandbox.respond_with_error("PLANNED_MAINTENANCE")
    answers = [_create(client, sandbox) for _ in range(4)]
    assert [a.status_code for a in answers] == [400, 400, 503, 200]
    first = answers[0].json()
    assert first == {
        "display_message": None,
        "documentation_url": "https://plaid.com/docs/?ref=error#invalid-input-errors",
        "error_code": "INVALID_API_KEYS",
        "error_message": "invalid client_id or secret provided",
        "error_type": "INVALID_INPUT",
        "request_id": first["request_id"],
        "suggested_action": None,
    }
    assert len(first["request_id"]) == 15 and first["request_id"] != answers[1].json()["request_id"]
    # Byte for byte Plaid's format: the same bytes as the sandbox's own INVALID_API_KEYS answer.
    natural = _create(client, sandbox, **{"PLAID-SECRET": "0" * 30})
    assert (
        answers[0].content.replace(
            first["request_id"].encode(), natural.json()["request_id"].encode()
        )
        == natural.content
    )
    assert answers[2].json()["error_type"] == "API_ERROR"
    assert [r.error_code for r in sandbox.requests][:3] == [
        "INVALID_API_KEYS",
        "INVALID_API_KEYS",
        "PLANNED_MAINTENANCE",
    ]


def test_forced_errors_outside_the_catalogue_and_custom_answers(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    sandbox.respond_with_error(
        "ITEM_LOGIN_REQUIRED",
        error_type="ITEM_ERROR",
        status=400,
        error_message="the login details of this item have changed",
        display_message="Please log in again",
    )
    sandbox.respond_with(
        502, content=b"<html>bad gateway</html>", headers={"content-type": "text/html"}
    )
    sandbox.respond_with(200, json={"link": {"link_token": 12345}, "request_id": "abc"})
    item = _create(client, sandbox).json()
    assert (item["error_type"], item["error_code"], item["display_message"]) == (
        "ITEM_ERROR",
        "ITEM_LOGIN_REQUIRED",
        "Please log in again",
    )
    assert item["documentation_url"] == "https://plaid.com/docs/?ref=error#item-errors"
    html = _create(client, sandbox)
    assert (html.status_code, html.headers["content-type"], html.text) == (
        502,
        "text/html",
        "<html>bad gateway</html>",
    )
    odd = _create(client, sandbox)
    assert odd.json() == {"link": {"link_token": 12345}, "request_id": "abc"}
    assert odd.headers["content-type"] == "application/json; charset=utf-8"
    assert sandbox.last_request.request_id == "abc"


def test_a_forced_answer_never_reaches_another_test(sandbox: Sandbox, client: httpx.Client) -> None:
    # Queued by the previous test and used up there; a leftover would fail this one.
    assert _create(client, sandbox).status_code == 200


def test_a_forced_answer_that_cannot_be_given_is_refused_at_once(sandbox: Sandbox) -> None:
    with pytest.raises(ControlError, match="give error_type= and status="):
        sandbox.respond_with_error("ITEM_LOGIN_REQUIRED")
    with pytest.raises(ControlError, match="status must be"):
        sandbox.respond_with(99)
    with pytest.raises(ControlError, match="times must be"):
        sandbox.respond_with_error("INVALID_API_KEYS", times=0)
    with pytest.raises(ValueError, match="unknown step"):
        sandbox.fault_headers("internal_eror")


def test_the_record_is_bounded(plaid_sandbox_app: InProcessSandbox) -> None:
    with httpx.Client(
        base_url=plaid_sandbox_app.base_url, transport=plaid_sandbox_app.transport()
    ) as client:
        for _ in range(MAX_RECORDED + 5):
            client.get("/x")
    assert len(plaid_sandbox_app.requests) == MAX_RECORDED


def test_the_control_api_is_an_unknown_route_without_its_token(
    plaid_sandbox: PlaidSandbox,
) -> None:
    answer = httpx.get(plaid_sandbox.base_url + CONTROL_PREFIX + "state")
    assert (answer.status_code, answer.json()["error_code"]) == (404, "NOT_FOUND")
    assert [r.path for r in plaid_sandbox.requests] == [CONTROL_PREFIX + "state"]


# --- wider scopes ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def module_client(plaid_sandbox_module: PlaidSandbox) -> Iterator[httpx.Client]:
    """A team's module-scoped fixture: no ScopeMismatch."""
    with httpx.Client(base_url=plaid_sandbox_module.base_url) as http:
        yield http


@pytest.mark.parametrize("round_", [1, 2])
def test_a_module_scoped_sandbox_is_reset_for_every_test(
    plaid_sandbox_module: PlaidSandbox, module_client: httpx.Client, round_: int
) -> None:
    script = plaid_sandbox_module.fault_headers("internal_error,ok", fault_id="shared")
    assert _create(module_client, plaid_sandbox_module, **script).status_code == 500
    assert _create(module_client, plaid_sandbox_module, **script).status_code == 200
    assert len(plaid_sandbox_module.requests) == 2


@pytest.mark.parametrize("round_", [1, 2])
def test_a_session_scoped_in_process_sandbox_is_reset_for_every_test(
    plaid_sandbox_app_session: InProcessSandbox, round_: int
) -> None:
    plaid_sandbox_app_session.respond_with_error("INTERNAL_SERVER_ERROR")
    with httpx.Client(
        base_url=plaid_sandbox_app_session.base_url, transport=plaid_sandbox_app_session.transport()
    ) as http:
        assert _create(http, plaid_sandbox_app_session).status_code == 500
    assert len(plaid_sandbox_app_session.requests) == 1


# --- the report of unused faults ---------------------------------------------------------------

UNUSED = """
    import httpx
    import pytest


    def create(sandbox, client, headers):
        return client.post(
            "/session/token/create",
            json={"template_id": sandbox.template_id, "user": {"client_user_id": "u"}},
            headers={"PLAID-CLIENT-ID": sandbox.client_id, "PLAID-SECRET": sandbox.secret,
                     **headers},
        )


    def test_retry_never_tested(plaid_sandbox):
        headers = plaid_sandbox.fault_headers("rate_limit:2,ok", fault_id="t1")
        with httpx.Client(base_url=plaid_sandbox.base_url) as client:
            assert create(plaid_sandbox, client, {}).status_code == 200  # forgot the headers


    def test_a_queued_answer_never_asked_for(plaid_sandbox_app):
        plaid_sandbox_app.respond_with_error("RATE_LIMIT", times=2)


    @pytest.mark.plaid_sandbox(fault="internal_error,ok")
    def test_used_up(plaid_sandbox):
        with httpx.Client(base_url=plaid_sandbox.base_url) as client:
            assert create(plaid_sandbox, client, {}).status_code == 500
            assert create(plaid_sandbox, client, {}).status_code == 200


    def test_failing_is_not_reported_twice(plaid_sandbox_app):
        plaid_sandbox_app.fault_headers("internal_error", fault_id="x")
        assert False
"""
# A team that wants the report to fail its run.
STRICT = """
    import pytest

    pytestmark = pytest.mark.filterwarnings(
        "error::plaid_offline_sandbox.pytest_plugin.UnusedFaultWarning"
    )


    def test_strict(plaid_sandbox_app):
        plaid_sandbox_app.fault_headers("internal_error", fault_id="never")
"""


def _pytest(project: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout + done.stderr


def test_a_passing_test_whose_fault_never_fired_is_reported(tmp_path: Path) -> None:
    (tmp_path / "test_unused.py").write_text(textwrap.dedent(UNUSED))
    (tmp_path / "test_strict.py").write_text(textwrap.dedent(STRICT))
    output = _pytest(tmp_path)
    assert "1 failed, 4 passed, 2 warnings, 1 error" in output, output
    assert "ERROR at teardown of test_strict" in output
    assert (
        "test_unused.py::test_retry_never_tested: the plaid sandbox was asked for answers it "
        "never gave: fault script 'rate_limit:2,ok' (fault_id 't1'): 0 request(s) for its 2 "
        "step(s)"
    ) in output
    assert "forced answer RATE_LIMIT still queued for 2 request(s)" in output
    assert "test_used_up" not in output.split("warnings summary")[1].split("short test summary")[0]
    assert "fault_id 'x'" not in output


def test_the_control_api_refuses_several_workers() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "plaid_offline_sandbox", "--workers", "2"],
        env={"PLAID_SANDBOX_CONTROL_TOKEN": "t0ken", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "the control API keeps its state in one process: use --workers 1" in done.stderr


def test_a_queued_answer_comes_before_faults_and_leaves_their_count(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    sandbox.respond_with_error("INVALID_API_KEYS")
    script = sandbox.fault_headers("internal_error,ok", fault_id="after")
    statuses = [_create(client, sandbox, **script).status_code for _ in range(3)]
    assert statuses == [400, 500, 200]
