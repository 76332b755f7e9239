"""Regenerate the client package from the spec with the pinned openapi-python-client.

One pipeline serves `nox -s generate`, `nox -s check-generated`, the golden-record tests, the
template tests on fixture specs and both sides of versioning's and spec-diff's client
comparisons: the generator's CLI plus our package modules (`plaid_tools.generator_cli`, run in
this process), our templates and config, this environment's ruff and the header hook. The
generator always writes into a fresh temporary folder (so its output never depends on what was
there before) and only then replaces the target.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
import tempfile
from importlib import metadata
from pathlib import Path

import yaml

from plaid_tools import paths
from plaid_tools.spec_version import InvalidSpecVersion, package_version_of

GENERATOR_VERSION = "0.29.1"


class GenerationError(RuntimeError):
    """The generator failed or warned; the message carries its output."""


def package_version(spec_path: Path) -> str:
    """The package version is the spec revision after Plaid's API version in info.version."""
    version = str(yaml.safe_load(spec_path.read_text(encoding="utf-8"))["info"]["version"])
    try:
        return package_version_of(version)
    except InvalidSpecVersion as error:
        raise GenerationError(f"{error}, e.g. 2020-09-14_1.0.0") from error


def _check_generator_pin() -> None:
    installed = metadata.version("openapi-python-client")
    if installed != GENERATOR_VERSION:
        raise GenerationError(
            f"openapi-python-client {installed} is installed but the templates are written for "
            f"{GENERATOR_VERSION}; install it from requirements/constraints.txt"
        )


def _effective_config(spec_path: Path, config_path: Path, header_hook: Path, workdir: Path) -> Path:
    """The committed config plus what is derived: the version and the header post-hook."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["package_version_override"] = package_version(spec_path)
    stamp = f"{shlex.quote(sys.executable)} {shlex.quote(str(header_hook))} {GENERATOR_VERSION}"
    config["post_hooks"] = [*map(_pinned_tool, config.get("post_hooks", [])), stamp]
    effective = workdir / "config.yaml"
    effective.write_text(yaml.safe_dump(config, sort_keys=True), encoding="utf-8")
    return effective


def _pinned_tool(hook: str) -> str:
    """A post-hook run by this environment's own copy of its tool (the pinned ruff), if any."""
    name, _, rest = hook.partition(" ")
    tool = Path(sys.executable).parent / name
    return f"{shlex.quote(str(tool))} {rest}" if tool.is_file() else hook


def generate_into(
    output: Path,
    *,
    spec_path: Path = paths.SPEC,
    config_path: Path = paths.GENERATOR_CONFIG,
    templates: Path | None = paths.TEMPLATES,
    header_hook: Path = paths.HEADER_HOOK,
) -> Path:
    """Generate the client project into `output` (replaced whole). Returns `output`.

    `templates=None` uses only the generator's stock templates.
    """
    _check_generator_pin()
    # The generator's imports (half a second) only when generating.
    from plaid_tools import generator_cli

    with tempfile.TemporaryDirectory(prefix="plaid-generate-") as tmp:
        workdir = Path(tmp)
        project = workdir / "project"
        arguments = [
            "generate",
            "--path",
            str(spec_path),
            "--config",
            str(_effective_config(spec_path, config_path, header_hook, workdir)),
            "--meta",
            "uv",
            "--output-path",
            str(project),
            "--fail-on-warning",
        ]
        if templates is not None and templates.is_dir() and any(templates.iterdir()):
            arguments += ["--custom-template-path", str(templates)]
        code, printed = generator_cli.generate(arguments)
        if code != 0 or not project.is_dir():
            raise GenerationError(f"openapi-python-client failed:\n{printed}")
        _remove_debris(project)
        if output.exists():
            shutil.rmtree(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(project, output)
    return output


def generate_spec_text(
    spec_text: str,
    workdir: Path,
    name: str,
    *,
    config_path: Path = paths.GENERATOR_CONFIG,
    templates: Path | None = paths.TEMPLATES,
    header_hook: Path = paths.HEADER_HOOK,
) -> Path:
    """Generate a spec held as text (one side of a comparison) into `workdir/name/`."""
    spec_file = workdir / f"{name}.yaml"
    spec_file.write_text(spec_text, encoding="utf-8")
    return generate_into(
        workdir / name / paths.DISTRIBUTION,
        spec_path=spec_file.resolve(),
        config_path=config_path,
        templates=templates,
        header_hook=header_hook,
    )


def _remove_debris(project: Path) -> None:
    for debris in (".ruff_cache", "__pycache__"):
        for path in list(project.rglob(debris)):
            shutil.rmtree(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=paths.CLIENT_PROJECT)
    parser.add_argument("--spec", type=Path, default=paths.SPEC)
    args = parser.parse_args(argv)
    try:
        generate_into(args.output, spec_path=args.spec)
    except GenerationError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"generated {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
