"""A translation printed with the law (a web page's second tab): kept after the law's text
as stand-ins of its articles, never a second set of articles. Toy pages first, then the
shared corpus's Vietnamese Cybersecurity Law page (Vietnamese in full, English in part)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from nlp_toolkit.build.ingest import ingest
from nlp_toolkit.extract import read_document
from nlp_toolkit.extract.html import loads_html
from nlp_toolkit.records import Line, Provision
from nlp_toolkit.segment import segment
from nlp_toolkit.segment.standins import article_refs, stood_for_ref
from nlp_toolkit.segment.translation import translation_articles
from nlp_toolkit.sources.manifest import read_manifest
from nlp_toolkit.store import Store
from nlp_toolkit.store.fts import match_query
from nlp_toolkit.store.queries import article_ids, fts_ranking

_NOTICE = "Hãy đăng nhập hoặc đăng ký Thành viên Pro tại đây để xem toàn bộ văn bản tiếng Anh."
_PAGE = """<html><body><nav><a href="/">Trang chủ</a></nav><div id="tabs">
<div class="vn"><div>{vn}</div></div><div class="en"><div>{en}</div></div></div></body></html>"""


def _toy_page() -> str:
    vn = "".join(
        f"<p><b>Điều {k}. Quy định số {k}</b></p><p>1. Cơ quan của nhà nước phải bảo vệ các "
        f"quyền của người dân theo quy định tại Điều này và không được vi phạm.</p>"
        f"<p>2. Doanh nghiệp phải lưu trữ dữ liệu tại Việt Nam theo quy định của Luật này.</p>"
        for k in range(1, 6))
    en = "".join(
        f"<p><b>Article {k}. Rule number {k}</b></p><p>1. The agencies of the state shall "
        f"protect the rights of the people under this Article and shall not breach them.</p>"
        f"<p>...</p><p>...</p><p>{_NOTICE}</p>"
        f"<p>Article {k + 2} of this Law applies to the enterprises that store the data.</p>"
        for k in (1, 2, 4, 3))  # Article 3 printed after 4 (a cross-reference) is text
    return _PAGE.format(vn=vn, en=en + "<p><b>Article 9. No such article</b></p>")


def _toy() -> list[Provision]:
    return segment("vn", loads_html(_toy_page(), language="vi"), language="vi")


def test_toy_translation_is_one_root_with_a_stand_in_per_translated_article() -> None:
    provs = _toy()
    assert [p.number for p in provs if p.level == "article"] == ["1", "2", "3", "4", "5"]
    by_ref = {p.ref: p for p in provs}
    root = by_ref["vn:Translation (en)"]
    assert root.level == "translations" and root.parent_ref is None
    trans = [p for p in provs if p.level == "translation"]
    assert [p.number for p in trans] == ["en 1", "en 2", "en 4"]
    assert {p.parent_ref for p in trans} == {root.ref}
    assert [stood_for_ref(p.ref) for p in trans] == ["vn:1", "vn:2", "vn:4"]
    assert by_ref["vn:en 4"].heading == "Rule number 4"
    # the translation opens with its Article 1: the root holds no text of its own
    assert root.char_start == by_ref["vn:en 1"].char_start
    # "Article 9" names no article of the law, "Article 3" came after 4: text of en 4
    assert "Article 9. No such article" in by_ref["vn:en 4"].text
    assert "Article 3. Rule number 3" in by_ref["vn:en 4"].text
    text = "\n".join(p.text for p in provs if p.parent_ref is None)
    assert "đăng nhập" not in text and "\n...\n" not in text and "Trang chủ" not in text


def test_toy_translation_lines_follow_the_law_and_carry_their_language() -> None:
    doc = loads_html(_toy_page(), language="vi")
    languages = [ln.language for ln in doc.lines]
    first = languages.index("en")
    assert set(languages[:first]) == {""} and set(languages[first:]) == {"en"}
    assert doc.metadata["translation"] == "en"
    # a page read without its language keeps the law alone, as before
    assert all(not ln.language for ln in loads_html(_toy_page()).lines)


def test_translation_heading_rules() -> None:
    lines = [Line("Điều 1. Phạm vi"), Line("Article 1. Scope", language="en"),
             Line("Article 2", language="en"), Line("Article 2: again", language="en"),
             Line("Article 3 of this Law applies.", language="en"),
             Line("Article 3: Duties", language="en")]
    assert translation_articles(lines, 1, {"1", "2", "3"}) == [
        (1, "1", "Scope"), (2, "2", ""), (5, "3", "Duties")]


_refs = st.lists(st.tuples(st.sampled_from(["1", "2", "3", "en 1", "en 4", "Penjelasan 2",
                                            "Chapter 1"]),
                           st.booleans()), max_size=8)


@given(_refs)
def test_article_refs_map_only_to_main_units_of_the_same_document(units: list) -> None:
    rows = [(f"d:{n}", None, main and not n.startswith(("en", "Pen", "Ch")))
            for n, main in dict(units).items()]
    mains = {ref for ref, _, main in rows if main}
    out = article_refs(rows)
    assert set(out.values()) <= mains
    assert all(out[ref] == ref for ref in mains)
    assert all(stood_for_ref(ref) == art for ref, art in out.items() if ref not in mains)


# ---- the real page -------------------------------------------------------------------------

_DOC = "vnm-cybersecurity-law-2018"


def _real(shared_corpus: Path) -> list[Provision]:
    doc = read_document(shared_corpus / "html" / f"{_DOC}.html", language="vi")
    return segment(_DOC, doc, language="vi")


def test_real_vietnamese_page_articles_once_and_translations_link_to_them(
        shared_corpus: Path) -> None:
    provs = _real(shared_corpus)
    articles = [p for p in provs if p.level == "article"]
    assert [p.number for p in articles] == [str(k) for k in range(1, 44)]
    assert all(p.text.startswith(f"Điều {p.number}.") for p in articles)
    trans = [p for p in provs if p.level == "translation"]
    assert len(trans) >= 30  # about 36 'Article N.' headings survive the paywall
    refs = {p.ref for p in articles}
    assert all(stood_for_ref(p.ref) in refs for p in trans)
    assert all(p.text.startswith(f"Article {p.number[3:]}.") for p in trans)
    assert not any(p.level == "translation" for p in provs if p.char_start < trans[0].char_start)
    for p in provs:
        assert "đăng nhập" not in p.text and "Thành viên Pro" not in p.text, p.ref
        assert "\n...\n" not in p.text, p.ref


def test_real_vietnamese_page_english_words_reach_article_26_only_through_its_translation(
        shared_corpus: Path, tmp_path: Path) -> None:
    rows = [r for r in read_manifest(shared_corpus / "manifest.csv").rows if r.doc_id == _DOC]
    with Store.open(tmp_path / "i.sqlite") as store:
        report = ingest(rows, store, workers=0)
        assert not report.failures
        listed = [p.number for p in store.provisions(doc_id=_DOC, articles=True)]
        assert listed == [str(k) for k in range(1, 44)]
        hits = fts_ranking(store, match_query("overseas retain value-added", mode="and"), 20)
        levels = {ref: (level, operative) for ref, level, operative in store.conn.execute(
            "SELECT ref, level, operative FROM provisions")}
        hit_refs = [ref for i, _ in hits for ref, in store.conn.execute(
            "SELECT ref FROM provisions WHERE id = ?", (i,))]
        assert f"{_DOC}:en 26" in hit_refs
        assert all(levels[r] == ("translation", 1) for r in hit_refs)
        ids = {ref: int(i) for i, ref in store.conn.execute("SELECT id, ref FROM provisions")}
        mapping = article_ids(store)
        assert mapping[ids[f"{_DOC}:en 26"]] == ids[f"{_DOC}:26"]
        assert mapping[ids[f"{_DOC}:26(1)"]] == ids[f"{_DOC}:26"]
        assert ids[f"{_DOC}:Translation (en)"] not in mapping
        assert set(mapping.values()) == {ids[f"{_DOC}:{k}"] for k in range(1, 44)}
        # search reports the article a translation stands for, once, never `en 26`
        from nlp_toolkit.search.index import SearchIndex

        index = SearchIndex(store, reranker=None)
        found = [r.ref for r in index.search("retain data overseas value-added services",
                                             k=10, mode="lexical")]
        assert f"{_DOC}:26" in found, found
        assert not any(" " in ref.split(":", 1)[1] for ref in found), found
        assert len(found) == len(set(found))
        # asked for the translation's level, the units themselves
        raw = [r.ref for r in index.search("retain data overseas value-added services",
                                           k=10, mode="lexical", level="translation")]
        assert f"{_DOC}:en 26" in raw, raw
