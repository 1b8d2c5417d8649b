"""The development set (corpus/dev) keeps its promises: it never cites a reserved law, every
item sits in one half, and every reserved id is a document of the manifest."""

from __future__ import annotations

import csv
import json
from pathlib import Path

DEV = Path(__file__).resolve().parents[1] / "corpus" / "dev"
MANIFEST = Path(__file__).resolve().parents[1] / "corpus" / "manifest.csv"


def _reserved() -> set[str]:
    lines = (DEV / "reserved.txt").read_text(encoding="utf-8").splitlines()
    return {x.strip() for x in lines if x.strip() and not x.startswith("#")}


def _jsonl(name: str) -> list[dict]:
    return [json.loads(x) for x in (DEV / name).read_text(encoding="utf-8").splitlines()
            if x.strip()]


def _docs_cited() -> dict[str, set[str]]:
    """doc ids cited by each dev file."""
    out: dict[str, set[str]] = {}
    out["search_questions"] = {r.partition(":")[0] for q in _jsonl("search_questions.jsonl")
                               for refs in q["answers"].values() for r in refs}
    out["similar_groups"] = {r.partition(":")[0] for g in _jsonl("similar_groups.jsonl")
                             for refs in g["members"].values() for r in refs}
    out["link_judgments"] = {r.partition(":")[0] for j in _jsonl("link_judgments.jsonl")
                             for r in [j["treaty_ref"], *(x["ref"] for x in j["links"])]}
    with (DEV / "national_labels.csv").open(encoding="utf-8", newline="") as f:
        out["national_labels"] = {row["doc_id"] for row in csv.DictReader(f)}
    return out


def test_reserved_list_names_manifest_documents() -> None:
    with MANIFEST.open(encoding="utf-8", newline="") as f:
        docs = {row["doc_id"] for row in csv.DictReader(f)}
    reserved = _reserved()
    assert len(reserved) == 15
    assert reserved <= docs, sorted(reserved - docs)


def test_no_dev_item_cites_a_reserved_law() -> None:
    reserved = _reserved()
    for name, cited in _docs_cited().items():
        assert cited, name
        assert not cited & reserved, f"{name} cites reserved {sorted(cited & reserved)}"


def test_every_item_sits_in_one_half() -> None:
    for name in ("search_questions.jsonl", "similar_groups.jsonl", "link_judgments.jsonl"):
        rows = _jsonl(name)
        assert {r["split"] for r in rows} == {"tune", "test"}, name
        assert len({r["id"] for r in rows}) == len(rows), f"{name}: duplicate ids"
    splits = json.loads((DEV / "label_splits.json").read_text(encoding="utf-8"))
    assert not set(splits["tune"]) & set(splits["test"])
    assert _docs_cited()["national_labels"] == set(splits["tune"]) | set(splits["test"])
