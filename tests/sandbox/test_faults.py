"""Fault injection: scripted sequences, every step kind, header and server-wide scripts."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest
from plaid_offline_sandbox import catalogue
from plaid_offline_sandbox.app import DropConnection, create_app
from plaid_offline_sandbox.config import SandboxConfig
from plaid_offline_sandbox.faults import (
    MAX_TRACKED_IDS,
    FaultInjector,
    FaultScriptError,
    FaultStep,
    parse_script,
)

from tests.sandbox.sandbox_support import (
    AUTH_HEADERS,
    VALID_BODY,
    AsgiClient,
    Client,
    HttpClient,
    assert_plaid_error,
    post,
)


def fault(script: str, fault_id: str | None = None) -> dict[str, str]:
    headers = {"Plaid-Sandbox-Fault": script}
    if fault_id is not None:
        headers["Plaid-Sandbox-Fault-Id"] = fault_id
    return headers


def test_fail_twice_then_succeed(client: Client) -> None:
    fault_id = str(uuid.uuid4())
    headers = fault("internal_error,rate_limit:1,ok", fault_id)
    first = post(client, VALID_BODY, headers=headers)
    assert_plaid_error(
        first, 500, "API_ERROR", "INTERNAL_SERVER_ERROR", "an unexpected error occurred"
    )
    second = post(client, VALID_BODY, headers=headers)
    assert_plaid_error(second, 429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT")
    assert second.headers["retry-after"] == "1"
    for _ in range(3):  # the last step repeats
        assert post(client, VALID_BODY, headers=headers).status_code == 200


def test_ids_count_independently(client: Client) -> None:
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    script = "maintenance,ok"
    assert post(client, VALID_BODY, headers=fault(script, a)).status_code == 503
    assert post(client, VALID_BODY, headers=fault(script, b)).status_code == 503
    assert post(client, VALID_BODY, headers=fault(script, a)).status_code == 200
    assert post(client, VALID_BODY, headers=fault(script, b)).status_code == 200


def test_without_id_every_request_gets_first_step(client: Client) -> None:
    for _ in range(3):
        response = post(client, VALID_BODY, headers=fault("maintenance,ok"))
        assert_plaid_error(
            response, 503, "API_ERROR", "PLANNED_MAINTENANCE", catalogue.PLANNED_MAINTENANCE.message
        )


def test_fault_applies_before_validation(client: Client) -> None:
    response = post(client, raw=b"not json", content_type=None, headers=fault("internal_error"))
    assert_plaid_error(response, 500, "API_ERROR", "INTERNAL_SERVER_ERROR")


def test_rate_limit_with_and_without_retry_after(client: Client) -> None:
    response = post(client, VALID_BODY, headers=fault("rate_limit:7"))
    assert_plaid_error(response, 429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT")
    assert response.json()["documentation_url"].endswith("#rate-limit-exceeded-errors")
    assert response.headers["retry-after"] == "7"
    response = post(client, VALID_BODY, headers=fault("rate_limit"))
    assert response.status_code == 429
    assert "retry-after" not in response.headers


def test_new_error_type(client: Client) -> None:
    response = post(client, VALID_BODY, headers=fault("new_error_type"))
    assert_plaid_error(response, 400, "NEW_FUTURE_ERROR_TYPE", "NEW_FUTURE_ERROR_CODE")


def test_html_502(client: Client) -> None:
    response = post(client, VALID_BODY, headers=fault("html_502"))
    assert response.status_code == 502
    assert response.headers["content-type"] == "text/html"
    assert response.text.startswith("<html>")
    assert "502 Bad Gateway" in response.text


def test_status_520(client: Client) -> None:
    response = post(client, VALID_BODY, headers=fault("status_520"))
    assert response.status_code == 520
    assert response.text == "error code: 520"


def test_slow(client: Client) -> None:
    started = time.perf_counter()
    response = post(client, VALID_BODY, headers=fault("slow:0.2"))
    assert time.perf_counter() - started >= 0.2
    assert response.status_code == 200


def test_slow_then_validation_still_applies(client: Client) -> None:
    response = post(client, {}, headers=fault("slow:0"))
    assert_plaid_error(response, 400, "INVALID_REQUEST", "MISSING_FIELDS")


@pytest.mark.parametrize(
    "script",
    ["explode", "slow", "slow:abc", "slow:1e9", "slow:nan", "rate_limit:x", "ok:1", "", "ok,,ok"],
)
def test_invalid_script_is_a_plaid_error(client: Client, script: str) -> None:
    response = post(client, VALID_BODY, headers=fault(script))
    data = assert_plaid_error(response, 400, "INVALID_REQUEST", "INVALID_HEADERS")
    assert data["error_message"].startswith("the Plaid-Sandbox-Fault header is invalid: ")


def test_overlong_fault_id_is_rejected(client: Client) -> None:
    response = post(client, VALID_BODY, headers=fault("ok", "x" * 300))
    assert_plaid_error(response, 400, "INVALID_REQUEST", "INVALID_HEADERS")


def test_drop_over_http(http_client: HttpClient) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        post(http_client, VALID_BODY, headers=fault("drop"))
    # The server keeps serving afterwards.
    assert post(http_client, VALID_BODY).status_code == 200


def test_drop_then_succeed_over_http(http_client: HttpClient) -> None:
    headers = fault("drop,ok", str(uuid.uuid4()))
    with pytest.raises(httpx.TransportError):
        post(http_client, VALID_BODY, headers=headers)
    assert post(http_client, VALID_BODY, headers=headers).status_code == 200


def test_drop_in_process_raises(asgi_client: AsgiClient) -> None:
    # In process there is no connection to abort: the transport re-raises the app's exception.
    with pytest.raises(DropConnection):
        post(asgi_client, VALID_BODY, headers=fault("drop"))
    assert post(asgi_client, VALID_BODY).status_code == 200


def test_server_wide_script_uses_a_global_counter() -> None:
    client = AsgiClient(create_app(SandboxConfig(fault_script="maintenance,internal_error,ok")))
    try:
        statuses = [post(client, VALID_BODY).status_code for _ in range(4)]
        assert statuses == [503, 500, 200, 200]
        # A header script takes precedence over the server-wide one.
        assert post(client, VALID_BODY, headers=fault("rate_limit")).status_code == 429
    finally:
        client.close()


def test_parse_script() -> None:
    assert parse_script(" internal_error , rate_limit:3,slow:0.5,ok") == (
        FaultStep("internal_error"),
        FaultStep("rate_limit", 3.0),
        FaultStep("slow", 0.5),
        FaultStep("ok"),
    )
    with pytest.raises(FaultScriptError):
        parse_script(",".join(["ok"] * 101))


def test_fault_counter_state_is_bounded() -> None:
    injector = FaultInjector()
    for index in range(MAX_TRACKED_IDS + 500):
        assert injector.step_for("internal_error,ok", f"id-{index}").kind == "internal_error"
    assert len(injector._counts) == MAX_TRACKED_IDS
    # The most recent ids are remembered, the oldest forgotten.
    last = f"id-{MAX_TRACKED_IDS + 499}"
    assert injector.step_for("internal_error,ok", last).kind == "ok"
    assert injector.step_for("internal_error,ok", "id-0").kind == "internal_error"


def test_concurrent_slow_requests_do_not_block_each_other(asgi_client: AsgiClient) -> None:
    app = create_app(SandboxConfig())

    async def run() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            headers = {
                "Content-Type": "application/json",
                "Plaid-Sandbox-Fault": "slow:0.3",
                **AUTH_HEADERS,
            }
            responses = await asyncio.gather(
                *[
                    client.post("/session/token/create", json=VALID_BODY, headers=headers)
                    for _ in range(5)
                ]
            )
            return [response.status_code for response in responses]

    started = time.perf_counter()
    assert asyncio.run(run()) == [200] * 5
    assert time.perf_counter() - started < 1.2
