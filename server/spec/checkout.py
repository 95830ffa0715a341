"""The checkout the server runs from (it reads spec/ and imports generated/ from there)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def shown(path: Path) -> str:
    """``path`` as a message names it: relative to the checkout when inside it."""
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)
