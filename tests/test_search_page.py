"""The result page of issue #12: works and expressions, the operative rule, the page design.

Pure functions on small inputs (collapse, arrange, the operative rule, work inference), and
the schema migration that back-fills works and the operative flag in an older index.
"""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp_toolkit.search.page import Arrangement, arrange, collapse
from nlp_toolkit.segment.operative import is_operative
from nlp_toolkit.sources.works import infer_version_date, infer_work, standing_documents
from nlp_toolkit.store import Store
from nlp_toolkit.store.schema import MIGRATIONS, _statements


# -- works and expressions -------------------------------------------------------------
@pytest.mark.parametrize(("doc_id", "work"), [
    ("mys-pdpa-2010-as-enacted", "mys-pdpa-2010"),
    ("mys-pdpa-2010-reprint-2023", "mys-pdpa-2010"),
    ("tha-pdpa-2019-en", "tha-pdpa-2019"),
    ("tha-pdpa-2019-th", "tha-pdpa-2019"),
    ("mys-pdpa-amendment-2024", "mys-pdpa-amendment-2024"),  # an amending act: its own work
    ("idn-ite-amendment-2016", "idn-ite-amendment-2016"),
    ("sgp-pdpa-2012", "sgp-pdpa-2012"),
    ("tota-12", "tota-12"),
    ("lao-e-transactions-law", "lao-e-transactions-law"),
])
def test_work_is_the_doc_id_without_version_and_language_suffixes(doc_id: str,
                                                                  work: str) -> None:
    assert infer_work(doc_id) == work


def test_a_reprint_is_dated_by_its_own_year() -> None:
    assert infer_version_date("mys-pdpa-2010-reprint-2023", 2010, "") == "2023"
    assert infer_version_date("mys-pdpa-2010-as-enacted", 2010, "Act 709, as enacted") == "2010"
    assert infer_version_date("sgp-pdpa-2012", 2012, "Act 2012 (2020 Revised Edition)") == "2020"
    assert infer_version_date("x", None, "") == ""


def test_one_document_stands_for_each_work() -> None:
    docs = {"mys-pdpa-2010-as-enacted": ("mys-pdpa-2010", "2010", "en"),
            "mys-pdpa-2010-reprint-2023": ("mys-pdpa-2010", "2023", "en"),
            "mys-pdpa-amendment-2024": ("mys-pdpa-amendment-2024", "2024", "en"),
            "tha-pdpa-2019-th": ("tha-pdpa-2019", "2019", "th"),
            "tha-pdpa-2019-en": ("tha-pdpa-2019", "2019", "en"),
            "vnm-law": ("", "2018", "vi")}  # no work: the document is its own work
    assert standing_documents(docs) == {"mys-pdpa-2010-reprint-2023", "mys-pdpa-amendment-2024",
                                        "tha-pdpa-2019-en", "vnm-law"}
    # another preferred language picks that expression of the latest version
    assert "tha-pdpa-2019-th" in standing_documents(docs, language="th")
    # the latest version wins over the preferred language
    docs["mys-pdpa-2010-as-enacted-ms"] = ("mys-pdpa-2010", "2010", "ms")
    assert "mys-pdpa-2010-reprint-2023" in standing_documents(docs, language="ms")


# -- the operative rule ----------------------------------------------------------------
@pytest.mark.parametrize(("level", "heading", "text", "number"), [
    ("preamble", "", "LAWS OF MALAYSIA ...", "Preamble"),
    ("schedule", "", "LAWS OF MALAYSIA\nAct 709\nPERSONAL DATA PROTECTION ACT 2010\n"
     "LIST OF AMENDMENTS\nAmending law", "List of Amendments"),
    ("schedule", "", "LAWS OF MALAYSIA\nAct 599\nLIST OF SECTIONS AMENDED\nSection", "x"),
    ("article", "", "IN WITNESS WHEREOF, the undersigned, being duly authorized ...", "10618"),
    ("article", "Recitals", "Whereas ...", "R"),
    ("elucidation", "", "Cukup jelas.", "Penjelasan 5"),
])
def test_frames_are_not_operative(level: str, heading: str, text: str, number: str) -> None:
    assert not is_operative(level, heading, text, number=number)


@pytest.mark.parametrize(("level", "heading", "text"), [
    ("section", "Retention of personal data", "10. (1) A data user shall not keep ..."),
    ("section", "Amendment of Schedules", "64.—(1) The Minister may amend ..."),
    ("article", "Definitions", "For the purposes of this Chapter ..."),
    ("schedule", "EXCEPTIONS FROM ACCESS REQUIREMENT", "FIFTH SCHEDULE\n1. An organisation"),
])
def test_law_is_operative(level: str, heading: str, text: str) -> None:
    assert is_operative(level, heading, text)


