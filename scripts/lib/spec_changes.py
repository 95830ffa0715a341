"""What changed in the public API between a release of the spec and the working tree (run it as
scripts/changes; scripts/check runs it with --check).

    scripts/changes                 the changes since the last release, breaking ones marked
    scripts/changes --base REF      since the spec at git REF instead
    scripts/changes --check         exit 1 on a breaking change, unless info.version's major
                                    number went up since the base

A release is a git tag ``v<version>``; with none, the commit that gave the committed spec's
``info.version`` its value (the spec's own statement of what it released): a working tree that
raises the version is compared with the release it moves on from. Both sides are compared as
published (scripts/docs: the x- extensions left out) by Optic (``@useoptic/optic``, pinned in
package-lock.json), which runs offline and judges each change with its breaking-change rules.
The answer for a pair of documents is kept in build/, so a check of an unchanged spec is instant.
"""

import argparse
import hashlib
import html
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "lib"))

from docs import public_spec  # noqa: E402

OPTIC = ROOT / "node_modules" / ".bin" / "optic"
SPEC = Path("spec") / "openapi.yaml"
CACHE = ROOT / "build" / "spec-changes"
# No usage data or error reports sent, whatever the machine can reach.
OPTIC_ENV = {"OPTIC_TELEMETRY_LEVEL": "off"}
_OPERATION = re.compile(r"^[x✔] (?P<name>(?:GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS|TRACE) \S+):")
NO_CHANGES = "No changes to the published API."
_RULE = re.compile(r"^\s*x \[(?P<rule>[^\]]+)\] (?P<message>.+)$")


class ChangesError(Exception):
    """Why the comparison could not be made; one line."""


@dataclass
class Report:
    """Optic's judgement of ``base`` → ``head``."""

    base_version: str
    head_version: str
    text: str  # Optic's own account, as a person reads it
    operations: list[dict[str, Any]]  # what changed, operation by operation
    breaking: dict[str, list[str]] = field(default_factory=dict)  # operation -> rule messages

    @property
    def major_bumped(self) -> bool:
        return _major(self.head_version) > _major(self.base_version)


def compare(base: dict[str, Any], head: dict[str, Any]) -> Report:
    """Optic's report on the published forms of ``base`` and ``head``."""
    sides = [public_spec(base), public_spec(head)]
    # Optic forgives every break when the major version moved; the rule here is applied to what
    # Optic reports with the versions made equal (main), so the breaks are always listed.
    sides[1]["info"] = {**sides[1].get("info", {}), "version": _version(base)}
    key = hashlib.sha256(json.dumps(sides, sort_keys=True).encode()).hexdigest()
    cached = CACHE / f"{key}.json"
    if sides[0] == sides[1]:
        # Nothing published changed (the usual check between releases): nothing for Optic to
        # judge, and no Node.js tools to install for it.
        text, operations = NO_CHANGES, []
    elif cached.is_file():
        text, operations = json.loads(cached.read_text(encoding="utf-8"))
    else:
        _install_optic()
        with tempfile.TemporaryDirectory(prefix="hubindex-changes-") as folder:
            paths = [Path(folder) / "base.json", Path(folder) / "head.json"]
            for path, side in zip(paths, sides, strict=True):
                path.write_text(json.dumps(side), encoding="utf-8")
            text = _optic(paths, "--check").replace(folder, "").strip()
            operations = json.loads(_optic(paths, "--json")).get("operations", [])
        CACHE.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps([text, operations]), encoding="utf-8")
    return Report(
        base_version=_version(base),
        head_version=_version(head),
        text=text,
        operations=operations,
        breaking=dict(_breaking(text)),
    )


def _install_optic() -> None:
    """Optic from package-lock.json (scripts/lib/node-tools: npm ci, once per lock file)."""
    installed = subprocess.run(  # noqa: S603 - our own script
        [str(ROOT / "scripts" / "lib" / "node-tools")], capture_output=True, text=True, check=False
    )
    if installed.returncode != 0 or not OPTIC.exists():
        lines = installed.stderr.strip().splitlines() or [f"{OPTIC.relative_to(ROOT)} is missing"]
        raise ChangesError(f"cannot install Optic (scripts/lib/node-tools): {lines[-1]}")


