"""The pytest plugin, used the way a vendoring team's tests use it (this suite autoloads it).

How a team installs it and calls its own code through the client: test_outside_project.py.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from plaid_offline_sandbox.pytest_plugin import InProcessSandbox, PlaidSandbox, SandboxOptions

from tests.sandbox.sandbox_support import ENDPOINT

LINK_TOKEN = re.compile(
    r"link-sandbox-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
)


def _create(
    client: httpx.Client, sandbox: PlaidSandbox | InProcessSandbox, **headers: str
) -> httpx.Response:
    return client.post(
        ENDPOINT,
        json={"template_id": sandbox.template_id, "user": {"client_user_id": "user-1"}},
        headers={"PLAID-CLIENT-ID": sandbox.client_id, "PLAID-SECRET": sandbox.secret, **headers},
    )


def test_a_running_sandbox_with_plaid_format_credentials(plaid_sandbox: PlaidSandbox) -> None:
    assert re.fullmatch(r"[0-9a-f]{24}", plaid_sandbox.client_id)
    assert re.fullmatch(r"[0-9a-f]{30}", plaid_sandbox.secret)
    assert re.fullmatch(r"template_[a-z0-9]{12}", plaid_sandbox.template_id)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", plaid_sandbox.base_url)
    with httpx.Client(base_url=plaid_sandbox.base_url) as client:
        created = _create(client, plaid_sandbox)
        assert created.status_code == 200, created.text
        assert LINK_TOKEN.fullmatch(created.json()["link"]["link_token"])
        wrong = client.post(
            ENDPOINT,
            json={"template_id": plaid_sandbox.template_id, "user": {"client_user_id": "u"}},
            headers={"PLAID-CLIENT-ID": plaid_sandbox.client_id, "PLAID-SECRET": "0" * 30},
        )
    assert wrong.json()["error_code"] == "INVALID_API_KEYS"
    assert plaid_sandbox.secret not in repr(plaid_sandbox) + repr(plaid_sandbox.options)


def test_tests_with_the_same_options_share_a_server(
    plaid_sandbox: PlaidSandbox, request: pytest.FixtureRequest
) -> None:
    again = request.getfixturevalue("plaid_sandbox")
    assert again.server.process.pid == plaid_sandbox.server.process.pid


@pytest.mark.plaid_sandbox(fault="internal_error,ok", token_lifetime_seconds=1800)
def test_the_marker_sets_a_server_wide_fault_and_the_lifetime(plaid_sandbox: PlaidSandbox) -> None:
    with httpx.Client(base_url=plaid_sandbox.base_url) as client:
        assert _create(client, plaid_sandbox).json()["error_code"] == "INTERNAL_SERVER_ERROR"
        created = _create(client, plaid_sandbox).json()
    expiration = datetime.strptime(created["link"]["expiration"], "%Y-%m-%dT%H:%M:%SZ")
    left = expiration.replace(tzinfo=UTC) - datetime.now(UTC)
    assert timedelta(minutes=28) < left <= timedelta(minutes=30)


@pytest.mark.plaid_sandbox(fault="internal_error,ok")
def test_a_fault_script_starts_at_its_first_step_in_every_test(plaid_sandbox: PlaidSandbox) -> None:
    # The same options and server as the previous test, reset for this one: step 1 again.
    with httpx.Client(base_url=plaid_sandbox.base_url) as client:
        assert _create(client, plaid_sandbox).status_code == 500
        assert _create(client, plaid_sandbox).status_code == 200


@pytest.mark.plaid_sandbox(
    client_id="6103181718256400103d5340",
    secret="a3c1e5d7f9b2a4c6e8d0f1a3b5c7d9",
    template_id="template_4bkq3yj",
    extra_template_ids=("template_other",),
)
def test_the_marker_sets_the_credentials_and_templates(plaid_sandbox_app: InProcessSandbox) -> None:
    assert plaid_sandbox_app.client_id == "6103181718256400103d5340"
    with httpx.Client(
        transport=plaid_sandbox_app.transport(), base_url=plaid_sandbox_app.base_url
    ) as client:
        assert _create(client, plaid_sandbox_app).status_code == 200
        other = client.post(
            ENDPOINT,
            json={"template_id": "template_other", "user": {"client_user_id": "u"}},
            headers={
                "PLAID-CLIENT-ID": plaid_sandbox_app.client_id,
                "PLAID-SECRET": plaid_sandbox_app.secret,
            },
        )
    assert other.status_code == 200


@pytest.mark.plaid_sandbox(redirect_uris=("https://app.acme.com/oauth",))
def test_the_marker_puts_your_redirect_uri_on_the_allow_list(
    plaid_sandbox_app: InProcessSandbox,
) -> None:
    def create(redirect_uri: str) -> httpx.Response:
        body = {
            "template_id": plaid_sandbox_app.template_id,
            "user": {"client_user_id": "u"},
            "redirect_uri": redirect_uri,
        }
        headers = {
            "PLAID-CLIENT-ID": plaid_sandbox_app.client_id,
            "PLAID-SECRET": plaid_sandbox_app.secret,
        }
        return client.post(ENDPOINT, json=body, headers=headers)

    with httpx.Client(
        transport=plaid_sandbox_app.transport(), base_url=plaid_sandbox_app.base_url
    ) as client:
        assert create("https://app.acme.com/oauth").status_code == 200
        refused = create("https://other.acme.com/oauth")
    assert refused.status_code == 400
    assert refused.json()["error_code"] == "INVALID_FIELD"


class TestOverride:
    @pytest.fixture
    def plaid_sandbox_options(self) -> SandboxOptions:
        """The fixture-override way (here for one class; in a conftest.py for a directory)."""
        return SandboxOptions(
            client_id="0123456789abcdef01234567",
            secret="0123456789abcdef0123456789abcd",
            template_id="template_module_default",
        )

    def test_the_options_fixture_can_be_overridden(self, plaid_sandbox: PlaidSandbox) -> None:
        assert plaid_sandbox.template_id == "template_module_default"
        with httpx.Client(base_url=plaid_sandbox.base_url) as client:
            assert _create(client, plaid_sandbox).status_code == 200

    @pytest.mark.plaid_sandbox(token_lifetime_seconds=60)
    def test_a_marker_changes_the_overridden_options(
        self, plaid_sandbox_app: InProcessSandbox
    ) -> None:
        assert plaid_sandbox_app.options.token_lifetime_seconds == 60
        assert plaid_sandbox_app.client_id == "0123456789abcdef01234567"


def test_in_process_sync_transport_with_per_request_faults(
    plaid_sandbox_app: InProcessSandbox,
) -> None:
    with httpx.Client(
        transport=plaid_sandbox_app.transport(), base_url=plaid_sandbox_app.base_url
    ) as client:
        script = plaid_sandbox_app.fault_headers("rate_limit:3,ok", fault_id="t1")
        limited = _create(client, plaid_sandbox_app, **script)
        assert (limited.status_code, limited.headers["retry-after"]) == (429, "3")
        assert _create(client, plaid_sandbox_app, **script).status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            _create(client, plaid_sandbox_app, **plaid_sandbox_app.fault_headers("drop"))


def test_in_process_async_transport(plaid_sandbox_app: InProcessSandbox) -> None:
    async def call() -> httpx.Response:
        async with httpx.AsyncClient(
            transport=plaid_sandbox_app.async_transport(), base_url=plaid_sandbox_app.base_url
        ) as client:
            return await client.post(
                ENDPOINT,
                json={
                    "template_id": plaid_sandbox_app.template_id,
                    "user": {"client_user_id": "u"},
                },
                headers={
                    "PLAID-CLIENT-ID": plaid_sandbox_app.client_id,
                    "PLAID-SECRET": plaid_sandbox_app.secret,
                },
            )

    assert asyncio.run(call()).status_code == 200


def test_the_sync_transport_works_inside_a_running_event_loop(
    plaid_sandbox_app: InProcessSandbox,
) -> None:
    async def inside() -> int:
        with httpx.Client(
            transport=plaid_sandbox_app.transport(), base_url=plaid_sandbox_app.base_url
        ) as client:
            return _create(client, plaid_sandbox_app).status_code

    assert asyncio.run(inside()) == 200


def _pytest(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_run_that_does_not_ask_for_it_imports_and_starts_nothing(tmp_path: Path) -> None:
    (tmp_path / "test_plain.py").write_text(
        textwrap.dedent(
            """
            import sys

            def test_plain(pytestconfig):
                assert pytestconfig.pluginmanager.has_plugin("plaid_offline_sandbox.pytest_plugin")
                loaded = {name for name in sys.modules if name.startswith("plaid_offline_sandbox")}
                assert loaded == {"plaid_offline_sandbox", "plaid_offline_sandbox.pytest_plugin"}
                assert "uvicorn" not in sys.modules and "httpx" not in sys.modules
            """
        )
    )
    done = _pytest(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_with_autoload_off_a_conftest_line_loads_it(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(
        'pytest_plugins = ["plaid_offline_sandbox.pytest_plugin"]\n'
    )
    (tmp_path / "test_app.py").write_text(
        textwrap.dedent(
            """
            def test_app(plaid_sandbox_app):
                assert plaid_sandbox_app.app.endpoints
            """
        )
    )
    off = _pytest(tmp_path, "--disable-plugin-autoload")
    assert off.returncode == 0, off.stdout + off.stderr
    on = _pytest(tmp_path)  # both ways at once: registered once, no error
    assert on.returncode == 0, on.stdout + on.stderr


def test_bad_options_are_a_usage_error_without_the_secret(tmp_path: Path) -> None:
    (tmp_path / "test_bad.py").write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.mark.plaid_sandbox(secret="not-hex-canary-value")
            def test_bad(plaid_sandbox_app):
                pass
            """
        )
    )
    done = _pytest(tmp_path)
    assert done.returncode != 0
    assert "every accepted secret must be 30 lowercase hex characters" in done.stdout + done.stderr
    assert "not-hex-canary-value" not in done.stdout.replace('secret="not-hex-canary-value"', "")
