"""Which server a run talks to, and whether it may talk to it at all.

Decided before any request is sent: a target that is neither Plaid's Sandbox nor this machine is
refused unless the caller passes PRODUCTION_FLAG, because every fuzzed request to Plaid
Production would run against a live account.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final
from urllib.parse import urlsplit

from plaid_offline_sandbox import credentials as sandbox_credentials
from plaid_offline_sandbox.config import DEFAULT_CLIENT_ID, DEFAULT_SECRET, DEFAULT_TEMPLATE_ID

from plaid_contracts.infra.credentials import ENV_CLIENT_ID, ENV_SECRET, Credentials

SANDBOX_HOST: Final = "sandbox.plaid.com"
PRODUCTION_HOST: Final = "production.plaid.com"
PRODUCTION_FLAG: Final = "--i-understand-this-sends-requests-to-plaid-production"

ENV_TEMPLATE_ID: Final = "PLAID_TEMPLATE_ID"
REMOTE_REQUIRED_ENV: Final = (ENV_CLIENT_ID, ENV_SECRET, ENV_TEMPLATE_ID)

# The offline sandbox's documented defaults, from the sandbox itself (one source of truth). This
# loads the sandbox package, which the runner loads in every mode anyway (commands/run.py).
OFFLINE_CLIENT_ID: Final = DEFAULT_CLIENT_ID
OFFLINE_SECRET: Final = DEFAULT_SECRET
OFFLINE_TEMPLATE_ID: Final = DEFAULT_TEMPLATE_ID


class TargetKind(StrEnum):
    OFFLINE = "offline"  # the offline sandbox, started by the runner on loopback
    LOOPBACK = "loopback"  # a server on this machine given with --base-url
    SANDBOX = "sandbox"  # Plaid's Sandbox
    PRODUCTION = "production"  # Plaid Production, production.plaid.com (needs PRODUCTION_FLAG)
    # Any other host (needs PRODUCTION_FLAG): a proxy or gateway that may forward to Plaid's
    # Sandbox or to Production; which one is unknown, so both token environments are accepted.
    UNVERIFIED = "unverified"


class TargetError(Exception):
    """The target cannot be used; the message is one line for the user (exit code 2)."""


@dataclass(frozen=True)
class Target:
    base_url: str
    kind: TargetKind

    @property
    def is_remote(self) -> bool:
        """Reached over a network we do not control: throttled by default."""
        return self.kind in (TargetKind.SANDBOX, TargetKind.PRODUCTION, TargetKind.UNVERIFIED)

    @property
    def token_environments(self) -> tuple[str, ...]:
        """The environments its link tokens may name (``link-<environment>-...``).

        Production: ``production``. An unverified host: ``sandbox`` or ``production`` (which
        one it reached is reported per run, see RunStats.link_token_environments). Everything
        else, offline and loopback included: ``sandbox``.
        """
        if self.kind is TargetKind.PRODUCTION:
            return ("production",)
        if self.kind is TargetKind.UNVERIFIED:
            return ("sandbox", "production")
        return ("sandbox",)

    @property
    def describe(self) -> str:
        return f"{self.base_url} ({self.kind.value})"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def classify(base_url: str, *, allow_production: bool) -> Target:
    """Validate ``--base-url`` and decide what it is; raises TargetError before any request."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise TargetError(f"--base-url must be an absolute http(s) URL, got {base_url!r}")
    if parts.username or parts.password:
        raise TargetError(
            "--base-url must not contain credentials; use PLAID_CLIENT_ID/PLAID_SECRET"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise TargetError("--base-url must be scheme://host[:port] only, without a path or query")
    normalized = base_url.rstrip("/")
    if _is_loopback(host):
        return Target(normalized, TargetKind.LOOPBACK)
    if host == SANDBOX_HOST:
        if parts.scheme != "https":
            raise TargetError(f"{SANDBOX_HOST} must be reached over https")
        return Target(normalized, TargetKind.SANDBOX)
    # Production, or a host we cannot vouch for (a proxy could forward to Production).
    is_production = host == PRODUCTION_HOST
    if not allow_production:
        what = (
            "Plaid Production"
            if is_production
            else f"{host}, which is not Plaid's Sandbox or loopback,"
        )
        raise TargetError(
            f"refusing to send contract traffic to {what}; "
            f"pass {PRODUCTION_FLAG} if that is really intended"
        )
    return Target(normalized, TargetKind.PRODUCTION if is_production else TargetKind.UNVERIFIED)


def remote_settings(environ: Mapping[str, str] | None = None) -> tuple[Credentials, str]:
    """Credentials and template for a --base-url run; all three variables are required."""
    env = os.environ if environ is None else environ
    missing = [name for name in REMOTE_REQUIRED_ENV if not env.get(name)]
    if missing:
        raise TargetError(
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set: "
            f"a --base-url run needs {', '.join(REMOTE_REQUIRED_ENV)}"
        )
    return Credentials(env[ENV_CLIENT_ID], env[ENV_SECRET]), env[ENV_TEMPLATE_ID]


def offline_settings(environ: Mapping[str, str] | None = None) -> tuple[Credentials, str]:
    """Credentials and template for the offline sandbox: the environment's, else the defaults."""
    env = os.environ if environ is None else environ
    client_id = env.get(ENV_CLIENT_ID) or ""
    secret = env.get(ENV_SECRET) or ""
    if bool(client_id) != bool(secret):
        missing = ENV_SECRET if client_id else ENV_CLIENT_ID
        raise TargetError(
            f"{missing} is not set: set both {ENV_CLIENT_ID} and {ENV_SECRET}, or neither"
        )
    if client_id:
        _require_plaid_format("client_id", client_id, ENV_CLIENT_ID)
        _require_plaid_format("secret", secret, ENV_SECRET)
    credentials = (
        Credentials(client_id, secret)
        if client_id
        else Credentials(OFFLINE_CLIENT_ID, OFFLINE_SECRET)
    )
    return credentials, env.get(ENV_TEMPLATE_ID) or OFFLINE_TEMPLATE_ID


def _require_plaid_format(
    name: sandbox_credentials.CredentialName, value: str, variable: str
) -> None:
    if not sandbox_credentials.is_well_formed(name, value):
        raise TargetError(
            f"{variable} must be {sandbox_credentials.FORMAT_DESCRIPTIONS[name]}, as Plaid's are: "
            "the offline sandbox, like Plaid, would answer every request with INVALID_FIELD"
        )
