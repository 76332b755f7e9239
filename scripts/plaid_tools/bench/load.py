"""Load over loopback: wrk when installed (Debian package `wrk`), a Python fallback otherwise.

wrk is written in C with an event loop per thread, so at these rates it is not the bottleneck;
the fallback is, and the report says which one ran.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

PATH = "/session/token/create"


@dataclass(frozen=True)
class Request:
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # socket errors and timeouts
    non_2xx: int
    status_5xx: int | None = None  # only known to the fallback and the counting wrk script

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def generator_name() -> str:
    return "wrk" if shutil.which("wrk") else "python asyncio fallback (may bottleneck)"


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal for ASCII


def _lua_script(request: Request, limit_per_thread: int) -> str:
    lines = ['wrk.method = "POST"', f"wrk.body = {_lua_string(request.body.decode())}"]
    lines += [
        f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in request.headers.items()
    ]
    if limit_per_thread:
        # Counting responses per thread lets a run stop after an exact number of requests.
        lines += [
            "count, fivexx = 0, 0",
            "function response(status, headers, body)",
            "  count = count + 1",
            "  if status >= 500 then fivexx = fivexx + 1 end",
            f"  if count >= {limit_per_thread} then wrk.thread:stop() end",
            "end",
            "function setup(thread) table.insert(threads, thread) end",
            "function done(summary, latency, requests)",
            "  local total = 0",
            "  for _, t in ipairs(threads) do total = total + t:get('fivexx') end",
            '  io.write(string.format("5xx: %d\\n", total))',
            "end",
        ]
        lines.insert(0, "threads = {}")
    return "\n".join(lines) + "\n"


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip())
    if not match:
        raise ValueError(f"unrecognised wrk duration {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> LoadResult:
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    if not total:
        raise ValueError(f"unrecognised wrk output:\n{output}")
    seconds = float(total.group(2)) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[total.group(3)]
    percentile = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    if set(percentile) != {"50", "99"}:
        raise ValueError(f"wrk printed no latency distribution:\n{output}")
    socket_errors = re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    fivexx = re.search(r"^5xx: (\d+)$", output, re.MULTILINE)
    return LoadResult(
        requests=int(total.group(1)),
        seconds=seconds,
        p50_ms=_duration_ms(percentile["50"]),
        p99_ms=_duration_ms(percentile["99"]),
        errors=sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        status_5xx=int(fivexx.group(1)) if fivexx else None,
    )


def run(
    base_url: str,
    request: Request,
    *,
    connections: int,
    seconds: float,
    total_requests: int = 0,
) -> LoadResult:
    """Drive `connections` keep-alive connections for `seconds` (or until `total_requests`)."""
    if not shutil.which("wrk"):
        return asyncio.run(_python_load(base_url, request, connections, seconds, total_requests))
    # One wrk thread: on a 2-core machine the server under test keeps the other core.
    threads = 1
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "request.lua"
        script.write_text(_lua_script(request, -(-total_requests // threads)), encoding="utf-8")
        duration = max(1, round(seconds))  # with a request cap, wrk still runs to the end
        command = ["wrk", "--latency", f"-t{threads}", f"-c{connections}", f"-d{duration}s"]
        command += ["--timeout", "5s", "-s", str(script), base_url + PATH]
        result = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_wrk(result.stdout)


async def _python_load(
    base_url: str, request: Request, connections: int, seconds: float, total_requests: int
) -> LoadResult:
    parts = urlsplit(base_url)
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Length: {len(request.body)}\r\n"
    )
    head += "".join(f"{k}: {v}\r\n" for k, v in request.headers.items()) + "\r\n"
    wire = head.encode() + request.body
    latencies: list[float] = []
    counters = {"errors": 0, "non_2xx": 0, "5xx": 0, "sent": 0}
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        try:
            reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        except OSError:
            counters["errors"] += 1
            return
        while time.perf_counter() < deadline and (
            not total_requests or counters["sent"] < total_requests
        ):
            counters["sent"] += 1
            started = time.perf_counter()
            try:
                writer.write(wire)
                status_line = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                counters["errors"] += 1
                return
            latencies.append((time.perf_counter() - started) * 1000)
            status = int(status_line.split()[1])
            counters["non_2xx"] += status >= 300
            counters["5xx"] += status >= 500
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else 0.0

    return LoadResult(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=pct(0.50),
        p99_ms=pct(0.99),
        errors=counters["errors"],
        non_2xx=counters["non_2xx"],
        status_5xx=counters["5xx"],
    )
