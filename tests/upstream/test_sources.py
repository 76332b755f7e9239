"""Where upstream comes from (a URL, a file, a directory, a git repository and ref) and every
bad input: one line on stderr, exit 2, no report."""

from __future__ import annotations

import functools
import http.server
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..spec_diff.conftest import git
from .conftest import DEVIATIONS, UPSTREAM, Editor, Runner, schemas


def add_field(doc: dict[str, Any]) -> None:
    schemas(doc)["WidgetCreateRequest"]["properties"]["color"] = {"type": "string"}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep the server's access log out of the command's stderr."""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """A local HTTP server for tmp_path/site; yields its base URL."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(UPSTREAM, site / "2020-09-14.yml")
    (site / "page.html").write_text("<html><body>Not a spec</body></html>", encoding="utf-8")
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def upstream_repo(tmp_path: Path, edited: Editor) -> tuple[Path, str]:
    """A git repository laid out like plaid/plaid-openapi: the fixture, then a new field."""
    repo = tmp_path / "plaid-openapi"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "master")
    shutil.copy(UPSTREAM, repo / "2020-09-14.yml")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "1.0.0")
    first = git(repo, "rev-parse", "HEAD").strip()
    shutil.copy(edited(UPSTREAM, add_field), repo / "2020-09-14.yml")
    git(repo, "commit", "-q", "-am", "1.1.0: color")
    return repo, first


def test_url_from_a_local_server(run: Runner, served: str) -> None:
    result = run(f"{served}/2020-09-14.yml")
    assert result.code == 0, result.err
    assert f"`{served}/2020-09-14.yml`" in result.report


def test_git_ref_and_directory_sources(run: Runner, upstream_repo: tuple[Path, str]) -> None:
    repo, first = upstream_repo
    assert run(f"{repo}@{first}").code == 0
    assert run(f"{repo}@{first}:2020-09-14.yml").code == 0
    latest = run(f"{repo}@master")
    assert latest.code == 1 and "optional field color added" in latest.report
    assert f"`{repo}@master:2020-09-14.yml`" in latest.report
    assert run(repo).code == 1  # a checkout: its working tree's file


def test_a_bare_clone_reads_head(
    run: Runner, upstream_repo: tuple[Path, str], tmp_path: Path
) -> None:
    repo, first = upstream_repo
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    assert run(bare).code == 1
    assert run(f"{bare}@{first}").code == 0


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def not_a_repo(tmp_path: Path) -> str:
    (tmp_path / "empty").mkdir()
    return str(tmp_path / "empty")


def bad_ref(tmp_path: Path) -> str:
    git(tmp_path, "init", "-q", "repo")
    return f"{tmp_path / 'repo'}@no-such-ref"


def not_openapi(tmp_path: Path) -> str:
    (tmp_path / "settings.yaml").write_text("name: not a spec\npaths: {}\n", encoding="utf-8")
    return str(tmp_path / "settings.yaml")


def not_yaml(tmp_path: Path) -> str:
    (tmp_path / "broken.yml").write_text("openapi: 3.0.0\npaths: [unclosed\n", encoding="utf-8")
    return str(tmp_path / "broken.yml")


def not_text(tmp_path: Path) -> str:
    (tmp_path / "blob.yml").write_bytes(b"\xff\xfe\x00binary")
    return str(tmp_path / "blob.yml")


def missing_operation(tmp_path: Path, edited: Editor) -> str:
    return str(edited(UPSTREAM, lambda doc: doc["paths"].pop("/widget/create")))


@pytest.mark.parametrize(
    ("make_source", "message"),
    [
        (lambda tmp, ed, url: f"http://127.0.0.1:{closed_port()}/2020-09-14.yml", "cannot fetch"),
        (lambda tmp, ed, url: f"{url}/missing.yml", "HTTP 404"),
        (lambda tmp, ed, url: f"{url}/page.html", "must be a mapping"),
        (lambda tmp, ed, url: not_openapi(tmp), "not an OpenAPI 3 document"),
        (lambda tmp, ed, url: not_yaml(tmp), "not valid YAML/JSON"),
        (lambda tmp, ed, url: not_text(tmp), "not UTF-8 text"),
        (lambda tmp, ed, url: missing_operation(tmp, ed), "POST /widget/create is not in upstream"),
        (lambda tmp, ed, url: str(tmp / "nowhere.yml"), "is not a URL, a file, a directory"),
        (lambda tmp, ed, url: not_a_repo(tmp), "not a git repository"),
        (lambda tmp, ed, url: bad_ref(tmp), "'no-such-ref' is not a commit"),
    ],
    ids=[
        "unreachable-url",
        "http-404",
        "html-page",
        "not-openapi",
        "not-yaml",
        "not-text",
        "operation-missing-upstream",
        "no-such-path",
        "directory-not-a-repo",
        "unknown-ref",
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    run: Runner, edited: Editor, tmp_path: Path, served: str, make_source: Any, message: str
) -> None:
    result = run(make_source(tmp_path, edited, served))
    assert result.code == 2
    assert result.err.startswith("upstream: ") and result.err.count("\n") == 1, result.err
    assert message in result.err
    assert result.report == "" and result.out == ""


def test_an_invalid_deviations_file_is_bad_input(run: Runner, edited: Editor) -> None:
    def break_evidence(doc: dict[str, Any]) -> None:
        del doc["deviations"][0]["evidence"]["link"]

    result = run(deviations=edited(DEVIATIONS, break_evidence))
    assert result.code == 2 and result.err.count("\n") == 1
    assert "closed-request-objects" in result.err and "link" in result.err