def _version(spec: dict[str, Any]) -> str:
    return str(spec.get("info", {}).get("version", ""))


def _optic(paths: list[Path], *flags: str) -> str:
    # --check exits 1 when a rule fails: the text says which, and that is what is read here.
    result = subprocess.run(  # noqa: S603 - the pinned Optic from node_modules
        [str(OPTIC), "diff", *map(str, paths), *flags],
        capture_output=True,
        text=True,
        env={**os.environ, **OPTIC_ENV},
        timeout=300,
        check=False,
    )
    if result.returncode not in (0, 1) or not result.stdout.strip():
        raise ChangesError(f"optic diff failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout


def _breaking(text: str) -> Iterator[tuple[str, list[str]]]:
    """Each operation with the messages of the rules its changes broke, from Optic's text."""
    operation, messages = "the document", []
    for line in text.splitlines():
        if found := _OPERATION.match(line):
            if messages:
                yield operation, messages
            operation, messages = found["name"], []
        elif found := _RULE.match(line):
            messages.append(f"[{found['rule']}] {found['message']}")
    if messages:
        yield operation, messages


def _major(version: str) -> int:
    found = re.match(r"\s*v?(\d+)", version)
    return int(found[1]) if found else 0


# git: the releases, and the spec as it was at one.


def _git(*args: str, repo: Path) -> str:
    result = subprocess.run(  # noqa: S603 - git, on this checkout
        ["git", "-C", str(repo), *args],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise ChangesError(f"git {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout


def spec_at(ref: str, repo: Path) -> dict[str, Any]:
    return load(_git("show", f"{ref}:{SPEC.as_posix()}", repo=repo))


def load(text: str) -> dict[str, Any]:
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506


def last_release(repo: Path) -> str:
    """The newest ``v*`` tag; with none, the commit that set HEAD's ``info.version``."""
    tags = _git("tag", "--list", "v[0-9]*", "--sort=-v:refname", "--merged", "HEAD", repo=repo)
    if tags.split():
        return tags.split()[0]
    if _shallow(repo):
        raise ChangesError("this clone is shallow: fetch its history (git fetch --unshallow)")
    version = _version_at("HEAD", repo)
    # Commits whose diff touches a `version:` line of the spec, newest first.
    candidates = _git(
        "log", "--format=%H", "-G", r"^\s+version:", "--", SPEC.as_posix(), repo=repo
    ).split()
    for commit in candidates:
        if str(spec_at(commit, repo).get("info", {}).get("version")) != version:
            continue
        parents = _git("rev-list", "--parents", "-n", "1", commit, repo=repo).split()[1:]
        if not parents or str(_version_at(parents[0], repo)) != version:
            return commit
    raise ChangesError(f"no commit sets info.version to {version!r}: commit the spec first")


def _shallow(repo: Path) -> bool:
    return _git("rev-parse", "--is-shallow-repository", repo=repo).strip() == "true"


def _version_at(ref: str, repo: Path) -> str | None:
    try:
        return str(spec_at(ref, repo).get("info", {}).get("version"))
    except ChangesError:  # the spec did not exist there
        return None


def releases(repo: Path) -> list[tuple[str, str, str]]:
    """(ref, version, date) of every release, oldest first: the ``v*`` tags, or with none, each
    commit that gave ``info.version`` a new value."""
    tags = _git("tag", "--list", "v[0-9]*", "--sort=v:refname", "--merged", "HEAD", repo=repo)
    if tags.split():
        refs = tags.split()
    else:
        changed = _git(
            "log",
            "--reverse",
            "--format=%H",
            "-G",
            r"^\s+version:",
            "--",
            SPEC.as_posix(),
            repo=repo,
        ).split()
        refs, last = [], None
        for commit in changed:
            version = _version_at(commit, repo)
            if version != last:
                refs.append(commit)
                last = version
    found = []
    for ref in refs:
        date = _git("log", "-1", "--format=%cs", ref, repo=repo).strip()
        found.append((ref, str(_version_at(ref, repo)), date))
    return found


def changelog_page(repo: Path, head: dict[str, Any]) -> str:
    """A self-contained HTML page: each release's changes to the public API, newest first, and
    the working tree's since the last one."""
    known = releases(repo)
    sections = []
    for (base_ref, _v, _d), (ref, version, date) in reversed(list(itertools.pairwise(known))):
        report = compare(spec_at(base_ref, repo), spec_at(ref, repo))
        sections.append(_section(f"{version} ({date})", report))
    if known:
        report = compare(spec_at(known[-1][0], repo), head)
        if report.operations or report.breaking:
            sections.insert(0, _section(f"Since {report.base_version} (not released)", report))
        sections.append(f"<h2>{html.escape(known[0][1])} ({known[0][2]})</h2><p>The first.</p>")
    title = html.escape(str(head.get("info", {}).get("title", "API")))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Changes — {title}</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
        ".breaking{color:#b00}code{background:#f4f4f4}</style></head><body>"
        f"<h1>Changes to the API</h1><p>{title}: what each release changed, as "
        "judged by Optic's breaking-change rules.</p>" + "".join(sections) + "</body></html>\n"
    )


def _section(heading: str, report: Report) -> str:
    parts = [f"<h2>{html.escape(heading)}</h2>"]
    broken = [(op, m) for op, messages in report.breaking.items() for m in messages]
    if broken:
        parts.append('<h3 class="breaking">Breaking</h3><ul>')
        parts += [f"<li><code>{html.escape(op)}</code>: {html.escape(m)}</li>" for op, m in broken]
        parts.append("</ul>")
    if report.operations:
        parts.append("<h3>Operations</h3><ul>")
        for operation in report.operations:
            details = [
                f"{item['name']} {item['change']}"
                for kind in ("parameters", "responses")
                for item in operation.get(kind, [])
            ]
            if operation["change"] == "changed":
                details += [f"{a['key']} {a['change']}" for a in operation.get("attributes", [])]
            parts.append(
                f"<li><code>{html.escape(operation['name'])}</code> {operation['change']}"
                + (f": {html.escape(', '.join(details))}" if details else "")
                + "</li>"
            )
        parts.append("</ul>")
    if len(parts) == 1:
        parts.append("<p>No change to the public API.</p>")
    return "".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/changes", description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="a git ref (default: the last release)")
    parser.add_argument("--repo", type=Path, default=ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--check", action="store_true", help="exit 1 on an unannounced break")
    args = parser.parse_args(argv)
    prog = parser.prog
    try:
        head = load((args.repo / SPEC).read_text(encoding="utf-8"))
        if args.base is None and args.check and _shallow(args.repo):
            # No history, no release to compare with: a clone made with --depth.
            print(f"{prog}: not checked: this clone is shallow (git fetch --unshallow)")
            return 0
        base_ref = args.base or last_release(args.repo)
        report = compare(spec_at(base_ref, args.repo), head)
    except (ChangesError, OSError, yaml.YAMLError) as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 1
    shown = base_ref[:12] if re.fullmatch(r"[0-9a-f]{40}", base_ref) else base_ref
    since = f"since {shown} (info.version {report.base_version})"
    if not args.check:
        print(f"{prog}: the public API {since}, now {report.head_version}:\n")
        print(report.text)
    broken = sum(len(messages) for messages in report.breaking.values())
    if not broken:
        if args.check:
            print(f"{prog}: no breaking change {since}")
        return 0
    if report.major_bumped:
        print(
            f"{prog}: {broken} breaking changes {since}, announced by info.version "
            f"{report.head_version}"
        )
        return 0
    if args.check:
        print(f"{prog}: {broken} breaking changes {since}:", file=sys.stderr)
        for operation, messages in report.breaking.items():
            for message in messages:
                print(f"  {operation}: {message}", file=sys.stderr)
    print(
        f"{prog}: breaking changes need a new major info.version (now {report.head_version});"
        " or keep the old behaviour beside the new",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
