"""The upstream watch on a document as large as Plaid's published spec (~3 MB), against parsing
that document alone with libyaml, the floor any comparison pays.

Plaid's file is not ours to keep in the repository, so the document is made up: our own
operation and components (as upstream would hold them) among enough filler endpoints to weigh
what Plaid's does. Parsing dominates both sides, as it does on Plaid's real file.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from plaid_tools import paths
from plaid_tools.bench.figures import Figure, Spread, at_most, ratio_rounds
from plaid_tools.spec_diff.loader import SAFE_LOADER, load_source, parse
from plaid_tools.upstream import compare_with_upstream, load_deviations, load_upstream, to_markdown

ROUNDS = 5
PLAID_SPEC_BYTES = 3_000_000  # release 1.697.4 of plaid/plaid-openapi's 2020-09-14.yml
FIELDS_PER_FILLER = 12


def _filler(index: int) -> dict[str, Any]:
    fields = {
        f"field_{n}": {
            "type": "string",
            "nullable": n % 3 == 0,
            "description": f"Filler field {n} of endpoint {index}, about as wordy as Plaid's are.",
        }
        for n in range(FIELDS_PER_FILLER)
    }
    return {"type": "object", "additionalProperties": True, "properties": fields}


def whole_api_document() -> str:
    """Our spec among filler endpoints, dumped as YAML of about Plaid's size."""
    document: dict[str, Any] = yaml.load(paths.SPEC.read_text(encoding="utf-8"), SAFE_LOADER)
    schemas = document["components"]["schemas"]
    count, text = 0, ""
    while len(text) < PLAID_SPEC_BYTES:
        for index in range(count, count + 200):
            schemas[f"Filler{index}"] = _filler(index)
            document["paths"][f"/filler/{index}/get"] = {
                "post": {
                    "operationId": f"filler{index}",
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/Filler{index}"}
                            }
                        }
                    },
                    "responses": {"200": {"description": "OK"}},
                }
            }
        count += 200
        text = yaml.dump(document, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper))
    return text


def _seconds(action: Any) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def measure(notes: list[str]) -> list[Figure]:
    text = whole_api_document()
    ours = load_source(str(paths.SPEC))
    deviations = load_deviations(paths.UPSTREAM_DEVIATIONS)
    watch, floor = [], []
    with tempfile.TemporaryDirectory() as tmp:
        upstream_file = Path(tmp) / "2020-09-14.yml"
        upstream_file.write_text(text, encoding="utf-8")

        def run_watch() -> None:
            drift = compare_with_upstream(ours, load_upstream(str(upstream_file)), deviations)
            to_markdown(drift, "deviations.yaml")

        for _ in range(ROUNDS):
            floor.append(_seconds(lambda: parse(text, "upstream")))
            watch.append(_seconds(run_watch))
    section = "Upstream watch"
    size = f"{len(text) / 1e6:.1f} MB made-up whole-API document"
    return [
        Figure(
            section,
            "upstream watch (nox -s upstream's work, imports aside)",
            ratio_rounds(watch, floor),
            "× libyaml parse",
            f"{Spread.of(watch).format()} s",
            f"parse alone {Spread.of(floor).format()} s",
            note=size,
        ),
        Figure(
            section,
            "upstream watch wall time",
            Spread.of(watch),
            "s",
            f"{Spread.of(watch).format()} s",
            "–",
            at_most(10.0, "≤ 10 s"),
            note=size,
        ),
    ]
