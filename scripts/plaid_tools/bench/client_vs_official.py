"""Per-call latency of our client and of Plaid's official plaid-python, over loopback.

Both call the same offline sandbox process with the same valid request, alternating rounds.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import plaid
from plaid.api import plaid_api
from plaid.model.session_token_create_request import (
    SessionTokenCreateRequest as TheirRequest,
)
from plaid.model.session_token_create_request_user import (
    SessionTokenCreateRequestUser as TheirUser,
)
from plaid_session_client import PlaidSessionClient
from plaid_session_client.models import SessionTokenCreateRequest, SessionTokenCreateRequestUser

from plaid_tools.bench import servers
from plaid_tools.bench.figures import Figure, Spread, ratio_rounds
from plaid_tools.bench.sandbox_load import CLIENT_ID, SECRET, TEMPLATE_ID

ROUNDS = 5
CALLS = 150


def _ms_per_call(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    for _ in range(CALLS):
        call()
    return (time.perf_counter() - started) / CALLS * 1000


def measure(notes: list[str]) -> list[Figure]:
    with servers.offline_sandbox() as running:
        ours_client = PlaidSessionClient(
            client_id=CLIENT_ID, secret=SECRET, base_url=running.base_url
        )
        ours_body = SessionTokenCreateRequest(
            template_id=TEMPLATE_ID, user=SessionTokenCreateRequestUser(client_user_id="bench")
        )
        configuration = plaid.Configuration(
            host=running.base_url,
            api_key={"clientId": CLIENT_ID, "secret": SECRET, "plaidVersion": "2020-09-14"},
        )
        theirs_api = plaid_api.PlaidApi(plaid.ApiClient(configuration))
        theirs_body = TheirRequest(template_id=TEMPLATE_ID, user=TheirUser(client_user_id="bench"))

        def ours_call() -> object:
            return ours_client.session_token_create(body=ours_body)

        def theirs_call() -> object:
            return theirs_api.session_token_create(theirs_body)

        for _ in range(20):
            ours_call(), theirs_call()
        ours, theirs = [], []
        for _ in range(ROUNDS):
            ours.append(_ms_per_call(ours_call))
            theirs.append(_ms_per_call(theirs_call))
    return [
        Figure(
            "Client vs plaid-python (loopback, offline sandbox)",
            "per-call latency",
            ratio_rounds(ours, theirs),
            "× plaid-python",
            f"{Spread.of(ours).format()} ms/call",
            f"plaid-python {Spread.of(theirs).format()} ms/call",
            None,
            "lower is better; ours retries and raises typed errors, plaid-python does neither",
        ),
    ]
