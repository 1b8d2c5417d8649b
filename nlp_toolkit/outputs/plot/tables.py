"""The tables behind the plots and the report, read from a scored and embedded index.

Each function takes a :class:`~nlp_toolkit.Corpus` or a :class:`~nlp_toolkit.store.Store`
and returns a pandas DataFrame; the arithmetic over vectors is in pure helpers
(:func:`cosine_matrix`, :func:`cross_pairs_from`) that tests can check by hand.

>>> import numpy as np
>>> cosine_matrix(np.array([[1.0, 0.0], [1.0, 1.0]])).round(3).tolist()
[[1.0, 0.707], [0.707, 1.0]]
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.store import Store

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "cosine_matrix",
    "cross_pairs",
    "cross_pairs_from",
    "profile_table",
    "store_of",
    "top_provisions",
    "topic_provisions",
    "topic_similarity",
]

ProfileKind = Literal["bindingness", "direction"]
#: Column order of the profile tables (the taxonomy's classes).
PROFILE_CLASSES: dict[str, tuple[str, ...]] = {
    "bindingness": ("hard", "soft", "none"),
    "direction": ("liberalizing", "restrictive", "neutral"),
}


def store_of(source: Any) -> Store:
    """The :class:`Store` of a Corpus (its ``store``) or a Store itself.

    Raises:
        ToolkitError: ``source`` is neither.
    """
    store = getattr(source, "store", source)
    if not isinstance(store, Store):
        raise ToolkitError(f"expected a Corpus or a Store, got {type(source).__name__}: "
                           "open one with Corpus.open(PATH)")
    return store


def _score_model(store: Store) -> str:
    from nlp_toolkit.store.scores import score_models

    models = score_models(store)
    if not models:
        raise ToolkitError("no scores in this index: run `nlp-toolkit score` first")
    return models[0]


def _vector_model(store: Store, model: str | None) -> str:
    from nlp_toolkit.store.vectors import model_ids

    ids = model_ids(store)
    if model is not None:
        if model not in ids:
            raise ToolkitError(f"no vectors of model {model!r} (have: {', '.join(ids) or 'none'})"
                               f"; run `nlp-toolkit embed --model {model}`")
        return model
    if not ids:
        raise ToolkitError("no vectors in this index: run `nlp-toolkit embed` first")
    # the multilingual model puts Chinese and English provisions in one space
    from nlp_toolkit.embed.models import MULTILINGUAL

    return next((m for m in ids if m in MULTILINGUAL), ids[0])


def cosine_matrix(vectors: np.ndarray) -> np.ndarray:
    """Pairwise cosine similarity of the rows of ``vectors`` (pure; zero rows stay 0)."""
    v = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    unit = np.divide(v, norms, out=np.zeros_like(v), where=norms > 0)
    return np.clip(unit @ unit.T, -1.0, 1.0)


def topic_provisions(source: Any, topic: str, *, min_probability: float = 0.0,
                     asserted_only: bool = True, doc_ids: Collection[str] | None = None
                     ) -> pd.DataFrame:
    """The provisions scored for ``topic``, most probable first.

    Columns: ``ref``, ``doc_id``, ``jurisdiction``, ``probability``, ``asserted``.
    ``doc_ids`` keeps the provisions of these documents only (e.g. a region's,
    ``set(read_region_rows(store).of_doc)``).

    Raises:
        ToolkitError: the index has no scores.
    """

    from nlp_toolkit.store.scores import topic_rows

    store = store_of(source)
    if doc_ids is not None and not doc_ids:
        return _provision_frame([])
    wanted = None if doc_ids is None else sorted(doc_ids)
    rows = [c for c in topic_rows(store, _score_model(store), doc_ids=wanted)
            if c.topic == topic and c.probability >= min_probability
            and (c.asserted or not asserted_only)]
    return _provision_frame(rows)


def _provision_frame(cells: Sequence[Any]) -> pd.DataFrame:
    """``topic_provisions``' frame of topic cells, most probable first."""
    import pandas as pd

    frame = pd.DataFrame([{"ref": c.ref, "doc_id": c.doc_id, "jurisdiction": c.jurisdiction,
                           "probability": c.probability, "asserted": c.asserted}
                          for c in cells],
                         columns=["ref", "doc_id", "jurisdiction", "probability", "asserted"])
    return frame.sort_values("probability", ascending=False, kind="stable").reset_index(
        drop=True)


