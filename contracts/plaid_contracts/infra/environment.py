"""What a run takes from the environment: its credentials, and each operation's fixtures.

A --base-url run needs every variable (a missing one: one line naming it, exit 2). An offline run
takes what is set and passes it to the sandbox it starts, the sandbox's defaults otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from plaid_offline_sandbox import credentials as sandbox_credentials

from plaid_contracts.infra.credentials import (
    ENV_CLIENT_ID,
    ENV_SECRET,
    OFFLINE_DEFAULTS,
    Credentials,
)
from plaid_contracts.infra.targets import TargetError


@dataclass(frozen=True)
class RunInputs:
    credentials: Credentials
    fixtures: dict[str, str]  # by environment variable
    # The offline sandbox's published defaults, because the environment had no credentials.
    public_credentials: bool = False


def remote_inputs(
    fixture_defaults: Mapping[str, str],
    environ: Mapping[str, str] | None = None,
    optional: frozenset[str] = frozenset(),
) -> RunInputs:
    """For a --base-url run: every variable is required (``fixture_defaults``' keys too) but the
    ``optional`` fixtures, taken when set."""
    env = os.environ if environ is None else environ
    required = (ENV_CLIENT_ID, ENV_SECRET, *(n for n in fixture_defaults if n not in optional))
    missing = [name for name in required if not env.get(name)]
    if missing:
        raise TargetError(
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set: "
            f"a --base-url run needs {', '.join(required)}"
        )
    fixtures = {name: env[name] for name in fixture_defaults if env.get(name)}
    return RunInputs(Credentials(env[ENV_CLIENT_ID], env[ENV_SECRET]), fixtures)


def offline_inputs(
    fixture_defaults: Mapping[str, str], environ: Mapping[str, str] | None = None
) -> RunInputs:
    """For the offline sandbox: the environment's values, else the sandbox's defaults."""
    env = os.environ if environ is None else environ
    fixtures = {name: env.get(name) or default for name, default in fixture_defaults.items()}
    client_id = env.get(ENV_CLIENT_ID) or ""
    secret = env.get(ENV_SECRET) or ""
    if bool(client_id) != bool(secret):
        missing = ENV_SECRET if client_id else ENV_CLIENT_ID
        raise TargetError(
            f"{missing} is not set: set both {ENV_CLIENT_ID} and {ENV_SECRET}, or neither"
        )
    if not client_id:
        return RunInputs(OFFLINE_DEFAULTS, fixtures, public_credentials=True)
    _require_plaid_format("client_id", client_id, ENV_CLIENT_ID)
    _require_plaid_format("secret", secret, ENV_SECRET)
    return RunInputs(Credentials(client_id, secret), fixtures)


def _require_plaid_format(
    name: sandbox_credentials.CredentialName, value: str, variable: str
) -> None:
    if not sandbox_credentials.is_well_formed(name, value):
        raise TargetError(
            f"{variable} must be {sandbox_credentials.FORMAT_DESCRIPTIONS[name]}, as Plaid's are: "
            "the offline sandbox, like Plaid, would answer every request with INVALID_FIELD"
        )
