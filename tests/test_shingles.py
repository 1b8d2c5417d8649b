"""Near-duplicate detection on constructed pairs: copies, light edits, paraphrases, strangers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp_toolkit.shingles import (
    LshIndex,
    MinHasher,
    char_shingles,
    estimate_jaccard,
    jaccard,
    near_duplicate_families,
    normalise_text,
    optimal_bands,
)

ORIGINAL = (
    "Each Party shall adopt or maintain a legal framework that provides for the protection "
    "of the personal information of the users of electronic commerce. In the development "
    "of its legal framework for the protection of personal information, each Party should "
    "take into account principles and guidelines of relevant international bodies."
)
LIGHT_EDIT = (
    "Each Party shall adopt or maintain a legal framework which provides for the protection "
    "of the personal data of the users of electronic commerce. In the development of its "
    "legal framework for the protection of personal data, each Party should take into "
    "account principles and guidelines of relevant international organisations."
)
PARAPHRASE = (
    "Every signatory must put in place laws safeguarding the private data of people who "
    "buy and sell online, drawing on the standards set by international institutions."
)
UNRELATED = (
    "Neither Party shall impose customs duties on electronic transmissions, including "
    "content transmitted electronically, between a person of one Party and the other."
)
CHINESE = (
    "个人信息处理者因业务等需要，确需向中华人民共和国境外提供个人信息的，应当具备下列条件之一。"
)
CHINESE_EDIT = (
    "个人信息处理者因业务等需要，确需向中华人民共和国境外提供个人信息的，应当具备以下条件之一。"
)


def test_normalise_folds_case_punctuation_width_and_space() -> None:
    assert normalise_text("  Each\tParty SHALL,\n(a) ＡＢ；") == "each party shall a ab"
    assert normalise_text("...") == ""


def test_char_shingles_short_and_empty_texts() -> None:
    assert char_shingles("ab", n=5) == {"ab"}
    assert char_shingles(" ,; ") == set()
    assert char_shingles("abcdef", n=5) == {"abcde", "bcdef"}
    with pytest.raises(ValueError, match="n must be"):
        char_shingles("abc", n=0)


@pytest.mark.parametrize(
    ("other", "low", "high"),
    [
        (ORIGINAL, 1.0, 1.0),
        (ORIGINAL.upper().replace(".", " ."), 1.0, 1.0),  # case and spacing do not count
        (LIGHT_EDIT, 0.6, 0.95),
        (PARAPHRASE, 0.0, 0.2),
        (UNRELATED, 0.0, 0.1),
    ],
)
def test_jaccard_of_constructed_pairs(other: str, low: float, high: float) -> None:
    j = jaccard(char_shingles(ORIGINAL), char_shingles(other))
    assert low <= j <= high


def test_jaccard_edge_cases() -> None:
    assert jaccard(set(), set()) == 1.0
    assert jaccard({"a"}, set()) == 0.0
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)


def test_minhash_is_deterministic_and_seeded() -> None:
    shingles = char_shingles(ORIGINAL)
    a = MinHasher(num_perm=64, seed=1).signature(shingles)
    assert a.dtype == np.uint64 and a.shape == (64,)
    assert np.array_equal(a, MinHasher(num_perm=64, seed=1).signature(list(shingles)))
    assert not np.array_equal(a, MinHasher(num_perm=64, seed=2).signature(shingles))
    empty = MinHasher(num_perm=8).signature(set())
    assert np.all(empty == np.iinfo(np.uint64).max)


def _random_pair(rng: np.random.Generator, size: int, overlap: float) -> tuple[set, set]:
    shared = int(size * overlap)
    a = {f"s{i}" for i in range(size)}
    b = {f"s{i}" for i in range(size - shared, 2 * size - shared)}
    return a, b


@pytest.mark.parametrize("overlap", [0.0, 0.2, 0.5, 0.8, 0.95, 1.0])
def test_minhash_estimate_within_0_1_of_true_jaccard(overlap: float) -> None:
    rng = np.random.default_rng(0)
    hasher = MinHasher(num_perm=256, seed=3)
    for trial in range(5):
        a, b = _random_pair(rng, 300 + 50 * trial, overlap)
        est = estimate_jaccard(hasher.signature(a), hasher.signature(b))
        assert abs(est - jaccard(a, b)) <= 0.1


@settings(max_examples=40, deadline=None)
@given(st.sets(st.text(min_size=1, max_size=6), max_size=60), st.sets(st.text(max_size=6)))
def test_minhash_equal_positions_only_for_shared_minima(a: set[str], b: set[str]) -> None:
    hasher = MinHasher(num_perm=32)
    sig_a, sig_b, sig_u = hasher.signature(a), hasher.signature(b), hasher.signature(a | b)
    # The signature of a union is the element-wise minimum of the parts' signatures.
    assert np.array_equal(sig_u, np.minimum(sig_a, sig_b))
    if a == b:
        assert estimate_jaccard(sig_a, sig_b) == 1.0


def test_optimal_bands_respects_budget_and_threshold() -> None:
    for threshold in (0.5, 0.8, 0.9):
        bands, rows = optimal_bands(threshold, 128)
        assert bands * rows <= 128
    with pytest.raises(ValueError, match="between 0 and 1"):
        optimal_bands(1.0, 128)


def test_lsh_finds_pairs_above_threshold_with_high_probability() -> None:
    rng = np.random.default_rng(7)
    hasher = MinHasher(num_perm=128, seed=5)
    found = {0.85: 0, 0.3: 0}
    trials = 60
    for sim, _ in found.items():
        for t in range(trials):
            a, b = _random_pair(rng, 200, 2 * sim / (1 + sim))  # overlap giving Jaccard = sim
            lsh = LshIndex(threshold=0.8, num_perm=128)
            lsh.add(("a", t), hasher.signature(a))
            found[sim] += ("a", t) in lsh.query(hasher.signature(b))
    assert found[0.85] / trials >= 0.9
    assert found[0.3] / trials <= 0.05


def test_lsh_index_rejects_duplicates_and_bad_signatures() -> None:
    lsh = LshIndex(threshold=0.8, num_perm=16)
    sig = MinHasher(num_perm=16).signature({"abc"})
    lsh.add("x", sig)
    assert len(lsh) == 1 and lsh.query(sig) == ["x"]
    with pytest.raises(ValueError, match="already"):
        lsh.add("x", sig)
    with pytest.raises(ValueError, match="shape"):
        lsh.query(sig[:8])
    with pytest.raises(ValueError, match="exceeds"):
        LshIndex(num_perm=16, bands=5, rows=4)


def test_near_duplicate_families_groups_copies_earliest_first() -> None:
    edited_twice = LIGHT_EDIT.replace("organisations", "organizations")
    items = [
        ("rcep", LIGHT_EDIT, 2020),
        ("stranger", UNRELATED, 2001),
        ("cptpp", edited_twice, 2018),
        ("paraphrase", PARAPHRASE, 2010),
        ("aanzfta", ORIGINAL, 2009),
        ("pipl", CHINESE, 2021),
        ("draft", CHINESE_EDIT, 2020),
        ("blank-1", "  ", 1999),
        ("blank-2", "", 1998),
    ]
    families = near_duplicate_families(items, threshold=0.6)
    assert families == [["aanzfta", "cptpp", "rcep"], ["draft", "pipl"]]
    strict = near_duplicate_families(items, threshold=0.95)
    assert strict == [["cptpp", "rcep"]]
    assert near_duplicate_families([]) == []


def test_near_duplicate_families_are_transitive() -> None:
    base = " ".join(f"word{i}" for i in range(60))
    step1 = base.replace("word10 ", "item10 ")
    step2 = step1.replace("word40 ", "item40 ")
    far = step2.replace("word20 ", "item20 ").replace("word50 ", "item50 ")
    items = [("a", base, 1), ("b", step1, 2), ("c", step2, 3), ("d", far, 4)]
    direct = jaccard(char_shingles(base), char_shingles(far))
    families = near_duplicate_families(items, threshold=0.85)
    assert direct < 0.85  # a and d only meet through the chain
    assert families == [["a", "b", "c", "d"]]
