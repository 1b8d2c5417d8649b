"""The English-Chinese legal lexicon behind cross-language query expansion (pure)."""

from __future__ import annotations

from nlp_toolkit.search.query_expansion import LEXICON, translate, translate_groups


def test_chinese_query_for_erasure_of_personal_data_reaches_gdpr_wording() -> None:
    terms = [t for g in translate_groups("删除个人数据的权利") for t in g]
    # "个人数据" (the GDPR's Chinese wording) as well as PIPL's "个人信息"; "erasure" is
    # the GDPR's word for 删除, next to "deletion"
    assert "personal data" in terms and "个人信息" in terms
    assert "erasure" in terms and "deletion" in terms


def test_english_legal_phrases_translate_both_ways() -> None:
    assert translate("right to erasure") == ["删除"]
    assert "个人数据" in translate("personal data") and "个人信息" in translate("personal data")
    assert translate("nothing legal here") == []


def test_every_chinese_term_translates_back_to_english() -> None:
    for _phrases, zh in LEXICON:
        for term in zh:
            back = translate(term)
            assert any(t.isascii() for t in back), (term, back)
