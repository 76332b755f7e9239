"""One call per operation of specs/plaid_items.yaml (three JSON POSTs under two tags, a GET with
path, query and header parameters), blocking and asyncio, against a mock transport: the request
on the wire, the typed result, the typed error, and `parse_response` telling the operations
apart; and a deprecated alias of an operation (`x-deprecated-aliases`) that still works, with a
DeprecationWarning naming what to call instead."""

from __future__ import annotations

import asyncio
import datetime
import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.templates.conftest import CLIENT_ID, SECRET, Router, json_reply, plaid_error

# On one xdist worker, so that its fixture is made once: conftest.rendered.
pytestmark = pytest.mark.xdist_group("template-specs")

# A credential the request body carries (the spec's `secret` property): scrubbed from errors too.
BODY_SECRET = "b0d75ec2e7000000000000000b0d75"


@dataclass(frozen=True)
class Case:
    """One operation: how to call it, what must go out, what comes back."""

    operation: str
    method: str
    path: str
    call: Callable[[Any, ModuleType], Any]  # (client or client.with_raw_response, models)
    sent_json: object  # the JSON body on the wire (None: no body)
    success: object
    check: Callable[[Any, ModuleType], None]  # on the result
    error: tuple[int, str, str, str]  # status, error_type, error_code, the class it must give
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()


def check_item(result: Any, models: ModuleType) -> None:
    assert type(result) is models.ItemGetResponse
    assert result.item.item_id == "item-1" and result.item.institution_id is None
    assert result.item.available_products == [models.Products.AUTH, models.Products.IDENTITY]
    assert result.item.consent_expiration_time == datetime.datetime(2030, 1, 2, tzinfo=datetime.UTC)
    assert result.request_id == "req-item-get"


def check_removed(result: Any, models: ModuleType) -> None:
    assert type(result) is models.RequestIdOnly and result.request_id == "req-item-remove"


def check_link_token(result: Any, models: ModuleType) -> None:
    assert type(result) is models.LinkTokenCreateResponse
    assert result.link_token == "link-sandbox-fixture"
    assert result.expiration.utcoffset() == datetime.timedelta(hours=-5)


def check_institution(result: Any, models: ModuleType) -> None:
    assert type(result) is models.InstitutionGetResponse
    institution = result.institution
    assert (institution.institution_id, institution.name, institution.oauth) == (
        "ins_109508",
        "First Platypus Bank",
        True,
    )
    assert institution.country_codes == [models.CountryCode.US]
    assert institution.url is None


