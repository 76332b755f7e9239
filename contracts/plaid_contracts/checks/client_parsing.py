"""What the generated client makes of a response, for any operation: its success model, the
typed error of the body's error_type, or UnexpectedResponseError, never an exception.

The generated package's shared API (the client class, the error classes) is used here; what is
one operation's (its parse function and success model) comes from that operation's module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import httpx
from plaid_session_client import (
    APIStatusError,
    PlaidSessionClient,
    UnexpectedResponseError,
    UnknownPlaidError,
)
from plaid_session_client.errors import ERROR_CLASSES

from plaid_contracts.infra.credentials import Credentials
from plaid_contracts.operations import Operation


@dataclass(frozen=True)
class ParseOutcome:
    """``kind``: "success"; "plaid_error" (a typed error read from a Plaid error object);
    "unexpected" (UnexpectedResponseError: the body is not a Plaid error); "crash" (the client
    raised, which its public parse function promises never to do)."""

    kind: str
    result: object
    error_type: str | None = None
    error_code: str | None = None
    detail: str = ""


def parse(operation: Operation, response: httpx.Response) -> ParseOutcome:
    """Parse with the client's public parse function for the operation; never raises."""
    try:
        result = operation.parse(response)
    except Exception as exc:
        return ParseOutcome("crash", exc, detail=f"{type(exc).__name__}: {exc}")
    return classify(operation, result)


def classify(operation: Operation, result: object) -> ParseOutcome:
    if isinstance(result, operation.success_model):
        return ParseOutcome("success", result)
    if isinstance(result, UnexpectedResponseError):
        return ParseOutcome("unexpected", result, detail=str(result))
    if isinstance(result, APIStatusError):
        return ParseOutcome(
            "plaid_error", result, result.error_type, result.error_code, str(result)
        )
    return ParseOutcome("crash", result, detail=f"unexpected result type {type(result).__name__}")


def expected_error_class(error_type: str) -> type[APIStatusError]:
    """The typed error the client promises for an error_type (UnknownPlaidError for new ones)."""
    return ERROR_CLASSES.get(error_type, UnknownPlaidError)


_TRANSFER_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def as_httpx_response(
    status: int, headers: Sequence[tuple[str, str]], content: bytes, method: str, url: str
) -> httpx.Response:
    """Rebuild a response schemathesis received, as the client would have received it."""
    # The body is already decoded: drop the headers that would make httpx decode it again.
    kept = [(k, v) for k, v in headers if k.lower() not in _TRANSFER_HEADERS]
    return httpx.Response(
        status_code=status,
        headers=kept,
        content=content,
        request=httpx.Request(method, url),
    )


def make_client(
    base_url: str, credentials: Credentials, transport: httpx.BaseTransport, timeout: float
) -> PlaidSessionClient:
    """The client as an application would build it, with its own retries off (the contract is
    about single answers, and our transport already paces and backs off 429s) and the run's
    request timeout."""
    return PlaidSessionClient(
        client_id=credentials.client_id,
        secret=credentials.secret,
        base_url=base_url,
        max_retries=0,
        transport=transport,
        timeout=timeout,
    )
