"""Every workflow of this repository is a nox session.

Run them through the pinned runner: `python3 scripts/nox_pinned.py -s SESSION [-- ARGS]`
(or plain `nox` if you have the versions from requirements/nox.txt). Every session installs
from requirements/constraints.txt, so results do not move when PyPI does, and checks every
downloaded file against the hashes there (and requirements/build.txt's, for the build backend).
"""

from __future__ import annotations

import hashlib
import json
import re
import signal
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).parent
CONSTRAINTS_FILE = ROOT / "requirements" / "constraints.txt"
BUILD_CONSTRAINTS_FILE = ROOT / "requirements" / "build.txt"
# uv checks the hash of every file it installs whose pin in these files carries hashes (all of
# them: `uv pip compile --generate-hashes`), the build backend's in the isolated build too. Not
# `--require-hashes`: uv refuses it for local projects (ours), so hashed_pins() proves instead
# that nothing else came in without a pin.
CONSTRAINTS = (
    "-c",
    str(CONSTRAINTS_FILE),
    "--build-constraints",
    str(BUILD_CONSTRAINTS_FILE),
    "--verify-hashes",
)
# Ours, installed from this checkout: the only distributions without a hashed pin.
LOCAL_PROJECTS = frozenset(
    {"plaid-session-tooling", "plaid-offline-sandbox", "plaid-session-client"}
)
CLIENT_PROJECT = ROOT / "generated" / "plaid-session-client"
SANDBOX_PROJECT = ROOT / "contracts" / "plaid-offline-sandbox"
# Sessions run on the interpreter that runs nox (python=None): `python3.13 scripts/nox_pinned.py
# -s tests` tests on 3.13. These are the versions the pins are locked for.
SUPPORTED_PYTHONS = ("3.11", "3.12", "3.13")
PYTHON = None
RUNNING_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"

# How long a session's command may take to clean up (stop the sandbox it started, write its
# reports) once it is told to stop, before nox kills it.
STOP_TIMEOUT_SECONDS = 30.0

# uv only: pip does not check hashes given in a constraints file.
nox.options.default_venv_backend = "uv"
nox.options.reuse_venv = "yes"
# One venv folder per interpreter: nox would reuse a venv another interpreter made.
nox.options.envdir = f".nox/py{RUNNING_PYTHON}"
nox.options.sessions = ["check-version", "check-generated", "lint", "typecheck", "tests"]


def _stop_on_sigterm(signum: int, frame: object) -> None:
    # nox stops the command it runs on KeyboardInterrupt (Ctrl-C): it sends it SIGTERM and
    # waits STOP_TIMEOUT_SECONDS. Make SIGTERM to nox (a CI runner cancelling, a script) do the
    # same instead of killing nox and leaving its command running.
    raise KeyboardInterrupt


signal.signal(signal.SIGTERM, _stop_on_sigterm)


# Compiled bytecode for the sessions whose speed matters, kept out of the source tree. This
# environment may set PYTHONDONTWRITEBYTECODE, which makes every run compile every module again.
BYTECODE_ENV = {
    "PYTHONDONTWRITEBYTECODE": "",
    "PYTHONPYCACHEPREFIX": str(ROOT / ".nox" / "pycache"),
}


def run(session: nox.Session, *args: str, env: dict[str, str] | None = None) -> None:
    """session.run, giving the command time to clean up when the session is stopped."""
    session.run(*args, env=env, terminate_timeout=STOP_TIMEOUT_SECONDS)


def _install_fingerprint(extras: tuple[str, ...], client: bool) -> str:
    """What an install depends on: the pins, the project, the extras, the generated client's
    files (its version need not change when its code does)."""
    digest = hashlib.sha256(repr((extras, client)).encode())
    inputs = [
        CONSTRAINTS_FILE,
        BUILD_CONSTRAINTS_FILE,
        ROOT / "pyproject.toml",
        SANDBOX_PROJECT / "pyproject.toml",  # its entry points are written at install
    ]
    if client:
        inputs += sorted(
            p for p in CLIENT_PROJECT.rglob("*") if p.is_file() and "__pycache__" not in p.parts
        )
    for path in inputs:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def install(session: nox.Session, *extras: str, client: bool = False) -> None:
    """Install the tooling (with extras), the offline sandbox and optionally the client, pinned.

    The tooling and the sandbox are editable (their code is ours to change between runs); the
    client is not. Skipped when nothing it depends on changed since this venv's last install:
    the two installs were ~3 s of every run.
    """
    if RUNNING_PYTHON not in SUPPORTED_PYTHONS:
        supported = ", ".join(SUPPORTED_PYTHONS)
        session.error(f"needs Python {supported}; nox runs on {RUNNING_PYTHON}")
    stamp = Path(session.virtualenv.location) / ".plaid-install-fingerprint"
    fingerprint = _install_fingerprint(extras, client)
    if stamp.is_file() and stamp.read_text() == fingerprint:
        session.log("dependencies unchanged since this venv's last install: not reinstalling")
        return
    spec = f".[{','.join(extras)}]" if extras else "."
    _checked_install(session, "-e", spec, "-e", str(SANDBOX_PROJECT))
    if client:
        # Non-editable, and reinstalled whenever its files change (its version need not):
        # tests see the package exactly as a vendoring team installs it.
        _checked_install(
            session, "--reinstall-package", "plaid-session-client", str(CLIENT_PROJECT)
        )
    stamp.write_text(fingerprint)


