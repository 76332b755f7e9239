"""openapi-python-client's command line, plus the package modules it cannot render itself.

The generator renders a fixed set of templates (package_init, types, client, errors, models, one
module per endpoint, README, pyproject). Our client also has small private modules
(`_retry.py`, `_base_client.py`, ...): their templates are `openapi/templates/package/`, and
each `NAME.py.jinja` there becomes `<package>/NAME.py`. This module renders them with the
generator's own Jinja environment (the same loader, filters and globals: `openapi`,
`endpoint_collections_by_tag`, `package_name`, `package_version`, ..., plus our `operations`
and `deprecated_aliases`),
right after the generator's own modules and before its post-hooks, so ruff formats them and the
header hook stamps them like every other file. Without custom templates (the stock comparison of
spec-diff) there is no `package/` folder and nothing extra is rendered.

`plaid_tools.regenerate` calls `generate` with the arguments of `openapi-python-client`, in its
own process: a process that generates several clients (spec-diff, versioning, the tests) imports
the generator once. Generation, the drift check, the golden-record tests and versioning's client
builds all go through it.
"""

from __future__ import annotations

import contextlib
import io
import sys
import threading
import traceback
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import openapi_python_client
import typer
import yaml
from jinja2 import Environment
from jinja2.bccache import Bucket, BytecodeCache, FileSystemBytecodeCache
from openapi_python_client.cli import app
from openapi_python_client.strings import PythonIdentifier
from typer.main import get_command

PACKAGE_TEMPLATES = "package/"
TEMPLATE_SUFFIX = ".py.jinja"
# On an operation: the earlier Python names of its method, kept working with a warning.
DEPRECATED_ALIASES = "x-deprecated-aliases"
# Compiled templates, in Jinja's per-user cache folder (see TemplateCache); the generator's
# version is in the name because its Environment's options shape the compiled code.
TEMPLATE_CACHE_PATTERN = f"openapi-python-client-{metadata.version('openapi-python-client')}-%s"
# The exit code typer turns Ctrl-C into.
INTERRUPTED = 130
# A generation swaps this process's sys.stdout and openapi_python_client.Project for a while.
_ONE_AT_A_TIME = threading.Lock()


class ProjectWithPackageModules(openapi_python_client.Project):
    """The generator's Project, rendering `package/*.py.jinja` into the package as well.

    Every template also gets `operations`: (tag, endpoint) for each endpoint, in the order the
    client lists them (tags sorted, as Jinja's `dictsort` sorts them; endpoints as in the spec),
    and `deprecated_aliases`: endpoint name -> its operation's `x-deprecated-aliases` (`name`,
    `since`), which the generator does not keep.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Compiling the ~40 templates is a third of a generation; rendering is unchanged.
        self.env.bytecode_cache = _template_cache()
        collections = self.openapi.endpoint_collections_by_tag.items()
        by_tag = sorted(collections, key=lambda item: item[0].lower())
        self.env.globals["operations"] = [
            (tag, endpoint) for tag, collection in by_tag for endpoint in collection.endpoints
        ]
        self.env.globals["deprecated_aliases"] = {
            PythonIdentifier(operation_id, prefix=self.config.field_prefix): aliases
            for operation_id, aliases in _deprecated_aliases(self.config.document_source).items()
        }

    def _build_api(self) -> None:
        super()._build_api()
        for name in self.env.list_templates(filter_func=_is_package_module):
            module = name.removeprefix(PACKAGE_TEMPLATES).removesuffix(".jinja")
            (self.package_dir / module).write_text(
                self.env.get_template(name).render(), encoding=self.config.file_encoding
            )


class TemplateCache(FileSystemBytecodeCache):
    """Compiled templates found by name and source, wherever the template file is: spec-diff and
    versioning render copies of the templates checked out in temporary folders. Jinja checks the
    source again, and its own and Python's versions, before it uses an entry."""

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        # Jinja keys an entry by name and file path: the source's checksum stands for the path.
        return super().get_bucket(environment, name, self.get_source_checksum(source), source)


def _template_cache() -> BytecodeCache | None:
    try:
        return TemplateCache(pattern=TEMPLATE_CACHE_PATTERN)
    except (OSError, RuntimeError):  # no private temp folder: compile every time
        return None


def _deprecated_aliases(source: Path | str) -> dict[str, list[dict[str, str]]]:
    if not isinstance(source, Path):  # a URL: our pipeline always passes the spec's path
        return {}
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    return {
        operation["operationId"]: operation[DEPRECATED_ALIASES]
        for item in document.get("paths", {}).values()
        for operation in item.values()
        if isinstance(operation, dict) and DEPRECATED_ALIASES in operation
    }


def _is_package_module(name: str) -> bool:
    module = name.removeprefix(PACKAGE_TEMPLATES)
    return (
        name.startswith(PACKAGE_TEMPLATES)
        and "/" not in module
        and module.endswith(TEMPLATE_SUFFIX)
    )


def generate(arguments: Sequence[str]) -> tuple[int, str]:
    """Run `openapi-python-client ARGUMENTS` here: its exit code and everything it printed.

    A usage error is exit code 2 with its message, a failure of the generator itself (a
    template that does not render) exit code 1 with its traceback, as the command line prints
    them; Ctrl-C stays a KeyboardInterrupt. Whatever else this process prints meanwhile goes into
    the output too.
    """
    # The click command, not typer's app(): that would replace this process's sys.excepthook.
    command = get_command(app)
    printed = io.StringIO()
    with (
        _ONE_AT_A_TIME,
        contextlib.redirect_stdout(printed),
        contextlib.redirect_stderr(printed),
    ):
        # `openapi_python_client.generate` builds whatever Project this module attribute names.
        stock = openapi_python_client.Project
        openapi_python_client.Project = ProjectWithPackageModules  # type: ignore[misc]
        try:
            code = command.main(
                list(arguments), prog_name="openapi-python-client", standalone_mode=False
            )
        except typer.TyperException as error:  # a usage error: its message, as the command shows it
            print(f"Error: {error.format_message()}", file=sys.stderr)
            code = error.exit_code
        except Exception:  # reported as the command line reports it
            traceback.print_exc()
            code = 1
        finally:
            openapi_python_client.Project = stock  # type: ignore[misc]
    if code == INTERRUPTED:
        raise KeyboardInterrupt
    return code or 0, printed.getvalue()
