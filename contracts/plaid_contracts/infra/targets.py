"""Which server a run talks to, and whether it may talk to it at all.

Decided before any request is sent: a target that is neither Plaid's Sandbox nor this machine is
refused unless the caller passes PRODUCTION_FLAG, because every fuzzed request to Plaid
Production would run against a live account.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import StrEnum
from typing import Final
from urllib.parse import urlsplit

SANDBOX_HOST: Final = "sandbox.plaid.com"
PRODUCTION_HOST: Final = "production.plaid.com"
PRODUCTION_FLAG: Final = "--i-understand-this-sends-requests-to-plaid-production"


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
        """The environments its tokens may name (``link-<environment>-...``).

        Production: ``production``. An unverified host: ``sandbox`` or ``production`` (which
        one it reached is in the summary, counted by the operation's success check). Everything
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
