"""Compare two whole OpenAPI documents: operations, parameters, bodies, responses, security,
servers, info, tags and component classes. Schemas are handed to walk.SchemaDiffer.

Locations read like `POST /session/token/create request body (application/json) user.user_id`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from plaid_tools.spec_diff.loader import Resolver
from plaid_tools.spec_diff.model import Change, Difference, Direction, Impact, Side
from plaid_tools.spec_diff.rules import Context
from plaid_tools.spec_diff.schema import view
from plaid_tools.spec_diff.walk import SchemaDiffer

BREAKING, COMPATIBLE, DOCS = Impact.BREAKING, Impact.COMPATIBLE, Impact.DOCS
OLD, NEW = Side.OLD, Side.NEW
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
REQUEST, RESPONSE = Context(Direction.REQUEST), Context(Direction.RESPONSE)
# Documentation-only keys of non-schema objects (operations, parameters, responses, info...).
DOC_KEYS = frozenset(
    {"description", "summary", "example", "examples", "externalDocs", "deprecated", "links"}
)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _docs_findings(
    old: dict[str, Any], new: dict[str, Any], extra: frozenset[str] = frozenset()
) -> list[Difference]:
    keys = sorted(
        key
        for key in {*old, *new}
        if (key in DOC_KEYS or key in extra or key.startswith("x-"))
        and old.get(key) != new.get(key)
    )
    return [Difference(f"{key} changed", DOCS, "docs_changed", subject=key) for key in keys]


class DocumentDiffer:
    """All changes from `old` to `new`, in document order, each placed at a location."""

    def __init__(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.old_doc, self.new_doc = old, new
        self.old, self.new = Resolver(old), Resolver(new)
        self.schemas = SchemaDiffer(self.old, self.new)
        self.changes: list[Change] = []

    def run(self) -> list[Change]:
        self._info()
        self._servers()
        self._tags()
        self._security_schemes()
        self._operations()
        self._component_classes()
        return _deduplicated(self.changes)

    def _add(self, location: str, differences: list[Difference] | Iterator[Difference]) -> None:
        for f in differences:
            self.changes.append(Change(location, f.change, f.impact, f.rule, f.side, f.subject))

    def _schema(self, location: str, old: Any, new: Any, ctx: Context) -> None:
        for placed in self.schemas.compare(old, new, ctx):
            where = f"{location} {placed.path.lstrip()}" if placed.path else location
            self._add(where, [placed.difference])

    # -- document level ---------------------------------------------------------------------

    def _info(self) -> None:
        old_info, new_info = _mapping(self.old_doc.get("info")), _mapping(self.new_doc.get("info"))
        keys = sorted(
            k for k in {*old_info, *new_info} - {"version"} if old_info.get(k) != new_info.get(k)
        )
        self._add(
            "info", [Difference(f"{k} changed", DOCS, "info_changed", subject=k) for k in keys]
        )
        for key in ("openapi", "externalDocs", "jsonSchemaDialect"):
            if self.old_doc.get(key) != self.new_doc.get(key):
                self._add(key, [Difference(f"{key} changed", DOCS, "docs_changed", subject=key)])
        self._add(
            "document",
            [f for f in _docs_findings(self.old_doc, self.new_doc) if f.change.startswith("x-")],
        )

    def _servers(self) -> None:
        old = {s.get("url"): s for s in self.old_doc.get("servers") or [] if isinstance(s, dict)}
        new = {s.get("url"): s for s in self.new_doc.get("servers") or [] if isinstance(s, dict)}
        for url in old.keys() - new.keys():
            self._add(
                f"servers {url}",
                [
                    Difference(
                        "server removed (clients configured with this base URL break)",
                        BREAKING,
                        "server_removed",
                        OLD,
                    )
                ],
            )
        for url in new.keys() - old.keys():
            self._add(
                f"servers {url}", [Difference("server added", COMPATIBLE, "server_added", NEW)]
            )
        for url in sorted(old.keys() & new.keys(), key=str):
            self._add(
                f"servers {url}", _docs_findings(old[url], new[url], frozenset({"variables"}))
            )

    def _tags(self) -> None:
        old = {t.get("name"): t for t in self.old_doc.get("tags") or [] if isinstance(t, dict)}
        new = {t.get("name"): t for t in self.new_doc.get("tags") or [] if isinstance(t, dict)}
        for name in sorted({*old, *new} - (old.keys() & new.keys()), key=str):
            verb, side = ("added", NEW) if name in new else ("removed", OLD)
            difference = Difference(f"tag {verb} from the tag list", DOCS, "tag_list", side)
            self._add(f"tags {name}", [difference])
        for name in sorted(old.keys() & new.keys(), key=str):
            self._add(f"tags {name}", _docs_findings(old[name], new[name]))

    def _added_and_removed(
        self, prefix: str, old: dict[str, Any], new: dict[str, Any], what: str, rule: str
    ) -> None:
        """Named things a client relies on: removing one breaks it, adding one does not."""
        for name in sorted(old.keys() - new.keys()):
            removed = Difference(f"{what} removed", BREAKING, f"{rule}_removed", OLD)
            self._add(f"{prefix} {name}", [removed])
        for name in sorted(new.keys() - old.keys()):
            added = Difference(f"{what} added", COMPATIBLE, f"{rule}_added", NEW)
            self._add(f"{prefix} {name}", [added])

    def _security_schemes(self) -> None:
        def schemes(doc: dict[str, Any]) -> dict[str, Any]:
            return _mapping(_mapping(doc.get("components")).get("securitySchemes"))

        old, new = schemes(self.old_doc), schemes(self.new_doc)
        self._added_and_removed("securitySchemes", old, new, "security scheme", "security_scheme")
        for name in sorted(old.keys() & new.keys()):
            before, _ = self.old.follow(old[name])
            after, _ = self.new.follow(new[name])
            before, after = _mapping(before), _mapping(after)
            changed = sorted(
                k
                for k in {*before, *after} - DOC_KEYS
                if not k.startswith("x-") and before.get(k) != after.get(k)
            )
            where = f"securitySchemes {name}"
            self._add(
                where,
                [
                    Difference(
                        f"{k}: {before.get(k)!r} -> {after.get(k)!r} (clients "
                        "send credentials differently)",
                        BREAKING,
                        "security_scheme_changed",
                        subject=k,
                    )
                    for k in changed
                ],
            )
            self._add(where, _docs_findings(before, after))

    # -- operations -------------------------------------------------------------------------

    def _operations(self) -> None:
        old_ops, new_ops = (
            self._collect(self.old_doc, self.old),
            self._collect(self.new_doc, self.new),
        )
        for key in old_ops.keys() - new_ops.keys():
            label = old_ops[key][0]
            self._add(
                label,
                [
                    Difference(
                        "operation removed (the generated function disappears)",
                        BREAKING,
                        "operation_removed",
                        OLD,
                    )
                ],
            )
        for key in new_ops.keys() - old_ops.keys():
            label = new_ops[key][0]
            self._add(
                label,
                [
                    Difference(
                        "operation added (a new generated function)",
                        COMPATIBLE,
                        "operation_added",
                        NEW,
                    )
                ],
            )
        for key in sorted(old_ops.keys() & new_ops.keys()):
            (_, old_path, old_op), (label, new_path, new_op) = old_ops[key], new_ops[key]
            self._operation(label, old_path, old_op, new_path, new_op)

    def _collect(
        self, doc: dict[str, Any], resolver: Resolver
    ) -> dict[tuple[str, str], tuple[str, dict[str, Any], dict[str, Any]]]:
        """Operations keyed by method and path template (parameter names blanked)."""
        found = {}
        for path, item in _mapping(doc.get("paths")).items():
            item, _ = resolver.follow(item)
            for method in METHODS:
                if isinstance(_mapping(item).get(method), dict):
                    key = (re.sub(r"\{[^}]*\}", "{}", path), method)
                    found[key] = (f"{method.upper()} {path}", item, item[method])
        return found

    def _operation(
        self,
        label: str,
        old_path: dict[str, Any],
        old: dict[str, Any],
        new_path: dict[str, Any],
        new: dict[str, Any],
    ) -> None:
        self._add(label, operation_id_changed(old, new))
        self._add(label, first_tag_changed(old, new))
        self._add(
            label,
            _docs_findings(
                old, new, frozenset({"tags"}) if _first_tag(old) == _first_tag(new) else frozenset()
            ),
        )
        self._add(label, self._security(old, new))
        self._parameters(label, old_path, old, new_path, new)
        self._request_body(label, old.get("requestBody"), new.get("requestBody"))
        self._responses(label, _mapping(old.get("responses")), _mapping(new.get("responses")))

    def _security(self, old: dict[str, Any], new: dict[str, Any]) -> list[Difference]:
        before = _requirements(old.get("security", self.old_doc.get("security")))
        after = _requirements(new.get("security", self.new_doc.get("security")))
        differences = [
            Difference(
                f"security alternative removed: {_show(alt)} (clients that "
                "authenticate this way are rejected)",
                BREAKING,
                "security_removed",
                OLD,
                _show(alt),
            )
            for alt in sorted(before - after, key=sorted)
        ]
        differences += [
            Difference(
                f"security alternative added: {_show(alt)}",
                COMPATIBLE,
                "security_added",
                NEW,
                _show(alt),
            )
            for alt in sorted(after - before, key=sorted)
        ]
        return differences

    def _parameters(
        self,
        label: str,
        old_path: dict[str, Any],
        old: dict[str, Any],
        new_path: dict[str, Any],
        new: dict[str, Any],
    ) -> None:
        before = self._params(old_path, old, self.old)
        after = self._params(new_path, new, self.new)
        for key in sorted(before.keys() - after.keys()):
            self._add(
                f"{label} parameter {key[0]} {before[key].get('name')}",
                [
                    Difference(
                        "parameter removed (the generated keyword argument disappears)",
                        BREAKING,
                        "parameter_removed",
                        OLD,
                    )
                ],
            )
        for key in sorted(after.keys() - before.keys()):
            required = after[key].get("required") is True
            self._add(
                f"{label} parameter {key[0]} {after[key].get('name')}",
                [
                    Difference(
                        f"{'required' if required else 'optional'} parameter added",
                        BREAKING if required else COMPATIBLE,
                        "parameter_added",
                        NEW,
                    )
                ],
            )
        for key in sorted(before.keys() & after.keys()):
            self._parameter(
                f"{label} parameter {key[0]} {after[key].get('name')}", before[key], after[key]
            )

    def _parameter(self, where: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        was, now = old.get("required") is True, new.get("required") is True
        if was != now:
            self._add(
                where,
                [
                    Difference(
                        f"parameter {'optional -> required' if now else 'required -> optional'}",
                        BREAKING if now else COMPATIBLE,
                        "parameter_required_changed",
                        NEW if now else OLD,
                    )
                ],
            )
        for key in ("style", "explode", "allowReserved", "allowEmptyValue"):
            if old.get(key) != new.get(key):
                self._add(
                    where,
                    [
                        Difference(
                            f"{key}: {old.get(key)!r} -> {new.get(key)!r} (the "
                            "value is serialized differently)",
                            BREAKING,
                            "parameter_serialization_changed",
                            subject=key,
                        )
                    ],
                )
        self._add(where, _docs_findings(old, new))
        self._schema(where, _param_schema(old), _param_schema(new), REQUEST)

    @staticmethod
    def _params(
        path_item: dict[str, Any], op: dict[str, Any], resolver: Resolver
    ) -> dict[tuple[str, str], dict[str, Any]]:
        """Path-level parameters overridden by operation-level ones, keyed by (in, name)."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for raw in [*(path_item.get("parameters") or []), *(op.get("parameters") or [])]:
            param, _ = resolver.follow(raw)
            if isinstance(param, dict):
                where, name = str(param.get("in")), str(param.get("name"))
                # Header names are case-insensitive; path names are blanked like the path.
                found[(where, name.lower() if where == "header" else name)] = param
        return found

    def _request_body(self, label: str, old_raw: Any, new_raw: Any) -> None:
        old, _ = self.old.follow(old_raw)
        new, _ = self.new.follow(new_raw)
        where = f"{label} request body"
        if old is None and new is None:
            return
        if old is None or new is None:
            required = isinstance(new, dict) and new.get("required") is True
            difference = (
                Difference("request body removed", BREAKING, "request_body_removed", OLD)
                if new is None
                else Difference(
                    f"{'required' if required else 'optional'} request body added",
                    BREAKING if required else COMPATIBLE,
                    "request_body_added",
                    NEW,
                )
            )
            self._add(where, [difference])
            return
        was, now = old.get("required") is True, new.get("required") is True
        if was != now:
            self._add(
                where,
                [
                    Difference(
                        f"request body {'optional -> required' if now else 'required -> optional'}",
                        BREAKING if now else COMPATIBLE,
                        "request_body_required_changed",
                        NEW if now else OLD,
                    )
                ],
            )
        self._add(where, _docs_findings(old, new))
        self._content(where, _mapping(old.get("content")), _mapping(new.get("content")), REQUEST)

    def _content(self, where: str, old: dict[str, Any], new: dict[str, Any], ctx: Context) -> None:
        for media in sorted(old.keys() - new.keys()):
            self._add(
                f"{where} ({media})",
                [Difference("media type removed", BREAKING, "media_type_removed", OLD)],
            )
        for media in sorted(new.keys() - old.keys()):
            self._add(
                f"{where} ({media})",
                [Difference("media type added", COMPATIBLE, "media_type_added", NEW)],
            )
        for media in sorted(old.keys() & new.keys()):
            before, after = _mapping(old[media]), _mapping(new[media])
            self._add(f"{where} ({media})", _docs_findings(before, after, frozenset({"encoding"})))
            self._schema(f"{where} ({media})", before.get("schema"), after.get("schema"), ctx)

    def _responses(self, label: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        for status in sorted(map(str, old.keys() - new.keys())):
            self._add(
                f"{label} response {status}",
                [
                    Difference(
                        "response removed (the client no longer parses it)",
                        BREAKING,
                        "response_removed",
                        OLD,
                    )
                ],
            )
        for status in sorted(map(str, new.keys() - old.keys())):
            self._add(
                f"{label} response {status}",
                [
                    Difference(
                        "response added (policy: compatible; the client now parses it into a model "
                        "where it used to treat it as undocumented)",
                        COMPATIBLE,
                        "response_added",
                        NEW,
                    )
                ],
            )
        for status in sorted(old.keys() & new.keys(), key=str):
            before, _ = self.old.follow(old[status])
            after, _ = self.new.follow(new[status])
            where = f"{label} response {status}"
            self._add(where, _docs_findings(_mapping(before), _mapping(after)))
            self._headers(
                where,
                _mapping(_mapping(before).get("headers")),
                _mapping(_mapping(after).get("headers")),
            )
            self._content(
                where,
                _mapping(_mapping(before).get("content")),
                _mapping(_mapping(after).get("content")),
                RESPONSE,
            )

    def _headers(self, where: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        lower_old = {k.lower(): v for k, v in old.items()}
        lower_new = {k.lower(): v for k, v in new.items()}
        self._added_and_removed(
            f"{where} header", lower_old, lower_new, "response header", "response_header"
        )
        for name in sorted(lower_old.keys() & lower_new.keys()):
            before = _mapping(self.old.follow(lower_old[name])[0])
            after = _mapping(self.new.follow(lower_new[name])[0])
            was, now = before.get("required") is True, after.get("required") is True
            if was != now:
                self._add(
                    f"{where} header {name}",
                    [
                        Difference(
                            "response header "
                            + ("optional -> required" if now else "required -> optional"),
                            COMPATIBLE if now else BREAKING,
                            "response_header_required_changed",
                            NEW if now else OLD,
                        )
                    ],
                )
            self._add(f"{where} header {name}", _docs_findings(before, after))
            self._schema(
                f"{where} header {name}", _param_schema(before), _param_schema(after), RESPONSE
            )

    # -- component classes ------------------------------------------------------------------

    def _component_classes(self) -> None:
        """openapi-python-client makes a class for every object/enum component, used or not."""
        old, new = (
            self._class_names(self.old_doc, self.old),
            self._class_names(self.new_doc, self.new),
        )
        renamed_away = {before for before, _ in self.schemas.renamed_classes}
        renamed_to = {after for _, after in self.schemas.renamed_classes}
        for name in sorted(old.keys() - new.keys() - renamed_away):
            self._add(
                f"components.schemas.{old[name]}",
                [Difference(f"generated class {name} removed", BREAKING, "class_removed", OLD)],
            )
        for name in sorted(new.keys() - old.keys() - renamed_to):
            self._add(
                f"components.schemas.{new[name]}",
                [Difference(f"generated class {name} added", COMPATIBLE, "class_added", NEW)],
            )

    @staticmethod
    def _class_names(doc: dict[str, Any], resolver: Resolver) -> dict[str, str]:
        schemas = _mapping(_mapping(doc.get("components")).get("schemas"))
        names = {}
        for component in schemas:
            ref = "#/components/schemas/" + component.replace("~", "~0").replace("/", "~1")
            schema = view({"$ref": ref}, resolver)
            name = schema.class_name()
            if schema.generates_class and name:
                names[name] = component
        return names


def operation_id_changed(old: dict[str, Any], new: dict[str, Any]) -> list[Difference]:
    if old.get("operationId") == new.get("operationId"):
        return []
    return [
        Difference(
            f"operationId {old.get('operationId')!r} -> {new.get('operationId')!r} (the generated "
            "function module is named after it, so imports break)",
            BREAKING,
            "operation_id_changed",
        )
    ]


def _first_tag(op: dict[str, Any]) -> Any:
    tags = op.get("tags") or []
    return tags[0] if tags else None


def first_tag_changed(old: dict[str, Any], new: dict[str, Any]) -> list[Difference]:
    if _first_tag(old) == _first_tag(new):
        return []
    return [
        Difference(
            f"first tag {_first_tag(old)!r} -> {_first_tag(new)!r} (the generated function moves "
            "to another api/<tag>/ module)",
            BREAKING,
            "operation_tag_changed",
        )
    ]


def _param_schema(param: dict[str, Any]) -> Any:
    if "schema" in param:
        return param["schema"]
    content = _mapping(param.get("content"))
    return next((_mapping(m).get("schema") for m in content.values()), None)


def _requirements(security: Any) -> set[frozenset[str]]:
    """Each alternative as a set of `scheme` or `scheme:scope` names; none means anonymous."""
    if not isinstance(security, list) or not security:
        return {frozenset()}
    alternatives = set()
    for requirement in security:
        names = set()
        for scheme, scopes in _mapping(requirement).items():
            names.add(scheme)
            names.update(f"{scheme}:{scope}" for scope in scopes or [])
        alternatives.add(frozenset(names))
    return alternatives


def _show(alternative: frozenset[str]) -> str:
    return " + ".join(sorted(alternative)) or "(no credentials)"


def _deduplicated(changes: list[Change]) -> list[Change]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for change in changes:
        if (change.location, change.change) not in seen:
            seen.add((change.location, change.change))
            unique.append(change)
    return unique


def compare_documents(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change from `old` to `new`, classified."""
    return DocumentDiffer(old, new).run()
