"""Treaty commitments linked to national law (issue #15): parties, relation rules, ``links``,
the commitment table and the evidence export (whose snippets must round-trip).

The index is the shared ``analysis_db`` (TPP e-commerce chapter, ``tota-449``, whose parties
include MYS and SGP). Its national laws are held-out ones, so these tests check mechanics
only: no test says which provision should be linked.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from nlp_toolkit import Corpus
from nlp_toolkit.analysis.links import (
    LinkIndex,
    commitments,
    relation,
    sentence_around,
    shared_topics,
    topic_agreement,
)
from nlp_toolkit.analysis.parties import ASEAN, parties_from
from nlp_toolkit.cli import main
from nlp_toolkit.outputs.evidence import (
    EVIDENCE_FIELDS,
    evidence_rows,
    law_number,
    write_evidence,
)
from nlp_toolkit.store import Store

COMMITMENT = "tota-449:40215"  # TPP Personal Information Protection


# -- pure parts -----------------------------------------------------------------------------
def test_parties_from_manifest_notes_expand_asean() -> None:
    meta = {"manifest": {"notes": "parties: ASEAN members, AUS, CHN, JPN, KOR, NZL; "
                                  "Chapter 12 Electronic Commerce"}}
    parties = parties_from("RCEP", meta)
    assert parties[:10] == list(ASEAN)
    assert parties[10:] == ["AUS", "CHN", "JPN", "KOR", "NZL"]


def test_parties_from_tota_metadata_then_jurisdiction_then_bloc() -> None:
    assert parties_from("X", {"extracted": {"parties": "MYS;SGP"}}) == ["MYS", "SGP"]
    assert parties_from("JPN;THA", {}) == ["THA", "JPN"]  # ASEAN members first
    assert parties_from("AANZFTA", {"manifest": {"notes": "Chapter 10"}}) == [
        *ASEAN, "AUS", "NZL"]


@pytest.mark.parametrize(("commitment", "national", "same", "expected"), [
    ("liberalizing", "restrictive", True, "restricts"),
    ("liberalizing", "restrictive", False, "restricts"),
    ("neutral", "restrictive", False, "related"),  # restricts nothing the commitment protects
    ("neutral", "restrictive", True, "implements"),
    ("restrictive", "restrictive", True, "implements"),
    ("liberalizing", "liberalizing", True, "implements"),
    ("neutral", "neutral", True, "implements"),
    ("neutral", "neutral", False, "related"),
    ("liberalizing", "liberalizing", False, "related"),
])
def test_relation_follows_direction_rules(commitment: str, national: str, same: bool,
                                          expected: str) -> None:
    assert relation(commitment, national, same_topic=same) == expected


def test_topic_agreement_and_shared_topics() -> None:
    assert topic_agreement({}, {"a": 1.0}) == 0.0
    assert topic_agreement({"a": 0.5}, {"a": 0.9}) == pytest.approx(1.0)
    # the commitment's asserted topics the national side holds from the cut, national
    # probability first; a topic the commitment does not assert never counts
    assert shared_topics(["a", "b", "d"], {"a": 0.06, "b": 0.8, "c": 0.9, "d": 0.01}) == [
        "b", "a"]
    assert shared_topics([], {"a": 1.0}) == []


_DIRECTIONS = st.sampled_from(["liberalizing", "restrictive", "neutral"])
_TOPICS = st.sampled_from(["data_flows", "personal_data", "e_transactions", "cooperation"])


@given(_DIRECTIONS, _DIRECTIONS, st.booleans())
def test_relation_restricts_only_a_liberalizing_commitment(commitment: str, national: str,
                                                           same: bool) -> None:
    got = relation(commitment, national, same_topic=same)
    assert (got == "restricts") == (commitment == "liberalizing" and national == "restrictive")
    if got != "restricts":  # otherwise topic agreement alone decides
        assert got == ("implements" if same else "related")


@given(st.lists(_TOPICS), st.dictionaries(_TOPICS, st.floats(0.0, 1.0)),
       st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_shared_topics_subset_of_commitment_and_monotone_in_cut(
        commitment: list[str], national: dict[str, float], a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    wide, narrow = shared_topics(commitment, national, cut=lo), shared_topics(
        commitment, national, cut=hi)
    assert set(narrow) <= set(wide) <= set(commitment)
    assert all(national.get(t, 0.0) >= lo for t in wide)
    assert len(wide) == len(set(wide))


def test_sentence_around_is_a_slice_holding_the_span() -> None:
    text = "First sentence here. The transfer of data abroad is allowed; other words."
    start = text.index("transfer")
    a, b = sentence_around(text, start, start + 8)
    assert a <= start < start + 8 <= b
    assert text[a:b].startswith("The transfer")


def test_law_number() -> None:
    assert law_number("Consumer Protection Act 1999 (Act 599), reprint") == "Act 599"
    assert law_number("Cybercrime Prevention Act of 2012 (Republic Act No. 10175)") == (
        "Republic Act No. 10175")
    assert law_number("Electronic Signature Law") == ""


# -- on the analysis index ------------------------------------------------------------------
def test_links_rank_each_party_or_report_a_gap(analysis_db: Path) -> None:
    with Corpus.open(analysis_db, create=False) as corpus:
        df = corpus.links(COMMITMENT, k=3)
    parties = parties_from("", {"extracted": {"parties":
                                              "AUS;BRN;CAN;CHL;JPN;MEX;MYS;NZL;PER;SGP;USA;VNM"}})
    assert set(df["jurisdiction"]) == set(parties)
    for jur, rows in df.groupby("jurisdiction"):
        if rows["gap"].eq(True).any():
            assert len(rows) == 1
            continue
        assert rows["rank"].tolist() == list(range(1, len(rows) + 1)), jur
        assert rows["score"].is_monotonic_decreasing
        assert set(rows["relation"]) <= {"implements", "restricts", "related"}
    # parties with no national law in this index are gaps; MYS and SGP have laws
    assert df.loc[df["jurisdiction"] == "AUS", "gap"].eq(True).all()
    found = df[df["gap"].ne(True)]
    assert {"MYS", "SGP"} <= set(found["jurisdiction"])
    # versions collapse: one law version per jurisdiction's results, the latest
    mys = found[found["jurisdiction"] == "MYS"]
    assert "mys-pdpa-2010-as-enacted" not in set(mys["doc_id"])
    for rec in found.to_dict("records"):
        for ev in rec["evidence"]:
            if ev["kind"] == "term":
                with Store.open(analysis_db, create=False) as store:
                    unit = LinkIndex(store).commitment(ev["ref"])
                assert unit.text[ev["char_start"]:ev["char_end"]] == ev["text"]


def test_links_jurisdiction_must_be_a_party(analysis_db: Path) -> None:
    from nlp_toolkit.errors import ToolkitError

    with Corpus.open(analysis_db, create=False) as corpus, pytest.raises(
            ToolkitError, match="not a party"):
        corpus.links(COMMITMENT, jurisdiction="CHN")


def test_commitments_of_a_treaty_carry_a_topic(analysis_db: Path) -> None:
    with Store.open(analysis_db, create=False) as store:
        refs = commitments(store, "tota-449")
    assert COMMITMENT in refs


def test_evidence_export_round_trips(analysis_db: Path, tmp_path: Path) -> None:
    with Store.open(analysis_db, create=False) as store:
        rows = list(evidence_rows(store, refs=[COMMITMENT], jurisdiction="MYS"))
        kinds = {r["kind"] for r in rows}
        assert {"link", "topic"} <= kinds
        for fmt in ("csv", "parquet"):
            out = tmp_path / f"evidence.{fmt}"
            assert write_evidence(rows, out) == len(rows)
            frame = pd.read_csv(out) if fmt == "csv" else pd.read_parquet(out)
            assert list(frame.columns) == list(EVIDENCE_FIELDS)
            checked = 0
            for rec in frame.to_dict("records"):
                if rec["kind"] == "gap":
                    continue
                text = LinkIndex(store).commitment(rec["ref"]).text
                assert text[int(rec["char_start"]):int(rec["char_end"])] == rec["snippet"], rec
                checked += 1
            assert checked == sum(r["kind"] != "gap" for r in rows) > 0
    topic_rows = [r for r in rows if r["kind"] == "topic"]
    assert all(r["economy"] == "MYS" and r["law_name"] for r in topic_rows)
    data_flows = [r for r in topic_rows if r["topic"] == "data_flows"]
    assert data_flows and all(r["rdtii_indicator"] == "6.1, 6.4" for r in data_flows)


# -- the command line -----------------------------------------------------------------------
def test_links_help() -> None:
    result = CliRunner().invoke(main, ["links", "--help"])
    assert result.exit_code == 0
    assert "--all" in result.output and "--jurisdiction" in result.output


def test_links_cli_jsonl(analysis_db: Path) -> None:
    result = CliRunner().invoke(main, ["links", COMMITMENT, "--db", str(analysis_db),
                                       "-k", "2", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    records = [json.loads(x) for x in result.output.splitlines()]
    gaps = [r for r in records if r.get("gap")]
    assert gaps and all(set(r) == {"commitment", "jurisdiction", "gap"} for r in gaps)
    links = [r for r in records if not r.get("gap")]
    assert links and all({"doc_id", "number", "jurisdiction", "rank", "score", "relation",
                          "evidence"} <= set(r) for r in links)
    assert max(r["rank"] for r in links) <= 2


def test_links_cli_bad_input(analysis_db: Path) -> None:
    result = CliRunner().invoke(main, ["links", "--db", str(analysis_db)])
    assert result.exit_code == 2
    result = CliRunner().invoke(main, ["links", "nope:1", "--db", str(analysis_db)])
    assert result.exit_code == 2 and "no provision" in result.output


def test_export_evidence_cli(analysis_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "ev.csv"
    result = CliRunner().invoke(main, ["export", "--db", str(analysis_db), "--evidence",
                                       str(out), "--jurisdiction", "SGP", "--no-findings",
                                       "--treaty", "tota-449"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert set(frame["kind"]) <= {"link", "gap"} and len(frame) > 0


def test_links_matrix_cli(analysis_db: Path) -> None:
    result = CliRunner().invoke(main, ["links", "--db", str(analysis_db), "--all", "tota-449",
                                       "--matrix", "-k", "1", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in result.output.splitlines()]
    assert COMMITMENT in {r["commitment"] for r in rows}
    for r in rows:  # one column per party with national law; a cell is links or a gap
        assert {"MYS", "SGP"} <= set(r) and "AUS" not in r
        assert r["MYS"] == "gap" or r["MYS"].endswith(")")


def test_report_section_shows_the_table_with_gaps() -> None:
    from nlp_toolkit.analysis.links import CommitmentTable
    from nlp_toolkit.outputs.report import _commitments_html

    link = {"ref": "x-law:5", "relation": "restricts", "bindingness": "hard",
            "direction": "restrictive", "heading": "Storage <in> country"}
    table = CommitmentTable("rcep-2020", [("rcep-2020:12.14", "Location of Computing Facilities")],
                            ["CHN", "SGP"], {("rcep-2020:12.14", "CHN"): [link],
                                             ("rcep-2020:12.14", "SGP"): []}, ["AUS"])
    html = _commitments_html(table)
    assert "Commitments and national law" in html and "chapter 12" in html
    assert "x-law:5" in html and "restricts" in html and "none found" in html
    assert "Storage &lt;in&gt; country" in html and "AUS" in html
    assert table.to_pandas().loc[0, "SGP"] == "gap"
    from nlp_toolkit.outputs.report import ReportData, render_html

    page = render_html(ReportData(title="t", generated="g", stats={}, commitments=table))
    assert '<a href="#commitments">' in page and 'id="commitments"' in page  # in the contents


@pytest.mark.slow
def test_links_report_a_translated_article_once_never_its_translation(
        analysis_db: Path, shared_corpus: Path, tmp_path: Path) -> None:
    import shutil

    from nlp_toolkit.sources.manifest import read_manifest

    doc = "vnm-cybersecurity-law-2018"  # Vietnamese in full, a partial English translation
    path = tmp_path / "index.sqlite"
    shutil.copy(analysis_db, path)
    rows = [r for r in read_manifest(shared_corpus / "manifest.csv").rows if r.doc_id == doc]
    with Corpus.open(path) as corpus:
        assert corpus.ingest(rows, workers=0).ok
        corpus.embed("use-m3")
        corpus.score(doc_id=doc)
        index = LinkIndex(corpus.store)
        cands = index.candidates(index.commitment(COMMITMENT), "VNM")
        levels = dict(corpus.store.conn.execute(
            "SELECT id, level FROM provisions WHERE doc_id = ?", (doc,)).fetchall())
        df = corpus.links(COMMITMENT, jurisdiction="VNM", k=10)
    assert {levels[c.unit_id] for c in cands if c.unit_id in levels} == {"article"}
    ids = [c.unit_id for c in cands]
    assert len(ids) == len(set(ids))
    vnm = df[df["doc_id"] == doc]
    assert not vnm.empty and vnm["number"].is_unique
    assert not any(str(n).startswith("en ") for n in vnm["number"])
