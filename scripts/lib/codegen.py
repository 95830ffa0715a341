"""Regenerate generated/ from the OpenAPI document and templates/ (run it as scripts/generate).

    scripts/generate            validate the spec, then rewrite generated/
    scripts/generate --check    change nothing; exit 1 with a diff when generated/ is stale

Output is byte-identical on every run: no timestamps, one formatter (ruff), sorted inputs.
generated/sources.sha256 records what it was made from (server/spec/freshness.py). A problem with
the spec is one line: `spec/openapi.yaml:LINE:COLUMN: /json/pointer: what is wrong`.
"""

import argparse
import ast
import difflib
import functools
import json
import keyword
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # this checkout's server package, in a copy of it too

from server.spec import freshness, proof  # noqa: E402
from server.spec.checkout import shown as _shown  # noqa: E402
from server.spec.document import operations  # noqa: E402

# Starlette 1.10 deprecates the test client Connexion imports; that is not ours to fix.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

BIN = Path(sys.executable).parent
SPEC = ROOT / freshness.SPEC
TEMPLATES = ROOT / freshness.TEMPLATES
OUT = ROOT / freshness.GENERATED
MESSAGE_LIMIT = 240  # characters of a problem's own words; the location comes on top
SAFE_METHODS = ("get", "head", "options", "trace")  # run in a reading unit of work, unless:
WRITES_EXTENSION = "x-hubindex-writes"
PYTHON_TYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}


