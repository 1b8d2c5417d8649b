"""Supervised scorer: logistic regressions over transferable topic features.

Every (provision, topic) pair is described by the same small feature vector
(:data:`~nlp_toolkit.score.features.TOPIC_FEATURES`): lexicon hits in heading and body,
cosine between the provision's multilingual embedding (``use-m3``, so English training
transfers to Chinese) and the topic prototype, and document context (the document's main
topic, alone and crossed with housekeeping and non-operative headings and with a "rule says
hard" indicator; the rest of the rule bindingness class is kept out, so edits to the
bindingness rules do not move topics). Raw 512-d embeddings are not fed to the
regressions: in grouped cross-validation they learn each document's style and fail on
unseen documents.

Two regressions are mixed: a per-topic one for topics with enough positives, and a pooled one
shared by all topics (with a per-topic intercept), which is the prior that sparse topics
(source code, localisation, open data, AI) back off to. Thresholds are tuned per topic on
out-of-fold probabilities with folds grouped by document. Bindingness and direction are small
multinomial layers over rule features (clause tiers, heading flags, cue counts, topic
probabilities). All learned state is arrays in :class:`ScoringModel`
(see :mod:`nlp_toolkit.score.model_io`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nlp_toolkit.embed import Embedder, embed_provisions
from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.score import Evidence, ProvisionScore
from nlp_toolkit.score.features import (
    BIND_CLASSES,
    DIR_CLASSES,
    TOPIC_FEATURES,
    bindingness_features,
    direction_features,
    topic_tensor,
)
from nlp_toolkit.score.lexicon import HEADING_WEIGHT, LexiconScorer, base_language, heading_end
from nlp_toolkit.score.modality import clause_spans
from nlp_toolkit.topics import Taxonomy, load_taxonomy

__all__ = [
    "ScoringModel",
    "SupervisedScorer",
    "compute_features",
    "feature_contributions",
    "fit_platt",
    "fit_scoring_model",
    "predict_arrays",
    "topic_cuts",
]


@dataclass
class ScoringModel:
    """Learned state of the supervised scorer: arrays plus a JSON-able model card.

    ``modes[j]`` is ``learned`` (per-topic and pooled regressions mixed by ``mix``) or
    ``pooled`` (the pooled regression alone; per-topic coefficients are zero).
    """

    topic_ids: tuple[str, ...]
    modes: tuple[str, ...]
    feat_mean: np.ndarray  # (K,) standardisation of the topic features
    feat_scale: np.ndarray  # (K,)
    topic_coef: np.ndarray  # (T, K)
    topic_intercept: np.ndarray  # (T,)
    pooled_coef: np.ndarray  # (K + T,): shared weights, then per-topic intercepts
    pooled_intercept: np.ndarray  # (1,)
    mix: float
    thresholds: np.ndarray  # (T,)
    prototypes: np.ndarray  # (T, D)
    bind_coef: np.ndarray  # (3, Fb)
    bind_intercept: np.ndarray  # (3,)
    dir_coef: np.ndarray  # (3, Fd)
    dir_intercept: np.ndarray  # (3,)
    embedder_id: str
    card: dict[str, Any] = field(default_factory=dict)
    #: ``(slope, intercept)`` of the Platt map applied to every topic logit (identity for
    #: models trained before calibration).
    calibration: np.ndarray = field(default_factory=lambda: np.array([1.0, 0.0], np.float32))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -40, 40))), dtype=np.float64)


def _softmax_argmax(x: np.ndarray, classes: Sequence[str]) -> tuple[list[str], np.ndarray]:
    z = x - x.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    return [classes[int(i)] for i in p.argmax(axis=1)], p


def _best_threshold(y: np.ndarray, p: np.ndarray, lo: float = 0.2, hi: float = 0.95) -> float:
    """The F1-best cut on a grid from ``lo`` to ``hi``; ties go to the cut nearest 0.5."""
    best, best_f1 = 0.5, -1.0
    for t in sorted(np.arange(lo, hi + 1e-9, 0.025), key=lambda v: abs(v - 0.5)):
        pred = p >= t
        tp = float((pred & y).sum())
        f1 = 2 * tp / max(1.0, float(pred.sum() + y.sum()))
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(t), f1
    return round(best, 3)


def _group_folds(groups: Sequence[str], n_splits: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import GroupKFold

    k = min(n_splits, len(set(groups)))
    idx = np.arange(len(groups))
    return list(GroupKFold(n_splits=k).split(idx, groups=list(groups)))


def _lr(c: float, *, balanced: bool = True) -> Any:
    from sklearn.linear_model import LogisticRegression

    weight = "balanced" if balanced else None
    return LogisticRegression(C=c, class_weight=weight, max_iter=3000, solver="lbfgs")


def _pooled_rows(z: np.ndarray) -> np.ndarray:
    """``(n * T, K + T)``: each (provision, topic) row with a one-hot topic indicator."""
    n, t_count, _ = z.shape
    onehot = np.broadcast_to(np.eye(t_count, dtype=np.float32)[None], (n, t_count, t_count))
    return np.concatenate([z, onehot], axis=2).reshape(n * t_count, -1)


@dataclass
class _Fitted:
    learned: np.ndarray  # (T,) bool
    topic_coef: np.ndarray
    topic_intercept: np.ndarray
    pooled_coef: np.ndarray
    pooled_intercept: np.ndarray


def _fit_topics(z: np.ndarray, y: np.ndarray, learned: np.ndarray, c: float) -> _Fitted:
    n, t_count, k = z.shape
    coef = np.zeros((t_count, k), dtype=np.float32)
    icpt = np.zeros(t_count, dtype=np.float32)
    for j in np.flatnonzero(learned):
        if 0 < y[:, j].sum() < n:
            m = _lr(c).fit(z[:, j, :], y[:, j])
            coef[j], icpt[j] = m.coef_[0], m.intercept_[0]
    pooled = _lr(c).fit(_pooled_rows(z), y.reshape(-1))
    return _Fitted(
        learned,
        coef,
        icpt,
        pooled.coef_[0].astype(np.float32),
        pooled.intercept_.astype(np.float32),
    )


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -x)


def _topic_logits(z: np.ndarray, fit: _Fitted, mix: float) -> np.ndarray:
    """Log-odds of the mixed topic probability, computed in log space, so that provisions
    far past the cut keep distinct scores (their probabilities would all round to 1)."""
    n, t_count, _ = z.shape
    pooled = (_pooled_rows(z) @ fit.pooled_coef + fit.pooled_intercept[0]).reshape(n, t_count)
    pooled = pooled.astype(np.float64)
    if mix >= 1.0:
        return pooled
    per = (np.einsum("ntk,tk->nt", z, fit.topic_coef) + fit.topic_intercept).astype(np.float64)
    w_pool, w_per = np.log(mix) if mix > 0 else -np.inf, np.log1p(-mix)
    log_p = np.logaddexp(w_pool + _log_sigmoid(pooled), w_per + _log_sigmoid(per))
    log_q = np.logaddexp(w_pool + _log_sigmoid(-pooled), w_per + _log_sigmoid(-per))
    return np.where(fit.learned[None, :], log_p - log_q, pooled)


def _topic_probs(
    z: np.ndarray, fit: _Fitted, mix: float, calibration: np.ndarray | None = None
) -> np.ndarray:
    logits = _topic_logits(z, fit, mix)
    if calibration is not None:
        logits = calibration[0] * logits + calibration[1]
    return _sigmoid(logits)


def fit_platt(logits: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``(slope, intercept)`` of a logistic map from out-of-document logits to probability
    (Platt scaling), one map for all topics so probabilities compare across topics."""
    from sklearn.linear_model import LogisticRegression

    x = np.clip(logits.reshape(-1, 1), -60, 60)
    target = y.reshape(-1)
    if target.all() or not target.any():
        return np.array([1.0, 0.0], dtype=np.float32)
    m = LogisticRegression(C=100.0, max_iter=1000).fit(x, target)
    return np.array([m.coef_[0, 0], m.intercept_[0]], dtype=np.float32)


