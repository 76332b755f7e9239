"""Hypothesis strategies for the generated client's request models.

Valid values follow the spec plus what Plaid documents about each field (an absolute http(s)
webhook, an Android package name). Every string is non-empty: since spec revision 2.0.0 the spec
says ``minLength: 1`` on the optional request strings too (Plaid's "non-empty string" rule), so
an empty one is a negative case, which schemathesis' coverage and fuzzing phases send, and which
the client tests exercise only where it matters to the client (an empty ``client_user_id``).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any, Final

from hypothesis import strategies as st
from plaid_session_client.models import SessionTokenCreateRequest, SessionTokenCreateRequestUser
from plaid_session_client.types import UNSET

from plaid_contracts.infra import credentials
from plaid_contracts.infra.credentials import CLIENT_ID_FORMAT, SECRET_FORMAT, Credentials

OPTIONAL_FIELDS: Final = (
    "user_id",
    "webhook",
    "redirect_uri",
    "android_package_name",
    "body_credentials",  # the run's own credentials, repeated in the body
    "plaid_version",  # the Plaid-Version header
)
ALL_COMBINATIONS: Final = tuple(
    frozenset(name for name, present in zip(OPTIONAL_FIELDS, mask, strict=True) if present)
    for mask in itertools.product((False, True), repeat=len(OPTIONAL_FIELDS))
)


def combination_id(present: frozenset[str]) -> str:
    return "+".join(name for name in OPTIONAL_FIELDS if name in present) or "required-only"


# Valid Unicode text: no lone surrogates, which JSON encoders escape but servers may refuse.
_text_characters = st.characters(codec="utf-8")
non_empty_text = st.text(_text_characters, min_size=1, max_size=40)
_label = st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True)
_host = st.builds(lambda a, b: f"{a}.{b}", _label, st.sampled_from(["com", "io", "dev", "example"]))
_path = st.from_regex(r"(/[A-Za-z0-9_.-]{1,12}){0,3}", fullmatch=True)
http_url = st.builds(
    lambda s, h, p: f"{s}://{h}{p}", st.sampled_from(["https", "http"]), _host, _path
)
https_url = st.builds(lambda h, p: f"https://{h}{p}", _host, _path)
android_package = st.from_regex(
    r"[a-z][a-z0-9_]{0,10}(\.[a-z][a-z0-9_]{0,10}){1,3}", fullmatch=True
)
# What an HTTP header can carry (the client refuses anything else before sending).
header_token = st.from_regex(r"[\x21-\x7e]{1,40}", fullmatch=True)


@dataclass(frozen=True)
class ValidRequest:
    body: SessionTokenCreateRequest
    send_plaid_version: bool

    def __repr__(self) -> str:
        # Hypothesis prints drawn values in its failure reports, which pytest writes to
        # junit.xml: the body's repr would show the run's credentials (body_credentials).
        body = self.body.to_dict()
        for key in credentials.BODY_KEYS:
            if key in body:
                body[key] = "<masked>"
        return f"ValidRequest(body={body!r}, send_plaid_version={self.send_plaid_version})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Hypothesis' printer: it would otherwise print the dataclass field by field."""
        printer.text(repr(self))


@st.composite
def valid_requests(
    draw: st.DrawFn, template_id: str, credentials: Credentials, present: frozenset[str]
) -> ValidRequest:
    user = SessionTokenCreateRequestUser(
        client_user_id=draw(non_empty_text),
        user_id=draw(non_empty_text) if "user_id" in present else UNSET,
    )
    with_body_credentials = "body_credentials" in present
    body = SessionTokenCreateRequest(
        template_id=template_id,
        user=user,
        client_id=credentials.client_id if with_body_credentials else UNSET,
        secret=credentials.secret if with_body_credentials else UNSET,
        webhook=draw(http_url) if "webhook" in present else UNSET,
        redirect_uri=draw(https_url) if "redirect_uri" in present else UNSET,
        android_package_name=draw(android_package) if "android_package_name" in present else UNSET,
    )
    return ValidRequest(body, "plaid_version" in present)


def any_valid_request(
    template_id: str, credentials: Credentials
) -> st.SearchStrategy[ValidRequest]:
    return st.sampled_from(ALL_COMBINATIONS).flatmap(
        lambda present: valid_requests(template_id, credentials, present)
    )


def unknown_template_ids(accepted: str) -> st.SearchStrategy[str]:
    return non_empty_text.filter(lambda value: value != accepted and value.strip() != "")


# Plaid's credential formats as seen in real ids (session_token_create, from the evidence, not
# from the offline sandbox, which the suite judges): a well-formed pair Plaid does not know is
# INVALID_API_KEYS, a malformed client_id INVALID_FIELD.
plaid_client_id = st.from_regex(CLIENT_ID_FORMAT, fullmatch=True)
plaid_secret = st.from_regex(SECRET_FORMAT, fullmatch=True)


def wrong_credentials(real: Credentials) -> st.SearchStrategy[Credentials]:
    """A well-formed pair Plaid does not know: a wrong secret, a wrong client id, or both."""
    return st.one_of(
        st.builds(lambda s: Credentials(real.client_id, s), plaid_secret),
        st.builds(lambda c: Credentials(c, real.secret), plaid_client_id),
        st.builds(Credentials, plaid_client_id, plaid_secret),
    ).filter(lambda pair: pair.client_id != real.client_id or pair.secret != real.secret)


def malformed_client_ids() -> st.SearchStrategy[str]:
    """Header-safe strings that are not 24 lowercase hex characters (e.g. Plaid's `test_id`)."""
    return header_token.filter(lambda value: re.fullmatch(CLIENT_ID_FORMAT, value) is None)
