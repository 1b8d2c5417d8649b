"""Tests of the ToTA XML reader: real treaties, structure hints, and hostile XML."""

from __future__ import annotations

import hashlib
from pathlib import Path
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as DET
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp_toolkit.errors import ExtractionError
from nlp_toolkit.extract import read_document
from nlp_toolkit.extract.tota import loads_tota, read_tota, split_paragraphs
from nlp_toolkit.records import ExtractedDocument, Line
from tests.test_extract_text import check_golden

#: English (TPP, Japan-Thailand, Korea-US, Singapore-Australia), Spanish, French.
TREATIES = ["pta_449", "pta_1", "pta_159", "pta_54", "pta_35", "pta_86"]


def _chars(text: str) -> str:
    return "".join(text.split())


def _articles(doc: ExtractedDocument) -> list[list[Line]]:
    """The lines of each article, starting with its hinted line."""
    groups: list[list[Line]] = []
    current: list[Line] | None = None
    for line in doc.lines:
        if line.hint and line.hint[0] == "article":
            current = [line]
            groups.append(current)
        elif line.hint:
            current = None
        elif current is not None:
            current.append(line)
    return groups


def _root(path: Path) -> Element:
    root = DET.parse(path).getroot()
    assert root is not None
    return root


def check_against_xml(doc: ExtractedDocument, root: Element) -> None:
    """Every article of the XML is one hinted unit holding all its characters."""
    xml_articles = list(root.iter("article"))
    groups = _articles(doc)
    assert len(groups) == len(xml_articles)
    for article, lines in zip(xml_articles, groups, strict=True):
        assert lines[0].hint == (
            "article", article.get("article_identifier"), (article.get("name") or "").strip()
        )
        has_heading = bool(article.get("number") or article.get("name"))
        body = lines[1:] if has_heading else lines
        assert _chars("".join(line.text for line in body)) == _chars("".join(article.itertext()))
    named = [c for c in root.iter("chapter") if c.get("number") or c.get("name")]
    hints = [line.hint for line in doc.lines if line.hint and line.hint[0] == "chapter"]
    assert [h[1] for h in hints] == [c.get("chapter_identifier") for c in named]
    assert all(line.text and line.text == line.text.strip() for line in doc.lines)
    assert all("  " not in line.text and "\n" not in line.text for line in doc.lines)


@pytest.mark.parametrize("name", TREATIES)
def test_treaty_matches_xml_and_golden(
    shared_corpus: Path, name: str, update_golden: bool
) -> None:
    path = shared_corpus / "tota" / f"{name}.xml"
    doc = read_document(path)
    check_against_xml(doc, _root(path))
    summary = {
        "lines": len(doc.lines),
        "chars": len(doc.text),
        "text_sha256": hashlib.sha256(doc.text.encode("utf-8")).hexdigest(),
        "chapters": [list(h) for h in (line.hint for line in doc.lines) if h and h[0] == "chapter"],
        "articles": sum(1 for line in doc.lines if line.hint and line.hint[0] == "article"),
        "metadata": doc.metadata,
        "warnings": list(doc.warnings),
    }
    check_golden(f"tota-{name}", summary, update_golden)


def test_tpp_ecommerce_chapter(shared_corpus: Path) -> None:
    doc = read_tota(shared_corpus / "tota" / "pta_449.xml")
    assert doc.metadata["name"] == "Trans-Pacific Partnership"
    assert doc.metadata["language"] == "en" and doc.metadata["date_signed"] == "2016-02-03"
    assert doc.metadata["parties"].split(";")[:3] == ["AUS", "BRN", "CAN"]
    start = next(i for i, line in enumerate(doc.lines) if line.hint and line.hint[1] == "4641")
    assert doc.lines[start].text == "CHAPTER 14 Electronic Commerce"
    end = next(
        i for i in range(start + 1, len(doc.lines)) if (doc.lines[i].hint or "x")[0] == "chapter"
    )
    articles = [line for line in doc.lines[start:end] if line.hint and line.hint[0] == "article"]
    assert len(articles) == 18
    assert articles[0].text == "ARTICLE 14.1 Definitions"
    assert articles[0].hint == ("article", "40208", "Definitions")


def test_double_spaced_paragraphs_are_split(shared_corpus: Path) -> None:
    doc = read_tota(shared_corpus / "tota" / "pta_1.xml")
    first = _articles(doc)[0]  # "Preamble  Japan and ...;  Recognising ..."
    assert len(first) > 5
    assert any(line.text.startswith("Recognising that the economic partnership") for line in first)


def test_spanish_and_french_treaties(shared_corpus: Path) -> None:
    es = read_tota(shared_corpus / "tota" / "pta_35.xml")
    assert es.metadata["language"] == "es"
    assert any(line.text.startswith("ARTÍCULO 1.01 ") for line in es.lines)
    fr = read_tota(shared_corpus / "tota" / "pta_86.xml")
    assert fr.metadata["language"] == "fr"


