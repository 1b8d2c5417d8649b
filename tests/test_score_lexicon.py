"""Lexicon scorer, taxonomy data, bindingness and direction rules on small inline texts."""

from __future__ import annotations

import pytest

from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.score import ProvisionScore, Scorer
from nlp_toolkit.score.direction import classify_direction
from nlp_toolkit.score.features import CONSTRUCTIONS, construction_counts
from nlp_toolkit.score.lexicon import WEAK_WEIGHT, LexiconScorer, base_language, thai_skeleton
from nlp_toolkit.score.modality import classify_bindingness, clause_spans
from nlp_toolkit.topics import load_taxonomy, loads_taxonomy


@pytest.fixture(scope="module")
def lexicon() -> LexiconScorer:
    return LexiconScorer()


def test_taxonomy_has_sixteen_topics_with_lexicons_and_exemplars() -> None:
    tax = load_taxonomy()
    assert len(tax.ids) == 16
    assert tax.ids[0] == "data_flows" and tax.ids[-1] == "cooperation"
    for topic in tax.topics:
        assert topic.description
        assert topic.terms["en"] and topic.terms["zh"], topic.id
        assert 2 <= len(topic.exemplars["en"]) + len(topic.exemplars["zh"]) <= 8, topic.id
    assert set(tax.bindingness_cues) >= {"hard", "soft", "none"}
    assert set(tax.direction_cues) == {"liberalizing", "restrictive"}


def test_taxonomy_rejects_repeated_ids() -> None:
    with pytest.raises(ToolkitError, match="repeated"):
        loads_taxonomy({"topics": [{"id": "a"}, {"id": "a"}]})


def test_lexicon_scorer_is_a_scorer(lexicon: LexiconScorer) -> None:
    assert isinstance(lexicon, Scorer)
    assert base_language("zh-CN") == "zh" and base_language("th") == "en"


def test_english_customs_duties_with_evidence_offsets(lexicon: LexiconScorer) -> None:
    text = (
        "Article 5 Customs Duties\n"
        "No Party shall impose customs duties on electronic transmissions between the Parties."
    )
    [score] = lexicon.score([text], ["en"])
    assert isinstance(score, ProvisionScore)
    assert score.labels == ("customs_duties",)
    assert score.bindingness == "hard"
    assert score.direction == "liberalizing"
    assert score.evidence
    for ev in score.evidence:
        assert text[ev.char_start : ev.char_end] == ev.text
        assert ev.topic == "customs_duties"


def test_phrase_split_across_pdf_lines_still_matches(lexicon: LexiconScorer) -> None:
    text = (
        "Each Party shall adopt a legal framework for the privacy of users and their "
        "personal\ninformation."
    )
    found = [m for m in lexicon.matches(text, "en") if m.topic == "personal_data"]
    assert any(m.text == "personal\ninformation" for m in found)
    assert all(text[m.char_start : m.char_end] == m.text for m in found)


def test_transfer_counts_only_near_a_border_word(lexicon: LexiconScorer) -> None:
    abroad = "An organisation shall not transfer any personal data to a country outside Singapore."
    shares = "A company may transfer shares to another member subject to its constitution."
    assert "data_flows" in {m.topic for m in lexicon.matches(abroad, "en")}
    assert "data_flows" not in {m.topic for m in lexicon.matches(shares, "en")}


def test_excluded_phrase_drops_overlapping_match(lexicon: LexiconScorer) -> None:
    text = "The transfer of shares outside Singapore is governed by the Companies Act."
    assert "data_flows" not in {m.topic for m in lexicon.matches(text, "en")}


def test_chinese_character_matching_with_offsets(lexicon: LexiconScorer) -> None:
    text = "第三十八条 个人信息处理者因业务等需要，确需向境外提供个人信息的，应当通过安全评估。"
    [score] = lexicon.score([text], ["zh"])
    assert {"data_flows", "personal_data"} <= set(score.labels)
    assert score.bindingness == "hard"
    assert score.direction == "restrictive"
    for ev in score.evidence:
        assert text[ev.char_start : ev.char_end] == ev.text


