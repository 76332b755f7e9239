"""A run's Plaid credentials, and how Plaid carries and checks credentials on every endpoint.

Plaid takes them as the ``PLAID-CLIENT-ID`` / ``PLAID-SECRET`` headers or as body ``client_id`` /
``secret``. Their formats are the offline sandbox's assumptions A27/A28, read from there like every
ASSUMED constant: those of every real value on record (e.g. client id ``6103181718256400103d5340``
in plaid/plaid-ruby issue #344), client ids 24 lowercase hex characters, secrets 30.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from plaid_offline_sandbox import assumptions
from plaid_offline_sandbox.config import DEFAULT_CLIENT_ID, DEFAULT_SECRET

ENV_CLIENT_ID: Final = "PLAID_CLIENT_ID"
ENV_SECRET: Final = "PLAID_SECRET"

# Body key -> Plaid's header for the same credential.
HEADERS: Final = {"client_id": "PLAID-CLIENT-ID", "secret": "PLAID-SECRET"}
BODY_KEYS: Final = tuple(HEADERS)
# Lower-case header name -> body key.
BODY_KEY_OF_HEADER: Final = {header.lower(): key for key, header in HEADERS.items()}
FORMATS: Final = {
    "client_id": re.compile(assumptions.CLIENT_ID_PATTERN),
    "secret": re.compile(assumptions.SECRET_PATTERN),
}


@dataclass(frozen=True)
class Credentials:
    client_id: str
    secret: str

    def __repr__(self) -> str:
        # Never let a secret reach a log line or traceback through repr().
        return "Credentials(client_id=<masked>, secret=<masked>)"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Hypothesis prints drawn values field by field unless told otherwise (junit.xml)."""
        printer.text(repr(self))

    def headers(self) -> dict[str, str]:
        """The credentials as Plaid's SDKs send them."""
        return {HEADERS["client_id"]: self.client_id, HEADERS["secret"]: self.secret}


# Well-formed (Plaid's formats) and nobody's: a malformed pair would be INVALID_FIELD, not the
# INVALID_API_KEYS that wrong credentials are about.
WRONG: Final = Credentials("0bad0c11e470bad0c11e470b", "0bad5ec2e70bad5ec2e70bad5ec2e7")
# The offline sandbox's documented defaults, from the sandbox itself (one source of truth).
OFFLINE_DEFAULTS: Final = Credentials(DEFAULT_CLIENT_ID, DEFAULT_SECRET)


def without_generated(body: dict[str, Any]) -> dict[str, Any]:
    """A generated body (a new dict) without its schema-valid credentials, on every endpoint.

    The run's credentials travel in the headers, and a generated pair would break a second thing
    (a conflict, unknown keys). Credentials that are themselves broken (empty, wrong type, null)
    stay: they are what the case tests.
    """
    return {
        key: value
        for key, value in body.items()
        if not (key in BODY_KEYS and isinstance(value, str) and value != "")
    }


def describe(pair: Credentials, public: bool) -> str:
    """Which credentials a run uses, for a report or the console: the public defaults in clear,
    anything from the environment by its variables only."""
    if public:
        return (
            f"the offline sandbox's defaults (documented, not secrets): client_id "
            f"`{pair.client_id}`, secret `{pair.secret}`"
        )
    return (
        f"from {ENV_CLIENT_ID} / {ENV_SECRET}, masked as `${{{ENV_CLIENT_ID}}}` / "
        f"`${{{ENV_SECRET}}}` in everything written or printed"
    )
