"""Shared fixtures for the offline sandbox tests (helpers live in sandbox_support.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from plaid_offline_sandbox.app import create_app
from plaid_offline_sandbox.config import SandboxConfig
from plaid_offline_sandbox.serving import RunningSandbox, serve

from tests.sandbox.sandbox_support import FIXED_NOW, AsgiClient, Client, HttpClient, clean_env


@pytest.fixture(scope="session")
def fixed_config() -> SandboxConfig:
    return SandboxConfig(now=lambda: FIXED_NOW)


@pytest.fixture(scope="session")
def asgi_client(fixed_config: SandboxConfig) -> Iterator[AsgiClient]:
    client = AsgiClient(create_app(fixed_config))
    yield client
    client.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    log_path = tmp_path_factory.mktemp("sandbox") / "server.log"
    with serve(env=clean_env(), log_path=log_path) as server:
        yield server


@pytest.fixture(scope="session")
def http_client(live_server: RunningSandbox) -> Iterator[HttpClient]:
    client = HttpClient(live_server.base_url)
    yield client
    client.close()


@pytest.fixture(scope="session", params=["asgi", "http"])
def client(request: pytest.FixtureRequest) -> Client:
    """The same tests, in-process and over real HTTP."""
    fixture = "asgi_client" if request.param == "asgi" else "http_client"
    result: Client = request.getfixturevalue(fixture)
    return result
