"""server/spec/freshness.py on a small made-up checkout: what changed since the manifest."""

from pathlib import Path

import pytest

from server.spec import freshness
from server.spec.checkout import ROOT

FILES = {
    "scripts/generate": "#!/bin/sh\n",
    "spec/openapi.yaml": "openapi: 3.0.3\n",
    "templates/operations.py.jinja": "{{ header }}\n",
    "scripts/lib/codegen.py": "# the generator\n",
    "server/spec/document.py": "HTTP_METHODS = ()\n",
    "generated/__init__.py": "# generated\n",
    "generated/operations/ping.py": "# generated glue\n",
    "generated/openapi.json": '{"openapi": "3.0.3"}\n',
}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A checkout as scripts/generate leaves it: sources, output and their manifest."""
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    names = [*freshness.inputs(tmp_path), *freshness.outputs(tmp_path)]
    manifest = freshness.manifest(freshness.file_digests(tmp_path, names))
    (tmp_path / freshness.MANIFEST).write_text(manifest)
    return tmp_path


def test_a_tree_as_generated_is_fresh(root: Path):
    assert freshness.stale(root) is None


def test_bytecode_caches_do_not_count(root: Path):
    (root / "generated" / "__pycache__").mkdir()
    (root / "generated" / "__pycache__" / "ping.cpython-311.py").write_text("")
    assert freshness.stale(root) is None


def test_an_edited_spec_is_named(root: Path):
    (root / "spec" / "openapi.yaml").write_text("openapi: 3.0.3\npaths: {}\n")
    assert freshness.stale(root) == "spec/openapi.yaml changed since scripts/generate ran"


def test_an_edited_template_and_generator_are_named_before_the_output(root: Path):
    (root / "templates" / "operations.py.jinja").write_text("{{ header }}!\n")
    (root / "scripts" / "lib" / "codegen.py").write_text("# changed\n")
    (root / "generated" / "__init__.py").write_text("# edited by hand\n")
    assert freshness.stale(root) == (
        "scripts/lib/codegen.py, templates/operations.py.jinja changed since scripts/generate ran"
    )


def test_a_new_template_is_a_change(root: Path):
    (root / "templates" / "extra.py.jinja").write_text("\n")
    assert freshness.stale(root) == "templates/extra.py.jinja changed since scripts/generate ran"


def test_a_hand_edit_of_generated_is_named(root: Path):
    (root / "generated" / "operations" / "ping.py").write_text("# edited by hand\n")
    assert freshness.stale(root) == (
        "generated/operations/ping.py is not what scripts/generate wrote"
    )


def test_a_module_the_generator_did_not_write_is_named(root: Path):
    (root / "generated" / "operations" / "old.py").write_text("\n")
    (root / "generated" / "operations" / "older.py").write_text("\n")
    assert freshness.stale(root) == (
        "generated/operations/old.py, generated/operations/older.py are not what"
        " scripts/generate wrote"
    )


def test_a_removed_generated_file_is_named(root: Path):
    (root / "generated" / "operations" / "ping.py").unlink()
    assert freshness.stale(root) == (
        "generated/operations/ping.py is not what scripts/generate wrote"
    )


def test_many_changes_are_counted_not_listed(root: Path):
    for name in ("a", "b", "c", "d", "e"):
        (root / "templates" / f"{name}.jinja").write_text("\n")
    assert freshness.stale(root) == (
        "templates/a.jinja, templates/b.jinja, templates/c.jinja and 2 more changed since"
        " scripts/generate ran"
    )


def test_without_a_manifest_the_tree_is_stale(root: Path):
    (root / freshness.MANIFEST).unlink()
    assert freshness.stale(root) == "generated/sources.sha256 is missing"


def test_this_checkout_is_fresh():
    assert freshness.stale(ROOT) is None


@pytest.fixture
def installed(root: Path) -> Path:
    """The same tree as a wheel installs it: generated/ and its manifest, no sources."""
    for name in ("scripts/generate", "spec/openapi.yaml", "templates/operations.py.jinja"):
        (root / name).unlink()
    return root


def test_an_installed_package_is_fresh_without_the_sources_it_was_made_from(installed: Path):
    assert freshness.stale(installed) is None


def test_an_installed_package_still_checks_what_scripts_generate_wrote(installed: Path):
    (installed / "generated" / "openapi.json").write_text("{}\n")
    assert freshness.stale(installed) == (
        "generated/openapi.json is not what scripts/generate wrote"
    )


def test_an_installed_package_without_its_manifest_is_refused(installed: Path):
    (installed / freshness.MANIFEST).unlink()
    assert freshness.stale(installed) == "generated/sources.sha256 is missing"


def test_a_checkout_missing_a_source_is_stale_not_installed(root: Path):
    """Only the absence of scripts/generate or the spec makes a tree an installed package."""
    (root / "templates" / "operations.py.jinja").unlink()
    assert freshness.stale(root) == (
        "templates/operations.py.jinja changed since scripts/generate ran"
    )
