"""Segmentation of real shared documents: gold F1, golden files, the partition invariant.

Golden files under ``tests/golden/segment/`` hold derived data only (number, level,
heading, page_start); refresh them with ``pytest --update-golden`` after checking the diff.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

from nlp_toolkit.extract import read_document
from nlp_toolkit.records import Provision
from nlp_toolkit.segment import segment
from tests.test_segment import assert_partition

GOLDEN = Path(__file__).parent / "golden" / "segment"
STRUCTURAL = {"part", "chapter", "section", "article", "schedule", "annex"}
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))


def _manifest(corpus: Path) -> dict[str, dict[str, str]]:
    with (corpus / "manifest.csv").open(newline="", encoding="utf-8") as f:
        return {r["doc_id"]: r for r in csv.DictReader(f)}


def _segment(corpus: Path, doc_id: str) -> tuple[list[Provision], str]:
    row = _manifest(corpus)[doc_id]
    doc = read_document(corpus / row["path"], row["format"])  # type: ignore[arg-type]
    provs = segment(doc_id, doc, language=row["language"], doc_type=row["doc_type"])
    return provs, doc.text


def _rows(provs: list[Provision]) -> list[dict[str, str]]:
    return [
        {
            "number": p.number,
            "level": p.level,
            "heading": p.heading,
            "page_start": str(p.page_start),
        }
        for p in provs
        if p.level in STRUCTURAL
    ]


@pytest.mark.slow
@pytest.mark.parametrize("doc_id", ["chn-pipl-2021", "sgp-pdpa-2012"])
def test_golden_structure(shared_corpus: Path, update_golden: bool, doc_id: str) -> None:
    provs, text = _segment(shared_corpus, doc_id)
    assert_partition(provs, text)
    rows = _rows(provs)
    path = GOLDEN / f"{doc_id}.csv"
    if update_golden:
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=["number", "level", "heading", "page_start"])
            w.writeheader()
            w.writerows(rows)
    with path.open(newline="", encoding="utf-8") as f:
        expected = list(csv.DictReader(f))
    assert rows == expected


@pytest.mark.slow
def test_gold_f1_thai_cybersecurity(shared_corpus: Path, shared_labels: Path) -> None:
    from segmentation_eval import read_gold, score

    gold = read_gold(shared_labels / "segmentation_gold.csv")
    provs, text = _segment(shared_corpus, "tha-cybersecurity-act-2019-en")
    assert_partition(provs, text)
    tp, n_pred, n_gold = score(gold["tha-cybersecurity-act-2019-en"], provs)
    assert n_gold == 83
    assert tp / n_pred >= 0.98 and tp / n_gold >= 0.98
    # the cross-reference line "Section 6 and section 8 shall be applied" (p. 9) is no unit
    assert [p.number for p in provs if p.level == "section"] == [str(n) for n in range(1, 84)]


@pytest.mark.slow
@pytest.mark.parametrize(
    "doc_id",
    [
        "wto-jsi-ecommerce-2024",
        "chn-ecommerce-law-2018",
        "chn-electronic-signature-law-2019",
        "mys-pdpa-amendment-2024",
    ],
)
def test_article_numbering_is_continuous(shared_corpus: Path, doc_id: str) -> None:
    provs, text = _segment(shared_corpus, doc_id)
    assert_partition(provs, text)
    nums = [p.number for p in provs if p.level in ("article", "section") and " " not in p.number]
    expected = {
        "wto-jsi-ecommerce-2024": 38,
        "chn-ecommerce-law-2018": 89,
        "chn-electronic-signature-law-2019": 36,
        "mys-pdpa-amendment-2024": 14,
    }[doc_id]
    assert nums == [str(n) for n in range(1, expected + 1)]


@pytest.mark.slow
def test_partition_on_every_markdown_and_some_tota_documents(shared_corpus: Path) -> None:
    rows = _manifest(shared_corpus)
    ids = [d for d, r in rows.items() if r["format"] == "md"]
    ids += [d for d, r in rows.items() if r["format"] == "xml"][::15]
    assert len(ids) >= 40
    for doc_id in ids:
        provs, text = _segment(shared_corpus, doc_id)
        assert_partition(provs, text)
        assert any(p.level in ("article", "section") for p in provs), doc_id


@pytest.mark.slow
def test_rcep_chapters_and_sections_on_a_page_sample(shared_corpus: Path) -> None:
    """RCEP's container tree, read from the contents pages, every chapter's first page,
    pages of the product-specific-rules table (rows "CHAPTER 4: DAIRY PRODUCE" are no
    chapters) and chapter 12. Expected chapters and pages: ``rcep-2020-containers.csv``."""
    from nlp_toolkit.extract.pdf import read_pdf

    with (GOLDEN / "rcep-2020-containers.csv").open(newline="", encoding="utf-8") as f:
        expected = [(r["number"], r["level"], int(r["page_start"])) for r in csv.DictReader(f)]
    table_pages = [54, 57, 62, 70, 212, 213]  # Annex 3A: HS chapter rows; Annex 3B
    ch12 = list(range(421, 433))
    pages = sorted({2, 3, 4, 5, 6, *table_pages, *ch12, *(pg for _, _, pg in expected)})
    doc = read_pdf(shared_corpus / "pdf" / "rcep-2020.pdf", pages=pages)
    provs = segment("rcep-2020", doc, language="en", doc_type="treaty")
    assert_partition(provs, doc.text)
    got = [
        (p.number, p.level, p.page_start)
        for p in provs
        if p.level == "chapter" or (p.level == "section" and p.number.startswith("Chapter 12 "))
    ]
    assert got == expected
    by_number = {p.number: p for p in provs if p.level == "article"}
    assert by_number["1.1"].path == "Chapter 1 > Article 1.1"
    assert by_number["4.1"].path == "Chapter 4 > Article 4.1"
    assert by_number["12.15"].path == "Chapter 12 > Section D > Article 12.15"
    assert by_number["12.15"].parent_ref == "rcep-2020:Chapter 12 Section D"
    assert [n for n in by_number if n.startswith("12.")] == [f"12.{k}" for k in range(1, 18)]
    annex = next(p for p in provs if p.number == "Annex 3A")
    assert annex.path == "Chapter 3 > Annex 3A"
    assert annex.page_end < 215  # ends before CHAPTER 4
