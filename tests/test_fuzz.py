"""Fuzzing (Hypothesis) of the segmenter, the text and ToTA readers and manifest parsing.

Each test has a fixed budget (``max_examples`` and a per-example ``deadline``); the whole
file runs in well under 90 s on a shared 2-core machine. Invariants: only the project's
``ToolkitError`` subclasses escape, no input takes seconds (catastrophic regex backtracking
shows up as a deadline error), and ``segment`` always returns provisions that partition the
clean text.
"""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nlp_toolkit.errors import ExtractionError, ManifestError
from nlp_toolkit.extract.text import decode_text, loads_text
from nlp_toolkit.extract.tota import loads_tota
from nlp_toolkit.records import ExtractedDocument, Line, Provision
from nlp_toolkit.segment import segment
from nlp_toolkit.sources.manifest import loads_manifest

FUZZ = settings(
    max_examples=400,
    deadline=timedelta(seconds=3),  # generous on a loaded CI box; backtracking takes minutes
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

MARKERS = [
    "Section 12", "Section 12.", "12.", "12.\u2014(1)", "12A.", "Article 3.4:", "Article 3",
    "ARTICLE 1.1", "\u7b2c\u5341\u4e8c\u6761", "\u7b2c\u4e00\u7ae0 \u603b \u5219",
    "\u7b2c\u4e00\u8282", "\u0e21\u0e32\u0e15\u0e23\u0e32 \u0e52",
    "\u0e21\u0e32\u0e15\u0e23\u0e32 12",
    "\u0e2b\u0e21\u0e27\u0e14 \u0e51", "(a)", "(b)", "(iv)", "(1)", "(2)", "(1A)", "PART II",
    "Part 1", "CHAPTER 3", "Chapter 12", "SCHEDULE", "FIRST SCHEDULE", "Schedule 1", "ANNEX 2",
    "Division 1", "ARRANGEMENT OF SECTIONS", "27. to 32. [Repealed]", "\u201c", "\u201d", '"',
    "\u2018", "\u2019", ".", "...", "\u2014", ";", ":", "\u3002", "#", "##", "**", "<!--", "-->",
    "|", "1", "\u4e00", "\u0e51", "\u00a0", "\t",
]
WORDS = st.text(  # control characters and Unicode line separators too (not newline)
    alphabet=st.one_of(
        st.characters(blacklist_categories=["Cs", "Cc"]),
        st.sampled_from(["\x0b", "\x1c", "\x85", "\u2028", "\u2029", "\x00", "\ufeff"])),
    max_size=12,
)
FRAGMENT = st.one_of(st.sampled_from(MARKERS), WORDS, st.sampled_from(["a", " ", "the Act"]))
LINE_TEXT = st.lists(FRAGMENT, max_size=10).map(" ".join)
#: Long lines that stress regexes: one marker-ish token repeated many times.
LONG_LINE = st.builds(lambda tok, n, sep: sep.join([tok] * n),
                      st.sampled_from([*MARKERS, "(", "a", "1.", "(1)(a)", "  "]),
                      st.integers(200, 3000), st.sampled_from(["", " ", "."]))
ANY_LINE = st.one_of(LINE_TEXT, LINE_TEXT, LINE_TEXT, LONG_LINE)
HINT = st.one_of(st.none(), st.none(), st.none(), st.tuples(
    st.sampled_from(["chapter", "part", "article", "section", "schedule", "annex", "bogus"]),
    st.sampled_from(["1", "2", "1.1", "12A", ""]), st.sampled_from(["", "Scope", "(a)"])))


def check_partition(doc: ExtractedDocument, provisions: list[Provision]) -> None:
    """Assert the segmenter's contract: provisions partition the clean text as a tree."""
    text = doc.text
    if not text:
        assert provisions == []
        return
    by_ref = {p.ref: p for p in provisions}
    assert len(by_ref) == len(provisions), "refs are unique within a document"
    assert [p.ordinal for p in provisions] == list(range(len(provisions)))
    children: dict[str | None, list[Provision]] = {}
    for p in provisions:
        assert p.text == text[p.char_start : p.char_end]
        assert 0 <= p.char_start < p.char_end <= len(text)
        assert p.parent_ref is None or p.parent_ref in by_ref
        children.setdefault(p.parent_ref, []).append(p)
    roots = children.get(None, [])
    assert roots and roots[0].char_start == 0 and roots[-1].char_end == len(text)
    for group in children.values():
        for a, b in itertools.pairwise(group):
            assert a.char_end == b.char_start, f"gap or overlap between {a.ref} and {b.ref}"
    for ref, kids in children.items():
        if ref is None:
            continue
        parent = by_ref[ref]
        assert parent.char_start < kids[0].char_start, f"{ref} owns no text of its own"
        assert kids[-1].char_end == parent.char_end, f"last child of {ref} ends early"


@FUZZ
@given(st.lists(st.tuples(ANY_LINE, HINT), max_size=40), st.integers(1, 3))
def test_segment_partitions_any_lines(rows: list[tuple[str, tuple[str, str, str] | None]],
                                      pages: int) -> None:
    lines = tuple(Line(text=t, page=1 + i * pages // max(1, len(rows)), hint=h)
                  for i, (t, h) in enumerate(rows))
    doc = ExtractedDocument(lines=lines, page_count=pages)
    check_partition(doc, segment("fz", doc))


@FUZZ
@given(st.lists(LINE_TEXT, min_size=1, max_size=60))
def test_segment_partitions_unhinted_statutes(texts: list[str]) -> None:
    doc = ExtractedDocument(lines=tuple(Line(text=t) for t in texts), page_count=1)
    check_partition(doc, segment("fz", doc))


@FUZZ
@given(st.lists(st.one_of(ANY_LINE, st.sampled_from(
    ["", "---", "<!-- INFO END -->", "\f", "a\rb", "\r\n"])), max_size=40), st.booleans())
def test_loads_text_then_segment(rows: list[str], markdown: bool) -> None:
    try:
        doc = loads_text("\n".join(rows), markdown=markdown)
    except ExtractionError:
        return
    assert all("\n" not in ln.text for ln in doc.lines)
    check_partition(doc, segment("fz", doc))


@FUZZ
@given(st.one_of(st.binary(max_size=200), st.builds(
    lambda bom, text, enc: bom + text.encode(enc, "replace"),
    st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00"]),
    LINE_TEXT, st.sampled_from(["utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "latin-1"]))))
def test_decode_text_then_read(data: bytes) -> None:
    try:
        doc = loads_text(decode_text(data))
    except ExtractionError:
        return
    check_partition(doc, segment("fz", doc))


TAGS = st.sampled_from(["treaty", "meta", "name", "body", "chapter", "article", "x"])
ATTRS = st.sampled_from(['', ' number="ARTICLE 1.1"', ' name="Scope"', ' chapter_identifier="7"',
                         ' article_identifier="70"', ' number=""', ' article_identifier=""'])


@st.composite
def xmlish(draw: st.DrawFn) -> bytes:
    """Bytes that are often valid ToTA, often nearly valid, sometimes hostile."""
    def element(depth: int) -> str:
        tag = draw(TAGS)
        inner = "".join(
            element(depth + 1) if depth < 4 and draw(st.booleans()) else escape(draw(LINE_TEXT))
            for _ in range(draw(st.integers(0, 3))))
        return f"<{tag}{draw(ATTRS)}>{inner}</{tag}>"

    body = element(0)
    if draw(st.booleans()):
        body = f"<treaty><meta><name>A</name></meta><body>{body}</body></treaty>"
    prefix = draw(st.sampled_from([
        "", '<?xml version="1.0" encoding="UTF-8"?>',
        '<!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
        '<!DOCTYPE t SYSTEM "file:///etc/passwd">', "\ufeff"]))
    data = (prefix + body).encode("utf-8")
    cut = draw(st.integers(0, len(data)))
    return data if draw(st.booleans()) else data[:cut] + draw(st.binary(max_size=20))


@FUZZ
@given(xmlish())
def test_loads_tota_raises_only_extraction_error(data: bytes) -> None:
    try:
        doc = loads_tota(data)
    except ExtractionError:
        return
    assert doc.lines
    check_partition(doc, segment("fz", doc))


@FUZZ
@given(st.binary(max_size=400))
def test_loads_tota_random_bytes(data: bytes) -> None:
    try:
        doc = loads_tota(b"<treaty><body>" + data)
    except ExtractionError:
        return
    check_partition(doc, segment("fz", doc))


CELL = st.one_of(
    st.sampled_from(["ok-1", "a.md", "pdf/x.pdf", "/etc/passwd", "../up.md", "C:\\x.md", "",
                     "file:///etc/passwd", "ftp://h/x", "https://e.org/x.pdf", "2019", "19x",
                     "0" * 64, "abc", "Doc ID", "a\u0000b", "\u7b2c\u4e00", '"', ",", "\n",
                     "pdf/../x.md", "a\\..\\b.md", "HTTPS://e.org/x", "javascript:alert(1)",
                     "//host/share/x.md", "~/x.md", "./a.md", "http://[::1", "http://[x]:99999/"]),
    st.builds("".join, st.lists(st.sampled_from(["http", "://", "[", "]", ":", "/", "..", "\\",
                                                 "a", "%", "@", "?", "#", "1"]), max_size=8)),
    st.text(max_size=15),
)
COLUMNS = ["doc_id", "path", "download_url", "sha256", "year", "format", "jurisdiction", "zzz"]


@settings(FUZZ, max_examples=600)  # cheap; URL and path corner cases need many rows
@example(COLUMNS, 3, [({"doc_id": "ok-1", "path": "a.md", "download_url": "http://[::1"}, 0)],
         False)  # found by this test: urlsplit raised ValueError out of loads_manifest
@given(st.permutations(COLUMNS), st.integers(0, len(COLUMNS)),
       st.lists(st.tuples(st.fixed_dictionaries({c: CELL for c in COLUMNS}),
                          st.integers(-2, 2)), max_size=12), st.booleans())
def test_manifest_rows_fail_one_by_one(columns: list[str], n_cols: int,
                                       records: list[tuple[dict[str, str], int]],
                                       quote: bool) -> None:
    header = columns[:n_cols]
    rows = []  # one cell per column, sometimes a cell too few or too many
    for rec, extra in records:
        cells = [rec[c] for c in header] + ["x"] * max(0, extra)
        rows.append(cells[: len(cells) + min(0, extra)])

    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if quote or any(
            c in value for c in ',"\n\r') else value

    lines = [",".join(cell(v) for v in r) for r in rows]
    text = "\n".join([",".join(header), *lines])
    try:
        manifest = loads_manifest(text, root=Path("/nonexistent-root"))
    except ManifestError as exc:
        assert "doc_id" not in header or "path" not in header or "not valid CSV" in str(exc)
        return
    assert len(manifest.rows) + len(manifest.errors) == sum(1 for ln in lines if ln)
    ids = [r.doc_id for r in manifest.rows]
    assert len(ids) == len(set(ids))
    for row in manifest.rows:
        assert not row.path.startswith(("/", "\\")) and ".." not in re.split(r"[\\/]", row.path)
        assert not row.download_url or row.download_url.lower().startswith(("http://", "https://"))
    assert all(e.kind == "manifest" and e.reason for e in manifest.errors)