# -- collapse --------------------------------------------------------------------------
def test_collapse_keeps_the_group_rank_and_the_preferred_expression() -> None:
    # 1 (as enacted) and 3 (reprint) are one section; 3 is preferred, shown at 1's rank
    key = {1: ("pdpa", "9"), 2: None, 3: ("pdpa", "9"), 4: ("pdpa", "10")}.get
    prefer = {1: 1, 3: 0, 4: 0}.get
    assert collapse([1, 2, 3, 4], key=key, prefer=prefer) == [(3, (1,)), (2, ()), (4, ())]


@given(st.lists(st.integers(0, 30), unique=True),
       st.dictionaries(st.integers(0, 30), st.integers(0, 4)),
       st.dictionaries(st.integers(0, 30), st.integers(0, 3)))
def test_collapse_partitions_the_candidates(ranked: list[int], groups: dict[int, int],
                                            prefs: dict[int, int]) -> None:
    out = collapse(ranked, key=groups.get, prefer=prefs.get)
    flat = [i for rep, rest in out for i in (rep, *rest)]
    assert sorted(flat) == sorted(ranked)  # every candidate once, as a hit or an expression
    keys = [groups.get(rep) for rep, _ in out if groups.get(rep) is not None]
    assert len(keys) == len(set(keys))  # one hit per group


# -- arrange (diversification and national/treaty shares) ------------------------------
def test_at_most_n_hits_of_one_work_on_the_first_page() -> None:
    ranked = list(range(12))
    work = {i: "big" if i < 8 else f"w{i}" for i in ranked}.get
    page = arrange(ranked, work=lambda i: work(i), per_work=3, page=10)
    first = page[:10]
    # the 4 other works come before "big" takes a 4th slot; then only "big" is left
    assert first == [0, 1, 2, 8, 9, 10, 11, 3, 4, 5]
    assert set(range(8, 12)) <= set(first)
    assert first[:3] == [0, 1, 2]


def test_national_share_brings_national_law_up() -> None:
    ranked = list(range(20))
    national = {i: i >= 15 for i in ranked}.get
    page = arrange(ranked, work=lambda i: i, national=lambda i: bool(national(i)),
                   shares=Arrangement(national=0.3))
    # at least 30 % of every prefix is national while national candidates remain
    for n in range(1, 11):
        assert sum(bool(national(i)) for i in page[:n]) >= int(0.3 * n)


def test_shares_must_fit_in_one_page() -> None:
    with pytest.raises(ValueError, match="sum to <= 1"):
        Arrangement(national=0.7, treaty=0.5)
    with pytest.raises(ValueError, match="per_work must be >= 1"):
        arrange([1], work=str, per_work=0)


@given(st.lists(st.integers(0, 60), unique=True, max_size=40),
       st.integers(0, 5), st.integers(1, 4), st.sampled_from([0.0, 0.3, 0.5]),
       st.integers(1, 40))
def test_arranged_page_is_a_prefix_stable_permutation(ranked: list[int], n_works: int,
                                                      per_work: int, share: float,
                                                      k: int) -> None:
    def work(i: int) -> int:
        return i % (n_works + 1)

    def national(i: int) -> bool:
        return i % 3 == 0

    page = arrange(ranked, work=work, per_work=per_work, national=national,
                   shares=Arrangement(national=share))
    assert sorted(page) == sorted(ranked)  # a permutation of the candidates
    # prefix-stable: arranging the same candidates again gives the same first k
    shorter = arrange(ranked, work=work, per_work=per_work, national=national,
                      shares=Arrangement(national=share))[:k]
    assert shorter == page[:k]
    # with no constraint binding, the order is the candidates' own
    assert arrange(ranked, work=lambda i: i) == ranked


def _arrange_by_definition(ranked: list[int], work, per_work, page, national, shares
                           ) -> list[int]:
    """:func:`arrange` as its docstring states it, scanning every candidate at each step."""
    remaining, out, counts = list(ranked), [], {}
    for pos in range(len(ranked)):
        if pos % page == 0:
            counts = {}
        n_nat = sum(1 for i in out if national(i))
        want = None
        if shares is not None:
            if n_nat < math.floor(shares.national * (pos + 1)):
                want = True
            elif pos - n_nat < math.floor(shares.treaty * (pos + 1)):
                want = False
        pool = [i for i in remaining if want is None or national(i) == want] or remaining
        under = [i for i in pool if per_work is None or counts.get(work(i), 0) < per_work]
        item = (under or pool)[0]
        remaining.remove(item)
        out.append(item)
        counts[work(item)] = counts.get(work(item), 0) + 1
    return out


