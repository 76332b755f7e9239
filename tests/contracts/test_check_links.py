"""The summary links each check to what it rests on: repository links must lead somewhere."""

from __future__ import annotations

import re

import pytest
from plaid_contracts.checks.response_checks import described_checks
from plaid_tools.paths import ROOT


def _anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+ (.+)$", markdown, re.M)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


REPOSITORY_LINKS = sorted(
    {info.link for info in described_checks().values() if not info.link.startswith("https://")}
)


def test_every_check_has_a_link() -> None:
    assert REPOSITORY_LINKS and all(info.link for info in described_checks().values())


@pytest.mark.parametrize("link", REPOSITORY_LINKS)
def test_a_repository_link_names_a_file_and_heading_that_exist(link: str) -> None:
    path, _, anchor = link.partition("#")
    target = ROOT / path
    assert target.is_file(), link
    if anchor:
        assert anchor in _anchors(target.read_text(encoding="utf-8")), link
