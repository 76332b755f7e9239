"""The physical ceiling: uvicorn answering one fixed JSON body, run the way the sandbox runs.

    python -m plaid_tools.bench.bare_app --port 8200 --body '{"a":1}' [--status 400]

It reads the request body (any real app must) and answers the same status and bytes every time,
with the sandbox's uvicorn options (loop, httptools, no websockets, no proxy headers, no access
log, no server header), except the sandbox's request-head bound, which is the sandbox's own cost.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from plaid_offline_sandbox.__main__ import uvicorn_options

BODY_ENV = "PLAID_BENCH_BARE_BODY"
STATUS_ENV = "PLAID_BENCH_BARE_STATUS"
Message = MutableMapping[str, Any]


def create_app() -> Callable[..., Awaitable[None]]:
    body = os.environ[BODY_ENV].encode()
    start = {
        "type": "http.response.start",
        "status": int(os.environ.get(STATUS_ENV, "200")),
        "headers": [
            (b"content-type", b"application/json; charset=utf-8"),
            (b"content-length", b"%d" % len(body)),
        ],
    }
    end = {"type": "http.response.body", "body": body}

    async def app(
        scope: Message,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[..., Awaitable[None]],
    ) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                reply = {"type": message["type"] + ".complete"}
                await send(reply)
                if message["type"] == "lifespan.shutdown":
                    return
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body", False):
            pass
        await send(start)
        await send(end)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--body", required=True, help="the JSON body every request gets")
    parser.add_argument("--status", type=int, default=200, help="its status (default 200)")
    args = parser.parse_args()
    import uvicorn

    os.environ[BODY_ENV] = args.body
    os.environ[STATUS_ENV] = str(args.status)
    options = uvicorn_options(args.host, args.port, args.workers, "warning")
    options["http"] = "httptools"  # stock: the ceiling without the sandbox's head bound
    uvicorn.run("plaid_tools.bench.bare_app:create_app", factory=True, **options)


if __name__ == "__main__":
    main()
