"""One call per operation of specs/shapes.yaml, blocking and asyncio, against a mock transport:
an optional request body, a 201, a body-less 204, a text/plain success, query parameters of
several types; every property template's result (integers, numbers, booleans, date-times,
nested arrays, typed additional properties, enums, an open enum, a union of models) and its
refusal of a value of the wrong JSON type."""

from __future__ import annotations

import asyncio
import copy
import datetime
from collections.abc import Callable
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.templates.conftest import CLIENT_ID, SECRET, Router, json_reply, plaid_error

# On one xdist worker, so that its fixture is made once: conftest.rendered.
pytestmark = pytest.mark.xdist_group("template-specs")

THING: dict[str, Any] = {
    "thing_id": 7,
    "count": 3,
    "ratio": 2,  # JSON has one number type: an integer is a valid `number`
    "active": True,
    "created_at": "2030-01-02T03:04:05+01:00",
    "grid": [[1, 2], [3]],
    "scores": {"speed": 1.5, "size": 2},
    "kind": "round",
    "label": "hand-written",
    "owner": {"org_id": "org-1", "seats": 4},
    "retired_at": None,
    "weight": None,
}


@pytest.fixture
def shapes(load: Callable[[str], ModuleType]) -> ModuleType:
    return load("shapes")


def call(
    shapes: ModuleType, router: Router, is_async: bool, method: str, *args: Any, **kwargs: Any
) -> Any:
    options: dict[str, Any] = {"client_id": CLIENT_ID, "secret": SECRET, "max_retries": 0}
    if not is_async:
        with shapes.PlaidSessionClient(transport=httpx.MockTransport(router), **options) as client:
            return getattr(client, method)(*args, **kwargs)

    async def main() -> Any:
        transport = httpx.MockTransport(router)
        async with shapes.AsyncPlaidSessionClient(transport=transport, **options) as client:
            return await getattr(client, method)(*args, **kwargs)

    return asyncio.run(main())


def check_thing(thing: Any, models: ModuleType) -> None:
    assert type(thing) is models.Thing
    assert (thing.thing_id, thing.count, thing.ratio, thing.active) == (7, 3, 2, True)
    assert thing.created_at == datetime.datetime(
        2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=1))
    )
    assert thing.grid == [[1, 2], [3]]
    assert type(thing.scores) is models.ThingScores
    assert thing.scores.additional_properties == {"speed": 1.5, "size": 2}
    assert thing.kind is models.Kind.ROUND
    assert thing.label == "hand-written"  # not a Kind: kept as the plain string
    assert type(thing.owner) is models.Org and thing.owner.seats == 4
    assert thing.retired_at is None and thing.weight is None


ASYNC = pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])


@ASYNC
def test_create_with_and_without_its_optional_body(shapes: ModuleType, is_async: bool) -> None:
    router = Router({("POST", "/things"): json_reply(201, THING)}, [])
    body = shapes.models.ThingInput(label="a", kind=shapes.models.Kind.SQUARE)
    check_thing(call(shapes, router, is_async, "things_create", body=body), shapes.models)
    check_thing(call(shapes, router, is_async, "things_create"), shapes.models)
    with_body, without = router.requests
    assert with_body.content == b'{"label":"a","kind":"square"}'
    assert without.content == b"" and "content-type" not in without.headers


@ASYNC
def test_list_sends_typed_query_parameters(shapes: ModuleType, is_async: bool) -> None:
    page = {
        "things": [THING, {**THING, "thing_id": 8, "owner": {"person_name": "Ada"}}],
        "next_cursor": None,
    }
    router = Router({("GET", "/things"): json_reply(200, page)}, [])
    kind = shapes.models.Kind.SQUARE
    result = call(shapes, router, is_async, "things_list", limit=5, min_ratio=0.5, kind=kind)
    assert type(result) is shapes.models.ThingPage and result.next_cursor is None
    check_thing(result.things[0], shapes.models)
    assert type(result.things[1].owner) is shapes.models.Person
    (request,) = router.requests
    assert sorted(request.url.params.multi_items()) == [
        ("kind", "square"),
        ("limit", "5"),
        ("min_ratio", "0.5"),
    ]


@ASYNC
def test_a_body_less_success_returns_none(shapes: ModuleType, is_async: bool) -> None:
    router = Router({("DELETE", "/things/7"): httpx.Response(204)}, [])
    assert call(shapes, router, is_async, "things_delete", 7) is None
    client = shapes.PlaidSessionClient(
        client_id=CLIENT_ID, secret=SECRET, transport=httpx.MockTransport(router)
    )
    raw = client.with_raw_response.things_delete(7)
    assert (raw.status_code, raw.parsed, raw.error, raw.parse()) == (204, None, None, None)


@ASYNC
def test_a_text_success_returns_the_text(shapes: ModuleType, is_async: bool) -> None:
    router = Router({("GET", "/things/7/label"): httpx.Response(200, text="round, größer")}, [])
    assert call(shapes, router, is_async, "thing_label_get", 7) == "round, größer"


OPERATIONS: list[tuple[str, str, str, tuple[Any, ...]]] = [
    ("things_create", "POST", "/things", ()),
    ("things_list", "GET", "/things", ()),
    ("things_delete", "DELETE", "/things/7", (7,)),
    ("thing_label_get", "GET", "/things/7/label", (7,)),
]


@ASYNC
@pytest.mark.parametrize(
    ("operation", "method", "path", "args"), OPERATIONS, ids=[o[0] for o in OPERATIONS]
)
def test_each_operation_raises_the_typed_error(
    shapes: ModuleType,
    operation: str,
    method: str,
    path: str,
    args: tuple[Any, ...],
    is_async: bool,
) -> None:
    router = Router(
        {(method, path): json_reply(400, plaid_error("INVALID_REQUEST", "INVALID_FIELD"))}, []
    )
    with pytest.raises(shapes.InvalidRequestError) as caught:
        call(shapes, router, is_async, operation, *args)
    assert (caught.value.status_code, caught.value.error_code) == (400, "INVALID_FIELD")


def mistyped(path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    body = copy.deepcopy(THING)
    target: Any = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("count",), "3"),
        (("ratio",), "2.5"),
        (("active",), 1),
        (("created_at",), "2030-01-02T03:04:05"),  # no offset
        (("grid", 0, 1), "2"),
        (("grid", 1), 3),
        (("scores", "speed"), "fast"),
        (("kind",), 5),
        (("label",), None),
        (("owner",), {"seats": 4}),
        (("weight",), "heavy"),
    ],
    ids=lambda v: repr(v),
)
def test_every_property_template_refuses_a_value_of_the_wrong_type(
    shapes: ModuleType, path: tuple[str | int, ...], value: object
) -> None:
    request = httpx.Request("POST", "https://sandbox.plaid.com/things")
    response = httpx.Response(201, json=mistyped(path, value), request=request)
    result = shapes.parse_response(response)
    assert type(result) is shapes.UnexpectedResponseError, (path, result)
    assert "does not match Thing" in str(result)
