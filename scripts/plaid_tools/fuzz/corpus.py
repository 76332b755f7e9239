"""Seeded hostile requests for the offline sandbox: what careless and malicious clients send.

Every request is a `HostileRequest`: the parts an HTTP client controls (method, target, version,
headers, body, framing), or for byte-level cases the exact bytes on the wire. The same seed gives
the same requests, so a failure names a seed and an index that reproduce it.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from plaid_offline_sandbox.config import DEFAULT_CLIENT_ID, DEFAULT_SECRET, DEFAULT_TEMPLATE_ID
from plaid_offline_sandbox.endpoints.session_token_create import TOP_LEVEL_FIELDS, USER_FIELDS

PATH = b"/session/token/create"
# The request head the sandbox's server accepts (plaid_offline_sandbox.http_protocol).
HEAD_LIMIT = 64 * 1024

Framing = Literal["length", "chunked", "none"]
Header = tuple[bytes, bytes]

# Fault steps that answer 5xx, or drop the connection, because the client asked for it.
DELIBERATE_STEPS = ("internal_error", "maintenance", "html_502", "status_520", "drop")


@dataclass(frozen=True)
class HostileRequest:
    """One request. ``wire`` (when set) is sent verbatim and has no in-process form."""

    family: str
    method: bytes = b"POST"
    target: bytes = PATH
    headers: tuple[Header, ...] = ()
    body: bytes = b""
    framing: Framing = "length"
    version: bytes = b"HTTP/1.1"
    wire: bytes | None = None
    # The most answers the wire can bring (pipelined requests), and whether the client then
    # closes its side (a body shorter than its Content-Length must not wait for a timeout).
    answers: int = 1
    half_close: bool = False
    deliberate: bool = False  # a fault step may answer 5xx or drop the connection
    expect_success: bool = False
    # False when bytes after the answer may or may not form another request: start afresh.
    reuse: bool = True

    @property
    def keep_alive(self) -> bool:
        return self.wire is None and not self.half_close and self.reuse

    def to_wire(self) -> bytes:
        if self.wire is not None:
            return self.wire
        head = [self.method + b" " + self.target + b" " + self.version, b"host: 127.0.0.1"]
        head += [name + b": " + value for name, value in self.headers]
        body = self.body
        has_length = any(n.lower() == b"content-length" for n, _ in self.headers)
        if self.framing == "length" and not has_length:
            head.append(b"content-length: " + str(len(body)).encode())
        elif self.framing == "chunked":
            head.append(b"transfer-encoding: chunked")
            body = _chunked(body)
        elif self.framing == "none":
            body = b""
        return b"\r\n".join(head) + b"\r\n\r\n" + body

    def body_chunks(self) -> list[bytes]:
        """The body as an ASGI server would hand it over (several messages when chunked)."""
        if self.framing == "none":
            return [b""]
        if self.framing == "chunked" and len(self.body) > 1:
            step = max(1, len(self.body) // 3)
            return [self.body[i : i + step] for i in range(0, len(self.body), step)]
        return [self.body]


def _chunked(body: bytes) -> bytes:
    step = max(1, len(body) // 3)
    parts = [body[i : i + step] for i in range(0, len(body), step)]
    return b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"


# --- building blocks -------------------------------------------------------------------------

JSON_CT: Header = (b"content-type", b"application/json")
CREDENTIAL_HEADERS: tuple[Header, ...] = (
    (b"plaid-client-id", DEFAULT_CLIENT_ID.encode()),
    (b"plaid-secret", DEFAULT_SECRET.encode()),
)
VALID_FIELDS: dict[str, bytes] = {
    "template_id": json.dumps(DEFAULT_TEMPLATE_ID).encode(),
    "user": b'{"client_user_id":"fuzz-user"}',
}
# Every field the sandbox knows, and one it does not at each level.
FIELDS = (
    *sorted(TOP_LEVEL_FIELDS),
    *(f"user.{name}" for name in sorted(USER_FIELDS)),
    "unknown_field",
    "user.unknown_field",
)
DEEP = 100_000

# JSON texts of every type, and of strings and numbers no ordinary encoder makes.
VALUES: tuple[bytes, ...] = (
    b"null",
    b"true",
    b"false",
    b"0",
    b"-0",
    b"1",
    b"-1",
    b"1.5",
    b"1e308",
    b"1e999999",
    b"-1e-999999",
    b"9" * 5_000,
    b"-" + b"9" * 100_000,
    b"0." + b"1" * 20_000,
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b'""',
    b'" "',
    b'"x"',
    b'"\\ud800"',
    b'"\\udfff\\ud800x"',
    b'"\xed\xa0\x80"',  # a raw (CESU-8) lone surrogate: not UTF-8
    b'"\xff\xfe"',
    b'"\\u0000"',
    b'"\x00"',
    b'"a\\nb\\t"',
    b'"\xc3\xa9\xe2\x82\xac\xf0\x9f\x92\xa5"',
    b'"\\u00e9\\u20ac"',
    b'"' + b"a" * 100_000 + b'"',
    b'"https://example.com/hook"',
    b'"https://\\ud800.example/x"',
    b'"http://[::1/x"',
    b'"https://ex ample.com"',
    json.dumps(DEFAULT_CLIENT_ID).encode(),
    json.dumps(DEFAULT_SECRET).encode(),
    json.dumps(DEFAULT_TEMPLATE_ID).encode(),
    b"[]",
    b'["x", 1, null]',
    b"{}",
    b'{"client_user_id": "u"}',
    b'{"client_user_id": "u", "user_id": "\\ud800"}',
    b"[" * 200 + b"]" * 200,
    b'{"a":' * 200 + b"1" + b"}" * 200,
)
CONTENT_TYPES: tuple[bytes | None, ...] = (
    None,
    b"",
    b" ",
    b"application/json",
    b"APPLICATION/JSON",
    b"application/json; charset=utf-8",
    b"application/json; charset=latin-1",
    b"application/json;;;",
    b"application/jsonx",
    b"application/*",
    b"text/plain",
    b"application/x-www-form-urlencoded",
    b"multipart/form-data; boundary=x",
    b"\xff\xfe",
    b"application/json\xe9",
    b"application/json; " + b"x" * 20_000,
)
ENCODINGS = (b"gzip", b"deflate", b"br", b"identity", b"gzip, gzip", b"x-unknown", b"")
METHODS = (b"GET", b"PUT", b"PATCH", b"DELETE", b"HEAD", b"OPTIONS", b"TRACE", b"post", b"FOO")
TARGETS = (
    b"/",
    b"/session/token/create/",
    b"//session/token/create",
    b"/session/token/create?x=1&x=2",
    b"/session/token/create?" + b"q" * 10_000,
    b"/session%2Ftoken%2Fcreate",
    b"/session/token/%63reate",
    b"/session/token/create%00",
    b"/session/token/%ED%A0%80",
    b"/session/token/%ff",
    b"/session/token/../token/create",
    b"/" + b"a" * 30_000,
    b"*",
    b"http://127.0.0.1/session/token/create",
    b"/session/token/create#fragment",
    b"/\xc3\xa9",
)
# Values for any request header the sandbox reads.
HEADER_VALUES: tuple[bytes, ...] = (
    b"",
    b" ",
    b"\t",
    b"x",
    b"\xe9\xff\x80",  # latin-1
    b"\xc3\xa9\xe2\x82\xac",  # UTF-8
    b"\xed\xa0\x80",  # a raw lone surrogate
    b"\\ud800",
    b"9" * 5_000,
    b"x" * 40_000,
    b"a,b,c," * 1_000,
)
READ_HEADERS = (
    b"content-type",
    b"content-length",
    b"plaid-version",
    b"plaid-client-id",
    b"plaid-secret",
    b"plaid-sandbox-fault",
    b"plaid-sandbox-fault-id",
)
# Fault script steps: valid ones (5xx kinds count as deliberate) and broken ones.
FAULT_STEPS = (
    "ok",
    "OK",
    " ok ",
    "rate_limit",
    "rate_limit:0",
    "rate_limit:7",
    "rate_limit:" + "9" * 400,
    "rate_limit:" + "9" * 5_000,
    "rate_limit:\u00b2",
    "rate_limit:\u0661",
    "rate_limit:-1",
    "rate_limit: 3",
    "slow:0",
    "slow:0.001",
    "slow:1e-400",
    "slow:nan",
    "slow:inf",
    "slow:61",
    "slow:-1",
    "slow:" + "0" * 5_000,
    "slow",
    "new_error_type",
    "new_error_type:1",
    "internal_error",
    "maintenance",
    "html_502",
    "status_520",
    "drop",
    "",
    "nope",
    "\u00e9",
    "ok:" + "x" * 1_000,
)


# --- the families ----------------------------------------------------------------------------


def _object(fields: dict[str, bytes]) -> bytes:
    return b"{" + b",".join(json.dumps(k).encode() + b":" + v for k, v in fields.items()) + b"}"


def _post(family: str, body: bytes, *headers: Header, **kw: object) -> HostileRequest:
    return HostileRequest(family, headers=(JSON_CT, *CREDENTIAL_HEADERS, *headers), body=body, **kw)  # type: ignore[arg-type]


def valid(rng: random.Random) -> HostileRequest:
    return _post("valid", _object(VALID_FIELDS), expect_success=True)


def random_bytes(rng: random.Random) -> HostileRequest:
    return _post("random bytes", rng.randbytes(rng.randrange(0, 2_000)))


def _random_json(rng: random.Random, depth: int = 0) -> object:
    roll = rng.random()
    if depth > 3 or roll < 0.5:
        return rng.choice(
            [
                None,
                True,
                False,
                rng.randrange(-(10**20), 10**20),
                rng.random() * 1e300,
                "",
                "".join(chr(rng.randrange(0x20, 0x2FFF)) for _ in range(rng.randrange(20))),
            ]
        )
    if roll < 0.75:
        return [_random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    keys = [*FIELDS, "x", "user", ""]
    return {rng.choice(keys): _random_json(rng, depth + 1) for _ in range(rng.randrange(5))}


def random_json(rng: random.Random) -> HostileRequest:
    return _post("random JSON", json.dumps(_random_json(rng)).encode())


def field_types(rng: random.Random) -> HostileRequest:
    """Start from a valid body; give one to three fields a value of any JSON type."""
    fields = dict(VALID_FIELDS)
    user: dict[str, bytes] = {"client_user_id": b'"fuzz-user"'}
    for _ in range(rng.randrange(1, 4)):
        name, value = rng.choice(FIELDS), rng.choice(VALUES)
        if name.startswith("user."):
            user[name[5:]] = value
            fields["user"] = _object(user)
        else:
            fields[name] = value
    headers = CREDENTIAL_HEADERS if rng.random() < 0.7 else ()
    return HostileRequest("field types", headers=(JSON_CT, *headers), body=_object(fields))


def every_field_every_type() -> Iterator[HostileRequest]:
    """Each field with each value, once: the systematic part of the corpus."""
    for name in FIELDS:
        for value in VALUES:
            fields = dict(VALID_FIELDS)
            if name.startswith("user."):
                fields["user"] = _object({"client_user_id": b'"u"', name[5:]: value})
            else:
                fields[name] = value
            yield HostileRequest(
                "every field, every type",
                headers=(JSON_CT, *CREDENTIAL_HEADERS),
                body=_object(fields),
            )


def odd_keys(rng: random.Random) -> HostileRequest:
    keys = [
        b'"\\ud800"',
        b'"\xed\xa0\x80"',
        b'""',
        b'"user"',
        b'"template_id"',
        b'"\\u0000"',
        b'"' + b"k" * 50_000 + b'"',
        b'"user.client_user_id"',
    ]
    pairs = [rng.choice(keys) + b":" + rng.choice(VALUES[:20]) for _ in range(rng.randrange(1, 6))]
    return _post("odd keys and duplicates", b"{" + b",".join(pairs) + b"}")


def huge(rng: random.Random) -> HostileRequest:
    choice = rng.randrange(7)
    if choice == 0:
        body = b"[" * DEEP + b"]" * DEEP
    elif choice == 1:
        body = b'{"a":' * DEEP + b"1" + b"}" * DEEP
    elif choice == 2:
        body = _object({f"f{i}": b"1" for i in range(10_000)})
    elif choice == 3:
        body = b'{"x": "' + b"a" * (1024 * 1024 + 1) + b'"}'
    elif choice == 4:
        body = _object({**VALID_FIELDS, "webhook": b'"https://a.example/' + b"p" * 900_000 + b'"'})
    elif choice == 5:
        body = b'{"template_id": ' + b"9" * 500_000 + b"}"
    else:
        body = b'{"x": "' + b"a" * 10_000_000 + b'"}'  # refused on its Content-Length
    return _post("huge bodies", body)


def content_type(rng: random.Random) -> HostileRequest:
    value = rng.choice(CONTENT_TYPES)
    headers = [(b"content-type", value)] if value is not None else []
    if rng.random() < 0.2:
        headers.append((b"content-type", rng.choice([b"text/plain", b"application/json"])))
    return HostileRequest(
        "content types",
        headers=(*headers, *CREDENTIAL_HEADERS),
        body=_object(VALID_FIELDS),
    )


def content_length(rng: random.Random) -> HostileRequest:
    """Content-Length values as the app sees them (in process) and as the parser sees them."""
    body = _object(VALID_FIELDS)
    if rng.random() < 0.15:
        # No Content-Length at all: the request has no body, and the body's bytes that follow
        # are read as the next request (garbage to the parser).
        bodiless = HostileRequest("x", headers=(JSON_CT, *CREDENTIAL_HEADERS), framing="none")
        return HostileRequest("content length", wire=bodiless.to_wire() + body, answers=2)
    value = rng.choice(
        [
            b"",
            b"-1",
            b"-0",
            b"+5",
            b"0x10",
            b"1e3",
            b"\xb2",
            b"\xd9\xa1",
            b" 10 ",
            b"9" * 30,
            b"99999999999999999999",
            b"1048577",
            str(len(body) + 5).encode(),
            str(max(0, len(body) - 5)).encode(),
            b"5, 5",
            b"abc",
        ]
    )
    headers: list[Header] = [(b"content-length", value)]
    if rng.random() < 0.3:
        headers.append((b"content-length", rng.choice([value, b"3", str(len(body)).encode()])))
    declared = value.strip()
    shorter = declared.isdigit() and len(declared) < 10 and int(declared) > len(body)
    return HostileRequest(
        "content length",
        headers=(JSON_CT, *CREDENTIAL_HEADERS, *headers),
        body=body,
        reuse=False,
        half_close=shorter,  # the server waits for the promised bytes: close our side
    )


def encoded_body(rng: random.Random) -> HostileRequest:
    """Chunked and compressed bodies (Content-Encoding is not decoded: assumption A30), some
    announced with Expect: 100-continue."""
    plain = _object(VALID_FIELDS)
    encoding = rng.choice(ENCODINGS)
    expect = [(b"expect", b"100-continue")] if rng.random() < 0.2 else []
    body = gzip.compress(plain) if encoding.startswith(b"gzip") and rng.random() < 0.7 else plain
    framing: Framing = "chunked" if rng.random() < 0.5 else "length"
    return HostileRequest(
        "chunked and gzip bodies",
        headers=(JSON_CT, *CREDENTIAL_HEADERS, (b"content-encoding", encoding), *expect),
        body=body,
        framing=framing,
    )


def method_and_path(rng: random.Random) -> HostileRequest:
    method = rng.choice([b"POST", *METHODS])
    target = rng.choice([PATH, *TARGETS])
    return HostileRequest(
        "methods and paths",
        method=method,
        target=target,
        headers=(JSON_CT, *CREDENTIAL_HEADERS),
        body=_object(VALID_FIELDS),
    )


def odd_header(rng: random.Random) -> HostileRequest:
    """Odd values, once or many times, in the headers the sandbox reads."""
    name = rng.choice(READ_HEADERS)
    value = rng.choice(HEADER_VALUES)
    repeat = rng.choice([1, 1, 2, 50])
    headers = [(b"content-type", b"application/json"), *CREDENTIAL_HEADERS]
    headers = [h for h in headers if h[0] != name] + [(name, value)] * repeat
    if name == b"content-length":
        headers = [h for h in headers if h[0] != name]  # the framing family covers it
    return HostileRequest(
        "odd header values",
        headers=tuple(headers),
        body=_object(VALID_FIELDS),
        deliberate=name == b"plaid-sandbox-fault" and _deliberate(value.decode("latin-1")),
    )


def _header_bytes(text: str) -> bytes:
    """Latin-1 where it can be (as servers decode headers), else UTF-8."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def _deliberate(script: str) -> bool:
    return any(step in script.lower() for step in DELIBERATE_STEPS)


