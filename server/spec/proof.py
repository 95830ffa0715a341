"""Whether a generated tree fits the hand-written code: proved from the source, importing nothing.

A spec edit can leave a handler behind: a renamed schema that a module still imports or names
(``models.SearchResults``), or a parameter the glue now passes and the handler does not take.
Such a tree starts, then answers 500. ``scripts/generate`` proves the tree it is about to write
and ``hubindex serve`` the tree it is about to serve; each problem is one line,
``path:line: what is wrong``.

What is checked, in every module under server/: each ``from generated... import`` names a module
and a name the tree defines, and each ``models.X`` (``models`` imported from ``generated``) a
model it defines; and each handler the glue calls (``server/handlers/MODULE.py``, an async
function) takes the keyword arguments the glue passes, and requires no other.
"""

import ast
import contextlib
import functools
import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "generated"
HANDLERS = Path("server") / "handlers"
# Where a checkout remembers that its tree fits its handlers (proven_clean): hubindex serve
# and scripts/generate share it.
CACHE = Path("build") / "proof"


@dataclass(frozen=True)
class HandlerCall:
    """What one operation's glue calls: ``module.name(call, **arguments)``."""

    operation_id: str
    module: str  # server.handlers.MODULE
    name: str
    arguments: tuple[str, ...]


def problems(root: Path, tree: Mapping[str, str]) -> list[str]:
    """Every way the code under ``root``/server does not fit ``tree`` (the generated package's
    files, by path relative to it, as text)."""
    defined = _Defined({_module_name(relative): text for relative, text in tree.items()})
    calls = list(handler_calls(tree))
    called = {call.module for call in calls}
    found = []
    for path in sorted((root / "server").rglob("*.py")):
        shown = path.relative_to(root).as_posix()
        if _uncalled_handlers(root, path, called):
            continue  # no glue imports it
        try:
            source = path.read_text(encoding="utf-8")
            if PACKAGE not in source:
                continue  # parsing every module would double the time generate --check takes
            module = ast.parse(source, filename=shown)
        except (SyntaxError, UnicodeDecodeError, OSError) as error:
            found.append(f"{shown}: cannot be read: {error}")
            continue
        found.extend(f"{shown}:{line}: {message}" for line, message in _references(module, defined))
    for call in calls:
        found.extend(_signature(root, call))
    return found


def _uncalled_handlers(root: Path, path: Path, called: set[str]) -> bool:
    """Whether ``path`` is a module of handlers (public async functions) no operation calls."""
    if path.parent != root / HANDLERS or path.name.startswith("_"):
        return False
    if f"server.handlers.{path.stem}" in called:
        return False
    return any(
        isinstance(node, ast.AsyncFunctionDef) and not node.name.startswith("_")
        for node in _parsed(path).body
    )


def handler_calls(tree: Mapping[str, str]) -> Iterator[HandlerCall]:
    """What the glue (``operations/*.py``) calls, read from its source."""
    for relative, text in sorted(tree.items()):
        if not relative.startswith("operations/") or relative.endswith("__init__.py"):
            continue
        module = ast.parse(text)
        declared: dict[str, tuple[str, str, str]] = {}  # NAME_operation -> id, module, name
        for node in module.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                keywords = {k.arg: k.value for k in node.value.keywords}
                handler = keywords.get("handler")
                operation_id = keywords.get("operation_id")
                if (
                    isinstance(handler, ast.Call)
                    and isinstance(operation_id, ast.Constant)
                    and len(handler.args) == 2
                    and all(isinstance(arg, ast.Constant) for arg in handler.args)
                ):
                    target = node.targets[0]
                    if isinstance(target, ast.Name):
                        where, name = (arg.value for arg in handler.args)  # type: ignore[attr-defined]
                        declared[target.id] = (operation_id.value, where, name)
        for node in ast.walk(module):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "handler"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in declared
            ):
                operation_id, where, name = declared[node.func.value.id]
                arguments = tuple(k.arg for k in node.keywords if k.arg is not None)
                yield HandlerCall(operation_id, where, name, arguments)


