"""The start-up banner: where, what it accepts, a curl that works as printed; never a secret."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
from plaid_offline_sandbox.config import DEFAULT_CLIENT_ID, DEFAULT_SECRET, DEFAULT_TEMPLATE_ID
from plaid_offline_sandbox.serving import RunningSandbox, serve
from plaid_tools import paths

from tests.sandbox.sandbox_support import ENDPOINT, banner_curl, clean_env

CANARY_CLIENT_ID = "c0ffee00c0ffee00c0ffee00"
CANARY_SECRET = "5ec2e7ca7a2705ec2e7ca7a2705ec2"  # a user's secret: must never be printed
EXTRA_SECRET = "e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7"


def _run(command: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        ["bash", "-c", command], env=env, capture_output=True, text=True, timeout=30, check=True
    )
    return done.stdout


def test_the_defaults_are_printed_in_full_and_the_curl_gets_a_200(tmp_path: Path) -> None:
    log = tmp_path / "sandbox.log"
    with serve(env=clean_env(), log_path=log) as sandbox:
        banner = log.read_text()
        assert f"Offline Plaid Sandbox on {sandbox.base_url}" in banner
        assert "POST /session/token/create" in banner
        assert f"client_id {DEFAULT_CLIENT_ID}  secret {DEFAULT_SECRET}" in banner
        assert f"templates:   {DEFAULT_TEMPLATE_ID}" in banner
        answer = _run(banner_curl(banner), clean_env())
    assert re.fullmatch(
        r'\{"link":\{"expiration":"[^"]+","link_token":"link-sandbox-[^"]+"\},'
        r'"request_id":"[A-Za-z0-9]{15}"\}',
        answer,
    )


def test_a_secret_from_the_environment_never_appears_in_the_banner_or_log(tmp_path: Path) -> None:
    env = clean_env(
        PLAID_CLIENT_ID=CANARY_CLIENT_ID,
        PLAID_SECRET=CANARY_SECRET,
        PLAID_TEMPLATE_ID="template_4bkq3yj",
        PLAID_SANDBOX_ACCESS_LOG="1",
        PLAID_SANDBOX_LOG_LEVEL="debug",
    )
    log = tmp_path / "sandbox.log"
    credential = f"{'0' * 23}1:{EXTRA_SECRET}"
    with serve(env=env, args=["--credential", credential], log_path=log) as sandbox:
        banner = log.read_text()
        # The printed curl reads the secret from the environment: it works as printed there.
        assert '"PLAID-SECRET: $PLAID_SECRET"' in banner
        assert _run(banner_curl(banner), env).startswith('{"link":')
        with httpx.Client(base_url=sandbox.base_url) as client:
            for secret in (CANARY_SECRET, "0" * 30):
                client.post(
                    ENDPOINT,
                    json={"template_id": "template_4bkq3yj", "user": {"client_user_id": "u"}},
                    headers={"PLAID-CLIENT-ID": CANARY_CLIENT_ID, "PLAID-SECRET": secret},
                )
            client.post(ENDPOINT, json={"secret": CANARY_SECRET, "zeta": 1})
    text = log.read_text()
    assert f"client_id {CANARY_CLIENT_ID}  secret: from PLAID_SECRET" in text
    assert f"client_id {'0' * 23}1  secret: from --credential" in text
    assert "request_id=" in text  # the access log did write
    assert CANARY_SECRET not in text and EXTRA_SECRET not in text
    assert DEFAULT_SECRET not in text  # not accepted here, so not printed either


def test_the_documented_curl_gets_a_200(live_server: RunningSandbox) -> None:
    readme = (paths.ROOT / "docs" / "sandbox.md").read_text(encoding="utf-8")
    start = readme.index("curl -sS -X POST http://127.0.0.1:8100/session/token/create")
    command = readme[start : readme.index("```", start)].replace("\n  ", "\n")
    port = str(live_server.port)  # the documented 8100 may be taken on a shared machine
    answer = _run(command.replace("127.0.0.1:8100", f"127.0.0.1:{port}"), clean_env())
    assert answer.startswith('{"link":{"expiration":"'), answer


def test_no_banner_at_log_level_warning(tmp_path: Path) -> None:
    # As the contract runner starts it: its sandbox.log holds warnings and errors only.
    log = tmp_path / "sandbox.log"
    with serve(env=clean_env(PLAID_SANDBOX_LOG_LEVEL="warning"), log_path=log):
        pass
    assert "Offline Plaid Sandbox" not in log.read_text()
