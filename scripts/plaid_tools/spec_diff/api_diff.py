"""The generated client's public Python API, old vs new: griffe's breakage detection, plus the
public objects and optional parameters that were added (griffe reports breakages only).

The API is the public surface: public modules and what they export (`__all__`), with an object a
private module (`_retry`, `_base_client`, ...) defines counted where a public module re-exports it,
and named there in every report. Private modules and names may change freely. griffe already
skips private modules; the additions and read-only checks here follow re-exports into them.

Each spec is generated into a temporary project with the repository's pinned pipeline
(`plaid_tools.regenerate.generate_into`) and both packages are loaded statically by griffe.
griffe knows dataclasses but not attrs, and every generated model is an attrs class, so we give
each one the `__init__` attrs would write: then a field made required, added as required or
removed shows up as a constructor breakage, not only as a missing attribute.

Policy: model constructor parameters count as keyword-only. attrs would accept them by
position, but their order follows the spec (required first) and the generated code and docs
always pass them by keyword; counting positions would make every optional field added in the
middle of a model a "breaking" move.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import griffe

from plaid_tools import paths
from plaid_tools.regenerate import generate_spec_text
from plaid_tools.spec_diff.loader import LoadedSpec
from plaid_tools.spec_diff.model import Impact

ATTRS_DECORATORS = frozenset(
    {
        "attrs.define",
        "attrs.frozen",
        "attr.s",
        "attr.attrs",
        "attrs.mutable",
        "attr.define",
        "attr.frozen",
        "attr.mutable",
    }
)


@dataclass(frozen=True)
class ApiChange:
    """One change of the public API: a breakage, or an addition (compatible)."""

    location: str
    change: str
    kind: str
    impact: Impact = Impact.BREAKING

    def as_json(self) -> dict[str, str]:
        return {
            "location": self.location,
            "change": self.change,
            "impact": self.impact.label,
            "kind": self.kind,
        }


def _attrs_field_arguments(value: Any) -> dict[str, Any]:
    if isinstance(value, griffe.ExprCall) and str(value.function).endswith("field"):
        return {
            arg.name: arg.value for arg in value.arguments if isinstance(arg, griffe.ExprKeyword)
        }
    return {}


def _attrs_init(cls: griffe.Class) -> griffe.Function:
    """The `__init__` attrs generates: annotated attributes in order, `init=False` left out."""
    parameters = [griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword)]
    keyword_only = griffe.ParameterKind.keyword_only
    for member in cls.members.values():
        if member.is_alias or not member.is_attribute or "property" in member.labels:
            continue
        attribute: griffe.Attribute = member  # type: ignore[assignment]
        if attribute.annotation is None:
            continue
        arguments = _attrs_field_arguments(attribute.value)
        if str(arguments.get("init")) == "False":
            continue
        default = arguments.get("default", None if arguments else attribute.value)
        if "factory" in arguments:
            default = f"{arguments['factory']}()"
        parameters.append(
            griffe.Parameter(
                attribute.name,
                annotation=attribute.annotation,
                kind=keyword_only,
                default=default,
            )
        )
    return griffe.Function(
        "__init__",
        lineno=0,
        endlineno=0,
        parent=cls,
        parameters=griffe.Parameters(*parameters),
        returns="None",
    )


def _add_attrs_inits(obj: griffe.Object) -> None:
    for member in list(obj.members.values()):
        if member.is_alias:
            continue
        if isinstance(member, griffe.Class):
            if "__init__" not in member.members and any(
                d.callable_path in ATTRS_DECORATORS for d in member.decorators
            ):
                member.set_member("__init__", _attrs_init(member))
            _add_attrs_inits(member)
        elif isinstance(member, griffe.Module):
            _add_attrs_inits(member)


def load_package(project_dir: Path, package: str = paths.PACKAGE) -> griffe.Object:
    """Load a generated package statically, in its own collection (two versions coexist)."""
    loaded = griffe.load(
        package,
        search_paths=[project_dir],
        modules_collection=griffe.ModulesCollection(),
        allow_inspection=False,
    )
    if not isinstance(loaded, griffe.Object):
        raise TypeError(f"{package} loaded as an alias")
    _add_attrs_inits(loaded)
    return loaded


def _describe(value: Any) -> str:
    if isinstance(value, griffe.Parameter):
        default = f" = {value.default}" if value.default is not None else ""
        return f"{value.name}{default}"
    if isinstance(value, griffe.Object | griffe.Alias):
        return value.path
    if isinstance(value, list):
        return "[" + ", ".join(_describe(item) for item in value) + "]"
    return "" if value is None else str(value)


def _explain(breakage: griffe.Breakage) -> str:
    old, new = _describe(breakage.old_value), _describe(breakage.new_value)
    values = f"{old} -> {new}" if old and new else old or new
    return f"{breakage.kind.value}: {values}" if values else breakage.kind.value


def public_surface(package: griffe.Object) -> dict[str, griffe.Object]:
    """Every public object of a package, keyed by the path users reach it at.

    Public modules and their public members, recursively. A re-export (alias) stands for the
    object it names, so what a private module (`_retry`) defines counts where a public module
    re-exports it (`plaid_session_client.RetryPolicy`), and inherited members count on each
    subclass. Re-exported modules are walked where they live; names griffe cannot resolve (other
    packages' objects) are left to its breakage check.
    """
    surface: dict[str, griffe.Object] = {package.path: package}

    def walk(container: griffe.Object, where: str) -> None:
        for name, member in container.all_members.items():
            if not member.is_public:
                continue
            if isinstance(member, griffe.Alias):
                try:
                    target = member.final_target
                except (griffe.AliasResolutionError, griffe.CyclicAliasError):
                    continue
                if target.is_module:
                    continue
            else:
                target = member
            path = f"{where}.{name}"
            surface[path] = target
            if target.is_module or target.is_class:
                walk(target, path)

    walk(package, package.path)
    return surface


def _writable(attribute: griffe.Object) -> bool:
    return "property" not in attribute.labels or "writable" in attribute.labels


def _made_read_only(
    old: dict[str, griffe.Object], new: dict[str, griffe.Object]
) -> Iterator[tuple[str, ApiChange]]:
    """Public attributes that became read-only properties. griffe sees an attribute on both
    sides and reports nothing, but `obj.attr = value` now raises."""
    for path, member in old.items():
        counterpart = new.get(path)
        if (
            counterpart is not None
            and isinstance(old.get(path.rsplit(".", 1)[0]), griffe.Class)
            and member.is_attribute
            and counterpart.is_attribute
            and _writable(member)
            and not _writable(counterpart)
        ):
            yield (
                counterpart.path,
                ApiChange(
                    path,
                    "attribute_made_read_only: attribute -> read-only property",
                    "attribute_made_read_only",
                ),
            )


def _added(
    old: dict[str, griffe.Object], new: dict[str, griffe.Object]
) -> Iterator[tuple[str, ApiChange]]:
    """Public objects of `new` that `old` lacks (the outermost only: a new class, not also each
    of its members), and optional parameters added to functions (a required one is a griffe
    breakage)."""
    for path, member in new.items():
        counterpart = old.get(path)
        if counterpart is None:
            if path.rsplit(".", 1)[0] in old:
                kind = member.kind.value
                yield (
                    member.path,
                    ApiChange(path, f"{kind} added", f"{kind}_added", Impact.COMPATIBLE),
                )
        elif isinstance(member, griffe.Function) and isinstance(counterpart, griffe.Function):
            known = {parameter.name for parameter in counterpart.parameters}
            for parameter in member.parameters:
                if parameter.name not in known and parameter.default is not None:
                    yield (
                        member.path,
                        ApiChange(
                            path,
                            f"parameter added: {_describe(parameter)}",
                            "parameter_added",
                            Impact.COMPATIBLE,
                        ),
                    )


def _public_paths(*surfaces: dict[str, griffe.Object]) -> dict[str, str]:
    """Where each object is defined -> where reports name it: there, when users reach it there,
    else (a private module's object, re-exported) the shortest path users reach it at."""
    public: dict[str, str] = {}
    for surface in surfaces:
        for path, obj in surface.items():
            known = public.get(obj.path)
            if obj.path in surface:
                public[obj.path] = obj.path
            elif known is None or (path.count("."), len(path)) < (known.count("."), len(known)):
                public[obj.path] = path
    return public


def diff_packages(
    old_project: Path, new_project: Path, package: str = paths.PACKAGE
) -> list[ApiChange]:
    """From the package in `old_project` to the one in `new_project`: griffe's breakages,
    attributes made read-only (which griffe does not report), then additions.

    Only the public surface counts (`public_surface`): private modules and names are free to
    change. Each change is reported once: where the object is defined, or for a private
    module's object the shortest path users reach it at (a class re-exported by the package
    root and by `client` is named at the root).
    """
    old, new = load_package(old_project, package), load_package(new_project, package)
    old_surface, new_surface = public_surface(old), public_surface(new)
    public = _public_paths(new_surface, old_surface)
    found = [
        (
            breakage.obj.path,
            ApiChange(
                public.get(breakage.obj.path, breakage.obj.path),
                _explain(breakage),
                breakage.kind.name.lower(),
            ),
        )
        for breakage in griffe.find_breaking_changes(old, new)
    ]
    found += _made_read_only(old_surface, new_surface)
    found += _added(old_surface, new_surface)
    changes: dict[tuple[str, str], ApiChange] = {}
    for defined_at, change in found:
        change = replace(change, location=public.get(defined_at, change.location))
        changes.setdefault((change.location, change.change), change)
    return list(changes.values())


def generate_client(
    spec: LoadedSpec, workdir: Path, name: str, templates: Path | None = paths.TEMPLATES
) -> Path:
    """Generate the client for one side of the comparison into `workdir/name`."""
    return generate_spec_text(spec.text, workdir, name, templates=templates)


def python_api_changes(
    old: LoadedSpec, new: LoadedSpec, templates: Path | None = paths.TEMPLATES
) -> list[ApiChange]:
    """Generate both clients (a second or two) with the repository's templates; diff their API."""
    with tempfile.TemporaryDirectory(prefix="plaid-api-diff-") as tmp:
        workdir = Path(tmp)
        return diff_packages(
            generate_client(old, workdir, "old", templates),
            generate_client(new, workdir, "new", templates),
        )
