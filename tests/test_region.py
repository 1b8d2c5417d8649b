"""The region the outputs focus on (ASEAN members and China, and their agreements): who is
party to what, and the rows of the region view, on toy documents and a toy scored index."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from nlp_toolkit.build.score import matrix
from nlp_toolkit.cli import main
from nlp_toolkit.corpus import Corpus
from nlp_toolkit.records import ExtractedDocument, Line, Provision
from nlp_toolkit.score import Evidence, ProvisionScore
from nlp_toolkit.sources.region import (
    ASEAN,
    REGION,
    document_parties,
    is_agreement,
    read_region_rows,
    region_rows,
    row_titles,
)
from nlp_toolkit.store import DocumentMeta, Store
from nlp_toolkit.store.scores import main_unit_ids, write_scores
from nlp_toolkit.topics import load_taxonomy

TOPICS = load_taxonomy().ids


def _doc(doc_id: str, jurisdiction: str, doc_type: str = "statute", title: str = "",
         year: int | None = None) -> dict[str, object]:
    return {"doc_id": doc_id, "jurisdiction": jurisdiction, "doc_type": doc_type,
            "title": title or doc_id, "year": year}


# -- parties (pure) -----------------------------------------------------------------------
def test_parties_come_from_codes_metadata_notes_and_labels() -> None:
    assert document_parties(_doc("x", "SGP")) == {"SGP"}
    assert document_parties(_doc("t", "AUS;BRN;VNM", "treaty")) == {"AUS", "BRN", "VNM"}
    # ToTA texts without manifest parties: the <meta> party lists kept in the metadata
    tota = document_parties(_doc("tota-38", "", "treaty"),
                            {"extracted": {"parties_original": "BRN;CHN;IDN"}})
    assert tota == {"BRN", "CHN", "IDN"}
    # RCEP's manifest note: "parties: ASEAN members, AUS, CHN, JPN, KOR, NZL; Chapter 12 ..."
    rcep = document_parties(_doc("rcep-2020", "RCEP", "treaty"), {"manifest": {
        "notes": "parties: ASEAN members, AUS, CHN, JPN, KOR, NZL; Chapter 12 E-Commerce"}})
    assert rcep == {*ASEAN, "AUS", "CHN", "JPN", "KOR", "NZL"}
    # an agreement the manifest names by a label only
    assert set(ASEAN) < document_parties(_doc("aanzfta-2009", "AANZFTA", "treaty"))
    assert set(ASEAN) <= document_parties(_doc("p", "", "treaty", "ASEAN - India"))
    assert document_parties(_doc("eu-gdpr-2016", "EUR", "regulation")) == {"EUR"}


def test_agreements_are_treaties_labels_or_several_parties() -> None:
    assert is_agreement(_doc("t", "", "treaty"))
    assert is_agreement(_doc("r", "RCEP", "md"))
    assert is_agreement(_doc("a", "SGP;MYS"), {"SGP", "MYS"})
    assert not is_agreement(_doc("s", "SGP"), {"SGP"})


def test_region_rows_members_first_then_agreements_by_member_parties() -> None:
    docs = [_doc("sgp-a", "SGP", title="An Act"), _doc("chn-b", "CHN"),
            _doc("eu", "EUR"), _doc("aus-law", "AUS"),
            _doc("tpp", "AUS;BRN;SGP;VNM", "treaty", "Trans-Pacific Partnership", 2016),
            _doc("asean-china", "", "treaty", "ASEAN - China", 2004),
            _doc("eu-chile", "CHL;EUR", "treaty", "EU - Chile")]
    meta = {"asean-china": {"extracted": {"parties_original": ";".join([*ASEAN, "CHN"])}}}
    rows = region_rows(docs, meta)
    assert rows.keys == (*REGION, "asean-china", "tpp")  # every member, even without a law
    assert rows.of_doc == {"sgp-a": "SGP", "chn-b": "CHN", "tpp": "tpp",
                           "asean-china": "asean-china"}
    assert rows.agreements == {"tpp", "asean-china"}
    assert rows.titles["PHL"] == "Philippines (PHL)"
    assert rows.titles["tpp"] == "Trans-Pacific Partnership [tpp]"
    assert rows.documents("SGP") == ["sgp-a"]
    by_doc = region_rows(docs, meta, by="doc")
    assert by_doc.keys == ("sgp-a", "chn-b", "asean-china", "tpp")
    assert by_doc.titles["sgp-a"] == "An Act [sgp-a]"
    assert row_titles(docs, ["CHN", "AUS", "tpp"]) == {
        "CHN": "China (CHN)", "AUS": "AUS", "tpp": "Trans-Pacific Partnership [tpp]"}


# -- the region view of a scored index ------------------------------------------------------
def _write(store: Store, doc_id: str, jurisdiction: str, bodies: list[str], *,
           doc_type: str = "statute", title: str = "") -> None:
    lines = [f"{i + 1}. {b}" for i, b in enumerate(bodies)]
    doc = ExtractedDocument(lines=tuple(Line(t) for t in lines), page_count=1)
    provs, pos = [], 0
    for i, line in enumerate(lines):
        provs.append(Provision(doc_id, f"{doc_id}:{i + 1}", str(i + 1), f"Heading {i + 1}",
                               "article", None, str(i + 1), 1, 1, pos, pos + len(line),
                               line, i))
        pos += len(line) + 1
    store.write_document(DocumentMeta(doc_id, f"{doc_id}.md", "0" * 64,
                                      jurisdiction=jurisdiction, title=title or doc_id,
                                      doc_type=doc_type, language="en"), doc, provs)


def _score(topic: str, p: float) -> ProvisionScore:
    topics = {t: 0.01 for t in TOPICS} | {topic: p}
    return ProvisionScore(topics, (topic,), "hard", 1.0, "neutral",
                          (Evidence(topic, "data", 0, 4),))


def scored_region_store(path: Path) -> Store:
    """A toy index: laws of SGP, PHL and AUS, a SGP-AUS treaty and an EU-Chile treaty."""
    s = Store.open(path)
    _write(s, "sgp-law", "SGP", ["Transfer of personal data abroad.", "Data <b>."],
           title="Personal Data Protection Act 2012")
    _write(s, "phl-law", "PHL", ["Personal data shall be protected."],
           title="Data Privacy Act of 2012")
    _write(s, "aus-law", "AUS", ["Privacy of personal data."], title="Privacy Act 1988")
    _write(s, "sg-au-fta", "AUS;SGP", ["Cross-border transfer of information."],
           doc_type="treaty", title="Singapore - Australia")
    _write(s, "eu-cl-fta", "CHL;EUR", ["Data flows."], doc_type="treaty", title="EU - Chile")
    ids: dict[str, int] = {}
    for d in ("sgp-law", "phl-law", "aus-law", "sg-au-fta", "eu-cl-fta"):
        ids.update(main_unit_ids(s, d))
    write_scores(s, "m1", [(ids["sgp-law:1"], "", _score("data_flows", 0.9)),
                           (ids["sgp-law:2"], "", _score("personal_data", 0.8)),
                           (ids["phl-law:1"], "", _score("personal_data", 0.95)),
                           (ids["aus-law:1"], "", _score("personal_data", 0.7)),
                           (ids["sg-au-fta:1"], "", _score("data_flows", 0.85)),
                           (ids["eu-cl-fta:1"], "", _score("data_flows", 0.6))])
    return s


@pytest.fixture()
def region_store(tmp_path: Path) -> Store:
    return scored_region_store(tmp_path / "index.sqlite")


def test_matrix_defaults_to_the_region_and_all_jurisdictions_shows_everything(
        region_store: Store) -> None:
    corpus = Corpus(region_store)
    frame, refs = corpus.matrix()
    assert list(frame.index) == [*REGION, "sg-au-fta"]  # no AUS, CHL or EU-Chile row
    assert frame.loc["SGP", "data_flows"] == 1  # its own law; the treaty has its own row
    assert frame.loc["sg-au-fta", "data_flows"] == 1
    assert refs[("sg-au-fta", "data_flows")] == ["sg-au-fta:1"]
    assert frame.loc["PHL", "personal_data"] == 1 and frame.loc["VNM", "n_provisions"] == 0
    assert frame.attrs["titles"]["sg-au-fta"] == "Singapore - Australia [sg-au-fta]"
    assert frame.attrs["agreements"] == ["sg-au-fta"]
    every, _ = corpus.matrix(all_jurisdictions=True)
    assert list(every.index) == ["AUS", "CHL", "EUR", "PHL", "SGP"]
    assert every.loc["SGP", "data_flows"] == 2  # a treaty counts for each party
    assert every.attrs["titles"]["PHL"] == "Philippines (PHL)"
    only, _ = corpus.matrix(jurisdictions=["AUS"])
    assert list(only.index) == ["AUS"]
    by_doc, _ = corpus.matrix(by="doc")
    assert list(by_doc.index) == ["phl-law", "sgp-law", "sg-au-fta"]
    assert by_doc.attrs["titles"]["phl-law"] == "Data Privacy Act of 2012 [phl-law]"
    # the low-level function takes the rows as an argument
    direct, _ = matrix(region_store, rows=read_region_rows(region_store))
    assert direct.equals(frame)


def test_matrix_cli_region_default_titles_and_all_jurisdictions(tmp_path: Path) -> None:
    db = tmp_path / "index.sqlite"
    scored_region_store(db).close()
    out = CliRunner().invoke(main, ["matrix", "--db", str(db), "--format", "csv"])
    assert out.exit_code == 0, out.output
    header, *lines = out.output.splitlines()
    assert header == "jurisdiction,topic,value,n_provisions,refs,title"
    assert {line.split(",")[0] for line in lines} == {*REGION, "sg-au-fta"}
    assert any(line.endswith(",Singapore - Australia [sg-au-fta]") for line in lines)
    every = CliRunner().invoke(main, ["matrix", "--db", str(db), "--format", "csv",
                                      "--all-jurisdictions"])
    assert {line.split(",")[0] for line in every.output.splitlines()[1:]} == {
        "AUS", "CHL", "EUR", "PHL", "SGP"}


def test_profile_table_uses_the_same_rows(region_store: Store) -> None:
    from nlp_toolkit.outputs import plot

    table = plot.profile_table(region_store, kind="bindingness")
    assert list(table.index) == [*REGION, "sg-au-fta"]
    assert int(table.loc["SGP", "hard"]) == 2 and int(table.loc["KHM"].sum()) == 0
    assert table.attrs["titles"]["SGP"] == "Singapore (SGP)"
    every = plot.profile_table(region_store, kind="bindingness", all_jurisdictions=True)
    assert int(every.loc["SGP", "hard"]) == 3


def test_heatmap_rows_by_title_and_top_labels_when_tall(region_store: Store) -> None:
    import pandas as pd

    from nlp_toolkit.outputs import plot

    frame, _ = Corpus(region_store).matrix()
    tall = pd.concat([frame, frame.rename(index=lambda k: f"{k}-copy")])
    tall.attrs = dict(frame.attrs)
    assert len(tall) > plot.TALL_ROWS
    fig = plot.coverage_heatmap(tall)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "Brunei Darussalam (BRN)"
    assert labels[11] == "Singapore - Australia [sg-au-fta]" and labels[12] == "BRN-copy"
    # the topic labels are repeated above the first row
    top = [a for a in ax.child_axes if a.get_xticklabels()]
    assert top and [t.get_text() for t in top[0].get_xticklabels()][:2] == list(TOPICS[:2])
    short = plot.coverage_heatmap(frame.iloc[:3])
    assert not short.axes[0].child_axes


def test_region_docstring_examples_run() -> None:
    import doctest

    from nlp_toolkit.sources import region

    assert doctest.testmod(region).failed == 0