@pytest.mark.slow
def test_whole_tota_corpus_reads_fast(shared_corpus: Path) -> None:
    paths = sorted((shared_corpus / "tota").glob("pta_*.xml"))
    assert len(paths) == 450
    docs = [read_tota(p) for p in paths]  # the time it takes: benchmarks/timing.py
    articles = sum(len(_articles(d)) for d in docs)
    assert articles == 40993
    for path, doc in zip(paths[::45], docs[::45], strict=True):  # every 45th in full
        check_against_xml(doc, _root(path))


# ---------------------------------------------------------------- pure paragraph logic


def test_split_paragraphs_rules() -> None:
    text = (
        "PREAMBLE \n\nThe Parties,\n   resolving to:  (a) trade;  and \n(b) grow.  "
        "The end.  (c)  kept together\n\n(d) \n\nthe item text"
    )
    assert split_paragraphs(text) == [
        "PREAMBLE",
        "The Parties, resolving to:",
        "(a) trade; and",
        "(b) grow.",
        "The end.",
        "(c) kept together",
        "(d) the item text",
    ]


def test_nbsp_tabs_and_cjk_wraps() -> None:
    assert split_paragraphs("1.\u00a0The\u00a0Parties \n\n(a) \tfirst") == [
        "1. The Parties", "(a) first"
    ]
    assert split_paragraphs("双方同意\n开展合作。") == ["双方同意开展合作。"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ .;:(1)\n\t\u00a0-第条")), max_size=120))
def test_split_paragraphs_keeps_every_character(text: str) -> None:
    paragraphs = split_paragraphs(text)
    assert _chars("".join(paragraphs)) == _chars(text)
    assert all(p and p == p.strip() and "\n" not in p for p in paragraphs)


# ---------------------------------------------------------------- fallbacks and bad XML


def _treaty(body: str, meta: str = "<name>A - B</name><language>en</language>") -> bytes:
    return f"<treaty><meta>{meta}</meta><body>{body}</body></treaty>".encode()


def test_missing_identifiers_fall_back_with_warnings() -> None:
    doc = loads_tota(_treaty(
        '<chapter name="Trade" chapter_identifier="">'
        '<article number="ARTICLE 3.2" article_identifier="">Text one.</article>'
        "<article>Second article text.</article>"
        '<article article_identifier="9">Third.</article>'
        '<article article_identifier="9">Fourth.</article></chapter>'
    ))
    hints = [line.hint for line in doc.lines if line.hint]
    assert hints == [
        ("chapter", "1", "Trade"),
        ("article", "3.2", ""),
        ("article", "2", ""),
        ("article", "9", ""),
        ("article", "9-2", ""),
    ]
    assert doc.lines[2].text == "Text one." and doc.lines[3].text == "Second article text."
    assert len(doc.warnings) == 4
    assert "article 2 has no article_identifier; using '2'" in doc.warnings


def test_unnamed_chapter_has_no_heading_line() -> None:
    doc = loads_tota(_treaty('<chapter chapter_identifier="5"><article article_identifier="6">'
                             "IN WITNESS WHEREOF</article></chapter>"))
    assert [(line.text, line.hint) for line in doc.lines] == [
        ("IN WITNESS WHEREOF", ("article", "6", ""))
    ]


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    xml = f'<?xml version="1.0"?><!DOCTYPE treaty [{entities}]>'.encode() + _treaty(
        '<chapter name="X" chapter_identifier="1"><article article_identifier="2">'
        "&lol9;</article></chapter>"
    )
    path = tmp_path / "bomb.xml"
    path.write_bytes(xml)
    with pytest.raises(ExtractionError, match=r"bomb\.xml: XML declares entities"):
        read_document(path)  # at once: benchmarks/timing.py times it


def test_external_entity_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", "utf-8")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE treaty [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    ).encode() + _treaty('<chapter name="X" chapter_identifier="1">'
                         '<article article_identifier="2">&xxe;</article></chapter>')
    path = tmp_path / "xxe.xml"
    path.write_bytes(xml)
    with pytest.raises(ExtractionError, match=r"xxe\.xml: XML declares entities") as info:
        read_document(path)
    assert "TOP SECRET" not in str(info.value)


def test_truncated_xml(shared_corpus: Path, tmp_path: Path) -> None:
    path = tmp_path / "pta_cut.xml"
    path.write_bytes((shared_corpus / "tota" / "pta_54.xml").read_bytes()[:4000])
    with pytest.raises(ExtractionError, match=r"pta_cut\.xml: is not well-formed XML .*truncated"):
        read_document(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'<?xml version="1.0"?><html><body/></html>', r"root <html>, not a ToTA <treaty>"),
        (b"<!DOCTYPE html><html></html>", r"not XML \(it looks like an HTML page\)"),
        (b"Article 1. Plain text", r"not XML \(it looks like plain text\)"),
        (b"<treaty><meta/></treaty>", r"has no <body>"),
        (b"<treaty><meta/><body/></treaty>", r"no chapters or articles"),
    ],
)
def test_not_a_tota_treaty(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "doc.xml"
    path.write_bytes(content)
    with pytest.raises(ExtractionError, match=message) as info:
        read_document(path)
    assert str(info.value).startswith(str(path)) and "\n" not in str(info.value)
