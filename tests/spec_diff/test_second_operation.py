"""Adding an endpoint costs its spec section and nothing else, and no major version.

The product spec plus a second operation (tests/fixtures/second_operation/), both generated with
our templates: griffe finds no breakage, every public signature that existed is unchanged
(annotations, defaults and return types included, which griffe does not compare; an overload
may be added, none changed), and `versioning bump` rates the addition compatible: a minor.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import griffe
import pytest
import yaml
from plaid_tools import paths
from plaid_tools.regenerate import generate_into
from plaid_tools.spec_diff.api_diff import diff_packages, load_package, public_surface
from plaid_tools.spec_diff.model import Impact
from plaid_tools.versioning import SpecVersion, bump

from tests.conftest import FRESH_CLIENT_GROUP
from tests.spec_sections import with_section

from .conftest import repo_paths, spec_version

# On the worker that generates the fresh product client, which this module compares against.
pytestmark = FRESH_CLIENT_GROUP

SECTION = (
    Path(__file__).resolve().parents[1] / "fixtures" / "second_operation" / "link_token_get.yaml"
)


def with_second_operation(spec: dict[str, Any]) -> dict[str, Any]:
    return with_section(spec, SECTION)


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory, fresh_client: Path) -> tuple[Path, Path]:
    """The product's client and the one with the second operation."""
    workdir = tmp_path_factory.mktemp("second-operation")
    spec = yaml.safe_load(paths.SPEC.read_text(encoding="utf-8"))
    variant = workdir / "two-operations.yaml"
    variant.write_text(
        yaml.safe_dump(with_second_operation(spec), sort_keys=False), encoding="utf-8"
    )
    return fresh_client, generate_into(workdir / "two" / paths.DISTRIBUTION, spec_path=variant)


def signature(function: griffe.Function) -> str:
    parameters = ", ".join(
        f"{p.kind.value} {p.name}: {p.annotation} = {p.default}" for p in function.parameters
    )
    return f"({parameters}) -> {function.returns}"


def declarations(package: griffe.Object) -> dict[str, tuple[str, ...]]:
    """Every public object's declaration, by public path: a function's signature and its
    overloads' (each a separate entry), an attribute's annotation and value, a class's bases."""
    found: dict[str, tuple[str, ...]] = {}
    for path, obj in public_surface(package).items():
        if isinstance(obj, griffe.Function):
            found[path] = (signature(obj),)
            for overload in obj.overloads or ():
                found[f"{path}@overload:{signature(overload)}"] = ("overload",)
        elif isinstance(obj, griffe.Attribute):
            found[path] = (str(obj.annotation), str(obj.value))
        elif isinstance(obj, griffe.Class):
            found[path] = tuple(str(base) for base in obj.bases)
    return found


def test_griffe_finds_no_breakage_only_additions(clients: tuple[Path, Path]) -> None:
    changes = diff_packages(*clients)
    assert {c.impact for c in changes} == {Impact.COMPATIBLE}, changes
    added = {c.location for c in changes}
    assert {
        "plaid_session_client.client.PlaidSessionClient.link_token_get",
        "plaid_session_client.client.AsyncPlaidSessionClient.link_token_get",
        "plaid_session_client.client.PlaidSessionClientWithRawResponse.link_token_get",
        "plaid_session_client.client.AsyncPlaidSessionClientWithRawResponse.link_token_get",
        "plaid_session_client.api.link",
        "plaid_session_client.models.link_token_get_request.LinkTokenGetRequest",
        "plaid_session_client.models.link_token_get_response.LinkTokenGetResponse",
    } <= added, sorted(added)


def test_no_existing_public_declaration_changes(clients: tuple[Path, Path]) -> None:
    one, two = (declarations(load_package(project)) for project in clients)
    changed = {path: (one[path], two.get(path)) for path in one if two.get(path) != one[path]}
    assert changed == {}
    # The one addition to an existing function: parse_response's overload for the new operation.
    # (reached at the package root and, re-exported, in `client`).
    added = {
        path.partition("@overload:") for path in two.keys() - one.keys() if "@overload" in path
    }
    assert {where for where, _, _ in added} == {
        "plaid_session_client.parse_response",
        "plaid_session_client.client.parse_response",
    }
    (overload,) = {declared for _, _, declared in added}
    assert "operation: Literal['link_token_get']" in overload
    assert overload.endswith("-> LinkTokenGetResponse | APIStatusError")


@pytest.mark.timeout(180)
def test_versioning_rates_the_new_operation_a_minor(client_repo: Path) -> None:
    spec_file = client_repo / "openapi" / "plaid-session-token.yaml"
    base = SpecVersion.parse(spec_version(client_repo))
    spec = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
    spec_file.write_text(yaml.safe_dump(with_second_operation(spec), sort_keys=False))
    message = bump(**repo_paths(client_repo))
    assert spec_version(client_repo) == str(base.bumped(Impact.COMPATIBLE, base.api)), message
    changelog = (client_repo / "openapi" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "Verdict: **compatible**" in changelog
    assert "breaking" not in changelog, changelog
    assert "operation added" in changelog
    added = (
        "compatible (Python API): `plaid_session_client.client.PlaidSessionClient.link_token_get`"
    )
    assert added in changelog, changelog
