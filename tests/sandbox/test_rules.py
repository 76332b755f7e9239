"""Every validation rule: exact status, error_type, error_code and message, on both transports."""

from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from plaid_offline_sandbox import assumptions
from plaid_offline_sandbox.config import (
    DEFAULT_ANDROID_PACKAGE_NAME,
    DEFAULT_CLIENT_ID,
    DEFAULT_REDIRECT_URI,
    DEFAULT_SECRET,
    DEFAULT_TEMPLATE_ID,
)

from tests.sandbox.sandbox_support import (
    AUTH_HEADERS,
    ENDPOINT,
    FIXED_NOW,
    VALID_BODY,
    Client,
    assert_plaid_error,
    post,
)

MISSING = "the following required fields are missing: "
UNKNOWN = "the following fields are not recognized by this endpoint: "
NOT_JSON = "body could not be parsed as JSON"
BAD_KEYS = "invalid client_id or secret provided"
BODY_CREDS = {"client_id": DEFAULT_CLIENT_ID, "secret": DEFAULT_SECRET}
# Well-formed (Plaid's formats) but not accepted by the sandbox: INVALID_API_KEYS territory.
OTHER_CLIENT_ID = "5f0c1d2e3a4b5c6d7e8f9a0b"
OTHER_SECRET = "0a1b2c3d4e5f60718293a4b5c6d7e8"


def string_error(path: str) -> str:
    return f"{path} must be a properly formatted, non-empty string"


def with_user(**user: Any) -> dict[str, Any]:
    return {"template_id": DEFAULT_TEMPLATE_ID, "user": user}


@dataclass(frozen=True)
class Rule:
    name: str
    status: int
    error_type: str
    error_code: str
    message: str
    body: object = None
    raw: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    auth: bool = True
    content_type: str | None = "application/json"


