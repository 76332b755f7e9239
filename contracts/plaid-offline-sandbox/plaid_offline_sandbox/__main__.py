"""Command line: ``python -m plaid_offline_sandbox [--host H] [--port P] [--workers N] ...``.

The final configuration (environment + flags) is serialised into one environment variable before
uvicorn starts, and every worker process builds its app from it, so all workers agree. Before
that, at log level info or debug, a banner on stderr says where the sandbox listens, what it
accepts and how to try it.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from . import banner, lifeline
from .config import (
    CONFIG_JSON_ENV,
    DEFAULT_CLIENT_ID,
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_SECRET,
    ENV_ACCESS_LOG,
    ENV_CLIENT_ID,
    ENV_EXTRA_CREDENTIALS,
    ENV_FAULT,
    ENV_LOG_LEVEL,
    ENV_SECRET,
    ENV_TOKEN_LIFETIME,
    LOG_LEVELS,
    ConfigError,
    Credential,
    SandboxConfig,
    parse_credentials,
    split_list,
)
from .endpoint import discover
from .faults import FaultScriptError, parse_script

APP_FACTORY = "plaid_offline_sandbox.app:create_server_app"
# The same with the control API (control.py), for the pytest plugin's servers.
CONTROLLED_APP_FACTORY = "plaid_offline_sandbox.control:create_server_app"
# httptools with a bound on the request head (http_protocol.py).
HTTP_PROTOCOL = "plaid_offline_sandbox.http_protocol:HeadLimitedHttpToolsProtocol"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="plaid-offline-sandbox",
        description="Offline Plaid Sandbox for POST /session/token/create.",
        epilog=(
            "Credentials: PLAID_CLIENT_ID + PLAID_SECRET replace the default pair "
            f"({DEFAULT_CLIENT_ID} / {DEFAULT_SECRET}), in Plaid's formats (24 / 30 lowercase "
            "hex characters); PLAID_TEMPLATE_ID replaces the default "
            "template (template_offline_default). Prefer environment variables for secrets: "
            "command lines are visible to other users."
        ),
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="bind address (default %(default)s)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="default %(default)s")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--token-lifetime",
        type=int,
        metavar="SECONDS",
        help=f"link token lifetime (env {ENV_TOKEN_LIFETIME}; default 14400 = 4 hours, "
        "Plaid's documented Link token lifetime; 1800 matches one observed Layer session)",
    )
    parser.add_argument(
        "--fault",
        metavar="SCRIPT",
        help=f"server-wide fault script, e.g. 'internal_error,ok' (env {ENV_FAULT}); "
        "its step counter is per worker process",
    )
    parser.add_argument(
        "--log-level", choices=LOG_LEVELS, help=f"env {ENV_LOG_LEVEL}; default info"
    )
    parser.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"one INFO line per request: method, path, status, error_code, request_id; never "
        f"credentials or bodies (env {ENV_ACCESS_LOG}=1; default off: it costs about a third "
        "of the throughput)",
    )
    parser.add_argument(
        "--credential",
        action="append",
        default=[],
        metavar="CLIENT_ID:SECRET",
        help="accept this extra credential pair (repeatable)",
    )
    parser.add_argument(
        "--template-id",
        action="append",
        default=[],
        metavar="ID",
        help="accept this extra template id (repeatable)",
    )
    parser.add_argument(
        "--redirect-uri",
        action="append",
        default=[],
        metavar="URI",
        help="allow this extra redirect URI, as the Dashboard's allow-list would (repeatable)",
    )
    parser.add_argument(
        "--android-package-name",
        action="append",
        default=[],
        metavar="NAME",
        help="allow this extra Android package name (repeatable)",
    )
    parser.add_argument("--max-body-bytes", type=int, metavar="BYTES", help="default 1048576")
    return parser


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    # The packed variable is internal to one run; never inherit a stale one.
    environ = {key: value for key, value in os.environ.items() if key != CONFIG_JSON_ENV}
    config = SandboxConfig.from_env(environ)
    changes: dict[str, object] = {}
    if args.credential:
        changes["credentials"] = config.credentials | parse_credentials(args.credential)
    if args.template_id:
        changes["template_ids"] = config.template_ids | frozenset(args.template_id)
    if args.redirect_uri:
        changes["redirect_uris"] = config.redirect_uris | frozenset(args.redirect_uri)
    if args.android_package_name:
        changes["android_package_names"] = config.android_package_names | frozenset(
            args.android_package_name
        )
    if args.token_lifetime is not None:
        changes["token_lifetime_seconds"] = args.token_lifetime
    if args.fault is not None:
        changes["fault_script"] = args.fault or None
    if args.log_level is not None:
        changes["log_level"] = args.log_level
    if args.access_log is not None:
        changes["access_log"] = args.access_log
    if args.max_body_bytes is not None:
        changes["max_body_bytes"] = args.max_body_bytes
    config = replace(config, **changes)  # type: ignore[arg-type]
    if config.fault_script:
        parse_script(config.fault_script)
    return config


def credential_sources(args: argparse.Namespace) -> dict[Credential, str]:
    """Where each configured pair came from, for the banner (which never prints their secrets)."""
    env = os.environ
    sources = dict.fromkeys(
        parse_credentials(split_list(env.get(ENV_EXTRA_CREDENTIALS, ""))), ENV_EXTRA_CREDENTIALS
    )
    if env.get(ENV_CLIENT_ID) and env.get(ENV_SECRET):
        sources[(env[ENV_CLIENT_ID], env[ENV_SECRET])] = ENV_SECRET
    sources.update(dict.fromkeys(parse_credentials(args.credential), "--credential"))
    return sources


def main(argv: Sequence[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    try:
        config = config_from_args(args)
    except (ConfigError, FaultScriptError) as exc:
        parser.error(str(exc))
    if config.control_token and args.workers > 1:
        parser.error("the control API keeps its state in one process: use --workers 1")

    import uvicorn  # imported late so `--help` stays fast

    lifeline.watch_parent()  # started by serve(): stop when the caller dies
    if config.log_level in ("info", "debug"):  # the banner is news, not a warning
        text = banner.render(
            config, discover(), args.host, args.port, args.workers, credential_sources(args)
        )
        sys.stderr.write(text)
        sys.stderr.flush()
    os.environ[CONFIG_JSON_ENV] = config.to_json()
    os.environ[lifeline.PARENT_PID_ENV] = str(os.getpid())  # workers stop when this one dies
    uvicorn.run(
        CONTROLLED_APP_FACTORY if config.control_token else APP_FACTORY,
        factory=True,
        **uvicorn_options(args.host, args.port, args.workers, config.log_level),
    )


def uvicorn_options(host: str, port: int, workers: int, log_level: str) -> dict[str, Any]:
    """How the sandbox runs uvicorn (the bench runs its bare baseline app the same way)."""
    uvloop_available = importlib.util.find_spec("uvloop") is not None
    return {
        "host": host,
        "port": port,
        "workers": workers,
        "loop": "uvloop" if uvloop_available else "asyncio",
        "http": HTTP_PROTOCOL,
        # No websockets: with a websocket library installed, uvicorn would answer an upgrade
        # request the app declines with a 500.
        "ws": "none",
        # The app never reads the client's address: parsing X-Forwarded-* headers (which uvicorn
        # trusts from loopback by default) would be cost and surface for nothing.
        "proxy_headers": False,
        "lifespan": "on",
        "access_log": False,  # the app logs its own line per request, without credentials
        "log_level": log_level,
        "server_header": False,  # Plaid does not announce uvicorn
    }


if __name__ == "__main__":
    main(sys.argv[1:])
