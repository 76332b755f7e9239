"""One operation, one module: the routing table comes from the endpoint modules alone.

The proof that adding an endpoint touches nothing shared: a copy of the sandbox package with one
new module in ``endpoints/`` (and no other change) serves it with Plaid's answers, in process and
over HTTP.
"""

from __future__ import annotations

import json
import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from plaid_offline_sandbox import endpoints
from plaid_offline_sandbox.app import create_app
from plaid_offline_sandbox.endpoint import discover, routing_table
from plaid_offline_sandbox.endpoints import session_token_create
from plaid_tools import paths

from tests.sandbox.sandbox_support import AsgiClient, assert_plaid_error, post

# The module a maintainer adds (shared with tests/tooling/test_adding_an_endpoint.py).
FIXTURE_ENDPOINT = (
    Path(__file__).resolve().parents[1] / "fixtures" / "adding_an_endpoint" / "sandbox_endpoint.py"
)

# Run in a fresh interpreter on the copy: every answer the new endpoint gives, as JSON.
PROBE = """\
import asyncio, json, sys
import httpx
from plaid_offline_sandbox import DEFAULT_CLIENT_ID, DEFAULT_SECRET, create_app

AUTH = {"PLAID-CLIENT-ID": DEFAULT_CLIENT_ID, "PLAID-SECRET": DEFAULT_SECRET}
CASES = {
    "ok": ("POST", {"message": "hi"}, AUTH),
    "missing": ("POST", {}, {}),
    "unknown": ("POST", {"message": "hi", "zeta": 1}, AUTH),
    "type": ("POST", {"message": 7}, AUTH),
    "empty_note": ("POST", {"message": "hi", "note": ""}, AUTH),
    "keys": ("POST", {"message": "hi"}, {**AUTH, "PLAID-SECRET": "0" * 30}),
    "method": ("GET", None, AUTH),
    "fault": ("POST", {"message": "hi"}, {**AUTH, "Plaid-Sandbox-Fault": "internal_error"}),
}

async def main(base_url):
    if base_url:
        client = httpx.AsyncClient(base_url=base_url)
    else:
        transport = httpx.ASGITransport(app=create_app())
        client = httpx.AsyncClient(transport=transport, base_url="http://sandbox.test")
    answers = {}
    async with client:
        for name, (method, body, headers) in CASES.items():
            response = await client.request(
                method, "/fixture/echo/create",
                content=None if body is None else json.dumps(body).encode(),
                headers={"Content-Type": "application/json", **headers},
            )
            answers[name] = [response.status_code, response.text]
    print(json.dumps(answers))

asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else None))
"""


def test_every_endpoint_module_is_in_the_routing_table() -> None:
    # Counted from the package, so that adding an endpoint module needs no edit here.
    modules = list(pkgutil.iter_modules(endpoints.__path__))
    table = routing_table(discover())
    assert len(table) == len(modules)
    assert table[session_token_create.PATH] is session_token_create.ENDPOINT
    assert set(create_app().endpoints) == set(table)


def test_two_modules_for_one_path_are_refused() -> None:
    with pytest.raises(ValueError, match="two endpoint modules serve /session/token/create"):
        routing_table([session_token_create.ENDPOINT, session_token_create.ENDPOINT])


def test_an_app_serves_only_the_endpoints_it_is_given() -> None:
    client = AsgiClient(create_app(endpoints=()))
    try:
        assert_plaid_error(post(client, {}), 404, "INVALID_REQUEST", "NOT_FOUND", "not found")
    finally:
        client.close()


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sandbox package as it is, plus one endpoint module: the only file a maintainer adds."""
    root = tmp_path_factory.mktemp("scratch")
    shutil.copytree(
        paths.SANDBOX_PACKAGE,
        root / "plaid_offline_sandbox",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copyfile(
        FIXTURE_ENDPOINT, root / "plaid_offline_sandbox" / "endpoints" / "fixture_echo_create.py"
    )
    return root


def _env(package_root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAID_")}
    env["PYTHONPATH"] = str(package_root)  # ahead of the installed package
    return env


def _probe(package_root: Path, *args: str) -> dict[str, tuple[int, str]]:
    script = package_root / "probe.py"
    script.write_text(PROBE, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), *args],
        env=_env(package_root),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answers: dict[str, tuple[int, str]] = json.loads(done.stdout)
    return answers


def _error(answer: tuple[int, str]) -> tuple[int, str, str, str]:
    status, text = answer
    body = json.loads(text)
    assert text == json.dumps(body, indent=2, sort_keys=True)  # Plaid's formatting
    assert body["display_message"] is None and len(body["request_id"]) == 15
    return status, body["error_type"], body["error_code"], body["error_message"]


def _assert_plaid_answers(answers: dict[str, tuple[int, str]]) -> None:
    status, text = answers["ok"]
    assert status == 200
    body = json.loads(text)
    assert body["echo"] == "hi" and len(body["request_id"]) == 15
    assert _error(answers["missing"]) == (
        400,
        "INVALID_REQUEST",
        "MISSING_FIELDS",
        "the following required fields are missing: client_id, secret, message",
    )
    assert _error(answers["unknown"])[2:] == (
        "UNKNOWN_FIELDS",
        "the following fields are not recognized by this endpoint: zeta",
    )
    assert _error(answers["type"])[2:] == (
        "INVALID_FIELD",
        "message must be a properly formatted, non-empty string",
    )
    assert _error(answers["empty_note"])[2:] == (
        "INVALID_FIELD",
        "note must be a properly formatted, non-empty string",
    )
    assert _error(answers["keys"])[:3] == (400, "INVALID_INPUT", "INVALID_API_KEYS")
    assert _error(answers["method"])[:3] == (404, "INVALID_REQUEST", "NOT_FOUND")
    assert _error(answers["fault"])[:3] == (500, "API_ERROR", "INTERNAL_SERVER_ERROR")


def test_a_new_endpoint_module_is_served_in_process(package_copy: Path) -> None:
    _assert_plaid_answers(_probe(package_copy))


def test_a_new_endpoint_module_is_served_over_http_and_announced(package_copy: Path) -> None:
    from plaid_offline_sandbox.serving import serve

    log_path = package_copy / "server.log"
    with serve(env=_env(package_copy), log_path=log_path) as sandbox:
        answers = _probe(package_copy, sandbox.base_url)
    _assert_plaid_answers(answers)
    banner = log_path.read_text(encoding="utf-8")
    assert "POST /fixture/echo/create" in banner and "POST /session/token/create" in banner
    assert sandbox.base_url + "/fixture/echo/create" in banner  # its curl


def test_the_copy_differs_from_the_package_by_the_new_module_only(package_copy: Path) -> None:
    def files(root: Path) -> dict[str, bytes]:
        return {
            path.relative_to(root).as_posix(): path.read_bytes()
            for path in root.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        }

    copy, original = files(package_copy / "plaid_offline_sandbox"), files(paths.SANDBOX_PACKAGE)
    assert copy.keys() - original.keys() == {"endpoints/fixture_echo_create.py"}
    assert {name: copy[name] for name in original} == original