CASES = [
    Case(
        "item_get",
        "POST",
        "/item/get",
        lambda client, models: client.item_get(
            body=models.ItemGetRequest(access_token="access-sandbox-1", secret=BODY_SECRET)
        ),
        {"access_token": "access-sandbox-1", "secret": BODY_SECRET},
        {
            "item": {
                "item_id": "item-1",
                "institution_id": None,
                "available_products": ["auth", "identity"],
                "webhook": None,
                "consent_expiration_time": "2030-01-02T00:00:00Z",
            },
            "request_id": "req-item-get",
        },
        check_item,
        (400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN", "InvalidInputError"),
    ),
    Case(
        "item_remove",
        "POST",
        "/item/remove",
        lambda client, models: client.item_remove(
            body=models.ItemRemoveRequest(access_token="access-sandbox-1")
        ),
        {"access_token": "access-sandbox-1"},
        {"request_id": "req-item-remove"},
        check_removed,
        (400, "ITEM_ERROR", "ITEM_NOT_FOUND", "ItemError"),
    ),
    Case(
        "link_token_create",
        "POST",
        "/link/token/create",
        lambda client, models: client.link_token_create(
            body=models.LinkTokenCreateRequest(
                client_name="Fixture",
                language="en",
                country_codes=[models.CountryCode.US, models.CountryCode.CA],
                user=models.LinkTokenCreateRequestUser(client_user_id="user-1"),
            )
        ),
        {
            "client_name": "Fixture",
            "language": "en",
            "country_codes": ["US", "CA"],
            "user": {"client_user_id": "user-1"},
        },
        {
            "link_token": "link-sandbox-fixture",
            "expiration": "2030-01-02T00:00:00-05:00",
            "request_id": "req-link",
        },
        check_link_token,
        (429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT", "RateLimitExceededError"),
    ),
    Case(
        "institutions_get_by_id",
        "GET",
        "/institutions/ins_109508",
        lambda client, models: client.institutions_get_by_id(
            "ins_109508",
            country_codes=[models.CountryCode.US, models.CountryCode.GB],
            include_optional_metadata=True,
            plaid_version=models.InstitutionsGetByIdPlaidVersion.VALUE_0,
        ),
        None,
        {
            "institution": {
                "institution_id": "ins_109508",
                "name": "First Platypus Bank",
                "products": ["auth"],
                "country_codes": ["US"],
                "url": None,
                "oauth": True,
            },
            "request_id": "req-institution",
        },
        check_institution,
        (400, "NEW_ERROR_TYPE", "SOMETHING_NEW", "UnknownPlaidError"),
        query=(
            ("country_codes", "US"),
            ("country_codes", "GB"),
            ("include_optional_metadata", "true"),
        ),
        headers=(("Plaid-Version", "2020-09-14"),),
    ),
]
IDS = [case.operation for case in CASES]


def make_clients(package: ModuleType, router: Router) -> tuple[Any, Any]:
    options: dict[str, Any] = {
        "client_id": CLIENT_ID,
        "secret": SECRET,
        "max_retries": 0,
        "transport": httpx.MockTransport(router),
    }
    return package.PlaidSessionClient(**options), package.AsyncPlaidSessionClient(**options)


def run(is_async: bool, call: Callable[[], Any]) -> Any:
    if not is_async:
        return call()

    async def main() -> Any:
        return await call()

    return asyncio.run(main())


@pytest.fixture
def items(load: Callable[[str], ModuleType]) -> ModuleType:
    return load("plaid_items")


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_each_operation_sends_its_request_and_returns_its_model(
    items: ModuleType, case: Case, is_async: bool
) -> None:
    router = Router({(case.method, case.path): json_reply(200, case.success)}, [])
    sync_client, async_client = make_clients(items, router)
    result = run(
        is_async, lambda: case.call(async_client if is_async else sync_client, items.models)
    )
    case.check(result, items.models)
    (request,) = router.requests
    assert (request.method, request.url.path) == (case.method, case.path)
    assert sorted(request.url.params.multi_items()) == sorted(case.query)
    assert (request.headers["PLAID-CLIENT-ID"], request.headers["PLAID-SECRET"]) == (
        CLIENT_ID,
        SECRET,
    )
    for name, value in case.headers:
        assert request.headers[name] == value
    if case.sent_json is None:
        assert request.content == b""
    else:
        assert request.headers["Content-Type"] == "application/json"
        assert json.loads(request.content) == case.sent_json


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_each_operation_raises_the_typed_error(
    items: ModuleType, case: Case, is_async: bool
) -> None:
    status, error_type, error_code, class_name = case.error
    body = plaid_error(error_type, error_code)
    body["error_message"] = f"echoing {BODY_SECRET} and {SECRET}"  # type: ignore[index]
    router = Router({(case.method, case.path): json_reply(status, body)}, [])
    sync_client, async_client = make_clients(items, router)
    with pytest.raises(items.APIStatusError) as caught:
        run(is_async, lambda: case.call(async_client if is_async else sync_client, items.models))
    error = caught.value
    assert type(error).__name__ == class_name and error.status_code == status
    assert (error.error_type, error.error_code) == (error_type, error_code)
    assert SECRET not in str(error) and SECRET not in repr(error.body)
    if case.operation == "item_get":  # its body carried a credential property
        assert BODY_SECRET not in str(error) and "[REDACTED]" in str(error)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_parse_response_tells_the_operations_apart(items: ModuleType, case: Case) -> None:
    router = Router({(case.method, case.path): json_reply(200, case.success)}, [])
    client, _ = make_clients(items, router)
    raw = case.call(client.with_raw_response, items.models)
    case.check(raw.parse(), items.models)
    response = httpx.Response(200, content=raw.content, request=router.requests[0])
    case.check(items.parse_response(response), items.models)
    case.check(items.parse_response(response, operation=case.operation), items.models)


ALIAS_WARNING = (
    "fetch_item() is deprecated since plaid_items_client 1.1.0 and goes in a later major "
    "release: use item_get() instead (same arguments)"
)


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("raw", [False, True], ids=["model", "raw"])
def test_a_deprecated_alias_still_works_and_warns(
    items: ModuleType, is_async: bool, raw: bool
) -> None:
    (case,) = [case for case in CASES if case.operation == "item_get"]
    router = Router({(case.method, case.path): json_reply(200, case.success)}, [])
    sync_client, async_client = make_clients(items, router)
    client = async_client if is_async else sync_client
    target = client.with_raw_response if raw else client
    body = items.models.ItemGetRequest(access_token="access-sandbox-1", secret=BODY_SECRET)
    with pytest.warns(DeprecationWarning) as caught:
        result = run(is_async, lambda: target.fetch_item(body=body, max_retries=0))
    assert [str(warning.message) for warning in caught] == [ALIAS_WARNING]
    assert caught[0].filename == __file__  # stacklevel: the caller's line, not the client's
    case.check(result.parse() if raw else result, items.models)
    (request,) = router.requests
    assert (request.method, request.url.path) == (case.method, case.path)
    assert json.loads(request.content) == case.sent_json


def test_the_new_name_does_not_warn(items: ModuleType) -> None:
    (case,) = [case for case in CASES if case.operation == "item_get"]
    router = Router({(case.method, case.path): json_reply(200, case.success)}, [])
    client, _ = make_clients(items, router)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        case.check(case.call(client, items.models), items.models)


def test_the_alias_is_documented_as_deprecated(items: ModuleType) -> None:
    doc = items.PlaidSessionClient.fetch_item.__doc__
    assert doc.startswith("Deprecated since 1.1.0: use `item_get()`"), doc
