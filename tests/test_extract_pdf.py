"""The PDF reader: generated PDFs for each rule, golden checks on real pages."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from nlp_toolkit.errors import ExtractionError, ResourceLimitError, ScannedDocumentError
from nlp_toolkit.extract import pdf as pdf_module
from nlp_toolkit.extract.pdf import ocr_data_to_lines, read_pdf
from nlp_toolkit.extract.pdf_cleanup import dehyphenate, find_running_lines, running_key
from nlp_toolkit.extract.pdf_layout import normalize_text, page_lines
from nlp_toolkit.records import Line
from tests.fixtures_pdf import Text, body, justified, write_pdf

GOLDEN = Path(__file__).parent / "golden" / "extract"


@pytest.fixture
def no_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_module, "ocr_available", lambda: False)


# --- generated PDFs -------------------------------------------------------------------


def test_running_header_footer_removed_but_top_heading_kept(tmp_path: Path) -> None:
    pages = []
    for n in range(1, 7):
        items = [Text("Model Data Law 2024", 220, 30, 10), Text(f"- {n + 10} -", 280, 800, 10)]
        if n == 4:
            items.append(Text("CHAPTER 2", 260, 60, 12, "Times-Bold"))
        items += body([f"Body text of page {n}, line {i}." for i in range(5)])
        pages.append(items)
    doc = read_pdf(write_pdf(tmp_path / "running.pdf", pages))
    texts = [ln.text for ln in doc.lines]
    assert "Model Data Law 2024" not in texts
    assert not any(t.startswith("-") for t in texts)
    assert texts.count("CHAPTER 2") == 1
    assert texts.index("CHAPTER 2") == texts.index("Body text of page 4, line 0.") - 1
    assert {ln.text for ln in doc.removed} >= {"Model Data Law 2024", "- 11 -", "- 16 -"}
    assert doc.page_count == 6 and doc.lines[0].page == 1


def test_justified_words_without_space_characters_are_split(tmp_path: Path) -> None:
    words = ["Unless", "the", "organisation", "is", "satisfied", "on", "reasonable", "grounds"]
    page = justified(words, 72, 120, gap=2.8, size=13)
    page += body(["An ordinary line follows."], top=140)
    doc = read_pdf(write_pdf(tmp_path / "justified.pdf", [page]))
    assert doc.lines[0].text == " ".join(words)
    assert doc.lines[1].text == "An ordinary line follows."


def test_two_column_page_reads_left_column_first(tmp_path: Path) -> None:
    left = body([f"Left column text line number {i} here" for i in range(8)], x=60)
    right = body([f"Right column text line number {i} here" for i in range(8)], x=320)
    title = [Text("A TITLE SPANNING THE WHOLE WIDTH OF THE PAGE ABOVE THE COLUMNS", 60, 90)]
    doc = read_pdf(write_pdf(tmp_path / "columns.pdf", [title + left + right]))
    texts = [ln.text for ln in doc.lines]
    assert texts[0].startswith("A TITLE")
    assert texts[1:9] == [f"Left column text line number {i} here" for i in range(8)]
    assert texts[9:] == [f"Right column text line number {i} here" for i in range(8)]


def test_hanging_indent_and_marginal_note_stay_single_column(tmp_path: Path) -> None:
    lines = [Text("Interpretation", 20, 120, 8)]
    for i in range(8):
        x = 110 if i % 3 == 0 else 140
        lines.append(
            Text(f"({chr(97 + i)}) a paragraph of the section that runs on", x, 120 + 16 * i)
        )
    doc = read_pdf(write_pdf(tmp_path / "indent.pdf", [lines]))
    assert [ln.text[:3] for ln in doc.lines[1:]] == [f"({chr(97 + i)})" for i in range(8)]
    assert doc.lines[0].text == "Interpretation"


def test_footnotes_kept_apart_and_reference_numbers_dropped(tmp_path: Path) -> None:
    lines = ["Body text of the article, long enough to set the body size."] * 4
    items = body(
        [*lines, "The measure pursues a legitimate public policy", "objective, provided that"]
    )
    # a raised, small footnote reference glued to "objective,"
    items.append(Text("12", 72 + 52, 120 + 5 * 16 + 12 - 6.5, 6.5, rise=4))
    items += [
        Text("12", 72, 760 + 10 - 6.5, 6.5, rise=3),
        Text("For the purposes of this subparagraph, the Parties affirm it.", 80, 760, 10),
        Text("The note goes on to a second line.", 80, 772, 10),
    ]
    doc = read_pdf(write_pdf(tmp_path / "notes.pdf", [items]))
    assert [ln.text for ln in doc.footnotes] == [
        "12 For the purposes of this subparagraph, the Parties affirm it.",
        "The note goes on to a second line.",
    ]
    assert doc.lines[-1].text == "objective, provided that"


def test_hyphenated_line_ends_are_joined(tmp_path: Path) -> None:
    lines = [
        "promote inter-",
        "national trade and cross-",
        "border flows;",
        "international rules apply.",
    ]
    doc = read_pdf(write_pdf(tmp_path / "hyphen.pdf", [body(lines)]))
    assert [ln.text for ln in doc.lines] == [
        "promote international",
        "trade and cross-border",
        "flows;",
        "international rules apply.",
    ]
    raw = read_pdf(tmp_path / "hyphen.pdf", join_hyphens=False)
    assert [ln.text for ln in raw.lines] == lines


def test_dehyphenate_uses_document_evidence() -> None:
    lines = [Line("a non-"), Line("discriminatory rule"), Line("the re-"), Line("quire")]
    out = [ln.text for ln in dehyphenate(lines, vocabulary={"require"})]
    assert out == ["a non-discriminatory", "rule", "the require"]
    kept = dehyphenate([Line("data-"), Line("driven"), Line("a data-driven x")])
    assert kept[0].text == "data-driven"


def test_image_only_page_is_reported_as_scanned(tmp_path: Path, no_ocr: None) -> None:
    pages = [body(["A page with a text layer."]), []]
    doc = read_pdf(write_pdf(tmp_path / "partial.pdf", pages, images=[1]))
    assert doc.scanned_pages == (2,)
    assert doc.warnings and "no text layer" in doc.warnings[0]
    assert [ln.text for ln in doc.lines] == ["A page with a text layer."]


def test_fully_scanned_without_ocr_raises(tmp_path: Path, no_ocr: None) -> None:
    path = write_pdf(tmp_path / "scan.pdf", [[], []], images=[0, 1])
    with pytest.raises(ScannedDocumentError, match="no text layer.*tesseract"):
        read_pdf(path)


def test_bad_inputs_raise_one_line_extraction_errors(tmp_path: Path) -> None:
    good = write_pdf(tmp_path / "good.pdf", [body(["x y z"])] * 3)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(good.read_bytes()[:300])
    html = tmp_path / "page.pdf"
    html.write_text("<html><body>Not found</body></html>")
    locked = write_pdf(tmp_path / "locked.pdf", [body(["secret"])], encrypt="pw")
    cases = [
        (empty, ExtractionError, "empty"),
        (truncated, ExtractionError, "damaged or truncated"),
        (html, ExtractionError, "not a PDF"),
        (locked, ExtractionError, "encrypted"),
        (tmp_path / "missing.pdf", ExtractionError, "not found"),
    ]
    for path, error, reason in cases:
        with pytest.raises(error, match=reason) as info:
            read_pdf(path)
        assert str(path) in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(ResourceLimitError, match="3 pages, more than the limit of 2"):
        read_pdf(good, max_pages=2)
    with pytest.raises(ResourceLimitError, match="longer than 0 s"):
        read_pdf(good, timeout_s=0.0)


# --- pure functions --------------------------------------------------------------------


def test_normalize_text_ligatures_and_thai_sara_am() -> None:
    assert normalize_text("\ufb01nancial of\ufb02ine") == "financial offline"
    am = "\u0e2a\u0e33\u0e19\u0e31\u0e01"
    assert normalize_text("\u0e2a\u0e4d\u0e32\u0e19\u0e31\u0e01") == am
    assert normalize_text("\u0e2a \u0e32\u0e19\u0e31\u0e01") == "\u0e2a\u0e33\u0e19\u0e31\u0e01"
    assert normalize_text("\u0e04\u0e48\u0e4d\u0e32") == "\u0e04\u0e48\u0e33"


def test_thai_nikhahit_mapped_to_space_is_repaired() -> None:
    base = dict(top=0.0, bottom=17.0, size=17.0, fontname="TH SarabunPSK", upright=True)
    chars = [
        dict(base, text="\u0e2a", x0=0.0, x1=6.5),
        dict(base, text=" ", x0=6.5, x1=6.5),
        dict(base, text="\u0e32", x0=6.8, x1=12.2),
        dict(base, text="\u0e19", x0=12.4, x1=19.6),
    ]
    assert page_lines(chars, page=1, width=100)[0].text == "\u0e2a\u0e33\u0e19"


def test_running_key_masks_digits() -> None:
    assert running_key("16 Laws of Malaysia Act 599") == running_key("18 Laws of Malaysia Act 599")
    assert running_key("WJW21/1045 Act 599.indd 15") == running_key("WJW21/1045 Act 599.indd 9")


def test_find_running_lines_keeps_a_once_only_heading() -> None:
    pages = [
        [
            Line(f"Consumer Protection {n}", page=n, top=30, bottom=40),
            Line("body", top=300, bottom=312),
        ]
        for n in range(1, 6)
    ]
    pages[2].insert(1, Line("CHAPTER 12", page=3, top=50, bottom=62))
    found = find_running_lines(pages, [800.0] * 5)
    assert found == {(p, 0) for p in range(5)}


def test_ocr_words_grouped_into_lines() -> None:
    data: dict[str, list[Any]] = {
        "text": ["Section", "1", "", "Scope"],
        "conf": [90, 91, -1, 88],
        "block_num": [1, 1, 1, 1],
        "par_num": [1, 1, 1, 2],
        "line_num": [1, 1, 1, 1],
        "left": [100, 400, 0, 100],
        "top": [100, 100, 0, 200],
        "width": [280, 40, 0, 200],
        "height": [50, 50, 0, 50],
    }
    lines = ocr_data_to_lines(data, page=3, scale=2.0)
    assert [(ln.text, ln.page, ln.x0, ln.top) for ln in lines] == [
        ("Section 1", 3, 50.0, 50.0),
        ("Scope", 3, 50.0, 100.0),
    ]


# --- real documents: golden checks ---------------------------------------------------------

REAL = {
    # doc file, pages read, short quotes that must appear in the body text
    "sgp-pdpa-2012": (
        "pdf/sgp-pdpa-2012.pdf",
        range(29, 34),
        [
            "(2) Unless the organisation is satisfied on reasonable grounds that a",
            "Correction of personal data",
        ],
    ),
    "rcep-2020-ch12": (
        "pdf/rcep-2020.pdf",
        range(421, 432),
        [
            "CHAPTER 12",
            "Article 12.15: Cross-border Transfer of Information by Electronic",
        ],
    ),
    "tha-pdpa-2019-th": ("pdf/tha-pdpa-2019-th.pdf", range(4, 7), ["สำนักงาน"]),
    "mys-consumer-protection-act-1999": (
        "pdf/mys-consumer-protection-act-1999.pdf",
        range(28, 33),
        ["Presumption of liability for advertisement"],
    ),
    "eu-gdpr-2016": (
        "pdf/eu-gdpr-2016.pdf",
        range(1, 5),
        ["THE EUROPEAN PARLIAMENT AND THE COUNCIL"],
    ),
}


def _summary(doc_lines: tuple[Line, ...], pages: range) -> dict[str, object]:
    out: dict[str, object] = {}
    for page in pages:
        text = "\n".join(ln.text for ln in doc_lines if ln.page == page)
        out[str(page)] = {
            "lines": sum(1 for ln in doc_lines if ln.page == page),
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
        }
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REAL))
def test_real_pdf_pages_match_golden(name: str, shared_corpus: Path, update_golden: bool) -> None:
    rel, pages, quotes = REAL[name]
    doc = read_pdf(shared_corpus / rel, pages=pages)
    text = doc.text
    for quote in quotes:
        assert quote in text
    assert "\u0e4d\u0e32" not in text
    assert not any(
        running_key(ln.text) == running_key(rm.text)
        for ln in doc.lines
        for rm in doc.removed
        if len(rm.text) > 8
    )
    result = {
        "body": _summary(doc.lines, pages),
        "footnotes": _summary(doc.footnotes, pages),
        "removed": len(doc.removed),
    }
    golden = GOLDEN / f"{name}.json"
    if update_golden or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
        if not update_golden:
            pytest.fail(f"wrote missing golden file {golden}; check it and commit it")
    assert result == json.loads(golden.read_text())


@pytest.mark.slow
def test_rcep_footnotes_are_separated(shared_corpus: Path) -> None:
    doc = read_pdf(shared_corpus / "pdf/rcep-2020.pdf", pages=[430])
    assert doc.footnotes[0].text.startswith("12 For the purposes of this subparagraph")
    assert "objective, provided that" in doc.text
    assert "12-10" in {ln.text for ln in doc.removed}


@pytest.mark.parametrize(
    "name", ["ahkfta-annex-2-11-scanned.pdf", "lao-e-transactions-law-2012-scanned.pdf"]
)
def test_corpus_scans_are_reported(name: str, shared_corpus: Path, no_ocr: None) -> None:
    with pytest.raises(ScannedDocumentError, match="no text layer"):
        read_pdf(shared_corpus / "pdf" / name)
