"""Transient versus reproducible: an answer that may be the target's own trouble is re-sent; a
re-send that gets another answer makes the trouble instability (listed, never a failure), one that
gets it again leaves it to be judged; a target too unstable to judge ends the run inconclusive."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
import requests
from plaid_contracts.infra.instability import Instability
from plaid_contracts.infra.throttle import BackoffPolicy, Rate, Throttle
from plaid_contracts.recording.masking import Masker
from plaid_contracts.recording.recorder import Recorder, load_cassette
from plaid_contracts.runtime.transport import Pacer, Received, Sent
from plaid_offline_sandbox import catalogue
from plaid_offline_sandbox.responses import error_body

from tests.contracts.helpers import FAST, RunResult

SENT = Sent("POST", "http://127.0.0.1:1/session/token/create", [], b"{}")
SUCCESS = b'{"link_token": "link-sandbox-1", "request_id": "req000000000001"}'


def plaid_error(error: catalogue.PlaidErrorDef, request_id: str) -> bytes:
    return error_body(error, request_id, error.message)


INTERNAL = plaid_error(catalogue.INTERNAL_SERVER_ERROR, "req500000000001")
MAINTENANCE = plaid_error(catalogue.PLANNED_MAINTENANCE, "req503000000001")


class Script:
    """Attempts answered in order: (status, body, headers), or an exception for no answer."""

    def __init__(self, *answers: tuple[int, bytes, list[tuple[str, str]]] | Exception) -> None:
        self._answers: Iterator[tuple[int, bytes, list[tuple[str, str]]] | Exception] = iter(
            answers
        )

    def __call__(self) -> Received[None]:
        answer = next(self._answers)
        if isinstance(answer, Exception):
            raise answer
        status, body, headers = answer
        return Received(None, status, headers, body)


def pacer(
    instability: Instability | None = None, throttle: Throttle | None = None
) -> tuple[Pacer, list[float], Recorder]:
    waits: list[float] = []
    recorder = Recorder(Masker(None))
    made = Pacer(
        throttle or Throttle(None),
        recorder,
        BackoffPolicy(),
        source="schemathesis",
        instability=instability,
        sleep=waits.append,
    )
    return made, waits, recorder


def send(made: Pacer, script: Script) -> int:
    received, _ = made.send(
        SENT,
        script,
        no_answer=requests.RequestException,
        not_sent=requests.ConnectionError,
    )
    return received.status


def test_a_transient_500_is_re_sent_and_the_other_answer_judged() -> None:
    made, waits, recorder = pacer()
    assert send(made, Script((500, INTERNAL, []), (200, SUCCESS, []))) == 200
    assert waits == [1.0]
    assert [(i.status, i.note) for i in recorder] == [
        (500, "possibly the target's own trouble, re-sent"),
        (200, ""),
    ]
    data = made.instability.to_json()
    assert data["requests"] == data["resent"] == data["transient_requests"] == 1
    assert data["transient"] == [
        {
            "status": 500,
            "error_code": "INTERNAL_SERVER_ERROR",
            "request_id": "req500000000001",
            "interaction": 1,
            "source": "schemathesis",
            "answer": "500 API_ERROR/INTERNAL_SERVER_ERROR",
        }
    ]


def test_a_reproducible_500_is_judged_and_not_listed() -> None:
    made, waits, recorder = pacer()
    assert send(made, Script(*[(500, INTERNAL, [])] * 3)) == 500
    assert waits == [1.0, 2.0]  # twice, backing off
    assert len(recorder) == 3
    assert made.instability.resent == 1 and made.instability.transient == []


def test_maintenance_retry_after_is_honoured_and_re_sends_are_paced() -> None:
    slots: list[float] = []
    throttle = Throttle(Rate(5, 1.0), clock=lambda: 0.0, sleep=slots.append)
    made, waits, _ = pacer(throttle=throttle)
    headers = [("Retry-After", "3")]
    assert send(made, Script((503, MAINTENANCE, headers), (200, SUCCESS, []))) == 200
    assert waits == [3.0]
    assert slots == [0.2]  # the re-send waited for its slot under --rate like any request
    assert made.instability.transient[0].error_code == "PLANNED_MAINTENANCE"


def test_a_reset_connection_is_re_sent() -> None:
    made, _, recorder = pacer()
    assert send(made, Script(requests.ConnectionError("reset"), (200, SUCCESS, []))) == 200
    assert [(i.status, i.note) for i in recorder] == [
        (None, "no response: ConnectionError, re-sent"),
        (200, ""),
    ]
    assert made.instability.transient[0].error_code == "ConnectionError"


def test_no_answer_on_every_attempt_is_judged_however_it_failed() -> None:
    made, _, recorder = pacer()
    attempts = [requests.ConnectionError("reset"), requests.ReadTimeout("slow")]
    with pytest.raises(requests.ReadTimeout):
        send(made, Script(*attempts, requests.ReadTimeout("slow")))
    assert len(recorder) == 3
    assert made.instability.transient == [] and made.instability.unanswered == 1


def test_an_answer_that_is_no_trouble_is_sent_once() -> None:
    made, waits, recorder = pacer()
    refused = plaid_error(catalogue.INVALID_API_KEYS, "req400000000001")
    assert send(made, Script((400, refused, []))) == 400
    assert waits == [] and len(recorder) == 1
    assert made.instability.resent == 0


def test_nothing_but_trouble_for_the_silence_limit_stops_sending() -> None:
    now = [0.0]
    instability = Instability(silence_limit_seconds=60, clock=lambda: now[0])
    made, _, recorder = pacer(instability)

    def down() -> Received[None]:
        now[0] += 25  # each attempt takes 25 s to fail
        raise requests.ConnectionError("refused")

    for _ in range(2):  # 3 attempts each, 25 s apart: the limit is passed in the second
        with pytest.raises(requests.ConnectionError, match="refused"):
            made.send(
                SENT, down, no_answer=requests.ConnectionError, not_sent=requests.ConnectionError
            )
    assert instability.stopped.startswith("the target gave nothing but trouble")
    recorded = len(recorder)
    with pytest.raises(requests.ConnectionError, match="not sent"):
        made.send(SENT, down, no_answer=requests.ConnectionError, not_sent=requests.ConnectionError)
    assert len(recorder) == recorded  # not sent, not recorded
    assert instability.inconclusive_reason() == instability.stopped


def test_more_than_a_fifth_unstable_is_inconclusive() -> None:
    instability = Instability()
    made, _, _ = pacer(instability)
    for _ in range(4):
        send(made, Script((200, SUCCESS, [])))
    assert send(made, Script((500, INTERNAL, []), (200, SUCCESS, []))) == 200
    assert instability.inconclusive_reason() == ""  # 1 of 5: 20 %, not more
    assert send(made, Script((500, INTERNAL, []), (200, SUCCESS, []))) == 200
    assert instability.inconclusive_reason().startswith("33% of the 6 requests were unstable")


# --- whole runs --------------------------------------------------------------------------------


def summary_json(result: RunResult) -> dict[str, object]:
    data: dict[str, object] = json.loads((result.reports_dir / "summary.json").read_text())
    return data


def test_one_transient_500_passes_with_one_instability_entry(
    run_contracts: Callable[..., RunResult],
) -> None:
    # The offline sandbox's own fault script: its 10th request answers 500 API_ERROR.
    script = ",".join(["ok"] * 9 + ["internal_error", "ok"])
    result = run_contracts(*FAST, env={"PLAID_SANDBOX_FAULT": script})
    assert result.returncode == 0, result.stdout + result.stderr
    instability = summary_json(result)["instability"]
    assert isinstance(instability, dict)
    assert instability["transient_requests"] == 1
    [entry] = instability["transient"]
    assert (entry["status"], entry["error_code"]) == (500, "INTERNAL_SERVER_ERROR")
    section = result.summary.split("## Target instability", 1)[1].split("## Failures", 1)[0]
    assert f"| 500 | INTERNAL_SERVER_ERROR | 1 | `{entry['request_id']}` |" in section
    assert "## Failures\n\nNone." in result.summary
    interactions = load_cassette(result.reports_dir / "cassette.yaml")["interactions"]
    assert [i["id"] for i in interactions if "re-sent" in i["note"]] == [entry["interaction"]]


def test_a_500_on_every_attempt_for_one_input_fails(
    run_mutant_in_process: Callable[..., RunResult],
) -> None:
    # A 500 for every non-ASCII value: re-sent, the same again, so it is judged.
    result = run_mutant_in_process("unicode-crash", "--assumptions", "observe", *FAST)
    assert result.returncode == 1, result.stdout + result.stderr
    summary = summary_json(result)
    assert summary["verdict"] == "failed"
    failures = summary["failures"]
    assert isinstance(failures, list)
    assert "not_a_server_error" in {item["check"] for item in failures}
    instability = summary["instability"]
    assert isinstance(instability, dict)
    assert instability["resent"] > 0 and instability["transient"] == []
    assert "## Target instability" in result.summary


def test_a_target_down_for_good_is_inconclusive(
    run_mutant_in_process: Callable[..., RunResult],
) -> None:
    result = run_mutant_in_process("goes-down", "--assumptions", "observe", "--silence-limit", "2")
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.summary.startswith("# Contract run: INCONCLUSIVE\n\n> Too unstable to judge:")
    assert summary_json(result)["verdict"] == "inconclusive"
    assert "contracts: INCONCLUSIVE" in result.stdout
