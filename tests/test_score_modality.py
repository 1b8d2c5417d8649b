"""Bindingness rules on small inline English and Chinese examples (one per rule)."""

from __future__ import annotations

import pytest

from nlp_toolkit.score.modality import classify_bindingness, clause_spans


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # hard: mandatory duties, prohibitions, offences, enforceable individual rights
        ("Article 5 Notice\nAn organisation shall notify the individual.", "hard"),
        ("Section 9\nNo person shall disclose personal data without consent.", "hard"),
        ("Article 4 NT\nNeither Party may accord less favourable treatment.", "hard"),
        ("Right of redress\nThe consumer may require the supplier to remedy the failure.", "hard"),
        ("Unfair terms\nA court may grant judgment for the consumer.", "hard"),
        # the revised-edition drafting of Singapore acts: "is not to be" is "shall not be"
        ("Legal recognition\nA contract is not to be denied validity solely on that ground.",
         "hard"),
        # soft: best endeavour, cooperation, permissive powers
        ("Article 7 Cooperation\nThe Parties shall endeavour to cooperate on SMEs.", "soft"),
        ("Regulations\nThe Minister may make regulations to carry out this Act.", "soft"),
        # none: definitions, scope, commencement, constitutive and final clauses
        ('Section 3 Interpretation\n"Committee" shall mean the National Committee.', "none"),
        ("Article 1 Scope\nThis Chapter shall apply to measures adopted by a Party.", "none"),
        ("Short title\nThis Act shall come into operation on a date to be appointed.", "none"),
        ("Tribunal\nThe Tribunal shall consist of a Chairman and ten members.", "none"),
        ("Article 9\nNothing in this Chapter shall prevent a Party from acting.", "none"),
        ("Membership\nA member shall hold office for three years and may be reappointed.", "none"),
        ("Article 33 Withdrawal\nThe withdrawal shall take effect after 60 days.", "none"),
        ("Public servants\nMembers shall be deemed to be public servants.", "none"),
        ("Construction\nThis Act is to be construed consistently with the Model Law.", "none"),
        ("Construction\nThis section is not to be construed as limiting section 4.", "none"),
    ],
)
def test_english_rules(text: str, expected: str) -> None:
    assert classify_bindingness(text, "en")[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("第十条 个人信息处理者应当采取必要措施。", "hard"),
        ("第十一条 任何组织不得非法买卖个人信息。", "hard"),
        ("第六十六条 违反本法规定的，由有关部门责令改正，处一百万元以下罚款。", "hard"),
        ("第十四条 可靠的电子签名与手写签名具有同等的法律效力。", "hard"),
        ("第七条 国家鼓励企业参与国际规则制定。", "soft"),
        ("第八条 有关部门可以组织开展培训。", "soft"),
        ("第七十三条 本法下列用语的含义：个人信息是指以电子方式记录的各种信息。", "none"),
        ("第七十四条 本法自2021年11月1日起施行。", "none"),
        ("第七十二条 自然人因个人或者家庭事务处理个人信息的，不适用本法。", "none"),
    ],
)
def test_chinese_rules(text: str, expected: str) -> None:
    assert classify_bindingness(text, "zh")[0] == expected


def test_strongest_clause_wins() -> None:
    text = "Article 2\nThe Parties shall cooperate on standards. Each Party shall publish its laws."
    assert classify_bindingness(text, "en")[0] == "hard"
    assert classify_bindingness("第九条 国家鼓励创新；经营者应当保护数据。", "zh")[0] == "hard"


def test_scores_order_classes() -> None:
    hard = classify_bindingness("Article 1 X\nA person must register.", "en")[1]
    soft = classify_bindingness("Article 1 X\nThe Parties shall endeavour to share.", "en")[1]
    none = classify_bindingness("Article 1 X\n'data' means information.", "en")[1]
    assert hard > soft > none == 0.0


def test_wrapped_first_line_is_body_not_heading() -> None:
    text = "Section 32 The Committee shall determine the salary and other compensa\ntion."
    assert clause_spans(text)[0][0] == 0
    assert classify_bindingness(text, "en")[0] == "hard"
    headed = "Article 3 Commencement\nThis Act shall come into force on 1 June."
    assert clause_spans(headed)[0][0] == headed.index("This")


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # a bare-modal lead-in lends its modal to the items, and the items decide
        ("Article 5 Paperless Trading\n1. Each Party shall:\n(a) work towards accepting "
         "electronic documents; and\n(b) endeavour to make forms available.", "en", "soft"),
        ("Article 6\n2. Each Party shall:\n(a) minimise the regulatory burden; and\n"
         "(b) ensure that frameworks support industry-led development.", "en", "hard"),
        ("Duties of supplier\n14. (4) Where a condition applies, he shall—\n"
         "(a) describe the condition clearly;\n(b) state the price.", "en", "hard"),
        # objectives and purpose articles state aims, not commitments
        ("Article 1\nObjectives\nThe objectives of this Chapter are to:\n(a) promote "
         "electronic commerce;\n(b) enhance co-operation among the Parties.", "en", "none"),
        ("Article 12.2: Principles and Objectives\n1. The Parties recognise the importance "
         "of electronic commerce.", "en", "none"),
        ("Article 3 Objectives\nThe Parties recognise the importance of trust. Each Party "
         "shall adopt a legal framework.", "en", "hard"),
        # "may only" restricts; a statutory right of redress is enforceable
        ("Article 48\nA foreign judgment may only be enforced under an agreement.", "en", "hard"),
        ("Redress\n39. This Part gives a consumer a right of redress against a supplier.",
         "en", "hard"),
        # Chinese: a deeming rule of legal equivalence is hard; list items follow a none lead-in
        ("第四条 能够有形地表现所载内容的数据电文，视为符合法律、法规要求的书面形式。",
         "zh", "hard"),
        ("第二条 本法下列用语的含义：\n（一）网络，是指计算机系统；\n（二）鼓励措施。",
         "zh", "none"),
    ],
)
def test_structural_rules(text: str, language: str, expected: str) -> None:
    assert classify_bindingness(text, language)[0] == expected


def test_purpose_words_in_an_operative_heading_do_not_cancel_duties() -> None:
    text = ("Implied guarantee as to fitness for particular purpose\n32. The supplier "
            "should take care to explain the product.")
    assert classify_bindingness(text, "en")[0] == "soft"
