"""Legal transplants: the vectorised shingles and MinHash, families, and real ToTA chapters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlp_toolkit.analysis.shingles import char_shingles, jaccard, normalise_text
from nlp_toolkit.analysis.transplants import (
    document_order,
    duplicate_families,
    family_records,
    find_families,
    hashed_jaccard,
    minhash_signatures,
    normalise_many,
    shingle_hashes,
)
from nlp_toolkit.corpus import Corpus
from nlp_toolkit.sources.manifest import read_manifest

BASE = ("Each Party shall maintain its current practice of not imposing customs duties on "
        "electronic transmissions between the Parties, consistent with the WTO Ministerial "
        "Decision, and may adjust that practice in light of further Ministerial Decisions.")
LIGHT = BASE.replace("between the Parties", "between Australia and Singapore")
PARAPHRASE = ("No tariffs are to be levied by either signatory on digital content that is "
              "sent across borders online, in line with what the WTO ministers decided.")
UNRELATED = ("The Joint Committee shall meet once a year in the capital of each Party in "
             "turn, and may establish working groups to examine rules of origin matters.")
# ToTA e-commerce and paperless-trading chapters (labels README): JP-SG, JP-TH, JP-PH,
# SG-AU, TH-AU, MY-AU, AU-CN.
TOTA_DOCS = ("tota-62", "tota-1", "tota-372", "tota-54", "tota-36", "tota-160", "tota-141")


def test_normalise_many_matches_normalise_text() -> None:
    texts = [" ;Hello,, World!!  ", "", "...", "中华人民共和国 第一条，个人信息", "Ａｂｃ\tDEF\n",
             "ARTICLE 14.3 Digital Products\n1. No Party may impose customs duties"]
    assert normalise_many(texts) == [normalise_text(t) for t in texts]


@pytest.mark.parametrize("a,b", [(BASE, LIGHT), (BASE, PARAPHRASE), (BASE, UNRELATED),
                                 (BASE, BASE), ("abc", "abcd"), ("", "x"),
                                 ("第一条", "第一条 个人")])
def test_hashed_jaccard_equals_string_jaccard(a: str, b: str) -> None:
    na, nb = normalise_many([a, b])
    got = hashed_jaccard(shingle_hashes(na), shingle_hashes(nb))
    assert got == pytest.approx(jaccard(char_shingles(a), char_shingles(b)), abs=1e-12)
    assert len(shingle_hashes(na)) == len(char_shingles(a))


def test_minhash_agreement_estimates_jaccard() -> None:
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(400)]
    a = " ".join(rng.choice(words, 300))
    b = a[: len(a) // 2] + " ".join(rng.choice(words, 150))
    na, nb = normalise_many([a, b])
    true = hashed_jaccard(shingle_hashes(na), shingle_hashes(nb))
    sigs = minhash_signatures([na, nb], num_perm=256)
    assert float(np.mean(sigs[0] == sigs[1])) == pytest.approx(true, abs=0.1)
    # identical texts get identical signatures, also after densifying empty bins
    short = minhash_signatures(["short text here", "short text here"], num_perm=128)
    assert (short[0] == short[1]).all() and (short != np.iinfo(np.uint64).max).all()


def test_document_order_prefers_date_signed_then_year() -> None:
    assert document_order(2019, {"extracted": {"date_signed": "2018-03-08"}}) == "2018-03-08"
    assert document_order(2019, {"extracted": {"date_signed": "March 2018"}}) == "2019"
    assert document_order(7, {"extracted": "not a mapping"}) == "0007"
    assert document_order(None, {}) == "9999"


def test_constructed_families() -> None:
    items = [("new:1", LIGHT, "2012"), ("old:1", BASE, "2003"), ("para:1", PARAPHRASE, "2005"),
             ("other:1", UNRELATED, "2001"), ("copy:1", BASE, "2008"),
             ("old:2", "Deleted.", "2003"), ("x:2", "Deleted.", "2004")]
    fams = find_families(items, threshold=0.6)
    assert [f.refs for f in fams] == [("old:1", "copy:1", "new:1")]
    fam = fams[0]
    assert fam.docs == ("old", "copy", "new") and fam.origin == "old:1"
    assert fam.jaccard[:2] == (1.0, 1.0) and 0.6 <= fam.jaccard[2] < 1.0
    # a stricter threshold leaves the light edit out
    assert [f.refs for f in find_families(items, threshold=0.95)] == [("old:1", "copy:1")]
    # repeats inside one document are no transplant unless min_docs allows it
    same_doc = [("d:1", BASE, "1"), ("d:2", BASE, "1")]
    assert find_families(same_doc) == []
    assert [f.refs for f in find_families(same_doc, min_docs=1)] == [("d:1", "d:2")]
    with pytest.raises(ValueError, match="threshold"):
        find_families(items, threshold=1.0)


@pytest.fixture(scope="module")
def tota_corpus(shared_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    rows = [r for r in read_manifest(shared_corpus / "manifest.csv").rows
            if r.doc_id in TOTA_DOCS]
    assert len(rows) == len(TOTA_DOCS)
    corpus = Corpus.open(tmp_path_factory.mktemp("tota") / "index.sqlite")
    report = corpus.ingest(rows, workers=0)
    assert not report.failures
    return corpus


def _family_with(records: list[dict], phrase: str) -> dict:
    found = [r for r in records if phrase in r["text"].lower()]
    assert found, f"no family whose origin mentions {phrase!r}"
    return max(found, key=lambda r: r["n_docs"])


@pytest.mark.slow
def test_tota_template_language_forms_families(tota_corpus: Corpus) -> None:
    families = duplicate_families(tota_corpus.store, threshold=0.8)  # time: benchmarks/timing.py
    records = family_records(tota_corpus.store, families)
    # Japan's paperless-trading cooperation article, first in JP-SG (2002), then copied
    # into JP-TH (2007) and JP-PH (2006)
    paperless = _family_with(records, "co-operation on paperless trading between the parties")
    assert paperless["docs"][0] == "tota-62" and {"tota-1", "tota-372"} <= set(paperless["docs"])
    assert paperless["date"].startswith("2002")
    # the customs-duties-on-electronic-transmissions article of SG-AU (2003) reused in TH-AU
    duties = _family_with(records, "not imposing customs duties on electronic transmissions")
    assert duties["docs"][:2] == ["tota-54", "tota-36"]
    # MY-AU's paperless trading article reappears in AU-CN
    trading = _family_with(records, "accept the electronic format of trade administration")
    assert {"tota-160", "tota-141"} <= set(trading["docs"])
    for rec in records:
        # families are connected components: a member is >= 0.8 to some member, so it can
        # be further from the origin, but never far
        assert rec["n_docs"] >= 2 and rec["jaccard"][0] == 1.0 and rec["min_jaccard"] >= 0.5
    dates = tota_corpus.store.conn.execute(
        "SELECT doc_id, json_extract(metadata, '$.extracted.date_signed') FROM documents")
    signed = dict(dates.fetchall())
    for fam in families:
        member_dates = [signed[d] for d in fam.docs]
        assert member_dates[0] == min(member_dates)
