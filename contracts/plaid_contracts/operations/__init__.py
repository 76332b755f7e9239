"""One module per Plaid endpoint: everything the suite knows about that endpoint, and nothing
else does.

An operation registers by existing: every module of this package whose name does not start with
``_`` defines ``OPERATION`` (an ``Operation``), found by ``registered()``. The conftest, the
checks, ``try``, ``parity`` and the reports look the operation up by the case, request or label
at hand, so adding an endpoint is its spec section, its module here and its tests.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from schemathesis import Case

from plaid_contracts.operations._operation import Fixture, Operation, Success

__all__ = [
    "Fixture",
    "Operation",
    "Success",
    "fixtures",
    "for_case",
    "for_label",
    "for_route",
    "registered",
]

_registered: tuple[Operation, ...] | None = None


def registered() -> tuple[Operation, ...]:
    """Every operation, in the order of their module names (imported on first use)."""
    global _registered
    if _registered is None:
        found = []
        for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
            if module_info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{__name__}.{module_info.name}")
            operation = getattr(module, "OPERATION", None)
            if not isinstance(operation, Operation):
                raise TypeError(f"{module.__name__} must define OPERATION, an Operation")
            found.append(operation)
        _registered = tuple(found)
    return _registered


def for_route(method: str, path: str) -> Operation | None:
    """The operation served at ``path`` by ``method``; None for any other route."""
    for operation in registered():
        if operation.path == path and operation.method == method.upper():
            return operation
    return None


def for_label(label: str) -> Operation:
    """By ``"POST /session/token/create"``, as schemathesis and the reports call it."""
    for operation in registered():
        if operation.label == label:
            return operation
    raise KeyError(f"no contract module for {label} in plaid_contracts/operations/")


def for_case(case: Case[Any]) -> Operation:
    """The operation a schemathesis case was generated for (undeclared-method probes included)."""
    return for_label(f"{case.operation.method.upper()} {case.operation.path}")


def fixtures() -> tuple[Fixture, ...]:
    """Every operation's fixtures, each environment variable once."""
    return tuple({f.env: f for op in registered() for f in op.fixtures}.values())
