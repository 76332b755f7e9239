"""Offline Plaid Sandbox for POST /session/token/create (behaviour table: BEHAVIOUR.md)."""

from .app import SandboxApp, create_app
from .config import (
    DEFAULT_CLIENT_ID,
    DEFAULT_SECRET,
    DEFAULT_TEMPLATE_ID,
    DEFAULT_TOKEN_LIFETIME_SECONDS,
    SandboxConfig,
)

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_SECRET",
    "DEFAULT_TEMPLATE_ID",
    "DEFAULT_TOKEN_LIFETIME_SECONDS",
    "SandboxApp",
    "SandboxConfig",
    "create_app",
]
