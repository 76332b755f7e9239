"""What every client test call must give, judged and recorded like every other finding.

An operation's client tests (contracts/suite/test_<operation>_client.py) build requests with the
generated client's models and call the generated client; ``ClientTests`` does the rest, the same
way for every operation: counts the case, checks the result (the success model valid for this
target, or the typed error Plaid's answer calls for), records findings with the last exchange's
reproduction, and never raises, so every example runs (the suite's conftest fails the test at
its end).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, settings
from plaid_session_client import APIConnectionError, APIStatusError, PlaidSessionClient

from plaid_contracts import rules
from plaid_contracts.checks import client_parsing as parsing
from plaid_contracts.checks.findings import PASSED
from plaid_contracts.checks.response_checks import (
    CLIENT_PARSES,
    error_status_divergence,
    request_id_repeat,
    tally_fields,
)
from plaid_contracts.checks.results import client_check
from plaid_contracts.infra import credentials
from plaid_contracts.infra.credentials import Credentials
from plaid_contracts.operations import Operation
from plaid_contracts.recording.stats import CLIENT_PHASE
from plaid_contracts.rules import Divergence, envelope
from plaid_contracts.rules.expectations import Expectation
from plaid_contracts.rules.judge import PlaidAnswer, judge
from plaid_contracts.rules.strategies import ExpectedError, RequestModel
from plaid_contracts.runtime.context import RunContext

Result = TypeVar("Result")

# Sent as extra_headers, drops the client's credential headers (body-only or no credentials).
NO_CREDENTIAL_HEADERS: Final[dict[str, str | None]] = dict.fromkeys(credentials.HEADERS.values())


def examples(count: int) -> settings:
    """Hypothesis settings of a client test running ``count`` examples.

    No example database (reproduce by seed), no deadline (a remote target is slow on purpose).
    Repeatable through the run's seed, which the runner gives hypothesis (--hypothesis-seed): the
    PR profile's is fixed, so PR runs send the same cases every time. No shrinking: findings
    never raise into hypothesis (see the suite's conftest).
    """
    phases = [phase for phase in Phase if phase not in (Phase.explain, Phase.shrink)]
    return settings(
        max_examples=count,
        phases=phases,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        print_blob=False,
    )


class ClientTests:
    """The run, one operation, and what its client tests share."""

    def __init__(self, run: RunContext, operation: Operation) -> None:
        self.run = run
        self.operation = operation
        run_settings = run.settings
        self.credentials = run_settings.credentials
        self.fixtures = operation.fixture_values(run_settings.fixtures)
        # --max-examples caps all three (capped_examples).
        self.many = examples(run_settings.effective_client_examples)
        self.few = examples(
            run_settings.capped_examples(max(3, run_settings.effective_client_examples // 3))
        )
        self.per_combination = examples(
            run_settings.capped_examples(run_settings.profile.combination_examples)
        )

    @contextmanager
    def client(self, pair: Credentials | None = None) -> Iterator[PlaidSessionClient]:
        """The generated client on the run's transport, with the run's credentials or ``pair``."""
        run_settings = self.run.settings
        with parsing.make_client(
            run_settings.target.base_url,
            pair or self.credentials,
            self.run.client_transport,
            run_settings.request_timeout_seconds,
        ) as made:
            yield made

    def begin(self, test: str) -> None:
        """One case of ``test``: what the next exchange is recorded and counted as."""
        self.run.recorder.current_test = test
        self.run.recorder.current_phase = CLIENT_PHASE
        self.run.count_case(self.operation.label, CLIENT_PHASE, test)

    def expect_success(
        self,
        test: str,
        body: RequestModel,
        call: Callable[[], Result],
        *,
        header_credentials: bool = True,
    ) -> Result | None:
        """Call the client; the result must be the success model, valid for this target."""
        expectation = self._classify(body, header_credentials)
        try:
            result = call()
        except APIConnectionError as exc:
            self._no_answer(test, exc)
            return None
        except APIStatusError as exc:
            self._answered(test)
            self._skip_if_throttled()
            tally_fields(self.run, self.operation, expectation, accepted=False)
            divergence = self._rejection(expectation, exc)
            self._check("client_typed_success", test, [divergence])
            return None
        self._answered(test)
        tally_fields(self.run, self.operation, expectation, accepted=True)
        found: list[Divergence] = []
        if not isinstance(result, self.operation.success_model):
            wanted = self.operation.success_model.__name__
            found.append(
                Divergence(CLIENT_PARSES, type(result).__name__, wanted, cause="not-success")
            )
        else:
            found += self._success_problems(result)
        self._check("client_typed_success", test, found)
        return result

    def expect_error(self, test: str, expected: ExpectedError, call: Callable[[], object]) -> None:
        """Call the client: it must raise the typed error of the body's error_type (the client's
        contract), and the error must be Plaid's answer to this request (its rule's strength)."""
        case = expected.case
        try:
            call()
        except APIConnectionError as exc:
            self._no_answer(test, exc)
            return
        except APIStatusError as exc:
            self._answered(test)
            self._skip_if_throttled()
            got, wanted = type(exc), parsing.expected_error_class(str(exc.error_type))
            typed = []
            if got is not wanted:
                answered = f"{got.__name__} for error_type {exc.error_type}"
                cause = f"class:{exc.error_type}"
                typed.append(Divergence(CLIENT_PARSES, answered, wanted.__name__, cause=cause))
            self._check("client_typed_error", test, typed)
            answered_error = (str(exc.error_type), str(exc.error_code))
            found: list[Divergence] = []
            if answered_error != (expected.error_type, expected.error_code):
                found.append(
                    Divergence(
                        expected.rule,
                        f"{exc.status_code} {answered_error[0]}/{answered_error[1]} "
                        f"({exc.error_message!r})",
                        f"{expected.error_type}/{expected.error_code} to {case.replace('_', ' ')}",
                        cause=f"{case}->{answered_error}",
                    )
                )
            status = error_status_divergence(
                PlaidAnswer(exc.status_code, answered_error, exc.error_message)
            )
            found += [status] if status else []
            self._check("client_expected_error", test, found)
            return
        self._answered(test)
        divergence = Divergence(
            expected.rule,
            "success",
            f"{expected.error_type}/{expected.error_code} to {case.replace('_', ' ')}",
            cause=f"{case}->success",
        )
        self._check("client_expected_error", test, [divergence])

    def _check(self, check: str, test: str, divergences: list[Divergence]) -> None:
        client_check(self.run, self.operation, check=check, test=test, divergences=divergences)

    def _answered(self, test: str) -> None:
        self.run.stats.check_result(self.operation.label, "plaid_answers", PASSED)

    def _success_problems(self, result: Any) -> list[Divergence]:
        """The operation's success check on the model, and request_id's rules."""
        run_settings = self.run.settings
        payload = result.to_dict()
        success = self.operation.success
        tallied = success.tally(payload, run_settings.target)
        if tallied is not None:
            self.run.stats.tally(self.operation.label, tallied)
        found = success.problems(
            payload,
            run_settings.target,
            run_settings.token_lifetime_seconds,
            run_settings.clock_skew_seconds,
            datetime.now(UTC),
        )
        request_id = payload.get("request_id")
        if envelope.request_id_shape_problem(request_id) is not None:
            expected = "15 characters of [A-Za-z0-9]"
            found.append(Divergence(rules.REQUEST_ID_FORMAT, repr(request_id), expected, "shape"))
        last = self.run.recorder.last()
        content = b"" if last is None else last.response_body.encode()
        repeat = request_id_repeat(self.run, content, None if last is None else last.number)
        return found + ([repeat] if repeat else [])

    def _classify(self, body: RequestModel, header_credentials: bool) -> Expectation:
        """What Plaid answers to the request the client will send (its headers, as JSON)."""
        headers = {"Content-Type": "application/json"}
        if header_credentials:
            headers |= self.credentials.headers()
        return self.operation.classify(
            headers, json.dumps(body.to_dict()), self.credentials, self.fixtures
        )

    def _rejection(self, expectation: Expectation, exc: APIStatusError) -> Divergence:
        """A valid request rejected: a failure, unless the rejection is of a value whose
        acceptance is only assumed (a random user_id, a redirect_uri without the run's
        allow-listed one): an observation. A documented value's refusal names it."""
        error = (str(exc.error_type), str(exc.error_code))
        answer = PlaidAnswer(exc.status_code, error, exc.error_message)
        return judge(expectation, answer) or Divergence(
            self.operation.when_valid.rule,
            f"{type(exc).__name__}: {error[0]}/{error[1]}: {exc.error_message}",
            "the success model",
            cause=f"rejected:{error}",
        )

    def _no_answer(self, test: str, exc: APIConnectionError) -> None:
        """No answer (a reset, a timeout): a finding like any other, not a crash of the test."""
        timeout = self.run.settings.request_timeout_seconds
        divergence = Divergence(
            rules.ANSWERS,
            f"no answer ({type(exc).__name__})",
            f"an HTTP answer within {timeout:g} s",
            cause=type(exc).__name__,
        )
        self._check("plaid_answers", test, [divergence])

    def _skip_if_throttled(self) -> None:
        last = self.run.recorder.last()
        if last is not None and last.status == 429:
            pytest.skip("the target kept answering 429 after every retry (not a contract failure)")
