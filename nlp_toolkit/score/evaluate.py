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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nlp_toolkit.score.labels import LabelledText
from nlp_toolkit.score.supervised import compute_features, fit_scoring_model, predict_arrays
from nlp_toolkit.topics import Taxonomy, load_taxonomy

__all__ = [
    "accuracy",
    "cross_validate",
    "document_kind",
    "format_report",
    "predict_splits",
    "presence_f1",
    "summarize",
    "topic_metrics",
    "transfer_protocol",
]


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


def presence_f1(doc_ids: Sequence[str], y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """F1 over (document, topic) cells: does the document carry the topic in any provision?"""
    gold = {(d, j) for i, d in enumerate(doc_ids) for j in np.flatnonzero(y_true[i])}
    pred = {(d, j) for i, d in enumerate(doc_ids) for j in np.flatnonzero(y_pred[i])}
    total = len(gold) + len(pred)
    return round(2 * len(gold & pred) / total, 4) if total else 0.0


def summarize(
    items: Sequence[LabelledText],
    y_pred: np.ndarray,
    bindingness: Sequence[str],
    direction: Sequence[str],
    ids: Sequence[str],
) -> dict[str, Any]:
    """Topic metrics (micro, macro, macro over topics with at least three gold), bindingness
    and direction accuracy, and document x topic presence F1 of predictions for ``items``."""
    y = np.array([[t in it.topics for t in ids] for it in items], dtype=bool).reshape(-1, len(ids))
    topics = topic_metrics(y, y_pred, ids)
    three = [m["f1"] for m in topics["per_topic"].values() if m["support"] >= MIN_MACRO_SUPPORT]
    topics["macro_min3_f1"] = round(float(np.mean(three)), 4) if three else 0.0
    return {
        "n": len(items),
        "documents": len({it.doc_id for it in items}),
        "topics": topics,
        "bindingness_accuracy": accuracy([it.bindingness for it in items], bindingness),
        "direction_accuracy": accuracy([it.direction for it in items], direction),
        "presence_f1": presence_f1([it.doc_id for it in items], y, y_pred),
    }


#: Topics with fewer gold provisions are left out of ``macro_min3_f1``.
MIN_MACRO_SUPPORT = 3


@dataclass
class _Predictions:
    """Out-of-sample predictions filled split by split."""

    topics: np.ndarray
    probs: np.ndarray
    bindingness: list[str]
    direction: list[str]


def predict_splits(
    items: Sequence[LabelledText],
    vectors: np.ndarray,
    prototypes: np.ndarray,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    *,
    embedder_id: str,
    taxonomy: Taxonomy | None = None,
    features: tuple[np.ndarray, np.ndarray] | None = None,
    **fit_kwargs: Any,
) -> _Predictions:
    """Fit on each split's train rows and predict its test rows (rows no split tests keep
    empty predictions). Features are computed once: they depend only on each row's own
    document."""
    tax = taxonomy or load_taxonomy()
    n = len(items)
    groups = [it.doc_id for it in items]
    xt, xb = features or compute_features(
        [it.text for it in items], [it.language for it in items], vectors, prototypes, groups, tax
    )
    out = _Predictions(
        np.zeros((n, len(tax.ids)), bool), np.zeros((n, len(tax.ids))), [""] * n, [""] * n
    )
    for train, test in splits:
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
        out.topics[test] = probs >= model.thresholds
        out.probs[test] = probs
        for pos, i in enumerate(test):
            out.bindingness[i] = bind[pos]
            out.direction[i] = direc[pos]
    return out


def cross_validate(
    items: Sequence[LabelledText],
    vectors: np.ndarray,
    prototypes: np.ndarray,
    *,
    embedder_id: str,
    n_splits: int = 5,
    taxonomy: Taxonomy | None = None,
    features: tuple[np.ndarray, np.ndarray] | None = None,
    **fit_kwargs: Any,
) -> dict[str, Any]:
    """Grouped cross-validation of :func:`fit_scoring_model` (folds group by ``doc_id``).

    Returns:
        ``{"topics": topic_metrics, "bindingness_accuracy", "direction_accuracy",
        "presence_f1", "folds", "n", "per_document": {doc_id: {...}}, "predictions":
        [out-of-fold predictions per item]}``.
    """
    from sklearn.model_selection import GroupKFold

    tax = taxonomy or load_taxonomy()
    ids = tax.ids
    groups = [it.doc_id for it in items]
    n = len(items)
    k = min(n_splits, len(set(groups)))
    splits = list(GroupKFold(n_splits=k).split(np.arange(n), groups=groups))
    out = predict_splits(
        items,
        vectors,
        prototypes,
        splits,
        embedder_id=embedder_id,
        taxonomy=tax,
        features=features,
        **fit_kwargs,
    )
    y = np.array([[t in it.topics for t in ids] for it in items], dtype=bool)
    per_doc: dict[str, dict[str, float]] = {}
    for doc in dict.fromkeys(groups):
        idx = [i for i, g in enumerate(groups) if g == doc]
        m = topic_metrics(y[idx], out.topics[idx], ids)
        per_doc[doc] = {
            "n": len(idx),
            "micro_f1": m["micro"]["f1"],
            "bindingness_accuracy": accuracy(
                [items[i].bindingness for i in idx], [out.bindingness[i] for i in idx]
            ),
            "direction_accuracy": accuracy(
                [items[i].direction for i in idx], [out.direction[i] for i in idx]
            ),
        }
    report = summarize(items, out.topics, out.bindingness, out.direction, ids)
    report.pop("documents")
    return {
        **report,
        "folds": k,
        "per_document": per_doc,
        "predictions": [
            {
                "doc_id": it.doc_id,
                "unit": it.unit,
                "topics": [t for j, t in enumerate(ids) if out.topics[i, j]],
                "bindingness": out.bindingness[i],
                "direction": out.direction[i],
            }
            for i, it in enumerate(items)
        ],
    }


def document_kind(doc_type: str) -> str:
    """``treaty`` for treaties and agreements, ``law`` for every other document type."""
    kind = (doc_type or "").strip().lower()
    return "treaty" if kind in _TREATY_TYPES else "law"


_TREATY_TYPES = frozenset({"treaty", "agreement", "fta", "convention", "protocol"})


def transfer_protocol(
    items: Sequence[LabelledText],
    vectors: np.ndarray,
    prototypes: np.ndarray,
    documents: Mapping[str, tuple[str, str]],
    *,
    embedder_id: str,
    taxonomy: Taxonomy | None = None,
    features: tuple[np.ndarray, np.ndarray] | None = None,
    **fit_kwargs: Any,
) -> dict[str, Any]:
    """How the scorer transfers to documents unlike its training data.

    - ``document_type``: train on treaties, test on laws (``treaties->laws``), and the
      reverse (``laws->treaties``);
    - ``jurisdiction``: leave one jurisdiction out: the laws of each jurisdiction are
      predicted by a model trained on everything else (treaties always train); ``pooled``
      summarises all those predictions, ``per_jurisdiction`` each one.

    Args:
        documents: ``doc_id -> (doc_type, jurisdiction)`` (the manifest's columns); a
            document it lacks counts as a law of jurisdiction ``?``.

    Returns:
        ``{"document_type": {direction: summary}, "jurisdiction": {"pooled": summary,
        "per_jurisdiction": {code: summary}}}``, each summary as :func:`summarize`.
    """
    tax = taxonomy or load_taxonomy()
    ids = tax.ids
    n = len(items)
    kind = np.array([document_kind(documents.get(it.doc_id, ("", "?"))[0]) for it in items])
    where = np.array([documents.get(it.doc_id, ("", "?"))[1] or "?" for it in items])
    if features is None:
        features = compute_features(
            [it.text for it in items],
            [it.language for it in items],
            vectors,
            prototypes,
            [it.doc_id for it in items],
            tax,
        )
    kw = {"embedder_id": embedder_id, "taxonomy": tax, "features": features, **fit_kwargs}
    rows = np.arange(n)

    def run(splits: list[tuple[np.ndarray, np.ndarray]]) -> _Predictions:
        usable = [
            (tr, te) for tr, te in splits if len(te) and len({items[i].doc_id for i in tr}) >= 2
        ]
        return predict_splits(items, vectors, prototypes, usable, **kw)

    def part(pred: _Predictions, idx: np.ndarray) -> dict[str, Any]:
        return summarize(
            [items[i] for i in idx],
            pred.topics[idx],
            [pred.bindingness[i] for i in idx],
            [pred.direction[i] for i in idx],
            ids,
        )

    by_type: dict[str, Any] = {}
    for src, dst, name in (
        ("treaty", "law", "treaties->laws"),
        ("law", "treaty", "laws->treaties"),
    ):
        train, test = rows[kind == src], rows[kind == dst]
        if len({items[i].doc_id for i in train}) >= 2 and len(test):
            by_type[name] = part(run([(train, test)]), test)
    laws = rows[kind == "law"]
    codes = sorted(set(where[laws]))
    splits = [
        (rows[(kind == "treaty") | (where != c)], rows[(kind == "law") & (where == c)])
        for c in codes
    ]
    by_place: dict[str, Any] = {}
    if len(codes) >= 2:
        pred = run(splits)
        done = np.array([i for _, te in splits for i in te if pred.bindingness[i]], dtype=int)
        by_place = {
            "pooled": part(pred, done),
            "per_jurisdiction": {
                c: part(pred, te)
                for c, (_, te) in zip(codes, splits, strict=True)
                if all(pred.bindingness[i] for i in te)
            },
        }
    return {"document_type": by_type, "jurisdiction": by_place}


def format_report(report: dict[str, Any]) -> str:
    """A plain-text table of a :func:`cross_validate` report, then the transfer protocol's
    lines when the report has them (``transfer``, from :func:`transfer_protocol`)."""
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
    transfer = report.get("transfer")
    if transfer:
        lines.append("")
        lines.append("transfer protocol (train on one part, test on the other)")
        lines.append(
            f"{'split':26s} {'n':>5s} {'micro':>6s} {'macro3':>6s} {'bind':>6s} "
            f"{'dir':>6s} {'pres':>6s}"
        )
        rows = [("grouped CV (in-domain)", report)]
        rows += list(transfer.get("document_type", {}).items())
        place = transfer.get("jurisdiction", {})
        if place:
            rows.append(("leave-one-jurisdiction-out", place["pooled"]))
            rows += [(f"  {c}", m) for c, m in place["per_jurisdiction"].items()]
        for name, m in rows:
            lines.append(
                f"{name:26s} {m['n']:5d} {m['topics']['micro']['f1']:6.3f} "
                f"{m['topics'].get('macro_min3_f1', m['topics']['macro']['f1']):6.3f} "
                f"{m['bindingness_accuracy']:6.3f} {m['direction_accuracy']:6.3f} "
                f"{m.get('presence_f1', 0.0):6.3f}"
            )
    return "\n".join(lines)