class _Defined(dict[str, frozenset[str]]):
    """The names each generated module defines, by module name, each parsed when first asked."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        super().__init__()
        self.texts = texts

    def __contains__(self, module: object) -> bool:
        return module in self.texts

    def __missing__(self, module: str) -> frozenset[str]:
        names = self[module] = _names(self.texts[module])
        return names


def _module_name(relative: str) -> str:
    parts = relative.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([PACKAGE, *parts])


def _names(text: str) -> frozenset[str]:
    """The names a module defines at its top level."""
    try:
        module = ast.parse(text)
    except SyntaxError:
        return frozenset()
    names: set[str] = set()
    for node in module.body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return frozenset(names)


def _references(
    module: ast.Module, defined: Mapping[str, frozenset[str]]
) -> Iterator[tuple[int, str]]:
    """Where ``module`` names what the generated tree does not define."""
    aliases: dict[str, str] = {}  # a local name -> the generated module it is
    yield from _imports(module, defined, aliases)
    if not aliases:
        return
    for node in ast.walk(module):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and node.attr not in defined[aliases[node.value.id]]
        ):
            yield node.lineno, f"names {node.value.id}.{node.attr}, which generated/ has no more"


def _imports(
    module: ast.Module, defined: Mapping[str, frozenset[str]], aliases: dict[str, str]
) -> Iterator[tuple[int, str]]:
    for node in ast.walk(module):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module != PACKAGE and not node.module.startswith(f"{PACKAGE}."):
                continue
            if node.module not in defined:
                yield node.lineno, f"imports {node.module}, which generated/ no longer has"
                continue
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                if submodule in defined:
                    aliases[alias.asname or alias.name] = submodule
                elif alias.name != "*" and alias.name not in defined[node.module]:
                    yield node.lineno, f"imports {alias.name} from {node.module}, which has none"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(f"{PACKAGE}."):
                    if alias.name not in defined:
                        yield node.lineno, f"imports {alias.name}, which generated/ no longer has"
                    elif alias.asname:
                        aliases[alias.asname] = alias.name


def _signature(root: Path, call: HandlerCall) -> Iterable[str]:
    """Whether the handler takes what the glue passes (no handler yet: a 501 stub, fine)."""
    function = _function(root, call)
    if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
        return []
    shown = Path(*call.module.split(".")).with_suffix(".py").as_posix()
    where = f"{shown}:{function.lineno}: {call.operation_id}: handler {call.name}"
    if isinstance(function, ast.FunctionDef):
        return [f"{where} must be an async function"]
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    if not positional and args.vararg is None:
        return [f"{where} must take the call as its first argument"]
    named = positional[1:] if args.vararg is None else []
    takes = [arg.arg for arg in (*named, *args.kwonlyargs)]
    defaults = len(args.defaults)
    optional = {arg.arg for arg in named[len(named) - defaults :]} if defaults else set()
    optional |= {
        arg.arg
        for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True)
        if default is not None
    }
    found = []
    passed = set(call.arguments)
    if args.kwarg is None:
        unknown = [name for name in call.arguments if name not in takes]
        if unknown:
            found.append(f"{where} does not take {', '.join(unknown)}, which the glue passes")
    missing = [name for name in takes if name not in passed and name not in optional]
    if missing:
        found.append(f"{where} requires {', '.join(missing)}, which the glue does not pass")
    return found


def proven_clean(root: Path, tree: Mapping[str, str], cache: Path) -> list[str]:
    """``problems(root, tree)``, remembered in ``cache`` (a directory) when there are none:
    the proof parses every module that names the generated package (0.3-0.7 s, most of a
    served process's start-up), and its answer can only change when one of the files it reads
    does. The key is a digest of those files (the tree's and every module under server/)."""
    digest = hashlib.sha256()
    for relative, text in sorted(tree.items()):
        digest.update(f"{relative}\0{len(text)}\0".encode())
        digest.update(text.encode())
    for path in sorted((root / "server").rglob("*.py")):
        content = path.read_bytes()
        digest.update(f"{path.relative_to(root).as_posix()}\0{len(content)}\0".encode())
        digest.update(content)
    mark = cache / digest.hexdigest()
    if mark.is_file():
        return []
    found = problems(root, tree)
    if not found:
        with contextlib.suppress(OSError):  # a read-only checkout proves it each time
            cache.mkdir(parents=True, exist_ok=True)
            for old in cache.iterdir():
                old.unlink()
            mark.touch()
    return found


def generated_files(directory: Path) -> dict[str, str]:
    """The generated package on disk, as ``problems`` reads it."""
    return {
        path.relative_to(directory).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(directory.rglob("*.py"))
        if "__pycache__" not in path.parts
    }


def left_behind(root: Path, calls: Iterable[HandlerCall]) -> list[str]:
    """Each handler no operation calls (an operationId renamed or removed): a public async
    function of a public module of server/handlers/, with the operations that have none."""
    calls = list(calls)
    named = {(call.module, call.name) for call in calls}
    stubs = [call.operation_id for call in calls if _function(root, call) is None]
    found = []
    for path in sorted((root / HANDLERS).glob("*.py")):
        if path.name.startswith("_"):
            continue
        module = f"server.handlers.{path.stem}"
        for node in _parsed(path).body:
            if (
                isinstance(node, ast.AsyncFunctionDef)
                and not node.name.startswith("_")
                and (module, node.name) not in named
            ):
                where = f"{path.relative_to(root).as_posix()}:{node.lineno}"
                unanswered = [s for s in stubs if s.startswith(f"{path.stem}.")]
                hint = f" ({', '.join(unanswered)} has no handler: renamed?)" if unanswered else ""
                found.append(
                    f"{where}: handler {path.stem}.{node.name} is called by no operation{hint}"
                )
    return found


def _parsed(path: Path) -> ast.Module:
    return _parsed_version(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _parsed_version(path: Path, _version: int) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _function(root: Path, call: HandlerCall) -> ast.AST | None:
    path = root / Path(*call.module.split(".")).with_suffix(".py")
    if not path.is_file():
        return None
    return next(
        (
            node
            for node in _parsed(path).body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == call.name
        ),
        None,
    )
