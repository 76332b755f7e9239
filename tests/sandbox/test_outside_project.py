"""A vendoring team's project, outside this repository, built from the docs' blocks alone.

A fresh virtual environment (the interpreter's own pip: 23.2 on Python 3.11.7, as
tests/fresh_venv.py makes it), the testing page's install command run verbatim, its "their code"
and "their tests" and the README's example test written into a throwaway project, and that
project's pytest: green, with the one test of its own whose fault never fired reported. Then the
testing page's GitHub Actions step that starts the sandbox in the background, and the curl its
banner prints. Slow (pip builds two wheels and installs from PyPI, pinned to
requirements/constraints.txt's versions through PIP_CONSTRAINT; pip's cache makes reruns
quicker), so it runs once, in one test; the team's own pytest is copied from this environment.
Versions only: given hashes, pip refuses to install the two local directories the README's
command names.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from plaid_offline_sandbox.serving import free_port
from plaid_tools import paths

from tests import fresh_venv
from tests.sandbox.sandbox_support import banner_curl

pytestmark = [pytest.mark.heavy, pytest.mark.timeout(900)]

BLOCK = re.compile(r"<!-- outside-project: (?P<name>\S+) -->\n```\w+\n(?P<body>.*?)\n```", re.S)
PROJECT_CONFIG = '[tool.pytest.ini_options]\npythonpath = ["."]\n'


# The README's example test and the testing page's blocks.
DOCUMENTS = (paths.ROOT / "README.md", paths.ROOT / "docs" / "testing.md")

# Beside the README's tests, one a team might write by mistake: its fault headers never reach
# the client, so it passes without testing the retry, and pytest must say so.
FORGOTTEN_FAULT = """\
import plaid_session_client as plaid
from their_service.links import start_link_session


def test_a_retry_that_is_never_tested(plaid_sandbox):
    plaid_sandbox.fault_headers("rate_limit:0,ok", fault_id="t1")
    with plaid.PlaidSessionClient(
        base_url=plaid_sandbox.base_url, client_id=plaid_sandbox.client_id,
        secret=plaid_sandbox.secret,
    ) as client:
        start_link_session(client, plaid_sandbox.template_id, "user-1")
"""


def readme_blocks() -> dict[str, str]:
    text = "\n".join(path.read_text(encoding="utf-8") for path in DOCUMENTS)
    return {match["name"]: match["body"] for match in BLOCK.finditer(text)}


def _run(command: list[str], cwd: Path, env: dict[str, str], timeout: float = 600) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{command}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def _versions_only(constraints: Path, into: Path) -> Path:
    """The compiled constraints without their hashes (the team's pip installs directories)."""
    text = constraints.read_text(encoding="utf-8")
    into.write_text(re.sub(r" \\\n(\s+--hash=sha256:\w+( \\)?\n)+", "\n", text))
    return into


def _venv_env(venv: Path) -> dict[str, str]:
    """What a shell in the team's activated environment has: nothing of ours or of Plaid's."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PLAID_", "PIP_", "PYTHON", "VIRTUAL_ENV", "NOX"))
    }
    env.update(
        VIRTUAL_ENV=str(venv),
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        PIP_CONSTRAINT=str(
            _versions_only(paths.ROOT / "requirements" / "constraints.txt", venv / "pins.txt")
        ),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


def test_readme_blocks_are_all_there() -> None:
    assert set(readme_blocks()) == {
        "install",
        "their_service/links.py",
        "tests/test_links.py",
        "tests/test_links_in_process.py",
        "tests/test_readme.py",
        "tests/test_links_faults.py",
        "github-actions",
    }


@pytest.mark.skipif(os.name != "posix", reason="runs the documented shell commands")
def test_a_throwaway_project_tests_its_code_against_the_sandbox(tmp_path: Path) -> None:
    blocks = readme_blocks()
    venv = tmp_path / "venv"
    fresh_venv.create(venv)
    env = _venv_env(venv)

    # The documented install command, verbatim, in the repository's root; pytest is the team's.
    for line in blocks["install"].splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            _run(["bash", "-c", line], paths.ROOT, env)
    # pytest (with what it requires) at the pinned versions pip would install, copied: 3 s less
    fresh_venv.copy_installed(venv, "pytest")

    project = tmp_path / "their-service"
    for name in (
        "their_service/links.py",
        "tests/test_links.py",
        "tests/test_links_in_process.py",
        "tests/test_links_faults.py",
        "tests/test_readme.py",
    ):
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(blocks[name] + "\n", encoding="utf-8")
    (project / "their_service" / "__init__.py").write_text("")
    (project / "tests" / "test_forgotten_fault.py").write_text(FORGOTTEN_FAULT)
    (project / "pyproject.toml").write_text(PROJECT_CONFIG)

    output = _run(["python", "-m", "pytest", "-q", "-p", "no:cacheprovider"], project, env)
    assert re.search(r"\b10 passed, 1 warning\b", output), output
    assert (
        "tests/test_forgotten_fault.py::test_a_retry_that_is_never_tested: the plaid sandbox was "
        "asked for answers it never gave: fault script 'rate_limit:0,ok' (fault_id 't1'): 0 "
        "request(s) for its 2 step(s)"
    ) in output, output

    _start_as_in_github_actions(blocks["github-actions"], project, env)


def _start_as_in_github_actions(workflow: str, project: Path, env: dict[str, str]) -> None:
    steps = yaml.safe_load(workflow)["jobs"]["test"]["steps"]
    assert all(("uses" in step) != ("run" in step) for step in steps)
    (start,) = [
        step["run"] for step in steps if step.get("name") == "Start the offline Plaid Sandbox"
    ]
    port = str(free_port())  # 8100 may be taken on a shared machine
    script = start.replace("8100", port) + "echo $! > sandbox.pid\n"
    runner_temp = project / "runner-temp"
    runner_temp.mkdir()
    _run(["bash", "-c", script], project, {**env, "RUNNER_TEMP": str(runner_temp)}, timeout=60)
    pid = int((project / "sandbox.pid").read_text())
    try:
        log = runner_temp / "plaid-sandbox.log"
        deadline = time.monotonic() + 10
        while "curl " not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        banner = log.read_text()
        answer = _run(["bash", "-c", banner_curl(banner)], project, env, timeout=30)
        assert answer.startswith('{"link":{"expiration":'), answer
    finally:
        os.kill(pid, signal.SIGTERM)
