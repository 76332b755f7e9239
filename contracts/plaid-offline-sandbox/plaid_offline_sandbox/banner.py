"""The start-up banner: where the sandbox listens, what it accepts, and a curl to try it.

The default credentials are public and printed in full. Any other secret is the user's and never
printed: the banner names where it came from (``secret: from PLAID_SECRET``) and the curl reads it
from the environment when it can.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence

from . import credentials
from .config import DEFAULT_CLIENT_ID, DEFAULT_SECRET, ENV_SECRET, Credential, SandboxConfig
from .endpoint import Endpoint
from .faults import HEADER as FAULT_HEADER

PUBLIC_PAIR = (DEFAULT_CLIENT_ID, DEFAULT_SECRET)
_INDENT = "               "


def base_url(host: str, port: int) -> str:
    """The URL a client on this machine uses (a wildcard bind is reached on loopback)."""
    reachable = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    if ":" in reachable:
        reachable = f"[{reachable}]"
    return f"http://{reachable}:{port}"


def _pairs(config: SandboxConfig) -> list[Credential]:
    # The public pair first, then the others by client id.
    return sorted(config.credentials, key=lambda pair: (pair != PUBLIC_PAIR, pair))


def _describe(pair: Credential, sources: Mapping[Credential, str]) -> str:
    client_id, secret = pair
    if pair == PUBLIC_PAIR:
        return f"client_id {client_id}  secret {secret}  (the public defaults)"
    return f"client_id {client_id}  secret: from {sources.get(pair, 'the configuration')}"


def _curl(
    url: str, endpoint: Endpoint, config: SandboxConfig, pair: Credential, source: str
) -> str:
    client_id, secret = pair
    names = credentials.HEADERS
    client_header = shlex.quote(f"{names['client_id']}: {client_id}")
    if pair == PUBLIC_PAIR:
        secret_header = shlex.quote(f"{names['secret']}: {secret}")
    elif source == ENV_SECRET:
        secret_header = f'"{names["secret"]}: ${ENV_SECRET}"'  # the shell fills it in
    else:
        secret_header = shlex.quote(f"{names['secret']}: <your secret>")
    body = json.dumps(endpoint.example(config), separators=(",", ":"))
    return (
        f"    curl -sS -X POST {shlex.quote(url + endpoint.path)} \\\n"
        f"      -H 'Content-Type: application/json' \\\n"
        f"      -H {client_header} -H {secret_header} \\\n"
        f"      -d {shlex.quote(body)}"
    )


def render(
    config: SandboxConfig,
    endpoints: Sequence[Endpoint],
    host: str,
    port: int,
    workers: int,
    sources: Mapping[Credential, str],
) -> str:
    """The banner; ``sources`` says where each non-default pair came from (an env var, a flag)."""
    url = base_url(host, port)
    pairs = _pairs(config)
    lines = [
        f"Offline Plaid Sandbox on {url} (bound to {host}:{port}, "
        f"{workers} worker{'s' if workers != 1 else ''})",
        "  serves:      " + f"\n{_INDENT}".join(f"POST {e.path}" for e in endpoints),
        "  credentials: " + f"\n{_INDENT}".join(_describe(pair, sources) for pair in pairs),
        "  templates:   " + ", ".join(sorted(config.template_ids)),
        "  allowed:     redirect URIs "
        + ", ".join(sorted(config.redirect_uris))
        + "; Android package names "
        + ", ".join(sorted(config.android_package_names)),
        f"  token lifetime {config.token_lifetime_seconds} s; server-wide faults: "
        f"{config.fault_script or 'none'} (per request: header {FAULT_HEADER})",
    ]
    if endpoints:
        lines.append("  try it:")
        # A pair the curl can send as printed: the public one, else the one in PLAID_SECRET.
        pair = min(pairs, key=lambda p: (p != PUBLIC_PAIR, sources.get(p) != ENV_SECRET))
        lines.extend(
            _curl(url, endpoint, config, pair, sources.get(pair, "")) for endpoint in endpoints
        )
    return "\n".join(lines) + "\n"