def _checked_install(session: nox.Session, *args: str) -> None:
    """uv pip install under the hashed pins; one clear line when the bytes were not the pinned
    ones, or when a distribution came in that no hashed pin covers."""
    try:
        session.install(*CONSTRAINTS, *args)
    except nox.command.CommandFailed:
        session.error(
            "install failed. If uv says 'Hash mismatch' above, the index served other bytes "
            "than requirements/constraints.txt or build.txt pin: do not edit the hash, find out "
            "why (README: Dependencies, and why)"
        )
    listed = session.run("python", "-c", LIST_DISTRIBUTIONS, silent=True, log=False)
    installed = {_canonical(name) for name in json.loads(str(listed))}
    unpinned = sorted(installed - hashed_pins(CONSTRAINTS_FILE) - LOCAL_PROJECTS)
    if unpinned:
        session.error(
            f"installed without a hashed pin in requirements/constraints.txt: "
            f"{', '.join(unpinned)} (recompile it: README, Dependencies, and why)"
        )


LIST_DISTRIBUTIONS = (
    "import importlib.metadata as m, json; "
    "print(json.dumps([d.metadata['Name'] for d in m.distributions()]))"
)


def hashed_pins(path: Path) -> frozenset[str]:
    """The names a compiled requirements file pins with at least one hash."""
    pins: set[str] = set()
    name = None
    for line in path.read_text().splitlines():
        if match := re.match(r"([A-Za-z0-9][\w.-]*)==", line):
            name = match[1]
        elif name and line.strip().startswith("--hash=sha256:"):
            pins.add(_canonical(name))
    return frozenset(pins)


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@nox.session(python=PYTHON)
def generate(session: nox.Session) -> None:
    """Regenerate generated/ from the spec, config and templates (bumps the version first)."""
    install(session, "generate", "test")
    run(session, "python", "-m", "plaid_tools.versioning", "bump", *session.posargs)
    run(session, "python", "-m", "plaid_tools.regenerate")


@nox.session(name="check-generated", python=PYTHON)
def check_generated(session: nox.Session) -> None:
    """Fail, naming the files, when generated/ differs from a fresh regeneration."""
    install(session, "generate")
    run(session, "python", "-m", "plaid_tools.check_generated")


