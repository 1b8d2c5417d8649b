"""The legal lexicon behind cross-language query expansion: English phrases with their
Chinese, Indonesian and Vietnamese wording (pure)."""

from __future__ import annotations

from nlp_toolkit.extract.scripts import has_han
from nlp_toolkit.search.query_expansion import LEXICON, translate, translate_groups
from nlp_toolkit.store.fts import fold


def test_chinese_query_for_erasure_of_personal_data_reaches_gdpr_wording() -> None:
    terms = [t for g in translate_groups("删除个人数据的权利") for t in g]
    # "个人数据" (the GDPR's Chinese wording) as well as PIPL's "个人信息"; "erasure" is
    # the GDPR's word for 删除, next to "deletion"
    assert "personal data" in terms and "个人信息" in terms
    assert "erasure" in terms and "deletion" in terms


def test_english_legal_phrases_translate_both_ways() -> None:
    assert [t for t in translate("right to erasure") if has_han(t)] == ["删除"]
    assert "个人数据" in translate("personal data") and "个人信息" in translate("personal data")
    assert translate("nothing legal here") == []


def test_every_chinese_term_translates_back_to_english() -> None:
    for _phrases, terms in LEXICON:
        for term in filter(has_han, terms):
            back = translate(term)
            assert any(t.isascii() for t in back), (term, back)


def test_english_phrases_reach_indonesian_and_vietnamese_statute_wording() -> None:
    assert {"data pribadi", "dữ liệu cá nhân"} <= set(translate("personal data"))
    assert "tanda tangan elektronik" in translate("Is an electronic signature valid?")
    assert "penyelenggara sistem elektronik" in translate("duties of an electronic system operator")
    # a Chinese query gets English and Chinese terms only: the Indonesian wording is
    # reached from English
    assert all(t.isascii() or has_han(t) for t in translate("个人信息出境"))


def test_indonesian_and_vietnamese_terms_match_statute_text_as_the_index_folds_it() -> None:
    import sqlite3

    from nlp_toolkit.store.fts import match_query
    from nlp_toolkit.store.schema import FTS_TOKENIZER

    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE VIRTUAL TABLE t USING fts5 (text, tokenize = \"{FTS_TOKENIZER}\")")
    texts = ["Pengendali Data Pribadi wajib melakukan penghapusan Data Pribadi.",
             "Điều 17. Bảo vệ thông tin cá nhân; xóa dữ liệu cá nhân trên không gian mạng.",
             "The controller shall erase the data."]
    conn.executemany("INSERT INTO t (rowid, text) VALUES (?, ?)",
                     [(i, fold(x)) for i, x in enumerate(texts)])

    def hits(term: str) -> set[int]:
        q = match_query(term, mode="and")
        return {r for r, in conn.execute("SELECT rowid FROM t WHERE t MATCH ?", (q,))}

    terms = translate("erasure of personal data")
    assert {"data pribadi", "penghapusan"} <= set(terms)
    assert hits("data pribadi") == hits("penghapusan") == {0}
    assert hits("dữ liệu cá nhân") == {1} == hits("du lieu ca nhan")
    assert hits("Dieu 17") == {1}  # Vietnamese đ is folded to d
