"""Tests of the Markdown/plain-text reader and the format dispatcher (``read_document``).

Golden files under ``tests/golden/extract_text/`` hold only derived data (line counts,
headings, metadata, hashes); refresh them with ``pytest --update-golden``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp_toolkit.errors import ExtractionError, ResourceLimitError
from nlp_toolkit.extract import ExtractLimits, describe_content, detect_format, read_document
from nlp_toolkit.extract.text import decode_text, is_page_number, loads_text, read_text
from nlp_toolkit.records import ExtractedDocument

GOLDEN = Path(__file__).parent / "golden" / "extract_text"
CHINESE_LAWS = [
    "chn-pipl-2021",
    "chn-ecommerce-law-2018",
    "chn-electronic-signature-law-2019",
    "chn-consumer-protection-law-2013",
    "chn-internet-information-services-measures-2011",
]


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def summarize(doc: ExtractedDocument) -> dict[str, object]:
    """Derived facts about a document: no body text beyond headings and short markers."""
    return {
        "lines": len(doc.lines),
        "pages": doc.page_count,
        "chars": len(doc.text),
        "text_sha256": _sha(doc.text),
        "headings": [[line.heading_level, line.text] for line in doc.lines if line.heading_level],
        "bold_lines": sum(line.bold for line in doc.lines),
        "footnotes": len(doc.footnotes),
        "footnotes_sha256": _sha("\n".join(line.text for line in doc.footnotes)),
        "removed": [line.text for line in doc.removed],
        "metadata": doc.metadata,
        "warnings": list(doc.warnings),
    }


def check_golden(name: str, actual: dict[str, object], update: bool) -> None:
    path = GOLDEN / f"{name}.json"
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(actual, ensure_ascii=False, indent=1) + "\n", "utf-8")
    if not path.exists():
        pytest.fail(f"golden file {path} is missing; run pytest --update-golden")
    expected = json.loads(path.read_text("utf-8"))
    assert actual == expected, f"{name} differs from {path}; if intended, --update-golden"


# ---------------------------------------------------------------- real documents


@pytest.mark.parametrize("doc_id", CHINESE_LAWS)
def test_chinese_law_golden(shared_corpus: Path, doc_id: str, update_golden: bool) -> None:
    doc = read_text(shared_corpus / "text" / f"{doc_id}.md")
    check_golden(doc_id, summarize(doc), update_golden)


@pytest.mark.parametrize("doc_id", CHINESE_LAWS)
def test_chinese_law_structure(shared_corpus: Path, doc_id: str) -> None:
    source = (shared_corpus / "text" / f"{doc_id}.md").read_text("utf-8")
    doc = read_document(shared_corpus / "text" / f"{doc_id}.md")
    # INFO header: title in metadata and as the first (level-1) line; the comment dropped
    title = re.search(r"^# (.+)$", source, re.M)
    assert title is not None
    assert doc.metadata["title"] == title.group(1).strip()
    assert doc.lines[0].text == doc.metadata["title"] and doc.lines[0].heading_level == 1
    assert re.match(r"\d{4}-\d\d-\d\d", doc.metadata.get("dates", "2000-01-01"))
    assert "<!--" not in doc.text and "#" not in doc.text and "**" not in doc.text
    # chapters at level 2, sections at level 3, each heading as printed without '#'
    for line in doc.lines:
        if re.match(r"第[一二三四五六七八九十百]+章", line.text):
            assert line.heading_level == 2, line.text
        if re.match(r"第[一二三四五六七八九十百]+节", line.text):
            assert line.heading_level == 3, line.text
    # one Line per source paragraph: every article starts a line, no line is empty
    article_re = re.compile(r"^第[一二三四五六七八九十百零]+条", re.M)
    articles = article_re.findall(source)
    starts = [line.text for line in doc.lines if article_re.match(line.text)]
    assert len(starts) == len(articles) > 0
    assert all(line.text.strip() == line.text and line.text for line in doc.lines)
    assert {line.page for line in doc.lines} == {1} and doc.page_count == 1
    # no character of the law is lost (whitespace and the Markdown '#' aside)
    body = re.sub(r"<!--.*?-->|#", "", source)
    assert Counter("".join(body.split())) == Counter("".join(doc.text.split()))


def test_wto_jsi_golden(shared_corpus: Path, update_golden: bool) -> None:
    doc = read_text(shared_corpus / "text" / "wto-jsi-ecommerce-2024.md")
    check_golden("wto-jsi-ecommerce-2024", summarize(doc), update_golden)


def test_wto_jsi_noise_removed(shared_corpus: Path) -> None:
    doc = read_document(shared_corpus / "text" / "wto-jsi-ecommerce-2024.md")
    # printed page numbers ("### - 12 -", and one glued to a heading) go to `removed`
    assert len(doc.removed) >= 15
    assert all(is_page_number(line.text) for line in doc.removed)
    for line in doc.lines:
        assert not is_page_number(line.text), line.text
        assert not re.search(r"\s-\s\d+\s-$", line.text), line.text
        assert "```" not in line.text and "[^" not in line.text and "**" not in line.text
        assert not re.search(r"\w\^\d", line.text), line.text
        assert not re.fullmatch(r"[_\-*]{3,}", line.text)
        assert "....." not in line.text
    # articles 1..38 are headings, in order
    numbers = [
        int(m.group(1))
        for line in doc.lines
        if line.heading_level and (m := re.match(r"Article (\d+):", line.text))
    ]
    assert numbers == list(range(1, 39))
    # footnote definitions ([^1]: and (^5) styles) are kept apart, labelled
    assert len(doc.footnotes) == 21
    assert all(re.match(r"\d+ \S", line.text) for line in doc.footnotes)
    # front matter fields and the first title
    assert doc.metadata["document_symbol"] == "INF/ECOM/87"
    assert doc.metadata["title"].startswith("JOINT STATEMENT")
    # wrapped paragraphs are joined, items stay apart
    items = [line.text for line in doc.lines if re.match(r"\([a-z]\) ", line.text)]
    assert len(items) > 50
    assert any(line.text.startswith("Recognizing the right of each Party") and
               line.text.endswith("objectives;") for line in doc.lines)


@pytest.mark.slow
def test_all_shared_markdown_read(shared_corpus: Path) -> None:
    paths = sorted((shared_corpus / "text").glob("*.md"))
    assert len(paths) >= 18
    for path in paths:
        doc = read_document(path)
        assert doc.lines and all(line.text for line in doc.lines), path.name
        assert "title" in doc.metadata, path.name


# ---------------------------------------------------------------- pure Markdown handling


def test_wrapped_paragraphs_join_by_script() -> None:
    doc = loads_text("第一条 为了保护\n个人信息权益。\n\nThe Parties shall\nendeavour to act.")
    assert [line.text for line in doc.lines] == [
        "第一条 为了保护个人信息权益。",
        "The Parties shall endeavour to act.",
    ]


def test_enumerated_lines_stay_apart_and_hyphen_wraps_join() -> None:
    text = "1.2 Each Party shall:\n(a) adopt a non-\ndiscriminatory measure; and\n(b) publish it."
    assert [line.text for line in loads_text(text).lines] == [
        "1.2 Each Party shall:",
        "(a) adopt a non-discriminatory measure; and",
        "(b) publish it.",
    ]


def test_markdown_syntax_is_stripped() -> None:
    text = (
        "---\ntitle: Test Act\nyear: 2020\n---\n"
        "## Part 1 **General**\n\n- a _bullet_ item[^1]\n* another \\(c\\) item\n\n"
        "> quoted [link](http://x.test) and `code`\n\n___\n\n```\nfenced text\n```\n\n"
        "[^1]: The footnote\n    continues here.\n"
    )
    doc = loads_text(text)
    assert [(line.text, line.heading_level) for line in doc.lines] == [
        ("Part 1 General", 2),
        ("a bullet item", 0),
        ("another (c) item", 0),
        ("quoted link and code", 0),
        ("fenced text", 0),
    ]
    assert [line.text for line in doc.footnotes] == ["1 The footnote continues here."]
    assert doc.metadata["title"] == "Test Act" and doc.metadata["year"] == "2020"


def test_page_furniture_removed_by_pattern_and_repetition() -> None:
    pages = [f"HEADER OF THE ACT\nSection {n}. Text of section {n} ends here.\n- {n} -" for n in
             range(1, 6)]
    doc = loads_text("\f".join(pages), markdown=False)
    assert [line.text for line in doc.lines] == [
        f"Section {n}. Text of section {n} ends here." for n in range(1, 6)
    ]
    assert [line.page for line in doc.lines] == [1, 2, 3, 4, 5]
    assert doc.page_count == 5
    assert Counter(line.text for line in doc.removed)["HEADER OF THE ACT"] == 5


def test_repeated_items_are_not_running_headers() -> None:
    text = "\n\n".join(["(a) at any time; or"] * 5 + ["Interpretation."] * 5)
    assert len(loads_text(text).lines) == 10


def test_page_break_does_not_end_paragraph() -> None:
    doc = loads_text("The Parties agree\n\n12\n\nthat trade matters.", markdown=False)
    assert [line.text for line in doc.lines] == ["The Parties agree", "that trade matters."]
    doc = loads_text("The Parties agree\n12\nthat trade matters.", markdown=False)
    assert [line.text for line in doc.lines] == ["The Parties agree that trade matters."]
    assert [line.text for line in doc.removed] == ["12"]


def test_plain_text_keeps_markdown_characters() -> None:
    doc = loads_text("# not a heading\n\n**kept**", markdown=False)
    assert [line.text for line in doc.lines] == ["# not a heading", "**kept**"]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab (1).;Z第条一\n\f\t -")), max_size=200))
def test_plain_text_loses_no_characters(text: str) -> None:
    doc = loads_text(text, markdown=False)
    kept = "".join(line.text for line in doc.lines + doc.removed)
    assert Counter("".join(text.split())) == Counter("".join(kept.split()))
    assert all(line.text and "\n" not in line.text for line in doc.lines)


# ---------------------------------------------------------------- decoding


def test_decoding_boms() -> None:
    assert decode_text("第一条".encode("utf-8-sig")) == "第一条"
    assert decode_text("Article 1 é".encode("utf-16")) == "Article 1 é"
    assert decode_text(b"\xfe\xff" + "第x".encode("utf-16-be")) == "第x"


def test_latin1_markdown_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loi.md"
    path.write_bytes("# Loi\n\nLa République".encode("latin-1"))
    message = r"loi\.md is not valid UTF-8 at byte 11 .*re-save it as UTF-8"
    with pytest.raises(ExtractionError, match=message):
        read_document(path)


# ---------------------------------------------------------------- read_document checks


def test_detect_format() -> None:
    assert [detect_format(n) for n in ["a.PDF", "b.md", "c.markdown", "d.txt", "e.xml"]] == [
        "pdf", "md", "md", "txt", "xml",
    ]
    with pytest.raises(ExtractionError, match=r"x\.docx: unsupported file type '\.docx'"):
        detect_format("x.docx")


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.md"
    path.write_bytes(b"")
    with pytest.raises(ExtractionError, match=r"empty\.md: empty file") as info:
        read_document(path)
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError, match=r"nope\.pdf: does not exist"):
        read_document(tmp_path / "nope.pdf")


@pytest.mark.parametrize(
    ("content", "looks_like"),
    [
        (b"<!DOCTYPE html><html><body>404</body></html>", "an HTML page"),
        (b"PK\x03\x04\x14\x00", "a ZIP archive"),
        (b"Just some text", "plain text"),
    ],
)
def test_non_pdf_renamed_pdf(tmp_path: Path, content: bytes, looks_like: str) -> None:
    path = tmp_path / "treaty.pdf"
    path.write_bytes(content)
    with pytest.raises(ExtractionError, match=r"treaty\.pdf: starts with '.+' — not a PDF") as info:
        read_document(path)
    assert looks_like in str(info.value) and "\n" not in str(info.value)


def test_pdf_renamed_md(tmp_path: Path) -> None:
    path = tmp_path / "law.md"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    with pytest.raises(ExtractionError, match=r"law\.md: .*not a text file \(it looks like a PDF"):
        read_document(path)


def test_file_over_max_bytes(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("Section 1. " * 200, "utf-8")
    with pytest.raises(ResourceLimitError, match=r"big\.txt: file is 2,200 bytes, over .* 1,000"):
        read_document(path, limits=ExtractLimits(max_bytes=1000))
    assert read_document(path, limits=ExtractLimits(max_bytes=None)).lines


def test_explicit_format_overrides_suffix(tmp_path: Path) -> None:
    path = tmp_path / "law.txt"
    path.write_text("## 第一章 总则\n\n第一条 本法。", "utf-8")
    assert read_document(path).lines[0].text == "## 第一章 总则"
    assert read_document(path, "md").lines[0].heading_level == 2


def test_describe_content() -> None:
    assert describe_content(b"<?xml version='1.0'?><treaty/>") == "an XML document"
    assert describe_content(b"\x89PNG\r\n") == "a PNG image"
    assert describe_content(b"\x00\x01\x02") == "binary data"
