"""The generated client at a base ref vs the working tree, each side built from its OWN spec,
templates, generator config and header hook: what versioning needs to see a change that comes
from the templates or the config alone (the spec-diff CLI renders both sides with the working
templates on purpose: it answers "what does this spec change do").

Both sides are generated with the same revision in info.version, so the version string never
shows up as a difference. The comparison is skipped, cheaply, when neither the spec (beyond
info.version), the templates, the generator config, the header hook nor the generator pin differ
from the base.
"""

from __future__ import annotations

import copy
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import griffe
import yaml

from plaid_tools import paths
from plaid_tools.regenerate import GenerationError, generate_spec_text
from plaid_tools.spec_diff.api_diff import ApiChange, diff_packages
from plaid_tools.spec_diff.loader import LoadedSpec, read_git_file
from plaid_tools.spec_diff.model import Impact

TEMPLATES_IN_REPO = paths.TEMPLATES.relative_to(paths.ROOT).as_posix()
CONFIG_IN_REPO = paths.GENERATOR_CONFIG.relative_to(paths.ROOT).as_posix()
HOOK_IN_REPO = paths.HEADER_HOOK.relative_to(paths.ROOT).as_posix()
HOOKS_IN_REPO = paths.HEADER_HOOK.parent.relative_to(paths.ROOT).as_posix()
GENERATION_INPUTS = (TEMPLATES_IN_REPO, CONFIG_IN_REPO, HOOKS_IN_REPO)
# Where the generator pin lives: `GENERATOR_VERSION = "0.29.1"`.
PIN_FILE = "scripts/plaid_tools/regenerate.py"
PIN = re.compile(r"""^GENERATOR_VERSION\s*=\s*["']([^"']+)["']""", re.MULTILINE)
LISTED_FILES = 12


@dataclass
class ClientDiff:
    """How the generated client differs between the base ref and the working tree."""

    status: str  # "done", "done with ...", "skipped: <why>" or "failed: <why>"
    inputs_changed: list[str] = field(default_factory=list)
    files_changed: list[str] = field(default_factory=list)
    api_changes: list[ApiChange] = field(default_factory=list)

    @property
    def verdict(self) -> Impact:
        """The worst public API change; otherwise any changed file is at least a patch."""
        files = Impact.DOCS if self.files_changed else Impact.NONE
        return max([files, *(change.impact for change in self.api_changes)])

    def summary(self) -> str:
        """One line naming the changed files (and the generation inputs that changed)."""
        names = [f"`{name}`" for name in self.files_changed[:LISTED_FILES]]
        more = len(self.files_changed) - LISTED_FILES
        listed = ", ".join(names) + (f" and {more} more" if more > 0 else "")
        line = f"{len(self.files_changed)} generated file(s) changed: {listed}"
        if self.inputs_changed:
            line += " (changed inputs: " + ", ".join(f"`{i}`" for i in self.inputs_changed) + ")"
        return line


@dataclass(frozen=True)
class Inputs:
    """What one side of the comparison is generated from, besides its spec."""

    templates: Path | None
    config: Path
    hook: Path


def _git(repo_root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=repo_root, capture_output=True, check=False)


def generator_pin(text: str | None) -> str | None:
    match = PIN.search(text or "")
    return match.group(1) if match else None


def changed_inputs(base_ref: str, repo_root: Path) -> list[str]:
    """Template, config and hook files that differ from `base_ref` (untracked ones included),
    and the generator pin when it moved. Two or three git calls: cheap."""
    changed = _git(repo_root, "diff", "--name-only", base_ref, "--", *GENERATION_INPUTS)
    untracked = _git(
        repo_root, "ls-files", "--others", "--exclude-standard", "--", *GENERATION_INPUTS
    )
    names = {
        line for out in (changed.stdout, untracked.stdout) for line in out.decode().splitlines()
    }
    pin_file = repo_root / PIN_FILE
    working_pin = generator_pin(pin_file.read_text("utf-8") if pin_file.is_file() else None)
    base_pin = generator_pin(read_git_file(base_ref, PIN_FILE, repo_root))
    pin = [f"generator pin {base_pin} -> {working_pin}"] if base_pin != working_pin else []
    return sorted(filter(None, names)) + pin


def working_inputs(repo_root: Path) -> Inputs:
    templates = repo_root / TEMPLATES_IN_REPO
    config = repo_root / CONFIG_IN_REPO
    hook = repo_root / HOOK_IN_REPO
    return Inputs(
        templates if templates.is_dir() else None,
        config if config.is_file() else paths.GENERATOR_CONFIG,
        hook if hook.is_file() else paths.HEADER_HOOK,
    )


