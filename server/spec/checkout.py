"""Where the server runs from: a checkout (spec/, scripts/, generated/ beside server/) or an
installed package (server/ and generated/ alone, in site-packages)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What only a checkout has: scripts/generate and the spec it reads.
_CHECKOUT_MARKS = ("scripts/generate", "spec/openapi.yaml")


def is_checkout(root: Path = ROOT) -> bool:
    """Whether ``root`` is a checkout, where generated/ is made from the spec beside it."""
    return all((root / mark).is_file() for mark in _CHECKOUT_MARKS)


def shown(path: Path) -> str:
    """``path`` as a message names it: relative to the checkout when inside it."""
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)
