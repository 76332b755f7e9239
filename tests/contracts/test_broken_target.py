"""A target that breaks a rule makes the run fail, with a reproduction a person can use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.contracts.helpers import FAST, AsgiApp, RunResult, offline_app, remote_env, serve_asgi

Scope = dict[str, Any]


def rewrite_start(app: AsgiApp, change: Callable[[dict[str, Any]], None]) -> AsgiApp:
    """The real sandbox, with every response start message passed through ``change``."""

    async def wrapped(scope: Scope, receive: Any, send: Any) -> None:
        async def patched_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                change(message)
            await send(message)

        await app(scope, receive, patched_send)

    return wrapped


def plain_text_content_type(message: dict[str, Any]) -> None:
    message["headers"] = [
        (name, b"text/plain") if name.lower() == b"content-type" else (name, value)
        for name, value in message["headers"]
    ]


def created_instead_of_ok(message: dict[str, Any]) -> None:
    if message["status"] == 200:
        message["status"] = 201


@pytest.mark.parametrize(
    ("change", "failing_check"),
    [
        (plain_text_content_type, "content_type_conformance"),
        (created_instead_of_ok, "response_schema_conformance"),
    ],
    ids=["wrong-content-type", "wrong-status"],
)
def test_broken_rule_fails_the_run_with_a_reproduction(
    run_contracts: Callable[..., RunResult],
    change: Callable[[dict[str, Any]], None],
    failing_check: str,
) -> None:
    with serve_asgi(rewrite_start(offline_app(), change)) as base_url:
        result = run_contracts("--base-url", base_url, *FAST, env=remote_env())

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