def base_inputs(base_ref: str, repo_root: Path, dest: Path, fallback: Inputs) -> Inputs:
    """Write the base ref's templates, config and hook under `dest`. What the base lacks comes
    from `fallback` (the working tree), except templates: none at the base means stock ones."""
    listing = _git(
        repo_root, "ls-tree", "-r", "-z", "--name-only", base_ref, "--", *GENERATION_INPUTS
    )
    for name in filter(None, listing.stdout.decode().split("\0")):
        blob = _git(repo_root, "show", f"{base_ref}:{name}")
        if blob.returncode == 0:
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob.stdout)
    templates, config, hook = (dest / p for p in (TEMPLATES_IN_REPO, CONFIG_IN_REPO, HOOK_IN_REPO))
    return Inputs(
        templates if templates.is_dir() else None,
        config if config.is_file() else fallback.config,
        hook if hook.is_file() else fallback.hook,
    )


def _generate(spec_text: str, workdir: Path, name: str, inputs: Inputs, stock: bool) -> Path:
    return generate_spec_text(
        spec_text,
        workdir,
        name,
        config_path=inputs.config,
        templates=None if stock else inputs.templates,
        header_hook=inputs.hook,
    )


def _generate_both(
    texts: tuple[str, str], workdir: Path, sides: tuple[Inputs, Inputs], stock: bool
) -> tuple[Path, Path]:
    return (
        _generate(texts[0], workdir, "old", sides[0], stock),
        _generate(texts[1], workdir, "new", sides[1], stock),
    )


def _files(project: Path) -> dict[str, bytes]:
    return {
        path.relative_to(project).as_posix(): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file()
    }


def changed_files(old_project: Path, new_project: Path) -> list[str]:
    old, new = _files(old_project), _files(new_project)
    return sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))


def _without_version(document: dict[str, object]) -> dict[str, object]:
    stripped = copy.deepcopy(document)
    info = stripped.get("info")
    if isinstance(info, dict):
        info.pop("version", None)
    return stripped


def with_version(spec: LoadedSpec, version: str) -> str:
    """The spec's text with info.version set to `version` (so both sides stamp the same)."""
    current = str(spec.document["info"]["version"])
    pattern = re.compile(
        r"^([ \t]+version:[ \t]*['\"]?)" + re.escape(current) + r"(?=['\"]?[ \t]*(#.*)?$)",
        re.MULTILINE,
    )
    info = re.search(r"^info:", spec.text, re.MULTILINE)
    match = pattern.search(spec.text, info.end()) if info else None
    if match is not None:
        text = spec.text[: match.start()] + match.group(1) + version + spec.text[match.end() :]
        document = yaml.safe_load(text)
        if isinstance(document, dict) and str(document["info"]["version"]) == version:
            return text
    document = copy.deepcopy(spec.document)
    document["info"]["version"] = version
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def _last_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__


def compare_clients(
    old: LoadedSpec, new: LoadedSpec, base_ref: str, repo_root: Path = paths.ROOT
) -> ClientDiff:
    """Generate the base ref's client from its own inputs and the working tree's from its own;
    diff their files and, with griffe, their public API."""
    inputs = changed_inputs(base_ref, repo_root)
    spec_changed = _without_version(old.document) != _without_version(new.document)
    if not inputs and not spec_changed:
        return ClientDiff(
            f"skipped: no spec, template, config or generator change since {base_ref}"
        )
    new_inputs = working_inputs(repo_root)
    version = str(new.document["info"]["version"])
    texts = (with_version(old, version), new.text)
    with tempfile.TemporaryDirectory(prefix="plaid-client-diff-") as tmp:
        workdir = Path(tmp)
        sides = (base_inputs(base_ref, repo_root, workdir / "base", new_inputs), new_inputs)
        status = "done"
        try:
            projects = _generate_both(texts, workdir, sides, stock=False)
        except GenerationError as error:
            # As in spec-diff: a spec our templates cannot render (no PlaidError model) still
            # gets the stock templates' comparison, which sees spec changes only.
            try:
                projects = _generate_both(texts, workdir, sides, stock=True)
            except GenerationError as stock_error:
                return ClientDiff(f"failed: {_last_line(stock_error)}", inputs)
            status = f"done with the generator's stock templates (ours failed: {_last_line(error)})"
        diff = ClientDiff(status, inputs, changed_files(*projects))
        try:
            diff.api_changes = diff_packages(*projects)
        except (ImportError, griffe.GriffeError) as error:
            diff.status = f"failed (Python API diff): {_last_line(error)}"
        return diff