@given(st.lists(st.integers(0, 80), unique=True, max_size=50), st.integers(0, 6),
       st.sampled_from([None, 1, 2, 3]), st.sampled_from([3, 10]),
       st.sampled_from([None, (0.7, 0.0), (0.5, 0.2), (0.0, 0.9)]))
def test_arrange_follows_its_definition(ranked: list[int], n_works: int,
                                        per_work: int | None, page: int,
                                        shares: tuple[float, float] | None) -> None:
    def work(i: int) -> int:
        return i % (n_works + 1)

    def national(i: int) -> bool:
        return i % 3 != 0

    share = None if shares is None else Arrangement(national=shares[0], treaty=shares[1])
    assert arrange(ranked, work=work, per_work=per_work, page=page, national=national,
                   shares=share) == _arrange_by_definition(ranked, work, per_work, page,
                                                           national, share)


# -- the migration back-fills works and the operative flag ------------------------------
def test_older_index_gains_works_and_the_operative_flag(tmp_path: Path) -> None:
    path = tmp_path / "v3.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:3]:
        assert isinstance(script, str)
        for statement in _statements(script):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 3")
    text = "LAWS OF MALAYSIA\nPREAMBLE\n1. This Act may be cited as the Act."
    for doc_id, year in (("mys-pdpa-2010-as-enacted", 2010), ("mys-pdpa-2010-reprint-2023",
                                                              2023)):
        conn.execute("INSERT INTO documents (doc_id, path, sha256, status, ingested_at, year, "
                     "clean_text) VALUES (?, 'p', 's', 'ok', 'now', ?, ?)",
                     (doc_id, year, text))
        for ordinal, (number, level, start, end) in enumerate(
                (("Preamble", "preamble", 0, 25), ("1", "section", 26, len(text)))):
            conn.execute("INSERT INTO provisions (doc_id, ref, ordinal, number, heading, level, "
                         "path, char_start, char_end, text_sha256, fts) VALUES "
                         "(?, ?, ?, ?, '', ?, '', ?, ?, 'h', 1)",
                         (doc_id, f"{doc_id}:{number}", ordinal, number, level, start, end))
    conn.close()
    with Store.open(path) as store:
        works = dict(store.conn.execute("SELECT doc_id, work || '@' || version_date "
                                        "FROM documents"))
        assert works == {"mys-pdpa-2010-as-enacted": "mys-pdpa-2010@2010",
                         "mys-pdpa-2010-reprint-2023": "mys-pdpa-2010@2023"}
        flags = dict(store.conn.execute("SELECT ref, operative FROM provisions"))
        assert flags["mys-pdpa-2010-reprint-2023:Preamble"] == 0
        assert flags["mys-pdpa-2010-reprint-2023:1"] == 1


def test_the_preferred_expression_is_the_readers_language_else_english() -> None:
    from nlp_toolkit.search.page import UnitTable

    facts = {1: ("act-2019-th", "5", True), 2: ("act-2019-en", "5", True),
             3: ("act-2019-th", "6", True), 4: ("code-2020", "1", True)}
    docs = {"act-2019-th": ("act-2019", "2019", "th", "statute", "THA"),
            "act-2019-en": ("act-2019", "2019", "en", "statute", "THA"),
            "code-2020": ("code-2020", "2020", "zh", "statute", "CHN")}
    table = UnitTable(facts, docs)
    # a Chinese reader: no Chinese expression, so English, whatever the document-id order
    assert table.preferred(1, "zh") == table.preferred(2, "zh") == 2
    assert table.preferred(2, "th") == 1
    assert table.preferred(3, "en") == 3  # s.6 has no English expression in the index
    assert table.preferred(4, "en") is None  # a work of one expression
    assert table.other_expressions(2) == (1,) and table.other_expressions(4) == ()