def fault_headers(rng: random.Random) -> HostileRequest:
    steps = [rng.choice(FAULT_STEPS) for _ in range(rng.choice([1, 2, 3, 100, 101, 1_000]))]
    if rng.random() < 0.5:
        steps = [s for s in steps if s.split(":")[0].strip().lower() not in DELIBERATE_STEPS]
    script = ",".join(steps)
    headers: list[Header] = [(b"plaid-sandbox-fault", _header_bytes(script))]
    roll = rng.random()
    if roll < 0.4:
        fault_id = rng.choice(["a", "", "\u00e9" * 10, "i" * 256, "i" * 257, "x" * 20_000])
        fault_id += str(rng.randrange(100_000))
        headers.append((b"plaid-sandbox-fault-id", _header_bytes(fault_id)))
    elif roll < 0.8:
        headers.append((b"plaid-sandbox-fault-id", b"%032x" % rng.getrandbits(128)))
    if rng.random() < 0.1:
        headers.append((b"plaid-sandbox-fault", b"ok"))
    return HostileRequest(
        "fault headers",
        headers=(JSON_CT, *CREDENTIAL_HEADERS, *headers),
        body=_object(VALID_FIELDS),
        deliberate=_deliberate(script),
    )


def oversized_head(rng: random.Random) -> HostileRequest:
    name = rng.choice([*READ_HEADERS, b"x-other"])
    if rng.random() < 0.5:
        headers = [(name, b"v" * (HEAD_LIMIT + rng.randrange(1, 200_000)))]
    else:
        headers = [(b"x-h%d" % i, b"v" * 100) for i in range(HEAD_LIMIT // 80)]
    return HostileRequest(
        "oversized request head",
        headers=(JSON_CT, *CREDENTIAL_HEADERS, *headers),
        body=_object(VALID_FIELDS),
    )


def http_1_0(rng: random.Random) -> HostileRequest:
    extra = [(b"connection", b"keep-alive")] if rng.random() < 0.5 else []
    return HostileRequest(
        "HTTP/1.0",
        version=b"HTTP/1.0",
        headers=(JSON_CT, *CREDENTIAL_HEADERS, *extra),
        body=_object(VALID_FIELDS),
        expect_success=True,
        reuse=False,
    )


def pipelined(rng: random.Random) -> HostileRequest:
    count = rng.randrange(2, 6)
    parts = [rng.choice([valid, field_types, content_type, random_json])(rng) for _ in range(count)]
    return HostileRequest("pipelining", wire=b"".join(p.to_wire() for p in parts), answers=count)


def raw_garbage(rng: random.Random) -> HostileRequest:
    """Bytes that are not HTTP/1.1 at all, or nearly."""
    wire = rng.choice(
        [
            rng.randbytes(rng.randrange(1, 500)) + b"\r\n\r\n",
            b"POST /session/token/create HTTP/9.9\r\n\r\n",
            b"POST /session/token/create\r\n\r\n",
            b"POST  /session/token/create HTTP/1.1\r\n\r\n",
            b"POST /session/token/create HTTP/1.1\r\nhost: x\r\nbad header\r\n\r\n",
            b"POST /session/token/create HTTP/1.1\r\nhost: x\r\nx: a\x00b\r\n\r\n",
            b"POST /session/token/create HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n"
            b"\r\nzz\r\n{}\r\n0\r\n\r\n",
            b"POST /session/token/create HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n"
            b"content-length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
            b"POST /session/token/create HTTP/1.1\r\nhost: x\r\ntransfer-encoding: gzip\r\n\r\n{}",
            b"GET / HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n",
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        ]
    )
    return HostileRequest("not quite HTTP", wire=wire)


Family = Callable[[random.Random], HostileRequest]
# Weights: the families a fuzz run draws from (huge bodies are rare: each costs milliseconds).
FAMILIES: tuple[tuple[Family, int], ...] = (
    (valid, 8),
    (random_bytes, 8),
    (random_json, 8),
    (field_types, 20),
    (odd_keys, 4),
    (huge, 1),
    (content_type, 6),
    (content_length, 5),
    (encoded_body, 5),
    (method_and_path, 6),
    (odd_header, 10),
    (fault_headers, 10),
    (oversized_head, 1),
    (http_1_0, 2),
    (pipelined, 3),
    (raw_garbage, 3),
)


def requests(seed: int, count: int, *, in_process: bool = False) -> Iterator[HostileRequest]:
    """The systematic cases first, then `count` minus those drawn at random (seeded)."""
    rng = random.Random(seed)
    systematic = list(every_field_every_type())
    yield from systematic[:count]
    families = [f for f, _ in FAMILIES]
    weights = [w for _, w in FAMILIES]
    produced = len(systematic)
    while produced < count:
        request = rng.choices(families, weights)[0](rng)
        if in_process and request.wire is not None:
            continue  # bytes on the wire only: no ASGI form
        produced += 1
        yield request
