"""The scorer's test half: the shipped recipe fit without the test laws, predicting them.

The recipe (``nlp_toolkit.score.train.DEFAULT_PARAMS``) is fit on the shared dev labels plus
the tune laws of ``corpus/dev/label_splits.json``, then predicts the test laws, which no
design choice has seen (choices are made with ``benchmarks/score_tune.py``). Prints topic
micro-F1, macro-F1 (topics with >= 3 gold), bindingness and direction accuracy, law x topic
presence F1, per-topic F1 and per-law figures. Measure it once, after the choices.

The shipped weights (``models/default``) are refit on every label, test laws included, so
these figures describe the recipe, not those weights.

Run (on an index holding the labelled documents and their use-m3 vectors)::

    PYTHONPATH=$PWD python benchmarks/score_test.py --db /path/index.sqlite
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from score_tune import LABELS, SPLITS  # benchmarks/ is on the path when this runs as a script


def main() -> None:
    from nlp_toolkit.build.score import _label_vectors, label_texts
    from nlp_toolkit.score.evaluate import predict_splits, summarize
    from nlp_toolkit.score.train import DEFAULT_PARAMS
    from nlp_toolkit.score.zeroshot import topic_prototypes
    from nlp_toolkit.store import Store
    from nlp_toolkit.topics import load_taxonomy

    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--db", required=True, type=Path)
    args = ap.parse_args()
    test = list(json.loads(SPLITS.read_text(encoding="utf-8"))["test"])
    with Store.open(args.db, create=False) as store:
        items, _ = label_texts(store, [str(p) for p in LABELS])
        emb, vecs = _label_vectors(store, items)
    tax = load_taxonomy()
    protos = topic_prototypes(tax, emb)
    where = np.array([it.doc_id for it in items])
    held = np.isin(where, test)
    missing = sorted(set(test) - set(where[held].tolist()))
    if missing:
        raise SystemExit(f"test laws not in the index: {', '.join(missing)}")
    rows = np.arange(len(items))
    pred = predict_splits(items, vecs, protos, [(rows[~held], rows[held])],
                          embedder_id=emb.model_id, taxonomy=tax, **DEFAULT_PARAMS)

    def line(name: str, sel: np.ndarray) -> str:
        m = summarize([items[i] for i in sel], pred.topics[sel],
                      [pred.bindingness[i] for i in sel], [pred.direction[i] for i in sel],
                      tax.ids)
        return (f"{name:44s} n={m['n']:4d} micro {m['topics']['micro']['f1']:.3f} "
                f"macro3 {m['topics']['macro_min3_f1']:.3f} bind "
                f"{m['bindingness_accuracy']:.3f} dir {m['direction_accuracy']:.3f} "
                f"presence {m['presence_f1']:.3f}")

    print(f"params {json.dumps(DEFAULT_PARAMS)}; trained on {int((~held).sum())} rows")
    print(line("test laws (pooled)", rows[held]))
    for d in test:
        print(line(f"  {d}", rows[where == d]))
    m = summarize([items[i] for i in rows[held]], pred.topics[held],
                  [pred.bindingness[i] for i in rows[held]],
                  [pred.direction[i] for i in rows[held]], tax.ids)
    per = m["topics"]["per_topic"]
    print("per topic F1: " + ", ".join(f"{t} {v['f1']:.2f} ({v['support']})"
                                       for t, v in per.items() if v["support"]))


if __name__ == "__main__":
    main()
