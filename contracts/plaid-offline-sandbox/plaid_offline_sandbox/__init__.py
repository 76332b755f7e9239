"""Offline Plaid Sandbox (behaviour table: BEHAVIOUR.md; one module per endpoint in endpoints/).

The names below load on first use: pytest imports this package for its plugin in every run of a
project that installed it, and a run that never asks for the sandbox should not pay for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .app import SandboxApp, create_app
    from .config import (
        DEFAULT_CLIENT_ID,
        DEFAULT_SECRET,
        DEFAULT_TEMPLATE_ID,
        DEFAULT_TOKEN_LIFETIME_SECONDS,
        SandboxConfig,
    )

_WHERE = {
    "DEFAULT_CLIENT_ID": "config",
    "DEFAULT_SECRET": "config",
    "DEFAULT_TEMPLATE_ID": "config",
    "DEFAULT_TOKEN_LIFETIME_SECONDS": "config",
    "SandboxApp": "app",
    "SandboxConfig": "config",
    "create_app": "app",
}
__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_SECRET",
    "DEFAULT_TEMPLATE_ID",
    "DEFAULT_TOKEN_LIFETIME_SECONDS",
    "SandboxApp",
    "SandboxConfig",
    "create_app",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