class SpecError(Exception):
    """The spec cannot be turned into code: a short message, and where if known."""

    def __init__(
        self,
        message: str,
        at: tuple[str | int, ...] | None = None,
        *,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.at = at  # the path to the node in the document, as in a JSON pointer
        self.line, self.column = line, column


@dataclass(frozen=True)
class Argument:
    name: str
    value: str


@dataclass(frozen=True)
class Operation:
    operation_id: str
    module: str
    name: str
    method: str
    path: str
    summary: str
    signature: str
    arguments: list[Argument]
    security: tuple[tuple[str, ...], ...]
    writes: bool
    responses: list[tuple[int, str]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/generate", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="diff instead of writing")
    args = parser.parse_args(argv)
    text = ""
    try:
        text = _read(SPEC)
        files = render(load_spec(text))
    except SpecError as error:
        print(f"scripts/generate: {located(error, text)}", file=sys.stderr)
        return 2
    # The tree must fit the handlers before it is written: a misfit would start, then 500.
    tree = {relative: text for relative, text in files.items() if relative.endswith(".py")}
    misfits = proof.problems(ROOT, tree)
    for misfit in misfits:
        print(f"scripts/generate: {misfit}", file=sys.stderr)
    if misfits:
        print("scripts/generate: nothing written; fix the handlers, or the spec", file=sys.stderr)
        return 2
    for note in proof.left_behind(ROOT, proof.handler_calls(tree)):
        print(f"scripts/generate: note: {note}", file=sys.stderr)
    if args.check:
        return check(files, OUT)
    write(files, OUT)
    print(f"scripts/generate: wrote {len(files)} files to {_shown(OUT)}")
    return 0


def load_spec(text: str) -> dict[str, Any]:
    """The spec, validated by openapi-spec-validator and by building a Connexion app from it."""
    try:
        spec = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        raise _yaml_error(error) from None
    except yaml.YAMLError as error:
        raise SpecError(f"invalid YAML: {error}") from None
    if not isinstance(spec, dict):
        raise SpecError("the document must be a mapping (an OpenAPI object)")
    # Before the validator: it reports a dangling $ref with the whole document, and a
    # duplicate operationId without saying where.
    _check_refs(spec)
    _check_operation_ids(spec)
    _validate(spec)
    _build_app(spec)
    return spec


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SpecError(f"cannot read it: {error}") from None


def _yaml_error(error: yaml.MarkedYAMLError) -> SpecError:
    message = f"invalid YAML: {error.problem or error.context}"
    if error.problem and error.context and error.context_mark is not None:
        message += f" ({error.context} on line {error.context_mark.line + 1})"
    mark = error.problem_mark or error.context_mark
    if mark is None:
        return SpecError(message)
    return SpecError(message, line=mark.line + 1, column=mark.column + 1)


def _validate(spec: dict[str, Any]) -> None:
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    try:
        validate(spec)
    except OpenAPIValidationError as error:
        # Its message goes on with the failing schema and the whole instance: keep the first
        # paragraph, and point at the first unexpected key rather than at the object holding it.
        message = str(error.message).split("\n\n")[0]
        at = tuple(error.path)
        unexpected = _UNEXPECTED.search(message)
        if unexpected is not None:
            at += (unexpected.group(1),)
        raise SpecError(message, at) from None
    except Exception as error:  # the validator raises several unrelated types
        raise SpecError(f"invalid OpenAPI document: {error}") from None


# jsonschema's words for additionalProperties: "... ('a', 'b' were unexpected)".
_UNEXPECTED = re.compile(r"\('([^']+)'[^)]* (?:was|were) unexpected\)")


# Where a `$ref` key is data, not a reference: literal values.
_LITERALS = ("example", "enum", "default")


def _check_refs(spec: dict[str, Any]) -> None:
    """Every local $ref points to something; only local ones are allowed."""
    for at, ref in _refs(spec, ()):
        if not ref.startswith("#/"):
            raise SpecError(f"only local $refs are supported, not {ref!r}", (*at, "$ref"))
        if not _exists(spec, ref):
            raise SpecError(f"$ref {ref!r} points to nothing", (*at, "$ref"))


def _refs(node: Any, at: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield at, node["$ref"]
        for key, value in node.items():
            literal = key in _LITERALS or (key == "value" and len(at) >= 2 and at[-2] == "examples")
            if not literal:
                yield from _refs(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _refs(value, (*at, index))


def _exists(spec: dict[str, Any], ref: str) -> bool:
    node: Any = spec
    for part in _pointer_parts(ref):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return True


def _pointer_parts(ref: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in ref[2:].split("/")]


def _check_operation_ids(spec: dict[str, Any]) -> None:
    """Each operation has a unique operationId `module.function` (it names the handler)."""
    seen: dict[str, str] = {}
    for path, method, operation, _item in operations(spec):
        where = f"{method.upper()} {path}"
        operation_id = operation.get("operationId")
        if operation_id is None:
            raise SpecError(f"{where} needs an operationId", ("paths", path, method))
        if not isinstance(operation_id, str):
            continue  # the validator words that
        at = ("paths", path, method, "operationId")
        if operation_id in seen:
            message = f"operationId {operation_id!r} again: {seen[operation_id]} has it too"
            raise SpecError(message, at)
        seen[operation_id] = where
        module, dot, name = operation_id.partition(".")
        if not dot or not all(_identifier(part) for part in (module, name)):
            raise SpecError(f"operationId {operation_id!r} must be `module.function`", at)


def located(error: SpecError, text: str) -> str:
    """``spec/openapi.yaml:LINE:COLUMN: /json/pointer: message``, on one short line."""
    message = " ".join(error.message.split())
    if len(message) > MESSAGE_LIMIT:
        # Both ends: the validator quotes the value first and says what is wrong with it last.
        half = (MESSAGE_LIMIT - 3) // 2
        message = f"{message[:half]} … {message[-half:]}"
    where = _shown(SPEC)
    line, column = error.line, error.column
    if error.at is not None:
        if line is None:
            line, column = _position(text, error.at)
        message = f"{_pointer(error.at)}: {message}"
    if line is not None:
        where += f":{line}:{column}"
    return f"{where}: {message}"


def _pointer(at: tuple[str | int, ...]) -> str:
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in at)


def _position(text: str, at: tuple[str | int, ...]) -> tuple[int | None, int | None]:
    """Line and column of the deepest node of ``at`` that the document has (its key)."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None, None
    if node is None:
        return None, None
    mark = node.start_mark
    for part in at:
        if isinstance(node, yaml.MappingNode):
            match = next((pair for pair in node.value if pair[0].value == str(part)), None)
            if match is None:
                break
            mark, node = match[0].start_mark, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            mark = node.start_mark
        else:
            break
    return mark.line + 1, mark.column + 1


def _build_app(spec: dict[str, Any]) -> None:
    """Connexion notices what the validator misses (it resolves every reference itself)."""
    import asyncio
    import logging

    logging.getLogger("connexion").setLevel(logging.ERROR)
    import connexion
    import httpx
    from connexion.middleware import ConnexionMiddleware
    from connexion.middleware.security import SecurityMiddleware
    from connexion.resolver import Resolver

    async def placeholder() -> None:
        return None

    app = connexion.AsyncApp(
        __name__,
        # Without the security middleware: it would import the checkers, which may import the
        # generated/ this run writes. security_schemes checks each is defined; the server
        # imports them when it starts.
        middlewares=[
            m for m in ConnexionMiddleware.default_middlewares if m is not SecurityMiddleware
        ],
    )

    async def first_request() -> None:
        app.add_api(spec, resolver=Resolver(function_resolver=lambda _: placeholder))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://spec") as client:
            await client.get("/")

    try:
        asyncio.run(first_request())
    except Exception as error:
        raise SpecError(f"Connexion cannot build an app from it: {error!r}") from None


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701 - renders Python source, not HTML
    )


def render_requests(
    spec: dict[str, Any], header: str = "", env: jinja2.Environment | None = None
) -> str:
    """The source of generated/requests.py for ``spec`` (unformatted; tests load it as is)."""
    template = (env or _environment()).get_template("requests.py.jinja")
    return template.render(header=header, **compile_requests(spec))


def render(spec: dict[str, Any]) -> dict[str, str]:
    """Every file of generated/, by path relative to it, the manifest of its sources last."""
    header = (
        f"# Generated by scripts/generate from {freshness.SPEC} and templates/. Do not edit:\n"
        "# change the spec or the templates, then run scripts/generate."
    )
    operations = list(_operations(spec))
    by_module: dict[str, list[Operation]] = {}
    for operation in operations:
        by_module.setdefault(operation.module, []).append(operation)
    modules = sorted(by_module)

    env = _environment()
    files = {
        "__init__.py": env.get_template("package_init.py.jinja").render(header=header),
        "operations/__init__.py": env.get_template("operations_init.py.jinja").render(
            header=header, modules=modules, operations_by_module=by_module
        ),
    }
    files["requests.py"] = render_requests(spec, header, env)
    module_template = env.get_template("operations.py.jinja")
    for module in modules:
        files[f"operations/{module}.py"] = module_template.render(
            header=header, module=module, operations=by_module[module]
        )
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        for relative, text in files.items():
            (out / relative).parent.mkdir(parents=True, exist_ok=True)
            (out / relative).write_text(text, encoding="utf-8")
        _models(SPEC, out / "models.py", header)
        _run(BIN / "ruff", "format", "--quiet", "--no-cache", "--line-length", "100", str(out))
        files = {
            path.relative_to(out).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(out.rglob("*.py"))
        }
    files[freshness.SPEC_JSON.removeprefix(f"{freshness.GENERATED}/")] = spec_json(spec)
    # What the files were made from, as read now, then what they are: `hubindex serve` checks.
    digests = freshness.file_digests(ROOT, freshness.inputs(ROOT))
    for relative, text in files.items():
        digests[f"{freshness.GENERATED}/{relative}"] = freshness.digest(text.encode("utf-8"))
    manifest = freshness.MANIFEST.removeprefix(f"{freshness.GENERATED}/")
    return {**files, manifest: freshness.manifest(digests)}


def spec_json(spec: dict[str, Any]) -> str:
    """The spec as the server loads it (server/app.py): JSON, in the document's order."""
    try:
        return json.dumps(spec, ensure_ascii=False, indent=1) + "\n"
    except (TypeError, ValueError) as error:
        # A YAML date or a non-string key that JSON cannot say the same way.
        raise SpecError(f"the spec cannot be written as JSON: {error}") from None


def _models(spec_path: Path, output: Path, header: str) -> None:
    """pydantic models by datamodel-code-generator, with its options from pyproject.toml."""
    _run(
        BIN / "datamodel-codegen",
        "--input", str(spec_path),
        "--output", str(output),
        "--custom-file-header", header + '\n"""Models of the schemas in components."""',
    )  # fmt: skip


def _run(*command: str | Path) -> None:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(  # noqa: S603 - our own tools from the virtualenv
        [str(part) for part in command],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip().splitlines() or ["no output"]
        raise SpecError(f"{Path(command[0]).name} failed: {output[-1]}")


def _operations(spec: dict[str, Any]) -> Iterator[Operation]:
    global_security = spec.get("security", [])
    for path, method, operation, item in operations(spec):
        try:
            yield _operation(
                spec, path, method, operation, shared=item, global_security=global_security
            )
        except SpecError as error:
            if error.at is None:
                error.at = ("paths", path, method)
            raise


def _operation(
    spec: dict[str, Any],
    path: str,
    method: str,
    operation: dict[str, Any],
    *,
    shared: dict[str, Any],
    global_security: list[Any],
) -> Operation:
    operation_id = operation["operationId"]  # present, unique and well formed: checked first
    module, _, name = operation_id.partition(".")
    parameters = [
        _deref(spec, p) for p in (*shared.get("parameters", []), *operation.get("parameters", []))
    ]
    signature, arguments = _arguments(spec, operation_id, parameters, operation)
    writes = operation.get(WRITES_EXTENSION, method not in SAFE_METHODS)
    if not isinstance(writes, bool):
        raise SpecError(
            f"{operation_id}: {WRITES_EXTENSION} must be true or false",
            ("paths", path, method, WRITES_EXTENSION),
        )
    own = "security" in operation
    security = operation["security"] if own else global_security
    place = ("paths", path, method, "security") if own else ("security",)
    requirements = security_requirements(spec, operation_id, security, place)
    return Operation(
        operation_id=operation_id,
        module=module,
        name=name,
        method=method,
        path=path,
        summary=operation.get("summary", "").rstrip("."),
        signature=signature,
        arguments=arguments,
        security=tuple(tuple(name for name, _ in option) for option in requirements),
        writes=writes,
        responses=_responses(spec, operation_id, operation["responses"]),
    )


# The scheme types the server reads (server/http/security.py), each with the extension that
# names its checker, as Connexion reads it; every other type is refused.
CHECKER_EXTENSIONS = {
    "basic": "x-basicInfoFunc",
    "bearer": "x-bearerInfoFunc",
    "apiKey": "x-apikeyInfoFunc",
}
API_KEY_LOCATIONS = ("header", "query", "cookie")
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")


def security_schemes(spec: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Every scheme of components/securitySchemes as generated/requests.py lists it: its type
    (basic, bearer or apiKey), where an API key is, and the dotted name of its checker. One the
    server cannot check is refused, by name and place, rather than a server that 401s or 500s."""
    declared = spec.get("components", {}).get("securitySchemes") or {}
    schemes = {}
    for name, node in declared.items():
        place: tuple[str | int, ...] = ("components", "securitySchemes", name)
        scheme = _deref(spec, node)
        kind = _scheme_kind(scheme)
        if kind is None:
            raise SpecError(
                f"security scheme {name!r} ({_described(scheme)}) is not supported: the server"
                " checks http basic, http bearer and apiKey (in a header, the query or a cookie)",
                place,
            )
        if "x-authentication-scheme" in scheme:
            raise SpecError(
                f"security scheme {name!r}: x-authentication-scheme is not supported (declare"
                " an http bearer scheme instead)",
                (*place, "x-authentication-scheme"),
            )
        extension = CHECKER_EXTENSIONS[kind]
        function = scheme.get(extension)
        if not isinstance(function, str) or not _DOTTED.fullmatch(function):
            raise SpecError(
                f"security scheme {name!r} needs {extension}: the dotted name of the function"
                " that checks it (package.module.function)",
                (*place, extension) if extension in scheme else place,
            )
        missing = _undefined(function)
        if missing:
            raise SpecError(
                f"security scheme {name!r} names {function}, which {missing} does not define",
                (*place, extension),
            )
        entry = {"type": kind, "function": function}
        if kind == "apiKey":
            entry |= {"in": scheme["in"], "name": scheme["name"]}
        schemes[name] = entry
    return schemes


@functools.cache
def _undefined(function: str) -> str | None:
    """The checkout's module file that should define ``function`` (``package.module.name``) at
    its top level and does not; None when it does, or when the module is not the checkout's
    (an installed package's, resolved when the server starts)."""
    module, _, name = function.rpartition(".")
    base = ROOT.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            break
    else:
        return None
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defined = {
        node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    return None if name in defined else path.relative_to(ROOT).as_posix()


def _scheme_kind(scheme: dict[str, Any]) -> str | None:
    kind = scheme.get("type")
    if kind == "http":
        http_scheme = str(scheme.get("scheme", "")).lower()  # case-insensitive (RFC 9110 11.1)
        return http_scheme if http_scheme in ("basic", "bearer") else None
    if kind == "apiKey" and scheme.get("in") in API_KEY_LOCATIONS:
        return "apiKey"
    return None


def _described(scheme: dict[str, Any]) -> str:
    kind = str(scheme.get("type"))
    if kind == "http":
        return f"http {scheme.get('scheme')}"
    if kind == "apiKey":
        return f"apiKey in {scheme.get('in')}"
    return kind


def security_requirements(
    spec: dict[str, Any],
    operation_id: str,
    security: list[Any],
    place: tuple[str | int, ...],
) -> list[list[list[Any]]]:
    """The alternatives of an operation's security, each a list of (scheme name, scopes) in the
    spec's order (an empty one: anonymous allowed); a scheme not declared, or scopes for a
    type that has none (OpenAPI 3.0.3: the list must be empty), refused at ``place``."""
    schemes = security_schemes(spec)
    alternatives = []
    for index, requirement in enumerate(security):
        alternative = []
        for name, scopes in (requirement or {}).items():
            if name not in schemes:
                raise SpecError(
                    f"{operation_id}: security scheme {name!r} is not declared in"
                    " components/securitySchemes",
                    (*place, index),
                )
            if scopes:
                raise SpecError(
                    f"{operation_id}: security scheme {name!r} takes no scopes (only oauth2 and"
                    " openIdConnect have them)",
                    (*place, index, name),
                )
            alternative.append([name, []])
        alternatives.append(alternative)
    return alternatives


# The glue's own arguments (and the handler's first), which no parameter may be named after.
RESERVED_NAMES = ("request", "state", "call", "body")
PARAMETER_LOCATIONS = ("path", "query", "header", "cookie")


def _arguments(
    spec: dict[str, Any],
    operation_id: str,
    parameters: list[dict[str, Any]],
    operation: dict[str, Any],
) -> tuple[str, list[Argument]]:
    """The glue's keyword parameters (what an engine passes after the request and the state)
    and the handler's keyword arguments."""
    required: list[str] = []
    optional: list[str] = []
    arguments: list[Argument] = []
    for parameter in parameters:
        if parameter["in"] not in PARAMETER_LOCATIONS:
            raise SpecError(f"{operation_id}: {parameter['in']} parameters are not supported")
        name = _python_name(parameter["name"])
        if name in RESERVED_NAMES or any(argument.name == name for argument in arguments):
            raise SpecError(
                f"{operation_id}: parameter {parameter['name']!r} would be the glue's argument"
                f" {name!r}, which is taken"
            )
        schema = _deref(spec, parameter.get("schema", {}))
        annotation = _python_type(spec, schema, operation_id)
        if schema.get("type") == "array" and "default" in schema:
            # A list default in the glue's signature would be one list shared by every call.
            raise SpecError(f"{operation_id}: array parameter {parameter['name']!r} has a default")
        if parameter.get("required"):
            required.append(f"{name}: {annotation}")
        elif "default" in schema:
            optional.append(f"{name}: {annotation} = {schema['default']!r}")
        else:
            optional.append(f"{name}: {annotation} | None = None")
        arguments.append(Argument(name, name))
    body = operation.get("requestBody")
    if body is not None:
        media_types = [media_type.lower() for media_type in _deref(spec, body).get("content", {})]
        if media_types != ["application/json"]:
            # The server reads JSON bodies only: refused here, not by a crash at start-up.
            accepted = ", ".join(media_types) or "none"
            raise SpecError(
                f"{operation_id}: a request body must be application/json alone, not {accepted}"
            )
        schema = _deref(spec, body).get("content", {}).get("application/json", {}).get("schema")
        if schema is None or "$ref" not in schema:
            raise SpecError(f"{operation_id}: the JSON request body must $ref a named schema")
        # The engine hands the body over as its model, built from the validated JSON.
        optional.append(f"body: models.{_schema_name(schema)} | None = None")
        arguments.append(Argument("body", "body"))
    return ", ".join(required + optional), arguments


def _responses(
    spec: dict[str, Any], operation_id: str, responses: dict[str, Any]
) -> list[tuple[int, str]]:
    documented = []
    for status, response in responses.items():
        if not str(status).isdigit():
            raise SpecError(f"{operation_id}: response {status!r}: list status codes explicitly")
        content = _deref(spec, response).get("content")
        if not content:
            documented.append((int(status), "None"))
            continue
        if set(content) != {"application/json"}:
            raise SpecError(f"{operation_id} {status}: the one media type is application/json")
        schema = content["application/json"].get("schema", {})
        if "$ref" not in schema:
            raise SpecError(f"{operation_id} {status}: the body must $ref a named schema")
        documented.append((int(status), f"models.{_schema_name(schema)}"))
    return sorted(documented)


def _python_type(spec: dict[str, Any], schema: dict[str, Any], operation_id: str) -> str:
    schema = _deref(spec, schema)
    if schema.get("type") == "array":
        items = _deref(spec, schema.get("items", {}))
        if items.get("type") in PYTHON_TYPES:
            return f"list[{PYTHON_TYPES[items['type']]}]"
    elif schema.get("type") in PYTHON_TYPES:
        return PYTHON_TYPES[schema["type"]]
    message = f"{operation_id}: parameters must be strings, numbers, booleans or arrays of them"
    raise SpecError(message)


def _deref(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        pointer = node["$ref"]
        if not pointer.startswith("#/"):
            raise SpecError(f"only local $refs are supported, not {pointer}")
        node = spec
        for part in pointer[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _schema_name(schema: dict[str, Any]) -> str:
    prefix = "#/components/schemas/"
    if not schema["$ref"].startswith(prefix):
        raise SpecError(f"{schema['$ref']}: bodies must reference components/schemas")
    return schema["$ref"].removeprefix(prefix)


def _python_name(name: str) -> str:
    """Connexion's rule with ``pythonic_params``: camelCase to snake_case, ``-`` to ``_``, a
    keyword or builtin gets a trailing ``_``; the dispatcher passes arguments by the same."""
    from connexion.decorators.parameter import pythonic

    return pythonic(name)


def _identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name) and name != "models"


def check(files: dict[str, str], out: Path) -> int:
    """Exit status 1, with a diff, when out differs from what would be written."""
    existing = {
        path.relative_to(out).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(out.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }
    stale = False
    for relative in sorted(set(files) | set(existing)):
        before, after = existing.get(relative), files.get(relative)
        if before == after:
            continue
        stale = True
        name = f"{_shown(out)}/{relative}"
        sys.stdout.writelines(
            difflib.unified_diff(
                (before or "").splitlines(keepends=True),
                (after or "").splitlines(keepends=True),
                fromfile=name if before is not None else "/dev/null",
                tofile=name if after is not None else "/dev/null",
            )
        )
    if stale:
        print(f"\nscripts/generate --check: {_shown(out)} is stale; run scripts/generate")
        return 1
    print(f"scripts/generate --check: {_shown(out)} is up to date")
    return 0


def write(files: dict[str, str], out: Path) -> None:
    for path in sorted(out.rglob("*"), reverse=True):
        relative = path.relative_to(out).as_posix()
        if path.is_file() and relative not in files and "__pycache__" not in path.parts:
            path.unlink()
        elif path.is_dir() and path.name == "__pycache__":
            shutil.rmtree(path)
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    for relative, text in files.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")


# --- The request path, compiled: what server/engine/fast.py executes (generated/requests.py) ---

DRAFT_4 = "http://json-schema.org/draft-04/schema#"
# Each parameter's text is converted by one of server/engine/fast.py's converters, named here.
CONVERTERS = {"integer": "integer", "number": "number", "boolean": "boolean", "string": None}
# The order Connexion checks parameters in, which decides which error a request gets first.
CHECK_ORDER = ("query", "path", "header", "cookie")
# What separates the items of an array written as one value, by the parameter's style.
DELIMITERS = {"form": ",", "simple": ",", "spaceDelimited": " ", "pipeDelimited": "|"}
STYLES = {
    "path": ("simple",),
    "query": tuple(DELIMITERS),
    "header": ("simple",),
    "cookie": ("form",),
}
# What a schema says for people, not for validation: left out of the compiled data.
_PROSE = ("description", "example", "examples", "title", "externalDocs")


class _Schemas:
    """The distinct schemas of the request path, each compiled once, by id."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}  # canonical JSON -> id
        self.data: dict[str, Any] = {}  # id -> the schema, references resolved (jsonschema's)
        self.code: list[str] = []
        self.regexes: dict[str, Any] = {}
        self.compiled: set[str] = set()

    def add(self, schema: dict[str, Any], *, compiled: bool, name: str | None = None) -> str:
        import json

        clean = _without_prose(schema)
        key = json.dumps(clean, sort_keys=True)
        found = self.ids.get(key)
        if found is None:
            found = name or f"s{len(self.data)}"
            if found in self.data:
                found = f"{found}_{len(self.data)}"
            self.ids[key] = found
            self.data[found] = clean
        if compiled and found not in self.compiled:
            self.compiled.add(found)
            self.code.append(self._compile(found, clean))
        return found

    def _compile(self, schema_id: str, schema: dict[str, Any]) -> str:
        from fastjsonschema import JsonSchemaDefinitionException
        from fastjsonschema.draft04 import CodeGeneratorDraft04
        from fastjsonschema.ref_resolver import RefResolver

        definition = {**_nullable_as_null(schema), "$schema": DRAFT_4}
        try:
            generator = CodeGeneratorDraft04(
                definition,
                resolver=RefResolver.from_schema(definition, store={}),
                # Formats the server defines itself (server/http/validation.py FORMATS), passed when
                # a validator is called; the others known to fastjsonschema are its own.
                formats={"email": _placeholder_format},
                use_default=False,
                detailed_exceptions=False,
            )
            code = generator.func_code
        except (JsonSchemaDefinitionException, re.error, ValueError, TypeError) as error:
            raise SpecError(f"the schema cannot be compiled: {error}") from None
        self.regexes.update(generator._compile_regexps)  # what func_code uses
        code = code.replace("NoneType = type(None)\n", "")
        return re.sub(r"\bdef validate\(", f"def validate_{schema_id}(", code, count=1)

    def regex_code(self) -> str:
        from fastjsonschema.generator import serialize_regexes

        return serialize_regexes(dict(sorted(self.regexes.items())))


def _placeholder_format(_value: Any) -> bool:
    return True


def _without_prose(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_prose(v) for k, v in node.items() if k not in _PROSE}
    if isinstance(node, list):
        return [_without_prose(v) for v in node]
    return node


def _nullable_as_null(node: Any) -> Any:
    """OpenAPI's ``nullable`` in JSON Schema's words, as Connexion reads it: null is one more
    type, and one more value of an enum (every other keyword ignores null)."""
    if isinstance(node, list):
        return [_nullable_as_null(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable_as_null(v) for k, v in node.items() if k not in ("nullable", "x-nullable")}
    if node.get("nullable") is True or node.get("x-nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


def compile_requests(spec: dict[str, Any]) -> dict[str, Any]:
    """What generated/requests.py holds: every operation's routes, parameters, body and
    responses as data, and a validator compiled by fastjsonschema for each schema a request
    value is checked against (and each named schema, for rules a handler applies itself)."""
    from connexion.json_schema import resolve_refs

    resolved = resolve_refs(spec)
    schemas = _Schemas()
    components = {}
    for name, schema in sorted(resolved.get("components", {}).get("schemas", {}).items()):
        try:
            components[name] = schemas.add(schema, compiled=True, name=name)
        except SpecError as error:
            error.at = ("components", "schemas", name)
            raise
    table = []
    # In document order, both: the model's name is the unresolved body's $ref.
    for (path, method, operation, item), (*_, written, _item) in zip(
        operations(resolved), operations(spec), strict=True
    ):
        operation_id = operation["operationId"]
        try:
            table.append(
                {
                    "operation_id": operation_id,
                    "method": method.upper(),
                    "template": path,
                    "parameters": _compiled_parameters(
                        schemas,
                        operation_id,
                        item.get("parameters", []),
                        operation.get("parameters", []),
                    ),
                    "body": _compiled_body(spec, schemas, operation_id, operation, written),
                    # Checked before the body is read: a request without the credentials
                    # the operation needs, or with wrong ones, is refused without waiting for
                    # its body.
                    "security": security_requirements(
                        spec,
                        operation_id,
                        operation.get("security", resolved.get("security", [])),
                        ("paths", path, method, "security"),
                    ),
                    "responses": {
                        int(status): _response_schema(schemas, response)
                        for status, response in operation["responses"].items()
                    },
                }
            )
        except SpecError as error:
            if error.at is None:
                error.at = ("paths", path, method)
            raise
    return {
        "operations": table,
        "security_schemes": security_schemes(spec),
        "schemas": schemas.data,
        "components": components,
        "validators": schemas.code,
        "regexes": schemas.regex_code(),
    }


def _compiled_parameters(
    schemas: _Schemas,
    operation_id: str,
    shared: list[dict[str, Any]],
    own: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    by_key = {(p["name"], p["in"]): p for p in shared} | {(p["name"], p["in"]): p for p in own}
    compiled = []
    for (name, location), definition in by_key.items():
        if "schema" not in definition:
            raise SpecError(f"{operation_id}: parameter {name!r} needs a schema (not content)")
        schema = definition["schema"]
        kind = schema.get("type")
        array = None
        if kind == "array":
            style = definition.get("style", "form" if location in ("query", "cookie") else "simple")
            if style not in STYLES[location]:
                raise SpecError(
                    f"{operation_id}: {location} parameter {name!r}: style {style!r} is not"
                    f" supported (only {', '.join(STYLES[location])})"
                )
            explode = definition.get("explode", style == "form")
            array = "explode" if explode and location == "query" else DELIMITERS[style]
            kind = schema.get("items", {}).get("type")
        elif definition.get("style") not in (None, *STYLES[location]):
            raise SpecError(
                f"{operation_id}: {location} parameter {name!r}: style"
                f" {definition['style']!r} is not supported"
            )
        if kind not in CONVERTERS:
            raise SpecError(
                f"{operation_id}: parameters must be strings, numbers, booleans or arrays of them"
            )
        compiled.append(
            {
                "name": name,
                "location": location,
                "required": bool(definition.get("required")),
                "argument": _python_name(name),
                "convert": CONVERTERS[kind],
                "array": array,
                "nullable": bool(schema.get("nullable")),
                "schema": schemas.add(schema, compiled=True),
            }
        )
    return sorted(compiled, key=lambda p: CHECK_ORDER.index(p["location"]))


def _compiled_body(
    spec: dict[str, Any],
    schemas: _Schemas,
    operation_id: str,
    operation: dict[str, Any],
    written: dict[str, Any],
) -> dict[str, Any] | None:
    body = operation.get("requestBody")
    if body is None:
        return None
    content = body["content"]
    media_types = [media_type.lower() for media_type in content]
    if media_types != ["application/json"]:
        accepted = ", ".join(media_types) or "none"
        raise SpecError(
            f"{operation_id}: a request body must be application/json alone, not {accepted}"
        )
    # The model's name, from the unresolved spec: the body $refs a named schema (see _arguments).
    path, method = next(
        (p, m) for p, m, o, _ in operations(spec) if o["operationId"] == operation_id
    )
    raw = _deref(spec, spec["paths"][path][method]["requestBody"])["content"]
    model = _schema_name(next(iter(raw.values()))["schema"])
    return {
        "required": bool(body.get("required")),
        "media_types": media_types,
        "schema": schemas.add(next(iter(content.values()))["schema"], compiled=True),
        "model": model,
    }


def _response_schema(schemas: _Schemas, response: dict[str, Any]) -> str | None:
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    # Checked only with HUBINDEX_VALIDATE_RESPONSES, by jsonschema: data, not compiled code.
    return None if schema is None else schemas.add(schema, compiled=False)


if __name__ == "__main__":
    sys.exit(main())
