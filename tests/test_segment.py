"""Segmentation on small inline documents: each convention, each trap, the invariant."""

from __future__ import annotations

import itertools

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
            for a, b in itertools.pairwise(kids):
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


# ---- containers ---------------------------------------------------------------------------


def _containers(provs: list[Provision]) -> list[tuple[str, str, str]]:
    levels = ("part", "chapter", "schedule", "annex")
    return [
        (p.level, p.number, p.heading)
        for p in provs
        if p.level in levels or (p.level == "section" and " " in p.number)
    ]


def test_product_rule_table_rows_in_an_annex_are_not_chapters() -> None:
    # RCEP Annex 3A lists HS chapters ("CHAPTER 4: DAIRY PRODUCE") between real chapters
    doc = _doc(
        Line("CHAPTER 1", bold=True),
        Line("INITIAL PROVISIONS", bold=True),
        Line("Article 1.1: Objectives", bold=True),
        "Text.",
        Line("CHAPTER 3", bold=True),
        Line("RULES OF ORIGIN", bold=True),
        Line("Article 3.1: Definitions", bold=True),
        "Text.",
        Line("ANNEX 3A", bold=True),
        Line("PRODUCT-SPECIFIC RULES", bold=True),
        Line("CHAPTER 1: LIVE ANIMALS", bold=True, size=10),
        "0101 Live horses WO",
        Line("CHAPTER 4: DAIRY PRODUCE; BIRDS’", bold=True, size=10),
        "0401 Milk CC",
        Line("CHAPTER 5: OIL SEEDS AND", bold=True, size=10),
        "1201 Soya beans CC",
        Line("CHAPTER 4", bold=True),
        Line("CUSTOMS PROCEDURES", bold=True),
        Line("Article 4.1: Definitions", bold=True),
        "Text.",
        Line("CHAPTER 5", bold=True),
        Line("SANITARY MEASURES", bold=True),
        Line("Article 5.1: Definitions", bold=True),
        "Text.",
    )
    provs = segment("rcep", doc)
    assert_partition(provs, doc.text)
    assert [n for lv, n, _ in _containers(provs) if lv == "chapter"] == [
        "Chapter 1",
        "Chapter 3",
        "Chapter 4",
        "Chapter 5",
    ]
    paths = {p.number: p.path for p in provs if p.level == "article"}
    assert paths["4.1"] == "Chapter 4 > Article 4.1"
    assert paths["5.1"] == "Chapter 5 > Article 5.1"
    annex = next(p for p in provs if p.level == "annex")
    # the annex belongs to chapter 3 and ends at the next real chapter heading
    assert annex.path == "Chapter 3 > Annex 3A" and annex.heading == "PRODUCT-SPECIFIC RULES"
    assert annex.text.endswith("1201 Soya beans CC\n")


def test_contents_listing_only_chapters_ends_at_the_first_chapter_heading() -> None:
    doc = _doc(
        Line("TABLE OF CONTENTS", bold=True),
        Line("Chapter 1", bold=True),
        Line("Initial Provisions", bold=True),
        Line("Chapter 2 Trade in Goods", bold=True),
        Line("Annex 2A (Schedules)", bold=True),
        Line("PREAMBLE", bold=True),
        "The Parties to this Agreement,",
        Line("HAVE AGREED AS FOLLOWS:", bold=True),
        Line("CHAPTER 1", bold=True),
        Line("INITIAL PROVISIONS", bold=True),
        Line("Article 1.1: Establishment", bold=True),
        "The Parties hereby establish a free trade area.",
        Line("CHAPTER 2", bold=True),
        Line("TRADE IN GOODS", bold=True),
        Line("Article 2.1: Definitions", bold=True),
        "For the purposes of this Chapter:",
    )
    provs = segment("t", doc)
    assert_partition(provs, doc.text)
    assert _top(provs) == [
        ("preamble", "Preamble"),
        ("chapter", "Chapter 1"),
        ("article", "1.1"),
        ("chapter", "Chapter 2"),
        ("article", "2.1"),
    ]


