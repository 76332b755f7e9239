"""Bad settings are refused when the client is built, typed and named, never with a secret.

Every bad setting of the table, blocking and asyncio: `ClientConfigurationError` (a ValueError)
whose message names the argument or the environment variable it came from, with no piece of the
canary credentials in the message, the formatted traceback or any log record. Then what can only
go wrong at a call (a dict for the request model, a header httpx cannot send, a transport that
cannot speak the URL's protocol), the Production log line, `PLAID_BASE_URL`, and pytest's own
tracebacks of refused credentials in every style.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import re
import textwrap
import traceback
from pathlib import Path
from typing import Any

import httpx
import plaid_session_client as plaid
import pytest
import yaml

from tests.client.conftest import (
    CANARY_CLIENT_ID,
    CANARY_SECRET,
    SUCCESS_BODY,
    Script,
    json_response,
    request_body,
)
from tests.forked_runs import run_module

TESTING_PAGE = Path(__file__).resolve().parents[2] / "docs" / "testing.md"
CLIENTS = [plaid.PlaidSessionClient, plaid.AsyncPlaidSessionClient]
Client = type[plaid.PlaidSessionClient] | type[plaid.AsyncPlaidSessionClient]

# (id, constructor arguments, what the message must name)
BAD_SETTINGS: list[tuple[str, dict[str, Any], str]] = [
    ("timeout 0", {"timeout": 0}, "timeout must be a number of seconds > 0 and finite"),
    ("timeout negative", {"timeout": -1}, "timeout must be"),
    ("timeout infinite", {"timeout": math.inf}, "timeout must be"),
    ("timeout nan", {"timeout": math.nan}, "timeout must be"),
    ("timeout str", {"timeout": "5"}, "timeout must be a number of seconds > 0 and finite, an"),
    ("timeout bool", {"timeout": True}, "timeout must be"),
    ("timeout part 0", {"timeout": httpx.Timeout(5.0, connect=0)}, "timeout's connect must be"),
    ("max_retries negative", {"max_retries": -1}, "max_retries must be an int from 0 to 10"),
    ("max_retries float", {"max_retries": 2.0}, "max_retries must be"),
    ("max_retries bool", {"max_retries": True}, "max_retries must be"),
    ("attempt_deadline 0", {"attempt_deadline": 0}, "attempt_deadline must be"),
    ("call_deadline infinite", {"call_deadline": math.inf}, "call_deadline must be"),
    ("max_response_bytes 0", {"max_response_bytes": 0}, "max_response_bytes must be"),
    ("base_url scheme", {"base_url": "htp://sandbox.plaid.com"}, "(from base_url=)"),
    ("base_url relative", {"base_url": "sandbox.plaid.com"}, "absolute http:// or https://"),
    ("base_url invalid", {"base_url": "http://[::1"}, "Invalid base URL (from base_url=)"),
    ("base_url no host", {"base_url": "http:///session"}, "with a host"),
    (
        "base_url operation path",
        {"base_url": "https://sandbox.plaid.com/session/token/create"},
        "ends with the path of session_token_create",
    ),
    ("base_url bytes", {"base_url": b"https://sandbox.plaid.com"}, "not bytes"),
    ("environment unknown", {"environment": "development"}, "'development' (from environment=)"),
    ("environment int", {"environment": 1}, "of type int (from environment=)"),
    ("client_id int", {"client_id": 123456}, "client_id (from client_id=): it must be a str"),
    ("secret bytes", {"secret": CANARY_SECRET.encode()}, "secret (from secret=): it must be a str"),
    ("secret newline", {"secret": CANARY_SECRET + "\n"}, "secret (from secret=): it must be"),
    ("client_id space", {"client_id": CANARY_CLIENT_ID + " "}, "client_id (from client_id=)"),
    (
        "secret empty",
        {"secret": ""},
        "Missing Plaid secret: pass secret= or set the PLAID_SECRET environment",
    ),
    ("header value", {"default_headers": {"X-Team": "caf\u00e9"}}, "default_headers: the value of"),
    ("header name", {"default_headers": {"Bad Name": "x"}}, "'Bad Name' is not a valid"),
    ("headers list", {"default_headers": [("a", "b")]}, "default_headers must be a mapping"),
    ("retry_policy", {"retry_policy": {"max_delay": 1}}, "retry_policy must be a RetryPolicy"),
]
# Settings that worked until 6.0 (6.1.0 refused them at once): deprecated since 6.2.0, they work
# with a warning; refused from 7.0.0. (id, constructor arguments, what the warning must say)
DEPRECATED_SETTINGS: list[tuple[str, dict[str, Any], str]] = [
    ("max_retries 11", {"max_retries": 11}, "max_retries above 10 is deprecated since 6.2.0"),
    ("max_retries huge", {"max_retries": 1000}, "use at most 10, and call_deadline="),
    (
        "base_url userinfo",
        {"base_url": f"https://u:{CANARY_SECRET}@x.test"},
        "A base URL with a user or password (from base_url=) is deprecated since 6.2.0",
    ),
    ("base_url query", {"base_url": "https://sandbox.plaid.com/?a=1"}, "a query or fragment"),
    ("base_url fragment", {"base_url": "https://sandbox.plaid.com/#f"}, "refused from 7.0.0"),
]
# (id, environment variables, what the message must name)
BAD_ENVIRONMENTS: list[tuple[str, dict[str, str], str]] = [
    (
        "PLAID_SECRET newline",
        {"PLAID_SECRET": CANARY_SECRET + "\n"},
        "the PLAID_SECRET environment",
    ),
    ("PLAID_CLIENT_ID missing", {"PLAID_CLIENT_ID": ""}, "set the PLAID_CLIENT_ID environment"),
    ("PLAID_ENV unknown", {"PLAID_ENV": "development"}, "'development' (from PLAID_ENV)"),
    ("PLAID_BASE_URL scheme", {"PLAID_BASE_URL": "htp://127.0.0.1:8100"}, "(from PLAID_BASE_URL)"),
    (
        "PLAID_ENV and PLAID_BASE_URL",
        {"PLAID_ENV": "sandbox", "PLAID_BASE_URL": "http://127.0.0.1:8100"},
        "Both PLAID_ENV and PLAID_BASE_URL are set",
    ),
]


def cases(table: list[tuple[str, Any, str]]) -> list[Any]:
    """A table's rows as pytest parameters, each named by its id."""
    return [pytest.param(value, expected, id=name) for name, value, expected in table]