def top_provisions(source: Any, *, k: int = 3, doc_ids: Collection[str] | None = None
                   ) -> dict[str, pd.DataFrame]:
    """Each topic's ``k`` most probable asserting provisions, as :func:`topic_provisions`
    gives them, read in one pass over the scores (the report's top provisions).

    Raises:
        ToolkitError: the index has no scores.
    """
    from nlp_toolkit.store.scores import topic_rows

    store = store_of(source)
    if doc_ids is not None and not doc_ids:
        return {}
    wanted = None if doc_ids is None else sorted(doc_ids)
    by_topic: dict[str, list[Any]] = {}
    for c in topic_rows(store, _score_model(store), doc_ids=wanted):
        if c.asserted:
            by_topic.setdefault(c.topic, []).append(c)
    return {t: _provision_frame(cells).head(k) for t, cells in by_topic.items()}


def _topic_vectors(store: Store, topic: str, model: str | None, limit: int | None,
                   doc_ids: Collection[str] | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    from nlp_toolkit.store.vectors import load_matrix

    provs = topic_provisions(store, topic, doc_ids=doc_ids)
    vm = load_matrix(store, _vector_model(store, model))
    ids = _ref_ids(store, provs["ref"].tolist())
    row_of = {int(pid): i for i, pid in enumerate(vm.ids.tolist())}
    keep = np.array([ids.get(r) in row_of for r in provs["ref"]], dtype=bool)
    provs = provs.loc[keep].reset_index(drop=True)
    if limit is not None:
        provs = provs.head(limit)
    rows = [row_of[ids[r]] for r in provs["ref"]]
    return provs, vm.matrix[rows] if rows else np.zeros((0, vm.matrix.shape[1]), np.float32)


def _ref_ids(store: Store, refs: Sequence[str]) -> dict[str, int]:
    from nlp_toolkit.store.vectors import unit_by_ref

    out: dict[str, int] = {}
    for ref in refs:
        unit = unit_by_ref(store, ref)
        if unit is not None:
            out[ref] = unit.id
    return out


def topic_similarity(source: Any, topic: str, *,
                     by: Literal["doc", "jurisdiction", "provision"] = "doc",
                     model: str | None = None, limit: int = 40) -> pd.DataFrame:
    """Cosine similarity, for one topic, between documents, jurisdictions or provisions.

    Documents and jurisdictions are compared by the mean vector of their provisions that
    assert ``topic``; ``provision`` compares the ``limit`` most probable provisions.

    Returns:
        A square DataFrame labelled by doc id, jurisdiction code or ref;
        ``frame.attrs["titles"]`` gives the documents' titles and countries' names.

    Raises:
        ToolkitError: no scores or vectors, or fewer than two items assert ``topic``.
    """
    import pandas as pd

    store = store_of(source)
    provs, vecs = _topic_vectors(store, topic, model, limit if by == "provision" else None)
    if by == "provision":
        labels = provs["ref"].tolist()
        mat = vecs
    else:
        groups: dict[str, list[int]] = {}
        for i, row in provs.iterrows():
            keys = [row["doc_id"]] if by == "doc" else [
                j for j in str(row["jurisdiction"]).split(";") if j]
            for key in keys:
                groups.setdefault(key, []).append(int(str(i)))
        labels = sorted(groups)
        mat = (np.stack([vecs[groups[g]].mean(axis=0) for g in labels]) if labels
               else np.zeros((0, vecs.shape[1])))
    if len(labels) < 2:
        raise ToolkitError(f"fewer than two {by}s have provisions on topic {topic!r}; "
                           "pick another topic or ingest more documents")
    from nlp_toolkit.sources.region import row_titles

    frame = pd.DataFrame(cosine_matrix(mat), index=labels, columns=labels)
    if by != "provision":
        frame.attrs["titles"] = row_titles(store.documents(), labels)
    return frame


def cross_pairs_from(refs: Sequence[str], jurisdictions: Sequence[str], vectors: np.ndarray,
                     *, k: int = 10) -> list[tuple[int, int, float]]:
    """The ``k`` most similar pairs ``(i, j, cosine)`` whose jurisdictions share no code.

    Pure: ``jurisdictions`` are ``;``-separated codes, so a treaty between SGP and AUS never
    pairs with a Singapore law. Pairs are ordered by cosine, then by index.
    """
    sets = [frozenset(j for j in s.split(";") if j) for s in jurisdictions]
    sim = cosine_matrix(vectors)
    out: list[tuple[int, int, float]] = []
    for i in range(len(refs)):
        for j in range(i + 1, len(refs)):
            if sets[i] and sets[j] and not sets[i] & sets[j]:
                out.append((i, j, float(sim[i, j])))
    out.sort(key=lambda p: (-p[2], p[0], p[1]))
    return out[:k]


def cross_pairs(source: Any, topic: str, *, k: int = 10, model: str | None = None,
                limit: int = 400, doc_ids: Collection[str] | None = None) -> pd.DataFrame:
    """The most similar cross-jurisdiction provision pairs on ``topic``.

    Looks at the ``limit`` most probable provisions that assert the topic (of the
    ``doc_ids`` documents only, when given).

    Returns:
        Columns ``ref_a``, ``jurisdiction_a``, ``ref_b``, ``jurisdiction_b``, ``cosine``.

    Raises:
        ToolkitError: no scores or vectors.
    """
    import pandas as pd

    store = store_of(source)
    provs, vecs = _topic_vectors(store, topic, model, limit, doc_ids)
    refs = provs["ref"].tolist()
    juris = provs["jurisdiction"].tolist()
    rows = [{"ref_a": refs[i], "jurisdiction_a": juris[i], "ref_b": refs[j],
             "jurisdiction_b": juris[j], "cosine": round(c, 4)}
            for i, j, c in cross_pairs_from(refs, juris, vecs, k=k)]
    return pd.DataFrame(rows, columns=["ref_a", "jurisdiction_a", "ref_b", "jurisdiction_b",
                                       "cosine"])


def profile_table(source: Any, *, kind: ProfileKind = "bindingness",
                  by: Literal["jurisdiction", "doc"] = "jurisdiction",
                  all_jurisdictions: bool = False, all_versions: bool = False
                  ) -> pd.DataFrame:
    """Scored provisions per jurisdiction (or document) and ``kind`` class: counts.

    The rows are those of :meth:`Corpus.matrix`: by default the region
    (:mod:`nlp_toolkit.sources.region`: ASEAN members and China, then their agreements as rows of
    their own); with ``all_jurisdictions`` every jurisdiction, a treaty counting for each
    of its parties. As there, a law counts once in a jurisdiction's row (its latest version,
    in English where it has one) unless ``all_versions``. ``frame.attrs["titles"]`` labels
    the rows.

    Raises:
        ToolkitError: the index has no scores; ``kind`` is unknown.
    """
    import pandas as pd

    from nlp_toolkit.sources.region import read_region_rows, row_titles
    from nlp_toolkit.store.queries import standing_doc_ids
    from nlp_toolkit.store.scores import scores_for_refs

    if kind not in PROFILE_CLASSES:
        raise ToolkitError(f"unknown profile kind {kind!r}; use one of "
                           f"{', '.join(PROFILE_CLASSES)}")
    store = store_of(source)
    model_id = _score_model(store)
    rows = None if all_jurisdictions else read_region_rows(store, by=by)
    standing = None if all_versions or by == "doc" else standing_doc_ids(store)
    units = [(p.ref, p.doc_id, p.jurisdiction) for p in store.provisions(articles=True)
             if (rows is None or p.doc_id in rows.of_doc)
             and (standing is None or p.doc_id in standing)]
    scores = scores_for_refs(store, [u[0] for u in units], model_id)
    classes = list(PROFILE_CLASSES[kind])
    counts: dict[str, dict[str, int]] = {}
    for ref, doc_id, juris in units:
        found = scores.get(ref)
        if found is None or found.get(kind) is None:
            continue
        label = str(found[kind])
        if label not in classes:
            classes.append(label)
        if rows is not None:
            keys = [rows.of_doc[doc_id]]
        else:
            keys = [doc_id] if by == "doc" else [j for j in juris.split(";") if j]
        for key in keys:
            row = counts.setdefault(key, {})
            row[label] = row.get(label, 0) + 1
    if rows is None:
        index = sorted(counts)
        titles = row_titles(store.documents(), index)
    else:  # every member, even without scores (a gap to see); agreements with scores
        index = [k for k in rows.keys if k not in rows.agreements or k in counts]
        titles = {k: rows.titles.get(k, k) for k in index}
    frame = pd.DataFrame([[counts.get(key, {}).get(c, 0) for c in classes] for key in index],
                         index=pd.Index(index, name=by), columns=classes)
    frame.attrs["titles"] = titles
    frame.attrs["agreements"] = [k for k in index if rows is not None and k in rows.agreements]
    return frame