def fit_scoring_model(
    texts: Sequence[str],
    languages: Sequence[str],
    topics: Sequence[Sequence[str]],
    bindingness: Sequence[str],
    direction: Sequence[str],
    groups: Sequence[str],
    *,
    vectors: np.ndarray,
    prototypes: np.ndarray,
    embedder_id: str,
    taxonomy: Taxonomy | None = None,
    c: float = 0.3,
    mix: float = 0.6,
    min_positive: int = 8,
    n_splits: int = 5,
    per_topic_thresholds: bool = True,
    features: tuple[np.ndarray, np.ndarray] | None = None,
    calibrate: bool = True,
    layer_c: float = 1.0,
    cut_floor: float = 0.2,
    cut_shrinkage: float = 0.0,
) -> ScoringModel:
    """Fit the topic, bindingness and direction layers.

    Args:
        texts, languages: provision texts and their language codes.
        topics, bindingness, direction: gold labels per provision.
        groups: document id per provision; folds never split a document, and document
            context features are computed over the provisions of each document.
        vectors: ``(n, D)`` provision embeddings from the model named ``embedder_id``.
        prototypes: ``(topics, D)`` topic prototypes from the same model.
        taxonomy: the taxonomy (the packaged one by default).
        c: inverse regularisation strength of the regressions.
        mix: weight of the pooled regression for topics with their own.
        min_positive: topics with fewer positives, or positives in one document only, use
            the pooled regression alone.
        n_splits: grouped folds for the out-of-fold thresholds.
        per_topic_thresholds: tune a threshold per learned topic; when False, every topic
            uses the one cut that is best over all topics.
        features: ``(topic tensor, bindingness features)`` from :func:`compute_features`
            for these texts, to skip recomputing them.
        calibrate: map topic logits to probabilities with a Platt fit on out-of-document
            (grouped) folds, so scores are graded rather than saturated; thresholds are
            then tuned on the calibrated out-of-fold probabilities.
        layer_c: inverse regularisation strength of the bindingness and direction layers.
        cut_floor: the lowest cut the threshold search tries.
        cut_shrinkage: with ``per_topic_thresholds``, each topic's out-of-fold best cut is
            pulled toward the global cut as ``(n * own + s * global) / (n + s)``, ``n`` the
            topic's positives and ``s`` this value, so sparse topics keep about the global
            cut; 0 keeps each learned topic's own cut (and the global cut for the rest).

    Raises:
        ValueError: when the inputs differ in length or hold fewer than two documents.
    """
    tax = taxonomy or load_taxonomy()
    n = len(texts)
    if not all(len(x) == n for x in (languages, topics, bindingness, direction, groups)):
        raise ValueError(
            "texts, languages, topics, bindingness, direction, groups differ in length"
        )
    if len(set(groups)) < 2 or vectors.shape[0] != n:
        raise ValueError("need a vector for every text and labels from at least two documents")
    ids = tax.ids
    x, xb = features or compute_features(texts, languages, vectors, prototypes, groups, tax)
    flat = x.reshape(-1, x.shape[2])
    mean = flat.mean(axis=0)
    scale = np.where(flat.std(axis=0) > 1e-6, flat.std(axis=0), 1.0)
    z = ((x - mean) / scale).astype(np.float32)
    y = np.array([[t in row for t in ids] for row in topics], dtype=bool)
    docs_with = [{g for g, yy in zip(groups, y[:, j], strict=True) if yy} for j in range(len(ids))]
    learned = np.array(
        [y[:, j].sum() >= min_positive and len(docs_with[j]) >= 2 for j in range(len(ids))]
    )
    oof_logit = np.zeros(y.shape, dtype=np.float64)
    for train, test in _group_folds(groups, n_splits):
        fold_learned = learned & (y[train].sum(axis=0) > 0)
        oof_logit[test] = _topic_logits(
            z[test], _fit_topics(z[train], y[train], fold_learned, c), mix
        )
    calibration = (
        fit_platt(oof_logit, y) if calibrate else np.array([1.0, 0.0], dtype=np.float32)
    )
    oof = _sigmoid(calibration[0] * oof_logit + calibration[1])
    thresholds = topic_cuts(y, oof, learned if per_topic_thresholds else None,
                            floor=cut_floor, shrinkage=cut_shrinkage)
    fitted = _fit_topics(z, y, learned, c)
    bind_coef, bind_intercept = _ordered(
        _lr(layer_c, balanced=False).fit(xb, list(bindingness)), BIND_CLASSES
    )
    bind_pred, _ = _softmax_argmax(xb @ bind_coef.T + bind_intercept, BIND_CLASSES)
    xd = direction_features(texts, languages, oof, ids, thresholds, bind_pred)
    dir_coef, dir_intercept = _ordered(
        _lr(layer_c, balanced=False).fit(xd, list(direction)), DIR_CLASSES
    )
    return ScoringModel(
        topic_ids=ids,
        modes=tuple("learned" if v else "pooled" for v in learned),
        feat_mean=mean.astype(np.float32),
        feat_scale=scale.astype(np.float32),
        topic_coef=fitted.topic_coef,
        topic_intercept=fitted.topic_intercept,
        pooled_coef=fitted.pooled_coef,
        pooled_intercept=fitted.pooled_intercept,
        mix=float(mix),
        thresholds=thresholds,
        prototypes=np.asarray(prototypes, dtype=np.float32),
        bind_coef=bind_coef,
        bind_intercept=bind_intercept,
        dir_coef=dir_coef,
        dir_intercept=dir_intercept,
        embedder_id=embedder_id,
        calibration=calibration.astype(np.float32),
        card={
            "hyperparameters": {
                "c": c,
                "mix": mix,
                "min_positive": min_positive,
                "n_splits": n_splits,
            }
        },
    )


