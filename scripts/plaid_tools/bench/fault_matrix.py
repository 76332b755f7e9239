"""What our client does with each fault the offline sandbox can inject, persistently."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from plaid_session_client import PlaidSessionClient, RetryPolicy
from plaid_session_client.errors import PlaidClientError
from plaid_session_client.models import SessionTokenCreateRequest, SessionTokenCreateRequestUser

from plaid_tools.bench import servers
from plaid_tools.bench.figures import Figure, Goal, Spread
from plaid_tools.bench.sandbox_load import CLIENT_ID, SECRET, TEMPLATE_ID

# fault label → (sandbox fault script, expected final outcome, attempts expected)
MATRIX = {
    "429 rate limit": ("rate_limit", "RateLimitExceededError", 3),
    "500 internal error": ("internal_error", "ApiError", 3),
    "503 maintenance": ("maintenance", "ApiError", 3),
    "connection reset": ("drop", "APIConnectionError", 3),
    "timeout": ("slow:1", "APITimeoutError", 3),
    "HTML 502": ("html_502", "UnexpectedResponseError", 3),
    "520": ("status_520", "UnexpectedResponseError", 3),
    "fail twice, then succeed": (
        "internal_error,internal_error,ok",
        "SessionTokenCreateResponse",
        3,
    ),
    "new error_type": ("new_error_type", "UnknownPlaidError", 1),
}


def _always(outcome: bool) -> Callable[[float], bool]:
    """A target check that ignores the figure's number: the outcome was judged already."""
    return lambda _value: outcome


def measure(notes: list[str]) -> list[Figure]:
    figures = []
    with servers.offline_sandbox() as running:
        for label, (script, expected, expected_attempts) in MATRIX.items():
            attempts = 0

            def count(request: httpx.Request) -> None:
                nonlocal attempts
                attempts += 1

            http = httpx.Client(event_hooks={"request": [count]})
            client = PlaidSessionClient(
                client_id=CLIENT_ID,
                secret=SECRET,
                base_url=running.base_url,
                http_client=http,
                timeout=httpx.Timeout(0.3),
                retry_policy=RetryPolicy(sleep=lambda _: None),
            )
            body = SessionTokenCreateRequest(
                template_id=TEMPLATE_ID, user=SessionTokenCreateRequestUser(client_user_id="u")
            )
            headers = {"Plaid-Sandbox-Fault": script, "Plaid-Sandbox-Fault-Id": f"bench-{label}"}
            try:
                outcome: object = client.session_token_create(body=body, extra_headers=headers)
            except PlaidClientError as error:
                outcome = error
            except Exception as error:  # an untyped failure is exactly what this matrix exposes
                outcome = error
            name = type(outcome).__name__
            ok = name == expected and attempts == expected_attempts
            figures.append(
                Figure(
                    "Client fault matrix (offline sandbox, 2 retries, no sleeping)",
                    label,
                    Spread.of([float(attempts)]),
                    "attempts",
                    name,
                    "—",
                    Goal(f"{expected} after {expected_attempts}", _always(ok)),
                )
            )
            http.close()
    return figures
