"""Import cost in a fresh process, beyond each client's HTTP library.

Ours is measured after `import httpx`; plaid-python's after `import urllib3, dateutil`, so
each number is what the client itself adds to a program that already has its HTTP stack. The
target (≤ 10 ms) is for importing the package and constructing a client; importing the request
models too (which loads attrs) is shown beside it, and compared with plaid-python doing the same.
"""

from __future__ import annotations

import os
import subprocess
import sys

from plaid_tools.bench.figures import Figure, Spread, at_most, ratio_rounds

ROUNDS = 9
PROBE = """
import time
{baseline}
started = time.perf_counter()
{client}
print((time.perf_counter() - started) * 1000)
"""
# What the target is about: a program that imports the client and builds it at start-up.
CONSTRUCT = (
    "import httpx",
    "from plaid_session_client import PlaidSessionClient\n"
    "PlaidSessionClient(\n"
    "    client_id='5f8a3c1e9b7d2a4c6e0f1b3d', secret='9c4e7a1b3d5f8e2c0a6b4d9f1e3c7a'\n"
    ")",
)
# Everything a program imports to make one call: the client and the request models.
OURS = (
    "import httpx",
    "from plaid_session_client import PlaidSessionClient\n"
    "from plaid_session_client.models import SessionTokenCreateRequest,"
    " SessionTokenCreateRequestUser",
)
ATTRS = ("import httpx", "import attrs")  # the design card's model library, part of ours
THEIRS = (
    "import urllib3, dateutil",
    "from plaid.api import plaid_api\n"
    "from plaid.model.session_token_create_request import SessionTokenCreateRequest\n"
    "from plaid.model.session_token_create_request_user import SessionTokenCreateRequestUser",
)


def _import_ms(baseline: str, client: str) -> float:
    code = PROBE.format(baseline=baseline, client=client)
    # As installed packages run: from cached bytecode. PYTHONDONTWRITEBYTECODE (set on some CI
    # machines) would make every probe compile from source and measure the compiler instead.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return float(out.stdout.strip())


def measure(notes: list[str]) -> list[Figure]:
    construct: list[float] = []
    ours: list[float] = []
    attrs_only: list[float] = []
    theirs: list[float] = []
    _import_ms(*CONSTRUCT), _import_ms(*OURS), _import_ms(*THEIRS)  # warm-up: bytecode caches
    for _ in range(ROUNDS):  # interleaved, so a noisy moment hits all of them
        construct.append(_import_ms(*CONSTRUCT))
        ours.append(_import_ms(*OURS))
        attrs_only.append(_import_ms(*ATTRS))
        theirs.append(_import_ms(*THEIRS))
    section = "Client import cost (fresh process)"
    return [
        Figure(
            section,
            "import + construct the client (after httpx)",
            Spread.of(construct),
            "ms",
            "plaid_session_client",
            "absolute (target is absolute)",
            at_most(10.0, "≤ 10 ms"),
            "models, attrs, httpcore and the TLS context load on first use",
        ),
        Figure(
            section,
            "client + request models (after httpx)",
            Spread.of(ours),
            "ms",
            "plaid_session_client",
            "absolute",
            None,
            "the models bring attrs",
        ),
        Figure(
            section,
            "… of which attrs",
            ratio_rounds(attrs_only, ours),
            "× ours",
            f"import attrs {Spread.of(attrs_only).format(1)} ms",
            "ours",
            None,
            "attrs is set by the design card; the rest is our models, errors and client",
        ),
        Figure(
            section,
            "ours / plaid-python (after urllib3 + dateutil)",
            ratio_rounds(ours, theirs),
            "× plaid-python",
            f"{Spread.of(ours).format(1)} ms",
            f"plaid-python {Spread.of(theirs).format(1)} ms",
            None,
        ),
    ]
