"""`try`: one example request against the target, printed; the offline defaults in clear."""

from __future__ import annotations

from collections.abc import Callable

from plaid_contracts.infra.credentials import OFFLINE_DEFAULTS

from tests.contracts.helpers import RunResult, clean_env

# Plaid-format canaries, as the nightly job's secrets would be.
CANARY_CLIENT_ID = "ca4a2eb0d7c1e7c1eca4a2eb"
CANARY_SECRET = "ca4a2eb0d75ec2e7d24fca4a2eb0d7"


def test_try_offline_prints_the_public_default_credentials_in_clear(
    run_contracts: Callable[..., RunResult],
) -> None:
    result = run_contracts(command="try", env=clean_env())

    assert result.returncode == 0, result.stdout + result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("credentials: the offline sandbox's defaults (documented")
    assert OFFLINE_DEFAULTS.client_id in first and OFFLINE_DEFAULTS.secret in first
    assert f"> plaid-secret: {OFFLINE_DEFAULTS.secret}" in result.stdout
    assert "< HTTP 200" in result.stdout and '"link_token": "link-sandbox-' in result.stdout


def test_try_masks_credentials_from_the_environment(
    run_contracts: Callable[..., RunResult],
) -> None:
    env = clean_env({"PLAID_CLIENT_ID": CANARY_CLIENT_ID, "PLAID_SECRET": CANARY_SECRET})

    result = run_contracts(command="try", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("credentials: from PLAID_CLIENT_ID / PLAID_SECRET, masked")
    assert "> plaid-secret: ${PLAID_SECRET}" in result.stdout
    for canary in (CANARY_CLIENT_ID, CANARY_SECRET):
        assert canary not in result.stdout + result.stderr
