"""What Plaid answers to each way a request can be broken, and how sure we are of it (every
endpoint's rules in plaid_contracts.rules.every_operation, POST /session/token/create's in its
operation module): the classifier and the judge, without a server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from plaid_contracts import rules
from plaid_contracts.infra.credentials import Credentials
from plaid_contracts.operations import session_token_create as endpoint
from plaid_contracts.rules import Strength, every_operation
from plaid_contracts.rules.judge import PlaidAnswer, judge
from plaid_offline_sandbox import assumptions

OPERATION = endpoint.OPERATION

RUN = Credentials("5f3a9c0e1b7d4a6f8e2c0b19", "9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b")
HEADERS = {"Content-Type": "application/json", **RUN.headers()}
VALID: dict[str, Any] = {"template_id": "template_b4r9mQ2kX7tz", "user": {"client_user_id": "u-1"}}
SUCCESS = PlaidAnswer(200, None, None)


def error(code: str, message: str = "", error_type: str = "INVALID_REQUEST") -> PlaidAnswer:
    return PlaidAnswer(400, (error_type, code), message)


def divergence_of(
    body: object,
    answer: PlaidAnswer,
    headers: dict[str, str] | None = None,
    fixtures: dict[str, str] | None = None,
) -> rules.Divergence | None:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return judge(OPERATION.classify(headers or HEADERS, raw, RUN, fixtures), answer)


def verdict(
    body: object,
    answer: PlaidAnswer,
    headers: dict[str, str] | None = None,
    fixtures: dict[str, str] | None = None,
) -> str:
    """ "ok", or the strength (and tag) of the rule the answer breaks."""
    divergence = divergence_of(body, answer, headers, fixtures)
    return "ok" if divergence is None else divergence.rule.label


def test_a_valid_request_must_succeed() -> None:
    assert OPERATION.classify(HEADERS, json.dumps(VALID), RUN).valid
    assert verdict(VALID, SUCCESS) == "ok"
    assert (
        verdict(VALID, error("MISSING_FIELDS", "the following required fields are missing: user"))
        == "DOC"
    )
    assert verdict(VALID, PlaidAnswer(422, None, None)) == "DOC"
    # A root-level user_id replaces `user` (Plaid's published spec).
    assert verdict({"template_id": "t", "user_id": "usr_1"}, SUCCESS) == "ok"


@pytest.mark.parametrize(
    ("body", "right", "wrong"),
    [
        # missing required field: MISSING_FIELDS naming it (DOC)
        ({"user": {"client_user_id": "u"}}, error("MISSING_FIELDS", "missing: template_id"),
         error("MISSING_FIELDS", "required fields are missing")),
        # unknown field, nested: UNKNOWN_FIELDS naming its dotted path (DOC)
        ({**VALID, "user": {"client_user_id": "u", "phone_number": "1"}},
         error("UNKNOWN_FIELDS", "not recognized by this endpoint: user.phone_number"),
         error("UNKNOWN_FIELDS", "not recognized by this endpoint: phone_number")),
        # wrong type: INVALID_FIELD naming it (DOC)
        ({**VALID, "user": {"client_user_id": 5}},
         error("INVALID_FIELD", "user.client_user_id must be a properly formatted string"),
         error("INVALID_BODY", "body could not be parsed as JSON")),
        # unparsable body: INVALID_BODY (DOC)
        (b'{"template_id": ', error("INVALID_BODY", "body could not be parsed as JSON"),
         error("INVALID_FIELD", "template_id must be a properly formatted, non-empty string")),
    ],
)  # fmt: skip
def test_each_documented_breakage_has_its_answer(
    body: object, right: PlaidAnswer, wrong: PlaidAnswer
) -> None:
    assert verdict(body, right) == "ok"
    assert verdict(body, wrong) == "DOC"
    assert verdict(body, SUCCESS) == "DOC"


def test_credentials_seen_and_documented() -> None:
    bare = {"Content-Type": "application/json"}
    missing = "the following required fields are missing: client_id, secret"
    assert verdict(VALID, error("MISSING_FIELDS", missing), bare) == "ok"
    assert verdict(VALID, error("INVALID_FIELD", "client_id must be ..."), bare) == "SEEN"
    wrong = {**HEADERS, "PLAID-SECRET": "0bad5ec2e70bad5ec2e70bad5ec2e7"}
    api_keys = error("INVALID_API_KEYS", "invalid client_id or secret provided", "INVALID_INPUT")
    assert verdict(VALID, api_keys, wrong) == "ok"
    assert verdict(VALID, SUCCESS, wrong) == "DOC"
    malformed = {**HEADERS, "PLAID-CLIENT-ID": "test_id"}
    assert verdict(VALID, error("INVALID_FIELD", "client_id must be ..."), malformed) == "ok"
    assert verdict(VALID, api_keys, malformed) == "SEEN"  # plaid-ruby#163: not INVALID_API_KEYS


def test_where_plaid_is_silent_a_divergence_names_the_assumption() -> None:
    # A7: an empty optional string is rejected (ours); accepting it is an observation.
    assert verdict({**VALID, "webhook": ""}, SUCCESS) == "ASSUMED A7"
    # A11: header and body credentials that disagree are rejected (ours).
    conflict = {**VALID, "client_id": "0bad0c11e470bad0c11e470b", "secret": RUN.secret}
    assert verdict(conflict, SUCCESS) == "ASSUMED A11"
    # A5: null is absent (ours): INVALID_FIELD for a null optional field is an observation.
    assert verdict({**VALID, "webhook": None}, SUCCESS) == "ok"
    assert (
        verdict({**VALID, "webhook": None}, error("INVALID_FIELD", "webhook must be ..."))
        == "ASSUMED A5"
    )
    # A29: any user_id is accepted (ours): a rejection naming an unusual one is an observation...
    assert (
        verdict({**VALID, "user_id": "usr 1"}, error("INVALID_INPUT", "user_id not found"))
        == "ASSUMED A29"
    )
    # ...but not a structural error: MISSING_FIELDS for a present field is a failure.
    assert (
        verdict({**VALID, "user_id": "usr_1"}, error("MISSING_FIELDS", "missing: user_id")) == "DOC"
    )
    # A16: a JSON value that is not an object is INVALID_BODY (ours); any other 400 is observed.
    assert verdict([], error("MISSING_FIELDS", "missing: template_id")) == "ASSUMED A16"
    assert verdict([], SUCCESS) == "DOC"


def test_the_error_status_rule_knows_plaids_documented_statuses() -> None:
    assert rules.documented_statuses("INVALID_REQUEST", "MISSING_FIELDS") == (400,)
    assert rules.documented_statuses("INVALID_REQUEST", "NOT_FOUND") == (404, 400)
    assert rules.documented_statuses("API_ERROR", "PLANNED_MAINTENANCE") == (503,)
    # An error type Plaid adds tomorrow has no documented status: nothing to hold it to.
    assert rules.documented_statuses("TEMPLATE_ERROR", "TEMPLATE_NOT_FOUND") == ()


def test_every_assumed_rule_names_its_tag_and_how_to_adopt_the_target() -> None:
    assumed = [
        value
        for module in (rules, every_operation, endpoint)
        for value in vars(module).values()
        if isinstance(value, rules.Rule) and value.strength is Strength.ASSUMED
    ]
    assert len(assumed) >= 12
    for rule in assumed:
        assert rule.adopt, rule.name
        # Untagged: the allow-list of a run not given its allowed value is no sandbox constant.
        assert rule.tag.startswith("A") or rule.name == "allow-list-unknown", rule.name


def test_valid_cases_carry_the_run_fixtures() -> None:
    generated = {"template_id": "0", "client_id": "x", "secret": "", "webhook": "https://a.b"}
    by_env = {"PLAID_TEMPLATE_ID": "template_b4r9mQ2kX7tz"}
    prepared = endpoint.OPERATION.body_to_send(generated, by_env, True)
    # The run's template, no generated credentials (an empty one is what a case breaks), a user.
    assert prepared == {
        "template_id": "template_b4r9mQ2kX7tz",
        "secret": "",
        "webhook": "https://a.b",
        "user": endpoint.FIXTURE_USER,
    }
    # An invalid case keeps what it breaks: no template, a user of the wrong type.
    broken = endpoint.prepare_body({"user": 5}, {"template_id": "template_b4r9mQ2kX7tz"}, False)
    assert broken == {"user": 5}
    assert endpoint.prepare_body({"user_id": "usr_1"}, {"template_id": "t"}, True) == {
        "user_id": "usr_1"
    }


WEBHOOK_REFUSED = error("INVALID_FIELD", "webhook must be a properly formatted URL")


def test_a_documented_value_refused_fails_naming_the_field_and_the_value() -> None:
    """Strength per value class: a documented value of a documented field is DOC."""
    documented = {**VALID, "webhook": "https://hooks.acme-payments.com/plaid"}
    found = divergence_of(documented, WEBHOOK_REFUSED)
    assert found is not None and found.rule.label == "DOC"
    assert found.cause == "rejected:webhook->INVALID_FIELD"
    assert "`webhook` 'https://hooks.acme-payments.com/plaid'" in found.expected
    assert "an https URL with a real host" in found.expected
    # So is an identifier as user.client_user_id, which the integrator chooses.
    named = error("INVALID_FIELD", "user.client_user_id must be a properly formatted string")
    assert verdict({**VALID, "user": {"client_user_id": "u-1"}}, named) == "DOC"


def test_a_made_up_user_id_refused_is_an_observation() -> None:
    """Plaid issues user_ids (/user/create): a run cannot know a real one to call documented."""
    named = error("INVALID_FIELD", "user.user_id must be a properly formatted string")
    user = {"client_user_id": "u-1", "user_id": "usr_9"}
    assert verdict({**VALID, "user": user}, named) == "ASSUMED A29"
    assert verdict({**VALID, "user_id": "usr_9nSp2KuZ2x4JDw"}, SUCCESS) == "ok"


@pytest.mark.parametrize(
    "edge",
    [
        "http://hooks.acme-payments.com/plaid",
        "https://localhost/hook",
        "https://127.0.0.1/hook",
        "https://hooks.example/plaid",
        "https://hooks.acme-payments.com:8443/plaid",
        "https://user@hooks.acme-payments.com/plaid",
    ],
)
def test_the_edges_of_a_format_stay_observations(edge: str) -> None:
    assert verdict({**VALID, "webhook": edge}, WEBHOOK_REFUSED) == "ASSUMED A9"
    assert verdict({**VALID, "webhook": edge}, SUCCESS) == "ok"


PLAID_ALLOW_LIST = error("INVALID_FIELD", assumptions.REDIRECT_URI_NOT_ALLOWED_MESSAGE)
ALLOWED = {"template_id": VALID["template_id"], "redirect_uri": "https://app.acme.com/oauth"}


def test_with_the_allow_listed_value_its_refusal_fails_and_another_value_must_be_refused() -> None:
    allowed = {**VALID, "redirect_uri": "https://app.acme.com/oauth"}
    # Plaid's wording names no field: the refusal is known by its error, and named in the finding.
    found = divergence_of(allowed, PLAID_ALLOW_LIST, fixtures=ALLOWED)
    assert found is not None and found.rule.label == "DOC"
    assert found.cause == "rejected:redirect_uri->INVALID_FIELD"
    assert verdict(allowed, SUCCESS, fixtures=ALLOWED) == "ok"
    outside = {**VALID, "redirect_uri": "https://other.acme.com/oauth"}
    assert verdict(outside, PLAID_ALLOW_LIST, fixtures=ALLOWED) == "ok"
    assert verdict(outside, SUCCESS, fixtures=ALLOWED) == "DOC"
    # Another code for it is the answer's assumption (A31), not a failure.
    assert verdict(outside, error("INVALID_INPUT"), fixtures=ALLOWED) == "ASSUMED A31"


def test_without_the_allow_listed_value_a_refusal_is_an_observation() -> None:
    body = {**VALID, "user": {"client_user_id": "ü 1"}, "redirect_uri": "https://x.acme.com/o"}
    # Known by its error although it names no field, beside another unusual value (A26).
    assert verdict(body, PLAID_ALLOW_LIST) == "ASSUMED (untagged)"
    assert verdict(body, SUCCESS) == "ok"
    # An INVALID_FIELD naming another field is not the allow-list's: the template was refused.
    template = error("INVALID_FIELD", "template_id must be the id of a template")
    assert verdict(body, template) == "DOC"
    # Beside the allowed redirect URI, an unnamed refusal is the unknown list's, not a failure.
    both = {**VALID, "redirect_uri": "https://a.acme.com/o", "android_package_name": "com.x"}
    allowed_redirect = {"redirect_uri": "https://a.acme.com/o"}
    assert verdict(both, PLAID_ALLOW_LIST, fixtures=allowed_redirect) == "ASSUMED (untagged)"
    # A field given as fixture offline is never assumed: the run knows the list.
    assert (
        verdict(body, PLAID_ALLOW_LIST, fixtures={"redirect_uri": "https://a.acme.com/o"}) == "ok"
    )


def test_cases_carry_the_allow_listed_values_where_the_run_has_them() -> None:
    by_env = {
        "PLAID_TEMPLATE_ID": "template_b4r9mQ2kX7tz",
        "PLAID_REDIRECT_URI": "https://app.acme.com/oauth",
    }
    generated = {"user": {"client_user_id": "u"}, "redirect_uri": "0", "android_package_name": "a"}
    prepared = endpoint.OPERATION.body_to_send(generated, by_env, False)
    # The redirect URI becomes the allowed one; the package name stays (no fixture given).
    assert prepared["redirect_uri"] == "https://app.acme.com/oauth"
    assert prepared["android_package_name"] == "a"
    assert endpoint.OPERATION.body_to_send({"redirect_uri": ""}, by_env, False) == {
        "redirect_uri": ""
    }
