"""``try``: send the spec's example request once and show the answer, secrets masked.

The quickest way to see that credentials, template and target work together before a full run.
"""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
import yaml
from plaid_tools.paths import SPEC

from plaid_contracts.infra.credentials import Credentials
from plaid_contracts.infra.settings import DEFAULT_TOKEN_LIFETIME_SECONDS
from plaid_contracts.infra.targets import Target, TargetKind
from plaid_contracts.offline.loopback import SandboxProcess, SandboxStartError
from plaid_contracts.operations import session_token_create as endpoint
from plaid_contracts.reports import summary
from plaid_contracts.reports.masking import Masker

EXAMPLE_NAME = "minimal"


def example_body(spec_path: Path, template_id: str) -> dict[str, Any]:
    """The spec's ``minimal`` request example, with the run's fixtures (its template)."""
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    operation = spec["paths"][endpoint.PATH][endpoint.METHOD.lower()]
    content = operation["requestBody"]["content"]["application/json"]
    return endpoint.prepare_body(
        content["examples"][EXAMPLE_NAME]["value"], template_id, valid=True
    )


def send(base_url: str, credentials: Credentials, body: dict[str, Any]) -> httpx.Response:
    headers = {**credentials.headers(), "Plaid-Version": "2020-09-14"}
    with httpx.Client(base_url=base_url, timeout=30) as client:
        return client.post(endpoint.PATH, json=body, headers=headers)


def show(response: httpx.Response, masker: Masker) -> str:
    request = response.request
    lines = [f"> {request.method} {masker.text(str(request.url))}"]
    lines += [
        f"> {name}: {value}" for name, value in masker.headers(list(request.headers.multi_items()))
    ]
    lines += [f"> {masker.body(request.content)}", "", f"< HTTP {response.status_code}"]
    lines += [
        f"< {name}: {value}" for name, value in masker.headers(list(response.headers.multi_items()))
    ]
    text = masker.body(response.content)
    with contextlib.suppress(ValueError):
        text = json.dumps(json.loads(text), indent=2)
    lines.append(text)
    return "\n".join(lines)


def main(target: Target, credentials: Credentials, template_id: str) -> int:
    masker = Masker(credentials)
    body = example_body(SPEC, template_id)
    try:
        if target.kind is TargetKind.OFFLINE:
            with tempfile.TemporaryDirectory(prefix="plaid-try-") as scratch:
                log = Path(scratch) / summary.SANDBOX_LOG
                with SandboxProcess(
                    credentials, template_id, DEFAULT_TOKEN_LIFETIME_SECONDS, log
                ) as sandbox:
                    print(f"target: offline sandbox on {sandbox.base_url}")
                    response = send(sandbox.base_url, credentials, body)
        else:
            print(f"target: {target.describe}")
            response = send(target.base_url, credentials, body)
    except SandboxStartError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except httpx.HTTPError as exc:
        print(
            f"error: no answer from the target: {type(exc).__name__}: {masker.text(str(exc))}",
            file=sys.stderr,
        )
        return 1
    print(show(response, masker))
    return 0 if response.is_success else 1
