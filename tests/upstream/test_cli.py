"""The command as a maintainer meets it: exit status, what the report names, and whether
doing what the report says makes the difference go away."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .conftest import DEVIATIONS, ERROR, OURS, REQUEST, UPSTREAM, Editor, Runner, load, schemas


def yaml_blocks(text: str) -> list[Any]:
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def section(report: str, number: int) -> str:
    """The report's section on new difference `number`."""
    return report.split(f"#### {number}. ", 1)[1].split("\n#### ", 1)[0]


def set_at(document: dict[str, Any], dotted: str, stanza: dict[str, Any]) -> None:
    node = document
    for key in dotted.split("."):
        node = node.setdefault(key, {})
    node.update(stanza)


def test_known_deviations_only_exit_0_and_the_report_lists_each_with_its_evidence(
    run: Runner,
) -> None:
    result = run()
    assert result.code == 0, result.report
    assert "✅ only known deviations (16)" in result.report
    assert "New differences" not in result.report and "Stale" not in result.report
    for deviation in load(DEVIATIONS)["deviations"]:
        assert f"**{deviation['id']}**" in result.report
    assert "ASSUMED [A6], which the nightly run against the real Sandbox" in result.report
    assert "DOC https://docs.example.com/errors/#invalid_field" in result.report
    assert result.out.strip() == result.report.strip()  # printed and written


def test_a_new_upstream_field_exits_1_naming_it(run: Runner, edited: Editor) -> None:
    def add_field(doc: dict[str, Any]) -> None:
        schemas(doc)["WidgetCreateRequest"]["properties"]["color"] = {
            "type": "string",
            "description": "The widget's color.",
        }

    result = run(edited(UPSTREAM, add_field))
    assert result.code == 1
    assert "🔴 1 new (16 known)" in result.report
    assert f"`{REQUEST} color`: upstream has, we lack" in result.report
    assert "optional field color added" in result.report


def test_a_new_enum_value_exits_1_and_the_stanza_lists_the_values(
    run: Runner, edited: Editor
) -> None:
    result = run(
        edited(UPSTREAM, lambda doc: schemas(doc)["PlaidErrorType"]["enum"].append("SIGNAL_ERROR"))
    )
    assert result.code == 1
    assert "enum values added: SIGNAL_ERROR" in result.report
    advice = section(result.report, 1)
    assert "at `components.schemas.KnownErrorType`, set:" in advice
    known = ["INVALID_REQUEST", "INVALID_INPUT", "RATE_LIMIT_EXCEEDED", "API_ERROR"]
    assert yaml_blocks(advice)[0] == {"enum": [*known, "SIGNAL_ERROR"]}


def test_a_field_upstream_now_requires_exits_1(run: Runner, edited: Editor) -> None:
    def require_label(doc: dict[str, Any]) -> None:
        schemas(doc)["WidgetCreateRequest"]["required"].append("label")

    result = run(edited(UPSTREAM, require_label))
    assert result.code == 1
    assert f"`{REQUEST} label`: upstream has, we lack" in result.report
    assert "field label optional -> required" in result.report
    assert "add `label` to `components.schemas.CreateRequest.required`" in result.report


def test_our_extra_strictness_is_new_unless_listed(run: Runner, edited: Editor) -> None:
    # Listed: known (test above). Unlisted: a maxLength of ours, and a listed minLength whose
    # entry is removed.
    def max_length(doc: dict[str, Any]) -> None:
        schemas(doc)["CreateRequest"]["properties"]["template_id"]["maxLength"] = 64

    result = run(spec=edited(OURS, max_length))
    assert result.code == 1
    assert f"`{REQUEST} template_id`: we assert, upstream does not" in result.report
    assert "maxLength 64 -> None" in result.report
    assert "remove `maxLength` from `components.schemas.CreateRequest.properties.template_id`" in (
        result.report
    )

    def unlist(doc: dict[str, Any]) -> None:
        entry = next(d for d in doc["deviations"] if d["id"] == "non-empty-strings")
        entry["differences"] = [k for k in entry["differences"] if "template_id" not in k["at"]]

    result = run(deviations=edited(DEVIATIONS, unlist))
    assert result.code == 1
    assert "minLength 1 -> None" in section(result.report, 1)


