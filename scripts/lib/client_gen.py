"""The typed Python client, generated/client (import it as ``generated.client``): made by
openapi-python-client from the public spec (what scripts/docs publishes), sync and async on httpx,
with attrs models. scripts/generate writes it with the rest of generated/, and --check compares
it the same way.

openapi-python-client rather than our own templates: it is maintained for exactly this, types
every operation's parameters, bodies and each documented response, and gives sync and async
calls in one module per operation; the server's pydantic models would tie the client to the
server's own dependencies. Its output for a document is kept in build/, so that a --check of an
unchanged spec does not run it again.
"""

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "build" / "client"
GENERATOR = Path(sys.executable).parent / "openapi-python-client"
# ruff formats the whole of generated/ afterwards: no hooks of the generator's own.
CONFIG = {"post_hooks": [], "package_name_override": "client"}


class ClientError(Exception):
    """openapi-python-client refused the spec; one line."""


def render_client(spec: dict[str, Any], out: Path) -> None:
    """Write the client of ``spec`` into ``out`` (a new folder)."""
    version = metadata.version("openapi-python-client")
    key = hashlib.sha256(
        json.dumps([spec, CONFIG, version, Path(__file__).read_text("utf-8")]).encode()
    ).hexdigest()
    cached = CACHE / key
    if not cached.is_dir():
        _generate(spec, cached)
    shutil.copytree(cached, out)


def _generate(spec: dict[str, Any], target: Path) -> None:
    from docs import public_spec

    with tempfile.TemporaryDirectory(prefix="hubindex-client-") as scratch:
        document = Path(scratch) / "openapi.json"
        document.write_text(json.dumps(public_spec(spec)), encoding="utf-8")
        config = Path(scratch) / "config.json"
        config.write_text(json.dumps(CONFIG), encoding="utf-8")
        made = Path(scratch) / "client"
        result = subprocess.run(  # noqa: S603 - our own tool from the virtualenv
            [
                str(GENERATOR), "generate",
                "--path", str(document),
                "--meta", "none",
                "--config", str(config),
                "--output-path", str(made),
            ],
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        if result.returncode != 0 or not (made / "__init__.py").is_file():
            lines = (result.stderr or result.stdout).strip().splitlines() or ["no output"]
            raise ClientError(f"openapi-python-client failed: {lines[-1]}")
        # What it could not express is left out of the client, not of the server: a note.
        for line in result.stdout.splitlines():
            if line.strip() and not line.startswith(("Generating ", "If you believe")):
                print(f"scripts/generate: note: client: {line.strip()}", file=sys.stderr)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.partial")
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(made, partial)
        partial.rename(target)
