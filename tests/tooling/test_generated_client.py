"""Golden-record tests of the generation pipeline, and the vendorable package it produces."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openapi_python_client
import pytest
from plaid_tools import generator_cli, paths
from plaid_tools.check_generated import differences
from plaid_tools.regenerate import generate_into, package_version
from uv import find_uv_bin

from tests.conftest import FRESH_CLIENT_GROUP
from tests.tooling.test_pinned_installs import closure

pytestmark = FRESH_CLIENT_GROUP


def test_committed_client_is_exactly_a_fresh_regeneration(fresh_client: Path) -> None:
    assert differences(paths.CLIENT_PROJECT, fresh_client) == []


def test_regeneration_is_byte_identical_and_leaves_no_debris(
    fresh_client: Path, tmp_path: Path
) -> None:
    again = generate_into(tmp_path / paths.DISTRIBUTION)
    assert differences(fresh_client, again) == []
    debris = [p for p in again.rglob("*") if p.name in {".ruff_cache", "__pycache__"}]
    assert debris == []


def test_compiled_templates_are_reused_only_while_their_source_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The generator keeps compiled templates in Jinja's per-user folder in the temporary folder
    (the generator runs in this process: tempfile's), found by name and source: a generation
    with none cached is the committed client; one from a copy of the templates elsewhere, with
    one template changed, compiles that template only and renders the change."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    templates = shutil.copytree(paths.TEMPLATES, tmp_path / "templates")
    cold = generate_into(tmp_path / "cold" / paths.DISTRIBUTION, templates=templates)
    assert differences(paths.CLIENT_PROJECT, cold) == []
    cached = set(tmp_path.glob("_jinja2-cache-*/openapi-python-client-*"))
    assert cached

    moved = shutil.copytree(templates, tmp_path / "elsewhere" / "templates")
    limits = moved / "package" / "_limits.py.jinja"
    limits.write_text(limits.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    edited = generate_into(tmp_path / "edited" / paths.DISTRIBUTION, templates=moved)
    assert differences(paths.CLIENT_PROJECT, edited) == ["differs: plaid_session_client/_limits.py"]
    assert "# edited" in (edited / "plaid_session_client" / "_limits.py").read_text()
    assert len(set(tmp_path.glob("_jinja2-cache-*/openapi-python-client-*")) - cached) == 1


def test_generations_in_one_process_at_once_are_each_whole_and_leave_it_as_it_was(
    tmp_path: Path,
) -> None:
    """The generator runs in the caller's process (spec-diff generates both sides there): two
    generations from two threads are each the committed client, and the process's streams,
    excepthook and generator are what they were."""
    before = (sys.stdout, sys.stderr, sys.excepthook, openapi_python_client.Project)
    with ThreadPoolExecutor(2) as pool:
        sides = [
            pool.submit(generate_into, tmp_path / side / paths.DISTRIBUTION)
            for side in ("old", "new")
        ]
        assert [differences(paths.CLIENT_PROJECT, side.result()) for side in sides] == [[], []]
    assert (sys.stdout, sys.stderr, sys.excepthook, openapi_python_client.Project) == before


def test_a_generation_stops_on_ctrl_c_and_reports_usage_errors_as_the_command_line_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In-process, the generator still behaves as its command: Ctrl-C is not a failed
    generation (spec-diff would fall back to the stock templates), a bad option is exit 2."""

    def interrupted(self: generator_cli.ProjectWithPackageModules) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(generator_cli.ProjectWithPackageModules, "_build_api", interrupted)
    with pytest.raises(KeyboardInterrupt):
        generate_into(tmp_path / "interrupted")
    code, printed = generator_cli.generate(["generate", "--no-such-option"])
    assert code == 2 and "No such option: --no-such-option" in printed, printed


def test_one_changed_word_in_a_description_is_named_as_drift(tmp_path: Path) -> None:
    spec = paths.SPEC.read_text(encoding="utf-8")
    edited = spec.replace("The end user the session is for.", "The end user this session is for.")
    assert edited != spec
    edited_spec = tmp_path / "spec.yaml"
    edited_spec.write_text(edited, encoding="utf-8")
    drifted = generate_into(tmp_path / "drifted", spec_path=edited_spec)
    assert "differs: plaid_session_client/models/session_token_create_request_user.py" in (
        differences(paths.CLIENT_PROJECT, drifted)
    )


def test_every_generated_file_says_it_is_generated_and_how_to_regenerate(
    fresh_client: Path,
) -> None:
    for path in (p for p in fresh_client.rglob("*") if p.is_file()):
        head = path.read_text(encoding="utf-8")[:400]
        assert "DO NOT EDIT" in head and "nox -s generate" in head, path


def test_package_version_comes_from_the_spec(fresh_client: Path) -> None:
    version = package_version(paths.SPEC)
    pyproject = (fresh_client / "pyproject.toml").read_text(encoding="utf-8")
    assert f'version = "{version}"' in pyproject


def test_the_docs_state_the_runtime_dependencies_the_package_declares() -> None:
    """Vendoring teams read their resolver's constraints in the docs: keep them true."""
    pyproject = tomllib.loads((paths.CLIENT_PROJECT / "pyproject.toml").read_text("utf-8"))
    vendoring = paths.ROOT.joinpath("docs", "client.md").read_text("utf-8").split("## Vendoring")[1]
    section = " ".join(vendoring.split("\n## ")[0].split())
    for requirement in pyproject["project"]["dependencies"]:
        assert f"`{requirement}`" in section, requirement
    assert f"for Python {pyproject['project']['requires-python'].removeprefix('>=')}+" in section


def test_wheel_installs_and_imports_in_an_empty_virtualenv(tmp_path: Path) -> None:
    uv = find_uv_bin()
    dist = tmp_path / "dist"
    # The build backend hash-checked against requirements/build.txt, as in every session.
    build_pins = str(paths.ROOT / "requirements" / "build.txt")
    build = [sys.executable, "-m", "build", "--wheel", "--installer", "uv", "--outdir", str(dist)]
    subprocess.run(
        [*build, str(paths.CLIENT_PROJECT)],
        check=True,
        capture_output=True,
        env={**os.environ, "UV": uv, "UV_CONSTRAINT": build_pins},
    )
    (wheel,) = dist.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert f"{paths.PACKAGE}/py.typed" in names

    env_dir = tmp_path / "venv"
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(env_dir)], check=True)
    python = env_dir / "bin" / "python"
    # Hash-checked, as every install here: the wheel by the hash of the bytes just built, its
    # dependencies as the highest end of the declared range locks them (dependency-range).
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    pinned = tmp_path / "wheel.txt"
    pinned.write_text(
        f"{wheel.as_uri()} --hash=sha256:{digest}\n"
        + closure("client-highest.txt", paths.DISTRIBUTION)
    )
    install = [uv, "pip", "install", "--quiet", "--python", str(python), "--require-hashes"]
    subprocess.run([*install, "-r", str(pinned)], check=True)
    probe = (
        "import importlib.metadata as m, plaid_session_client as p;"
        "print(p.__name__);"
        "print(sorted(r.split(';')[0].split('>')[0].split('<')[0].split('=')[0].strip()"
        " for r in m.requires('plaid-session-client') or []))"
    )
    out = subprocess.run([str(python), "-c", probe], check=True, capture_output=True, text=True)
    name, requirements = out.stdout.splitlines()
    assert name == paths.PACKAGE
    assert requirements == "['attrs', 'httpx']"