def test_contents_with_dotted_chapter_entries_and_articles_restarting_per_chapter() -> None:
    doc = _doc(
        "TABLE OF CONTENTS",
        "Chapter 1. Establishment of Free Trade Area,",
        "Objectives and General Definitions",
        "Chapter 2. Trade in Goods",
        "CHAPTER 1",
        "ESTABLISHMENT OF FREE TRADE AREA",
        "Article 1",
        "Objectives",
        "Text.",
        "Article 2",
        "Free Trade Area",
        "Text.",
        "CHAPTER 2",
        "TRADE IN GOODS",
        "Article 1",
        "Reduction of Customs Duties",
        "Text.",
    )
    provs = segment("aanz", doc)
    arts = [(p.number, p.path) for p in provs if p.level == "article"]
    assert arts == [
        ("1.1", "Chapter 1 > Article 1.1"),
        ("1.2", "Chapter 1 > Article 1.2"),
        ("2.1", "Chapter 2 > Article 2.1"),
    ]


def test_treaty_sections_inside_a_chapter_are_numbered_by_it() -> None:
    doc = _doc(
        Line("CHAPTER 12", bold=True),
        Line("ELECTRONIC COMMERCE", bold=True),
        Line("SECTION A", bold=True),
        Line("GENERAL PROVISIONS", bold=True),
        Line("Article 12.1: Definitions", bold=True),
        "Text.",
        Line("SECTION B", bold=True),
        Line("PROMOTING CROSS-BORDER ELECTRONIC COMMERCE", bold=True),
        Line("Article 12.15: Cross-border Transfer", bold=True),
        "Text.",
        Line("CHAPTER 13", bold=True),
        Line("COMPETITION", bold=True),
        Line("SECTION C", bold=True),  # a stray heading: sections start at A
        Line("Article 13.1: Objectives", bold=True),
        "Text.",
    )
    provs = segment("rcep", doc)
    assert_partition(provs, doc.text)
    assert _containers(provs) == [
        ("chapter", "Chapter 12", "ELECTRONIC COMMERCE"),
        ("section", "Chapter 12 Section A", "GENERAL PROVISIONS"),
        ("section", "Chapter 12 Section B", "PROMOTING CROSS-BORDER ELECTRONIC COMMERCE"),
        ("chapter", "Chapter 13", "COMPETITION"),
    ]
    a = next(p for p in provs if p.number == "12.15")
    assert a.path == "Chapter 12 > Section B > Article 12.15"
    assert a.parent_ref == "rcep:Chapter 12 Section B"
    assert next(p for p in provs if p.number == "13.1").path == "Chapter 13 > Article 13.1"


def test_numbered_sections_inside_regulation_chapters() -> None:
    doc = _doc(
        Line("CHAPTER III", bold=True),
        Line("RIGHTS OF THE DATA SUBJECT", bold=True),
        Line("SECTION 1", bold=True),
        Line("TRANSPARENCY AND MODALITIES", bold=True),
        "Article 12",
        "Transparent information",
        "1. The controller shall act.",
        "Article 13",
        "Information to be provided",
        "1. Where personal data are collected.",
        Line("SECTION 2", bold=True),
        Line("INFORMATION AND ACCESS", bold=True),
        "Article 14",
        "Right of access",
        "1. The data subject shall have the right.",
        "Article 15",
        "Right to rectification",
        "The data subject shall have the right.",
        Line("CHAPTER IV", bold=True),
        Line("CONTROLLER AND PROCESSOR", bold=True),
        Line("SECTION 1", bold=True),
        Line("GENERAL OBLIGATIONS", bold=True),
        "Article 24",
        "Responsibility of the controller",
        "1. Taking into account.",
    )
    provs = segment("eu", doc)
    assert_partition(provs, doc.text)
    subs = [(n, h) for lv, n, h in _containers(provs) if lv == "section"]
    assert subs == [
        ("Chapter 3 Section 1", "TRANSPARENCY AND MODALITIES"),
        ("Chapter 3 Section 2", "INFORMATION AND ACCESS"),
        ("Chapter 4 Section 1", "GENERAL OBLIGATIONS"),
    ]
    a12 = next(p for p in provs if p.number == "12")
    assert a12.heading == "Transparent information"
    assert a12.path == "Chapter 3 > Section 1 > Article 12"


