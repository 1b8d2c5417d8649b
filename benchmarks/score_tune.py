"""Leave one tune national law out: the transfer protocol that chooses the scorer's design.

Each of the tune laws of ``corpus/dev/label_splits.json`` is predicted by a model fit on
the shared dev labels plus the other tune laws (the test laws are never read). Prints the
pooled topic micro-F1, macro-F1 (topics with >= 3 gold), bindingness and direction accuracy,
law x topic presence F1, and how the gold provisions rank within their law for each gold
topic (share of (law, topic) cells whose top-ranked provision is gold; share of gold
provisions in their law's top 3 for their topic).

Run (on an index holding the labelled documents and their use-m3 vectors)::

    PYTHONPATH=$PWD python benchmarks/score_tune.py --db /path/index.sqlite \
        [--set per_topic_thresholds=true] [--set shrink=20]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
LABELS = [ROOT.parent / "shared" / "labels" / "provision_labels.csv",
          ROOT / "corpus" / "dev" / "national_labels.csv"]
SPLITS = ROOT / "corpus" / "dev" / "label_splits.json"


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def main() -> None:
    from nlp_toolkit.build.score import _label_vectors, label_texts
    from nlp_toolkit.score.supervised import compute_features
    from nlp_toolkit.score.train import DEFAULT_PARAMS
    from nlp_toolkit.score.zeroshot import topic_prototypes
    from nlp_toolkit.store import Store
    from nlp_toolkit.topics import load_taxonomy

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, type=Path)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override a fit_scoring_model parameter")
    ap.add_argument("--try", dest="tries", action="append", default=[], metavar="JSON",
                    help="a further set of overrides to run after the first (repeatable)")
    ap.add_argument("--per-law", action="store_true", help="print each tune law's figures")
    args = ap.parse_args()
    base = {**DEFAULT_PARAMS}
    for kv in args.set:
        k, v = kv.split("=", 1)
        base[k] = _value(v)
    split = json.loads(SPLITS.read_text(encoding="utf-8"))
    tune = list(split["tune"])
    store = Store.open(args.db, create=False)
    items, _ = label_texts(store, [str(p) for p in LABELS], exclude_docs=split["test"])
    emb, vecs = _label_vectors(store, items)
    tax = load_taxonomy()
    protos = topic_prototypes(tax, emb)
    groups = [it.doc_id for it in items]
    feats = compute_features([it.text for it in items], [it.language for it in items], vecs,
                             protos, groups, tax)
    rows = np.arange(len(items))
    where = np.array(groups)
    splits = [(rows[where != d], rows[where == d]) for d in tune]
    for extra in [{}, *(json.loads(t) for t in args.tries)]:
        run({**base, **extra}, items, vecs, protos, feats, splits, tune, emb.model_id, tax,
            per_law=args.per_law)


def run(params: dict[str, Any], items: Any, vecs: np.ndarray, protos: np.ndarray,
        feats: Any, splits: list[tuple[np.ndarray, np.ndarray]], tune: list[str],
        embedder_id: str, tax: Any, *, per_law: bool) -> None:
    from nlp_toolkit.score.evaluate import predict_splits, summarize

    pred = predict_splits(items, vecs, protos, splits, embedder_id=embedder_id, taxonomy=tax,
                          features=feats, **params)
    idx = np.concatenate([te for _, te in splits])
    ids = tax.ids

    def part(sel: np.ndarray) -> dict[str, Any]:
        return summarize([items[i] for i in sel], pred.topics[sel],
                         [pred.bindingness[i] for i in sel], [pred.direction[i] for i in sel],
                         ids)

    def line(name: str, m: dict[str, Any]) -> str:
        return (f"{name:44s} n={m['n']:4d} micro {m['topics']['micro']['f1']:.3f} "
                f"macro3 {m['topics']['macro_min3_f1']:.3f} bind "
                f"{m['bindingness_accuracy']:.3f} dir {m['direction_accuracy']:.3f} "
                f"presence {m['presence_f1']:.3f}")

    print("params", json.dumps(params))
    print(line("leave one tune law out (pooled)", part(idx)))
    if per_law:
        for d, (_, te) in zip(tune, splits, strict=True):
            print(line(f"  {d}", part(te)))
    # ranking of gold provisions within their law
    y = np.array([[t in it.topics for t in ids] for it in items], dtype=bool)
    first = cells = any3 = 0
    misses: list[str] = []
    for _, te in splits:
        for j in range(len(ids)):
            gold = te[y[te, j]]
            if not len(gold):
                continue
            order = te[np.argsort(-pred.probs[te, j], kind="stable")]
            cells += 1
            first += int(y[order[0], j])
            any3 += int(y[order[:3], j].any())
            if not y[order[0], j]:
                rank = 1 + int(np.flatnonzero(y[order, j])[0])
                misses.append(f"{items[order[0]].doc_id} {ids[j]}: first gold at rank {rank}")
    print(f"ranking: a gold provision first in {first}/{cells} (law, topic) cells, "
          f"in the top 3 in {any3}/{cells}" + "".join(f"\n  {m}" for m in misses))
    per = part(idx)["topics"]["per_topic"]
    print("per topic F1: " + ", ".join(f"{t} {m['f1']:.2f} ({m['support']})"
                                       for t, m in per.items() if m["support"]))


if __name__ == "__main__":
    main()