@pytest.fixture(autouse=True)
def no_server_chosen_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's own PLAID_ENV / PLAID_BASE_URL must not choose a test's server."""
    for variable in ("PLAID_ENV", "PLAID_BASE_URL"):
        monkeypatch.delenv(variable, raising=False)


def _assert_no_canary(*texts: str) -> None:
    for text in texts:
        for canary in (CANARY_CLIENT_ID, CANARY_SECRET):
            for piece in (canary, canary[:12], canary[-12:]):
                assert piece not in text


def _refused(cls: Client, caplog: pytest.LogCaptureFixture, **kwargs: Any) -> str:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(plaid.ClientConfigurationError) as caught:
        cls(**kwargs)
    message = str(caught.value)
    _assert_no_canary(
        message,
        "".join(traceback.format_exception(caught.value)),
        caplog.text,
        repr([record.__dict__ for record in caplog.records]),
    )
    assert isinstance(caught.value, ValueError)
    return message


@pytest.mark.parametrize("cls", CLIENTS, ids=["sync", "async"])
@pytest.mark.parametrize(("kwargs", "named"), cases(BAD_SETTINGS))
def test_a_bad_setting_is_refused_at_construction(
    cls: Client, kwargs: dict[str, Any], named: str, caplog: pytest.LogCaptureFixture
) -> None:
    arguments = {"client_id": CANARY_CLIENT_ID, "secret": CANARY_SECRET, **kwargs}
    assert named in _refused(cls, caplog, **arguments)


@pytest.mark.parametrize("cls", CLIENTS, ids=["sync", "async"])
@pytest.mark.parametrize(
    ("env", "named"),
    cases(BAD_ENVIRONMENTS),
)
def test_a_bad_environment_variable_is_refused_and_named(
    cls: Client,
    env: dict[str, str],
    named: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PLAID_CLIENT_ID", CANARY_CLIENT_ID)
    monkeypatch.setenv("PLAID_SECRET", CANARY_SECRET)
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    assert named in _refused(cls, caplog)


def test_an_http_client_of_the_other_flavour_is_refused() -> None:
    credentials = {"client_id": CANARY_CLIENT_ID, "secret": CANARY_SECRET}
    async_http = httpx.AsyncClient()
    try:
        with pytest.raises(
            plaid.ClientConfigurationError,
            match=r"http_client must be an httpx\.Client, not a AsyncClient",
        ):
            plaid.PlaidSessionClient(http_client=async_http, **credentials)  # type: ignore[arg-type]
    finally:
        asyncio.run(async_http.aclose())


def test_an_http_client_of_the_other_flavour_is_refused_async() -> None:
    credentials = {"client_id": CANARY_CLIENT_ID, "secret": CANARY_SECRET}
    with (
        httpx.Client() as http,
        pytest.raises(
            plaid.ClientConfigurationError,
            match=r"http_client must be an httpx\.AsyncClient, not a Client",
        ),
    ):
        plaid.AsyncPlaidSessionClient(http_client=http, **credentials)  # type: ignore[arg-type]


# --- what only a call can get wrong ----------------------------------------------------------


def _call(cls: Client, script: Script, **call: Any) -> None:
    if cls is plaid.PlaidSessionClient:
        with plaid.PlaidSessionClient(
            client_id=CANARY_CLIENT_ID,
            secret=CANARY_SECRET,
            transport=httpx.MockTransport(script),
            retry_policy=plaid.RetryPolicy(sleep=lambda _: None),
        ) as client:
            client.session_token_create(**call)
        return

    async def run() -> None:
        async def no_sleep(_: float) -> None:
            return None

        async with plaid.AsyncPlaidSessionClient(
            client_id=CANARY_CLIENT_ID,
            secret=CANARY_SECRET,
            transport=httpx.MockTransport(script),
            retry_policy=plaid.RetryPolicy(async_sleep=no_sleep),
        ) as client:
            await client.session_token_create(**call)

    asyncio.run(run())


@pytest.mark.parametrize("cls", CLIENTS, ids=["sync", "async"])
def test_a_dict_for_the_request_model_names_the_model(cls: Client) -> None:
    script = Script([json_response(200, SUCCESS_BODY)])
    with pytest.raises(plaid.InvalidArgumentError) as caught:
        _call(cls, script, body={"template_id": "t", "user": {"client_user_id": "u"}})
    assert str(caught.value).startswith(
        "body must be a plaid_session_client.models.SessionTokenCreateRequest, not a dict: build "
        "one with SessionTokenCreateRequest(...) or SessionTokenCreateRequest.from_dict(...)."
    )
    assert isinstance(caught.value, TypeError) and script.requests == []


@pytest.mark.parametrize("cls", CLIENTS, ids=["sync", "async"])
def test_a_header_httpx_cannot_send_is_typed_and_keeps_the_secret_out(cls: Client) -> None:
    script = Script([json_response(200, SUCCESS_BODY)])
    with pytest.raises(plaid.InvalidArgumentError) as caught:
        _call(cls, script, body=request_body(), extra_headers={"X-Team": "caf\u00e9"})
    assert script.requests == [] and caught.value.__context__ is None
    formatted = "".join(traceback.format_exception(caught.value))
    # Every frame's locals too, as pytest -l prints them.
    frames = [frame for frame, _ in traceback.walk_tb(caught.value.__traceback__)]
    _assert_no_canary(formatted, repr([frame.f_locals for frame in frames]))


@pytest.mark.parametrize("cls", CLIENTS, ids=["sync", "async"])
@pytest.mark.parametrize(
    "failure",
    [
        httpx.UnsupportedProtocol("Request URL has an unsupported protocol 'htp://'."),
        httpx.InvalidURL("bad"),
    ],
    ids=["unsupported protocol", "invalid URL"],
)
def test_a_url_the_transport_cannot_send_to_is_never_retried(
    cls: Client, failure: Exception
) -> None:
    script = Script([failure])
    with pytest.raises(plaid.APIConnectionError):
        _call(cls, script, body=request_body())
    assert len(script.requests) == 1


# --- Production and PLAID_BASE_URL -------------------------------------------------------------


@pytest.mark.parametrize("cls", CLIENTS, ids=["sync", "async"])
@pytest.mark.parametrize(
    ("kwargs", "env", "source"),
    [
        ({"environment": "production"}, {}, "environment="),
        ({"base_url": "https://production.plaid.com/"}, {}, "base_url="),
        ({}, {"PLAID_ENV": "production"}, "PLAID_ENV"),
        ({}, {"PLAID_BASE_URL": "https://production.plaid.com"}, "PLAID_BASE_URL"),
    ],
)
def test_reaching_production_logs_one_info_line(
    cls: Client,
    kwargs: dict[str, str],
    env: dict[str, str],
    source: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    caplog.set_level(logging.INFO, logger="plaid_session_client")
    cls(client_id=CANARY_CLIENT_ID, secret=CANARY_SECRET, **kwargs)  # type: ignore[arg-type]
    cls(client_id=CANARY_CLIENT_ID, secret=CANARY_SECRET, environment="sandbox")
    (record,) = [r for r in caplog.records if r.name == "plaid_session_client"]
    assert record.levelno == logging.INFO
    assert record.getMessage() == (
        "This client sends its requests to Plaid Production (https://production.plaid.com, "
        f"from {source})."
    )


def _documented_ci_environment() -> dict[str, str]:
    block = re.search(
        r"<!-- outside-project: github-actions -->\n```yaml\n(.*?)\n```",
        TESTING_PAGE.read_text(),
        re.S,
    )
    assert block is not None
    steps = yaml.safe_load(block[1])["jobs"]["test"]["steps"]
    (tests,) = [step for step in steps if step.get("name") == "Tests"]
    return {name: str(value) for name, value in tests["env"].items()}


def test_the_documented_ci_environment_sends_to_the_sandbox_it_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = _documented_ci_environment()
    assert env["PLAID_BASE_URL"] == "http://127.0.0.1:8100"
    for variable in ("PLAID_ENV", "PLAID_BASE_URL", "PLAID_CLIENT_ID", "PLAID_SECRET"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    script = Script([json_response(200, SUCCESS_BODY)])
    with plaid.PlaidSessionClient(transport=httpx.MockTransport(script)) as client:
        assert (client.base_url, client.environment) == ("http://127.0.0.1:8100", None)
        client.session_token_create(body=request_body())
    (request,) = script.requests
    assert str(request.url) == "http://127.0.0.1:8100/session/token/create"
    assert request.headers["PLAID-SECRET"] == env["PLAID_SECRET"]


def test_an_argument_wins_over_the_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAID_BASE_URL", "http://127.0.0.1:8100")
    with plaid.PlaidSessionClient(client_id="a", secret="b", environment="sandbox") as client:
        assert client.base_url == "https://sandbox.plaid.com"
    monkeypatch.setenv("PLAID_ENV", "production")
    with plaid.PlaidSessionClient(client_id="a", secret="b", base_url="http://x.test") as client:
        assert client.base_url == "http://x.test"


# --- pytest's own tracebacks -------------------------------------------------------------------

TRACEBACKS = f"""
    import asyncio

    import httpx
    import plaid_session_client as plaid
    import pytest

    ID, SECRET = {CANARY_CLIENT_ID!r}, {CANARY_SECRET!r}
    REFUSALS = [
        {{"client_id": ID, "secret": SECRET + "\\n"}},
        {{"client_id": ID + " ", "secret": SECRET}},
        {{"client_id": ID, "secret": SECRET.encode()}},
        {{"client_id": 123, "secret": SECRET}},
        {{"client_id": ID}},
        {{"client_id": ID, "secret": SECRET, "timeout": 0}},
        {{"client_id": ID, "secret": SECRET, "base_url": "htp://x"}},
    ]


    # The team's own frame holds only an index: what is checked is every frame of the client.
    @pytest.mark.parametrize("cls", [plaid.PlaidSessionClient, plaid.AsyncPlaidSessionClient])
    @pytest.mark.parametrize("case", range(len(REFUSALS)))
    def test_refused(cls, case, monkeypatch):
        monkeypatch.delenv("PLAID_SECRET", raising=False)
        cls(**REFUSALS[case])


    def refusing_server(request):
        body = (
            b'{{"display_message": null, "error_code": "INVALID_API_KEYS", "error_message": '
            b'"invalid client_id or secret provided", "error_type": "INVALID_INPUT", '
            b'"request_id": "4Jc9mQkT2bXyZ1a"}}'
        )
        return httpx.Response(400, content=body, headers={{"content-type": "application/json"}})


    def test_refused_by_the_server_sync():
        from plaid_session_client.models import SessionTokenCreateRequest as Request
        from plaid_session_client.models import SessionTokenCreateRequestUser as User

        with plaid.PlaidSessionClient(
            client_id=ID, secret=SECRET, transport=httpx.MockTransport(refusing_server)
        ) as client:
            client.session_token_create(
                body=Request(template_id="t", user=User(client_user_id="u"))
            )


    def test_refused_by_the_server_async():
        from plaid_session_client.models import SessionTokenCreateRequest as Request
        from plaid_session_client.models import SessionTokenCreateRequestUser as User

        async def run():
            async with plaid.AsyncPlaidSessionClient(
                client_id=ID, secret=SECRET, transport=httpx.MockTransport(refusing_server)
            ) as client:
                await client.session_token_create(
                    body=Request(template_id="t", user=User(client_user_id="u"))
                )

        asyncio.run(run())
