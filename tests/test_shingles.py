"""Shingle Jaccard, MinHash and LSH families on constructed pairs: copies, light edits,
paraphrases, strangers (the corpus-scale checks are in test_transplants.py)."""

from __future__ import annotations

import numpy as np
import pytest

from nlp_toolkit.analysis.shingles import char_shingles, jaccard, normalise_text, optimal_bands
from nlp_toolkit.analysis.transplants import find_families, minhash_signatures, normalise_many

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
    norm = normalise_many([ORIGINAL, ORIGINAL, ""])
    sigs = minhash_signatures(norm, num_perm=64, seed=1)
    assert sigs.dtype == np.uint64 and sigs.shape == (3, 64)
    assert np.array_equal(sigs[0], sigs[1])
    assert np.array_equal(sigs, minhash_signatures(norm, num_perm=64, seed=1))
    assert not np.array_equal(sigs[0], minhash_signatures(norm, num_perm=64, seed=2)[0])
    assert np.all(sigs[2] == np.iinfo(np.uint64).max)


def _word_pair(rng: np.random.Generator, size: int, overlap: float) -> tuple[str, str]:
    """Two texts of ``size`` distinct random words sharing a run of ``overlap * size``."""
    words = [f"{rng.integers(10**6, 10**7)}" for _ in range(2 * size)]
    shared = int(size * overlap)
    return " ".join(words[:size]), " ".join(words[size - shared:2 * size - shared])


@pytest.mark.parametrize("overlap", [0.0, 0.2, 0.5, 0.8, 0.95, 1.0])
def test_minhash_estimate_within_0_1_of_true_jaccard(overlap: float) -> None:
    rng = np.random.default_rng(0)
    for trial in range(5):
        a, b = normalise_many(_word_pair(rng, 60 + 10 * trial, overlap))
        sigs = minhash_signatures([a, b], num_perm=256, seed=3)
        true = jaccard(char_shingles(a), char_shingles(b))
        assert abs(float(np.mean(sigs[0] == sigs[1])) - true) <= 0.1


def test_optimal_bands_respects_budget_and_threshold() -> None:
    for threshold in (0.5, 0.8, 0.9):
        bands, rows = optimal_bands(threshold, 128)
        assert bands * rows <= 128
    with pytest.raises(ValueError, match="between 0 and 1"):
        optimal_bands(1.0, 128)


def test_lsh_finds_pairs_above_threshold_with_high_probability() -> None:
    rng = np.random.default_rng(7)
    found: dict[str, list[bool]] = {"near": [], "far": []}
    for t in range(60):
        for kind, overlap in (("near", 0.93), ("far", 0.5)):
            a, b = _word_pair(rng, 40, overlap)
            true = jaccard(char_shingles(a), char_shingles(b))
            fams = find_families([(f"a{t}:1", a, 1), (f"b{t}:1", b, 2)], threshold=0.8,
                                 min_chars=1)
            found[kind].append(bool(fams))
            if fams:  # every reported pair is verified exactly
                assert true >= 0.8
    assert sum(found["near"]) / 60 >= 0.9
    assert not any(found["far"])


def test_families_group_copies_earliest_first_in_any_script() -> None:
    edited_twice = LIGHT_EDIT.replace("organisations", "organizations")
    items = [
        ("rcep:1", LIGHT_EDIT, 2020),
        ("stranger:1", UNRELATED, 2001),
        ("cptpp:1", edited_twice, 2018),
        ("paraphrase:1", PARAPHRASE, 2010),
        ("aanzfta:1", ORIGINAL, 2009),
        ("pipl:38", CHINESE, 2021),
        ("draft:38", CHINESE_EDIT, 2020),
        ("blank:1", "  ", 1999),
        ("blank:2", "", 1998),
    ]
    families = [f.refs for f in find_families(items, threshold=0.6, min_chars=10)]
    assert families == [("aanzfta:1", "cptpp:1", "rcep:1"), ("draft:38", "pipl:38")]
    strict = [f.refs for f in find_families(items, threshold=0.95, min_chars=10)]
    assert strict == [("cptpp:1", "rcep:1")]
    assert find_families([]) == []


def test_families_are_transitive() -> None:
    base = " ".join(f"word{i}" for i in range(60))
    step1 = base.replace("word10 ", "item10 ")
    step2 = step1.replace("word40 ", "item40 ")
    far = step2.replace("word20 ", "item20 ").replace("word50 ", "item50 ")
    items = [("a:1", base, 1), ("b:1", step1, 2), ("c:1", step2, 3), ("d:1", far, 4)]
    direct = jaccard(char_shingles(base), char_shingles(far))
    families = find_families(items, threshold=0.85)
    assert direct < 0.85  # a and d only meet through the chain
    assert [f.refs for f in families] == [("a:1", "b:1", "c:1", "d:1")]
