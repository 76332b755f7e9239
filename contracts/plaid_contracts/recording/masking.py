"""Masking credentials in everything a run writes or prints.

Two layers, because either alone leaks: by *name* (headers and JSON keys that carry credentials,
whatever their value: a fuzzed wrong secret is still masked) and by *value* (the run's own client
id and secret wherever they appear, e.g. echoed in an error message or a URL).

Markers say which credential was there so a recording can be replayed (parity.py):
``${PLAID_CLIENT_ID}`` / ``${PLAID_SECRET}`` for the run's own values, ``[masked]`` for any other
value in a credential field, ``[masked, malformed]`` for one not in Plaid's format for it (the
replay must get INVALID_FIELD for it, not the INVALID_API_KEYS of a wrong well-formed value).
The offline sandbox's published default credentials, which a run uses when the environment has
none, are documented, not secrets: they are kept as they are (``Masker(public=True)``), so that a
report's reproductions work as printed.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final
from xml.sax.saxutils import escape as xml_escape

import yaml

from plaid_contracts.infra import credentials
from plaid_contracts.infra.credentials import ENV_CLIENT_ID, ENV_SECRET, Credentials

CLIENT_ID_MARKER: Final = "${" + ENV_CLIENT_ID + "}"
SECRET_MARKER: Final = "${" + ENV_SECRET + "}"
OTHER_MARKER: Final = "[masked]"
# Malformed as a client id and as a secret: a replay sends it as it is.
MALFORMED_MARKER: Final = "[masked, malformed]"

# Header names are compared lower-case.
SENSITIVE_HEADERS: Final = frozenset(
    {
        *(name.lower() for name in credentials.HEADERS.values()),
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
    }
)
# JSON keys: exact names plus any key containing one of the fragments.
SENSITIVE_KEYS: Final = frozenset(credentials.BODY_KEYS)
SENSITIVE_KEY_FRAGMENTS: Final = ("secret", "password", "access_token", "api_key")
# Schemathesis' own masking list is *replaced* by ours (output.sanitization.keys-to-sanitize), so it
# must keep its defaults' spirit and add client ids, which its defaults miss.
SCHEMATHESIS_KEYS_TO_SANITIZE: Final = (
    "plaid-client-id",
    "plaid-secret",
    "client_id",
    "client-id",
    "clientid",
    "secret",
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "api_key",
    "apikey",
    "password",
    "passwd",
    "token",
    "access_token",
    "refresh_token",
    "session",
    "private_key",
)


def is_sensitive_key(key: str) -> bool:
    lowered = key.lower()
    return lowered in SENSITIVE_KEYS or any(part in lowered for part in SENSITIVE_KEY_FRAGMENTS)


def escaped_forms(value: str) -> list[str]:
    """How ``value`` can be written into a report: raw, and escaped as JSON (ASCII-only or not),
    as a YAML single- or double-quoted scalar, and as XML text or attribute (junit.xml).

    The first entry is the raw value; the rest are only the forms that differ from it.
    """
    double_quoted = yaml.dump(
        value, Dumper=yaml.SafeDumper, default_style='"', allow_unicode=True, width=2**31
    ).strip()
    candidates = [
        value,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        double_quoted[1:-1] if double_quoted.startswith('"') else value,
        value.replace("'", "''"),
        xml_escape(value, {'"': "&quot;"}),
    ]
    return list(dict.fromkeys(candidates))


class Masker:
    """Masks one run's credentials; every writer and printer goes through one of these."""

    def __init__(self, credentials: Credentials | None, *, public: bool = False) -> None:
        """``public``: the credentials are the offline sandbox's published defaults, kept as they
        are (in credential fields too) so that reproductions work as printed; any other value
        in a credential field is still masked."""
        self._known: list[tuple[str, str]] = []
        self._public: frozenset[str] = frozenset()
        if credentials is None:
            return
        pairs = [(credentials.client_id, CLIENT_ID_MARKER), (credentials.secret, SECRET_MARKER)]
        if public:
            self._public = frozenset(value for value, _ in pairs if value)
        else:
            # Longest first, so a secret containing the client id is replaced whole.
            self._known = sorted(((v, m) for v, m in pairs if v), key=lambda p: -len(p[0]))

    def known_forms(self) -> list[tuple[str, str]]:
        """Every written form of the run's credentials (``escaped_forms``) with its marker,
        longest first. The markers need no escaping in any of those formats."""
        pairs = {(form, marker) for value, marker in self._known for form in escaped_forms(value)}
        return sorted(pairs, key=lambda pair: (-len(pair[0]), pair))

    def text(self, value: str) -> str:
        """Replace the run's credential values anywhere inside a string."""
        for secret, marker in self._known:
            value = value.replace(secret, marker)
        return value

    def credential(self, value: object, field: str | None = None) -> object:
        """A value found in a credential field (``field``: client_id or secret, when known): a
        marker, whatever it was (non-strings kept)."""
        if not isinstance(value, str) or value == "" or value in self._public:
            # Empty strings and wrong JSON types are what the case is about, and are no secret.
            return value
        for secret, marker in self._known:
            if value == secret:
                return marker
        well_formed = credentials.FORMATS.get(field or "")
        if well_formed is not None and well_formed.fullmatch(value) is None:
            return MALFORMED_MARKER
        return OTHER_MARKER

    def json_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: self.credential(item, str(key))
                if is_sensitive_key(str(key))
                else self.json_value(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self.json_value(item) for item in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def headers(self, headers: Mapping[str, str] | list[tuple[str, str]]) -> list[tuple[str, str]]:
        items = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
        masked: list[tuple[str, str]] = []
        for name, value in items:
            if name.lower() in SENSITIVE_HEADERS:
                field = credentials.BODY_KEY_OF_HEADER.get(name.lower())
                masked.append((name, str(self.credential(value, field))))
            else:
                masked.append((name, self.text(value)))
        return masked

    def body(self, raw: bytes | str | None) -> str:
        """A request or response body as text, credentials masked.

        Text without credential keys is kept as it is. JSON with credential keys is re-serialized
        with the separators it appears to use, which reproduces what requests/httpx send
        (``json.dumps``) apart from the masked values; a hand-made body (duplicate keys, odd
        spacing) may come out normalized.
        """
        if raw is None:
            return ""
        text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
        try:
            parsed = json.loads(text)
        except ValueError:
            return self.text(text)
        if isinstance(parsed, dict | list) and _has_sensitive_key(parsed):
            separators = (", ", ": ") if ", " in text or ": " in text else (",", ":")
            return json.dumps(
                self.json_value(parsed), separators=separators, ensure_ascii="\\u" in text
            )
        return self.text(text)


def scrub(directory: Path, masker: Masker) -> list[str]:
    """Last line of defence: replace any credential value still found in a report file; returns
    the names of the files it changed.

    Looks for every written form of each value (raw, JSON-, YAML- and XML-escaped), so a value
    with a quote, a backslash or a non-ASCII character is found in summary.json or junit.xml too.
    Finding one is a masking bug (every writer masks at the source); the run reports it loudly.
    """
    leaked: list[str] = []
    forms = [(form.encode("utf-8"), form, marker) for form, marker in masker.known_forms()]
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if any(encoded in data for encoded, _, _ in forms):
            text = data.decode("utf-8", errors="replace")
            for _, form, marker in forms:
                text = text.replace(form, marker)
            path.write_text(text, encoding="utf-8")
            leaked.append(path.name)
    return leaked


def _has_sensitive_key(value: Any) -> bool:
    if isinstance(value, dict):
        return any(is_sensitive_key(str(k)) or _has_sensitive_key(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_sensitive_key(item) for item in value)
    return False


_MARKER_PATTERN: Final = re.compile(r"\$\{(PLAID_CLIENT_ID|PLAID_SECRET)\}")


def shell_quote(text: str) -> str:
    """Quote for a POSIX shell, turning credential markers into ``"$PLAID_..."`` expansions."""
    parts: list[str] = []
    position = 0
    for match in _MARKER_PATTERN.finditer(text):
        if match.start() > position:
            parts.append(shlex.quote(text[position : match.start()]))
        parts.append(f'"${match.group(1)}"')
        position = match.end()
    if position < len(text) or not parts:
        parts.append(shlex.quote(text[position:]))
    return "".join(parts)


# Headers that curl sets itself or that only describe the transport.
_CURL_SKIPPED_HEADERS: Final = frozenset(
    {"content-length", "accept-encoding", "connection", "user-agent", "host", "accept"}
)


def curl_command(method: str, url: str, headers: list[tuple[str, str]], body: str) -> str:
    """A copy-pasteable reproduction from an already masked request."""
    lines = [f"curl -sS -i -X {method.upper()} {shell_quote(url)}"]
    for name, value in headers:
        if name.lower() in _CURL_SKIPPED_HEADERS:
            continue
        lines.append(f"  -H {shell_quote(f'{name}: {value}')}")
    if body:
        lines.append(f"  --data-raw {shell_quote(body)}")
    return " \\\n".join(lines)
