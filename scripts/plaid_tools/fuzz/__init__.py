"""A seeded hostile fuzz of the offline sandbox, over real sockets and in process.

    from plaid_tools import fuzz
    tally = fuzz.run_over_sockets(host, port, fuzz.requests(seed=1, count=10_000))
    assert not tally.problems and tally.unexpected_5xx == 0

Used by the sandbox's tests (a few thousand requests) and by `nox -s bench` (tens of thousands,
with memory measured over the run).
"""

from plaid_tools.fuzz.corpus import HostileRequest, requests
from plaid_tools.fuzz.transport import answer_in_process, exchange, run_in_process, run_over_sockets
from plaid_tools.fuzz.verdict import Answer, Tally, judge

__all__ = [
    "Answer",
    "HostileRequest",
    "Tally",
    "answer_in_process",
    "exchange",
    "judge",
    "requests",
    "run_in_process",
    "run_over_sockets",
]
