"""The hostile-input battery: inputs a careless or malicious client sends, over loopback.

Each must get a Plaid-format 4xx, never a 5xx, and the server must keep serving.
"""

from __future__ import annotations

import json

import httpx

from plaid_tools.bench import servers
from plaid_tools.bench.figures import Figure, Spread, at_most
from plaid_tools.bench.sandbox_load import VALID

PATH = "/session/token/create"
JSON = {"Content-Type": "application/json"}
CREDENTIALS = {k: v for k, v in VALID.headers.items() if k.startswith("PLAID-")}


def battery() -> list[tuple[str, str, str, dict[str, str], bytes]]:
    """(label, method, path, headers, body) for each hostile input."""
    valid = json.loads(VALID.body)
    deep = 100_000
    inputs: list[tuple[str, str, str, dict[str, str], bytes]] = [
        ("invalid UTF-8", "POST", PATH, JSON, b'{"template_id": "\xff\xfe"}'),
        ("10 MB body", "POST", PATH, JSON, b'{"x": "' + b"a" * 10_000_000 + b'"}'),
        ("100,000-deep arrays", "POST", PATH, JSON, b"[" * deep + b"]" * deep),
        ("100,000-deep objects", "POST", PATH, JSON, b'{"a":' * deep + b"1" + b"}" * deep),
        (
            "NUL bytes in a string",
            "POST",
            PATH,
            JSON,
            json.dumps({**valid, "webhook": "https://a\u0000b"}).encode(),
        ),
        ("raw NUL bytes", "POST", PATH, JSON, b"\x00" * 64),
        ("huge integer", "POST", PATH, JSON, b'{"template_id": ' + b"9" * 100_000 + b"}"),
        ("huge exponent", "POST", PATH, JSON, b'{"template_id": 1e999999}'),
        ("NaN literal", "POST", PATH, JSON, b'{"template_id": NaN}'),
        (
            "duplicate keys",
            "POST",
            PATH,
            JSON,
            b'{"template_id": "a", "template_id": "b", "user": {"client_user_id": "u"}}',
        ),
        ("empty body", "POST", PATH, JSON, b""),
        ("JSON array", "POST", PATH, JSON, b"[]"),
        ("JSON string", "POST", PATH, JSON, b'"hello"'),
        ("no content type", "POST", PATH, {}, VALID.body),
        (
            "form content type",
            "POST",
            PATH,
            {"Content-Type": "application/x-www-form-urlencoded"},
            b"template_id=a",
        ),
        (
            "malformed Plaid-Version",
            "POST",
            PATH,
            {**JSON, "Plaid-Version": "yesterday"},
            VALID.body,
        ),
        (
            "wrong types everywhere",
            "POST",
            PATH,
            JSON,
            json.dumps({"template_id": [], "user": "x", "webhook": 3, "secret": {}}).encode(),
        ),
        ("lone surrogate escape", "POST", PATH, JSON, b'{"template_id": "\\ud800"}'),
        ("GET on the endpoint", "GET", PATH, {}, b""),
        ("DELETE on the endpoint", "DELETE", PATH, {}, b""),
        ("unknown path", "POST", "/session/token/destroy", JSON, VALID.body),
        ("path traversal", "POST", "/session/token/../../etc/passwd", JSON, VALID.body),
        ("very long path", "POST", "/" + "a" * 8000, JSON, VALID.body),
        (
            "10,000 unknown fields",
            "POST",
            PATH,
            JSON,
            json.dumps({f"f{i}": i for i in range(10_000)}).encode(),
        ),
    ]
    return [
        (label, method, path, {**CREDENTIALS, **headers}, body)
        for label, method, path, headers, body in inputs
    ]


def measure(notes: list[str]) -> list[Figure]:
    tried = 0
    server_errors: list[str] = []
    with (
        servers.offline_sandbox() as running,
        httpx.Client(base_url=running.base_url, timeout=30) as client,
    ):
        for label, method, path, headers, body in battery():
            tried += 1
            try:
                response = client.request(method, path, headers=headers, content=body)
            except httpx.HTTPError as error:
                server_errors.append(f"{label}: {type(error).__name__}")
                continue
            if response.status_code >= 500 or "error_code" not in response.text[:2000]:
                server_errors.append(f"{label}: {response.status_code}")
        still_serving = client.post(PATH, headers=VALID.headers, content=VALID.body).status_code
    if server_errors:
        notes.append("Hostile inputs that failed: " + "; ".join(server_errors))
    return [
        Figure(
            "Reliability",
            "hostile-input battery: 5xx or non-Plaid answers",
            Spread.of([float(len(server_errors))]),
            "inputs",
            f"{tried} inputs tried",
            f"valid request afterwards: {still_serving}",
            at_most(0, "0"),
        ),
    ]
