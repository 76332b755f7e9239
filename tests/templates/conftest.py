"""The client templates rendered on fixture specs of their own (specs/), as openapi-python-client
tests its templates: each spec through the same pipeline as the product (`generate_into`: our
templates, the generator config, ruff and the header hook), into a package named after the spec,
generated once per test session and importable next to plaid_session_client."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import httpx
import pytest
import yaml
from plaid_tools import paths
from plaid_tools.regenerate import generate_into

SPECS = Path(__file__).resolve().parent / "specs"
SPEC_NAMES = sorted(path.stem for path in SPECS.glob("*.yaml"))
# Fixture credentials in Plaid's formats (24 / 30 lowercase hex).
CLIENT_ID = "f1c7e2e0c11e47000000f1c7"
SECRET = "f1c7e25ec2e7000000000000f1c7ab"


@dataclass(frozen=True)
class Rendered:
    """One fixture spec's generated project and the name of its package."""

    project: Path
    package: str


def render(stem: str, workdir: Path) -> Rendered:
    """Generate specs/<stem>.yaml with the product's config, renamed to `<stem>_client`."""
    config = yaml.safe_load(paths.GENERATOR_CONFIG.read_text(encoding="utf-8"))
    config["package_name_override"] = f"{stem}_client"
    config["project_name_override"] = f"{stem.replace('_', '-')}-client"
    config_path = workdir / f"{stem}.config.yaml"
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    project = generate_into(
        workdir / stem, spec_path=SPECS / f"{stem}.yaml", config_path=config_path
    )
    return Rendered(project, config["package_name_override"])


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rendered]:
    workdir = tmp_path_factory.mktemp("template-specs")
    return {stem: render(stem, workdir) for stem in SPEC_NAMES}


@pytest.fixture(scope="session")
def load(rendered: dict[str, Rendered]) -> Iterator[Callable[[str], ModuleType]]:
    """`load(stem)` imports a fixture spec's generated package."""
    projects = [str(r.project) for r in rendered.values()]
    sys.path[:0] = projects

    def import_package(stem: str) -> ModuleType:
        importlib.import_module(f"{rendered[stem].package}.models")  # not loaded with the package
        return importlib.import_module(rendered[stem].package)

    yield import_package
    del sys.path[: len(projects)]


@dataclass
class Router:
    """A MockTransport handler: one reply per (method, path), every request recorded."""

    replies: dict[tuple[str, str], httpx.Response]
    requests: list[httpx.Request]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.get((request.method, request.url.path))
        if reply is None:
            return httpx.Response(599, text=f"no reply for {request.method} {request.url.path}")
        return httpx.Response(reply.status_code, headers=reply.headers, content=reply.content)


def json_reply(status: int, body: object) -> httpx.Response:
    return httpx.Response(status, json=body)


def plaid_error(error_type: str, error_code: str, request_id: str = "fixtureReq0001") -> object:
    return {
        "display_message": None,
        "error_code": error_code,
        "error_message": f"{error_code.lower()} (fixture)",
        "error_type": error_type,
        "request_id": request_id,
    }
