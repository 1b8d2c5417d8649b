"""Version diff: alignment on constructed pairs, amending-act parsing, the real MYS PDPA."""

from __future__ import annotations

import dataclasses
import doctest
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nlp_toolkit import Corpus
from nlp_toolkit.analysis import amendments, diff
from nlp_toolkit.analysis.amendments import parse_amending_text
from nlp_toolkit.analysis.diff import DIFF_FIELDS, DiffUnit, content, diff_units, tokens, word_diff
from nlp_toolkit.analysis.versions import diff_units_of
from nlp_toolkit.cli import main

ENACTED, REPRINT, AMENDING = ("mys-pdpa-2010-as-enacted", "mys-pdpa-2010-reprint-2023",
                              "mys-pdpa-amendment-2024")

TEXTS = {
    "1": ("Short title", "This Act may be cited as the Data Act."),
    "2": ("Interpretation", "In this Act, data means information in digital form held by "
                            "a controller."),
    "3": ("Consent", "A controller shall not process personal data without the consent of "
                     "the data subject."),
    "4": ("Security", "A controller shall protect personal data by reasonable security "
                      "arrangements against unauthorised access."),
    "5": ("Retention", "A controller shall not keep personal data longer than is necessary "
                       "for the purpose for which it was collected."),
    "6": ("Offences", "A person who contravenes section 3 commits an offence and shall be "
                      "liable to a fine not exceeding ten thousand ringgit."),
}


def units(doc: str, spec: list[tuple[str, str]]) -> list[DiffUnit]:
    """Units numbered as given, with the text of TEXTS[key] (or a literal (heading, text))."""
    out = []
    for number, key in spec:
        heading, text = TEXTS[key] if key in TEXTS else key.split("|", 1)
        out.append(DiffUnit(f"{doc}:{number}", number, heading, f"{number}. {text}"))
    return out


def statuses(d: diff.VersionDiff) -> list[tuple[str, str | None, str | None]]:
    return [(r.status, r.number_a, r.number_b) for r in d.rows]


OLD = units("v1", [(k, k) for k in TEXTS])


def test_identical_versions_are_unchanged() -> None:
    d = diff_units(OLD, units("v2", [(k, k) for k in TEXTS]))
    assert d.summary() == {"added": 0, "removed": 0, "changed": 0, "unchanged": 6,
                           "renumbered": 0}
    assert all(r.similarity == 1.0 and r.diff is None for r in d.rows)


def test_inserted_lettered_section_is_added_and_nothing_else_moves() -> None:
    new = units("v2", [("1", "1"), ("2", "2"), ("3", "3"),
                       ("3A", "Officer|A controller shall appoint a data protection officer "
                              "who is accountable for compliance."),
                       ("4", "4"), ("5", "5"), ("6", "6")])
    d = diff_units(OLD, new)
    assert statuses(d)[3] == ("added", None, "3A")
    assert d.summary()["unchanged"] == 6 and d.summary()["added"] == 1
    assert d.rows[3].words_added == len(content(new[3]))


def test_deleted_section_is_removed_in_place() -> None:
    d = diff_units(OLD, units("v2", [(k, k) for k in TEXTS if k != "4"]))
    assert statuses(d) == [("unchanged", "1", "1"), ("unchanged", "2", "2"),
                           ("unchanged", "3", "3"), ("removed", "4", None),
                           ("unchanged", "5", "5"), ("unchanged", "6", "6")]


def test_renumbered_run_after_an_insertion() -> None:
    # a new section 3 pushes 3..6 to 4..7; one of them is also edited
    new = units("v2", [("1", "1"), ("2", "2"),
                       ("3", "Portability|A data subject may ask a controller to transmit his "
                             "data to another controller."),
                       ("4", "3"), ("5", "4"), ("6", "5"),
                       ("7", "Offences|A person who contravenes section 3 commits an offence "
                             "and shall be liable to a fine not exceeding one million ringgit.")])
    d = diff_units(OLD, new)
    assert statuses(d) == [("unchanged", "1", "1"), ("unchanged", "2", "2"),
                           ("added", None, "3"), ("renumbered", "3", "4"),
                           ("renumbered", "4", "5"), ("renumbered", "5", "6"),
                           ("renumbered", "6", "7")]
    last = d.rows[-1]
    assert last.words_removed == 2 and last.words_added == 2  # ten thousand -> one million
    assert "[-ten thousand-] {+one million+}" in (last.diff or "")