def test_controller_alone_is_not_personal_data(lexicon: LexiconScorer) -> None:
    text = "The Minister may appoint a Controller of Consumer Affairs and Deputy Controllers."
    assert "personal_data" not in {m.topic for m in lexicon.matches(text, "en")}


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "Article 2\nEach Party shall adopt or maintain measures to protect consumers.",
            "en",
            "hard",
        ),
        ("Article 3\nEach Party shall endeavour to accept electronic documents.", "en", "soft"),
        ("Article 4\nThe Parties shall cooperate in capacity building.", "en", "soft"),
        (
            "Article 5 Exceptions\nNothing in this Chapter shall prevent a Party from adopting "
            "measures necessary to achieve a legitimate public policy objective.",
            "en",
            "none",
        ),
        (
            "Article 1 Definitions\nFor the purposes of this Chapter:\n(a) digital product means "
            "a computer programme;",
            "en",
            "none",
        ),
        ("Section 21\nThe data subject may request access to his personal data.", "en", "hard"),
        ("Article 9\nThe Parties recognise the importance of cybersecurity.", "en", "soft"),
        ("第十条 电子商务经营者应当依法办理市场主体登记。", "zh", "hard"),
        ("第五条 国家鼓励发展电子商务新业态。", "zh", "soft"),
        ("第二条 本法所称电子商务，是指通过互联网销售商品的经营活动。", "zh", "none"),
    ],
)
def test_bindingness_rules(text: str, language: str, expected: str) -> None:
    label, strength = classify_bindingness(text, language)
    assert label == expected
    assert (strength == 0.0) == (expected == "none")


def test_clause_spans_skip_the_heading_line() -> None:
    text = "Article 7 Obligations of the Party shall\nA must go; B may stay."
    assert [text[s:e] for s, e in clause_spans(text)] == ["A must go;", "B may stay."]


@pytest.mark.parametrize(
    ("text", "topics", "expected"),
    [
        (
            "A Party shall not deny the legal validity of an electronic signature.",
            ("e_transactions",),
            "liberalizing",
        ),
        (
            "Personal data may be transferred only if the country ensures an adequate level "
            "of protection.",
            ("data_flows",),
            "restrictive",
        ),
        (
            "Each Party shall allow the cross-border transfer of information by electronic means.",
            ("data_flows",),
            "liberalizing",
        ),
        (
            "The operator shall retain records for not less than three years.",
            ("government_access",),
            "restrictive",
        ),
        ("Each Party shall protect personal information.", ("personal_data",), "neutral"),
    ],
)
def test_direction_rules(text: str, topics: tuple[str, ...], expected: str) -> None:
    assert classify_direction(text, "en", topics, "hard") == expected


@pytest.mark.parametrize(
    ("text", "language", "kinds"),
    [
        ("Section 33\nAny person who contravenes this section shall be guilty of an offence.",
         "en", {"offence"}),
        ("Section 24\n(1) The Controller or an authorised officer may investigate the "
         "activities of any provider.", "en", {"power"}),
        ("Section 38\nThe Minister may make regulations for the purposes of this Act.", "en",
         set()),
        ("第五十条 违反本法规定的，由有关主管部门责令改正，处十万元以下罚款。", "zh",
         {"offence", "power"}),
        ("Pasal 45\n(1) Setiap Orang yang memenuhi unsur dipidana dengan pidana penjara.", "id",
         {"offence"}),
        ("Pasal 6\nPenyelenggara wajib melakukan pendaftaran.", "id", {"registration"}),
        ("Section 2\nIn this Act, unless the context otherwise requires, \"record\" means a "
         "document.", "en", {"definition"}),
        # rules that give legal effect bind as rules of law, with no "shall" in them
        ("Section 9\nAn electronic record is not to be denied legal effect solely because it "
         "is in electronic form.", "en", {"legal_effect"}),
        ("Section 10\nWhere a rule of law requires a document to be in writing, that "
         "requirement is met by an electronic record.", "en", {"legal_effect"}),
        ("第十四条 可靠的电子签名与手写签名具有同等的法律效力。", "zh", {"legal_effect"}),
        ("Pasal 5\nDokumen Elektronik merupakan alat bukti hukum yang sah.", "id",
         {"legal_effect"}),
        ("Điều 8\nThông điệp dữ liệu có giá trị pháp lý như văn bản.", "vi", {"legal_effect"}),
    ],
)
def test_national_law_constructions(text: str, language: str, kinds: set[str]) -> None:
    counts = construction_counts(text, language)
    assert {k for k, c in zip(CONSTRUCTIONS, counts, strict=True) if c} == kinds


def test_indonesian_electronic_information_doublet_is_not_a_transaction(
        lexicon: LexiconScorer) -> None:
    """"Informasi Elektronik dan/atau Dokumen Elektronik" is the generic object of
    Indonesian digital law (what English laws call data or content): a prohibited-content
    duty that names it is not about electronic transactions; an electronic document on its
    own still is."""
    doublet = ("Pasal 5\n(1) Penyelenggara wajib memastikan Sistem Elektroniknya tidak memuat "
               "Informasi Elektronik dan/atau\nDokumen Elektronik yang dilarang.")
    strong = [m for m in lexicon.matches(doublet, "id") if m.weight > WEAK_WEIGHT]
    assert not [m for m in strong if m.topic == "e_transactions"]
    alone = "Pasal 6\nDokumen Elektronik dinyatakan sah sebagai alat bukti."
    assert "e_transactions" in {m.topic for m in lexicon.matches(alone, "id")}


