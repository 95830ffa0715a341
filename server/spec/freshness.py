"""Whether ``generated/`` is what scripts/generate makes of today's spec and templates.

scripts/generate writes ``generated/sources.sha256``: the SHA-256 of every file it read (the
spec, the templates, its own code) and of every file it wrote, in ``sha256sum`` format.
``hubindex serve`` hashes the same files again (about 80 KB, a millisecond) and refuses to
start when any differs, instead of booting a tree whose glue no longer matches the spec.

In a checkout every file counts. An installed package has no spec, templates or generator
beside it (the wheel carries generated/ with its manifest): there only what scripts/generate
wrote is checked, so that a package damaged or edited after the build is refused too.
"""

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path

from server.spec.checkout import ROOT, is_checkout

SPEC = "spec/openapi.yaml"
TEMPLATES = "templates"
# The generator's own code: what it does with the spec and the templates.
GENERATOR = ("scripts/lib/codegen.py", "server/spec/document.py", "server/http/formats.py")
GENERATED = "generated"
MANIFEST = f"{GENERATED}/sources.sha256"
# The spec as the server loads it: JSON, which loads some 20 times faster than YAML does.
SPEC_JSON = f"{GENERATED}/openapi.json"
_OUTPUT_PATTERNS = ("*.py", "*.json")
_HEADER = (
    "# Written by scripts/generate: the SHA-256 of the files it made generated/ from, then of\n"
    "# the files it wrote. hubindex serve refuses to start when one of them differs.\n"
)
_SHOWN = 3  # names in a message, at most


def inputs(root: Path = ROOT) -> list[str]:
    """The files scripts/generate reads, relative to ``root``."""
    templates = sorted(path.relative_to(root).as_posix() for path in _templates(root))
    return [SPEC, *templates, *GENERATOR]


def outputs(root: Path = ROOT) -> list[str]:
    """The files scripts/generate writes (Python and JSON) now in generated/, relative to
    ``root``."""
    return sorted(
        path.relative_to(root).as_posix()
        for pattern in _OUTPUT_PATTERNS
        for path in (root / GENERATED).rglob(pattern)
        if "__pycache__" not in path.parts
    )


def manifest(digests: Mapping[str, str]) -> str:
    """The text of the manifest for ``{path: sha256}``, inputs first."""
    lines = [f"{digest}  {name}\n" for name, digest in digests.items()]
    return _HEADER + "".join(lines)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digests(root: Path, names: Iterable[str]) -> dict[str, str]:
    """``{name: sha256}`` of the files that exist among ``names``."""
    found = {}
    for name in names:
        try:
            found[name] = digest((root / name).read_bytes())
        except FileNotFoundError:
            continue
    return found


def stale(root: Path = ROOT, *, checkout: bool | None = None) -> str | None:
    """None when generated/ matches its sources; else what differs, as a short clause.

    ``checkout`` (default: whether ``root`` is one) checks the sources too; else only the
    files scripts/generate wrote.
    """
    try:
        text = (root / MANIFEST).read_text(encoding="utf-8")
    except FileNotFoundError:
        return f"{MANIFEST} is missing"
    recorded = _parse(text)
    if checkout is None:
        checkout = is_checkout(root)
    if not checkout:
        recorded = {name: value for name, value in recorded.items() if _generated(name)}
        current = file_digests(root, {*recorded, *outputs(root)})
    else:
        current = file_digests(root, {*recorded, *inputs(root), *outputs(root)})
    names = {*recorded, *current}
    differ = sorted(name for name in names if recorded.get(name) != current.get(name))
    if not differ:
        return None
    changed = [name for name in differ if not _generated(name)]
    if changed:
        return f"{_names(changed)} changed since scripts/generate ran"
    verb = "is" if len(differ) == 1 else "are"
    return f"{_names(differ)} {verb} not what scripts/generate wrote"


def _generated(name: str) -> bool:
    return name.startswith(f"{GENERATED}/")


def _templates(root: Path) -> Iterable[Path]:
    return (root / TEMPLATES).glob("*.jinja")


def _parse(text: str) -> dict[str, str]:
    recorded = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            value, _, name = line.partition("  ")
            recorded[name] = value
    return recorded


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    more = len(names) - _SHOWN
    return f"{shown} and {more} more" if more > 0 else shown