def test_a_provision_ranks_where_its_preferred_expression_ranks(tmp_path: Path) -> None:
    from nlp_toolkit.records import ExtractedDocument, Line
    from nlp_toolkit.search.index import search
    from nlp_toolkit.segment import segment
    from nlp_toolkit.store import DocumentMeta

    store = Store.open(tmp_path / "x.sqlite")
    texts = {"law-2010-as-enacted": (2010, "Section 1 Records of retention are kept."),
             "law-2010-reprint-2023": (2023, "Section 1 Records are kept."),
             "rule-2020": (2020, "Section 1 The retention of records is a duty.")}
    for doc_id, (year, line) in texts.items():
        doc = ExtractedDocument(lines=(Line("A law"), Line(line)), page_count=1)
        store.write_document(DocumentMeta(doc_id=doc_id, path=f"{doc_id}.txt", sha256=doc_id,
                                          doc_type="statute", year=year, language="en",
                                          jurisdiction="TOY"), doc, segment(doc_id, doc))
    with store:
        # only the old text says "retention": the reprint's section ranks on its own words
        assert [h.ref for h in search(store, "retention", mode="lexical")] == ["rule-2020:1"]
        hits = search(store, "records kept", mode="lexical")
        assert "law-2010-reprint-2023:1" in [h.ref for h in hits]
        one = next(h for h in hits if h.ref == "law-2010-reprint-2023:1")
        assert one.expressions == ("law-2010-as-enacted:1",)  # listed, found or not
        # a filter that holds only the old text shows it; so does --all-versions
        assert [h.ref for h in search(store, "retention", mode="lexical",
                                      doc="law-2010-as-enacted")] == ["law-2010-as-enacted:1"]
        assert "law-2010-as-enacted:1" in [h.ref for h in search(
            store, "retention", mode="lexical", all_versions=True)]


def test_a_question_naming_a_country_gets_its_national_law_first(tmp_path: Path) -> None:
    from nlp_toolkit.records import ExtractedDocument, Line
    from nlp_toolkit.search.index import search
    from nlp_toolkit.segment import segment
    from nlp_toolkit.store import DocumentMeta

    store = Store.open(tmp_path / "x.sqlite")
    texts = {  # doc_id: (jurisdiction, type, text)
        "sg-act": ("SGP", "statute", "Section 1 Personal data may be kept while needed. "
                                     "Retention of personal data ends with its purpose."),
        "my-act": ("MYS", "statute", "Section 1 A data user keeps personal data no longer than "
                                     "needed."),
        "my-rule": ("MYS", "regulation", "Section 1 Records of retention of personal data in "
                                         "Malaysia."),
        "asean-pact": ("MYS;SGP", "treaty", "Section 1 Retention of personal data by Parties.")}
    for doc_id, (jur, doc_type, line) in texts.items():
        doc = ExtractedDocument(lines=(Line("A law"), Line(line)), page_count=1)
        store.write_document(DocumentMeta(doc_id=doc_id, path=f"{doc_id}.txt", sha256=doc_id,
                                          doc_type=doc_type, year=2020, language="en",
                                          jurisdiction=jur), doc, segment(doc_id, doc))
    with store:
        query = "retention of personal data under Malaysian law"
        plain = [h.doc_id for h in search(store, query, mode="lexical", scope_mentions=False)]
        assert plain[0] != "my-act"
        hits = search(store, query, mode="lexical")
        # Malaysia's own law first (the treaty MYS is party to is not its own law), ranked
        # without the word "Malaysian"; then the rest of the page, each provision once
        assert [h.doc_id for h in hits[:2]] == ["my-rule", "my-act"]
        assert sorted(h.doc_id for h in hits) == sorted(plain)
        assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
        # two named countries take turns; a filter is the user's own scope
        both = search(store, "data retention in Singapore and Malaysia", mode="lexical")
        assert [h.jurisdiction for h in both[:3]] == ["SGP", "MYS", "MYS"]
        assert [h.doc_id for h in search(store, query, mode="lexical", jurisdiction="SGP",
                                         doc_type="national")] == ["sg-act"]
        # a jurisdiction filter: its own law first, then the agreements it is party to
        mine = [h.doc_id for h in search(store, "retention of personal data",
                                         mode="lexical", jurisdiction="MYS")]
        assert mine[-1] == "asean-pact" and set(mine[:-1]) == {"my-act", "my-rule"}
        assert [h.doc_id for h in search(store, "retention of personal data", k=1,
                                         mode="lexical", jurisdiction="MYS")] != ["asean-pact"]
        # a question that names trade agreements: their articles first
        pact = "Do trade agreements say anything on keeping personal data?"
        assert search(store, pact, mode="lexical")[0].doc_id == "asean-pact"
        assert search(store, pact, mode="lexical", scope_mentions=False)[0].doc_id != (
            "asean-pact")