def test_thai_parts_inside_chapters_with_split_vowels() -> None:
    doc = _doc(
        "หมวด ๒",
        "การคุ้มครองข้อมูลส่วนบุคคล",
        "ส่วนท ี่ ๑",
        "บททั่วไป",
        "มาตรา ๑๙ ผู้ควบคุมข้อมูลส่วนบุคคล",
        "ส่วนบุคคลที่เกี่ยวข้อง",
        "ส่วนที่ ๒",
        "การเก็บรวบรวมข้อมูลส่วนบุคคล",
        "มาตรา ๒๒ การเก็บรวบรวม",
        "หมวด ๓",
        "บทกำหนดโทษ",
        "ส่วนท ี่ ๑",
        "โทษอาญา",
        "มาตรา ๗๙ ผู้ควบคุม",
    )
    provs = segment("th", doc)
    assert_partition(provs, doc.text)
    assert _containers(provs) == [
        ("chapter", "Chapter 2", "การคุ้มครองข้อมูลส่วนบุคคล"),
        ("part", "Chapter 2 Part 1", "บททั่วไป"),
        ("part", "Chapter 2 Part 2", "การเก็บรวบรวมข้อมูลส่วนบุคคล"),
        ("chapter", "Chapter 3", "บทกำหนดโทษ"),
        ("part", "Chapter 3 Part 1", "โทษอาญา"),
    ]
    s79 = next(p for p in provs if p.number == "79")
    assert s79.path == "Chapter 3 > Part 1 > Section 79"
    assert s79.parent_ref == "th:Chapter 3 Part 1"


def test_divisions_inside_parts_with_titles_inline_or_centred_below() -> None:
    def centred(text: str, width: float) -> Line:
        return Line(text, x0=240 - width / 2, x1=240 + width / 2, size=13)

    doc = _doc(
        centred("PART 9", 40),
        centred("DO NOT CALL REGISTRY", 150),
        centred("Division 1 — Preliminary", 130),
        Line("Interpretation of this Part", x0=65, x1=212, size=13, bold=True),
        Line("36. In this Part, unless the context otherwise requires —", x0=72, x1=420, size=13),
        Line("the Division 4 of Part II; applies.", x0=65, x1=420, size=13),
        centred("Division 2", 50),
        centred("Registration", 60),
        Line("Application of this Division", x0=65, x1=219, size=13, bold=True),
        Line("37. This Division applies to a data user.", x0=72, x1=420, size=13),
    )
    provs = segment("sg", doc)
    assert_partition(provs, doc.text)
    assert _containers(provs) == [
        ("part", "Part 9", "DO NOT CALL REGISTRY"),
        ("section", "Part 9 Division 1", "Preliminary"),
        ("section", "Part 9 Division 2", "Registration"),
    ]
    s37 = next(p for p in provs if p.number == "37")
    assert s37.path == "Part 9 > Division 2 > Section 37"
    assert s37.heading == "Application of this Division"


def test_schedule_title_under_a_reference_note() -> None:
    doc = _doc(
        Line("1. This Act is the Example Act.", x0=72, x1=420, size=13),
        Line("2. Interpretation.", x0=72, x1=420, size=13),
        Line("FIRST SCHEDULE", x0=202, x1=309, size=13),
        Line("Section 17(1) and Fifth and", x0=333, x1=434, size=9),
        Line("Twelfth Schedules", x0=367, x1=434, size=9),
        Line("COLLECTION, USE AND DISCLOSURE OF", x0=149, x1=361, size=11),
        Line("PERSONAL DATA WITHOUT CONSENT", x0=157, x1=353, size=11),
        Line("PART 1", x0=236, x1=275, size=11),
        Line("1. The collection is necessary.", x0=82, x1=434, size=11),
        Line("THIRD SCHEDULE", x0=188, x1=300, size=13),
        Line("[Repealed by Act 40 of 2020]", x0=181, x1=312, size=11),
        Line("FIFTH SCHEDULE", x0=190, x1=298, size=13),
        Line("Section 21(2)", x0=373, x1=422, size=9),
        Line("EXCEPTIONS FROM ACCESS REQUIREMENT", x0=129, x1=358, size=11),
        Line("1. An organisation is not required.", x0=71, x1=422, size=11),
    )
    provs = segment("sg", doc)
    assert_partition(provs, doc.text)
    assert [(n, h) for lv, n, h in _containers(provs) if lv == "schedule"] == [
        ("Schedule 1", "COLLECTION, USE AND DISCLOSURE OF PERSONAL DATA WITHOUT CONSENT"),
        ("Schedule 3", "[Repealed by Act 40 of 2020]"),
        ("Schedule 5", "EXCEPTIONS FROM ACCESS REQUIREMENT"),
    ]
    assert [p.ref for p in provs if p.parent_ref == "sg:Schedule 5"] == ["sg:Schedule 5(1)"]


