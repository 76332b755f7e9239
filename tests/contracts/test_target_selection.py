"""Targets are validated, and Plaid Production refused, before any request is sent."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from plaid_contracts.commands import cli
from plaid_contracts.infra.environment import remote_inputs
from plaid_contracts.infra.targets import (
    PRODUCTION_FLAG,
    Target,
    TargetError,
    TargetKind,
    classify,
)

from tests.contracts.helpers import RunResult, clean_env, remote_env


@pytest.mark.parametrize(
    "base_url",
    [
        "https://production.plaid.com",
        "https://api.example.com",
        "https://sandbox.plaid.com.evil.io",
    ],
)
def test_non_sandbox_hosts_are_refused_before_any_request(
    base_url: str,
    no_network: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in remote_env().items():
        monkeypatch.setenv(name, value)

    for command in ("run", "try"):
        assert cli.main([command, "--base-url", base_url]) == 2

    assert no_network == []
    err = capsys.readouterr().err
    assert err.count("refusing to send contract traffic") == 2
    assert PRODUCTION_FLAG in err


def test_refusal_comes_before_the_credentials_check(
    no_network: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["run", "--base-url", "https://production.plaid.com"]) == 2
    assert "refusing" in capsys.readouterr().err
    assert no_network == []


@pytest.mark.parametrize(
    ("base_url", "kind"),
    [
        ("https://sandbox.plaid.com", TargetKind.SANDBOX),
        ("https://sandbox.plaid.com/", TargetKind.SANDBOX),
        ("http://127.0.0.1:8100", TargetKind.LOOPBACK),
        ("http://localhost:8100", TargetKind.LOOPBACK),
        ("http://[::1]:8100", TargetKind.LOOPBACK),
    ],
)
def test_sandbox_and_loopback_are_allowed(base_url: str, kind: TargetKind) -> None:
    assert classify(base_url, allow_production=False).kind is kind


def test_production_needs_the_flag_and_expects_production_tokens() -> None:
    target = classify("https://production.plaid.com", allow_production=True)
    assert target.kind is TargetKind.PRODUCTION
    assert target.token_environments == ("production",)
    assert target.is_remote
    sandbox = classify("https://sandbox.plaid.com", allow_production=False)
    assert sandbox.token_environments == ("sandbox",)


def test_another_host_is_unverified_and_may_issue_either_token() -> None:
    """A proxy may forward to the Sandbox or to Production: neither is assumed."""
    target = classify("https://plaid-proxy.example.com", allow_production=True)
    assert target.kind is TargetKind.UNVERIFIED
    assert target.token_environments == ("sandbox", "production")
    assert target.is_remote  # throttled by default, like Plaid's hosts


@pytest.mark.parametrize(
    "base_url",
    [
        "http://sandbox.plaid.com",  # credentials over plain http
        "https://user:pw@sandbox.plaid.com",
        "https://sandbox.plaid.com/session/token/create",
        "sandbox.plaid.com",
        "ftp://127.0.0.1",
    ],
)
def test_malformed_base_urls_are_rejected(base_url: str) -> None:
    with pytest.raises(TargetError):
        classify(base_url, allow_production=True)


@pytest.mark.parametrize("missing", ["PLAID_CLIENT_ID", "PLAID_SECRET", "PLAID_TEMPLATE_ID"])
def test_a_missing_variable_is_one_clear_line(
    run_contracts: Callable[..., RunResult], missing: str
) -> None:
    env = remote_env()
    del env[missing]

    result = run_contracts("--base-url", "http://127.0.0.1:9", env=env)

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {missing} is not set")
    assert result.stdout == ""
    assert not result.reports_dir.exists()


def test_remote_inputs_name_every_missing_variable() -> None:
    """The operations' fixtures are required like the credentials (and named in one line)."""
    with pytest.raises(TargetError, match="PLAID_SECRET, PLAID_TEMPLATE_ID are not set"):
        remote_inputs({"PLAID_TEMPLATE_ID": "template_offline_default"}, {"PLAID_CLIENT_ID": "x"})


