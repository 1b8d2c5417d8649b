"""Label file reading and the join of label rows to segmented provisions."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.records import Provision
from nlp_toolkit.score.labels import (
    LabelRow,
    join_label_texts,
    read_label_rows,
    read_label_texts,
    read_labelled_jsonl,
    write_labelled_jsonl,
)


def _prov(doc: str, number: str, level: str, text: str) -> Provision:
    return Provision(doc, f"{doc}:{number}", number, "", level, None, "", 1, 1, 0, len(text), text)


def test_join_matches_top_level_units_only(tmp_path: Path) -> None:
    rows = [
        LabelRow("d", "1", "", ("personal_data",), "hard", "neutral"),
        LabelRow("d", "9", "", (), "none", "neutral"),
    ]
    provs = {"d": [_prov("d", "(1)", "paragraph", "x"), _prov("d", "1", "article", "Art 1 text")]}
    joined, unmatched = join_label_texts(rows, provs, {"d": "en"})
    assert [j.text for j in joined] == ["Art 1 text"]
    assert unmatched == [rows[1]]
    write_labelled_jsonl(joined, tmp_path / "x.jsonl")
    assert read_labelled_jsonl(tmp_path / "x.jsonl") == joined


def test_read_label_rows_rejects_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ToolkitError, match="provision_labels.csv"):
        read_label_rows(tmp_path / "nope.csv")


@pytest.mark.slow
def test_shared_labels_join_for_text_and_xml_documents(
    shared_corpus: Path, shared_labels: Path
) -> None:
    rows = read_label_rows(shared_labels / "provision_labels.csv")
    assert len(rows) == 705

    def read_no_pdf(doc_id: str, path: Path, fmt: str) -> list[Provision]:
        if fmt == "pdf":  # PDFs are slow; their join is checked when the model is trained
            return []
        from nlp_toolkit.extract import read_document
        from nlp_toolkit.segment import segment

        return segment(doc_id, read_document(path, fmt))  # type: ignore[arg-type]

    joined, unmatched = read_label_texts(
        shared_labels / "provision_labels.csv", shared_corpus, read=read_no_pdf
    )
    pdf_docs = {
        "rcep-2020",
        "aanzfta-2009",
        "eu-gdpr-2016",
        "tha-cybersecurity-act-2019-en",
        "mys-consumer-protection-act-1999",
    }
    assert {u.doc_id for u in unmatched} <= pdf_docs
    assert len(joined) == sum(r.doc_id not in pdf_docs for r in rows)  # 302 md/xml rows
    assert {j.language for j in joined} == {"en", "zh"}
