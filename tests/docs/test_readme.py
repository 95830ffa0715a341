"""README and docs/ stay what a newcomer can follow: a short README that links every page,
links that lead somewhere, and nothing that points outside the repository.

(That docs/operating.md lists every setting with its default: tests/unit/test_settings.py.)
"""

import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

README = ROOT / "README.md"
DOCS = ROOT / "docs"
README_MAX_LINES = 150
# Spelled in two pieces so that this file does not match its own search.
OUTSIDE = "../" + "shared/"

_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^(```|~~~)")


def _pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def _prose(path: Path) -> str:
    """The Markdown text outside fenced code blocks, where a link is a link."""
    kept, fenced = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if _FENCE.match(line.strip()):
            fenced = not fenced
            continue
        if not fenced:
            kept.append(line)
    return "\n".join(kept)


def _links(path: Path) -> list[str]:
    return _LINK.findall(_prose(path))


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {
        _slug(line.lstrip("#")) for line in _prose(path).splitlines() if re.match(r"^#{1,6} ", line)
    }


def test_readme_is_at_most_150_lines():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines"


def test_readme_opens_with_the_quickstart_before_operating_and_developing():
    headings = [
        line for line in README.read_text(encoding="utf-8").splitlines() if line[:3] == "## "
    ]
    order = [
        h for h in headings if h.startswith(("## Quickstart", "## Operating", "## Developing"))
    ]
    assert [h.split()[1] for h in order] == ["Quickstart", "Operating", "Developing"], headings
    assert headings[0].startswith("## Quickstart"), headings


def test_every_docs_page_is_linked_from_the_readme():
    pages = _pages()
    assert pages, "docs/ has no pages"
    linked = {(ROOT / link.split("#")[0]).resolve() for link in _links(README)}
    missing = [page.name for page in pages if page.resolve() not in linked]
    assert not missing, f"README.md does not link docs/{', docs/'.join(missing)}"


@pytest.mark.parametrize("page", [README, *_pages()], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_leads_to_a_file_and_heading_of_the_repository(page: Path):
    broken = []
    for link in _links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", link):  # http:, https:, mailto:
            continue
        target, _, anchor = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        if not path.is_relative_to(ROOT) or not path.exists():
            broken.append(f"{link}: no such file in the repository")
        elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
            broken.append(f"{link}: {path.name} has no heading #{anchor}")
    assert not broken, "\n".join(broken)


def test_nothing_in_the_repository_cites_what_lies_outside_it():
    found = subprocess.run(
        ["git", "grep", "--untracked", "-n", "-F", OUTSIDE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,  # its status is judged below
    )
    assert found.returncode in (0, 1), found.stderr  # 1: nothing found; 2 and up: an error
    assert found.stdout == "", f"cited outside the repository:\n{found.stdout}"
