"""`hubindex serve` remembers that a tree fits its handlers (server.spec.proof.proven_clean),
and never remembers past a change to what the proof reads."""

from pathlib import Path

from server.spec import freshness, proof
from server.spec.checkout import ROOT


def test_a_clean_proof_is_remembered_and_a_changed_tree_is_proved_again(tmp_path: Path):
    cache = tmp_path / "proof"
    tree = proof.generated_files(ROOT / freshness.GENERATED)
    assert proof.proven_clean(ROOT, tree, cache) == []
    assert len(list(cache.iterdir())) == 1

    # The model a handler names is gone: the remembered verdict is for other files.
    renamed = {
        relative: text.replace("class ImageList(", "class ImageListRenamed(")
        for relative, text in tree.items()
    }
    found = proof.proven_clean(ROOT, renamed, cache)
    assert any("ImageList" in problem for problem in found), found
    assert len(list(cache.iterdir())) == 1  # a refusal is not remembered

    assert proof.proven_clean(ROOT, tree, cache) == []
