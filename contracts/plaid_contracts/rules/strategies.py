"""Hypothesis strategies and types every operation's client tests share.

Valid values follow the spec plus what Plaid documents about each kind of field (an absolute
http(s) URL, an Android package name), in two classes: documented values (an https URL on a real
host, an identifier) and the edges of a format; every string is non-empty (Plaid's "non-empty
string" rule; an empty one is a negative case, which schemathesis' coverage and fuzzing phases
send).
An operation's own requests are built in its module from these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from hypothesis import strategies as st

from plaid_contracts.infra import credentials
from plaid_contracts.infra.credentials import FORMATS, Credentials
from plaid_contracts.rules import Rule


class RequestModel(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


Body = TypeVar("Body", bound=RequestModel)

# Valid Unicode text: no lone surrogates, which JSON encoders escape but servers may refuse.
_text_characters = st.characters(codec="utf-8")
non_empty_text = st.text(_text_characters, min_size=1, max_size=40)
_label = st.from_regex(r"[a-z]([a-z0-9-]{0,14}[a-z0-9])?", fullmatch=True)
_host = st.builds(lambda a, b: f"{a}.{b}", _label, st.sampled_from(["com", "io", "dev", "example"]))
_path = st.from_regex(r"(/[A-Za-z0-9_.-]{1,12}){0,3}", fullmatch=True)
http_url = st.builds(
    lambda s, h, p: f"{s}://{h}{p}", st.sampled_from(["https", "http"]), _host, _path
)
https_url = st.builds(lambda h, p: f"https://{h}{p}", _host, _path)
# Documented values (what a field is for, in its plainest form): an https URL on a host under a
# public top-level domain, an identifier.
_real_host = st.builds(lambda a, b: f"{a}.{b}", _label, st.sampled_from(["com", "io", "dev"]))
documented_https_url = st.builds(lambda h, p: f"https://{h}{p}", _real_host, _path)
plain_id = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,30}", fullmatch=True)
android_package = st.from_regex(
    r"[a-z][a-z0-9_]{0,10}(\.[a-z][a-z0-9_]{0,10}){1,3}", fullmatch=True
)
# What an HTTP header can carry (the client refuses anything else before sending).
header_token = st.from_regex(r"[\x21-\x7e]{1,40}", fullmatch=True)


@dataclass(frozen=True)
class ValidRequest(Generic[Body]):
    """A drawn valid request model, and whether to send the optional Plaid-Version header."""

    body: Body
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


@dataclass(frozen=True)
class ExpectedError:
    """The error an invalid request of a client test must raise, and the rule that says so."""

    case: str  # what the request breaks: "unknown_template"
    error_type: str
    error_code: str
    rule: Rule


# Plaid's credential formats as seen in real ids (infra/credentials, from the evidence, not from
# the offline sandbox, which the suite judges): a well-formed pair Plaid does not know is
# INVALID_API_KEYS, a malformed client_id INVALID_FIELD.
plaid_client_id = st.from_regex(FORMATS["client_id"], fullmatch=True)
plaid_secret = st.from_regex(FORMATS["secret"], fullmatch=True)


def wrong_credentials(real: Credentials) -> st.SearchStrategy[Credentials]:
    """A well-formed pair Plaid does not know: a wrong secret, a wrong client id, or both."""
    return st.one_of(
        st.builds(lambda s: Credentials(real.client_id, s), plaid_secret),
        st.builds(lambda c: Credentials(c, real.secret), plaid_client_id),
        st.builds(Credentials, plaid_client_id, plaid_secret),
    ).filter(lambda pair: pair.client_id != real.client_id or pair.secret != real.secret)


def malformed_client_ids() -> st.SearchStrategy[str]:
    """Header-safe strings that are not 24 lowercase hex characters (e.g. Plaid's `test_id`)."""
    return header_token.filter(lambda value: FORMATS["client_id"].fullmatch(value) is None)