def topic_cuts(
    y: np.ndarray,
    p: np.ndarray,
    own: np.ndarray | None,
    *,
    floor: float = 0.2,
    shrinkage: float = 0.0,
) -> np.ndarray:
    """``(T,)`` cuts from out-of-fold probabilities ``p`` and gold ``y`` (both ``(n, T)``).

    ``own`` is ``None`` for one global cut (F1-best over all topics pooled); else each topic
    gets its own F1-best cut, shrunk toward the global one by ``shrinkage`` pseudo-positives
    (``own[j]`` False with no shrinkage: the global cut).

    Example:
        >>> y = np.array([[1, 0], [1, 1], [0, 0], [0, 0]], bool)
        >>> p = np.array([[0.9, 0.1], [0.8, 0.25], [0.3, 0.2], [0.6, 0.1]])
        >>> own = np.array([True, True])
        >>> topic_cuts(y, p, None).tolist(), topic_cuts(y, p, own).tolist()
        ([0.625, 0.625], [0.625, 0.25])
        >>> topic_cuts(y, p, own, shrinkage=1.0).tolist()  # 1 positive: half way
        [0.625, 0.4375]
    """
    global_cut = _best_threshold(y.reshape(-1), p.reshape(-1), lo=floor)
    cuts = np.full(y.shape[1], global_cut, dtype=np.float64)
    if own is None:
        return cuts.astype(np.float32)
    for j in range(y.shape[1]):
        n = float(y[:, j].sum())
        if shrinkage > 0 and n > 0:
            mine = _best_threshold(y[:, j], p[:, j], lo=floor)
            cuts[j] = (n * mine + shrinkage * global_cut) / (n + shrinkage)
        elif shrinkage <= 0 and own[j]:
            cuts[j] = _best_threshold(y[:, j], p[:, j], lo=floor)
    return np.round(cuts, 4).astype(np.float32)


