"""Configuration of the offline sandbox: accepted credentials, templates, token lifetime, faults.

The sandbox is stateless apart from fault counters, so a frozen dataclass is the whole
configuration. ``SandboxConfig.from_env`` reads the documented environment variables; the CLI
serialises its final configuration into ``CONFIG_JSON_ENV`` so every uvicorn worker process
builds exactly the same configuration.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from . import credentials

# In Plaid's own formats (24 and 30 lowercase hex characters): Plaid answers a malformed
# client_id with INVALID_FIELD, so defaults in any other form could never authenticate.
DEFAULT_CLIENT_ID = "0ff1ce0ff1ce0ff1ce0ff1ce"
DEFAULT_SECRET = "5ec2e75ec2e75ec2e75ec2e75ec2e7"
DEFAULT_TEMPLATE_ID = "template_offline_default"
# The Dashboard allow-lists Plaid checks `redirect_uri` and `android_package_name` against
# (BEHAVIOUR.md, row "`redirect_uri`, `android_package_name`"): one entry each by default.
DEFAULT_REDIRECT_URI = "https://app.offline-sandbox.dev/plaid/oauth-return"
DEFAULT_ANDROID_PACKAGE_NAME = "dev.offline_sandbox.app"

# Plaid documents that Link tokens expire after 4 hours; one real Layer Sandbox log suggested
# 30 minutes (1800 s) for session tokens (see BEHAVIOUR.md, row "token lifetime"): a nightly run
# with --token-lifetime 30m tells which.
DEFAULT_TOKEN_LIFETIME_SECONDS = 4 * 60 * 60

# Explicit request body limit (BEHAVIOUR.md, row "body size limit").
DEFAULT_MAX_BODY_BYTES = 1024 * 1024

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8100
DEFAULT_LOG_LEVEL = "info"

# Documented environment variables.
ENV_CLIENT_ID = "PLAID_CLIENT_ID"
ENV_SECRET = "PLAID_SECRET"
ENV_TEMPLATE_ID = "PLAID_TEMPLATE_ID"
ENV_EXTRA_CREDENTIALS = "PLAID_SANDBOX_EXTRA_CREDENTIALS"  # "id:secret,id2:secret2"
ENV_EXTRA_TEMPLATE_IDS = "PLAID_SANDBOX_EXTRA_TEMPLATE_IDS"  # "tpl_a,tpl_b"
ENV_REDIRECT_URI = "PLAID_REDIRECT_URI"
ENV_EXTRA_REDIRECT_URIS = "PLAID_SANDBOX_EXTRA_REDIRECT_URIS"  # "https://a/x,https://b/y"
ENV_ANDROID_PACKAGE_NAME = "PLAID_ANDROID_PACKAGE_NAME"
ENV_EXTRA_ANDROID_PACKAGE_NAMES = "PLAID_SANDBOX_EXTRA_ANDROID_PACKAGE_NAMES"  # "com.a,com.b"
ENV_TOKEN_LIFETIME = "PLAID_SANDBOX_TOKEN_LIFETIME"  # seconds
ENV_FAULT = "PLAID_SANDBOX_FAULT"  # fault script applied to every request (per process)
ENV_LOG_LEVEL = "PLAID_SANDBOX_LOG_LEVEL"
ENV_ACCESS_LOG = "PLAID_SANDBOX_ACCESS_LOG"  # 1/true/yes/on: one INFO line per request
ENV_MAX_BODY_BYTES = "PLAID_SANDBOX_MAX_BODY_BYTES"
# Set by the pytest plugin: the token of the control API (control.py), for one worker only.
ENV_CONTROL_TOKEN = "PLAID_SANDBOX_CONTROL_TOKEN"
# Internal: the CLI hands its complete configuration to worker processes through this variable.
CONFIG_JSON_ENV = "PLAID_SANDBOX_CONFIG_JSON"

LOG_LEVELS = ("critical", "error", "warning", "info", "debug")

Credential = tuple[str, str]


def utc_now() -> datetime:
    """The real clock; tests inject a fixed one through ``SandboxConfig.now``."""
    return datetime.now(UTC)


class ConfigError(ValueError):
    """The configuration given through environment or CLI is unusable."""


@dataclass(frozen=True)
class SandboxConfig:
    """Everything that can differ between two sandbox instances."""

    credentials: frozenset[Credential] = frozenset({(DEFAULT_CLIENT_ID, DEFAULT_SECRET)})
    template_ids: frozenset[str] = frozenset({DEFAULT_TEMPLATE_ID})
    # The Dashboard's allowed redirect URIs and Android package names (exact matches).
    redirect_uris: frozenset[str] = frozenset({DEFAULT_REDIRECT_URI})
    android_package_names: frozenset[str] = frozenset({DEFAULT_ANDROID_PACKAGE_NAME})
    token_lifetime_seconds: int = DEFAULT_TOKEN_LIFETIME_SECONDS
    fault_script: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    log_level: str = DEFAULT_LOG_LEVEL
    # One line per request on logger plaid_offline_sandbox.access, at INFO whatever log_level
    # says. Off by default: it costs about a third of the sandbox's throughput.
    access_log: bool = False
    # The control API's token (control.py): a record of requests and forced answers per test.
    control_token: str | None = None
    now: Callable[[], datetime] = field(default=utc_now, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.credentials:
            raise ConfigError("at least one client_id/secret pair must be accepted")
        if not self.template_ids:
            raise ConfigError("at least one template id must be accepted")
        for client_id, secret in self.credentials:
            _require_well_formed("client_id", client_id)
            _require_well_formed("secret", secret)
        if any(not template_id for template_id in self.template_ids):
            raise ConfigError("template ids must be non-empty")
        if any(not value for value in self.redirect_uris | self.android_package_names):
            raise ConfigError("allowed redirect URIs and Android package names must be non-empty")
        if self.token_lifetime_seconds <= 0:
            raise ConfigError("token lifetime must be a positive number of seconds")
        if self.max_body_bytes <= 0:
            raise ConfigError("max body size must be positive")
        if self.log_level not in LOG_LEVELS:
            raise ConfigError(f"log level must be one of {', '.join(LOG_LEVELS)}")

    def __repr__(self) -> str:
        # Never let a secret reach a log line or a traceback through repr().
        return (
            f"SandboxConfig(credentials=<{len(self.credentials)} pair(s)>, "
            f"template_ids={sorted(self.template_ids)!r}, "
            f"redirect_uris={sorted(self.redirect_uris)!r}, "
            f"android_package_names={sorted(self.android_package_names)!r}, "
            f"token_lifetime_seconds={self.token_lifetime_seconds}, "
            f"fault_script={self.fault_script!r}, max_body_bytes={self.max_body_bytes}, "
            f"log_level={self.log_level!r}, access_log={self.access_log}, "
            f"control={self.control_token is not None})"
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SandboxConfig:
        """Build the configuration from environment variables (``os.environ`` by default).

        ``PLAID_CLIENT_ID`` + ``PLAID_SECRET`` replace the default pair, ``PLAID_TEMPLATE_ID``
        replaces the default template, ``PLAID_REDIRECT_URI`` and ``PLAID_ANDROID_PACKAGE_NAME``
        the default allow-list entries; extra pairs, templates and entries are added on top.
        """
        env = os.environ if environ is None else environ
        packed = env.get(CONFIG_JSON_ENV)
        if packed:
            return cls.from_json(packed)

        client_id = env.get(ENV_CLIENT_ID) or None
        secret = env.get(ENV_SECRET) or None
        if (client_id is None) != (secret is None):
            raise ConfigError(f"set both {ENV_CLIENT_ID} and {ENV_SECRET}, or neither")
        base_pair = (client_id, secret) if client_id and secret else None
        credentials = {base_pair or (DEFAULT_CLIENT_ID, DEFAULT_SECRET)}
        credentials.update(parse_credentials(split_list(env.get(ENV_EXTRA_CREDENTIALS, ""))))

        template_ids = _listed(env, ENV_TEMPLATE_ID, DEFAULT_TEMPLATE_ID, ENV_EXTRA_TEMPLATE_IDS)
        redirect_uris = _listed(
            env, ENV_REDIRECT_URI, DEFAULT_REDIRECT_URI, ENV_EXTRA_REDIRECT_URIS
        )
        android_package_names = _listed(
            env,
            ENV_ANDROID_PACKAGE_NAME,
            DEFAULT_ANDROID_PACKAGE_NAME,
            ENV_EXTRA_ANDROID_PACKAGE_NAMES,
        )

        return cls(
            credentials=frozenset(credentials),
            template_ids=template_ids,
            redirect_uris=redirect_uris,
            android_package_names=android_package_names,
            token_lifetime_seconds=_int_env(
                env, ENV_TOKEN_LIFETIME, DEFAULT_TOKEN_LIFETIME_SECONDS
            ),
            fault_script=env.get(ENV_FAULT) or None,
            max_body_bytes=_int_env(env, ENV_MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES),
            log_level=(env.get(ENV_LOG_LEVEL) or DEFAULT_LOG_LEVEL).lower(),
            access_log=_bool_env(env, ENV_ACCESS_LOG),
            control_token=env.get(ENV_CONTROL_TOKEN) or None,
        )

    def to_json(self) -> str:
        """Serialise for worker processes (the clock is not serialisable and stays real)."""
        return json.dumps(
            {
                "credentials": sorted([list(pair) for pair in self.credentials]),
                "template_ids": sorted(self.template_ids),
                "redirect_uris": sorted(self.redirect_uris),
                "android_package_names": sorted(self.android_package_names),
                "token_lifetime_seconds": self.token_lifetime_seconds,
                "fault_script": self.fault_script,
                "max_body_bytes": self.max_body_bytes,
                "log_level": self.log_level,
                "access_log": self.access_log,
                "control_token": self.control_token,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> SandboxConfig:
        try:
            data = json.loads(text)
            return cls(
                credentials=frozenset((str(a), str(b)) for a, b in data["credentials"]),
                template_ids=frozenset(str(t) for t in data["template_ids"]),
                redirect_uris=frozenset(str(u) for u in data["redirect_uris"]),
                android_package_names=frozenset(str(n) for n in data["android_package_names"]),
                token_lifetime_seconds=int(data["token_lifetime_seconds"]),
                fault_script=data["fault_script"],
                max_body_bytes=int(data["max_body_bytes"]),
                log_level=str(data["log_level"]),
                access_log=bool(data["access_log"]),
                control_token=data.get("control_token"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, ConfigError):
                raise
            raise ConfigError(f"{CONFIG_JSON_ENV} is not a valid sandbox configuration") from exc


def _require_well_formed(name: credentials.CredentialName, value: str) -> None:
    if not credentials.is_well_formed(name, value):
        # Never echo the value: it may be a secret.
        raise ConfigError(
            f"every accepted {name} must be {credentials.FORMAT_DESCRIPTIONS[name]}, as Plaid's "
            "are (a request with any other would get INVALID_FIELD)"
        )


def _listed(env: Mapping[str, str], name: str, default: str, extra: str) -> frozenset[str]:
    """A list the Dashboard holds (templates, an allow-list): ``name`` or the default, then the
    comma-separated ``extra`` values."""
    return frozenset({env.get(name) or default, *split_list(env.get(extra, ""))})


def split_list(text: str) -> list[str]:
    """Comma-separated values, blanks ignored."""
    return [item.strip() for item in text.split(",") if item.strip()]


def parse_credentials(items: Iterable[str]) -> set[Credential]:
    """``client_id:secret`` items (split at the first colon; client ids contain no colon)."""
    pairs: set[Credential] = set()
    for item in items:
        client_id, sep, secret = item.partition(":")
        if not sep or not client_id or not secret:
            # Do not echo the item: it contains a secret.
            raise ConfigError("credentials must be given as CLIENT_ID:SECRET")
        pairs.add((client_id, secret))
    return pairs


def _int_env(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer") from None


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


def _bool_env(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigError(f"{name} must be one of 1, true, yes, on, 0, false, no, off")
