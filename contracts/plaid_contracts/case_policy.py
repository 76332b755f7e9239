"""What a generated case must look like before it is sent to a Plaid-like target.

Applied in schemathesis' ``before_call`` hook, the documented place to change a case (editing
``case.body`` inside the test makes false failures, and ``[parameters]`` overrides do not reach
the coverage phase).

* A case whose body schemathesis generated as *valid* must be one Plaid accepts, so it uses the
  run's template (a random template id is a well-formed request for a template that does not
  exist: Plaid rightly answers 400) and carries no body credentials (the run's credentials travel
  in headers, and a random body pair would contradict them).
* A case generated as *invalid* is left as generated: its template and body credentials are part
  of what makes it invalid, or irrelevant because validation rejects it first. Generated body
  credentials are random strings, never the run's secret.
"""

from __future__ import annotations

from typing import Any, Final

BODY_CREDENTIAL_KEYS: Final = ("client_id", "secret")


def prepare_valid_body(body: dict[str, Any], template_id: str) -> dict[str, Any]:
    """The body of a positive case, made acceptable to the target (a new dict)."""
    prepared = {key: value for key, value in body.items() if key not in BODY_CREDENTIAL_KEYS}
    prepared["template_id"] = template_id
    return prepared


def credential_headers(client_id: str, secret: str) -> dict[str, str]:
    return {"PLAID-CLIENT-ID": client_id, "PLAID-SECRET": secret}