def test_changed_section_word_diff_and_heading_change() -> None:
    new = units("v2", [("1", "1"), ("2", "2"),
                       ("3", "Consent and notice|A controller shall not process personal data "
                             "without the written consent of the data subject."),
                       ("4", "4"), ("5", "5"), ("6", "6")])
    row = diff_units(OLD, new).rows[2]
    assert (row.status, row.words_added, row.words_removed) == ("changed", 3, 0)
    assert row.diff is not None and row.diff.startswith("Consent {+and notice+} A controller")
    assert "the {+written+} consent" in row.diff
    assert 0.85 < row.similarity < 1.0


def test_a_heading_wrapped_into_the_body_is_no_change() -> None:
    a = [DiffUnit("a:32", "32", "Refusal to comply with data",
                  "Section 32. Refusal to comply with data\naccess request\n(1) A user may.")]
    b = [DiffUnit("b:32", "32", "Refusal to comply with data access request",
                  "Refusal to comply with data access request\n32. (1) A user may.")]
    assert statuses(diff_units(a, b)) == [("unchanged", "32", "32")]


def test_layout_of_number_and_heading_is_not_a_change() -> None:
    a = [DiffUnit("a:4", "4", "Interpretation", "Section 4. Interpretation\nIn this Act, x.")]
    b = [DiffUnit("b:4", "4", "Interpretation", "Interpretation\n4. In this Act,\nx.")]
    assert statuses(diff_units(a, b)) == [("unchanged", "4", "4")]


def test_chinese_text_diffs_by_character() -> None:
    old = "个人信息处理者向境外提供个人信息的，应当具备条件。"
    new = "个人信息处理者因业务需要向境外提供个人信息的，应当具备条件。"
    a = [DiffUnit("a:38", "38", "", "第三十八条 " + old)]
    b = [DiffUnit("b:38", "38", "", "第三十八条 " + new)]
    row = diff_units(a, b).rows[0]
    assert row.status == "changed" and row.words_added == 5 and row.words_removed == 0
    assert "处理者{+因业务需要+}向境外" in (row.diff or "")


def test_topic_changes_only_when_both_sides_are_scored() -> None:
    sa = {"topics": {"data_flows": 0.2, "personal_data": 0.9}, "labels": ["personal_data"]}
    sb = {"topics": {"data_flows": 0.7, "personal_data": 0.92},
          "labels": ["personal_data", "data_flows"]}
    a = [dataclasses.replace(OLD[2], scores=sa)]
    b = [dataclasses.replace(OLD[2], ref="v2:3", scores=sb)]
    assert diff_units(a, b).rows[0].topic_changes == {"data_flows": [0.2, 0.7]}
    assert diff_units(a, [dataclasses.replace(b[0], scores=None)]).rows[0].topic_changes is None


def test_word_diff_counts() -> None:
    text, added, removed, sim = word_diff(tokens("a b c d"), tokens("a x c d e"))
    assert (added, removed) == (2, 1) and "[-b-] {+x+}" in text and sim == pytest.approx(2 * 3 / 9,
                                                                                         abs=1e-3)


def test_to_pandas_and_summary() -> None:
    d = diff_units(OLD, units("v2", [(k, k) for k in TEXTS if k != "2"]))
    frame = d.to_pandas()
    assert list(frame.columns) == list(DIFF_FIELDS) and len(frame) == 6
    assert len(d.to_pandas(changed_only=True)) == 1
    assert sum(d.summary().values()) == len(d.rows)
    assert "1 removed" in repr(d)


@pytest.mark.parametrize(("text", "expected"), [
    ("5. Section 7 of the principal Act is deleted.", [("7", "deleted", None)]),
    ("5. Sections 7 and 8 of the principal Act are repealed.",
     [("7", "deleted", None), ("8", "deleted", None)]),
    ("5. The principal Act is amended by substituting for section 7 the following "
     "section:\n“Fees\n7. (1) A fee ...”.", [("7", "substituted", None)]),
    ("5. Subsection 16(3) of the principal Act is amended by ...", [("16", "amended", None)]),
    ("5. Paragraph 48(e) of the principal Act is deleted.", [("48", "amended", None)]),
    ("5. The principal Act is amended in section 4— (a) ...", [("4", "amended", None)]),
    ("5. The principal Act is amended by inserting after section 26 the following "
     "sections:\n“Notification\n26a. (1) An organisation ...\n(2) In this section ...\n"
     "Duty\n26b. An organisation ...”.", [("26A", "inserted", "26"), ("26B", "inserted", "26")]),
    ("2. The principal Act is amended by substituting for the words “data user” the words "
     "“data controller”.", []),
    ("2. The Personal Data Protection Act 2010 [Act 709], which is referred to as the "
     "“principal Act” in this Act, is amended by substituting for the words “data user” "
     "wherever appearing the words “data controller”.", [("*", "amended", None)]),
])
def test_amending_clauses(text: str, expected: list[tuple[str, str, str | None]]) -> None:
    found = parse_amending_text("amend:5", "Amendment", text)
    assert [(a.section, a.action, a.after) for a in found] == expected


