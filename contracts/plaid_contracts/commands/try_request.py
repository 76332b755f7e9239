"""``try``: send each operation's example request from the spec once and show the answer.

The quickest way to see that credentials, fixtures and target work together before a full run.
Secrets are masked; the offline sandbox's published default credentials, used when the
environment has none, are shown as they are (they are documented, not secrets).
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

from plaid_contracts import operations
from plaid_contracts.infra import credentials
from plaid_contracts.infra.environment import RunInputs
from plaid_contracts.infra.paths import SPEC
from plaid_contracts.infra.settings import DEFAULT_TOKEN_LIFETIME_SECONDS
from plaid_contracts.infra.targets import Target, TargetKind
from plaid_contracts.offline.loopback import SandboxProcess, SandboxStartError
from plaid_contracts.operations import Operation
from plaid_contracts.recording.masking import Masker
from plaid_contracts.reports import summary

EXIT_USAGE = 2
EXIT_FAILED = 1


def example_body(spec: dict[str, Any], operation: Operation, inputs: RunInputs) -> dict[str, Any]:
    """The operation's request example from the spec, with the run's fixtures."""
    definition = spec["paths"][operation.path][operation.method.lower()]
    content = definition["requestBody"]["content"]["application/json"]
    example = content["examples"][operation.example]["value"]
    return operation.body_to_send(example, inputs.fixtures, True)


def send(base_url: str, operation: Operation, inputs: RunInputs, body: Any) -> httpx.Response:
    headers = {**inputs.credentials.headers(), "Plaid-Version": "2020-09-14"}
    with httpx.Client(base_url=base_url, timeout=30) as client:
        return client.request(operation.method, operation.path, json=body, headers=headers)


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


def main(target: Target, inputs: RunInputs) -> int:
    masker = Masker(inputs.credentials, public=inputs.public_credentials)
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    bodies = [(op, example_body(spec, op, inputs)) for op in operations.registered()]
    print("credentials: " + credentials.describe(inputs.credentials, inputs.public_credentials))
    responses: list[httpx.Response] = []
    try:
        with contextlib.ExitStack() as stack:
            if target.kind is TargetKind.OFFLINE:
                scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="plaid-try-"))
                log = Path(scratch) / summary.SANDBOX_LOG
                sandbox = stack.enter_context(
                    SandboxProcess(
                        inputs.credentials, inputs.fixtures, DEFAULT_TOKEN_LIFETIME_SECONDS, log
                    )
                )
                base_url = sandbox.base_url
                print(f"target: offline sandbox on {base_url}")
            else:
                base_url = target.base_url
                print(f"target: {target.describe}")
            for operation, body in bodies:
                responses.append(send(base_url, operation, inputs, body))
    except SandboxStartError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except httpx.HTTPError as exc:
        print(
            f"error: no answer from the target: {type(exc).__name__}: {masker.text(str(exc))}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    for response in responses:
        print(show(response, masker))
    return 0 if all(response.is_success for response in responses) else EXIT_FAILED
