"""What a well-formed Plaid credential looks like (assumptions A27, A28), and where it travels.

Shared by request validation (a malformed credential is INVALID_FIELD, a well-formed unknown pair
INVALID_API_KEYS), by the configuration, which refuses to accept a pair that no request could
ever use, and by the banner and the pytest plugin, which name the headers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final, Literal

from . import assumptions

CredentialName = Literal["client_id", "secret"]
NAMES: Final[tuple[CredentialName, ...]] = ("client_id", "secret")
# The request headers that carry them (https://plaid.com/docs/api/#api-access); HTTP header names
# are case-insensitive.
HEADERS: Final[dict[CredentialName, str]] = {
    "client_id": "PLAID-CLIENT-ID",
    "secret": "PLAID-SECRET",
}

_FORMATS: Final = {
    "client_id": re.compile(assumptions.CLIENT_ID_PATTERN),
    "secret": re.compile(assumptions.SECRET_PATTERN),
}
FORMAT_DESCRIPTIONS: Final = {
    "client_id": "24 lowercase hex characters",
    "secret": "30 lowercase hex characters",
}


def is_well_formed(name: CredentialName, value: str) -> bool:
    return _FORMATS[name].fullmatch(value) is not None


def matcher(name: CredentialName) -> Callable[[str], object]:
    """``is_well_formed`` for one credential as a bare function: a match object (true) or None."""
    return _FORMATS[name].fullmatch