RULES = [
    # --- credentials ---------------------------------------------------------------------
    Rule("no credentials", 400, "INVALID_REQUEST", "MISSING_FIELDS", MISSING + "client_id, secret",
         body=VALID_BODY, auth=False),
    Rule("only client_id given", 400, "INVALID_REQUEST", "MISSING_FIELDS", MISSING + "secret",
         body=VALID_BODY, auth=False, headers={"PLAID-CLIENT-ID": DEFAULT_CLIENT_ID}),
    Rule("only secret given (body)", 400, "INVALID_REQUEST", "MISSING_FIELDS",
         MISSING + "client_id", body={**VALID_BODY, "secret": DEFAULT_SECRET}, auth=False),
    Rule("empty credential headers are absent", 400, "INVALID_REQUEST", "MISSING_FIELDS",
         MISSING + "client_id, secret", body=VALID_BODY, auth=False,
         headers={"PLAID-CLIENT-ID": "", "PLAID-SECRET": ""}),
    Rule("null body credentials are absent", 400, "INVALID_REQUEST", "MISSING_FIELDS",
         MISSING + "client_id, secret", body={**VALID_BODY, "client_id": None, "secret": None},
         auth=False),
    Rule("wrong secret (headers)", 400, "INVALID_INPUT", "INVALID_API_KEYS", BAD_KEYS,
         body=VALID_BODY, auth=False,
         headers={"PLAID-CLIENT-ID": DEFAULT_CLIENT_ID, "PLAID-SECRET": OTHER_SECRET}),
    Rule("unknown client_id (body)", 400, "INVALID_INPUT", "INVALID_API_KEYS", BAD_KEYS,
         body={**VALID_BODY, "client_id": OTHER_CLIENT_ID, "secret": DEFAULT_SECRET}, auth=False),
    Rule("header and body disagree", 400, "INVALID_INPUT", "INVALID_API_KEYS", BAD_KEYS,
         body={**VALID_BODY, "client_id": OTHER_CLIENT_ID}),
    Rule("malformed client_id (header)", 400, "INVALID_REQUEST", "INVALID_FIELD",
         string_error("client_id"), body=VALID_BODY, auth=False,
         headers={"PLAID-CLIENT-ID": "test_id", "PLAID-SECRET": DEFAULT_SECRET}),
    Rule("malformed client_id (body)", 400, "INVALID_REQUEST", "INVALID_FIELD",
         string_error("client_id"),
         body={**VALID_BODY, "client_id": "test_id", "secret": DEFAULT_SECRET}, auth=False),
    Rule("upper-case hex client_id is malformed", 400, "INVALID_REQUEST", "INVALID_FIELD",
         string_error("client_id"), body=VALID_BODY, auth=False,
         headers={"PLAID-CLIENT-ID": DEFAULT_CLIENT_ID.upper(), "PLAID-SECRET": DEFAULT_SECRET}),
    Rule("malformed secret (header)", 400, "INVALID_REQUEST", "INVALID_FIELD",
         string_error("secret"), body=VALID_BODY, auth=False,
         headers={"PLAID-CLIENT-ID": DEFAULT_CLIENT_ID, "PLAID-SECRET": "nope"}),
    Rule("malformed body copy of a good header credential", 400, "INVALID_REQUEST",
         "INVALID_FIELD", string_error("secret"), body={**VALID_BODY, "secret": "nope"}),
    Rule("client_id and secret swapped", 400, "INVALID_REQUEST", "INVALID_FIELD",
         string_error("client_id"), body=VALID_BODY, auth=False,
         headers={"PLAID-CLIENT-ID": DEFAULT_SECRET, "PLAID-SECRET": DEFAULT_CLIENT_ID}),
    # --- headers ---------------------------------------------------------------------------
    Rule("no Content-Type", 400, "INVALID_REQUEST", "INVALID_HEADERS",
         assumptions.MISSING_CONTENT_TYPE_MESSAGE, body=VALID_BODY, content_type=None),
    Rule("text/plain", 400, "INVALID_REQUEST", "INVALID_BODY", NOT_JSON, body=VALID_BODY,
         content_type="text/plain"),
    Rule("empty Content-Type is not JSON", 400, "INVALID_REQUEST", "INVALID_BODY", NOT_JSON,
         body=VALID_BODY, content_type=""),
    Rule("application/jsonx", 400, "INVALID_REQUEST", "INVALID_BODY", NOT_JSON,
         body=VALID_BODY, content_type="application/jsonx"),
    Rule("form content type", 400, "INVALID_REQUEST", "INVALID_BODY", NOT_JSON, raw=b"a=b",
         content_type="application/x-www-form-urlencoded"),
    Rule("malformed Plaid-Version", 400, "INVALID_REQUEST", "INVALID_HEADERS",
         assumptions.PLAID_VERSION_MESSAGE, body=VALID_BODY, headers={"Plaid-Version": "banana"}),
    Rule("unknown Plaid-Version", 400, "INVALID_REQUEST", "INVALID_HEADERS",
         assumptions.PLAID_VERSION_MESSAGE, body=VALID_BODY,
         headers={"Plaid-Version": "2021-01-01"}),
    Rule("headers checked before body", 400, "INVALID_REQUEST", "INVALID_HEADERS",
         assumptions.MISSING_CONTENT_TYPE_MESSAGE, raw=b"{not json", content_type=None),
    Rule("Content-Type checked before Plaid-Version", 400, "INVALID_REQUEST", "INVALID_BODY",
         NOT_JSON, body=VALID_BODY, content_type="text/plain",
         headers={"Plaid-Version": "banana"}),
    # --- body parsing ----------------------------------------------------------------------
    Rule("unparsable body", 400, "INVALID_REQUEST", "INVALID_BODY", NOT_JSON, raw=b"{"),
    Rule("empty body", 400, "INVALID_REQUEST", "INVALID_BODY", NOT_JSON, raw=b""),
    Rule("trailing garbage", 400, "INVALID_REQUEST", "INVALID_BODY", NOT_JSON, raw=b"{}{}"),
    Rule("invalid UTF-8", 400, "INVALID_REQUEST", "INVALID_BODY", NOT_JSON,
         raw=b'{"template_id": "\xff\xfe"}'),
    Rule("UTF-8 BOM", 400, "INVALID_REQUEST", "INVALID_BODY", NOT_JSON,
         raw=b"\xef\xbb\xbf{}"),
    Rule("raw NUL byte", 400, "INVALID_REQUEST", "INVALID_BODY", NOT_JSON,
         raw=b'{"template_id": "a\x00b"}'),
    Rule("NaN literal", 400, "INVALID_REQUEST", "INVALID_BODY", NOT_JSON,
         raw=b'{"template_id": NaN}'),
    Rule("Infinity literal", 400, "INVALID_REQUEST", "INVALID_BODY", NOT_JSON,
         raw=b'{"x": -Infinity}'),
    Rule("100,000-deep nesting", 400, "INVALID_REQUEST", "INVALID_BODY", NOT_JSON,
         raw=b"[" * 100_000 + b"]" * 100_000),
    Rule("deep nesting inside an object", 400, "INVALID_REQUEST", "INVALID_BODY", NOT_JSON,
         raw=b'{"user": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001),
    Rule("array body", 400, "INVALID_REQUEST", "INVALID_BODY",
         assumptions.NON_OBJECT_BODY_MESSAGE, raw=b"[]"),
    Rule("null body", 400, "INVALID_REQUEST", "INVALID_BODY",
         assumptions.NON_OBJECT_BODY_MESSAGE, raw=b"null"),
    Rule("string body", 400, "INVALID_REQUEST", "INVALID_BODY",
         assumptions.NON_OBJECT_BODY_MESSAGE, raw=b'"hello"'),
    Rule("100,000-digit number body", 400, "INVALID_REQUEST", "INVALID_BODY",
         assumptions.NON_OBJECT_BODY_MESSAGE, raw=b"9" * 100_000),
    # --- unknown fields ------------------------------------------------------------------
    Rule("unknown nested field", 400, "INVALID_REQUEST", "UNKNOWN_FIELDS",
         UNKNOWN + "user.phone_number",
         body=with_user(client_user_id="u", phone_number="+1 415 555 0123")),
    Rule("unknown fields in document order", 400, "INVALID_REQUEST", "UNKNOWN_FIELDS",
         UNKNOWN + "zeta, user.email, user.phone_number, alpha",
         body={"zeta": 1, "template_id": DEFAULT_TEMPLATE_ID,
               "user": {"email": "x", "client_user_id": "u", "phone_number": None},
               "alpha": None}),
    Rule("unknown fields win over missing ones", 400, "INVALID_REQUEST", "UNKNOWN_FIELDS",
         UNKNOWN + "products", body={"products": ["auth"]}, auth=False),
    Rule("unknown field with a huge number", 400, "INVALID_REQUEST", "UNKNOWN_FIELDS",
         UNKNOWN + "n", raw=b'{"n": ' + b"1" * 100_000 + b"}"),
    # --- missing fields --------------------------------------------------------------------
    Rule("everything missing", 400, "INVALID_REQUEST", "MISSING_FIELDS",
         MISSING + "client_id, secret, template_id, user", body={}, auth=False),
    Rule("body fields missing", 400, "INVALID_REQUEST", "MISSING_FIELDS",
         MISSING + "template_id, user", body={}),
    Rule("nested field missing", 400, "INVALID_REQUEST", "MISSING_FIELDS",
         MISSING + "template_id, user.client_user_id", body={"user": {}}),
    Rule("nested and credentials missing", 400, "INVALID_REQUEST", "MISSING_FIELDS",
         MISSING + "client_id, secret, user.client_user_id",
         body={"template_id": DEFAULT_TEMPLATE_ID, "user": {"user_id": "usr_1"}}, auth=False),
    Rule("null user is missing", 400, "INVALID_REQUEST", "MISSING_FIELDS", MISSING + "user",
         body={"template_id": DEFAULT_TEMPLATE_ID, "user": None}),
    Rule("null user and null user_id are missing", 400, "INVALID_REQUEST", "MISSING_FIELDS",
         MISSING + "user", body={"template_id": DEFAULT_TEMPLATE_ID, "user": None,
                                 "user_id": None}),
    Rule("a root user_id does not excuse an incomplete user", 400, "INVALID_REQUEST",
         "MISSING_FIELDS", MISSING + "user.client_user_id",
         body={"template_id": DEFAULT_TEMPLATE_ID, "user_id": "usr_1", "user": {}}),
    Rule("null template_id is missing", 400, "INVALID_REQUEST", "MISSING_FIELDS",
         MISSING + "template_id", body={"template_id": None, "user": {"client_user_id": "u"}}),
    Rule("null client_user_id is missing", 400, "INVALID_REQUEST", "MISSING_FIELDS",
         MISSING + "user.client_user_id", body=with_user(client_user_id=None)),
    # --- field types -----------------------------------------------------------------------
    Rule("client_id number", 400, "INVALID_REQUEST", "INVALID_FIELD", string_error("client_id"),
         body={**VALID_BODY, "client_id": 123, "secret": DEFAULT_SECRET}, auth=False),
    Rule("client_id empty", 400, "INVALID_REQUEST", "INVALID_FIELD", string_error("client_id"),
         body={**VALID_BODY, "client_id": "", "secret": DEFAULT_SECRET}, auth=False),
    Rule("secret boolean", 400, "INVALID_REQUEST", "INVALID_FIELD", string_error("secret"),
         body={**VALID_BODY, "secret": True}),
    Rule("template_id empty", 400, "INVALID_REQUEST", "INVALID_FIELD",
         string_error("template_id"), body={**VALID_BODY, "template_id": ""}),
    Rule("template_id list", 400, "INVALID_REQUEST", "INVALID_FIELD",
         string_error("template_id"), body={**VALID_BODY, "template_id": ["a"]}),
    Rule("root user_id empty", 400, "INVALID_REQUEST", "INVALID_FIELD", string_error("user_id"),
         body={"template_id": DEFAULT_TEMPLATE_ID, "user_id": ""}),
    Rule("root user_id number", 400, "INVALID_REQUEST", "INVALID_FIELD", string_error("user_id"),
         body={"template_id": DEFAULT_TEMPLATE_ID, "user_id": 7}),
    Rule("user string", 400, "INVALID_REQUEST", "INVALID_FIELD",
         assumptions.USER_NOT_OBJECT_MESSAGE, body={**VALID_BODY, "user": "u"}),
    Rule("user list", 400, "INVALID_REQUEST", "INVALID_FIELD",
         assumptions.USER_NOT_OBJECT_MESSAGE, body={**VALID_BODY, "user": []}),
    Rule("client_user_id number", 400, "INVALID_REQUEST", "INVALID_FIELD",
         string_error("user.client_user_id"), body=with_user(client_user_id=42)),
    Rule("client_user_id huge number", 400, "INVALID_REQUEST", "INVALID_FIELD",
         string_error("user.client_user_id"),
         raw=b'{"template_id": "t", "user": {"client_user_id": ' + b"7" * 100_000 + b"}}"),
    Rule("client_user_id float", 400, "INVALID_REQUEST", "INVALID_FIELD",
         string_error("user.client_user_id"), body=with_user(client_user_id=1.5e300)),
    Rule("client_user_id empty", 400, "INVALID_REQUEST", "INVALID_FIELD",
         string_error("user.client_user_id"), body=with_user(client_user_id="")),
    Rule("user_id empty", 400, "INVALID_REQUEST", "INVALID_FIELD", string_error("user.user_id"),
         body=with_user(client_user_id="u", user_id="")),
    Rule("user_id object", 400, "INVALID_REQUEST", "INVALID_FIELD", string_error("user.user_id"),
         body=with_user(client_user_id="u", user_id={})),
    Rule("webhook number", 400, "INVALID_REQUEST", "INVALID_FIELD", string_error("webhook"),
         body={**VALID_BODY, "webhook": 1}),
    Rule("webhook empty", 400, "INVALID_REQUEST", "INVALID_FIELD", string_error("webhook"),
         body={**VALID_BODY, "webhook": ""}),
    Rule("webhook relative", 400, "INVALID_REQUEST", "INVALID_FIELD",
         assumptions.WEBHOOK_INVALID_MESSAGE, body={**VALID_BODY, "webhook": "/hooks/plaid"}),
    Rule("webhook ftp", 400, "INVALID_REQUEST", "INVALID_FIELD",
         assumptions.WEBHOOK_INVALID_MESSAGE, body={**VALID_BODY, "webhook": "ftp://example.com"}),
    Rule("webhook without host", 400, "INVALID_REQUEST", "INVALID_FIELD",
         assumptions.WEBHOOK_INVALID_MESSAGE, body={**VALID_BODY, "webhook": "https://"}),
    Rule("webhook with space", 400, "INVALID_REQUEST", "INVALID_FIELD",
         assumptions.WEBHOOK_INVALID_MESSAGE,
         body={**VALID_BODY, "webhook": "https://exa mple.com/"}),
    Rule("webhook broken IPv6", 400, "INVALID_REQUEST", "INVALID_FIELD",
         assumptions.WEBHOOK_INVALID_MESSAGE, body={**VALID_BODY, "webhook": "http://[::1/x"}),
    Rule("redirect_uri number", 400, "INVALID_REQUEST", "INVALID_FIELD",
         string_error("redirect_uri"), body={**VALID_BODY, "redirect_uri": 5}),
    Rule("android_package_name object", 400, "INVALID_REQUEST", "INVALID_FIELD",
         string_error("android_package_name"), body={**VALID_BODY, "android_package_name": {}}),
    Rule("first invalid field wins", 400, "INVALID_REQUEST", "INVALID_FIELD",
         string_error("template_id"),
         body={"template_id": 1, "user": {"client_user_id": 2}, "webhook": 3}),
    Rule("types checked before credentials", 400, "INVALID_REQUEST", "INVALID_FIELD",
         string_error("webhook"), body={**VALID_BODY, "webhook": 3}, auth=False,
         headers={"PLAID-CLIENT-ID": OTHER_CLIENT_ID, "PLAID-SECRET": OTHER_SECRET}),
    Rule("credential format checked before other fields", 400, "INVALID_REQUEST",
         "INVALID_FIELD", string_error("client_id"), body={**VALID_BODY, "webhook": 3},
         auth=False, headers={"PLAID-CLIENT-ID": "wrong", "PLAID-SECRET": OTHER_SECRET}),
    # --- template ---------------------------------------------------------------------------
    Rule("unknown template", 400, "INVALID_REQUEST", "INVALID_FIELD",
         assumptions.UNKNOWN_TEMPLATE_MESSAGE, body={**VALID_BODY, "template_id": "template_x"}),
    # --- the Dashboard's allow-lists (documented; code and messages A31) ---------------------
    Rule("redirect_uri outside the allow-list", 400, "INVALID_REQUEST", "INVALID_FIELD",
         assumptions.REDIRECT_URI_NOT_ALLOWED_MESSAGE,
         body={**VALID_BODY, "redirect_uri": "https://example.com/oauth"}),
    Rule("android_package_name outside the allow-list", 400, "INVALID_REQUEST", "INVALID_FIELD",
         assumptions.ANDROID_PACKAGE_NOT_ALLOWED_MESSAGE,
         body={**VALID_BODY, "android_package_name": "com.example.app"}),
    Rule("redirect_uri checked before android_package_name", 400, "INVALID_REQUEST",
         "INVALID_FIELD", assumptions.REDIRECT_URI_NOT_ALLOWED_MESSAGE,
         body={**VALID_BODY, "redirect_uri": "https://x.com/o", "android_package_name": "a.b"}),
    Rule("unknown template before the allow-lists", 400, "INVALID_REQUEST", "INVALID_FIELD",
         assumptions.UNKNOWN_TEMPLATE_MESSAGE,
         body={**VALID_BODY, "template_id": "template_x", "redirect_uri": "https://x.com/o"}),
    Rule("credentials checked before template", 400, "INVALID_INPUT", "INVALID_API_KEYS",
         BAD_KEYS, body={**VALID_BODY, "template_id": "template_x"}, auth=False,
         headers={"PLAID-CLIENT-ID": OTHER_CLIENT_ID, "PLAID-SECRET": OTHER_SECRET}),
]  # fmt: skip


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_rule(client: Client, rule: Rule) -> None:
    response = post(
        client,
        rule.body,
        raw=rule.raw,
        headers=rule.headers,
        auth=rule.auth,
        content_type=rule.content_type,
    )
    assert_plaid_error(response, rule.status, rule.error_type, rule.error_code, rule.message)


def test_unknown_path(client: Client) -> None:
    for path in ("/", "/link/token/create", ENDPOINT + "/", "/session/token/create/x"):
        response = client.request("POST", path, content=b"{}", headers=AUTH_HEADERS)
        assert_plaid_error(response, 404, "INVALID_REQUEST", "NOT_FOUND", "not found")


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"])
def test_other_methods_are_routes_plaid_does_not_serve(client: Client, method: str) -> None:
    response = client.request(method, ENDPOINT, headers=AUTH_HEADERS)
    status = assumptions.UNSUPPORTED_METHOD_STATUS
    assert response.status_code == status
    assert "allow" not in response.headers
    if method != "HEAD":  # a HEAD answer has headers only
        assert_plaid_error(response, status, "INVALID_REQUEST", "NOT_FOUND", "not found")


def test_body_over_limit_declared(client: Client) -> None:
    response = post(client, raw=b" " * (10 * 1024 * 1024))
    limit_message = assumptions.BODY_TOO_LARGE_MESSAGE.format(limit=1024 * 1024)
    status = assumptions.BODY_TOO_LARGE_STATUS
    assert_plaid_error(response, status, "INVALID_REQUEST", "INVALID_BODY", limit_message)


# --- success ------------------------------------------------------------------------------

LINK_TOKEN = re.compile(r"link-sandbox-([0-9a-f-]{36})")


def assert_success(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert "plaid-version" not in response.headers
    data: dict[str, Any] = response.json()
    assert set(data) == {"link", "request_id"}
    assert set(data["link"]) == {"expiration", "link_token"}
    assert re.fullmatch(r"[A-Za-z0-9]{15}", data["request_id"])
    match = LINK_TOKEN.fullmatch(data["link"]["link_token"])
    assert match and uuid.UUID(match.group(1)).version == 4
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["link"]["expiration"])
    assert response.content == json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    return data


SUCCESS_CASES: list[tuple[str, dict[str, Any], dict[str, str], str]] = [
    ("header credentials", VALID_BODY, AUTH_HEADERS, "application/json"),
    ("body credentials", {**VALID_BODY, **BODY_CREDS}, {}, "application/json"),
    ("lower-case header names",
     VALID_BODY, {"plaid-client-id": DEFAULT_CLIENT_ID, "plaid-secret": DEFAULT_SECRET},
     "application/json"),
    ("same credentials in header and body", {**VALID_BODY, **BODY_CREDS}, AUTH_HEADERS,
     "application/json"),
    ("client_id in header, secret in body", {**VALID_BODY, "secret": DEFAULT_SECRET},
     {"PLAID-CLIENT-ID": DEFAULT_CLIENT_ID}, "application/json"),
    ("charset parameter", VALID_BODY, AUTH_HEADERS, "application/json; charset=utf-8"),
    ("upper-case media type", VALID_BODY, AUTH_HEADERS, "Application/JSON"),
    ("Plaid-Version 2020-09-14", VALID_BODY, {**AUTH_HEADERS, "Plaid-Version": "2020-09-14"},
     "application/json"),
    ("Plaid-Version 2017-03-08", VALID_BODY, {**AUTH_HEADERS, "Plaid-Version": "2017-03-08"},
     "application/json"),
    ("every optional field", {
        **VALID_BODY,
        "user": {"client_user_id": "user-1", "user_id": "usr_9"},
        "webhook": "https://example.com/plaid/webhook?x=1",
        "redirect_uri": DEFAULT_REDIRECT_URI,
        "android_package_name": DEFAULT_ANDROID_PACKAGE_NAME,
    }, AUTH_HEADERS, "application/json"),
    ("root user_id instead of user", {"template_id": DEFAULT_TEMPLATE_ID, "user_id": "usr_9"},
     AUTH_HEADERS, "application/json"),
    ("root user_id and user", {**VALID_BODY, "user_id": "usr_9"}, AUTH_HEADERS,
     "application/json"),
    ("root user_id with a null user", {"template_id": DEFAULT_TEMPLATE_ID, "user_id": "usr_9",
                                       "user": None}, AUTH_HEADERS, "application/json"),
    ("null optional fields", {**VALID_BODY, "webhook": None, "redirect_uri": None,
                              "android_package_name": None,
                              "user": {"client_user_id": "u", "user_id": None}},
     AUTH_HEADERS, "application/json"),
    ("escaped NUL in a string", {**VALID_BODY, "user": {"client_user_id": "a\u0000b"}},
     AUTH_HEADERS, "application/json"),
    ("fault header ok", VALID_BODY, {**AUTH_HEADERS, "Plaid-Sandbox-Fault": "ok"},
     "application/json"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "headers", "content_type"),
    [case[1:] for case in SUCCESS_CASES],
    ids=[case[0] for case in SUCCESS_CASES],
)
def test_success(
    client: Client, body: dict[str, Any], headers: dict[str, str], content_type: str
) -> None:
    response = post(client, body, headers=headers, auth=False, content_type=content_type)
    data = assert_success(response)
    expiration = datetime.strptime(data["link"]["expiration"], "%Y-%m-%dT%H:%M:%SZ")
    if client.kind == "asgi":
        # Injected clock: now + 4 h, fractional seconds truncated.
        assert data["link"]["expiration"] == "2026-03-10T13:13:03Z"
    else:
        expected = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=4)
        assert abs((expiration - expected).total_seconds()) < 60


