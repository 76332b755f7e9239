"""Construction: credentials, environments, headers, User-Agent, repr, lifecycle."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

import certifi
import httpx
import plaid_session_client as plaid
import pytest
import yaml
from plaid_session_client import _config

from tests.client.conftest import (
    CLIENT_ID,
    SECRET,
    SUCCESS_BODY,
    MakeAsyncClient,
    MakeClient,
    Script,
    json_response,
    request_body,
)

SPEC = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "openapi" / "plaid-session-token.yaml").read_text(
        encoding="utf-8"
    )
)


def test_every_request_carries_credentials_version_and_user_agent(make_client: MakeClient) -> None:
    script = Script([json_response(200, SUCCESS_BODY)])
    client = make_client(script=script)
    client.session_token_create(body=request_body())
    (request,) = script.requests
    assert request.method == "POST"
    assert str(request.url) == "https://sandbox.plaid.com/session/token/create"
    assert request.headers["PLAID-CLIENT-ID"] == CLIENT_ID
    assert request.headers["PLAID-SECRET"] == SECRET
    assert request.headers["Plaid-Version"] == "2020-09-14"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == (
        f"plaid-session-client/{plaid.__version__} python-httpx/{httpx.__version__}"
    )
    # Credentials travel in headers only, never in the body.
    assert (
        request.content
        == b'{"template_id":"template_offline_default","user":{"client_user_id":"user-8d0e7a52"}}'
    )


def test_version_comes_from_the_spec() -> None:
    assert plaid.__version__ == SPEC["info"]["version"].partition("_")[2]
    assert SPEC["info"]["version"].partition("_")[0] == plaid.PLAID_API_VERSION


def test_environments_and_auth_headers_match_the_spec() -> None:
    assert sorted(plaid.ENVIRONMENTS.values()) == sorted(
        server["url"] for server in SPEC["servers"]
    )
    schemes = SPEC["components"]["securitySchemes"]
    assert {s["name"] for s in schemes.values()} == {
        _config.CLIENT_ID_HEADER,
        _config.SECRET_HEADER,
    }


@pytest.mark.parametrize(
    ("environment", "url"),
    [("sandbox", "https://sandbox.plaid.com"), ("production", "https://production.plaid.com")],
)
def test_environment_selects_the_server(environment: str, url: str) -> None:
    with plaid.PlaidSessionClient(client_id="a", secret="b", environment=environment) as client:  # type: ignore[arg-type]
        assert client.base_url == url
        assert client.environment == environment


def test_default_environment_is_sandbox_then_plaid_env(monkeypatch: pytest.MonkeyPatch) -> None:
    with plaid.PlaidSessionClient(client_id="a", secret="b") as client:
        assert client.base_url == "https://sandbox.plaid.com"
    monkeypatch.setenv("PLAID_ENV", "production")
    with plaid.PlaidSessionClient(client_id="a", secret="b") as client:
        assert client.base_url == "https://production.plaid.com"


def test_base_url_is_used_as_given(make_client: MakeClient) -> None:
    script = Script([json_response(200, SUCCESS_BODY)])
    client = make_client(script=script, base_url="http://127.0.0.1:8100/")
    client.session_token_create(body=request_body())
    assert str(script.requests[0].url) == "http://127.0.0.1:8100/session/token/create"
    assert client.environment is None


def test_bad_environment_choices_are_clear_errors() -> None:
    with pytest.raises(plaid.ClientConfigurationError, match="not both"):
        plaid.PlaidSessionClient(
            client_id="a", secret="b", environment="sandbox", base_url="http://x"
        )
    with pytest.raises(plaid.ClientConfigurationError, match="Unknown environment 'development'"):
        plaid.PlaidSessionClient(client_id="a", secret="b", environment="development")  # type: ignore[arg-type]


def test_credentials_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAID_CLIENT_ID", "env-id")
    monkeypatch.setenv("PLAID_SECRET", "env-secret")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return json_response(200, SUCCESS_BODY)

    with plaid.PlaidSessionClient(transport=httpx.MockTransport(handler)) as client:
        client.session_token_create(body=request_body())
    assert seen[0].headers["PLAID-CLIENT-ID"] == "env-id"
    assert seen[0].headers["PLAID-SECRET"] == "env-secret"


@pytest.mark.parametrize(
    ("kwargs", "argument", "env_var"),
    [
        ({"secret": "s"}, "client_id", "PLAID_CLIENT_ID"),
        ({"client_id": "c"}, "secret", "PLAID_SECRET"),
        ({"client_id": "c", "secret": ""}, "secret", "PLAID_SECRET"),
    ],
)
def test_missing_credential_names_argument_and_env_var(
    kwargs: dict[str, str], argument: str, env_var: str
) -> None:
    for cls in (plaid.PlaidSessionClient, plaid.AsyncPlaidSessionClient):
        with pytest.raises(plaid.ClientConfigurationError) as caught:
            cls(**kwargs)  # type: ignore[arg-type]
        assert argument in str(caught.value) and env_var in str(caught.value)
        assert isinstance(caught.value, ValueError)


def test_invalid_credential_is_rejected_without_showing_it() -> None:
    with pytest.raises(plaid.ClientConfigurationError) as caught:
        plaid.PlaidSessionClient(client_id="ok", secret="bad secret\nCANARY")
    assert "CANARY" not in str(caught.value) and "bad secret" not in str(caught.value)
    assert "secret" in str(caught.value)


def test_invalid_max_retries_is_rejected() -> None:
    with pytest.raises(plaid.ClientConfigurationError, match="max_retries"):
        plaid.PlaidSessionClient(client_id="a", secret="b", max_retries=-1)


def test_repr_shows_configuration_but_no_credentials(make_client: MakeClient) -> None:
    client = make_client()
    text = repr(client)
    assert text.startswith("PlaidSessionClient(environment='sandbox'")
    assert "max_retries=2" in text
    assert SECRET not in text and CLIENT_ID not in text
    assert SECRET not in repr(vars(client)) and CLIENT_ID not in repr(vars(client))


def test_extra_and_default_headers_and_header_removal(make_client: MakeClient) -> None:
    script = Script([json_response(200, SUCCESS_BODY)])
    client = make_client(script=script, default_headers={"X-Team": "payments"})
    client.session_token_create(
        body=request_body(),
        extra_headers={"Plaid-Sandbox-Fault": "ok", "Plaid-Version": None, "X-Team": "risk"},
    )
    headers = script.requests[0].headers
    assert headers["Plaid-Sandbox-Fault"] == "ok"
    assert headers["X-Team"] == "risk"
    assert "Plaid-Version" not in headers


def test_own_client_is_closed_but_a_passed_client_is_left_open() -> None:
    transport = httpx.MockTransport(lambda request: json_response(200, SUCCESS_BODY))
    with plaid.PlaidSessionClient(client_id="a", secret="b", transport=transport) as client:
        client.session_token_create(body=request_body())
    assert client._http.is_closed

    http_client = httpx.Client(transport=transport)
    with plaid.PlaidSessionClient(client_id="a", secret="b", http_client=http_client) as client:
        assert client.session_token_create(body=request_body()).request_id == "OUoAFhGrwHQbZ2O"
    assert not http_client.is_closed
    http_client.close()

    with pytest.raises(plaid.ClientConfigurationError, match="not both"):
        plaid.PlaidSessionClient(
            client_id="a", secret="b", http_client=http_client, transport=transport
        )


def _tls_context(http: httpx.Client | httpx.AsyncClient) -> ssl.SSLContext:
    # What an httpx client's connection pool verifies servers with.
    context: ssl.SSLContext = http._transport._pool._ssl_context  # type: ignore[union-attr]
    return context


def _made(client: plaid.PlaidSessionClient | plaid.AsyncPlaidSessionClient) -> ssl.SSLContext:
    return _tls_context(client._http)


def _same_trust(ours: ssl.SSLContext, httpx_own: ssl.SSLContext) -> bool:
    return (
        ours.verify_mode == httpx_own.verify_mode == ssl.CERT_REQUIRED
        and ours.check_hostname == httpx_own.check_hostname is True
        and ours.minimum_version == httpx_own.minimum_version
        and ours.options == httpx_own.options
        and ours.get_ca_certs() == httpx_own.get_ca_certs()
    )


def test_clients_share_one_verifying_context_built_as_httpx_builds_its_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Building httpx's default SSL context loads the CA bundle (~30 ms): the package builds it
    once per process for the clients it makes httpx clients for, the same as the one an
    `httpx.Client()` builds for itself, and again when SSL_CERT_FILE names another bundle."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    clients: list[plaid.PlaidSessionClient | plaid.AsyncPlaidSessionClient] = [
        plaid.PlaidSessionClient(client_id=CLIENT_ID, secret=SECRET),
        plaid.AsyncPlaidSessionClient(client_id=CLIENT_ID, secret=SECRET),
        plaid.PlaidSessionClient(client_id=CLIENT_ID, secret=SECRET, environment="production"),
    ]
    (shared,) = {id(_made(client)): _made(client) for client in clients}.values()
    with httpx.Client() as own:
        assert _same_trust(shared, _tls_context(own))
    assert len(shared.get_ca_certs()) > 100  # certifi's

    # A bundle of one CA, named by the variable httpx reads.
    first_ca = Path(certifi.where()).read_text(encoding="ascii").split("-----END CERTIFICATE-----")
    bundle = tmp_path / "one-ca.pem"
    bundle.write_text(first_ca[0] + "-----END CERTIFICATE-----\n", encoding="ascii")
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    other = _made(plaid.PlaidSessionClient(client_id=CLIENT_ID, secret=SECRET))
    with httpx.Client() as own:
        assert _same_trust(other, _tls_context(own))
    assert len(other.get_ca_certs()) == 1


def test_a_client_given_a_transport_builds_no_tls_context(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As httpx given a transport: a test double needs no CA bundle, even a missing one."""
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent/cas.pem")
    transport = httpx.MockTransport(lambda request: json_response(200, SUCCESS_BODY))
    with plaid.PlaidSessionClient(client_id="a", secret="b", transport=transport) as client:
        assert client.session_token_create(body=request_body()).request_id == "OUoAFhGrwHQbZ2O"


def test_async_client_mirrors_construction(make_async_client: MakeAsyncClient) -> None:
    script = Script([json_response(200, SUCCESS_BODY)])

    async def run() -> None:
        async with make_async_client(script=script) as client:
            assert repr(client).startswith("AsyncPlaidSessionClient(environment='sandbox'")
            created = await client.session_token_create(body=request_body())
            assert created.request_id == "OUoAFhGrwHQbZ2O"
        assert client._http.is_closed

    asyncio.run(run())
    assert script.requests[0].headers["PLAID-SECRET"] == SECRET
    assert script.requests[0].headers["Plaid-Version"] == "2020-09-14"


def test_module_functions_still_work(make_client: MakeClient) -> None:
    from plaid_session_client.api.session import session_token_create

    client = make_client(json_response(200, SUCCESS_BODY))
    assert (
        session_token_create.sync(client=client, body=request_body()).request_id
        == "OUoAFhGrwHQbZ2O"
    )
    detailed = session_token_create.sync_detailed(client=client, body=request_body())
    assert detailed.status_code == 200 and detailed.parsed is not None and detailed.error is None
