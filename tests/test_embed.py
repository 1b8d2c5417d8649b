"""Embedding: chunking invariants, pooling with a toy embedder, cache keys, the real models.

The real-model tests load each model once (session fixtures) and are marked slow.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp_toolkit.embed import (
    E5Embedder,
    Embedder,
    SentenceTransformerEmbedder,
    UseM3Embedder,
    chunk_text,
    embed_provisions,
    encode_by_length,
    encode_queries,
    load_embedder,
    sentence_spans,
    text_hash,
)
from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.search.rank import dense_topk

# -- chunking ---------------------------------------------------------------------------


def test_sentence_spans_english_chinese_and_lines() -> None:
    text = (
        "1. Each Party shall cooperate; in particular: (a) share data. Version 1.2 applies!\n"
        "第三十八条 处理者确需向境外提供个人信息的，应当具备下列条件之一：（一）通过安全评估；"
    )
    got = [text[s:e] for s, e in sentence_spans(text)]
    assert got == [
        "1.",
        "Each Party shall cooperate;",
        "in particular:",
        "(a) share data.",
        "Version 1.2 applies!",
        "第三十八条 处理者确需向境外提供个人信息的，应当具备下列条件之一：（一）通过安全评估；",
    ]


def test_chunk_text_packs_whole_sentences() -> None:
    text = "Alpha beta. Gamma delta epsilon. Zeta. Eta theta iota kappa."
    chunks = [text[s:e] for s, e in chunk_text(text, max_chars=31)]
    assert chunks == ["Alpha beta.", "Gamma delta epsilon. Zeta.", "Eta theta iota kappa."]
    assert chunk_text(text, max_chars=1000) == [(0, len(text))]
    assert chunk_text("  \n ", max_chars=10) == []


def test_chunk_text_splits_a_long_sentence_at_spaces_or_hard_for_cjk() -> None:
    english = "word " * 30 + "end."
    pieces = [english[s:e] for s, e in chunk_text(english, max_chars=22)]
    assert all(len(p) <= 22 for p in pieces)
    assert all(re.fullmatch(r"(word )*(word|end\.)", p) for p in pieces)
    chinese = "个" * 25
    assert chunk_text(chinese, max_chars=10) == [(0, 10), (10, 20), (20, 25)]
    clauses = "甲乙丙丁，戊己庚辛，壬癸子丑"
    assert [clauses[s:e] for s, e in chunk_text(clauses, max_chars=10)] == [
        "甲乙丙丁，戊己庚辛，",
        "壬癸子丑",
    ]


def test_chunk_text_overlap_repeats_sentences_and_progresses() -> None:
    text = "A one. B two. C three. D four. E five."
    chunks = [text[s:e] for s, e in chunk_text(text, max_chars=16, overlap_sentences=1)]
    assert chunks == ["A one. B two.", "B two. C three.", "C three. D four.", "D four. E five."]
    # When the window cannot hold the repeated sentence, the overlap gives way.
    tight = [text[s:e] for s, e in chunk_text(text, max_chars=14, overlap_sentences=1)]
    assert tight == ["A one. B two.", "C three.", "D four.", "E five."]
    with pytest.raises(ValueError, match="max_chars"):
        chunk_text(text, max_chars=0)
    with pytest.raises(ValueError, match="overlap"):
        chunk_text(text, max_chars=5, overlap_sentences=-1)


_pieces = st.lists(st.sampled_from([*"ab .;:\n。；个", "  ", "A.", "x."]), max_size=60)


@settings(max_examples=300, deadline=None)
@given(_pieces.map("".join), st.integers(1, 40), st.integers(0, 2))
def test_chunk_text_invariants(text: str, max_chars: int, overlap: int) -> None:
    spans = chunk_text(text, max_chars=max_chars, overlap_sentences=overlap)
    for s, e in spans:
        assert 0 <= s < e <= len(text)
        assert e - s <= max_chars
        assert not text[s].isspace() and not text[e - 1].isspace()
    starts = [s for s, _ in spans]
    assert starts == sorted(set(starts))  # in order, always moving forward
    if overlap == 0:
        # Disjoint chunks that together hold every non-space character exactly once.
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
        covered = "".join(text[s:e] for s, e in spans)
        assert re.sub(r"\s", "", covered) == re.sub(r"\s", "", text)


# -- pooling with a toy embedder --------------------------------------------------------


class CountingEmbedder:
    """Bag of letters a/b/c (+1 so nothing is zero): cheap, deterministic, inspectable."""

    model_id = "toy"
    dim = 4
    max_chars = 12

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        self.calls.append(list(texts))
        v = np.array([[t.count("a"), t.count("b"), t.count("c"), 1.0] for t in texts], "f4")
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_embedders_construct_without_loading_a_model() -> None:
    # Models load on first use, so building an embedder (e.g. for --help) is instant.
    toy: Embedder = CountingEmbedder()
    assert toy.model_id == "toy"
    assert SentenceTransformerEmbedder()._model is None
    assert UseM3Embedder()._model is None
    assert E5Embedder()._model is None


def test_embed_provisions_pools_chunks_per_provision() -> None:
    emb = CountingEmbedder()
    texts = ["aaa. bbbbbbbbb.", "ccc.", ""]
    mean = embed_provisions(texts, emb, pooling="mean")
    assert emb.calls == [["aaa.", "bbbbbbbbb.", "ccc.", ""]]
    chunk_vecs = emb.encode(["aaa.", "bbbbbbbbb."])
    want = chunk_vecs.sum(axis=0) / np.linalg.norm(chunk_vecs.sum(axis=0))
    np.testing.assert_allclose(mean[0], want, rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(mean, axis=1), 1.0, rtol=1e-6)
    first = embed_provisions(texts, emb, pooling="first")
    assert emb.calls[-1] == ["aaa.", "ccc.", ""]
    np.testing.assert_allclose(first[0], emb.encode(["aaa."])[0], rtol=1e-6)
    biggest = embed_provisions(texts, emb, pooling="max")
    assert biggest[0][0] > 0 and biggest[0][1] > 0  # both chunks' letters survive
    with pytest.raises(ValueError, match="pooling"):
        embed_provisions(texts, emb, pooling="median")  # type: ignore[arg-type]


def test_encode_by_length_restores_input_order() -> None:
    seen: list[list[str]] = []

    def fake(batch: list[str]) -> np.ndarray:
        seen.append(batch)
        return np.array([[len(t)] for t in batch], dtype=np.float32)

    texts = ["ccc", "a", "dddd", "bb", ""]
    out = encode_by_length(texts, fake, batch_size=2, dim=1)
    assert out[:, 0].tolist() == [3, 1, 4, 2, 0]
    assert seen == [["", "a"], ["bb", "ccc"], ["dddd"]]


def test_text_hash_is_sha256_of_model_nul_text() -> None:
    want = hashlib.sha256(b"minilm-l6-v2\x00Article 1").hexdigest()
    assert text_hash("Article 1", "minilm-l6-v2") == want
    assert text_hash("Article 1", "use-m3") != want
    # The separator keeps (model "a", text "bc") apart from (model "ab", text "c").
    assert text_hash("bc", "a") != text_hash("c", "ab")


def test_load_embedder_names_and_errors(tmp_path: Path) -> None:
    assert load_embedder("minilm").model_id == "minilm-l6-v2"
    assert load_embedder("use-m3").model_id == "use-m3"
    assert load_embedder("e5").model_id == "e5-small"
    folder = load_embedder(str(tmp_path))
    assert folder.model_id == tmp_path.name
    with pytest.raises(ToolkitError, match="not a sentence-transformers model folder"):
        folder.encode(["x"])
    with pytest.raises(ValueError, match="'minilm', 'use-m3'"):
        load_embedder("no-such-model")


# -- the real models (slow: each loads once) --------------------------------------------

QUERIES = [
    "conditions for transferring personal information outside the country",
    "individuals may withdraw their consent",
    "personal information of minors under the age of fourteen",
]
PIPL_ARTICLES = [38, 15, 31]


@pytest.fixture(scope="session")
def minilm() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def use_m3() -> UseM3Embedder:
    return UseM3Embedder(threads=2)


_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def _cn_number(s: str) -> int:
    total, cur = 0, 0
    for ch in s:
        if ch == "十":
            total, cur = total + (cur or 1) * 10, 0
        elif ch == "百":
            total, cur = total + cur * 100, 0
        else:
            cur = _CN_DIGITS[ch]
    return total + cur


@pytest.fixture(scope="session")
def pipl_articles(shared_corpus: Path) -> dict[int, str]:
    text = (shared_corpus / "text" / "chn-pipl-2021.md").read_text(encoding="utf-8")
    found = re.findall(
        r"^第([一二三四五六七八九十百]+)条\s*(.*?)(?=^第[一二三四五六七八九十百]+条|^#|\Z)",
        text,
        re.M | re.S,
    )
    articles = {_cn_number(n): body.strip() for n, body in found}
    assert len(articles) >= 70, "could not cut the PIPL into articles"
    return articles


@pytest.mark.slow
def test_minilm_encodes_on_the_threads_asked_then_restores_torch(
        minilm: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch) -> None:
    # queries encode on one torch thread (search.index._query_embedder); the rest of the
    # process keeps its setting
    import torch

    one = SentenceTransformerEmbedder(threads=1)
    one._model = minilm._load()  # the same weights, loaded once
    seen: list[int] = []
    real = one._model.encode
    monkeypatch.setattr(one._model, "encode",
                        lambda *a, **k: seen.append(torch.get_num_threads()) or real(*a, **k))
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        text = ["Each Party shall protect the personal data of users of electronic commerce."]
        vec = one.encode(text)
        assert seen == [1] and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    np.testing.assert_allclose(vec, minilm.encode(text), atol=1e-5)


def test_minilm_encodes_normalised_and_semantic(minilm: SentenceTransformerEmbedder) -> None:
    assert minilm.dim == 384 and minilm.max_tokens == 256
    texts = [
        "Each Party shall protect the personal data of users of electronic commerce.",
        "The Parties shall safeguard the privacy of online shoppers' personal information.",
        "No customs duties shall be imposed on electronic transmissions.",
    ]
    vecs = minilm.encode(texts, batch_size=2)
    assert vecs.shape == (3, 384) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, rtol=1e-5)
    sims = vecs @ vecs.T
    assert sims[0, 1] > sims[0, 2] + 0.2
    # Length-sorted batching returns each row to its text: same vectors in any order.
    np.testing.assert_allclose(minilm.encode(texts[::-1])[::-1], vecs, atol=1e-5)
    assert minilm.encode([]).shape == (0, 384)


@pytest.fixture(scope="session")
def pipl_use_m3(use_m3: UseM3Embedder, pipl_articles: dict[int, str]) -> np.ndarray:
    """The PIPL articles, in article order, embedded once by USE-m3."""
    return embed_provisions([pipl_articles[n] for n in sorted(pipl_articles)], use_m3)


def _ranks(query_vecs: np.ndarray, matrix: np.ndarray, numbers: list[int]) -> list[int]:
    idx, _ = dense_topk(query_vecs, matrix, len(numbers))
    return [
        [numbers[i] for i in row].index(want) + 1
        for row, want in zip(idx, PIPL_ARTICLES, strict=True)
    ]


@pytest.mark.slow
def test_use_m3_finds_chinese_articles_for_english_queries(
    use_m3: UseM3Embedder, pipl_articles: dict[int, str], pipl_use_m3: np.ndarray
) -> None:
    assert pipl_use_m3.shape == (len(pipl_articles), 512)
    ranks = _ranks(use_m3.encode(QUERIES), pipl_use_m3, sorted(pipl_articles))
    # Measured: ranks 17, 1, 1 (article 38 competes with 36, 39 and 40 on transfers abroad).
    assert all(r <= 20 for r in ranks), ranks
    assert sum(r == 1 for r in ranks) >= 2, ranks


@pytest.mark.slow
def test_use_m3_beats_minilm_across_languages(
    use_m3: UseM3Embedder,
    minilm: SentenceTransformerEmbedder,
    pipl_articles: dict[int, str],
    pipl_use_m3: np.ndarray,
) -> None:
    numbers = sorted(pipl_articles)
    use_ranks = _ranks(use_m3.encode(QUERIES), pipl_use_m3, numbers)
    minilm_matrix = minilm.encode([pipl_articles[n] for n in numbers])
    minilm_ranks = _ranks(minilm.encode(QUERIES), minilm_matrix, numbers)

    def mrr(ranks: list[int]) -> float:
        return float(np.mean([1 / r for r in ranks]))

    assert mrr(use_ranks) > mrr(minilm_ranks) + 0.3, (use_ranks, minilm_ranks)


@pytest.mark.slow
def test_e5_encodes_queries_and_passages_apart_and_reads_indonesian() -> None:
    e5 = E5Embedder(threads=2)
    passages = [
        "An electronic signature has legal force and legal effect.",
        "Tanda tangan elektronik memiliki kekuatan hukum dan akibat hukum yang sah.",
        "No customs duties shall be imposed on imported goods of the other Party.",
    ]
    vecs = e5.encode(passages, batch_size=2)
    assert vecs.shape == (3, 384) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(e5.encode(passages[::-1])[::-1], vecs, atol=1e-5)
    query = "is an electronic signature legally valid?"
    q = encode_queries(e5, [query])[0]
    # the query side is not the passage side: the same text encodes differently
    assert float(q @ e5.encode([query])[0]) < 0.999
    scores = vecs @ q
    # the Indonesian provision, read as written, beats the off-topic English one
    assert scores[0] > scores[2] and scores[1] > scores[2], scores
    # a passage is read up to its window: text past it changes nothing
    long = passages[0] + " " + "x" * (e5.window + 10)
    np.testing.assert_allclose(e5.encode([long])[0],
                               e5.encode([long[: e5.window]])[0], atol=1e-6)
    assert e5.encode([]).shape == (0, 384)
