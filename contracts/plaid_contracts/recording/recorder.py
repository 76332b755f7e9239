"""The run's cassette: every request and response, masked at the moment it is recorded.

VCR-like YAML (``interactions: [{request, response}]``) with a small header naming the target, so
parity.py can replay a real-Sandbox recording against the offline sandbox. Nothing unmasked is
ever held: recording goes through the run's Masker before the interaction is stored.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import yaml

from plaid_contracts.recording.masking import Masker, curl_command

CASSETTE_VERSION: Final = 1
# libyaml when available: the pure-Python codec takes seconds for a nightly cassette.
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Interaction:
    number: int
    source: str  # "schemathesis", "client" or "probe"
    test: str
    phase: str
    method: str
    url: str
    request_headers: list[tuple[str, str]]
    request_body: str
    status: int | None  # None: no response (connection error)
    response_headers: list[tuple[str, str]]
    response_body: str
    elapsed_ms: float
    recorded_at: str
    note: str = ""  # e.g. "429, retried" or the connection error

    def curl(self) -> str:
        return curl_command(self.method, self.url, self.request_headers, self.request_body)

    def to_yaml_dict(self) -> dict[str, Any]:
        return {
            "id": self.number,
            "recorded_at": self.recorded_at,
            "source": self.source,
            "test": self.test,
            "phase": self.phase,
            "note": self.note,
            "request": {
                "method": self.method,
                "uri": self.url,
                "headers": _grouped(self.request_headers),
                "body": {"string": self.request_body},
            },
            "response": None
            if self.status is None
            else {
                "status": {"code": self.status},
                "headers": _grouped(self.response_headers),
                "body": {"string": self.response_body},
                "elapsed_ms": round(self.elapsed_ms, 2),
            },
        }


def _grouped(headers: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in headers:
        grouped.setdefault(name, []).append(value)
    return grouped


@dataclass
class Recorder:
    masker: Masker
    _interactions: list[Interaction] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # What the suite is doing right now; set by the suite so transports need not know.
    current_test: str = ""
    current_phase: str = ""

    def record(
        self,
        *,
        source: str,
        method: str,
        url: str,
        request_headers: list[tuple[str, str]],
        request_body: bytes | str | None,
        status: int | None,
        response_headers: list[tuple[str, str]],
        response_body: bytes | str | None,
        elapsed_ms: float,
        note: str = "",
        phase: str | None = None,
    ) -> Interaction:
        masker = self.masker
        with self._lock:
            interaction = Interaction(
                number=len(self._interactions) + 1,
                source=source,
                test=self.current_test,
                phase=self.current_phase if phase is None else phase,
                method=method.upper(),
                url=masker.text(url),
                request_headers=masker.headers(request_headers),
                request_body=masker.body(request_body),
                status=status,
                response_headers=masker.headers(response_headers),
                response_body=masker.body(response_body),
                elapsed_ms=elapsed_ms,
                recorded_at=datetime.now(UTC).isoformat(timespec="milliseconds"),
                note=masker.text(note),
            )
            self._interactions.append(interaction)
        return interaction

    def __iter__(self) -> Iterator[Interaction]:
        with self._lock:
            return iter(list(self._interactions))

    def __len__(self) -> int:
        return len(self._interactions)

    def last(self) -> Interaction | None:
        with self._lock:
            return self._interactions[-1] if self._interactions else None

    def write(self, path: Path, metadata: dict[str, Any]) -> None:
        document = {
            "version": CASSETTE_VERSION,
            "metadata": metadata,
            "interactions": [item.to_yaml_dict() for item in self],
        }
        with path.open("w", encoding="utf-8") as stream:
            yaml.dump(
                document, stream, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120
            )


def load_cassette(path: Path) -> dict[str, Any]:
    """The cassette at ``path``; ValueError (one line) when it is not one (OSError unchanged)."""
    with path.open(encoding="utf-8") as stream:
        try:
            document = yaml.load(stream, Loader=_Loader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or type(exc).__name__
            raise ValueError(f"{path} is not valid YAML{where}: {problem}") from None
        except UnicodeDecodeError:
            raise ValueError(f"{path} is not UTF-8 text") from None
    if not isinstance(document, dict) or not isinstance(document.get("interactions"), list):
        raise ValueError(f"{path} is not a plaid_contracts cassette (no 'interactions' list)")
    for number, item in enumerate(document["interactions"], start=1):
        request = item.get("request") if isinstance(item, dict) else None
        if not isinstance(request, dict) or not {"method", "uri"} <= request.keys():
            raise ValueError(
                f"{path} is not a plaid_contracts cassette "
                f"(interaction {number} has no request with a method and uri)"
            )
    return document