def test_module_doctests() -> None:
    for module in (diff, amendments):
        assert doctest.testmod(module).failed == 0


@pytest.fixture(scope="module")
def corpus(analysis_db: Path) -> Corpus:
    return Corpus.open(analysis_db, create=False)


@pytest.mark.slow
def test_real_amending_act_is_read_completely(corpus: Corpus) -> None:
    d = corpus.diff(ENACTED, REPRINT, amendment=AMENDING)
    found = {(a.section, a.action) for a in d.amendments}
    assert found == {("*", "amended"), ("4", "amended"), ("5", "amended"), ("9", "amended"),
                     ("12A", "inserted"), ("12B", "inserted"), ("16", "amended"),
                     ("21", "amended"), ("43A", "inserted"), ("48", "amended"),
                     ("67", "amended"), ("129", "amended"), ("136", "amended")}
    assert all(a.ref.startswith(AMENDING + ":") for a in d.amendments)


@pytest.mark.slow
def test_real_pair_aligns_by_number_and_reprint_predates_the_2024_act(corpus: Corpus) -> None:
    d = corpus.diff(ENACTED, REPRINT, amendment=AMENDING)
    summary = d.summary()
    assert summary["added"] == summary["removed"] == summary["renumbered"] == 0
    assert summary["unchanged"] >= 100 and len(d.rows) >= 140
    assert all(r.number_a == r.number_b for r in d.rows)
    # Checked, not assumed: the reprint (as at 1 July 2023) has none of the sections the
    # 2024 act inserts, and its section 129 still has the subsection (1) that act deletes.
    numbers_b = {r.number_b for r in d.rows}
    inserted = {a.section for a in d.amendments if a.action == "inserted"}
    assert inserted and not inserted & numbers_b
    assert {a.section for a in d.missing_sections()} == inserted
    reprint_129 = corpus.store.provision(f"{REPRINT}:129")
    assert reprint_129 is not None and "(1) A data user shall not transfer" in reprint_129.text
    row_129 = next(r for r in d.rows if r.number_b == "129")
    assert row_129.status == "unchanged" and row_129.topic_changes == {}
    assert row_129.amended_by == [f"{AMENDING}:12 amended"]


@pytest.mark.slow
def test_applying_real_amendments_shows_them_in_the_diff(corpus: Corpus) -> None:
    # the 2024 act's own text applied to the reprint: 129(1) deleted, 12A..12B inserted
    reprint = diff_units_of(corpus.store, REPRINT)
    s129 = next(u for u in reprint if u.number == "129")
    cut = s129.text.index("(2)")
    amended = [dataclasses.replace(u, ref=f"v2:{u.number}") for u in reprint]
    amended[reprint.index(s129)] = dataclasses.replace(
        s129, ref="v2:129", text=s129.text[:s129.text.index("(1)")] + s129.text[cut:])
    new_division = corpus.store.provision(f"{AMENDING}:6")
    assert new_division is not None
    text_12a = new_division.text[new_division.text.index("12a."):
                                 new_division.text.index("Data breach notification")]
    at = next(i for i, u in enumerate(amended) if u.number == "12") + 1
    amended.insert(at, DiffUnit("v2:12A", "12A", "Appointment of data protection officer",
                                text_12a))
    d = diff_units(reprint, amended)
    by_b = {r.number_b: r for r in d.rows}
    assert by_b["12A"].status == "added"
    assert by_b["129"].status == "changed" and by_b["129"].words_removed > 20
    assert by_b["129"].words_added == 0
    assert d.summary()["changed"] == 1 and d.summary()["removed"] == 0


@pytest.mark.slow
def test_cli_diff_matches_the_api(corpus: Corpus, analysis_db: Path) -> None:
    result = CliRunner().invoke(main, ["diff", ENACTED, REPRINT, "--db", str(analysis_db),
                                       "--amendment", AMENDING, "--changed-only",
                                       "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    cli_rows = [json.loads(line) for line in result.output.splitlines()]
    api_rows = corpus.diff(ENACTED, REPRINT, amendment=AMENDING).records(changed_only=True)
    assert cli_rows == json.loads(json.dumps(api_rows)) and cli_rows
    assert all(r["status"] != "unchanged" for r in cli_rows)
    csv_out = CliRunner().invoke(main, ["diff", ENACTED, REPRINT, "--db", str(analysis_db),
                                        "--format", "csv"])
    assert csv_out.exit_code == 0 and csv_out.output.splitlines()[0] == ",".join(DIFF_FIELDS)
    bad = CliRunner().invoke(main, ["diff", ENACTED, "nope", "--db", str(analysis_db)])
    assert bad.exit_code == 2 and "no document 'nope'" in bad.output
