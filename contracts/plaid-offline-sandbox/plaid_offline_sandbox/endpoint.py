"""What an endpoint module declares, and the routing table built from the ``endpoints`` package.

Every module in ``plaid_offline_sandbox/endpoints/`` defines ``ENDPOINT = Endpoint(...)``: its
path, its field rules and its success answer. The app finds them by listing the package, so a new
endpoint is one new module there (and its tests); nothing else names it. Routing is an exact match
on the path (assumption A21): anything else is Plaid's NOT_FOUND.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from .config import SandboxConfig
from .fields import BodyRules
from .responses import Response

ENDPOINTS_PACKAGE = "plaid_offline_sandbox.endpoints"

# Answers one valid request: (the parsed body, the request id) -> the 200 response.
Responder = Callable[[dict[str, object], str], Response]


@dataclass(frozen=True)
class Endpoint:
    """One operation the sandbox serves (always POST, as every Plaid endpoint)."""

    path: str
    rules: BodyRules
    # Called once per app with its configuration (a token lifetime, a clock): the answer function.
    success: Callable[[SandboxConfig], Responder]
    # A valid request body for this configuration: the start-up banner's curl sends it.
    example: Callable[[SandboxConfig], Mapping[str, object]]


def discover(package: str = ENDPOINTS_PACKAGE) -> tuple[Endpoint, ...]:
    """Every ``ENDPOINT`` in the package's modules, in module-name order."""
    root = importlib.import_module(package)
    found: list[Endpoint] = []
    for info in sorted(pkgutil.iter_modules(root.__path__), key=lambda module: module.name):
        module = importlib.import_module(f"{package}.{info.name}")
        endpoint = getattr(module, "ENDPOINT", None)
        if not isinstance(endpoint, Endpoint):
            raise TypeError(f"{module.__name__} defines no ENDPOINT = Endpoint(...)")
        found.append(endpoint)
    return tuple(found)


def routing_table(endpoints: Iterable[Endpoint]) -> dict[str, Endpoint]:
    table: dict[str, Endpoint] = {}
    for endpoint in endpoints:
        if endpoint.path in table:
            raise ValueError(f"two endpoint modules serve {endpoint.path}")
        table[endpoint.path] = endpoint
    return table
