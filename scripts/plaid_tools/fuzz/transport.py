"""Sending hostile requests: raw bytes over loopback sockets, or straight into the ASGI app."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

from plaid_tools.fuzz.corpus import HostileRequest
from plaid_tools.fuzz.verdict import Answer, Tally

READ_TIMEOUT = 15.0  # a 1 MiB body with 100,000 escapes takes well under a second


class _Closed(Exception):
    """The server closed the connection before a complete answer."""


class _Connection:
    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_connection((host, port), timeout=READ_TIMEOUT)
        self.buffer = b""
        self.used = False

    def close(self) -> None:
        self.sock.close()

    def _fill(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise _Closed
        self.buffer += data

    def read_answer(self, head: bool) -> Answer:
        while True:
            while b"\r\n\r\n" not in self.buffer:
                self._fill()
            raw_head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            status_line, *lines = raw_head.split(b"\r\n")
            if not status_line.startswith(b"HTTP/1.1 1"):
                break  # an interim answer (100 Continue) has no body: the real one follows
        headers = tuple(
            (name.strip().lower(), value.strip())
            for name, _, value in (line.partition(b":") for line in lines)
        )
        status = int(status_line.split()[1])
        length = next((int(v) for n, v in headers if n == b"content-length"), None)
        closing = (b"connection", b"close") in headers
        if head and not closing:
            length = 0  # an answer to HEAD has no body (uvicorn's refusal has one, then closes)
        if length is None:  # no length: the body runs to the end of the connection
            try:
                while True:
                    self._fill()
            except _Closed:
                body, self.buffer = self.buffer, b""
        else:
            while len(self.buffer) < length:
                self._fill()
            body, self.buffer = self.buffer[:length], self.buffer[length:]
        return Answer(status, headers, body)


def run_over_sockets(
    host: str, port: int, requests: Iterable[HostileRequest], tally: Tally | None = None
) -> Tally:
    """Send each request on a kept-alive connection (a new one when the last was closed)."""
    tally = tally or Tally()
    connection: _Connection | None = None
    for index, request in enumerate(requests):
        tally.requests += 1
        for attempt in (1, 2):
            if connection is None:
                connection = _Connection(host, port)
            reused = connection.used
            connection.used = True
            try:
                answers, keep = _exchange(connection, request)
            except (_Closed, OSError):
                connection.close()
                connection = None
                if reused and attempt == 1:
                    continue  # the server closed an idle kept-alive connection: retry once
                tally.no_answer += 1
                break
            for answer in answers:
                tally.record(request, answer, index, head=request.method == b"HEAD")
            if not keep:
                connection.close()
                connection = None
            break
    if connection is not None:
        connection.close()
    return tally


def exchange(host: str, port: int, request: HostileRequest) -> list[Answer]:
    """The answers to one request on a connection of its own ([] when it was closed unanswered)."""
    connection = _Connection(host, port)
    try:
        return _exchange(connection, request)[0]
    except (_Closed, OSError):
        return []
    finally:
        connection.close()


def _exchange(connection: _Connection, request: HostileRequest) -> tuple[list[Answer], bool]:
    """The answers read, and whether the connection may carry another request."""
    try:
        connection.sock.sendall(request.to_wire())
        if request.half_close:
            connection.sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass  # the server refused mid-request and closed: its answer may still be there to read
    head = request.method == b"HEAD"
    answers: list[Answer] = []
    keep = request.keep_alive
    for number in range(request.answers):
        try:
            answer = connection.read_answer(head)
        except _Closed:
            if number == 0:
                raise
            break  # fewer answers than requests: the server refused one and closed
        answers.append(answer)
        if answer.header(b"connection") == b"close":
            keep = False
            break
    return answers, keep


# --- in process ------------------------------------------------------------------------------


def _scope(request: HostileRequest) -> dict[str, Any]:
    raw_path, _, query = request.target.partition(b"?")
    raw_path = raw_path.partition(b"#")[0]
    path = raw_path.decode("latin-1")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": request.version.removeprefix(b"HTTP/").decode("latin-1"),
        "method": request.method.decode("latin-1"),
        "scheme": "http",
        "path": unquote(path) if "%" in path else path,
        "raw_path": raw_path,
        "query_string": query,
        "root_path": "",
        "headers": [(name.lower(), value) for name, value in request.headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8100),
    }


class _Collector(logging.Handler):
    """Error records of the sandbox's logger: an unhandled exception is a finding."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


async def _call(app: Any, request: HostileRequest) -> tuple[list[dict[str, Any]], str | None]:
    chunks = request.body_chunks()
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if chunks:
            body = chunks.pop(0)
            return {"type": "http.request", "body": body, "more_body": bool(chunks)}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    try:
        await app(_scope(request), receive, send)
    except Exception as error:  # the server would abort the connection
        return messages, type(error).__name__
    return messages, None


def answer_in_process(app: Any, request: HostileRequest) -> Answer | None:
    """The app's answer to one request, or None when it raised (e.g. a `drop` fault)."""
    messages, raised = asyncio.run(_call(app, request))
    if raised is not None or len(messages) != 2:
        return None
    return _answer(messages)


def _answer(messages: list[dict[str, Any]]) -> Answer:
    start, body = messages
    return Answer(start["status"], tuple(start["headers"]), body.get("body", b""))


def run_in_process(
    app: Any, requests: Iterable[HostileRequest], tally: Tally | None = None
) -> Tally:
    """Call the ASGI app directly with each request that has an in-process form."""
    tally = tally or Tally()
    collector = _Collector()
    sandbox_logger = logging.getLogger("plaid_offline_sandbox")
    sandbox_logger.addHandler(collector)

    async def run_all() -> None:
        for index, request in enumerate(requests):
            if request.wire is not None:
                continue
            tally.requests += 1
            messages, raised = await _call(app, request)
            if raised is not None or len(messages) != 2:
                tally.no_answer += 1
                if not (request.deliberate and raised == "DropConnection"):
                    tally.problems.append(f"#{index} [{request.family}] app raised {raised}")
                continue
            tally.record(request, _answer(messages), index, head=False)

    try:
        asyncio.run(run_all())
    finally:
        sandbox_logger.removeHandler(collector)
    tally.problems += [f"sandbox logged: {message}" for message in collector.messages]
    return tally
