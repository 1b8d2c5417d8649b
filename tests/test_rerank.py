"""The learned search re-ranker: features, the shipped model, and its place in search."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp_toolkit.defaults import DEFAULT_RERANKER
from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.search.rerank import (
    FEATURES,
    Candidate,
    Reranker,
    default_reranker,
    features,
    fit,
    heading_overlap,
    reorder,
)

ROOT = Path(__file__).resolve().parents[1]


def _column(x: np.ndarray, name: str) -> np.ndarray:
    return x[:, FEATURES.index(name)]


def test_features_read_ranks_cosines_headings_and_document_kind() -> None:
    pool = [7, 3, 9]
    cands = {7: Candidate("Transfer of personal data", 900, "statute", "en"),
             3: Candidate("Definiciones", 400, "treaty", "es"),
             9: Candidate("Cross-border transfer", 1200, "treaty", "en")}
    x = features(pool, {7: 0.3, 3: 0.2, 9: 0.1},
                 {"lexical": [9, 7], "dense": [7, 3, 9]}, np.array([0.6, 0.5, 0.4]), cands,
                 ["transfer", "personal", "data"], "en")
    assert x.shape == (3, len(FEATURES))
    assert _column(x, "fused_rank").tolist() == [1.0, 0.5, 1 / 3]
    assert _column(x, "rank_lexical").tolist() == [0.5, 0.0, 1.0]
    assert _column(x, "rank_translated").tolist() == [0.0, 0.0, 0.0]  # no such ranking
    assert _column(x, "cosine_gap").tolist() == pytest.approx([0.0, -0.1, -0.2])
    assert _column(x, "heading_overlap").tolist() == pytest.approx([1.0, 0.0, 1 / 3])
    assert _column(x, "national").tolist() == [1.0, 0.0, 0.0]
    # a Spanish treaty article is in neither the query's language nor English
    assert _column(x, "treaty_other_language").tolist() == [0.0, 1.0, 0.0]


def test_heading_overlap_folds_plural_and_ing_forms() -> None:
    assert heading_overlap(["transfers"], "Transfer") == 1.0
    assert heading_overlap(["processing"], "Process of data") == 1.0
    assert heading_overlap([], "Anything") == 0.0


def test_fit_learns_a_separating_feature_and_round_trips(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, len(FEATURES)))
    y = (x[:, FEATURES.index("cosine")] > 0.5).astype(int)
    model = fit(x, y)
    assert int(np.argmax(model.coef)) == FEATURES.index("cosine")
    model.save(tmp_path, {"note": "test"})
    back = Reranker.load(tmp_path)
    assert np.allclose(back.score(x), model.score(x))
    assert back.card is not None and back.card["note"] == "test"


def test_load_refuses_a_model_of_other_features(tmp_path: Path) -> None:
    model = Reranker(("a",), np.zeros(1), np.ones(1), np.ones(1), 0.0)
    model.save(tmp_path, {})
    with pytest.raises(ToolkitError, match="retrain"):
        Reranker.load(tmp_path)
    with pytest.raises(ToolkitError, match="retrain"):
        Reranker.load(tmp_path / "missing")


def test_the_shipped_model_loads_and_its_card_says_what_it_was_trained_on() -> None:
    model = default_reranker()
    assert model is not None, f"no re-ranker in {DEFAULT_RERANKER}"
    card = json.loads((ROOT / DEFAULT_RERANKER / "meta.json").read_text(encoding="utf-8"))
    assert card["training_data"]["half"] == "tune"  # never the reported half
    cv = card["cross_validation"]
    assert set(cv["fused"]) == set(cv["reranked"]) == {
        "recall@10", "mrr@10", "recall@50", "recall@10 within a jurisdiction"}
    # what the card's figures rest on: relevance rises with the cosine and with the fused
    # score, and falls for treaty articles in a third language
    assert model.coef[FEATURES.index("cosine_gap")] > 0
    assert model.coef[FEATURES.index("fused")] > 0
    assert model.coef[FEATURES.index("treaty_other_language")] < 0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=60, unique=True),
       st.integers(0, 60), st.integers(0, 2**32 - 1))
def test_reorder_sorts_the_reranked_prefix_and_loses_no_candidate(
        ids: list[int], depth: int, seed: int) -> None:
    fused = [(i, 1.0 / (n + 1)) for n, i in enumerate(ids)]
    depth = min(depth, len(ids))
    scores = np.random.default_rng(seed).standard_normal(depth)
    out = reorder(fused, scores)
    assert sorted(i for i, _ in out) == sorted(ids)
    head = [s for _, s in out[:depth]]
    assert head == sorted(head, reverse=True)
    assert out[depth:] == fused[depth:]
