"""What one run is asked to do, decided by the CLI before anything starts: target, profile,
seed, pacing, token lifetime, how ASSUMED rules count. Frozen; the live state is in context.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from plaid_contracts.infra.credentials import Credentials
from plaid_contracts.infra.instability import DEFAULT_SILENCE_LIMIT_SECONDS
from plaid_contracts.infra.targets import Target, TargetKind
from plaid_contracts.infra.throttle import BackoffPolicy, Rate

DEFAULT_TOKEN_LIFETIME_SECONDS: Final = 4 * 60 * 60  # Plaid's documented Link token lifetime
DEFAULT_CLOCK_SKEW_SECONDS: Final = 120
DEFAULT_REMOTE_RATE: Final = "5/s"
# Plaid's Sandbox can be slow; the generated client reads for 30 s by default too.
DEFAULT_REQUEST_TIMEOUT_SECONDS: Final = 30.0
DEFAULT_PROGRESS_SECONDS: Final = 15.0
PR_SEED: Final = 20200914  # fixed: seeds the client tests; schemathesis is derandomized in PR


@dataclass(frozen=True)
class Profile:
    name: str
    fuzzing_examples: int  # schemathesis fuzzing phase (examples and coverage come on top)
    client_examples: int  # each hypothesis test through the generated client
    combination_examples: int  # each of the 64 combinations of optional request fields
    deterministic: bool
    description: str


PROFILES: Final = {
    "pr": Profile(
        "pr",
        fuzzing_examples=60,
        client_examples=25,
        combination_examples=1,
        deterministic=True,
        description="fast and derandomized: the same cases on every run",
    ),
    "nightly": Profile(
        "nightly",
        fuzzing_examples=500,
        client_examples=150,
        combination_examples=5,
        deterministic=False,
        description="many more examples, random seed (printed; --seed reproduces)",
    ),
}


class RunMode(StrEnum):
    """How the run reaches its target."""

    LOOPBACK = "loopback"  # the offline sandbox, started as a subprocess on loopback
    IN_PROCESS = "in-process"  # the offline sandbox's ASGI app inside the test process
    REMOTE = "remote"  # a running target given with --base-url (Plaid, or a loopback server)


@dataclass(frozen=True)
class RunSettings:
    target: Target
    credentials: Credentials
    # The operations' fixtures by environment variable: {"PLAID_TEMPLATE_ID": "template_..."}.
    fixtures: Mapping[str, str]
    profile: Profile
    seed: int
    rate: Rate | None
    token_lifetime_seconds: int = DEFAULT_TOKEN_LIFETIME_SECONDS
    clock_skew_seconds: int = DEFAULT_CLOCK_SKEW_SECONDS
    backoff: BackoffPolicy = field(default_factory=BackoffPolicy)
    # --max-examples: replaces the profile's fuzzing examples and caps every client test's.
    fuzzing_examples: int | None = None
    in_process: bool = False  # --in-process (offline target only)
    # ASSUMED rules fail the run (the offline sandbox implements them) instead of being
    # observations (any other target). --assumptions decides; see findings.py.
    enforce_assumptions: bool = False
    request_timeout_seconds: float = DEFAULT_REQUEST_TIMEOUT_SECONDS
    # The credentials are the offline sandbox's published defaults (nothing came from the
    # environment): documented, not secrets, so reports show them and their curls work as printed.
    public_credentials: bool = False
    # --progress-every: seconds between two progress lines on the console.
    progress_seconds: float = DEFAULT_PROGRESS_SECONDS
    # --sandbox-access-log: the offline sandbox logs a line per request into sandbox.log.
    sandbox_access_log: bool = False
    # Nothing but trouble from the target for this long ends the run inconclusive (internal:
    # tests and the mutation harness shorten it).
    silence_limit_seconds: float = DEFAULT_SILENCE_LIMIT_SECONDS
    # --operation: the labels of the operations this run checks (a shard); empty: every one.
    operations: tuple[str, ...] = ()

    def checks_operation(self, label: str) -> bool:
        return not self.operations or label in self.operations

    @property
    def mode(self) -> RunMode:
        if self.target.kind is not TargetKind.OFFLINE:
            return RunMode.REMOTE
        return RunMode.IN_PROCESS if self.in_process else RunMode.LOOPBACK

    @property
    def effective_fuzzing_examples(self) -> int:
        return self.fuzzing_examples or self.profile.fuzzing_examples

    def capped_examples(self, count: int) -> int:
        """A client test's examples: ``count``, at most --max-examples when given."""
        return count if self.fuzzing_examples is None else min(self.fuzzing_examples, count)

    @property
    def effective_client_examples(self) -> int:
        return self.capped_examples(self.profile.client_examples)
