"""Configuration from environment and flags, the CLI with several workers, and logging."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from plaid_offline_sandbox import config as cfg
from plaid_offline_sandbox.__main__ import build_parser, config_from_args
from plaid_offline_sandbox.app import create_app
from plaid_offline_sandbox.config import ConfigError, SandboxConfig
from plaid_offline_sandbox.serving import RunningSandbox, serve

from tests.sandbox.sandbox_support import (
    ENDPOINT,
    VALID_BODY,
    AsgiClient,
    HttpClient,
    assert_plaid_error,
    clean_env,
    post,
)

# Plaid-format values (24 / 30 lowercase hex), as the sandbox requires of accepted pairs.
ENV_CLIENT_ID = "6103181718256400103d5340"
ENV_SECRET = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5"
ENV_PAIR = {"PLAID_CLIENT_ID": ENV_CLIENT_ID, "PLAID_SECRET": ENV_SECRET}
EXTRA_A = ("aaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
EXTRA_B = ("cccccccccccccccccccccccc", "dddddddddddddddddddddddddddddd")


def test_documented_defaults() -> None:
    assert cfg.DEFAULT_CLIENT_ID == "0ff1ce0ff1ce0ff1ce0ff1ce"
    assert cfg.DEFAULT_SECRET == "5ec2e75ec2e75ec2e75ec2e75ec2e7"
    assert cfg.DEFAULT_TEMPLATE_ID == "template_offline_default"
    assert cfg.DEFAULT_TOKEN_LIFETIME_SECONDS == 14400
    assert cfg.DEFAULT_MAX_BODY_BYTES == 1024 * 1024
    config = SandboxConfig.from_env({})
    assert config.credentials == {(cfg.DEFAULT_CLIENT_ID, cfg.DEFAULT_SECRET)}
    assert config.template_ids == {"template_offline_default"}
    assert config.redirect_uris == {"https://app.offline-sandbox.dev/plaid/oauth-return"}
    assert config.android_package_names == {"dev.offline_sandbox.app"}
    assert config.fault_script is None


def test_env_replaces_defaults() -> None:
    config = SandboxConfig.from_env(
        {
            **ENV_PAIR,
            "PLAID_TEMPLATE_ID": "tpl_env",
            "PLAID_REDIRECT_URI": "https://app.acme.com/oauth",
            "PLAID_ANDROID_PACKAGE_NAME": "com.acme.app",
        }
    )
    assert config.credentials == {(ENV_CLIENT_ID, ENV_SECRET)}
    assert config.template_ids == {"tpl_env"}
    assert config.redirect_uris == {"https://app.acme.com/oauth"}
    assert config.android_package_names == {"com.acme.app"}


def test_env_extras_and_settings() -> None:
    config = SandboxConfig.from_env(
        {
            "PLAID_SANDBOX_EXTRA_CREDENTIALS": ":".join(EXTRA_A) + ", " + ":".join(EXTRA_B),
            "PLAID_SANDBOX_EXTRA_TEMPLATE_IDS": "tpl_1,tpl_2",
            "PLAID_SANDBOX_EXTRA_REDIRECT_URIS": "https://a.acme.com/o, https://b.acme.com/o",
            "PLAID_SANDBOX_EXTRA_ANDROID_PACKAGE_NAMES": "com.acme.a",
            "PLAID_SANDBOX_TOKEN_LIFETIME": "1800",
            "PLAID_SANDBOX_FAULT": "internal_error,ok",
            "PLAID_SANDBOX_LOG_LEVEL": "WARNING",
            "PLAID_SANDBOX_MAX_BODY_BYTES": "2048",
        }
    )
    assert config.credentials == {(cfg.DEFAULT_CLIENT_ID, cfg.DEFAULT_SECRET), EXTRA_A, EXTRA_B}
    assert config.template_ids == {"template_offline_default", "tpl_1", "tpl_2"}
    assert config.redirect_uris == {
        cfg.DEFAULT_REDIRECT_URI,
        "https://a.acme.com/o",
        "https://b.acme.com/o",
    }
    assert config.android_package_names == {cfg.DEFAULT_ANDROID_PACKAGE_NAME, "com.acme.a"}
    assert config.token_lifetime_seconds == 1800
    assert config.fault_script == "internal_error,ok"
    assert config.log_level == "warning"
    assert config.max_body_bytes == 2048


@pytest.mark.parametrize(
    "env",
    [
        {"PLAID_CLIENT_ID": "only-id"},
        {"PLAID_SECRET": "only-secret"},
        {"PLAID_SANDBOX_EXTRA_CREDENTIALS": "no-colon"},
        # Plaid would answer INVALID_FIELD to every request with these: refuse them up front.
        {"PLAID_CLIENT_ID": "env-client", "PLAID_SECRET": ENV_SECRET},
        {"PLAID_CLIENT_ID": ENV_CLIENT_ID, "PLAID_SECRET": "env-secret-value"},
        {"PLAID_SANDBOX_EXTRA_CREDENTIALS": "a:b"},
        {"PLAID_SANDBOX_TOKEN_LIFETIME": "soon"},
        {"PLAID_SANDBOX_TOKEN_LIFETIME": "0"},
        {"PLAID_SANDBOX_LOG_LEVEL": "loud"},
        {"PLAID_SANDBOX_CONFIG_JSON": "{}"},
    ],
)
def test_bad_env_is_rejected(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        SandboxConfig.from_env(env)


def test_json_round_trip_and_repr_hides_secrets() -> None:
    config = SandboxConfig.from_env(
        {
            **ENV_PAIR,
            "PLAID_SANDBOX_FAULT": "ok",
            "PLAID_SANDBOX_EXTRA_REDIRECT_URIS": "https://a.b/c",
        }
    )
    assert SandboxConfig.from_json(config.to_json()) == config
    assert ENV_SECRET not in repr(config)


def test_flags_add_to_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in ENV_PAIR.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv(cfg.CONFIG_JSON_ENV, "stale and ignored")
    args = build_parser().parse_args(
        [
            "--credential",
            ":".join(EXTRA_A),
            "--template-id",
            "tpl_extra",
            "--redirect-uri",
            "https://app.acme.com/oauth",
            "--android-package-name",
            "com.acme.app",
            "--token-lifetime",
            "60",
            "--fault",
            "maintenance",
            "--log-level",
            "debug",
            "--max-body-bytes",
            "10",
        ]
    )
    config = config_from_args(args)
    assert config.credentials == {(ENV_CLIENT_ID, ENV_SECRET), EXTRA_A}
    assert config.template_ids == {"template_offline_default", "tpl_extra"}
    assert config.redirect_uris == {cfg.DEFAULT_REDIRECT_URI, "https://app.acme.com/oauth"}
    assert config.android_package_names == {cfg.DEFAULT_ANDROID_PACKAGE_NAME, "com.acme.app"}
    assert (config.token_lifetime_seconds, config.fault_script) == (60, "maintenance")
    assert (config.log_level, config.max_body_bytes) == ("debug", 10)


@pytest.mark.parametrize(
    ("env", "flags", "expected"),
    [
        ({}, [], False),
        ({"PLAID_SANDBOX_ACCESS_LOG": "1"}, [], True),
        ({"PLAID_SANDBOX_ACCESS_LOG": "On"}, [], True),
        ({"PLAID_SANDBOX_ACCESS_LOG": "off"}, [], False),
        ({}, ["--access-log"], True),
        ({"PLAID_SANDBOX_ACCESS_LOG": "yes"}, ["--no-access-log"], False),
    ],
)
def test_access_log_switch(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], flags: list[str], expected: bool
) -> None:
    monkeypatch.delenv("PLAID_SANDBOX_ACCESS_LOG", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    config = config_from_args(build_parser().parse_args(flags))
    assert config.access_log is expected
    assert SandboxConfig.from_json(config.to_json()).access_log is expected


def test_bad_access_log_value_is_one_clear_error() -> None:
    with pytest.raises(ConfigError, match="PLAID_SANDBOX_ACCESS_LOG must be one of"):
        SandboxConfig.from_env({"PLAID_SANDBOX_ACCESS_LOG": "maybe"})


def test_no_access_lines_unless_asked_for(live_server: RunningSandbox) -> None:
    assert httpx.post(live_server.base_url + ENDPOINT, content=b"{}").status_code == 400
    assert "plaid_offline_sandbox.access" not in live_server.log_text()
    assert "request_id" not in live_server.log_text()


def test_access_log_has_one_info_line_per_request(tmp_path: Path) -> None:
    # Asked for with the log level at warning (as the contract runner runs the sandbox): the
    # access lines still come, at INFO.
    log = tmp_path / "server.log"
    with serve(
        args=["--access-log", "--log-level", "warning"], env=clean_env(), log_path=log
    ) as server:
        client = HttpClient(server.base_url)
        try:
            assert post(client, VALID_BODY).status_code == 200
            assert post(client, {}).status_code == 400
            assert client.request("GET", "/nowhere").status_code == 404
            assert (
                post(client, VALID_BODY, headers={"Plaid-Sandbox-Fault": "maintenance"}).status_code
                == 503
            )
        finally:
            client.close()
    # Read once the server has stopped: a line is written after its response is sent, so the
    # last one may still be on its way while the server runs.
    text = log.read_text()
    lines = [line for line in text.splitlines() if "plaid_offline_sandbox.access" in line]
    assert len(lines) == 4, lines
    assert all(" INFO " in line for line in lines)
    assert "POST /session/token/create 200 - request_id=" in lines[0]
    assert "POST /session/token/create 400 MISSING_FIELDS" in lines[1]
    assert "GET /nowhere 404 NOT_FOUND" in lines[2]
    assert "503 PLANNED_MAINTENANCE" in lines[3]


def test_bad_fault_flag_is_rejected() -> None:
    args: argparse.Namespace = build_parser().parse_args(["--fault", "explode"])
    with pytest.raises(ValueError):
        config_from_args(args)


def test_create_app_without_config_reads_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cfg.CONFIG_JSON_ENV, raising=False)
    monkeypatch.setenv("PLAID_CLIENT_ID", ENV_CLIENT_ID)
    monkeypatch.setenv("PLAID_SECRET", ENV_SECRET)
    monkeypatch.setenv("PLAID_TEMPLATE_ID", "tpl_env")
    client = AsgiClient(create_app())
    try:
        body = {**VALID_BODY, "template_id": "tpl_env"}
        headers = {"PLAID-CLIENT-ID": ENV_CLIENT_ID, "PLAID-SECRET": ENV_SECRET}
        assert post(client, body, headers=headers, auth=False).status_code == 200
        rejected = post(client, body)  # the default pair is no longer accepted
        assert_plaid_error(rejected, 400, "INVALID_INPUT", "INVALID_API_KEYS")
    finally:
        client.close()


def test_lifetime_and_body_limit_are_applied() -> None:
    now = datetime(2026, 1, 1, 23, 59, 59, tzinfo=UTC)
    client = AsgiClient(
        create_app(SandboxConfig(token_lifetime_seconds=1800, max_body_bytes=100, now=lambda: now))
    )
    try:
        assert post(client, VALID_BODY).json()["link"]["expiration"] == "2026-01-02T00:29:59Z"
        response = post(client, {**VALID_BODY, "webhook": "https://example.com/" + "a" * 100})
        assert_plaid_error(
            response,
            400,
            "INVALID_REQUEST",
            "INVALID_BODY",
            "body exceeds the maximum size of 100 bytes",
        )
    finally:
        client.close()


def test_log_lines_never_contain_credentials(caplog: pytest.LogCaptureFixture) -> None:
    client_id, secret = EXTRA_A
    config = SandboxConfig(credentials=frozenset({(client_id, secret)}), access_log=True)
    client = AsgiClient(create_app(config))
    caplog.set_level(logging.DEBUG)
    try:
        headers = {"PLAID-CLIENT-ID": client_id, "PLAID-SECRET": secret}
        assert post(client, VALID_BODY, headers=headers, auth=False).status_code == 200
        body = {**VALID_BODY, "client_id": client_id, "secret": EXTRA_B[1]}
        assert post(client, body, auth=False).status_code == 400
    finally:
        client.close()
    lines = [record.getMessage() for record in caplog.records]
    assert any("POST /session/token/create 200 -" in line for line in lines)
    assert any("INVALID_API_KEYS" in line for line in lines)
    text = "\n".join(lines)
    assert secret not in text and client_id not in text and "user-1" not in text


# --- real processes ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def env_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    """Two workers configured by environment plus flags."""
    with serve(
        args=["--workers", "2", "--template-id", "tpl_extra", "--token-lifetime", "1800"],
        env=clean_env(**ENV_PAIR, PLAID_TEMPLATE_ID="tpl_env", PLAID_SANDBOX_ACCESS_LOG="1"),
        log_path=tmp_path_factory.mktemp("env-server") / "server.log",
    ) as server:
        yield server


def test_env_configured_server_with_two_workers(env_server: RunningSandbox) -> None:
    headers = {"PLAID-CLIENT-ID": ENV_CLIENT_ID, "PLAID-SECRET": ENV_SECRET}
    for _ in range(6):
        # A new connection each time so both worker processes get requests.
        client = HttpClient(env_server.base_url)
        try:
            for template in ("tpl_env", "tpl_extra"):
                body = {**VALID_BODY, "template_id": template}
                response = post(client, body, headers=headers, auth=False)
                assert response.status_code == 200, response.text
                expiration = datetime.strptime(
                    response.json()["link"]["expiration"], "%Y-%m-%dT%H:%M:%SZ"
                ).replace(tzinfo=UTC)
                expected = datetime.now(UTC) + timedelta(seconds=1800)
                assert abs((expiration - expected).total_seconds()) < 60
            default_template = post(client, VALID_BODY, headers=headers, auth=False)
            assert_plaid_error(default_template, 400, "INVALID_REQUEST", "INVALID_FIELD")
            default_pair = post(client, {**VALID_BODY, "template_id": "tpl_env"})
            assert_plaid_error(default_pair, 400, "INVALID_INPUT", "INVALID_API_KEYS")
        finally:
            client.close()


def test_two_workers_are_running(env_server: RunningSandbox) -> None:
    import time

    deadline = time.monotonic() + 10
    text = ""
    while time.monotonic() < deadline:
        text = env_server.log_text()
        if text.count("Started server process") >= 2:
            break
        time.sleep(0.1)
    assert text.count("Started server process") >= 2, text


def test_server_log_has_no_secrets(env_server: RunningSandbox) -> None:
    client = HttpClient(env_server.base_url)
    try:
        post(client, {**VALID_BODY, "secret": ENV_SECRET}, auth=False)
    finally:
        client.close()
    text = env_server.log_text()
    assert "POST /session/token/create 400" in text  # the access log wrote
    assert ENV_SECRET not in text
    # The client id is not a secret: only the banner names it, to say which pair is accepted.
    # Its line, and the header of each endpoint's curl.
    assert text.count(ENV_CLIENT_ID) == 1 + text.count("    curl ") >= 2
    assert f"client_id {ENV_CLIENT_ID}  secret: from PLAID_SECRET" in text


def test_binds_loopback_by_default(live_server: RunningSandbox) -> None:
    assert live_server.base_url.startswith("http://127.0.0.1:")
    assert httpx.post(live_server.base_url + ENDPOINT, content=b"{}").status_code == 400


def test_help_runs(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "plaid_offline_sandbox", "--help"],
        capture_output=True,
        text=True,
        env=clean_env(),
        check=True,
    )
    flags = ("--host", "--port", "--workers", "--token-lifetime", "--fault", "--log-level")
    for flag in (*flags, "--access-log"):
        assert flag in result.stdout


def test_last_resort_answers_a_plaid_500() -> None:
    def broken_clock() -> datetime:
        raise RuntimeError("clock failure")

    client = AsgiClient(create_app(SandboxConfig(now=broken_clock)))
    try:
        response = post(client, VALID_BODY)
        assert_plaid_error(
            response, 500, "API_ERROR", "INTERNAL_SERVER_ERROR", "an unexpected error occurred"
        )
        assert response.json()["documentation_url"].endswith("#api-errors")
    finally:
        client.close()
