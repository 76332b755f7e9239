"""Property tests: any input gets a Plaid-format 4xx (or a success), never a 5xx."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st
from plaid_offline_sandbox.config import DEFAULT_CLIENT_ID, DEFAULT_SECRET, DEFAULT_TEMPLATE_ID
from plaid_tools.fuzz.corpus import DELIBERATE_STEPS

from tests.sandbox.sandbox_support import (
    ENDPOINT,
    VALID_BODY,
    Client,
    assert_envelope,
    post,
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=15,
)
field_names = st.sampled_from(
    [
        "client_id",
        "secret",
        "template_id",
        "user",
        "webhook",
        "redirect_uri",
        "android_package_name",
        "user_id",
        "products",
    ]
)
good_values: dict[str, Any] = {
    "client_id": DEFAULT_CLIENT_ID,
    "secret": DEFAULT_SECRET,
    "template_id": DEFAULT_TEMPLATE_ID,
    "user": {"client_user_id": "user-1"},
    "webhook": "https://example.com/hook",
    "redirect_uri": "https://example.com/oauth",
    "android_package_name": "com.example",
}
# HTTP clients refuse control characters and surrounding blanks in header values.
printable = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40
).map(str.strip)


def assert_plaid_answer(response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code == 200:
        data = response.json()
        assert data["link"]["link_token"].startswith("link-sandbox-")
    else:
        assert response.status_code in (400, 404, 405), response.status_code
        assert_envelope(response)


@given(raw=st.binary(max_size=2000))
def test_arbitrary_bytes(client: Client, raw: bytes) -> None:
    assert_plaid_answer(post(client, raw=raw))


@given(value=json_values)
def test_arbitrary_json(client: Client, value: object) -> None:
    response = post(client, raw=json.dumps(value).encode())
    assert_plaid_answer(response)
    assert response.status_code == 400


@given(
    keep=st.sets(st.sampled_from(sorted(good_values))),
    replaced=st.dictionaries(field_names, json_values, max_size=3),
    user_extra=st.dictionaries(
        st.sampled_from(["client_user_id", "user_id", "phone_number", "email_address"]),
        json_values,
        max_size=2,
    ),
)
def test_mutated_near_valid_bodies(
    client: Client,
    keep: set[str],
    replaced: dict[str, object],
    user_extra: dict[str, object],
) -> None:
    body: dict[str, object] = {name: good_values[name] for name in keep}
    body.update(replaced)
    if isinstance(body.get("user"), dict) and user_extra:
        body["user"] = {**body["user"], **user_extra}  # type: ignore[dict-item]
    assert_plaid_answer(post(client, body, auth=False))


@given(
    content_type=st.one_of(
        st.none(),
        printable,
        st.sampled_from(["application/json", "application/json; charset=latin-1", "*/*"]),
    ),
    version=st.one_of(st.none(), printable, st.sampled_from(["2020-09-14", "2019-05-29"])),
    client_id=st.one_of(st.none(), printable),
    secret=st.one_of(st.none(), printable),
    fault=st.one_of(st.none(), printable, st.sampled_from(["ok", "slow:0", "ok,ok"])),
)
def test_arbitrary_headers(
    client: Client,
    content_type: str | None,
    version: str | None,
    client_id: str | None,
    secret: str | None,
    fault: str | None,
) -> None:
    # Random text can spell a real fault step: a deliberate 5xx or 429, a drop, or a long sleep
    # (hypothesis draws strings from the sandbox's own constants, so it does).
    assume(
        fault in (None, "slow:0")
        or not any(kind in fault.lower() for kind in (*DELIBERATE_STEPS, "rate_limit", "slow"))
    )
    headers = {
        name: value
        for name, value in {
            "Plaid-Version": version,
            "PLAID-CLIENT-ID": client_id,
            "PLAID-SECRET": secret,
            "Plaid-Sandbox-Fault": fault,
        }.items()
        if value is not None
    }
    response = post(client, VALID_BODY, headers=headers, auth=False, content_type=content_type)
    assert_plaid_answer(response)


@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]),
    path=st.one_of(
        st.just(ENDPOINT),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz/._-%0123456789", max_size=40),
    ),
)
def test_arbitrary_methods_and_paths(client: Client, method: str, path: str) -> None:
    response = client.request(method, "/" + path.lstrip("/"), content=b"{}")
    assert response.status_code in (400, 404, 405)
    assert_envelope(response)


def test_server_still_serves_after_fuzzing(client: Client) -> None:
    assert post(client, VALID_BODY).status_code == 200