def test_duplicate_keys_last_wins(client: Client) -> None:
    raw = b'{"template_id": "nope", "template_id": "template_offline_default", "user": ' \
          b'{"client_user_id": "u"}}'  # fmt: skip
    assert_success(post(client, raw=raw))


def test_tokens_and_request_ids_are_unique(client: Client) -> None:
    seen = [assert_success(post(client, VALID_BODY)) for _ in range(20)]
    assert len({data["link"]["link_token"] for data in seen}) == 20
    assert len({data["request_id"] for data in seen}) == 20


def test_fixed_clock_gives_exact_expiration() -> None:
    from plaid_offline_sandbox.responses import format_expiration

    assert format_expiration(FIXED_NOW, 14400) == "2026-03-10T13:13:03Z"
    assert format_expiration(FIXED_NOW, 1800) == "2026-03-10T09:43:03Z"


def test_expiration_cache_always_gives_what_format_expiration_gives() -> None:
    from plaid_offline_sandbox.responses import Expirations, format_expiration

    expirations = Expirations(14400)
    moments = [
        FIXED_NOW,
        FIXED_NOW.replace(microsecond=0),  # same second: cached
        FIXED_NOW + timedelta(seconds=1),
        FIXED_NOW.astimezone(timezone(timedelta(hours=2))),  # same instant, other clock
        FIXED_NOW.replace(tzinfo=None),  # a naive clock
        FIXED_NOW.replace(tzinfo=timezone(timedelta(hours=-5))),  # same wall time, other instant
    ]
    for moment in moments:
        assert expirations.at(moment) == format_expiration(moment, 14400), moment


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_processes_do_not_repeat_tokens_or_request_ids() -> None:
    # The generator is not os.urandom: a child forked from a warmed-up parent must reseed.
    from plaid_offline_sandbox.responses import new_link_token, new_request_id

    new_link_token()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.write(write_end, f"{new_link_token()} {new_request_id()}".encode())
        os._exit(0)
    os.waitpid(pid, 0)
    child_token, child_id = os.read(read_end, 200).decode().split()
    os.close(read_end)
    os.close(write_end)
    # Without reseeding, the parent's next draws would be exactly the child's.
    assert (child_token, child_id) != (new_link_token(), new_request_id())