# -- the page end to end, on a toy index (lexical mode: no model needed) ---------------
def _toy_index(path: Path) -> Store:
    from nlp_toolkit.records import ExtractedDocument, Line
    from nlp_toolkit.segment import segment
    from nlp_toolkit.store import DocumentMeta

    store = Store.open(path)
    body = ("Section 1 This Act is the Data Act.",
            "Section 2 (1) A data user shall not keep personal data longer than the purpose "
            "of retention requires.",
            "Section 3 A data user shall notify a data breach to the Commissioner.")
    docs = {"toy-act-2010-as-enacted": (2010, "statute", ("Toy Data Act 2010 as enacted",
                                                           "retention of personal data",
                                                           *body)),
            "toy-act-2010-reprint-2023": (2023, "statute", ("Toy Data Act 2010 reprint",
                                                             *body)),
            "toy-treaty-2020": (2020, "treaty", ("Toy Treaty",
                                                 "Section 1 Each Party shall adopt rules on "
                                                 "retention of personal data."))}
    for doc_id, (year, doc_type, lines) in docs.items():
        doc = ExtractedDocument(lines=tuple(Line(t) for t in lines), page_count=1)
        store.write_document(DocumentMeta(doc_id=doc_id, path=f"{doc_id}.txt", sha256=doc_id,
                                          doc_type=doc_type, year=year, language="en",
                                          jurisdiction="TOY" if doc_type != "treaty"
                                          else "T"),
                             doc, segment(doc_id, doc))
    return store


def test_search_collapses_expressions_and_leaves_out_frames(tmp_path: Path) -> None:
    from nlp_toolkit.search.index import search

    with _toy_index(tmp_path / "toy.sqlite") as store:
        hits = search(store, "retention of personal data", k=10, mode="lexical")
        refs = [h.ref for h in hits]
        # section 2 once, from the reprint; the as-enacted text listed as its expression
        assert "toy-act-2010-reprint-2023:2" in refs
        assert "toy-act-2010-as-enacted:2" not in refs
        two = hits[refs.index("toy-act-2010-reprint-2023:2")]
        assert two.expressions == ("toy-act-2010-as-enacted:2",)
        assert two.to_dict()["expressions"] == ["toy-act-2010-as-enacted:2"]
        assert not any(r.endswith(":Preamble") for r in refs)  # the title block is a frame
        every = [h.ref for h in search(store, "retention of personal data", k=10,
                                       mode="lexical", all_versions=True,
                                       include_non_operative=True)]
        assert {"toy-act-2010-reprint-2023:2", "toy-act-2010-as-enacted:2",
                "toy-act-2010-as-enacted:Preamble"} <= set(every)
        treaty = [h.ref for h in search(store, "retention of personal data", k=10,
                                        mode="lexical", doc_type="treaty")]
        assert treaty == ["toy-treaty-2020:1"]
        national = [h.doc_id for h in search(store, "personal data", k=10, mode="lexical",
                                             doc_type="national")]
        assert national and "toy-treaty-2020" not in national
        with pytest.raises(ValueError, match="doc_type must be one of"):
            search(store, "data", mode="lexical", doc_type=cast(Any, "law"))
        # the baseline design is the ranking before the page design: both versions show
        plain = [h.ref for h in search(store, "retention of personal data", k=10,
                                       mode="lexical", design="baseline")]
        assert {"toy-act-2010-reprint-2023:2", "toy-act-2010-as-enacted:2"} <= set(plain)


def test_page_is_prefix_stable_on_the_toy_index(tmp_path: Path) -> None:
    from nlp_toolkit.search.index import search

    with _toy_index(tmp_path / "toy.sqlite") as store:
        long = [h.ref for h in search(store, "data", k=50, mode="lexical")]
        assert [h.ref for h in search(store, "data", k=2, mode="lexical")] == long[:2]


def test_cli_page_options(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from nlp_toolkit.cli import main

    db = tmp_path / "toy.sqlite"
    _toy_index(db).close()
    runner = CliRunner()
    base = ["search", "retention of personal data", "--mode", "lexical", "--format", "jsonl",
            "--db", str(db)]
    one = [json.loads(x) for x in runner.invoke(main, base).output.splitlines()]
    every = [json.loads(x) for x in runner.invoke(
        main, [*base, "--all-versions", "--include-non-operative"]).output.splitlines()]
    assert all(r["doc_id"] and r["number"] for r in one)
    assert len(every) > len(one)
    unscoped = runner.invoke(main, [*base, "--no-scope-mentions"])
    assert unscoped.exit_code == 0, unscoped.output
    assert [json.loads(x) for x in unscoped.output.splitlines()] == one  # no country named
    assert any(r["expressions"] for r in one)
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"id": 1, "query": "personal data"}\n', encoding="utf-8")
    res = runner.invoke(main, ["search", "--queries", str(queries), "--mode", "lexical",
                               "--doc-type", "treaty", "--db", str(db)])
    out = json.loads(res.output)
    assert [r["doc_id"] for r in out["results"]] == ["toy-treaty-2020"], res.output