def test_remote_inputs_take_an_optional_fixture_only_when_set() -> None:
    """An allow-listed value (PLAID_REDIRECT_URI) is not required: without it the field's values
    are only assumed acceptable; given, it is the run's."""
    defaults = {
        "PLAID_TEMPLATE_ID": "template_offline_default",
        "PLAID_REDIRECT_URI": "https://a/b",
    }
    env = {
        "PLAID_CLIENT_ID": "6103181718256400103d5340",
        "PLAID_SECRET": "0a1b2c3d4e5f60718293a4b5c6d7e8",
        "PLAID_TEMPLATE_ID": "template_b4r9mQ2kX7tz",
    }
    optional = frozenset({"PLAID_REDIRECT_URI"})
    without = remote_inputs(defaults, env, optional=optional)
    assert without.fixtures == {"PLAID_TEMPLATE_ID": "template_b4r9mQ2kX7tz"}
    given = remote_inputs(
        defaults, {**env, "PLAID_REDIRECT_URI": "https://app.acme.com/oauth"}, optional=optional
    )
    assert given.fixtures["PLAID_REDIRECT_URI"] == "https://app.acme.com/oauth"
    with pytest.raises(TargetError, match="PLAID_TEMPLATE_ID is not set"):
        remote_inputs(defaults, {**env, "PLAID_TEMPLATE_ID": ""}, optional=optional)


def test_offline_needs_both_credentials_or_neither(run_contracts: Callable[..., RunResult]) -> None:
    result = run_contracts(env=clean_env({"PLAID_CLIENT_ID": "only-the-id"}))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: PLAID_SECRET is not set: set both PLAID_CLIENT_ID and PLAID_SECRET, or neither"
    )


@pytest.mark.parametrize(
    ("variable", "env", "form"),
    [
        ("PLAID_CLIENT_ID", {"PLAID_CLIENT_ID": "test_id"}, "24 lowercase hex characters"),
        ("PLAID_SECRET", {"PLAID_SECRET": "not-a-plaid-secret"}, "30 lowercase hex characters"),
    ],
)
def test_offline_credentials_must_be_in_plaids_format(
    run_contracts: Callable[..., RunResult], variable: str, env: dict[str, str], form: str
) -> None:
    good = {"PLAID_CLIENT_ID": "6103181718256400103d5340", "PLAID_SECRET": "a" * 30}
    result = run_contracts(env=clean_env({**good, **env}))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {variable} must be {form}, as Plaid's are: the offline sandbox, like Plaid, "
        "would answer every request with INVALID_FIELD"
    )
    assert env[variable] not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("option", "value", "problem"),
    [
        ("--token-lifetime", "-4h", "must be more than 0 seconds"),
        ("--token-lifetime", "0", "must be more than 0 seconds"),
        ("--token-lifetime", "0m", "must be more than 0 seconds"),
        ("--clock-skew", "-1", "must be 0 seconds or more"),
        ("--clock-skew", "4x", "expected seconds or 30m / 4h"),
        ("--request-timeout", "0", "must be more than 0 seconds"),
        ("--request-timeout", "soon", "expected seconds"),
    ],
)
def test_durations_must_make_sense(
    capsys: pytest.CaptureFixture[str], option: str, value: str, problem: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.build_parser().parse_args(["run", f"{option}={value}"])

    assert exited.value.code == 2
    assert f"argument {option}: {problem}" in capsys.readouterr().err


def test_durations_accept_units_and_a_zero_clock_skew() -> None:
    args = cli.build_parser().parse_args(["run", "--token-lifetime", "30m", "--clock-skew", "0"])
    assert (args.token_lifetime, args.clock_skew) == (1800, 0)


@pytest.mark.parametrize(
    ("choice", "kind", "enforced"),
    [
        (None, TargetKind.OFFLINE, True),  # the offline sandbox implements the assumptions
        (None, TargetKind.LOOPBACK, False),
        (None, TargetKind.SANDBOX, False),
        ("observe", TargetKind.OFFLINE, False),  # the mutation harness' variants
        ("enforce", TargetKind.LOOPBACK, True),
    ],
)
def test_assumptions_are_enforced_offline_and_observed_elsewhere(
    choice: str | None, kind: TargetKind, enforced: bool
) -> None:
    assert cli.enforce_assumptions(choice, Target("https://x", kind)) is enforced


@pytest.mark.parametrize("kind", [TargetKind.SANDBOX, TargetKind.PRODUCTION, TargetKind.UNVERIFIED])
def test_assumptions_never_fail_a_run_against_plaid(kind: TargetKind) -> None:
    with pytest.raises(TargetError, match="against Plaid, a divergence from an ASSUMED rule"):
        cli.enforce_assumptions("enforce", Target("https://sandbox.plaid.com", kind))
