"""Train the search re-ranker (``nlp_toolkit.search.rerank``) on one half of the dev questions.

For every question of the chosen half of ``corpus/dev/search_questions.jsonl`` the index's
hybrid search runs as shipped (re-ranker off); its best candidates and their features are
collected, labelled relevant when they are one of the question's answering provisions, and a
class-balanced logistic regression is fit. Before the final fit, grouped K-fold
cross-validation over the questions measures what the re-ranker adds on that half (recall@10,
MRR@10, recall@50 of the full result page, with and without it). The model card records those
figures, the training questions' sha256 and the index it was trained on.

Only the tune half is meant for training: the test half stays untouched for
``benchmarks/search_dev.py``.

Usage (from the project folder, on a full index built with the default settings):
    python models/reranker/train.py --db corpus/index.sqlite [--half tune] [--out models/reranker]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from nlp_toolkit import Corpus
from nlp_toolkit.search.evaluation import answer_refs, recall_at_k, reciprocal_rank
from nlp_toolkit.search.index import SearchIndex
from nlp_toolkit.search.rerank import FEATURES, RERANK_DEPTH, Reranker, fit
from nlp_toolkit.store.queries import provision_refs

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "corpus" / "dev" / "search_questions.jsonl"


def collect(index: SearchIndex, questions: list[dict[str, Any]], *, filtered: bool
            ) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(features, labels)`` of each question's candidates (the re-ranker off): of its
    search over everything, and with ``filtered`` also of its search within each jurisdiction
    that answers it (labelled with that jurisdiction's answers), stacked."""
    seen: dict[tuple[str, str | None], tuple[list[int], np.ndarray]] = {}
    scope: list[str | None] = [None]
    index.on_candidates = lambda q, pool, x: seen.__setitem__((q, scope[0]), (pool, x))
    saved, index.reranker = index.reranker, None
    runs = [(q, j) for q in questions
            for j in [None, *(sorted(q["answers"]) if filtered else [])]]
    try:
        for q, j in runs:
            scope[0] = j
            index.search(q["query"], k=10, jurisdiction=j)
    finally:
        index.on_candidates, index.reranker = None, saved
    out = []
    for q in questions:
        xs, ys = [], []
        for key in [(q["query"], j) for qq, j in runs if qq is q]:
            if key not in seen:  # no candidate at all within that jurisdiction
                continue
            pool, x = seen[key]
            refs = provision_refs(index.store, pool)
            wanted = set(answer_refs(q) if key[1] is None else q["answers"][key[1]])
            xs.append(x)
            ys.append(np.array([refs.get(i) in wanted for i in pool], dtype=int))
        out.append((np.vstack(xs), np.concatenate(ys)))
    return out


def page_measures(index: SearchIndex, questions: list[dict[str, Any]],
                  model: Reranker | None) -> dict[str, list[float]]:
    """recall@10, MRR@10 and recall@50 of each question's result page under ``model``."""
    saved, index.reranker = index.reranker, model
    out: dict[str, list[float]] = {"recall@10": [], "mrr@10": [], "recall@50": [],
                                   "recall@10 within a jurisdiction": []}
    try:
        for q in questions:
            want = answer_refs(q)
            refs = [r.ref for r in index.search(q["query"], k=50)]
            top = [r.ref for r in index.search(q["query"], k=10)]
            out["recall@10"].append(recall_at_k(top, want, 10))
            out["mrr@10"].append(reciprocal_rank(top, want))
            out["recall@50"].append(recall_at_k(refs, want, 50))
            for jur, refs_j in q["answers"].items():  # an analyst's search within one country
                top = [r.ref for r in index.search(q["query"], k=10, jurisdiction=jur)]
                out.setdefault("recall@10 within a jurisdiction", []).append(
                    recall_at_k(top, refs_j, 10))
    finally:
        index.reranker = saved
    return out


def main() -> None:
    """Collect, cross-validate, fit on the whole half, write the model and its card."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="corpus/index.sqlite")
    parser.add_argument("--half", default="tune", choices=["tune", "test"])
    parser.add_argument("--out", default=str(ROOT / "models" / "reranker"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation")
    parser.add_argument("--national-weight", type=float, default=None,
                        help="RRF weight of the search's national-law ranking while collecting "
                             "and measuring (default: the search's own); compare values by "
                             "their cross-validated figures")
    parser.add_argument("--no-filtered", dest="filtered", action="store_false",
                        help="train on the searches over everything only (not also on each "
                             "question's searches within the jurisdictions that answer it)")
    args = parser.parse_args()
    raw = QUESTIONS.read_bytes()
    questions = [q for q in (json.loads(line) for line in raw.decode("utf-8").splitlines()
                             if line.strip()) if q["split"] == args.half]
    with Corpus.open(args.db, create=False) as corpus:
        index = SearchIndex(corpus.store, reranker=None)
        if args.national_weight is not None:
            index.weights["national"] = args.national_weight
        data = collect(index, questions, filtered=args.filtered)
        cv: dict[str, dict[str, list[float]]] = {"fused": {}, "reranked": {}}
        for f in range(args.folds):
            held = [j for j in range(len(questions)) if j % args.folds == f]
            train = [j for j in range(len(questions)) if j % args.folds != f]
            model = fit(np.vstack([data[j][0] for j in train]),
                        np.concatenate([data[j][1] for j in train]), c=args.c)
            part = [questions[j] for j in held]
            for name, m in (("fused", None), ("reranked", model)):
                for key, values in page_measures(index, part, m).items():
                    cv[name].setdefault(key, []).extend(values)
        figures = {name: {k: round(float(np.mean(v)), 3) for k, v in ms.items()}
                   for name, ms in cv.items()}
        for name, ms in figures.items():
            print(f"{args.half} half, {args.folds}-fold CV over questions, national weight "
                  f"{index.weights['national']:g}, {name}: "
                  + ", ".join(f"{k} {v:.3f}" for k, v in ms.items()))
        model = fit(np.vstack([x for x, _ in data]), np.concatenate([y for _, y in data]),
                    c=args.c)
        card = {
            "model": "search re-ranker: class-balanced logistic regression on standardised "
                     "candidate features (nlp_toolkit.search.rerank)",
            "trained": dt.date.today().isoformat(),
            "training_data": {
                "questions": "corpus/dev/search_questions.jsonl",
                "half": args.half, "n_questions": len(questions),
                "n_candidates": int(sum(len(y) for _, y in data)),
                "n_relevant": int(sum(int(y.sum()) for _, y in data)),
                "sha256": hashlib.sha256(raw).hexdigest(),
                "index_documents": corpus.store.stats()["documents"],
            },
            "hyperparameters": {"C": args.c, "rerank_depth": RERANK_DEPTH,
                                "national_weight": index.weights["national"],
                                "searches": "everything and within each answering "
                                            "jurisdiction" if args.filtered else "everything"},
            "cross_validation": {"folds": args.folds, "grouped_by": "question", **figures},
            "coefficients": dict(zip(FEATURES, (round(float(c), 4) for c in model.coef),
                                     strict=True)),
        }
        model.save(args.out, card)
        print(f"wrote {args.out} ({len(questions)} questions)")


if __name__ == "__main__":
    main()
