"""Regenerate generated/ from the OpenAPI document and templates/ (run it as scripts/generate).

    scripts/generate            validate the spec, then rewrite generated/
    scripts/generate --check    change nothing; exit 1 with a diff when generated/ is stale

Output is byte-identical on every run: no timestamps, one formatter (ruff), sorted inputs.
generated/sources.sha256 records what it was made from (server/spec/freshness.py). A problem with
the spec is one line: `spec/openapi.yaml:LINE:COLUMN: /json/pointer: what is wrong`.
"""

import argparse
import difflib
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

from server.http import formats  # noqa: E402
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
    responses: list[tuple[str, str]]  # status key (as Python source) and model
    media: list[tuple[str, tuple[str, ...]]]  # status key and its non-JSON media types


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
        # hubindex checks credentials in its generated glue, not in Connexion's middleware.
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
    # Its neighbour in scripts/lib, found also when this module is loaded by path (tests).
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from client_gen import ClientError, render_client

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
            header=header,
            module=module,
            operations=by_module[module],
            imports=_imports(by_module[module]),
        )
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        for relative, text in files.items():
            (out / relative).parent.mkdir(parents=True, exist_ok=True)
            (out / relative).write_text(text, encoding="utf-8")
        _models(SPEC, out / "models.py", header, _file_overrides(spec))
        try:
            render_client(spec, out / "client")
        except ClientError as error:
            raise SpecError(str(error)) from None
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


def _imports(operations: list[Operation]) -> list[str]:
    """The modules the glue's annotations name besides its own (a typed format's)."""
    signatures = " ".join(operation.signature for operation in operations)
    modules = ("datetime", "pydantic", "uuid")
    return [f"import {name}" for name in modules if f"{name}." in signatures]


def spec_json(spec: dict[str, Any]) -> str:
    """The spec as the server loads it (server/app.py): JSON, in the document's order."""
    try:
        return json.dumps(spec, ensure_ascii=False, indent=1) + "\n"
    except (TypeError, ValueError) as error:
        # A YAML date or a non-string key that JSON cannot say the same way.
        raise SpecError(f"the spec cannot be written as JSON: {error}") from None


def _models(spec_path: Path, output: Path, header: str, overrides: dict[str, str]) -> None:
    """pydantic models by datamodel-code-generator, with its options from pyproject.toml."""
    _run(
        BIN / "datamodel-codegen",
        "--input", str(spec_path),
        "--output", str(output),
        "--custom-file-header", header + '\n"""Models of the schemas in components."""',
        *(("--type-overrides", json.dumps(overrides, sort_keys=True)) if overrides else ()),
    )  # fmt: skip


# The type of a multipart body's file property in its model: the uploaded file itself, or a
# list of them for an array of files.
FILE_TYPE = "server.http.forms.FilePart"
FILES_TYPE = "server.http.forms.FileParts"


def _file_overrides(spec: dict[str, Any]) -> dict[str, str]:
    """``Model.property`` -> FILE_TYPE for every file of every multipart body: a file is handed
    over as the uploaded file (spooled to disk past 1 MiB), not as its bytes."""
    overrides = {}
    for path, method, operation, _item in operations(spec):
        body = operation.get("requestBody")
        if body is None:
            continue
        shape = body_shape(spec, operation["operationId"], body, ("paths", path, method))
        properties = _deref(spec, shape.schema).get("properties", {})
        for name in shape.files:
            array = _deref(spec, properties[name]).get("type") == "array"
            overrides[f"{shape.model}.{name}"] = FILES_TYPE if array else FILE_TYPE
    return overrides


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
    signature, arguments = _arguments(
        spec, operation_id, parameters, operation, ("paths", path, method)
    )
    writes = operation.get(WRITES_EXTENSION, method not in SAFE_METHODS)
    if not isinstance(writes, bool):
        raise SpecError(
            f"{operation_id}: {WRITES_EXTENSION} must be true or false",
            ("paths", path, method, WRITES_EXTENSION),
        )
    security = operation.get("security", global_security)
    _check_security(spec, operation_id, security)
    documented = _responses(spec, operation_id, operation["responses"], ("paths", path, method))
    return Operation(
        operation_id=operation_id,
        module=module,
        name=name,
        method=method,
        path=path,
        summary=operation.get("summary", "").rstrip("."),
        signature=signature,
        arguments=arguments,
        security=tuple(tuple(sorted(option)) for option in security),
        writes=writes,
        responses=[(key, model) for key, model, _ in documented],
        media=[(key, media) for key, _, media in documented if media],
    )


