"""``parity RECORDING``: does the offline sandbox answer a recorded run the way its target did?

Replays every request of a cassette (normally from a nightly real-Sandbox run) against the offline
sandbox started on loopback, with the recording's credential markers and fixtures (the template)
replaced by the offline ones, and compares status, error_type, error_code and the body's shape
(the set of key paths; values are ignored apart from the error fields). Exit 1 when anything
differs. A recording of the offline sandbox itself (metadata ``kind: offline``) is said to be one:
its replay compares the sandbox with itself.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

import httpx

from plaid_contracts import operations
from plaid_contracts.infra import credentials
from plaid_contracts.infra.credentials import OFFLINE_DEFAULTS, Credentials
from plaid_contracts.infra.instability import RESENT_NOTE
from plaid_contracts.infra.settings import DEFAULT_TOKEN_LIFETIME_SECONDS
from plaid_contracts.infra.targets import TargetKind
from plaid_contracts.offline.loopback import SandboxProcess, SandboxStartError
from plaid_contracts.recording.masking import (
    CLIENT_ID_MARKER,
    OTHER_MARKER,
    SECRET_MARKER,
    is_sensitive_key,
)
from plaid_contracts.recording.recorder import load_cassette
from plaid_contracts.reports import summary

EXIT_SAME = 0
EXIT_DIFFERENT = 1
EXIT_UNREADABLE = 2
# A credential the recording masked as "some other value" replays as a wrong one in Plaid's
# format (a malformed one would get INVALID_FIELD instead of the INVALID_API_KEYS recorded).
WRONG_CREDENTIALS = {"client_id": credentials.WRONG.client_id, "secret": credentials.WRONG.secret}
# Headers the HTTP client computes itself.
_DROPPED_HEADERS = frozenset(
    {"content-length", "host", "connection", "accept-encoding", "transfer-encoding"}
)


@dataclass(frozen=True)
class ReplayTarget:
    base_url: str
    credentials: Credentials
    fixtures: Mapping[str, str]  # by body field: {"template_id": "template_offline_default"}


@dataclass
class Difference:
    interaction: int
    request: str
    problems: list[str] = field(default_factory=list)


def substitute(value: str, target: ReplayTarget, credential: str = "secret") -> str:
    """Markers back to values; ``credential`` names the field an OTHER_MARKER stood in."""
    return (
        value.replace(CLIENT_ID_MARKER, target.credentials.client_id)
        .replace(SECRET_MARKER, target.credentials.secret)
        .replace(OTHER_MARKER, WRONG_CREDENTIALS.get(credential, WRONG_CREDENTIALS["secret"]))
    )


def recorded_fixtures(cassette: Mapping[str, Any]) -> dict[str, str]:
    """The fixtures the recorded run used, by body field (the metadata keeps them by variable)."""
    by_env = (cassette.get("metadata") or {}).get("fixtures") or {}
    return {f.name: str(by_env[f.env]) for f in operations.fixtures() if f.env in by_env}


def _replay_json(value: Any, target: ReplayTarget, recorded: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        replayed = {}
        for key, item in value.items():
            if key in recorded and key in target.fixtures and item == recorded[key]:
                replayed[key] = target.fixtures[key]
            elif is_sensitive_key(str(key)) and isinstance(item, str):
                replayed[key] = substitute(item, target, str(key))
            else:
                replayed[key] = _replay_json(item, target, recorded)
        return replayed
    if isinstance(value, list):
        return [_replay_json(item, target, recorded) for item in value]
    return value


def replay_body(body: str, target: ReplayTarget, recorded: Mapping[str, str]) -> str:
    try:
        parsed = json.loads(body)
    except ValueError:
        return substitute(body, target)
    if not isinstance(parsed, dict | list):
        return body
    separators = (", ", ": ") if ", " in body or ": " in body else (",", ":")
    return json.dumps(_replay_json(parsed, target, recorded), separators=separators)


def replay_request(
    interaction: dict[str, Any], target: ReplayTarget, recorded: Mapping[str, str]
) -> httpx.Request:
    request = interaction["request"]
    parts = urlsplit(request["uri"])
    url = target.base_url + parts.path + (f"?{parts.query}" if parts.query else "")
    headers = [
        (
            name,
            substitute(
                str(value), target, credentials.BODY_KEY_OF_HEADER.get(name.lower(), "secret")
            ),
        )
        for name, values in (request.get("headers") or {}).items()
        if name.lower() not in _DROPPED_HEADERS
        for value in values
    ]
    body = replay_body((request.get("body") or {}).get("string") or "", target, recorded)
    return httpx.Request(request["method"], url, headers=headers, content=body.encode("utf-8"))


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """``{"link": {"link_token": ...}}`` -> {"link", "link.link_token"}; lists as ``[]``."""
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            paths.add(path)
            paths |= key_paths(item, path)
    elif isinstance(value, list):
        for item in value:
            paths |= key_paths(item, f"{prefix}[]")
    return paths


def _decode(text: str | bytes) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def compare(recorded_status: int, recorded_body: str, status: int, body: bytes) -> list[str]:
    problems: list[str] = []
    if recorded_status != status:
        problems.append(f"status: recorded {recorded_status}, offline {status}")
    before, after = _decode(recorded_body), _decode(body)
    for key in ("error_type", "error_code"):
        old = before.get(key) if isinstance(before, dict) else None
        new = after.get(key) if isinstance(after, dict) else None
        if old != new:
            problems.append(f"{key}: recorded {old}, offline {new}")
    if (before is None) != (after is None):
        problems.append(f"body is JSON: recorded {before is not None}, offline {after is not None}")
    only_recorded = sorted(key_paths(before) - key_paths(after))
    only_offline = sorted(key_paths(after) - key_paths(before))
    if only_recorded:
        problems.append("keys only in the recording: " + ", ".join(only_recorded))
    if only_offline:
        problems.append("keys only offline: " + ", ".join(only_offline))
    return problems


def replayable(interaction: dict[str, Any]) -> bool:
    response = interaction.get("response")
    # No response (connection error), a 429 (throttling is the target's, not the contract's), or
    # an answer re-sent as the target's own trouble (a later attempt answered otherwise, or was
    # judged in its place).
    return (
        isinstance(response, dict)
        and response["status"]["code"] != 429
        and interaction.get("note") != RESENT_NOTE
    )


def run_parity(cassette: dict[str, Any], target: ReplayTarget) -> tuple[int, list[Difference]]:
    fixtures = recorded_fixtures(cassette)
    differences: list[Difference] = []
    replayed = 0
    with httpx.Client(timeout=30) as client:
        for interaction in cassette["interactions"]:
            if not replayable(interaction):
                continue
            request = replay_request(interaction, target, fixtures)
            response = client.send(request)
            replayed += 1
            recorded = interaction["response"]
            problems = compare(
                recorded["status"]["code"],
                (recorded.get("body") or {}).get("string") or "",
                response.status_code,
                response.content,
            )
            if problems:
                label = f"{request.method} {urlsplit(interaction['request']['uri']).path}"
                differences.append(Difference(int(interaction.get("id", 0)), label, problems))
    return replayed, differences


def recorded_observations(recording: Path) -> list[dict[str, Any]]:
    """The observations of the run that wrote ``recording`` (its summary.json, next to it)."""
    summary_path = recording.parent / summary.SUMMARY_JSON
    try:
        data = json.loads(summary_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    observations = data.get("observations") if isinstance(data, dict) else None
    return [item for item in observations or [] if isinstance(item, dict)]


# What a replay of a recording of each kind of target compares, and what it can prove.
RECORDED_TARGETS: Final = {
    TargetKind.OFFLINE.value: (
        "**This recording is of the offline sandbox itself** (metadata `kind: offline`): parity "
        "compared the offline sandbox with itself. No difference proves that the recording "
        "replays and that the sandbox answers the same requests the same way (status, "
        "error_type, error_code, body shape); it says nothing about Plaid. To compare with "
        "Plaid, replay a recording of a run against the real Sandbox (`--base-url "
        "https://sandbox.plaid.com`, what the nightly job records)."
    ),
    TargetKind.LOOPBACK.value: (
        "The recording is of a server on this machine (metadata `kind: loopback`), not of "
        "Plaid: a difference is one between that server and the offline sandbox."
    ),
    TargetKind.SANDBOX.value: (
        "The recording is of Plaid's Sandbox (metadata `kind: sandbox`): each difference is "
        "one between the offline sandbox and Plaid, the assumptions below are what it taught."
    ),
    TargetKind.PRODUCTION.value: (
        "The recording is of Plaid Production (metadata `kind: production`)."
    ),
    TargetKind.UNVERIFIED.value: (
        "The recording is of a host that may forward to Plaid's Sandbox or Production "
        "(metadata `kind: unverified`)."
    ),
}


def recorded_kind(cassette: Mapping[str, Any]) -> str | None:
    target = (cassette.get("metadata") or {}).get("target")
    kind = target.get("kind") if isinstance(target, dict) else None
    return kind if isinstance(kind, str) else None


def render(
    recording: Path,
    replayed: int,
    differences: list[Difference],
    observations: list[dict[str, Any]] | None = None,
    kind: str | None = None,
) -> str:
    lines = [
        f"# Parity: {recording}",
        "",
        f"{replayed} request(s) replayed against the offline sandbox; {len(differences)} differ.",
        "",
        RECORDED_TARGETS.get(
            kind or "",
            "The recording does not say what it was recorded against (no `metadata.target.kind`).",
        ),
        "",
    ]
    for difference in differences:
        lines.append(f"- interaction #{difference.interaction} ({difference.request}):")
        lines += [f"  - {problem}" for problem in difference.problems]
    if observations:
        lines += [
            "",
            "## Assumptions the recorded run's target contradicted",
            "",
            "From the run's summary.json: where to change the offline sandbox if the target's "
            "answer is Plaid's.",
            "",
        ]
        for item in observations:
            lines.append(
                f"- {item.get('tag') or 'untagged'} (`{item.get('check')}`, seen "
                f"{item.get('occurrences', 1)} time(s)): answered {item.get('answered')}; the "
                f"assumption says {item.get('expected')}. To adopt: {item.get('adopt')}"
            )
    return "\n".join(lines) + "\n"


def main(recording: Path, output: Path | None = None) -> int:
    try:
        cassette = load_cassette(recording)
    except OSError as exc:
        print(f"error: cannot read {recording}: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except ValueError as exc:  # invalid YAML or not a cassette; the message names the file
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    fixtures = operations.fixtures()
    offline_fixtures = {fixture.env: fixture.offline_default for fixture in fixtures}
    by_field = {fixture.name: fixture.offline_default for fixture in fixtures}
    with tempfile.TemporaryDirectory(prefix="plaid-parity-") as scratch:
        log = Path(scratch) / summary.SANDBOX_LOG
        sandbox = SandboxProcess(
            OFFLINE_DEFAULTS, offline_fixtures, DEFAULT_TOKEN_LIFETIME_SECONDS, log
        )
        try:
            with sandbox:
                target = ReplayTarget(sandbox.base_url, OFFLINE_DEFAULTS, by_field)
                replayed, differences = run_parity(cassette, target)
        except SandboxStartError:
            print(
                "error: the offline sandbox did not start:\n" + log.read_text()[-2000:],
                file=sys.stderr,
            )
            return EXIT_UNREADABLE
    observations = recorded_observations(recording)
    text = render(recording, replayed, differences, observations, recorded_kind(cassette))
    print(text, end="")
    if output is not None:
        output.write_text(text, encoding="utf-8")
    return EXIT_DIFFERENT if differences else EXIT_SAME
