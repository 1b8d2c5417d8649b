"""Evaluation: per-topic precision/recall/F1, micro and macro averages, bindingness and
direction accuracy, and cross-validation grouped by document (no document is in both the
training and the test part of a fold).

Example:
    >>> import numpy as np
    >>> m = topic_metrics(np.array([[1, 0], [1, 1]], bool), np.array([[1, 0], [0, 1]], bool),
    ...                   ("a", "b"))
    >>> m["micro"]["f1"], m["per_topic"]["a"]["recall"]
    (0.8, 0.5)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nlp_toolkit.score.labels import LabelledText
from nlp_toolkit.score.supervised import compute_features, fit_scoring_model, predict_arrays
from nlp_toolkit.topics import Taxonomy, load_taxonomy

__all__ = ["accuracy", "cross_validate", "format_report", "topic_metrics"]


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def topic_metrics(y_true: np.ndarray, y_pred: np.ndarray, ids: Sequence[str]) -> dict[str, Any]:
    """Per-topic P/R/F1 with support, micro average, and macro average over topics with support.

    Raises:
        ValueError: if the two matrices differ in shape.
    """
    if y_true.shape != y_pred.shape:
        raise ValueError(f"shapes differ: gold {y_true.shape}, predicted {y_pred.shape}")
    per: dict[str, dict[str, float]] = {}
    tps = fps = fns = 0
    for j, t in enumerate(ids):
        tp = int((y_true[:, j] & y_pred[:, j]).sum())
        fp = int((~y_true[:, j] & y_pred[:, j]).sum())
        fn = int((y_true[:, j] & ~y_pred[:, j]).sum())
        tps, fps, fns = tps + tp, fps + fp, fns + fn
        per[t] = {**_prf(tp, fp, fn), "support": int(y_true[:, j].sum()), "predicted": tp + fp}
    supported = [v for v in per.values() if v["support"] > 0]
    macro = {
        k: round(float(np.mean([v[k] for v in supported])), 4) if supported else 0.0
        for k in ("precision", "recall", "f1")
    }
    return {"per_topic": per, "micro": _prf(tps, fps, fns), "macro": macro}


def accuracy(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Share of equal items (0.0 for empty input)."""
    if len(gold) != len(pred):
        raise ValueError(f"lengths differ: {len(gold)} gold, {len(pred)} predicted")
    return (
        round(sum(a == b for a, b in zip(gold, pred, strict=True)) / len(gold), 4) if gold else 0.0
    )


def cross_validate(
    items: Sequence[LabelledText],
    vectors: np.ndarray,
    prototypes: np.ndarray,
    *,
    embedder_id: str,
    n_splits: int = 5,
    taxonomy: Taxonomy | None = None,
    **fit_kwargs: Any,
) -> dict[str, Any]:
    """Grouped cross-validation of :func:`fit_scoring_model` (folds group by ``doc_id``).

    Returns:
        ``{"topics": topic_metrics, "bindingness_accuracy", "direction_accuracy",
        "folds", "n", "per_document": {doc_id: {...}}, "predictions": [out-of-fold
        predictions per item]}``.
    """
    from sklearn.model_selection import GroupKFold

    tax = taxonomy or load_taxonomy()
    ids = tax.ids
    groups = [it.doc_id for it in items]
    n = len(items)
    y = np.array([[t in it.topics for t in ids] for it in items], dtype=bool)
    pred = np.zeros_like(y)
    bind_pred = [""] * n
    dir_pred = [""] * n
    k = min(n_splits, len(set(groups)))
    xt, xb = compute_features(
        [it.text for it in items], [it.language for it in items], vectors, prototypes, groups, tax
    )
    for train, test in GroupKFold(n_splits=k).split(np.arange(n), groups=groups):
        tr = [items[i] for i in train]
        model = fit_scoring_model(
            [it.text for it in tr],
            [it.language for it in tr],
            [it.topics for it in tr],
            [it.bindingness for it in tr],
            [it.direction for it in tr],
            [it.doc_id for it in tr],
            vectors=vectors[train],
            prototypes=prototypes,
            embedder_id=embedder_id,
            taxonomy=tax,
            features=(xt[train], xb[train]),
            **fit_kwargs,
        )
        te = [items[i] for i in test]
        probs, bind, _, direc = predict_arrays(
            model,
            [it.text for it in te],
            [it.language for it in te],
            vectors[test],
            doc_ids=[it.doc_id for it in te],
            taxonomy=tax,
            features=(xt[test], xb[test]),
        )
        pred[test] = probs >= model.thresholds
        for pos, i in enumerate(test):
            bind_pred[i] = bind[pos]
            dir_pred[i] = direc[pos]
    per_doc: dict[str, dict[str, float]] = {}
    for doc in dict.fromkeys(groups):
        idx = [i for i, g in enumerate(groups) if g == doc]
        m = topic_metrics(y[idx], pred[idx], ids)
        per_doc[doc] = {
            "n": len(idx),
            "micro_f1": m["micro"]["f1"],
            "bindingness_accuracy": accuracy(
                [items[i].bindingness for i in idx], [bind_pred[i] for i in idx]
            ),
            "direction_accuracy": accuracy(
                [items[i].direction for i in idx], [dir_pred[i] for i in idx]
            ),
        }
    return {
        "n": n,
        "folds": k,
        "topics": topic_metrics(y, pred, ids),
        "bindingness_accuracy": accuracy([it.bindingness for it in items], bind_pred),
        "direction_accuracy": accuracy([it.direction for it in items], dir_pred),
        "per_document": per_doc,
        "predictions": [
            {
                "doc_id": it.doc_id,
                "unit": it.unit,
                "topics": [t for j, t in enumerate(ids) if pred[i, j]],
                "bindingness": bind_pred[i],
                "direction": dir_pred[i],
            }
            for i, it in enumerate(items)
        ],
    }


def format_report(report: dict[str, Any]) -> str:
    """A plain-text table of a :func:`cross_validate` report."""
    lines = [f"{'topic':22s} {'P':>6s} {'R':>6s} {'F1':>6s} {'sup':>5s}"]
    for t, m in report["topics"]["per_topic"].items():
        lines.append(
            f"{t:22s} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m['support']:5d}"
        )
    for avg in ("micro", "macro"):
        m = report["topics"][avg]
        lines.append(f"{avg:22s} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f}")
    lines.append(f"bindingness accuracy {report['bindingness_accuracy']:.3f}")
    lines.append(f"direction accuracy   {report['direction_accuracy']:.3f}")
    return "\n".join(lines)