# The security schemes server/http/credentials.py reads from the Authorization header, by name.
SUPPORTED_SCHEMES = {
    "basicAuth": {"type": "http", "scheme": "basic"},
    "dockerToken": {"type": "apiKey", "in": "header", "name": "Authorization"},
}


def _check_security(spec: dict[str, Any], operation_id: str, security: list[Any]) -> None:
    """Refuse a scheme the server cannot check, rather than a server that 401s or 500s."""
    schemes = spec.get("components", {}).get("securitySchemes", {})
    for option in security:
        for name in option:
            scheme = _deref(spec, schemes.get(name, {}))
            wanted = SUPPORTED_SCHEMES.get(name)
            if wanted is None or any(scheme.get(key) != value for key, value in wanted.items()):
                supported = ", ".join(SUPPORTED_SCHEMES)
                raise SpecError(
                    f"{operation_id}: security scheme {name!r} is not supported: the server "
                    f"checks {supported} only, as defined in the spec today"
                )


# The glue's own arguments (and the handler's first), which no parameter may be named after.
RESERVED_NAMES = ("request", "state", "call", "body")
PARAMETER_LOCATIONS = ("path", "query", "header", "cookie")


def _arguments(
    spec: dict[str, Any],
    operation_id: str,
    parameters: list[dict[str, Any]],
    operation: dict[str, Any],
    at: tuple[str | int, ...],
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
        annotation = _shape(spec, operation_id, parameter).annotation
        schema = _deref(spec, parameter["schema"])
        if parameter.get("required"):
            required.append(f"{name}: {annotation}")
        elif "default" in schema:
            optional.append(f"{name}: {annotation} = {schema['default']!r}")
        else:
            optional.append(f"{name}: {annotation} | None = None")
        arguments.append(Argument(name, name))
    body = operation.get("requestBody")
    if body is not None:
        shape = body_shape(spec, operation_id, body, at)
        taken = {*RESERVED_NAMES, *(argument.name for argument in arguments)}
        for name in shape.files:
            # Connexion passes a file as the keyword argument of its property's own name.
            if not _identifier(name) or name in taken:
                raise SpecError(
                    f"{operation_id}: file property {name!r} must be a Python name that no"
                    " parameter has: Connexion passes a file by its property's name",
                    (*at, "requestBody"),
                )
        # The engine hands the body over as its model, built from the checked values (a form's
        # files in it), or a text body as its text.
        kind = "str" if shape.model is None else f"models.{shape.model}"
        optional.append(f"body: {kind} | None = None")
        arguments.append(Argument("body", "body"))
    return ", ".join(required + optional), arguments


JSON_MEDIA = "application/json"
FORM_MEDIA = "application/x-www-form-urlencoded"
MULTIPART_MEDIA = "multipart/form-data"
_STATUS = re.compile(r"[1-5][0-9][0-9]|[1-5]XX|default")


def status_key(status: Any) -> int | str:
    """A response's key as the server looks it up: an explicit status as its number, a range
    (``2XX``) or ``default`` as written."""
    text = str(status)
    return int(text) if text.isdigit() else text


def _responses(
    spec: dict[str, Any], operation_id: str, responses: dict[str, Any], at: tuple[str | int, ...]
) -> list[tuple[str, str, tuple[str, ...]]]:
    """Each documented response: its key (Python source), its JSON model (``None``: no JSON
    body) and its other media types, explicit statuses first, then ranges, then default."""
    documented: list[tuple[int | str, str, tuple[str, ...]]] = []
    for status, response in responses.items():
        here = (*at, "responses", str(status))
        if not _STATUS.fullmatch(str(status)):
            raise SpecError(
                f"{operation_id}: response {status!r}: a status is a code (200), a range (2XX)"
                " or default",
                here,
            )
        content = _deref(spec, response).get("content") or {}
        media = tuple(media_type.lower() for media_type in content)
        for media_type in media:
            if "*" in media_type or ";" in media_type:
                raise SpecError(
                    f"{operation_id} {status}: {media_type}: name the one media type the server"
                    " sends",
                    (*here, "content", media_type),
                )
        key = status_key(status)
        if JSON_MEDIA not in media:
            documented.append((key, "None", media))
            continue
        if media != (JSON_MEDIA,):
            raise SpecError(
                f"{operation_id} {status}: a response is application/json alone, or other media"
                f" types without it, not {', '.join(media)}",
                (*here, "content"),
            )
        schema = content[next(iter(content))].get("schema", {})
        if "$ref" not in schema:
            raise SpecError(
                f"{operation_id} {status}: the body must $ref a named schema",
                (*here, "content", JSON_MEDIA, "schema"),
            )
        documented.append((key, f"models.{_schema_name(schema)}", ()))
    ordered = sorted(documented, key=lambda row: _status_order(row[0]))
    return [(repr(key), model, media) for key, model, media in ordered]


def _status_order(key: int | str) -> tuple[int, str]:
    if isinstance(key, int):
        return (0, f"{key:03d}")
    return (1, key) if key != "default" else (2, key)


@dataclass(frozen=True)
class BodyShape:
    """What an operation's request body may be, as the server reads it."""

    kinds: dict[str, str]  # media type -> json, form, multipart or text
    model: str | None  # the named schema all of them $ref; None for text
    schema: dict[str, Any]  # as written (unresolved)
    files: tuple[str, ...]  # the properties a multipart body sends as files


def _media_kind(media_type: str) -> str | None:
    if media_type == JSON_MEDIA:
        return "json"
    if media_type == FORM_MEDIA:
        return "form"
    if media_type == MULTIPART_MEDIA:
        return "multipart"
    if media_type.startswith("text/") and "*" not in media_type and ";" not in media_type:
        return "text"
    return None


def body_shape(
    spec: dict[str, Any], operation_id: str, body: dict[str, Any], at: tuple[str | int, ...]
) -> BodyShape:
    """The request body of an operation, or a SpecError naming the place the server cannot
    read (as Connexion reads it, so that both engines agree)."""
    content = _deref(spec, body).get("content") or {}
    here = (*at, "requestBody", "content")
    kinds: dict[str, str] = {}
    schemas = []
    for media_type, media in content.items():
        place = (*here, media_type)
        kind = _media_kind(media_type.lower())
        if kind is None:
            raise SpecError(
                f"{operation_id}: a request body of {media_type} is not read: declare"
                f" {JSON_MEDIA}, {FORM_MEDIA}, {MULTIPART_MEDIA} or a text/ type",
                place,
            )
        if "encoding" in (media or {}):
            raise SpecError(
                f"{operation_id}: {media_type}: an encoding is not read; each field is read"
                " by its schema",
                (*place, "encoding"),
            )
        schema = (media or {}).get("schema")
        if schema is None:
            raise SpecError(f"{operation_id}: {media_type}: the body needs a schema", place)
        if kind == "text":
            if "$ref" in schema or schema.get("type") != "string":
                raise SpecError(
                    f"{operation_id}: {media_type}: a text body's schema is an inline string",
                    (*place, "schema"),
                )
        elif "$ref" not in schema:
            raise SpecError(
                f"{operation_id}: {media_type}: the body must $ref a named schema",
                (*place, "schema"),
            )
        kinds[media_type.lower()] = kind
        schemas.append(schema)
    if not kinds:
        raise SpecError(f"{operation_id}: a request body needs a media type", here)
    if any(schema != schemas[0] for schema in schemas):
        raise SpecError(
            f"{operation_id}: every media type of the request body must declare the same"
            " schema: the handler is handed one kind of body",
            here,
        )
    schema = schemas[0]
    files: tuple[str, ...] = ()
    if {"form", "multipart"} & set(kinds.values()):
        files = _form_files(spec, operation_id, kinds, schema, here)
    model = None if "$ref" not in schema else _schema_name(schema)
    return BodyShape(kinds, model, schema, files)


FORM_TYPES = ("string", "integer", "number", "boolean")


def _form_files(
    spec: dict[str, Any],
    operation_id: str,
    kinds: dict[str, str],
    schema: dict[str, Any],
    here: tuple[str | int, ...],
) -> tuple[str, ...]:
    """The file properties of a form's schema; the schema must be an object whose properties
    are what a form field can say: a string, number, boolean, an array of them, or (multipart
    only) a file, a string of format binary, or an array of files."""
    form = next(media for media, kind in kinds.items() if kind in ("form", "multipart"))
    resolved = _deref(spec, schema)
    where = (*here, form, "schema")
    if resolved.get("type") != "object" or not isinstance(resolved.get("properties"), dict):
        raise SpecError(
            f"{operation_id}: {form}: a form's schema must be an object with properties", where
        )
    files = []
    for name, written in resolved["properties"].items():
        prop = _deref(spec, written)
        items = _deref(spec, prop.get("items", {})) if prop.get("type") == "array" else None
        single = prop.get("type") == "string" and prop.get("format") == "binary"
        if single or (items is not None and items.get("format") == "binary"):
            if set(kinds.values()) != {"multipart"}:
                raise SpecError(
                    f"{operation_id}: property {name!r} is a file, which only"
                    f" {MULTIPART_MEDIA} sends: declare it alone",
                    here,
                )
            files.append(name)
        elif prop.get("type") not in FORM_TYPES and (
            items is None or items.get("type") not in FORM_TYPES
        ):
            raise SpecError(
                f"{operation_id}: {form}: property {name!r} must be a string, number, boolean"
                " or an array of them (or files)",
                where,
            )
    return tuple(files)


@dataclass(frozen=True)
class Shape:
    """How a parameter's text becomes its value: the glue's annotation, the converter of the
    text (of each item), the array style, the format that types it, or how an object is read
    and the model it is built as."""

    annotation: str
    convert: str | None = None
    array: str | None = None
    format: str | None = None
    object: dict[str, Any] | None = None
    model: str | None = None


def _shape(spec: dict[str, Any], operation_id: str, parameter: dict[str, Any]) -> Shape:
    name, location = parameter["name"], parameter["in"]
    where = f"{operation_id}: {location} parameter {name!r}"
    if "schema" not in parameter:
        raise SpecError(f"{operation_id}: parameter {name!r} needs a schema (not content)")
    written = parameter["schema"]
    schema = _deref(spec, written)
    kind = schema.get("type")
    style = parameter.get("style")
    if kind == "object":
        return _object_shape(spec, where, parameter, written, schema)
    if style == "deepObject":
        raise SpecError(f"{where}: style 'deepObject' is for objects")
    if kind == "array":
        style = style or ("form" if location in ("query", "cookie") else "simple")
        if style not in STYLES[location]:
            raise SpecError(
                f"{where}: style {style!r} is not supported (only {', '.join(STYLES[location])})"
            )
        explode = parameter.get("explode", style == "form")
        array = "explode" if explode and location == "query" else DELIMITERS[style]
        if "default" in schema:
            # A list default in the glue's signature would be one list shared by every call.
            raise SpecError(f"{operation_id}: array parameter {name!r} has a default")
        item = _deref(spec, schema.get("items", {}))
        scalar = _scalar(where, item)
        return Shape(f"list[{scalar.annotation}]", scalar.convert, array, scalar.format)
    if style not in (None, *STYLES[location]):
        raise SpecError(f"{where}: style {style!r} is not supported")
    return _scalar(where, schema)


def _scalar(where: str, schema: dict[str, Any]) -> Shape:
    kind = schema.get("type")
    if kind not in PYTHON_TYPES:
        raise SpecError(
            f"{where}: a parameter must be a string, number, boolean, an array of them, or an"
            " object (deepObject, or form exploded) of them"
        )
    found = schema.get("format") if kind == "string" else None
    if found not in FORMAT_TYPES:
        return Shape(PYTHON_TYPES[kind], CONVERTERS[kind])
    if "default" in schema and FORMAT_TYPES[found] != "str":
        # The glue's default would be the text, where a handler is given the typed value.
        raise SpecError(f"{where}: a parameter of format {found!r} may not have a default")
    return Shape(FORMAT_TYPES[found], None, None, found)


def _object_shape(
    spec: dict[str, Any],
    where: str,
    parameter: dict[str, Any],
    written: dict[str, Any],
    schema: dict[str, Any],
) -> Shape:
    """An object in the query, read as OpenAPI's deepObject (``filter[size]=3``) or form style
    exploded (``size=3``), each property a string, number or boolean, built as its model."""
    style = parameter.get("style", "form")
    # OpenAPI 3.0.3 writes deepObject only exploded, whatever `explode` says (as Connexion reads).
    explode = parameter.get("explode", True) or style == "deepObject"
    if parameter["in"] != "query" or style not in OBJECT_STYLES or not explode:
        raise SpecError(
            f"{where}: an object parameter must be in the query, style deepObject or form, exploded"
        )
    if "$ref" not in written:
        raise SpecError(f"{where}: an object parameter must $ref a named schema (its model)")
    if "default" in schema or schema.get("nullable"):
        raise SpecError(f"{where}: an object parameter may have no default and not be nullable")
    properties = {}
    for name, written_property in schema.get("properties", {}).items():
        property_schema = _deref(spec, written_property)
        kind = property_schema.get("type")
        if kind not in PYTHON_TYPES or property_schema.get("nullable"):
            raise SpecError(
                f"{where}: property {name!r} must be a string, number, integer or boolean,"
                " not nullable"
            )
        properties[name] = CONVERTERS[kind]
    if not properties:
        raise SpecError(f"{where}: an object parameter needs properties")
    model = _schema_name(written)
    return Shape(f"models.{model}", object={"style": style, "properties": properties}, model=model)


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
# The styles an object parameter may have (exploded, both), and its value by style.
OBJECT_STYLES = ("deepObject", "form")
# The annotation in the glue of a string of each format the server types (server/http/formats.py):
# what the models' fields of that format hold.
FORMAT_TYPES = {
    "date": "datetime.date",
    "date-time": "datetime.datetime",
    "uuid": "uuid.UUID",
    "email": "str",
    "uri": "pydantic.AnyUrl",
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

        clean = _with_integer_ranges(_without_prose(schema))
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
                # Formats the server defines itself (server/http/formats.py FORMATS), passed when
                # a validator is called; the others known to fastjsonschema are its own.
                formats=dict.fromkeys(formats.FORMATS, _placeholder_format),
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


def _with_integer_ranges(node: Any) -> Any:
    """``format: int32`` and ``int64`` as the bounds they are (narrower bounds kept), so that the
    compiled validators and jsonschema's words both refuse 2**31 for an int32."""
    if isinstance(node, list):
        return [_with_integer_ranges(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _with_integer_ranges(v) for k, v in node.items()}
    kind = node.get("type")
    integer = kind == "integer" or (isinstance(kind, list) and "integer" in kind)
    if integer and node.get("format") in formats.INTEGER_RANGES:
        low, high = formats.INTEGER_RANGES[node["format"]]
        if not isinstance(node.get("minimum"), (int, float)) or node["minimum"] < low:
            out["minimum"] = low
            out.pop("exclusiveMinimum", None)
        if not isinstance(node.get("maximum"), (int, float)) or node["maximum"] > high:
            out["maximum"] = high
            out.pop("exclusiveMaximum", None)
    return out


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
    for (path, method, operation, item), (*_, written, written_item) in zip(
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
                        spec,
                        schemas,
                        operation_id,
                        [*item.get("parameters", []), *operation.get("parameters", [])],
                        [*written_item.get("parameters", []), *written.get("parameters", [])],
                    ),
                    "body": _compiled_body(
                        spec, schemas, operation_id, operation, written, at=("paths", path, method)
                    ),
                    # Checked before the body is read: a request without the credentials
                    # the operation needs is refused without waiting for its body.
                    "security": [
                        sorted(option)
                        for option in operation.get("security", resolved.get("security", []))
                    ],
                    "responses": {
                        status_key(status): _response_schema(schemas, response)
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
        "schemas": schemas.data,
        "components": components,
        "validators": schemas.code,
        "regexes": schemas.regex_code(),
    }


def _compiled_parameters(
    spec: dict[str, Any],
    schemas: _Schemas,
    operation_id: str,
    resolved: list[dict[str, Any]],
    written: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Each parameter's row; a later definition of one name and location (the operation's)
    replaces an earlier one (the path item's)."""
    by_key = {}
    for definition, unresolved in zip(resolved, written, strict=True):
        by_key[definition["name"], definition["in"]] = (definition, _deref(spec, unresolved))
    compiled = []
    for (name, location), (definition, unresolved) in by_key.items():
        shape = _shape(spec, operation_id, unresolved)
        schema = definition["schema"]
        compiled.append(
            {
                "name": name,
                "location": location,
                "required": bool(definition.get("required")),
                "argument": _python_name(name),
                "convert": shape.convert,
                "array": shape.array,
                "nullable": bool(schema.get("nullable")),
                "schema": schemas.add(schema, compiled=True),
                "format": shape.format,
                "object": shape.object,
                "model": shape.model,
            }
        )
    _check_exploded_names(operation_id, compiled)
    return sorted(compiled, key=lambda p: CHECK_ORDER.index(p["location"]))


def _check_exploded_names(operation_id: str, compiled: list[dict[str, Any]]) -> None:
    """A form-exploded object's properties are query parameters of their own: none may be
    named like another query parameter of the operation, or a property of another such object."""
    seen = {p["name"]: f"parameter {p['name']!r}" for p in compiled if p["location"] == "query"}
    for parameter in compiled:
        shape = parameter["object"]
        if shape is None or shape["style"] != "form":
            continue
        for name in shape["properties"]:
            if name in seen:
                raise SpecError(
                    f"{operation_id}: query parameter {parameter['name']!r} (form, exploded)"
                    f" writes its property {name!r} as a query parameter, as {seen[name]} is"
                )
            seen[name] = f"the property of {parameter['name']!r}"


def _compiled_body(
    spec: dict[str, Any],
    schemas: _Schemas,
    operation_id: str,
    operation: dict[str, Any],
    written: dict[str, Any],
    *,
    at: tuple[str | int, ...],
) -> dict[str, Any] | None:
    body = operation.get("requestBody")
    if body is None:
        return None
    # The model's name, from the unresolved spec: the body $refs a named schema.
    shape = body_shape(spec, operation_id, written["requestBody"], at)
    schema = next(iter(body["content"].values()))["schema"]
    fields = None
    if {"form", "multipart"} & set(shape.kinds.values()):
        fields = [
            _form_field(name, prop, shape.files) for name, prop in schema["properties"].items()
        ]
    return {
        "required": bool(body.get("required")),
        "media_types": list(shape.kinds),
        "kinds": shape.kinds,
        "schema": schemas.add(schema, compiled=True),
        "model": shape.model,
        "fields": fields,
    }


def _form_field(name: str, prop: dict[str, Any], files: tuple[str, ...]) -> dict[str, Any]:
    """How a form field's text becomes its value: converted as a parameter of its type is."""
    array = prop.get("type") == "array"
    kind = prop.get("items", {}).get("type") if array else prop.get("type")
    return {
        "name": name,
        "convert": None if name in files else CONVERTERS[kind],
        "array": array,
        "file": name in files,
    }


def _response_schema(schemas: _Schemas, response: dict[str, Any]) -> dict[str, Any]:
    """A documented response: its media types, and the schema its body is checked against
    (HUBINDEX_VALIDATE_RESPONSES): JSON's, or a text/ type's; None for other bodies."""
    content = response.get("content") or {}
    media_types = [media_type.lower() for media_type in content]
    schema = None
    for media_type, media in content.items():
        low = media_type.lower()
        if low == JSON_MEDIA or low.startswith("text/"):
            schema = (media or {}).get("schema")
            break
    # Checked only with HUBINDEX_VALIDATE_RESPONSES, by jsonschema: data, not compiled code.
    return {
        "media_types": media_types,
        "schema": None if schema is None else schemas.add(schema, compiled=False),
    }


if __name__ == "__main__":
    sys.exit(main())
