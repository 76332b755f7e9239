"""Where Plaid's published spec comes from: a URL, a file, or a git repository.

Source syntax (one argument):
- `https://...` or `http://...`: fetched (default: the raw `2020-09-14.yml` of
  plaid/plaid-openapi's default branch);
- a file: read as it is;
- a directory: its `2020-09-14.yml` (a checkout), or, when it has none, the file at HEAD of the
  git repository there (a bare clone);
- `DIR@REF` or `DIR@REF:PATH`: the file (default `2020-09-14.yml`) at REF in the git repository
  at DIR, bare or not, e.g. `plaid-openapi@master` or `plaid-openapi@5c2920e:2020-09-14.yml`.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

from plaid_tools.spec_diff.loader import LoadedSpec, SpecLoadError, parse, read_git_file, ref_exists

DEFAULT_URL = "https://raw.githubusercontent.com/plaid/plaid-openapi/master/2020-09-14.yml"
UPSTREAM_FILE = "2020-09-14.yml"
# Plaid's file is ~3 MB; anything far larger is not it, and is not kept in memory.
MAX_BYTES = 64 * 1024 * 1024
URL_SCHEMES = ("http://", "https://")


def fetch_url(url: str, timeout: float) -> str:
    """The body of `url` as text; any failure is one SpecLoadError line."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise SpecLoadError(f"cannot fetch {url}: HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise SpecLoadError(f"cannot fetch {url}: {error.reason}") from None
    except (OSError, ValueError) as error:  # timeouts, resets, malformed URLs
        raise SpecLoadError(f"cannot fetch {url}: {error}") from None
    if len(data) > MAX_BYTES:
        raise SpecLoadError(f"{url}: larger than {MAX_BYTES} bytes, not Plaid's spec")
    return _decode(data, url)


def _decode(data: bytes, label: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecLoadError(f"{label}: not UTF-8 text") from None


def _is_repository(directory: Path) -> bool:
    """A checkout (with .git) or a bare repository; not a folder inside some other repository."""
    bare = (directory / "HEAD").is_file() and (directory / "objects").is_dir()
    return bare or (directory / ".git").exists()


def _from_git(repo: Path, ref: str, path: str) -> tuple[str, str]:
    label = f"{repo}@{ref}:{path}"
    if not _is_repository(repo):
        raise SpecLoadError(f"{repo}: no {UPSTREAM_FILE} there and not a git repository")
    if not ref_exists(ref, repo):
        raise SpecLoadError(f"{label}: {ref!r} is not a commit in {repo}")
    text = read_git_file(ref, path, repo)
    if text is None:
        raise SpecLoadError(f"{label}: no such file at {ref}")
    return label, text


def _read(source: str, timeout: float) -> tuple[str, str]:
    """(label, text) of a source, per the syntax in this module's docstring."""
    if source.startswith(URL_SCHEMES):
        return source, fetch_url(source, timeout)
    candidate = Path(source)
    if candidate.is_file():
        return source, _decode(candidate.read_bytes(), source)
    if candidate.is_dir():
        checked_out = candidate / UPSTREAM_FILE
        if checked_out.is_file():
            return str(checked_out), _decode(checked_out.read_bytes(), str(checked_out))
        return _from_git(candidate, "HEAD", UPSTREAM_FILE)
    repo, at, rest = source.rpartition("@")
    if at and Path(repo).is_dir():
        ref, _, path = rest.partition(":")
        return _from_git(Path(repo), ref or "HEAD", path or UPSTREAM_FILE)
    raise SpecLoadError(f"{source!r} is not a URL, a file, a directory or DIR@REF[:PATH]")


def load_upstream(source: str, timeout: float = 60.0) -> LoadedSpec:
    """Plaid's published spec from `source`, parsed and checked to be an OpenAPI 3 document."""
    label, text = _read(source, timeout)
    document = parse(text, label)
    version = str(document.get("openapi", ""))
    if not version.startswith("3.") or not isinstance(document.get("paths"), dict):
        raise SpecLoadError(f"{label}: not an OpenAPI 3 document (no `openapi: 3.x` and `paths`)")
    return LoadedSpec(label, text, document)
