"""A raw HTTP/1.1 server on stdlib sockets that answers each request with a scripted behaviour.

The hostile-server battery (test_hostile_server.py) drives the generated client against it:
every byte the client receives is chosen here, so malformed status lines, resets in the middle
of a body or a drip just under the read timeout are as easy to send as a good answer.

A behaviour is called once per request the server has read, with a `Peer` to write to and the
index of the request (0 for the first attempt); it returns True to keep the connection open for
the next request. Connection threads are daemons and every wait is bounded, so a test that
fails never hangs the run.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

#: The longest any behaviour waits for the client (a hang ends when the client gives up).
MAX_WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class Received:
    """One request as the server read it."""

    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes


class Peer:
    """The server's side of one connection."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def send(self, data: bytes) -> bool:
        """Write all of `data`; False when the client has gone."""
        try:
            self._sock.sendall(data)
        except OSError:
            return False
        return True

    def drip(self, data: bytes, every: float) -> bool:
        """Write `data` one byte at a time, `every` seconds apart, until done or the client goes."""
        for index in range(len(data)):
            if not self.send(data[index : index + 1]):
                return False
            time.sleep(every)
        return True

    def reset(self) -> None:
        """Abort the connection with a TCP RST instead of an orderly close."""
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._sock.close()

    def wait_for_close(self, seconds: float = MAX_WAIT_SECONDS) -> None:
        """Say nothing until the client closes the connection (or `seconds` pass)."""
        self._sock.settimeout(seconds)
        try:
            while self._sock.recv(65536):
                pass
        except OSError:
            pass


Behaviour = Callable[[Peer, Received, int], bool]


@dataclass
class HostileServer:
    """Listens on 127.0.0.1; `answer(behaviour)` sets how the next requests are answered."""

    behaviour: Behaviour = field(default=lambda peer, request, index: False)
    requests: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._lock = threading.Lock()
        self._connections: list[socket.socket] = []
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self._listener.getsockname()
        return f"http://{host}:{port}"

    @contextmanager
    def answering(self, behaviour: Behaviour) -> Iterator[HostileServer]:
        self.behaviour = behaviour
        self.requests.clear()
        try:
            yield self
        finally:
            self._drop_connections()

    def close(self) -> None:
        self._stopped = True
        self._listener.close()
        self._drop_connections()

    def _drop_connections(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.close()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._connections.append(connection)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        connection.settimeout(MAX_WAIT_SECONDS)
        buffer = b""
        with connection:
            while True:
                try:
                    request, buffer = _read_request(connection, buffer)
                except OSError:
                    return
                if request is None:
                    return
                with self._lock:
                    self.requests.append(request)
                    index = len(self.requests) - 1
                try:
                    if not self.behaviour(Peer(connection), request, index):
                        return
                except OSError:
                    return


def _read_request(connection: socket.socket, buffer: bytes) -> tuple[Received | None, bytes]:
    while b"\r\n\r\n" not in buffer:
        chunk = connection.recv(65536)
        if not chunk:
            return None, b""
        buffer += chunk
    head, _, buffer = buffer.partition(b"\r\n\r\n")
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    method, path, _ = request_line.split(" ", 2)
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(buffer) < length:
        chunk = connection.recv(65536)
        if not chunk:
            return None, b""
        buffer += chunk
    return Received(method, path, headers, buffer[:length]), buffer[length:]


# --- building answers ------------------------------------------------------------------------

REASONS = {200: "OK", 204: "No Content", 400: "Bad Request", 429: "Too Many Requests"}


def response_bytes(
    status: int,
    body: bytes = b"",
    headers: Sequence[tuple[str, str]] = (),
    *,
    reason: str | None = None,
    content_length: bool = True,
) -> bytes:
    """A complete HTTP/1.1 response; Content-Length is added unless told otherwise."""
    lines = [f"HTTP/1.1 {status} {reason if reason is not None else REASONS.get(status, 'Status')}"]
    lines += [f"{name}: {value}" for name, value in headers]
    if content_length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def reply(
    status: int,
    body: bytes = b"",
    headers: Sequence[tuple[str, str]] = (),
    *,
    reason: str | None = None,
) -> Behaviour:
    """Answer with one well-framed response and keep the connection open."""
    data = response_bytes(status, body, headers, reason=reason)
    return lambda peer, request, index: peer.send(data)


JSON_HEADERS = (("Content-Type", "application/json; charset=utf-8"),)


def reply_json(status: int, data: object, headers: Sequence[tuple[str, str]] = ()) -> Behaviour:
    return reply(status, json.dumps(data).encode(), (*JSON_HEADERS, *headers))


def reply_gzip(status: int, body: bytes, headers: Sequence[tuple[str, str]] = ()) -> Behaviour:
    return reply(status, gzip.compress(body), (*headers, ("Content-Encoding", "gzip")))


def raw(data: bytes, *, then: str = "close") -> Behaviour:
    """Write `data` as it is, then close the connection ("close"), reset it ("reset") or wait
    for the client to give up ("hang")."""

    def behave(peer: Peer, request: Received, index: int) -> bool:
        peer.send(data)
        if then == "reset":
            peer.reset()
        elif then == "hang":
            peer.wait_for_close()
        return False

    return behave


def drip(data: bytes, every: float, *, at_once: int = 0) -> Behaviour:
    """Write the first `at_once` bytes of `data`, then the rest a byte at a time, just fast
    enough to beat any read timeout above `every`."""
    return lambda peer, request, index: (
        peer.send(data[:at_once]) and peer.drip(data[at_once:], every) and False
    )


def hang() -> Behaviour:
    """Read the request, then say nothing at all."""
    return raw(b"", then="hang")


def in_turn(*behaviours: Behaviour) -> Behaviour:
    """Attempt n gets behaviours[n]; the last one repeats."""
    return lambda peer, request, index: behaviours[min(index, len(behaviours) - 1)](
        peer, request, index
    )


def from_request(make: Callable[[Received], Behaviour]) -> Behaviour:
    """A behaviour built from what the client sent (to echo its headers back, say)."""
    return lambda peer, request, index: make(request)(peer, request, index)