"""


@pytest.mark.parametrize(
    "style",
    [["--tb=auto"], ["--tb=long"], ["--tb=short"], ["--tb=long", "-l"], ["--tb=auto", "-l"]],
)
def test_pytest_never_prints_a_refused_credential(tmp_path: Path, style: list[str]) -> None:
    (tmp_path / "test_refusals.py").write_text(textwrap.dedent(TRACEBACKS))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PLAID_") and not key.startswith("PYTEST_")
    }
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # only pytest's own reporting
    done = run_module(
        "pytest", ["-p", "no:cacheprovider", "-q", *style], env=env, cwd=tmp_path, timeout=120
    )
    output = done.stdout + done.stderr
    assert "16 failed" in output, output
    assert output.count("ClientConfigurationError") >= 14 and "InvalidInputError" in output
    if "-l" in style:
        assert "credentials = ('***', '***')" in output  # the frames were printed, masked
    _assert_no_canary(output)


@pytest.mark.parametrize("cls", CLIENTS, ids=["sync", "async"])
@pytest.mark.parametrize(
    ("kwargs", "says"),
    cases(DEPRECATED_SETTINGS),
)
def test_a_deprecated_setting_still_works_and_warns_at_the_callers_line(
    cls: Client, kwargs: dict[str, Any], says: str
) -> None:
    with pytest.warns(DeprecationWarning) as warned:
        cls(client_id=CANARY_CLIENT_ID, secret=CANARY_SECRET, **kwargs)
    (warning,) = warned.list
    assert says in str(warning.message)
    assert warning.filename == __file__  # the team's own line, so Python shows it by default
    _assert_no_canary(str(warning.message))
