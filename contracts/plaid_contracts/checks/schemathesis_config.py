"""The schemathesis configuration of a run; every deviation from its defaults is here.

Each deviation is explained in docs/contract-suite.md (section DEVIATIONS); keep both in step.
"""

from __future__ import annotations

from typing import Any

import schemathesis

from plaid_contracts.infra.settings import RunSettings
from plaid_contracts.recording.masking import SCHEMATHESIS_KEYS_TO_SANITIZE


def config_dict(settings: RunSettings) -> dict[str, Any]:
    return {
        "seed": settings.seed,
        # Hypothesis' health checks judge generation speed; a throttled run is slow on purpose.
        "suppress-health-check": ["too_slow", "filter_too_much"],
        "output": {
            "sanitization": {
                "enabled": True,
                # Replaces schemathesis' list: it misses `client_id` / PLAID-CLIENT-ID.
                "keys-to-sanitize": list(SCHEMATHESIS_KEYS_TO_SANITIZE),
            }
        },
        "reports": {
            # Our recorder writes the cassette; schemathesis' writers do not mask request bodies.
            "vcr": {"enabled": False},
            "har": {"enabled": False},
            "junit": {"enabled": False},
        },
        "base-url": settings.target.base_url,
        "request-timeout": settings.request_timeout_seconds,
        "generation": {
            "max-examples": settings.effective_fuzzing_examples,
            "deterministic": settings.profile.deterministic,
            # A failing case never reaches hypothesis (every phase runs to its end, see the
            # suite's test), so there is nothing to shrink; each finding keeps the smallest
            # request it was seen on instead.
            "no-shrink": True,
            # No example database: runs are reproduced by seed, not by local state.
            "database": "none",
            # Credentials are ours to send, in headers; generated ones would be random and rejected.
            "with-security-parameters": False,
        },
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {
                "enabled": True,
                # Rewrites generation from 4xx bodies: off, so a seed gives the same cases.
                "error-feedback": {"enabled": False},
            },
            # One operation and no links: nothing to chain.
            "stateful": {"enabled": False},
        },
        "checks": {
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_headers_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
            # Plaid answers every rejected request with 400 (INVALID_REQUEST / INVALID_INPUT);
            # the default list would let a 422 or a 401 pass. NOT_FOUND (404) is for routes,
            # which plaid_unsupported_method judges.
            "negative_data_rejection": {"enabled": True, "expected-statuses": ["400"]},
            "positive_data_acceptance": {"enabled": True},
            # Plaid has no required header parameter (Plaid-Version is optional); kept on, with
            # Plaid's 400 INVALID_HEADERS, so a future required header is checked.
            "missing_required_header": {"enabled": True, "expected-statuses": ["400"]},
            # Expects 405 + Allow; Plaid answers NOT_FOUND. Replaced by plaid_unsupported_method.
            "unsupported_method": {"enabled": False},
            "allow_header_conformance": {"enabled": True},
            # Expects 401/403; Plaid answers 400. Replaced by our plaid_auth_enforced.
            "ignored_auth": {"enabled": False},
            # Need operations that create, read and delete one resource through links; Plaid's
            # token endpoints create tokens nobody reads back through this API.
            "use_after_free": {"enabled": False},
            "ensure_resource_availability": {"enabled": False},
            "object_level_authorization": {"enabled": False},
        },
    }


def build_config(settings: RunSettings) -> schemathesis.Config:
    return schemathesis.Config.from_dict(config_dict(settings))
