"""What the templates render for a spec is that spec's: no trace of the product's operation in
another spec's package, every operation listed, the same pipeline's header on every file."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.templates.conftest import SPECS, Rendered

# On one xdist worker, so that its fixture is made once: conftest.rendered.
pytestmark = pytest.mark.xdist_group("template-specs")

PRODUCT_OPERATION = re.compile(r"session[_ ]?token|sessiontoken", re.IGNORECASE)


@pytest.mark.parametrize("stem", ["plaid_items", "shapes"])
def test_nothing_of_the_product_operation_is_rendered_into_another_spec(
    rendered: dict[str, Rendered], stem: str
) -> None:
    files = [path for path in rendered[stem].project.rglob("*") if path.is_file()]
    assert files
    mentions = [
        f"{path.relative_to(rendered[stem].project)}: {match.group(0)}"
        for path in files
        for match in PRODUCT_OPERATION.finditer(path.read_text(encoding="utf-8"))
    ]
    assert mentions == []


@pytest.mark.parametrize("stem", ["plaid_items", "shapes"])
def test_the_readme_lists_every_operation_of_the_spec(
    rendered: dict[str, Rendered], stem: str
) -> None:
    spec = yaml.safe_load((SPECS / f"{stem}.yaml").read_text(encoding="utf-8"))
    readme = (rendered[stem].project / "README.md").read_text(encoding="utf-8")
    for path, item in spec["paths"].items():
        for method in item:
            assert f"`{method.upper()} {path}`" in readme, (method, path)


@pytest.mark.parametrize("stem", ["plaid_items", "shapes"])
def test_every_file_carries_the_generated_header(rendered: dict[str, Rendered], stem: str) -> None:
    for path in (p for p in rendered[stem].project.rglob("*") if p.is_file()):
        head = path.read_text(encoding="utf-8")[:400]
        assert "DO NOT EDIT" in head and "nox -s generate" in head, path
