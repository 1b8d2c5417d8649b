"""Segmentation on small inline documents: each convention, each trap, the invariant."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nlp_toolkit.records import ExtractedDocument, Line, Provision
from nlp_toolkit.segment import segment


def _doc(*texts: str | Line) -> ExtractedDocument:
    lines = tuple(t if isinstance(t, Line) else Line(t) for t in texts)
    return ExtractedDocument(lines=lines, page_count=max(ln.page for ln in lines))


def _top(provs: list[Provision]) -> list[tuple[str, str]]:
    return [(p.level, p.number) for p in provs if p.level not in ("paragraph", "item")]


def assert_partition(provs: list[Provision], text: str) -> None:
    """Root units cover the text; children are contiguous and end with their parent."""
    roots = [p for p in provs if p.parent_ref is None]
    assert "".join(p.text for p in roots) == text
    if text:
        assert roots[0].char_start == 0 and roots[-1].char_end == len(text)
    by_ref = {p.ref: p for p in provs}
    assert len(by_ref) == len(provs), "refs must be unique"
    for p in provs:
        assert p.text == text[p.char_start : p.char_end]
        assert p.char_start < p.char_end
        kids = [c for c in provs if c.parent_ref == p.ref]
        if kids:
            assert kids[0].char_start > p.char_start
            for a, b in zip(kids, kids[1:], strict=False):
                assert a.char_end == b.char_start
            assert kids[-1].char_end == p.char_end
    assert [p.ordinal for p in provs] == list(range(len(provs)))
    assert [p.char_start for p in provs] == sorted(p.char_start for p in provs)


def test_rcep_style_article_with_wrapped_bold_heading() -> None:
    doc = _doc(
        Line("CHAPTER 12", bold=True),
        Line("ELECTRONIC COMMERCE", bold=True),
        Line("Article 12.14: Location of Computing", bold=True),
        Line("Facilities", bold=True),
        Line("1. The Parties recognise."),
        Line("Article 12.15: Cross-border Transfer3", bold=True),
        Line("1. A Party shall not prevent."),
        Line("(a) of Article 10.1 (Definitions);"),
        Line("2. Nothing shall prevent:"),
        Line("(a) any measure; and"),
        Line("(b) any measure."),
    )
    provs = segment("rcep", doc)
    assert_partition(provs, doc.text)
    arts = {p.number: p for p in provs if p.level == "article"}
    assert arts["12.14"].heading == "Location of Computing Facilities"
    assert arts["12.15"].heading == "Cross-border Transfer"
    assert arts["12.15"].path == "Chapter 12 > Article 12.15"
    assert arts["12.15"].parent_ref == "rcep:Chapter 12"
    refs = [p.ref for p in provs if p.level in ("paragraph", "item")]
    # "(a) of Article 10.1" is a wrapped line, not an item
    assert refs == [
        "rcep:12.14(1)",
        "rcep:12.15(1)",
        "rcep:12.15(2)",
        "rcep:12.15(2)(a)",
        "rcep:12.15(2)(b)",
    ]


def test_articles_restarting_per_chapter_get_chapter_numbers() -> None:
    doc = _doc(
        "CHAPTER 9",
        "TRADE",
        "Article 1",
        "Objectives",
        "Text.",
        "Article 2",
        "Definitions",
        "Text.",
        "CHAPTER 10",
        "ELECTRONIC COMMERCE",
        "Article 1",
        "Objectives",
        "Text.",
        "Article 4 Domestic Regulatory Frameworks",
        "Text.",
    )
    provs = segment("aanz", doc)
    assert [p.number for p in provs if p.level == "article"] == ["9.1", "9.2", "10.1", "10.4"]
    last = provs[-1]
    assert last.heading == "Domestic Regulatory Frameworks" and last.ref == "aanz:10.4"
    assert next(p for p in provs if p.number == "10.1").heading == "Objectives"


def test_commonwealth_sections_with_heading_above_and_arrangement() -> None:
    doc = _doc(
        "ARRANGEMENT OF SECTIONS",
        "PART 1",
        "PRELIMINARY",
        "Section",
        "1. Short title",
        "2. Interpretation",
        "3. Purpose",
        Line("An Act to govern the collection of personal data.", page=2),
        Line("PART 1", page=2),
        Line("PRELIMINARY", page=2),
        Line("Short title", page=2, bold=True),
        Line("1. This Act is the Example Act 2012.", page=2),
        Line("Interpretation", page=2, bold=True),
        Line("2.—(1) In this Act —", page=3),
        Line("“A” means a thing;", page=3),
        Line("(2) In section 26 (a) applies.", page=3),
        Line("3. to 5. [Repealed]", page=3),
        Line("PART 2", page=3),
        Line("OTHER", page=3),
        Line("Obligation", page=3, bold=True),
        Line("6. Section 2 applies.", page=3),
        Line("26 of the Act applies to", page=3),
        Line("FIRST SCHEDULE", page=4),
        Line("1. A schedule paragraph.", page=4),
        Line("2. Another.", page=4),
    )
    provs = segment("sg", doc)
    assert_partition(provs, doc.text)
    assert _top(provs) == [
        ("preamble", "Preamble"),
        ("part", "Part 1"),
        ("section", "1"),
        ("section", "2"),
        ("section", "3-5"),
        ("part", "Part 2"),
        ("section", "6"),
        ("schedule", "Schedule 1"),
    ]
    s2 = next(p for p in provs if p.number == "2")
    assert s2.heading == "Interpretation" and s2.page_start == 2 and s2.page_end == 3
    assert s2.text.startswith("Interpretation\n2.—(1)")
    assert [p.ref for p in provs if p.parent_ref == "sg:2"] == ["sg:2(1)", "sg:2(2)"]
    part1 = next(p for p in provs if p.number == "Part 1")
    assert part1.heading == "PRELIMINARY" and part1.page_start == 2
    sched = [p.ref for p in provs if p.parent_ref == "sg:Schedule 1"]
    assert sched == ["sg:Schedule 1(1)", "sg:Schedule 1(2)"]


def test_cross_reference_at_line_start_does_not_start_a_section() -> None:
    doc = _doc(
        "Section 25 There shall be a committee.",
        "Section 6 and section 8 shall be",
        "applied mutatis mutandis.",
        "Section 26 The directors shall hold office.",
        "Section 30 is amended.",
        "Section 27 The committee shall meet.",
    )
    provs = segment("th", doc)
    assert [p.number for p in provs if p.level == "section"] == ["25", "26", "27"]


def test_out_of_sequence_number_in_body_is_not_a_section() -> None:
    doc = _doc(
        "1. This Act may be cited as the Act.",
        "2. In this Act —",
        "2013. A year that starts a wrapped line.",
        "3. The Minister may act.",
        "12. A stray wrapped number.",
        "4. Regulations.",
    )
    assert [p.number for p in segment("x", doc) if p.level == "section"] == ["1", "2", "3", "4"]


def test_amending_act_quoted_sections_stay_in_the_amending_section() -> None:
    doc = _doc(
        Line("Short title", bold=True),
        "1. This Act is the Amendment Act.",
        Line("New section 12A", bold=True),
        "2. The principal Act is amended by inserting after section 12 the following",
        "section:",
        Line("“Notification", bold=True),
        "12A. (1) A data controller shall notify.",
        "(2) A person who fails commits an offence.”.",
        Line("Amendment of section 14", bold=True),
        "3. Section 14 is amended.",
    )
    provs = segment("amd", doc)
    assert [p.number for p in provs if p.level == "section"] == ["1", "2", "3"]
    s2 = next(p for p in provs if p.number == "2")
    assert "12A. (1)" in s2.text and s2.heading == "New section 12A"


def test_malaysian_lettered_sections_in_small_capitals() -> None:
    doc = _doc(
        "21. Text.",
        "21a. Text.",
        "Part IIIa",
        "UNFAIR TERMS",
        "24. Text.",
        "24a. Text.",
        "24z. Text.",
        "24aa. Text.",
        "25. Text.",
    )
    provs = segment("my", doc)
    assert [p.number for p in provs if p.level == "section"] == [
        "21",
        "21A",
        "24",
        "24A",
        "24Z",
        "24AA",
        "25",
    ]
    assert next(p for p in provs if p.level == "part").number == "Part 3A"


def test_gdpr_recitals_are_preamble_and_title_on_next_line() -> None:
    doc = _doc(
        "Whereas:",
        "(1) The protection of natural persons is a right.",
        "(2) The principles should respect Article 8.",
        "Article 8 of the Charter",
        "HAVE ADOPTED THIS REGULATION:",
        "CHAPTER I",
        "GENERAL PROVISIONS",
        "Article 1",
        "Subject-matter and objectives",
        "1. This Regulation lays down rules.",
        "2. This Regulation protects rights.",
        "Article 2",
        "Material scope",
        "1. This Regulation applies:",
        "(a) in the course of an activity;",
        "(b) by a Member State.",
    )
    provs = segment("eu", doc)
    assert _top(provs) == [
        ("preamble", "Preamble"),
        ("chapter", "Chapter 1"),
        ("article", "1"),
        ("article", "2"),
    ]
    a1 = next(p for p in provs if p.number == "1")
    assert a1.heading == "Subject-matter and objectives"
    assert a1.path == "Chapter 1 > Article 1"
    assert [p.ref for p in provs if p.level == "item"] == ["eu:2(1)(a)", "eu:2(1)(b)"]


def test_roman_and_letter_items_nest_and_i_after_h_is_a_letter() -> None:
    items = [f"({c}) item {c};" for c in "abcdefgh"]
    doc = _doc(
        "Section 1 Definitions:",
        *items,
        "(i) item i;",
        "(j) item j;",
        "(i) roman one;",
        "(ii) roman two;",
        "(k) item k.",
    )
    provs = segment("r", doc)
    subs = [p.ref for p in provs if p.level == "item"]
    assert "r:1(i)" in subs and "r:1(j)(i)" in subs and "r:1(j)(ii)" in subs
    assert subs[-1] == "r:1(k)"


def test_chinese_markdown_chapters_sections_articles_and_items() -> None:
    doc = _doc(
        Line("中华人民共和国个人信息保护法", heading_level=1),
        "",
        Line("第一章 总 则", heading_level=2),
        "",
        "第一条 为了保护个人信息权益，制定本法。",
        "",
        Line("第二章 个人信息处理规则", heading_level=2),
        "",
        Line("第一节 一般规定", heading_level=3),
        "",
        "第十三条 符合下列情形之一的，个人信息处理者方可处理个人信息：",
        "",
        "（一）取得个人的同意；",
        "",
        "（二）为订立合同所必需；",
        "",
        Line("第二节 敏感个人信息的处理规则", heading_level=3),
        "",
        "第二十条 本法自公布之日起施行。",
    )
    provs = segment("cn", doc)
    assert_partition(provs, doc.text)
    assert _top(provs) == [
        ("preamble", "Preamble"),
        ("chapter", "Chapter 1"),
        ("article", "1"),
        ("chapter", "Chapter 2"),
        ("section", "Chapter 2 Section 1"),
        ("article", "13"),
        ("section", "Chapter 2 Section 2"),
        ("article", "20"),
    ]
    a13 = next(p for p in provs if p.number == "13")
    assert a13.path == "Chapter 2 > Section 1 > Article 13"
    assert [p.ref for p in provs if p.level == "item"] == ["cn:13(1)", "cn:13(2)"]
    assert next(p for p in provs if p.number == "Chapter 1").heading == "总 则"


def test_chinese_numerals_with_hundreds_and_zero() -> None:
    from nlp_toolkit.segment.patterns import match_article

    cands = [match_article(t) for t in ("第一百零五条 文", "第十条 文", "第二百条 文")]
    assert [c.number if c else None for c in cands] == ["105", "10", "200"]


def test_thai_digits_and_chapters() -> None:
    doc = _doc(
        "พระราชบัญญัติ",
        "มาตรา ๑ พระราชบัญญัตินี้เรียกว่า",
        "หมวด ๑",
        "คณะกรรมการ",
        "มาตรา ๒ ให้มีคณะกรรมการ",
        "(๑) ประธาน",
        "(๒) กรรมการ",
        "มาตรา ๒๖ ข้อความ",
    )
    provs = segment("th", doc)
    assert [p.number for p in provs if p.level == "section"] == ["1", "2", "26"]
    assert [p.ref for p in provs if p.level == "paragraph"] == ["th:2(1)", "th:2(2)"]
    assert any(p.number == "Chapter 1" for p in provs)


def test_vietnamese_and_indonesian_articles() -> None:
    vi = segment(
        "vi",
        _doc(
            "Chương I",
            "QUY ĐỊNH CHUNG",
            "Điều 1. Phạm vi điều chỉnh",
            "Luật này quy định.",
            "Điều 2. Đối tượng áp dụng",
            "Text.",
        ),
    )
    assert [(p.number, p.heading) for p in vi if p.level == "article"] == [
        ("1", "Phạm vi điều chỉnh"),
        ("2", "Đối tượng áp dụng"),
    ]
    idn = segment(
        "id",
        _doc(
            "BAB I",
            "KETENTUAN UMUM",
            "Pasal 1",
            "Dalam Undang-Undang ini:",
            "Pasal 2",
            "Text.",
            "BAB II",
            "ASAS",
            "Pasal 3",
            "Text.",
        ),
    )
    assert _top(idn) == [
        ("chapter", "Chapter 1"),
        ("article", "1"),
        ("article", "2"),
        ("chapter", "Chapter 2"),
        ("article", "3"),
    ]


def test_dot_leader_contents_make_no_provisions() -> None:
    doc = _doc(
        "TABLE OF CONTENTS",
        "Article 1 Scope ........ 3",
        "Article 2 Definitions ..... 4",
        "Article 3 Final ....... 9",
        "Article 1: Scope",
        "This applies.",
        "Article 2: Definitions",
        "Terms.",
        "Article 3: Final",
        "The end.",
    )
    provs = segment("t", doc)
    arts = [p for p in provs if p.level == "article"]
    assert [a.number for a in arts] == ["1", "2", "3"]
    assert arts[0].text.startswith("Article 1: Scope\nThis applies.")


def test_hints_are_trusted() -> None:
    doc = _doc(
        Line("Chapter 14 Electronic Commerce", hint=("chapter", "Chapter 14", "E-com")),
        Line("Article 14.1 Definitions", hint=("article", "14.1", "Definitions")),
        "1. For the purposes:",
        "2. Another.",
        "Article 14.2 is quoted here",
        Line("Article 14.2 Scope", hint=("article", "14.2", "Scope")),
        "Text.",
    )
    provs = segment("tota", doc)
    assert _top(provs) == [("chapter", "Chapter 14"), ("article", "14.1"), ("article", "14.2")]
    assert [p.ref for p in provs if p.level == "paragraph"] == ["tota:14.1(1)", "tota:14.1(2)"]


def test_refs_are_unique_when_numbers_repeat() -> None:
    doc = _doc(
        Line("Article 1", hint=("article", "1", "")),
        "a",
        Line("Article 1", hint=("article", "1", "")),
        "b",
    )
    refs = [p.ref for p in segment("d", doc)]
    assert refs == ["d:1", "d:1~2"]


def test_empty_document_gives_no_provisions() -> None:
    assert segment("e", ExtractedDocument(lines=(), page_count=0)) == []


_TOKENS = st.sampled_from(
    [
        "Section 1 Text.",
        "Section 2 Text.",
        "Section 3 Text",
        "1. Text",
        "2.—(1) Text",
        "(1) a",
        "(2) b",
        "(a) c",
        "(b) d",
        "(i) e",
        "(ii) f",
        "PART 1",
        "PART II",
        "CHAPTER 3",
        "Article 4",
        "Article 12.15: Title",
        "第三条 内容",
        "（一）项",
        "FIRST SCHEDULE",
        "ANNEX 2",
        "“12A. quoted",
        "end.”",
        "ARRANGEMENT OF SECTIONS",
        "Section 6 and section 8",
        "plain words",
        "",
        "มาตรา ๒๖ ข้อความ",
        "27. to 32. [Repealed]",
        "Contents",
        "Article 3 Scope ....... 12",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(_TOKENS, st.text(max_size=30).map(lambda s: s.replace("\n", " "))), max_size=40
    ),
    st.lists(st.booleans(), max_size=40),
)
def test_partition_invariant_on_generated_text(texts: list[str], bolds: list[bool]) -> None:
    lines = tuple(
        Line(t.replace("\r", " "), page=1 + i // 10, bold=bolds[i] if i < len(bolds) else False)
        for i, t in enumerate(texts)
    )
    doc = ExtractedDocument(lines=lines, page_count=5)
    provs = segment("g", doc)
    text = doc.text
    if text:
        assert_partition(provs, text)
    else:
        assert provs == []