def test_section_heading_with_trailing_dot_leaders_is_a_container() -> None:
    doc = _doc(
        Line("SECTION B", heading_level=2),
        Line("TRANSPARENCY", heading_level=2),
        Line("Article 20: Development", heading_level=2),
        "Text.",
        Line("SECTION C" + "." * 60, heading_level=2),
        Line("TELECOMMUNICATIONS", heading_level=2),
        Line("Article 21: Telecommunications", heading_level=2),
        "Text.",
    )
    provs = segment("wto", doc)
    assert [(n, h) for _, n, h in _containers(provs)] == []  # sections start at A
    doc = _doc(Line("SECTION A", heading_level=2), "Article 19: Scope", "Text.", *doc.lines)
    provs = segment("wto", doc)
    assert [n for _, n, _ in _containers(provs)] == ["Section A", "Section B", "Section C"]
    a21 = next(p for p in provs if p.number == "21")
    assert a21.path == "Section C > Article 21" and a21.heading == "Telecommunications"


def test_chapters_without_units_are_kept_when_nothing_is_numbered() -> None:
    doc = _doc("CHAPTER 1", "GENERAL", "Some text.", "CHAPTER 2", "FINAL", "More text.")
    provs = segment("c", doc)
    assert _containers(provs) == [
        ("chapter", "Chapter 1", "GENERAL"),
        ("chapter", "Chapter 2", "FINAL"),
    ]


def test_reprint_back_matter_does_not_run_on_in_the_last_section() -> None:
    doc = _doc(
        "145. A data user shall comply.",
        "146. (1) A person shall register.",
        "(2) Subsection (1) shall not apply.",
        Line("LAWS OF MALAYSIA", page=2, bold=True),
        Line("Act 709", page=2, bold=True),
        Line("LIST OF AMENDMENTS", page=2),
        Line("Amending law Short title In force from", page=2),
        Line("Act A1727 Personal Data Protection (Amendment) Act 2024 01-01-2025", page=2),
        Line("LIST OF SECTIONS AMENDED", page=3),
        Line("1. Section 2 Act A1727 01-01-2025", page=3),
    )
    provs = segment("my", doc)
    assert_partition(provs, doc.text)
    by_ref = {p.ref: p for p in provs}
    assert by_ref["my:146(2)"].text.rstrip().endswith("shall not apply.")
    assert _top(provs)[-2:] == [("schedule", "List of Amendments"),
                                ("schedule", "List of Sections Amended")]
    # the page's bold masthead opens the back matter instead of closing s.146
    amendments = by_ref["my:List of Amendments"].text
    assert amendments.startswith("LAWS OF MALAYSIA\nAct 709\nLIST OF AMENDMENTS")
    assert "Act A1727" in amendments


def test_schedule_heading_in_small_capitals_over_a_reference_note() -> None:
    doc = _doc(
        "149. The Minister may exempt any person.",
        "150. The Minister may make regulations.",
        Line("schedule", page=2),
        Line("[Section 84c]", page=2),
        Line("COMMITTEE ON ADVERTISEMENT", page=2),
        Line("1. The Chairman shall preside.", page=2),
        Line("2. The Committee may regulate its own procedure.", page=2),
        Line("3. In the Fifth", page=2),
        Line("schedule", page=2),  # a wrapped line, not a heading: no note follows
        Line("the term is defined.", page=2),
    )
    provs = segment("my", doc)
    assert_partition(provs, doc.text)
    top = _top(provs)
    assert top[-3:] == [("section", "149"), ("section", "150"), ("schedule", "Schedule")]
    schedule = next(p for p in provs if p.level == "schedule")
    assert schedule.heading == "COMMITTEE ON ADVERTISEMENT"
    assert next(p for p in provs if p.number == "150").text.rstrip().endswith("regulations.")