@nox.session(name="check-version", python=PYTHON)
def check_version(session: nox.Session) -> None:
    """Fail when info.version or the CHANGELOG lag what changed since origin/main (or main)."""
    install(session, "test", "generate")
    run(session, "python", "-m", "plaid_tools.versioning", "check", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Spec checks (validator + our rules) and ruff on our own code."""
    install(session, "lint", "generate")
    run(session, "python", "-m", "plaid_tools.spec_lint")
    run(session, "ruff", "check", ".")
    run(session, "ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on our code and the generated package; pyright on the generated package."""
    install(session, "typecheck", "test", "generate", client=True)
    run(session, "mypy", "--strict", str(CLIENT_PROJECT / "plaid_session_client"))
    run(session, "mypy", "--strict", "contracts", "scripts", "tests")
    run(session, "pyright", str(CLIENT_PROJECT / "plaid_session_client"))


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The full test suite of the tooling, sandbox, client and contract runner."""
    install(session, "test", "generate", client=True)
    # In parallel on every core unless the caller chose (`-- -n 0` runs in one process). Tests
    # that share a server or a fixture across modules are grouped with xdist_group.
    parallel = () if _chooses_workers(session.posargs) else ("-n", "auto", "--dist", "loadgroup")
    # Compiled once: much of the suite's time is subprocesses and the forkservers of
    # tests/forked_runs.py importing schemathesis, hypothesis and pytest, which would otherwise
    # compile every time.
    run(session, "pytest", *parallel, *session.posargs, env=BYTECODE_ENV)


def _chooses_workers(args: list[str]) -> bool:
    return "no:xdist" in args or any(arg.startswith(("-n", "--numprocesses")) for arg in args)


@nox.session(name="dependency-range", python=[SUPPORTED_PYTHONS[0], SUPPORTED_PYTHONS[-1]])
@nox.parametrize("bound", ["lowest", "highest"])
def dependency_range(session: nox.Session, bound: str) -> None:
    """The client's own tests (calls to the offline sandbox among them) on the lowest and the
    highest httpx and attrs its wheel declares, on the lowest and highest Python we support."""
    # Not the constraints: this venv holds other httpx and attrs. Its own lock, every file
    # hashed and required to be; ours are local (no deps: the lock holds theirs).
    session.install("--require-hashes", "-r", f"requirements/client-{bound}.txt")
    session.install(
        "--no-deps",
        "--build-constraints",
        str(BUILD_CONSTRAINTS_FILE),
        "--reinstall-package",
        "plaid-session-client",
        str(CLIENT_PROJECT),
        str(SANDBOX_PROJECT),
        "-e",
        ".",
    )
    run(session, "python", "-m", "plaid_tools.dependency_range", "check", bound)
    run(session, "pytest", "-p", "no:cacheprovider", "tests/client", *session.posargs)


@nox.session(name="dependency-range-compile", python=PYTHON)
def dependency_range_compile(session: nox.Session) -> None:
    """Rewrite requirements/client-lowest.txt and -highest.txt from the wheel's declared range."""
    install(session, "test")
    run(session, "python", "-m", "plaid_tools.dependency_range", "compile")


@nox.session(python=PYTHON)
def sandbox(session: nox.Session) -> None:
    """Serve the offline Plaid Sandbox: `nox -s sandbox -- --host 127.0.0.1 --port 8100`."""
    install(session)
    run(session, "python", "-m", "plaid_offline_sandbox", *session.posargs)


@nox.session(python=PYTHON)
def contracts(session: nox.Session) -> None:
    """The contract run (offline sandbox by default); report in reports/contracts/."""
    install(session, "test", client=True)
    run(session, "python", "-m", "plaid_contracts", "run", *session.posargs, env=BYTECODE_ENV)


@nox.session(python=PYTHON)
def mutation(session: nox.Session) -> None:
    """The PR contract run against every mutant of the offline sandbox (`-- --ci`: a subset);
    prints the score, survivors and false positives, writes reports/mutation/."""
    install(session, "test", client=True)
    run(session, "python", "-m", "tests.mutation", *session.posargs, env=BYTECODE_ENV)


@nox.session(python=PYTHON)
def parity(session: nox.Session) -> None:
    """Replay a real-Sandbox recording against the offline sandbox and report differences."""
    install(session, "test", client=True)
    run(session, "python", "-m", "plaid_contracts", "parity", *session.posargs)


@nox.session(python=PYTHON)
def merge(session: nox.Session) -> None:
    """Merge the summaries of a run's shards (`run --operation NAME`) into one summary."""
    install(session, "test", client=True)
    run(session, "python", "-m", "plaid_contracts", "merge", *session.posargs)


@nox.session(name="try", python=PYTHON)
def try_request(session: nox.Session) -> None:
    """Send the spec's example request to the target and print the answer, secrets masked."""
    install(session, "test", client=True)
    run(session, "python", "-m", "plaid_contracts", "try", *session.posargs)


@nox.session(name="spec-diff", python=PYTHON)
def spec_diff(session: nox.Session) -> None:
    """Classify spec changes by impact: `nox -s spec-diff -- [OLD] [NEW] [--format json]`."""
    install(session, "test", "generate")
    run(session, "python", "-m", "plaid_tools.spec_diff", *session.posargs)


@nox.session(python=PYTHON)
def upstream(session: nox.Session) -> None:
    """Our spec against Plaid's published spec: `nox -s upstream -- [URL | FILE | DIR[@REF]]`
    (`-- --propose`: adopt each new difference and generate, see the README)."""
    install(session, "test", "generate")
    run(session, "python", "-m", "plaid_tools.upstream", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks and reliability figures as ratios; writes reports/bench/."""
    install(session, "test", "generate", "bench", client=True)
    run(session, "python", "-m", "plaid_tools.bench", *session.posargs, env=BYTECODE_ENV)


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the docs site into reports/docs/ (`--strict`: a broken link or a missing page fails);
    `nox -s docs -- serve` previews it instead."""
    install(session, "docs")
    if session.posargs[:1] == ["serve"]:
        run(session, "mkdocs", "serve", *session.posargs[1:])
        return
    # Material's banner about its successor, printed on every build, is not news to CI.
    env = {"NO_MKDOCS_2_WARNING": "1"}
    run(
        session,
        "mkdocs",
        "build",
        "--strict",
        "--site-dir",
        str(ROOT / "reports" / "docs"),
        env=env,
    )
