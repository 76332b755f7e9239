"""`upstream --propose`: each new difference our spec can adopt, adopted as the edit a person
would make, and what is left for a person.

Adopted: a field upstream has and we lack (`property_added`, optional upstream) and a value
upstream's enum has and ours lacks (`enum_added`: an error type, a request value). The field
goes under its object's `properties` in our spec with upstream's description and example, our
string rules on the request side (a non-empty string, a closed object: the deviations file
gets the matching keys under the entries that hold their evidence) and a comment with the
evidence link; the value goes at the end of our enum. Our spec is edited as text (its comments
stay) and checked by comparing again: an adopted difference that is still new is an error, and
one already adopted is not new, so it is never proposed twice.

The offline sandbox is never written: it is written from Plaid's behaviour, not from our spec.
Each adoption names the sandbox rule now missing, which the offline contract run shows (a
request field the sandbox does not know is answered UNKNOWN_FIELDS).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from plaid_tools.spec_diff.loader import LoadedSpec, Resolver, parse
from plaid_tools.spec_diff.model import Change, Side
from plaid_tools.upstream.advice import inline
from plaid_tools.upstream.deviations import Key, load_deviations_text
from plaid_tools.upstream.drift import compare_with_upstream
from plaid_tools.upstream.locate import LOCATION, locate
from plaid_tools.upstream.yaml_text import ProposalError, append_to_list, dump, insert_entry

SANDBOX_ENDPOINTS = "contracts/plaid-offline-sandbox/plaid_offline_sandbox/endpoints"
# Our rules for request schemas, each with the deviations entry that holds its evidence.
NON_EMPTY = ("non-empty-optional-strings", "bounds_changed", "minLength")
CLOSED = ("closed-request-objects", "additional_properties_changed", "")


@dataclass(frozen=True)
class Adopted:
    change: Change
    edit: str  # what was written, Markdown
    sandbox: str  # the offline sandbox's rule now missing


@dataclass
class Proposal:
    spec_text: str
    deviations_text: str
    adopted: list[Adopted] = field(default_factory=list)
    left: list[Change] = field(default_factory=list)  # for a person: see the report's stanza


def _endpoint_module(location: str, ours: dict[str, Any]) -> str:
    match = LOCATION.match(location)
    assert match is not None
    operation_id = ours["paths"][match["path"]][match["method"].lower()]["operationId"]
    return f"{SANDBOX_ENDPOINTS}/{re.sub(r'(?<!^)(?=[A-Z])', '_', operation_id).lower()}.py"


def _our_rules(schema: Any, at: str) -> list[tuple[tuple[str, str, str], str]]:
    """Apply our request rules to `schema` in place; the (rule, location) pairs applied."""
    applied: list[tuple[tuple[str, str, str], str]] = []
    if not isinstance(schema, dict):
        return applied
    if schema.get("type") == "string" and "minLength" not in schema and "enum" not in schema:
        schema["minLength"] = 1
        applied.append((NON_EMPTY, at))
    if schema.get("type") == "object" and "additionalProperties" not in schema:
        schema["additionalProperties"] = False
        applied.append((CLOSED, at))
    for name, child in (schema.get("properties") or {}).items():
        applied += _our_rules(child, f"{at}.{name}")
    return applied


def _add_deviation_keys(text: str, entry_id: str, keys: list[Key]) -> str:
    """Append `keys` to the `differences` of the deviations entry `entry_id`, as text."""
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines) if line == f"- id: {entry_id}"), None)
    if start is None:
        raise ProposalError(f"no deviations entry `{entry_id}` to hold our rule's evidence")
    end = next((n for n in range(start + 1, len(lines)) if lines[n].startswith("- ")), len(lines))
    while not lines[end - 1].strip():
        end -= 1
    items = [line for line in lines[start:end] if line.lstrip().startswith("- at:")]
    indent = len(items[-1]) - len(items[-1].lstrip(" ")) if items else 2
    new = dump([key.as_yaml() for key in keys], indent)
    return "\n".join([*lines[:end], *new, *lines[end:]]) + "\n"


def _adopt_field(
    change: Change, ours: dict[str, Any], upstream: dict[str, Any], proposal: Proposal, label: str
) -> Adopted | None:
    pos = locate(change.location, ours, upstream)
    if pos is None or pos.ours_parent is None or pos.name is None or pos.upstream is None:
        return None
    if pos.name in (pos.upstream_parent.view.required if pos.upstream_parent else ()):
        return None  # a new required field breaks callers: a person decides (Plaid forces it)
    schema = inline(pos.upstream.view.raw, Resolver(upstream), keep_examples=True)
    request = " request body " in change.location
    rules = _our_rules(schema, change.location) if request else []
    if "description" not in schema:
        schema["description"] = "TODO: upstream gives no description; spec lint refuses this"
    proposal.spec_text = insert_entry(
        proposal.spec_text,
        f"{pos.ours_parent.at}.properties",
        {pos.name: schema},
        f"Adopted from Plaid's published spec by `upstream --propose`; evidence: {label}",
    )
    for (entry_id, rule, subject), at in rules:
        proposal.deviations_text = _add_deviation_keys(
            proposal.deviations_text, entry_id, [Key(at, rule, subject)]
        )
    module = _endpoint_module(change.location, ours)
    if request:
        sandbox = (
            f"The offline sandbox does not know `{pos.name}`: it answers a body carrying it with "
            f"INVALID_REQUEST / UNKNOWN_FIELDS, so the offline contract run fails until "
            f"`{module}` accepts it, by a rule written from Plaid's documentation of the field "
            f"(with its evidence in BEHAVIOUR.md)."
        )
    else:
        sandbox = (
            f"The offline sandbox never sends `{pos.name}`: `{module}` needs it in its answers "
            f"once Plaid's documentation or a real response says when it is there."
        )
    where = f"`{pos.ours_parent.at}.properties.{pos.name}`"
    ruled = f" with our request rules ({', '.join(r[0][0] for r in rules)})" if rules else ""
    return Adopted(change, f"added {where}{ruled}", sandbox)


def _adopt_enum(
    change: Change, ours: dict[str, Any], upstream: dict[str, Any], proposal: Proposal, label: str
) -> Adopted | None:
    pos = locate(change.location, ours, upstream)
    if pos is None or pos.ours is None or pos.ours.view.enum is None:
        return None
    values = change.subject.split(", ")
    proposal.spec_text = append_to_list(
        proposal.spec_text,
        f"{pos.ours.at}.enum",
        values,
        f"Adopted from Plaid's published spec by `upstream --propose`; evidence: {label}",
    )
    module = _endpoint_module(change.location, ours)
    shown = ", ".join(f"`{value}`" for value in values)
    if " request body " in change.location:
        sandbox = f"The offline sandbox refuses {shown} there: `{module}` needs to accept it."
    else:
        sandbox = (
            f"The offline sandbox never answers {shown}: add it to `{module}` only where Plaid "
            f"documents when this endpoint returns it."
        )
    return Adopted(change, f"added {shown} to `{pos.ours.at}.enum`", sandbox)


ADOPTERS = {"property_added": _adopt_field, "enum_added": _adopt_enum}


def propose(drift_ours: LoadedSpec, upstream: LoadedSpec, deviations_text: str) -> Proposal:
    """The proposal for every new difference of `drift_ours` against `upstream`."""
    deviations = load_deviations_text(deviations_text, "deviations")
    drift = compare_with_upstream(drift_ours, upstream, deviations)
    proposal = Proposal(drift_ours.text, deviations_text)
    for change in drift.new:
        adopter = ADOPTERS.get(change.rule) if change.side is Side.NEW else None
        adopted = (
            adopter(change, drift_ours.document, drift.upstream_extract, proposal, upstream.label)
            if adopter
            else None
        )
        if adopted is None:
            proposal.left.append(change)
        else:
            proposal.adopted.append(adopted)
    if proposal.adopted:
        _check(proposal, drift_ours, upstream)
    return proposal


def _check(proposal: Proposal, ours: LoadedSpec, upstream: LoadedSpec) -> None:
    """Compare again: every adopted difference gone, no new one made by the edit."""
    edited = LoadedSpec(ours.label, proposal.spec_text, parse(proposal.spec_text, ours.label))
    deviations = load_deviations_text(proposal.deviations_text, "deviations")
    again = compare_with_upstream(edited, upstream, deviations)
    still = {Key.of(c) for c in again.new}
    expected = {Key.of(c) for c in proposal.left}
    if still != expected:
        unexpected = sorted(f"{key.at}: {key.rule}" for key in still - expected)
        raise ProposalError(f"the edited spec still differs: {'; '.join(unexpected)}")


def to_markdown(proposal: Proposal, upstream_label: str) -> str:
    """The pull request's body: what was adopted, the sandbox rules missing, what is left."""
    lines = [
        "# Proposed: adopt Plaid's published spec",
        "",
        f"Made by `upstream --propose` against {upstream_label}: the spec edits below, then what "
        "`nox -s generate` runs (version bump, CHANGELOG entry, generated/). The offline sandbox "
        "is not touched: it is written from Plaid's behaviour, so each adoption names the rule "
        "it now lacks, and the offline contract run fails until a person writes it.",
        "",
    ]
    for number, adopted in enumerate(proposal.adopted, start=1):
        lines += [
            f"## {number}. `{adopted.change.location}`: {adopted.change.rule}",
            "",
            f"- Spec: {adopted.edit}.",
            f"- Sandbox rule missing: {adopted.sandbox}",
            "",
        ]
    if proposal.left:
        lines += ["## Left for a person (see the upstream report's stanzas)", ""]
        lines += [f"- `{c.location}`: {c.rule} {c.subject}".rstrip() for c in proposal.left]
        lines.append("")
    return "\n".join(lines)
