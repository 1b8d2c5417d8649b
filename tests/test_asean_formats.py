"""ASEAN documents: web pages, Indonesian gazette text, Vietnamese, Philippine and Singapore
structure. Toy inputs written for these tests, then the shared corpus's real documents."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp_toolkit.analysis.amendments import parse_amendments
from nlp_toolkit.extract import detect_format, read_document
from nlp_toolkit.extract.annotations import amendment_notes, split_amendment_notes
from nlp_toolkit.extract.gazette import clean_gazette, is_gazette, loads_gazette
from nlp_toolkit.extract.html import decode_html, loads_html
from nlp_toolkit.extract.text import loads_text
from nlp_toolkit.records import ExtractedDocument, Line, Provision
from nlp_toolkit.segment import segment
from nlp_toolkit.segment.elucidation import elucidated_ref
from nlp_toolkit.segment.operative import is_operative


def _main(provs: list[Provision]) -> list[str]:
    """The main units' numbers: articles, and sections that hold no articles (the store's
    rule for ``--level article``; a Bagian is a section that groups articles)."""
    groups = {p.parent_ref for p in provs if p.level in ("article", "section")}
    return [p.number for p in provs if p.level in ("article", "section") and p.ref not in groups]


# ---- HTML ---------------------------------------------------------------------------------

_PAGE = """<html><head><meta http-equiv="content-type" content="text/html; charset=windows-1252">
<title>Toy Act</title><script>var x = "Section 99. Not law";</script></head><body>
<nav><a href="/">Home</a> <a href="/laws">Laws</a> <a href="/about">About us</a></nav>
<div class="menu"><p><a href="/a">Browse all the acts of the year by number</a></p></div>
<center>
<p><b>REPUBLIC ACT NO. 1</b></p>
<p><b>CHAPTER I</b><br><b>GENERAL PROVISIONS</b></p>
<p><b>Section 1.</b> <i>Short Title.</i> – This Act is called the Toy Act of the year.</p>
<p><b>SEC. 2.</b> <i>Scope.</i> – This Act governs every toy sold in the country.</p>
<dir><p>(a) a toy made here; and</p><p>(b) a toy brought in from abroad.</p></dir>
<table><tr><td>Item</td><td>Fee</td></tr><tr><td>Licence</td><td>10 pesos</td></tr></table>
<p><b>Section 3.</b> <i>Effectivity.</i> – This Act takes effect after its publication.</p>
</center>
<footer><p><a href="/privacy">Privacy policy</a> and terms of use of this website</p></footer>
</body></html>"""


def test_html_declared_windows_1252_but_utf8_bytes_is_read_as_utf8() -> None:
    page = _PAGE.replace("Toy Act of the year", "Toy Act – “Điều” ✓").encode("utf-8")
    assert "Toy Act – “Điều” ✓" in decode_html(page)


def test_html_undecodable_utf8_falls_back_to_the_declared_charset() -> None:
    assert decode_html(b'<meta charset="windows-1252"><p>na\xefve \x93quote\x94</p>').endswith(
        "<p>naïve “quote”</p>")


def test_html_main_content_keeps_blocks_and_drops_navigation_scripts_and_footer() -> None:
    doc = loads_html(_PAGE, language="en")
    texts = [ln.text for ln in doc.lines]
    assert doc.metadata["title"] == "Toy Act"
    assert texts[0] == "REPUBLIC ACT NO. 1"
    assert "Section 1. Short Title. – This Act is called the Toy Act of the year." in texts
    assert "Item | Fee" in texts and "Licence | 10 pesos" in texts  # a table row is a line
    joined = "\n".join(texts)
    for noise in ("Home", "Browse all", "Privacy policy", "Section 99", "var x"):
        assert noise not in joined
    assert [ln.text for ln in doc.lines if ln.bold][:3] == [
        "REPUBLIC ACT NO. 1", "CHAPTER I", "GENERAL PROVISIONS"]


def test_html_philippine_sections_chapters_and_run_in_headings() -> None:
    provs = segment("ph", loads_html(_PAGE, language="en"), language="en")
    secs = {p.number: p for p in provs if p.level == "section"}
    assert list(secs) == ["1", "2", "3"]
    assert [secs[n].heading for n in secs] == ["Short Title", "Scope", "Effectivity"]
    assert secs["2"].parent_ref == "ph:Chapter 1"
    assert [p.ref for p in provs if p.parent_ref == "ph:2"] == ["ph:2(a)", "ph:2(b)"]


def test_html_u_fffd_dash_still_splits_a_run_in_heading() -> None:
    doc = loads_html("<div><p>Section 4. Penalties. \ufffd Whoever breaks a toy pays for it "
                     "in full.</p><p>Section 5. Repeal. \ufffd Older toy rules are gone.</p>"
                     "</div>")
    assert [(p.number, p.heading) for p in segment("ph", doc) if p.level == "section"] == [
        ("4", "Penalties"), ("5", "Repeal")]


_BILINGUAL = """<html><body><div id="tabs">
<div class="vn"><div>{vn}</div></div>
<div class="en"><div>{en}</div></div></div></body></html>"""


def test_html_bilingual_page_keeps_the_translation_after_the_law_never_as_articles() -> None:
    vn = "".join(
        f"<p><b>Điều {k}. Quy định số {k}</b></p><p>1. Cơ quan của nhà nước phải bảo vệ các "
        f"quyền của người dân theo quy định tại Điều này và không được vi phạm.</p>"
        f"<p>2. Tổ chức và cá nhân có trách nhiệm thực hiện các quy định của Luật này.</p>"
        for k in range(1, 6))
    en = "".join(
        f"<p><b>Article {k}. Rule number {k}</b></p><p>1. The agencies of the state shall "
        f"protect the rights of the people under this Article and shall not breach them.</p>"
        "<p>Please log in or subscribe to read the whole English translation.</p>"
        for k in range(1, 5))
    doc = loads_html(_BILINGUAL.format(vn=vn, en=en), language="vi")
    text = doc.text
    assert text.index("Điều 5. Quy định số 5") < text.index("Article 1. Rule number 1")
    assert "subscribe" not in text
    assert doc.metadata["translation"] == "en"
    assert {ln.language for ln in doc.lines if ln.text.startswith("Article")} == {"en"}
    assert {ln.language for ln in doc.lines if ln.text.startswith("Điều")} == {""}
    provs = segment("vn", doc, language="vi")
    assert _main(provs) == ["1", "2", "3", "4", "5"]
    assert [p.number for p in provs if p.level == "translation"] == [
        "en 1", "en 2", "en 3", "en 4"]


def test_html_format_is_detected_from_the_suffix() -> None:
    assert detect_format("laws/ph-act.html") == "html"
    assert detect_format("laws/ph-act.HTM") == "html"


# ---- Vietnamese structure ------------------------------------------------------------------

def test_vietnamese_chapters_articles_clauses_and_points() -> None:
    lines = [
        Line("LUẬT THỬ NGHIỆM", bold=True),
        Line("Chương I", bold=True), Line("QUY ĐỊNH CHUNG", bold=True),
        Line("Điều 1. Phạm vi", bold=True),
        Line("Luật này quy định về việc thử nghiệm."),
        Line("Điều 2. Nguyên tắc", bold=True),
        Line("1. Bảo đảm an toàn cho mọi người."),
        Line("2. Các hành vi bị cấm gồm:"),
        Line("a) Hành vi thứ nhất;"), Line("b) Hành vi thứ hai;"), Line("c) Hành vi thứ ba;"),
        Line("d) Hành vi thứ tư;"), Line("đ) Hành vi thứ năm;"), Line("e) Hành vi thứ sáu."),
        Line("Chương II", bold=True), Line("ĐIỀU KHOẢN THI HÀNH", bold=True),
        Line("Điều 3. Hiệu lực thi hành", bold=True),
        Line("Luật này có hiệu lực từ ngày ký."),
    ]
    provs = segment("vn", ExtractedDocument(lines=tuple(lines), page_count=1), language="vi")
    by_ref = {p.ref: p for p in provs}
    assert _main(provs) == ["1", "2", "3"]
    assert by_ref["vn:2"].heading == "Nguyên tắc" and by_ref["vn:2"].parent_ref == "vn:Chapter 1"
    assert by_ref["vn:3"].parent_ref == "vn:Chapter 2"
    assert [p.ref for p in provs if p.parent_ref == "vn:2(2)"] == [
        "vn:2(2)(a)", "vn:2(2)(b)", "vn:2(2)(c)", "vn:2(2)(d)", "vn:2(2)(đ)", "vn:2(2)(e)"]


def test_lettered_items_are_only_read_in_indonesian_and_vietnamese() -> None:
    lines = (Line("Article 1 Scope"), Line("The following apply:"), Line("a) first thing;"),
             Line("b) second thing."))
    doc = ExtractedDocument(lines=lines, page_count=1)
    assert [p.level for p in segment("x", doc, language="en")] == ["article"]
    assert [p.level for p in segment("x", doc, language="vi")] == ["article", "item", "item"]


# ---- Indonesian gazette text ----------------------------------------------------------------

def _page(n: int, body: str, *, header: bool = True) -> str:
    top = f"PRESIDEN\nREPUBLIK INDONESIA\n- {n} -\n" if header and n > 1 else ""
    return f"\n--- HALAMAN {n} ---\n{top}{body}\n"


_GAZETTE = (
    _page(1, "PRESIDEN\nREPUBLIK INDONESIA\nUNDANG-UNDANG CONTOH\nBAB I\nKETENTUAN UMUM\n"
             "Bagian Kesatu\nIstilah\nPasal 1\nDalam Undang-Undang ini yang dimaksud dengan:\n"
             "1. Mainan adalah benda.\n2. Penjual adalah orang.\nPasal 2 . . .\nSK No 000001 A")
    + _page(2, "Pasal 2\n(1) Setiap Penjual wajib\nmendaftar.\n(2) Pendaftaran meliputi:\n"
               "a. nama;\nb. alamat; dan\nc. bahwa . . .")
    + _page(3, "c. nomor telepon.\nBAB II\nLARANGAN\nPasal 3\nSetiap orang dilarang "
               "merusak Mainan.\nPasal 4 1 . .")
    + _page(4, "Pasal 4 1\nUndang-Undang ini mulai berlaku pada tanggal diundangkan.\n"
               "SK No 000002 A")
    + _page(5, "PENJELASAN\nATAS\nUNDANG-UNDANG CONTOH\nI. UMUM\nUndang-Undang ini "
               "mengatur mainan.\nII. PASAL DEMI PASAL\nPasal 1\nCukup jelas.\nPasal 2\n"
               "Ayat (1)\nPendaftaran dilakukan secara elektronik.\nPasal 3\nCukup jelas.\n"
               "Pasal 41\nCukup jelas.")
)


def test_gazette_furniture_and_catchwords_are_removed() -> None:
    assert is_gazette(_GAZETTE) and not is_gazette("Pasal 1\nTeks.")
    clean = clean_gazette(_GAZETTE)
    for noise in ("HALAMAN", "PRESIDEN", "SK No", "- 2 -", ". . .", "Pasal 2 .", "4 1"):
        assert noise not in clean, noise
    assert clean.count("\f") == 4  # five pages
    assert "Pasal 41" in clean


def test_gazette_articles_are_pasal_1_to_n_and_elucidations_are_their_own_units() -> None:
    doc = loads_gazette(_GAZETTE)
    provs = segment("id", doc, language="id")
    assert _main(provs) == ["1", "2", "3", "41"]
    by_ref = {p.ref: p for p in provs}
    assert by_ref["id:1"].parent_ref == "id:Chapter 1 Section 1"
    assert by_ref["id:Chapter 1 Section 1"].heading == "Istilah"
    assert by_ref["id:3"].parent_ref == "id:Chapter 2"
    assert [p.ref for p in provs if p.parent_ref == "id:2"] == ["id:2(1)", "id:2(2)"]
    assert [p.ref for p in provs if p.parent_ref == "id:2(2)"] == [
        "id:2(2)(a)", "id:2(2)(b)", "id:2(2)(c)"]
    assert "nomor telepon" in by_ref["id:2(2)(c)"].text
    elus = [p for p in provs if p.level == "elucidation"]
    assert [p.ref for p in elus] == ["id:Penjelasan 1", "id:Penjelasan 2", "id:Penjelasan 3",
                                     "id:Penjelasan 41"]
    assert all(p.parent_ref == "id:Penjelasan" for p in elus)
    assert by_ref["id:Penjelasan"].level == "elucidations"
    assert "secara elektronik" in by_ref["id:Penjelasan 2"].text
    assert [elucidated_ref(p.ref) for p in elus] == ["id:1", "id:2", "id:3", "id:41"]
    assert doc.page_count == 5 and by_ref["id:Penjelasan 2"].page_start == 5


_AMENDING = (
    _page(1, "UNDANG-UNDANG CONTOH\nTENTANG\nPERUBAHAN ATAS UNDANG-UNDANG MAINAN\n"
             "MEMUTUSKAN:\nPasal 1\nBeberapa ketentuan dalam Undang-Undang Mainan diubah "
             "sebagai berikut:\n1. Ketentuan Pasal 2 diubah sehingga Pasal 2 berbunyi "
             "sebagai berikut:\nPasal 2\nSetiap Penjual wajib mendaftar secara elektronik.\n"
             "2. Di antara Pasal 3 dan Pasal 4 disisipkan 1 (satu) pasal, yakni Pasal 3A "
             "sehingga berbunyi sebagai berikut:\nPasal 3A\nPenjual dapat menjual daring.\n"
             "3. Pasal 5 dihapus.\nPasal II\nUndang-Undang ini mulai berlaku pada tanggal "
             "diundangkan.")
)


def test_gazette_amending_law_has_articles_i_and_ii_and_its_amendments_parse() -> None:
    provs = segment("am", loads_gazette(_AMENDING), language="id")
    arts = [p for p in provs if p.level == "article"]
    assert [p.number for p in arts] == ["I", "II"]
    found = parse_amendments((p.ref, p.heading, p.text) for p in arts)
    assert [(a.section, a.action, a.after) for a in found] == [
        ("2", "amended", None), ("3A", "inserted", "3"), ("5", "deleted", None)]
    assert {a.ref for a in found} == {"am:I"}


# ---- Singapore Markdown amendment notes ------------------------------------------------------

def test_singapore_amendment_notes_are_annotations_not_body_text() -> None:
    md = ("# Toy Act\n\n## PART 1 - PRELIMINARY\n\n### Section 1. Short title\n\n"
          "1. This Act is the Toy Act. [Act 3 of 2021 wef 1/1/2022]\n\n"
          "### Section 2A. Toys\n\n2A. —(1) A toy is a thing. [4/2020; 5/2021] (2) A game is "
          "not a toy. [ Deleted by Act 3 of 2021 wef 1/1/2022 ]\n\n"
          "### Section 3. Repealed laws\n\n3. [Repealed by Act 3 of 2021]\n")
    doc = split_amendment_notes(loads_text(md))
    assert "wef" not in doc.text and "[4/2020" not in doc.text
    assert "[Repealed by Act 3 of 2021]" in doc.text  # a repeal note is the unit's text
    assert amendment_notes(doc.metadata) == {
        "Section 1. Short title": ["Act 3 of 2021 wef 1/1/2022"],
        "Section 2A. Toys": ["4/2020; 5/2021", "Deleted by Act 3 of 2021 wef 1/1/2022"],
    }
    provs = segment("sg", doc)
    assert [(p.number, p.heading) for p in provs if p.level == "section"] == [
        ("1", "Short title"), ("2A", "Toys"), ("3", "Repealed laws")]


# ---- the real documents of the shared corpus -------------------------------------------------

_EXPECTED = {  # doc_id: (path, language, main-unit count, numbered 1..N without gaps)
    "phl-data-privacy-act-2012": ("html/phl-data-privacy-act-2012.html", "en", 45, True),
    "phl-cybercrime-prevention-act-2012": ("html/phl-cybercrime-prevention-act-2012.html",
                                           "en", 31, True),
    "vnm-cybersecurity-law-2018": ("html/vnm-cybersecurity-law-2018.html", "vi", 43, True),
    "idn-pdp-law-2022": ("text/idn-pdp-law-2022.txt", "id", 76, True),
    "idn-ite-law-2008": ("text/idn-ite-law-2008.txt", "id", 54, True),
    "idn-gr71-2019-electronic-systems": ("text/idn-gr71-2019-electronic-systems.txt", "id",
                                         104, True),
    "sgp-cybersecurity-act-2018": ("text/sgp-cybersecurity-act-2018.md", "en", 74, False),
    "sgp-electronic-transactions-act-2010": ("text/sgp-electronic-transactions-act-2010.md",
                                             "en", 58, False),
}
_NOISE = re.compile(r"HALAMAN|SK No \d|^PRESIDEN$|\. \. \.|wef \d|Đăng nhập|đăng ký Thành viên|"
                    r"Hãy đăng nhập|Tra cứu|Lawphil Project|\ufeff", re.MULTILINE)


def _real(shared_corpus: Path, doc_id: str) -> list[Provision]:
    path, language, _, _ = _EXPECTED[doc_id]
    doc = read_document(shared_corpus / path, language=language)
    return segment(doc_id, doc, language=language)


@pytest.mark.parametrize("doc_id", sorted(_EXPECTED))
def test_real_asean_documents_have_the_laws_own_numbering(shared_corpus: Path,
                                                          doc_id: str) -> None:
    provs = _real(shared_corpus, doc_id)
    numbers = _main(provs)
    _, _, count, continuous = _EXPECTED[doc_id]
    assert len(numbers) == count
    assert len(set(numbers)) == count, "no article twice"
    if continuous:
        assert numbers == [str(k) for k in range(1, count + 1)]
    noisy = [p.ref for p in provs if _NOISE.search(p.text)]
    assert noisy == []
    if not doc_id.startswith("idn-"):  # Indonesian articles have no headings
        headed = [p.heading for p in provs if p.level in ("article", "section")]
        assert sum(map(bool, headed)) >= len(headed) - 1  # RA 10175 s.6 has none


def test_singapore_deleted_section_is_a_unit_not_the_previous_sections_last_word() -> None:
    md = ("# Toy Act\n\n### Section 10. Toys\n\n10. —(1) A toy is a thing. [Act 3 of 2021 wef "
          "1/1/2022] (2) It is fun. [Act 3 of 2021 wef 1/1/2022] 11. [ Deleted by Act 3 of 2021 "
          "wef 1/1/2022 ]\n\n### Section 12. Games\n\n12. A game is not a toy, as section "
          "10. [Deleted by Act 3 of 2021] says. 13. to 15. [Repealed by Act 3 of 2021]\n\n"
          "### Section 16. End\n\n16. The end.\n")
    doc = split_amendment_notes(loads_text(md))
    provs = {p.number: p for p in segment("sg", doc) if p.level == "section"}
    assert list(provs) == ["10", "11", "12", "13-15", "16"]
    assert provs["13-15"].heading == "[Repealed]"
    assert provs["10"].text.rstrip().endswith("It is fun.")
    assert provs["11"].heading == "[Deleted]"
    assert amendment_notes(doc.metadata)["Section 11. [Deleted]"] == [
        "Deleted by Act 3 of 2021 wef 1/1/2022"]
    assert not is_operative("section", provs["11"].heading, provs["11"].text)
    assert is_operative("section", provs["10"].heading, provs["10"].text)
    # a cross-reference before a deletion note starts no section
    assert "section 10. [Deleted by Act 3 of 2021] says" not in provs["12"].text
    assert provs["12"].text.rstrip().endswith("as section 10. says.")


def test_real_singapore_deleted_sections_are_listed(shared_corpus: Path) -> None:
    provs = _real(shared_corpus, "sgp-cybersecurity-act-2018")
    gone = {p.number: p for p in provs if p.level == "section"
            and p.heading.startswith("[Deleted")}
    assert sorted(gone) == ["11", "18"]
    sections = {p.number: p for p in provs if p.level == "section"}
    assert not sections["10"].text.rstrip().endswith("11.")
    assert not sections["17F"].text.rstrip().endswith("18.")


def test_real_singapore_sections_are_numbered_as_printed(shared_corpus: Path) -> None:
    numbers = _main(_real(shared_corpus, "sgp-electronic-transactions-act-2010"))
    assert numbers[15:36] == ["16", *[f"16{c}" for c in "ABCDEFGHIJKLMNOPQRS"], "17"]
    assert numbers[-1] == "39"


@pytest.mark.parametrize(("doc_id", "n"), [("idn-pdp-law-2022", 76), ("idn-ite-law-2008", 54),
                                            ("idn-gr71-2019-electronic-systems", 104)])
def test_real_indonesian_elucidations_one_per_article(shared_corpus: Path, doc_id: str,
                                                     n: int) -> None:
    provs = _real(shared_corpus, doc_id)
    elus = [p for p in provs if p.level == "elucidation"]
    assert [p.number for p in elus] == [f"Penjelasan {k}" for k in range(1, n + 1)]
    articles = {p.ref for p in provs if p.level == "article"}
    assert all(elucidated_ref(p.ref) in articles for p in elus)


def test_real_ite_amendment_elucidations_stand_for_pasal_i(shared_corpus: Path) -> None:
    from nlp_toolkit.segment.standins import article_refs
    from nlp_toolkit.segment.units import main_units

    doc_id = "idn-ite-amendment-2016"
    provs = segment(doc_id, read_document(shared_corpus / "text" / f"{doc_id}.txt"),
                    language="id")
    refs = article_refs((p.ref, p.parent_ref, m) for p, m in zip(provs, main_units(provs),
                                                                 strict=True))
    elus = [p.ref for p in provs if p.level == "elucidation"]
    assert f"{doc_id}:Penjelasan 26" in elus
    # article 26 is the one Pasal I rewrites: its elucidation is a hit on Pasal I
    assert {refs.get(r) for r in elus} == {f"{doc_id}:I"}
    # a law with articles of its own keeps the rule: a missing article is no article
    base = "idn-ite-law-2008"
    base_provs = segment(base, read_document(shared_corpus / "text" / f"{base}.txt"),
                         language="id")
    base_refs = article_refs((p.ref, p.parent_ref, m) for p, m in zip(
        base_provs, main_units(base_provs), strict=True))
    assert base_refs[f"{base}:Penjelasan 26"] == f"{base}:26"


def test_real_ite_amendment_reports_the_amended_articles(shared_corpus: Path) -> None:
    doc_id = "idn-ite-amendment-2016"
    doc = read_document(shared_corpus / "text" / f"{doc_id}.txt")
    provs = segment(doc_id, doc, language="id")
    arts = [p for p in provs if p.level == "article"]
    assert [p.number for p in arts] == ["I", "II"]
    found = parse_amendments((p.ref, p.heading, p.text) for p in arts)
    assert [(a.section, a.action) for a in found] == [
        ("1", "amended"), ("5", "amended"), ("26", "amended"), ("27", "amended"),
        ("31", "amended"), ("40", "amended"), ("43", "amended"), ("45", "amended"),
        ("45A", "inserted"), ("45B", "inserted")]


# ---- scoring cues in Indonesian and Vietnamese ------------------------------------------------

@pytest.mark.parametrize(("text", "language", "expected"), [
    ("Pasal 5\n(1) Setiap Penjual wajib mendaftar ke Menteri.", "id", "hard"),
    ("Pasal 6\nSetiap orang dilarang merusak Mainan milik orang lain.", "id", "hard"),
    ("Pasal 7\nPemerintah mendorong kerja sama antarpenjual.", "id", "soft"),
    ("Pasal 8\nMenteri dapat memberikan penghargaan.", "id", "soft"),
    ("Pasal 9\nCukup jelas.", "id", "none"),
    ("Điều 3. Trách nhiệm\nNgười bán phải đăng ký với cơ quan nhà nước.", "vi", "hard"),
    ("Điều 4. Cấm\nTổ chức không được thu thập dữ liệu trái phép.", "vi", "hard"),
    ("Điều 5. Chính sách\nNhà nước khuyến khích doanh nghiệp đầu tư.", "vi", "soft"),
    ("Điều 6. Quyền\nCơ quan có thể yêu cầu người bán giải trình.", "vi", "soft"),
])
def test_indonesian_and_vietnamese_bindingness_cues(text: str, language: str,
                                                    expected: str) -> None:
    from nlp_toolkit.score.modality import classify_bindingness

    assert classify_bindingness(text, language)[0] == expected
    assert classify_bindingness(text, "en")[0] == "none"  # English cues do not read them


def test_indonesian_and_vietnamese_direction_cues() -> None:
    from nlp_toolkit.score.direction import direction_cue_counts

    assert direction_cue_counts("Data wajib disimpan di wilayah Indonesia.", "id") == (0, 2)
    assert direction_cue_counts("Doanh nghiệp phải lưu trữ dữ liệu tại Việt Nam.", "vi") == (
        0, 2)


# ---- invariants ----------------------------------------------------------------------------

_TOKENS = st.sampled_from([
    "<p>", "</p>", "<div>", "</div>", "<b>", "</b>", "<a href='/x'>", "</a>", "<br>", "<td>",
    "<tr>", "<table>", "</table>", "<script>", "</script>", "Section 1.", "Điều 2.", "(a) ",
    "1. ", "text ", "Pasal 3", "\n", "--- HALAMAN 2 ---", "PRESIDEN", "SK No 000001 A",
    "Pasal 4 . . .", "PENJELASAN", "ATAS", "Pasal I", "Pasal II", "[Act 1 of 2020]", "&amp;",
    "[ Deleted by Act 1 of 2020 ]", "to 4. ", "\n### Section 2. Toys\n",
])


@settings(max_examples=60, deadline=None)
@given(st.lists(_TOKENS, max_size=60))
def test_readers_never_crash_and_segments_tile_the_text(tokens: list[str]) -> None:
    text = "".join(tokens)
    for doc in (loads_html(text, language="vi"), loads_gazette(text),
                split_amendment_notes(loads_text(text)),
                split_amendment_notes(loads_text(text, markdown=False))):
        provs = segment("x", doc, language="id")
        roots = [p for p in provs if p.parent_ref is None]
        assert "".join(p.text for p in roots) == doc.text
        assert all("\n" not in ln.text for ln in doc.lines)


def test_gazette_amending_law_roman_numerals_misread_as_letters() -> None:
    text = _page(1, "PERUBAHAN ATAS UNDANG-UNDANG MAINAN\nPasal l\n1. Ketentuan Pasal 2 diubah "
                    "sehingga Pasal 2 berbunyi sebagai berikut:\nPasal 2\nIsi baru.\nPasal ll\n"
                    "Mulai berlaku.")
    provs = segment("a", loads_gazette(text), language="id")
    assert [p.number for p in provs if p.level == "article"] == ["I", "II"]


def test_gazette_bare_markers_join_their_text_and_capital_c_is_an_item_letter() -> None:
    text = _page(1, "Pasal 1\n(1)\nMainan meliputi:\na.\nboneka;\nb.\nbola; dan\nC.\nlayang-"
                    "layang.\n(2) Cukup satu.")
    provs = segment("id", loads_gazette(text), language="id")
    assert [p.ref for p in provs] == ["id:1", "id:1(1)", "id:1(1)(a)", "id:1(1)(b)",
                                      "id:1(1)(c)", "id:1(2)"]
    assert {p.ref: p.text for p in provs}["id:1(1)(c)"] == "c. layang-layang.\n"


def test_gazette_ayat_missing_its_bracket_and_pasal_has_no_heading() -> None:
    text = _page(1, "Pasal 1\nPenjual wajib mendaftar\nsecara elektronik.\nPasal 2\n(1 Penjual "
                    "wajib:\na. mendaftar; dan\nb. membayar.\n(2) Cukup.")
    provs = segment("id", loads_gazette(text), language="id")
    assert [p.ref for p in provs] == ["id:1", "id:2", "id:2(1)", "id:2(1)(a)", "id:2(1)(b)",
                                      "id:2(2)"]
    assert all(p.heading == "" for p in provs)



def test_vietnamese_d_with_stroke_is_searchable_without_it(tmp_path: Path) -> None:
    """``dieu`` finds ``Điều`` and ``du lieu`` finds ``dữ liệu``: the index folds đ to d and
    SQLite's unicode61 drops tone marks (a toy law written for the test, the real query path)."""
    from nlp_toolkit.records import Line
    from nlp_toolkit.search.index import search
    from nlp_toolkit.store import DocumentMeta, Store
    from nlp_toolkit.store.fts import fold

    assert fold("Đ đ") == "D d"
    lines = ("Điều 1. Phạm vi", "Luật này quy định về đồ chơi.",
             "Điều 2. Bảo vệ dữ liệu", "Người bán phải bảo vệ dữ liệu của khách hàng.")
    doc = ExtractedDocument(lines=tuple(Line(t) for t in lines), page_count=1)
    with Store.open(tmp_path / "vn.sqlite") as store:
        store.write_document(DocumentMeta(doc_id="vn-toy", path="vn-toy.txt", sha256="vn",
                                          doc_type="statute", language="vi",
                                          jurisdiction="VNM"),
                             doc, segment("vn-toy", doc, language="vi"))
        refs = [h.ref for h in search(store, "bao ve du lieu", mode="lexical")]
        assert refs[:1] == ["vn-toy:2"], refs
        assert [h.ref for h in search(store, "do choi", mode="lexical")][:1] == ["vn-toy:1"]
