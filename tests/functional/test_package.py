"""hubindex as a user installs it: a wheel built from the package's own files, installed into a
fresh virtualenv outside the checkout, serving from a temporary directory.

The wheel is installed without the index (``--no-index --no-deps``); the virtualenv borrows the
pinned dependencies the checkout's .venv installed from requirements.lock (a ``.pth`` line
naming its site-packages, which does not run that directory's own ``.pth`` files, so the
checkout's editable hubindex stays out). Nothing is downloaded.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import httpx

from server.spec.checkout import ROOT
from tests.harness import FAST_HASHING, _free_port

# What the wheel is built from: the package's files, nothing else of the checkout.
PACKAGE_FILES = ("pyproject.toml", "README.md", "server", "generated")


def _run(*command: str | Path, **options: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, check=False, **options
    )
    assert result.returncode == 0, result.stderr
    return result


def test_a_wheel_installed_outside_the_checkout_serves_from_any_directory(tmp_path: Path):
    source = tmp_path / "source"
    source.mkdir()
    for name in PACKAGE_FILES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, source / name)
    pip = (sys.executable, "-m", "pip", "--quiet", "--disable-pip-version-check")
    _run(*pip, "wheel", "--no-deps", "--no-index", "--no-build-isolation",
         "--wheel-dir", tmp_path / "dist", source)  # fmt: skip
    [wheel] = (tmp_path / "dist").glob("hubindex-*.whl")

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
                .stdout.strip())  # fmt: skip
    (site / "pinned-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run(*pip, "--python", python, "install", "--no-deps", "--no-index", wheel)

    where = tmp_path / "elsewhere"
    where.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HUBINDEX_", "PYTHON"))
    }
    env |= {"HUBINDEX_DATABASE_URL": "sqlite:///hub.db"}
    env |= {f"HUBINDEX_{name.upper()}": str(value) for name, value in FAST_HASHING.items()}
    imported = (
        "import server, generated, generated.client.api.images.images_get as c;"
        " print(server.__file__, generated.__file__, c.__file__)"
    )
    found = _run(python, "-c", imported, cwd=where, env=env).stdout.split()
    assert all(Path(path).is_relative_to(site) for path in found), found

    hubindex = venv / "bin" / "hubindex"
    upgraded = _run(hubindex, "db", "upgrade", cwd=where, env=env).stdout
    assert upgraded.startswith("hubindex: applied migration 0001: ")
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [hubindex, "serve", "--port", str(port)], cwd=where, env=env, stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        with httpx.Client(timeout=2) as polls:  # one SSL context, not one a try (40 ms of CPU)
            while True:
                try:
                    ping = polls.get(f"{url}/v1/_ping")
                    break
                except httpx.TransportError:
                    assert process.poll() is None, log.read_text()
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.1)
        assert (ping.status_code, ping.json()) == (200, True)
        assert httpx.get(f"{url}/v1/_ready").json()["ready"] is True
        served = httpx.get(f"{url}/openapi.json").json()
        assert (
            served["paths"].keys()
            == json.loads((ROOT / "generated" / "openapi.json").read_text())["paths"].keys()
        )
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert (where / "hub.db").is_file()
    assert not (ROOT / "hub.db").exists() or (ROOT / "hub.db").stat().st_mtime < time.time() - 60
