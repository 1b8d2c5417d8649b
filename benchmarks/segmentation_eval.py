"""Segmentation F1 against ``../shared/labels/segmentation_gold.csv``.

Scores (doc_id, number, page_start) triples of top-level articles/sections. For treaty
chapters (gold numbers with a dot) only the gold's chapters are scored: precision counts
the predicted articles whose number falls in a gold chapter.

Usage::

    python benchmarks/segmentation_eval.py [--cache DIR] [--corpus DIR]

Documents are read with ``nlp_toolkit.extract.read_document`` when it exists; ``--cache``
names a folder of pickled ``ExtractedDocument`` files (``<doc_id>.pkl``, development
only) to use instead.
"""

from __future__ import annotations

import argparse
import csv
import pickle
import sys
from collections import defaultdict
from pathlib import Path

from nlp_toolkit.records import ExtractedDocument, Provision
from nlp_toolkit.segment import segment

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
TOP_LEVELS = {"article", "section"}


def read_gold(path: Path) -> dict[str, set[tuple[str, int]]]:
    """Gold (number, page_start) pairs per document."""
    gold: dict[str, set[tuple[str, int]]] = defaultdict(set)
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            gold[row["doc_id"]].add((row["unit"], int(row["page_start"])))
    return gold


def load_document(doc_id: str, corpus: Path, cache: Path | None) -> ExtractedDocument:
    """The extracted document, from the cache folder or the project's reader."""
    if cache is not None and (cache / f"{doc_id}.pkl").exists():
        with (cache / f"{doc_id}.pkl").open("rb") as f:
            doc: ExtractedDocument = pickle.load(f)
        return doc
    from nlp_toolkit.extract import read_document

    with (corpus / "manifest.csv").open(newline="", encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["doc_id"] == doc_id)
    result: ExtractedDocument = read_document(corpus / row["path"], row["format"] or None)  # type: ignore[arg-type]
    return result


def score(gold: set[tuple[str, int]], provisions: list[Provision]) -> tuple[int, int, int]:
    """(true positives, predicted, gold) for one document."""
    pred = {(p.number, p.page_start) for p in provisions if p.level in TOP_LEVELS}
    chapters = {n.split(".")[0] for n, _ in gold if "." in n}
    if chapters:
        pred = {(n, pg) for n, pg in pred if n.split(".")[0] in chapters and "." in n}
    return len(pred & gold), len(pred), len(gold)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=SHARED / "labels" / "segmentation_gold.csv")
    ap.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--show-errors", action="store_true")
    args = ap.parse_args(argv)
    gold = read_gold(args.gold)
    tp_all = pred_all = gold_all = 0
    for doc_id, g in sorted(gold.items()):
        doc = load_document(doc_id, args.corpus, args.cache)
        provisions = segment(doc_id, doc)
        tp, n_pred, n_gold = score(g, provisions)
        tp_all, pred_all, gold_all = tp_all + tp, pred_all + n_pred, gold_all + n_gold
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{doc_id:40s} P={p:.3f} R={r:.3f} F1={f:.3f} ({tp}/{n_pred} pred, {n_gold} gold)")
        if args.show_errors:
            pred = {(q.number, q.page_start) for q in provisions if q.level in TOP_LEVELS}
            print("   missed:", sorted(g - pred, key=lambda x: x[1])[:20])
            chapters = {n.split(".")[0] for n, _ in g if "." in n}
            extra = {x for x in pred - g if not chapters or x[0].split(".")[0] in chapters}
            print("   extra:", sorted(extra, key=lambda x: x[1])[:20])
    p = tp_all / pred_all if pred_all else 0.0
    r = tp_all / gold_all if gold_all else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    print(f"{'ALL':40s} P={p:.3f} R={r:.3f} F1={f:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