def test_a_deviation_that_no_longer_applies_is_stale(run: Runner, edited: Editor) -> None:
    def drop_min_length(doc: dict[str, Any]) -> None:
        del schemas(doc)["CreateRequest"]["properties"]["template_id"]["minLength"]

    result = run(spec=edited(OURS, drop_min_length))
    assert result.code == 1
    assert "🔴 1 stale" in result.report and "New differences" not in result.report
    assert f"| non-empty-strings | `{REQUEST} template_id` | bounds_changed | minLength |" in (
        result.report
    )


def test_names_wording_and_extensions_are_not_drift(run: Runner, edited: Editor) -> None:
    def reword(doc: dict[str, Any]) -> None:
        operation = doc["paths"]["/widget/create"]["post"]
        operation.update(operationId="createAWidget", tags=["other"], description="Reworded.")
        operation["x-new-extension"] = True
        schemas(doc)["Widget"].update(title="WidgetLink", description="Reworded.")
        schemas(doc)["PlaidErrorType"]["title"] = "ErrorType"

    assert run(edited(UPSTREAM, reword)).code == 0


def test_a_deprecation_upstream_is_drift(run: Runner, edited: Editor) -> None:
    def deprecate(doc: dict[str, Any]) -> None:
        schemas(doc)["WidgetCreateRequest"]["properties"]["label"]["deprecated"] = True

    result = run(edited(UPSTREAM, deprecate))
    assert result.code == 1 and "deprecated changed" in result.report


def test_following_upstream_as_the_report_says_clears_the_difference(
    run: Runner, edited: Editor, tmp_path: Path
) -> None:
    def add_nested_field(doc: dict[str, Any]) -> None:
        owner = schemas(doc)["WidgetCreateRequestOwner"]
        owner["properties"]["region"] = {
            "allOf": [{"$ref": "#/components/schemas/UserId"}, {"type": "string"}],
            "description": "Where the user lives.",
        }

    upstream = edited(UPSTREAM, add_nested_field)
    advice = section(run(upstream).report, 1)
    where = re.search(r"under `([^`]+)\.properties`, add:", advice)
    assert where is not None, advice
    stanza = yaml_blocks(advice)[0]
    # Upstream's allOf over a string arrives as one plain string schema, ready for our spec.
    assert stanza["region"]["type"] == "string" and "allOf" not in stanza["region"]
    assert "title" not in stanza["region"]
    ours = load(OURS)
    set_at(ours, f"{where[1]}.properties", stanza)
    followed = tmp_path / "ours-followed.yaml"
    followed.write_text(yaml.safe_dump(ours, sort_keys=False), encoding="utf-8")
    assert run(upstream, spec=followed).code == 0


def test_keeping_ours_with_the_reports_stanza_clears_the_difference(
    run: Runner, edited: Editor, tmp_path: Path
) -> None:
    def tighten(doc: dict[str, Any]) -> None:
        schemas(doc)["CreateRequest"]["properties"]["label"]["maxLength"] = 200

    ours = edited(OURS, tighten)
    (entry,) = yaml_blocks(section(run(spec=ours).report, 1))[-1]
    assert entry["differences"] == [
        {"at": f"{REQUEST} label", "rule": "bounds_changed", "subject": "maxLength"}
    ]
    entry.update(reason="Labels are capped by our UI.", evidence={"kind": "ASSUMED", "tag": "A26"})
    deviations = load(DEVIATIONS)
    deviations["deviations"].append(entry)
    kept = tmp_path / "deviations-kept.yaml"
    kept.write_text(yaml.safe_dump(deviations, sort_keys=False), encoding="utf-8")
    assert run(spec=ours, deviations=kept).code == 0


def test_the_error_object_is_compared_through_our_open_error_type(run: Runner) -> None:
    result = run()
    assert f"`{ERROR} error_type`: we assert, upstream does not: union variant removed: string" in (
        result.report
    )