def test_naming_the_police_is_not_government_access(lexicon: LexiconScorer) -> None:
    """An authority named as the actor (公安机关, 有关主管部门) is a weak hit: a penalty the
    police impose is not a data demand; the demand itself (调取, 技术接口) is a full term."""
    actor = "第九十二条 阻碍有关部门开展工作的，由公安机关处五日以上十五日以下拘留。"
    strong = [m for m in lexicon.matches(actor, "zh") if m.weight > WEAK_WEIGHT]
    assert not [m for m in strong if m.topic == "government_access"]
    assert "government_access" in {m.topic for m in lexicon.matches(actor, "zh")}
    demand = "第十八条 互联网服务提供者应当为公安机关提供技术接口和解密等技术支持和协助。"
    strong = [m for m in lexicon.matches(demand, "zh") if m.weight > WEAK_WEIGHT]
    assert "government_access" in {m.topic for m in strong}


def test_indonesian_cues_share_the_latin_script_lists(lexicon: LexiconScorer) -> None:
    text = "Pasal 11\nTanda Tangan Elektronik memiliki kekuatan hukum dan akibat hukum yang sah."
    assert {m.topic for m in lexicon.matches(text, "id")} == {"e_transactions"}
    assert classify_bindingness("Pasal 29\nPenyelenggara wajib menyampaikan informasi.",
                                "id")[0] == "hard"
    assert classify_direction(text, "id", ("e_transactions",), "hard") == "liberalizing"
    # a duty on a liberalized topic with no liberalizing cue is neutral
    assert classify_direction("Pasal 8\nPenyelenggara wajib menjaga keandalan sistem.", "id",
                              ("e_transactions",), "hard") == "neutral"


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        ("Điều 4. Bảo vệ dữ liệu cá nhân\nTổ chức, cá nhân phải bảo vệ thông tin cá nhân "
         "của người sử dụng.", {"personal_data"}),
        ("Điều 9. Thanh toán điện tử\nNgân hàng cung cấp dịch vụ thanh toán điện tử và ví "
         "điện tử.", {"e_payments"}),
        ("Điều 12. Chữ ký số\nChữ ký số trong giao dịch điện tử có giá trị pháp lý.",
         {"e_transactions"}),
        ("Điều 20. Lưu trữ dữ liệu\nDoanh nghiệp phải lưu trữ dữ liệu tại Việt Nam.",
         {"data_localization"}),
        ("Điều 30. Chuyển dữ liệu\nDữ liệu chỉ được chuyển ra nước ngoài sau khi đánh giá "
         "an ninh.", {"data_flows"}),
        ("Điều 2. Phạm vi\nLuật này áp dụng cho mọi doanh nghiệp.", set()),
    ],
)
def test_vietnamese_terms_share_the_latin_script_matcher(
    lexicon: LexiconScorer, text: str, topics: set[str]
) -> None:
    found = lexicon.matches(text, "vi")
    assert {m.topic for m in found} >= topics and (topics or not found)
    for m in found:
        assert text[m.char_start : m.char_end] == m.text


def test_vietnamese_terms_cannot_match_english() -> None:
    """Every Vietnamese term carries a diacritic, so sharing the English matcher is safe."""
    tax = load_taxonomy()
    vi = {p for t in tax.topics for lex in (t.terms, t.weak_terms) for p in lex.get("vi", ())}
    assert len(vi) >= 50
    assert all(any(ord(ch) > 127 for ch in p) for p in vi), [
        p for p in vi if p.isascii()
    ]


def test_thai_terms_match_through_misplaced_marks(lexicon: LexiconScorer) -> None:
    # PDF extraction moves Thai tone marks and vowel signs (ขอ้มูล for ข้อมูล): the term
    # still matches, and the evidence is the exact span of the text as extracted
    for text in ("มาตรา ๑๐ ผู้ควบคุมต้องแจ้งการเก็บข้อมูลส่วนบุคคล",
                 "มาตรา ๑๐ ผู้ควบคุมต้องแจ้งการเก็บขอ้มูลส่วนบคุคล"):
        found = lexicon.matches(text, "th")
        assert [m.topic for m in found] == ["personal_data"]
        m = found[0]
        assert text[m.char_start:m.char_end] == m.text and m.text.endswith("คล")
    assert thai_skeleton("ข้อมูล") == ("ขอมล", [0, 2, 3, 5])
    # Thai text with no term gets no topic; Latin text never reaches the Thai patterns
    assert lexicon.matches("มาตรา ๒ พระราชบัญญัตินี้ให้ใช้บังคับ", "th") == []
    assert {m.topic for m in lexicon.matches("ข้อมูลส่วนบุคคล and personal data", "en")} == {
        "personal_data"}
