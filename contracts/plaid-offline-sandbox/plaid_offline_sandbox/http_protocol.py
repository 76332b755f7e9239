"""uvicorn's httptools protocol with a bound on the request head.

httptools buffers a request line and header values of any length before uvicorn sees them (and
uvicorn appends URL pieces without a limit), so one client could make the server hold megabytes
per connection. This protocol counts the bytes that arrive while a request head is being read
and refuses a head over ``MAX_HEAD_BYTES`` the way uvicorn refuses malformed HTTP: a plain-text
400 and a closed connection. The app never sees such a request, so no Plaid envelope is possible.
"""

from __future__ import annotations

from typing import Final

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Request line plus headers and the blank line after them. Generous for any real client (nginx,
# in front of most APIs, refuses a header line over 8 KiB by default).
MAX_HEAD_BYTES: Final = 64 * 1024
# uvicorn's own answer to a request it cannot parse; the same answer for one it will not.
REFUSAL_MESSAGE: Final = "Invalid HTTP request received."
_END_OF_HEAD: Final = b"\r\n\r\n"


class HeadLimitedHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol that refuses request heads over MAX_HEAD_BYTES.

    A head is counted from the first chunk read after the previous request ended (or the
    connection opened) to its blank line; pipelined requests sharing a chunk with the end of the
    previous one are counted from their next chunk on.
    """

    _reading_head = True  # bytes arriving now belong to a request head
    _head_bytes = 0  # of the current head, in earlier chunks
    _tail = b""  # the last bytes of the previous chunk: the blank line may straddle two
    _refused = False

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # answered already; the connection is closing
        if self._reading_head:
            window = self._tail + data if self._tail else data
            end = window.find(_END_OF_HEAD)
            if end < 0:
                size = self._head_bytes + len(data)
            else:
                size = self._head_bytes + end + len(_END_OF_HEAD) - len(self._tail)
            if size > MAX_HEAD_BYTES:
                self._refused = True
                self.logger.warning("Request head over %d bytes refused.", MAX_HEAD_BYTES)
                self.send_400_response(REFUSAL_MESSAGE)
                return
            if end < 0:
                self._head_bytes = size
                self._tail = window[-(len(_END_OF_HEAD) - 1) :]
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._reading_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._reading_head = True
        self._head_bytes = 0
        self._tail = b""