def compute_features(
    texts: Sequence[str],
    languages: Sequence[str],
    vectors: np.ndarray,
    prototypes: np.ndarray,
    doc_ids: Sequence[str],
    taxonomy: Taxonomy | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``(topic tensor, bindingness features)`` for texts grouped into documents.

    Rows depend only on their own document, so a grouped cross-validation can compute them
    once and slice them per fold.
    """
    tax = taxonomy or load_taxonomy()
    x = topic_tensor(texts, languages, vectors, prototypes, LexiconScorer(tax), doc_ids)
    return x, bindingness_features(texts, languages)


def _ordered(model: Any, classes: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial coefficients in ``classes`` order; an unseen class never wins."""
    width = model.coef_.shape[1]
    coef = np.zeros((len(classes), width), dtype=np.float32)
    icpt = np.full(len(classes), -50.0, dtype=np.float32)
    learned = [str(c) for c in model.classes_]
    if len(learned) == 2:  # sklearn keeps one row (for the second class) for two classes
        coef[classes.index(learned[1])] = model.coef_[0]
        icpt[classes.index(learned[1])] = model.intercept_[0]
        icpt[classes.index(learned[0])] = 0.0
        return coef, icpt
    for i, c in enumerate(learned):
        coef[classes.index(c)] = model.coef_[i]
        icpt[classes.index(c)] = model.intercept_[i]
    return coef, icpt


def predict_arrays(
    model: ScoringModel,
    texts: Sequence[str],
    languages: Sequence[str],
    vectors: np.ndarray,
    *,
    doc_ids: Sequence[str] | None = None,
    taxonomy: Taxonomy | None = None,
    features: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, list[str], np.ndarray, list[str]]:
    """``(topic_probs, bindingness, bindingness_probs, direction)`` for each text (pure).

    ``doc_ids`` groups texts into documents for the context features; ``None`` treats all
    texts as one document.

    Raises:
        ToolkitError: if the model was trained on another taxonomy.
    """
    tax = taxonomy or load_taxonomy()
    if tuple(tax.ids) != tuple(model.topic_ids):
        raise ToolkitError("the model was trained on another taxonomy: retrain it with `train`")
    groups = list(doc_ids) if doc_ids is not None else ["doc"] * len(texts)
    x, xb = features or compute_features(texts, languages, vectors, model.prototypes, groups, tax)
    z = ((x - model.feat_mean) / model.feat_scale).astype(np.float32)
    fit = _Fitted(
        np.array([m == "learned" for m in model.modes]),
        model.topic_coef,
        model.topic_intercept,
        model.pooled_coef,
        model.pooled_intercept,
    )
    probs = _topic_probs(z, fit, model.mix, model.calibration)
    bind, bprob = _softmax_argmax(xb @ model.bind_coef.T + model.bind_intercept, BIND_CLASSES)
    xd = direction_features(texts, languages, probs, model.topic_ids, model.thresholds, bind)
    direc, _ = _softmax_argmax(xd @ model.dir_coef.T + model.dir_intercept, DIR_CLASSES)
    return probs, bind, bprob, direc


class SupervisedScorer:
    """Score provisions with a trained :class:`ScoringModel`.

    Args:
        model: the trained model (see :func:`nlp_toolkit.score.model_io.load_model`).
        embedder: the embedder the model was trained with (``model.embedder_id``).
        taxonomy: the taxonomy (the packaged one by default).

    Raises:
        ToolkitError: if the embedder is not the one the model was trained with.
    """

    def __init__(
        self, model: ScoringModel, embedder: Embedder, taxonomy: Taxonomy | None = None
    ) -> None:
        if embedder.model_id != model.embedder_id:
            raise ToolkitError(
                f"the model was trained on {model.embedder_id!r} vectors but the embedder is "
                f"{embedder.model_id!r}: load_embedder({model.embedder_id!r}) instead"
            )
        self.model = model
        self.embedder = embedder
        self.taxonomy = taxonomy or load_taxonomy()
        self._lexicon = LexiconScorer(self.taxonomy)

    def score(
        self,
        texts: Sequence[str],
        languages: Sequence[str],
        *,
        doc_ids: Sequence[str] | None = None,
        vectors: np.ndarray | None = None,
    ) -> list[ProvisionScore]:
        """Score texts.

        Args:
            texts: provision texts (each with its number and heading line first).
            languages: language code per text.
            doc_ids: document id per text, for the document-context features; ``None``
                treats all texts as one document, so score a whole document per call (or
                pass ``doc_ids``) to get the same results as in evaluation.
            vectors: provision vectors from the same embedder, to skip encoding.
        """
        if not texts:
            return []
        vecs = embed_provisions(texts, self.embedder) if vectors is None else vectors
        groups = list(doc_ids) if doc_ids is not None else ["doc"] * len(texts)
        feats = compute_features(
            texts, languages, vecs, self.model.prototypes, groups, self.taxonomy
        )
        probs, bind, bprob, direc = predict_arrays(
            self.model, texts, languages, vecs, doc_ids=groups, taxonomy=self.taxonomy,
            features=feats,
        )
        ids = self.model.topic_ids
        all_labels = [
            tuple(t for j, t in enumerate(ids) if probs[i, j] >= self.model.thresholds[j])
            for i in range(len(texts))
        ]
        contrib = feature_contributions(self.model, feats[0])
        evidence = self._evidence(texts, languages, all_labels, contrib)
        out: list[ProvisionScore] = []
        for i, labels in enumerate(all_labels):
            out.append(
                ProvisionScore(
                    topics={t: round(float(probs[i, j]), 6) for j, t in enumerate(ids)},
                    labels=labels,
                    bindingness=bind[i],  # type: ignore[arg-type]
                    bindingness_score=round(float(bprob[i, 0] + 0.5 * bprob[i, 1]), 6),
                    direction=direc[i],  # type: ignore[arg-type]
                    evidence=evidence[i],
                )
            )
        return out

    def _evidence(
        self,
        texts: Sequence[str],
        languages: Sequence[str],
        labels: Sequence[Sequence[str]],
        contrib: np.ndarray,
    ) -> list[tuple[Evidence, ...]]:
        """The spans behind each asserted topic, weighted by how much they raised its
        calibrated log-odds (``contrib`` from :func:`feature_contributions`), strongest first:

        - ``lexicon``: each term match, sharing the lexicon features' contribution in
          proportion to its hit weight (a heading hit counts double);
        - ``context``: the heading line, carrying the document-context features (the topic is
          the document's main one, crossed with heading, offence and power cues), when they
          raised the score;
        - ``embedding``: for a topic with no term match, the clause nearest its prototype,
          carrying the cosine features (the clauses of all such provisions embedded in one
          call).
        """
        ids = self.model.topic_ids
        out: list[list[Evidence]] = []
        need: dict[int, list[str]] = {}
        for i, (text, lang) in enumerate(zip(texts, languages, strict=True)):
            found = [m for m in self._lexicon.matches(text, lang) if m.topic in labels[i]]
            head = heading_end(text)
            ev: list[Evidence] = []
            for t in labels[i]:
                j = ids.index(t)
                mine = [m for m in found if m.topic == t]
                hits = [m.weight * (HEADING_WEIGHT if m.char_start < head else 1.0) for m in mine]
                lex = float(contrib[i, j, _LEXICON].sum())
                for m, h in zip(mine, hits, strict=True):
                    ev.append(Evidence(t, m.text, m.char_start, m.char_end, "lexicon",
                                       round(lex * h / max(sum(hits), 1e-9), 4)))
                ctx = float(contrib[i, j, _CONTEXT].sum())
                cut = _first_sentence(text, head)
                if ctx > 0 and cut > 0:
                    ev.append(Evidence(t, text[:cut], 0, cut, "context", round(ctx, 4)))
            out.append(ev)
            bare = [t for t in labels[i] if not any(m.topic == t for m in found)]
            if bare:
                need[i] = bare
        spans = {i: clause_spans(texts[i], base_language(languages[i])) or [(0, len(texts[i]))]
                 for i in need}
        flat = [texts[i][s:e] for i in need for s, e in spans[i]]
        vecs = self.embedder.encode(flat) if flat else np.zeros((0, 1), np.float32)
        row = 0
        for i, topics in need.items():
            block = vecs[row : row + len(spans[i])]
            row += len(spans[i])
            for t in topics:
                j = ids.index(t)
                s, e = spans[i][int(np.argmax(block @ self.model.prototypes[j]))]
                out[i].append(Evidence(t, texts[i][s:e], s, e, "embedding",
                                       round(float(contrib[i, j, _COSINE].sum()), 4)))
        return [tuple(sorted(ev, key=lambda x: (ids.index(x.topic), -x.weight))) for ev in out]


def _first_sentence(text: str, head: int) -> int:
    """End of the heading line, or of the first sentence when that comes sooner (a Chinese
    article has no heading line)."""
    stops = [k + 1 for k in (text.find("。", 0, head), text.find("；", 0, head)) if k >= 0]
    return min([head, *stops])


#: Topic-feature columns behind each kind of evidence.
_LEXICON = [TOPIC_FEATURES.index(f) for f in ("heading_hits", "body_hits")]
_COSINE = [TOPIC_FEATURES.index(f) for f in ("cosine", "cosine_margin")]
_CONTEXT = [i for i, f in enumerate(TOPIC_FEATURES) if f.startswith("doc_main")]


def feature_contributions(model: ScoringModel, x: np.ndarray) -> np.ndarray:
    """``(n, topics, features)``: each topic feature's share of the calibrated log-odds,
    measured against the feature at zero (no hit, no context), with the weights that decide
    the topic (pooled, or pooled and per-topic mixed by ``mix``)."""
    w = np.broadcast_to(model.pooled_coef[: x.shape[2]], model.topic_coef.shape).copy()
    learned = np.array([m == "learned" for m in model.modes])
    w[learned] = model.mix * w[learned] + (1 - model.mix) * model.topic_coef[learned]
    return np.asarray(model.calibration[0] * x / model.feat_scale * w[None], dtype=np.float32)
