"""compare: best pairs, relation labels, the index path (with stored vectors) and the CLI."""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from nlp_toolkit.analysis.compare import Thresholds, best_pairs, classify
from nlp_toolkit.cli import main
from nlp_toolkit.corpus import Corpus
from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.sources.manifest import read_manifest

BASE = ("Each Party shall maintain its current practice of not imposing customs duties on "
        "electronic transmissions between the Parties, consistent with the WTO Ministerial "
        "Decision, and may adjust that practice in light of further Ministerial Decisions.")
LIGHT = ("Each Party shall maintain its current practice of not imposing customs duties on "
         "electronic transmissions between Australia and Singapore, consistent with the WTO "
         "Ministerial Decision of 20 May 1998.")
PARAPHRASE = ("No tariffs are to be levied by either signatory on digital content sent across "
              "borders online, in line with what the WTO ministers decided.")
UNRELATED = ("The Joint Committee shall meet once a year in the capital of each Party in turn "
             "and may establish working groups on rules of origin.")


def test_classify_thresholds() -> None:
    assert classify(0.6, None) == "near_copy"
    assert classify(0.59, 0.99) == "light_edit"
    assert classify(0.3, None) == "light_edit"
    assert classify(0.29, 0.4) == "related"
    assert classify(0.29, 0.39) == "unrelated"
    assert classify(0.29, None) == "unrelated"
    assert classify(0.5, 0.1, Thresholds(near_copy=0.5)) == "near_copy"


def test_lexical_pairs_tell_copies_from_the_rest() -> None:
    a = [BASE, UNRELATED]
    b = [PARAPHRASE, LIGHT, BASE]
    pairs = best_pairs(a, b)
    assert [(p.a, p.b, p.relation, p.mutual) for p in pairs] == [
        (0, 2, "near_copy", True), (1, pairs[1].b, "unrelated", False)]
    assert pairs[0].score == pairs[0].jaccard == 1.0 and pairs[0].cosine is None
    edit = best_pairs([LIGHT], [BASE, UNRELATED])[0]
    assert edit.relation in ("near_copy", "light_edit") and 0.3 <= edit.jaccard < 1.0
    assert 0 < edit.jaccard <= edit.containment
    assert best_pairs(a, b, mutual_only=True) == pairs[:1]
    assert best_pairs([], b) == []


def test_dense_pairs_use_cosine_and_label_paraphrase_related() -> None:
    # vectors stand in for a model: the paraphrase is close in meaning, not in text
    va = np.array([[1.0, 0.0, 0.0]], dtype=np.float32)
    vb = np.array([[0.8, 0.6, 0.0], [0.0, 0.0, 1.0]], dtype=np.float32)
    pair = best_pairs([BASE], [PARAPHRASE, UNRELATED], va, vb)[0]
    assert (pair.b, pair.relation) == (0, "related")
    assert pair.score == pytest.approx(0.8) and pair.jaccard < 0.3
    with pytest.raises(ValueError, match="both sides"):
        best_pairs([BASE], [BASE], va, None)
    with pytest.raises(ValueError, match="vectors for"):
        best_pairs([BASE, LIGHT], [BASE], va, va)


@pytest.mark.slow
def test_minilm_paraphrase_is_related_and_unrelated_is_not() -> None:
    from nlp_toolkit.embed import load_embedder

    emb = load_embedder("minilm")
    texts_b = [PARAPHRASE, UNRELATED]
    pairs = best_pairs([BASE], texts_b, emb.encode([BASE]), emb.encode(texts_b))
    assert (pairs[0].b, pairs[0].relation) == (0, "related")
    pair = best_pairs([BASE], [UNRELATED], emb.encode([BASE]), emb.encode([UNRELATED]))[0]
    assert pair.relation == "unrelated"


class BagOfWords:
    """A deterministic stand-in embedder (hashed bag of words), to test the index path."""

    model_id = "test-bow"
    dim = 64
    max_chars = 100_000

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                out[i, zlib.crc32(w.encode()) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)


@pytest.fixture(scope="module")
def index(shared_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = [r for r in read_manifest(shared_corpus / "manifest.csv").rows
            if r.doc_id in ("tota-54", "tota-36")]  # SG-AU (2003) and TH-AU (2004)
    db = tmp_path_factory.mktemp("cmp") / "index.sqlite"
    with Corpus.open(db) as corpus:
        assert not corpus.ingest(rows, workers=0).failures
    return db


def test_compare_documents_lexically(index: Path) -> None:
    with Corpus.open(index, create=False) as corpus:
        pairs = corpus.compare("tota-54", "tota-36", by="doc", k=None)
    assert pairs[0]["rank"] == 1 and pairs[0]["model"] is None
    duties = [p for p in pairs if "not imposing customs duties on electronic"
              in p["a"]["text"]]
    assert len(duties) == 1 and duties[0]["relation"] == "near_copy"
    assert "customs duties on electronic" in duties[0]["b"]["text"]
    assert duties[0]["b"]["doc_id"] == "tota-36" and duties[0]["a"]["doc_id"] == "tota-54"
    scores = [p["score"] for p in pairs]
    assert scores == sorted(scores, reverse=True)


def test_compare_with_stored_vectors(index: Path) -> None:
    from nlp_toolkit.build.embed import embed_store

    with Corpus.open(index, create=False) as corpus:
        embed_store(corpus.store, BagOfWords())
        pairs = corpus.compare("tota-54", "tota-36", by="doc", model="test-bow", k=5)
        auto = corpus.compare("SGP", "THA", k=5)  # picks the stored model itself
    assert len(pairs) == 5 and all(p["model"] == "test-bow" for p in pairs)
    assert all(p["cosine"] == p["score"] for p in pairs)
    assert pairs[0]["score"] >= pairs[-1]["score"]
    assert auto[0]["model"] == "test-bow"
    assert all(p["a"]["doc_id"] == "tota-54" and p["b"]["doc_id"] == "tota-36" for p in auto)


def test_compare_errors(index: Path) -> None:
    with Corpus.open(index, create=False) as corpus:
        with pytest.raises(ToolkitError, match="run `nlp-toolkit score` first"):
            corpus.compare("SGP", "THA", topic="customs_duties")
        with pytest.raises(ToolkitError, match="no provisions for jurisdiction 'XXX'"):
            corpus.compare("SGP", "XXX")
        with pytest.raises(ToolkitError, match="only shared documents"):
            corpus.compare("SGP", "AUS")


def test_cli_compare_and_duplicates(index: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["compare", "--doc-a", "tota-54", "--doc-b", "tota-36", "-k", "3",
                               "--format", "jsonl", "--db", str(index)])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.output.splitlines()]
    assert [x["rank"] for x in lines] == [1, 2, 3]
    assert {"score", "jaccard", "relation", "a", "b"} <= set(lines[0])
    res = runner.invoke(main, ["compare", "SGP", "THA", "--topic", "x", "--db", str(index)])
    assert res.exit_code == 2 and "nlp-toolkit score" in res.output
    res = runner.invoke(main, ["compare", "SGP", "--db", str(index)])
    assert res.exit_code == 2
    res = runner.invoke(main, ["duplicates", "--format", "jsonl", "--db", str(index)])
    assert res.exit_code == 0, res.output
    fams = [json.loads(x) for x in res.output.splitlines()]
    assert fams and all(f["docs"] == ["tota-54", "tota-36"] for f in fams)
    assert any("customs duties on electronic" in f["text"] for f in fams)
