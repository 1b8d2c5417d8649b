"""The score stage: topics, bindingness and direction for every main unit, and the matrix.

Main units are articles and statute sections (the units the scorer was trained on). Whole
documents are scored together in batches (the supervised scorer's document-context features
need the whole document) and each is written in one transaction, so an interrupted run keeps
what it finished and the next run goes on from there; documents whose units all have a score
of the model are skipped. Vectors are those of the embed stage's input
(``embed_input(text, heading)``), read from the index where it stored them, in training,
evaluation and scoring alike.

:func:`matrix` turns the scores into a jurisdiction (or document) × topic table whose every
cell names the provisions behind it.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from nlp_toolkit.defaults import DEFAULT_SCORE_MODEL, USE_M3_ID
from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.sources.region import RegionRows, row_titles
from nlp_toolkit.store import Store
from nlp_toolkit.store.queries import standing_doc_ids
from nlp_toolkit.store.scores import (
    main_unit_ids,
    score_models,
    topic_rows,
    unscored_documents,
    write_scores,
)

if TYPE_CHECKING:
    import pandas as pd

    from nlp_toolkit.embed import Embedder
    from nlp_toolkit.score import ProvisionScore, Scorer
    from nlp_toolkit.score.labels import LabelledText, LabelRow

__all__ = [
    "DEFAULT_MODEL",
    "LoadedScorer",
    "ScoreReport",
    "document_meta",
    "evaluate",
    "label_texts",
    "labels_sha256",
    "load_scorer",
    "matrix",
    "score_store",
    "score_texts",
    "train",
    "unit_vectors",
    "with_scores",
]

#: The shipped model folder.
DEFAULT_MODEL = DEFAULT_SCORE_MODEL
_PACKAGED_MODEL = Path(__file__).resolve().parents[2] / "models" / "default"
ScorerKind = Literal["supervised", "lexicon", "zeroshot"]
MatrixBy = Literal["jurisdiction", "doc"]
MatrixValue = Literal["count", "max", "share"]
#: ``progress(done, total, doc_id)`` after each document.
ScoreProgress = Callable[[int, int, str], None]


@dataclass
class LoadedScorer:
    """A scorer ready to run, with the id its scores are stored under.

    Attributes:
        kind: ``supervised``, ``lexicon`` or ``zeroshot``.
        model_id: the id of the scores in the index (kind, model name, content hash).
        scorer: the scorer object.
        embedder: the embedder it needs (None for the lexicon scorer).
    """

    kind: ScorerKind
    model_id: str
    scorer: Any
    embedder: Embedder | None = None


@dataclass(frozen=True)
class ScoreReport:
    """What one run of the score stage did."""

    model_id: str
    documents: int
    provisions: int
    reused_vectors: int
    seconds: float
    skipped: tuple[str, ...] = field(default=())

    def summary(self) -> str:
        """One line for the command line."""
        return (f"{self.model_id}: {self.provisions} provisions of {self.documents} documents "
                f"scored ({self.reused_vectors} stored vectors reused) in {self.seconds:.1f} s")


def _files_sha(folder: Path, taxonomy_digest: str) -> str:
    """The supervised scorer's version: its model files and the taxonomy it reads."""
    h = hashlib.sha256()
    for name in ("weights.npz", "meta.json"):
        h.update((folder / name).read_bytes())
    h.update(taxonomy_digest.encode("ascii"))
    return h.hexdigest()[:12]


def load_scorer(kind: ScorerKind = "supervised", model: str | Path = DEFAULT_MODEL
                ) -> LoadedScorer:
    """Load a scorer.

    Args:
        kind: ``supervised`` (the trained model at ``model``), ``lexicon`` (taxonomy terms,
            no model) or ``zeroshot`` (cosine to topic prototypes with ``use-m3``).
        model: the model folder (``weights.npz`` + ``meta.json``) for ``supervised``.

    Raises:
        ToolkitError: no model at ``model``, or an unknown kind.
    """
    from nlp_toolkit.topics import load_taxonomy

    tax = load_taxonomy()
    if kind == "lexicon":
        from nlp_toolkit.score.lexicon import LexiconScorer

        return LoadedScorer(kind, f"lexicon:taxonomy-{tax.version}", LexiconScorer(tax))
    from nlp_toolkit.embed import load_embedder

    if kind == "zeroshot":
        from nlp_toolkit.score.zeroshot import ZeroShotScorer

        emb = load_embedder(USE_M3_ID)
        return LoadedScorer(kind, f"zeroshot:{emb.model_id}:taxonomy-{tax.version}",
                            ZeroShotScorer(emb, tax), emb)
    if kind != "supervised":
        raise ToolkitError(f"unknown scorer {kind!r}: use supervised, lexicon or zeroshot")
    from nlp_toolkit.score.model_io import load_model
    from nlp_toolkit.score.supervised import SupervisedScorer

    folder = Path(model)
    if folder == DEFAULT_MODEL and not folder.exists() and _PACKAGED_MODEL.exists():
        folder = _PACKAGED_MODEL  # run outside the project folder: the shipped model
    trained = load_model(folder)
    emb = load_embedder(trained.embedder_id)
    name = folder.resolve().name
    return LoadedScorer(kind, f"supervised:{name}@{_files_sha(folder, tax.digest)}",
                        SupervisedScorer(trained, emb, tax), emb)


def unit_vectors(store: Store, embedder: Embedder, texts: Sequence[str],
                 headings: Sequence[str]) -> tuple[np.ndarray, int]:
    """Vectors of the units ``(texts, headings)`` as the embed stage embeds them: of
    ``embed_input(text, heading)``, read from the index where the embed stage stored them
    and computed now for the rest (the same input, so training, evaluation and scoring all
    see the embed stage's vectors). Returns ``(vectors, reused)``."""
    from nlp_toolkit.build.embed import embed_input
    from nlp_toolkit.embed import embed_provisions, text_hash
    from nlp_toolkit.store.vectors import get_vectors

    mid = embedder.model_id
    inputs = [embed_input(t, h, model_id=mid) for t, h in zip(texts, headings, strict=True)]
    keys = [text_hash(t, mid) for t in inputs]
    have = get_vectors(store, mid, keys)
    missing = [i for i, k in enumerate(keys) if k not in have]
    fresh = embed_provisions([inputs[i] for i in missing], embedder) if missing else None
    pos = {i: n for n, i in enumerate(missing)}
    rows = [fresh[pos[i]] if fresh is not None and i in pos else have[k]
            for i, k in enumerate(keys)]
    out = np.vstack(rows).astype(np.float32, copy=False) if rows else np.zeros((0, 0), np.float32)
    return out, len(texts) - len(missing)


def score_texts(loaded: LoadedScorer, doc_ids: str | Sequence[str], texts: Sequence[str],
                languages: Sequence[str], vectors: np.ndarray | None
                ) -> list[ProvisionScore]:
    """The score stage's compute step: score texts of one document (``doc_ids`` a str) or
    of several (one id per text) (pure given the scorer; the executors map it over batches).
    """
    if isinstance(doc_ids, str):
        doc_ids = [doc_ids] * len(texts)
    scorer: Scorer = loaded.scorer
    return list(scorer.score(texts, languages, doc_ids=doc_ids, vectors=vectors))


#: Documents are scored together until a batch holds at least this many units.
BATCH_UNITS = 512


def score_store(store: Store, loaded: LoadedScorer, *, doc_ids: Sequence[str] | None = None,
                progress: ScoreProgress | None = None) -> ScoreReport:
    """Score every document that has main units without a score of ``loaded.model_id``.

    Documents are scored in batches of about :data:`BATCH_UNITS` units (one model call,
    one lexicon and one evidence pass per batch; each document keeps its own context
    features) and written one transaction per document. Vectors come from the embed stage
    where it stored them, so re-scoring with a new model neither re-extracts nor re-embeds.

    Args:
        store: the index.
        loaded: the scorer (:func:`load_scorer`).
        doc_ids: only these documents (default: all).
        progress: called as ``progress(done, total, doc_id)`` after each document.

    Returns:
        A :class:`ScoreReport`.
    """
    start = time.perf_counter()
    todo = unscored_documents(store, loaded.model_id, doc_ids)
    n_prov = reused = done = 0
    if progress is not None:
        progress(0, len(todo), loaded.model_id)
    batch: list[tuple[str, dict[str, int], list[Any]]] = []

    def flush() -> None:
        nonlocal n_prov, reused, done
        rows = [r for _, _, doc_rows in batch for r in doc_rows]
        groups = [doc for doc, _, doc_rows in batch for _ in doc_rows]
        texts = [r.text for r in rows]
        langs = [r.language or "en" for r in rows]
        vecs: np.ndarray | None = None
        if loaded.embedder is not None and rows:
            vecs, n_reused = unit_vectors(store, loaded.embedder, texts, [r.heading for r in rows])
            reused += n_reused
        scores = score_texts(loaded, groups, texts, langs, vecs) if rows else []
        pos = 0
        for doc, ids, doc_rows in batch:
            part = scores[pos : pos + len(doc_rows)]
            pos += len(doc_rows)
            n_prov += write_scores(store, loaded.model_id,
                                   [(ids[r.ref], r.text_sha256, s)
                                    for r, s in zip(doc_rows, part, strict=True)])
            done += 1
            if progress is not None:
                progress(done, len(todo), doc)
        batch.clear()

    for doc in todo:
        ids = main_unit_ids(store, doc)
        batch.append((doc, ids, list(store.provisions(doc, articles=True))))
        if sum(len(b[2]) for b in batch) >= BATCH_UNITS:
            flush()
    flush()
    return ScoreReport(loaded.model_id, len(todo), n_prov, reused,
                       time.perf_counter() - start)


def matrix(store: Store, by: MatrixBy = "jurisdiction", value: MatrixValue = "count",
           jurisdictions: Sequence[str] | None = None, *, model_id: str | None = None,
           rows: RegionRows | None = None, all_versions: bool = False
           ) -> tuple[pd.DataFrame, dict[tuple[str, str], list[str]]]:
    """The jurisdiction (or document) × topic table of the stored scores.

    Args:
        store: the index.
        by: rows are ``jurisdiction`` s (a document of several counts for each) or ``doc`` s.
        value: ``count`` (provisions asserted with the topic), ``max`` (highest topic
            probability of any provision) or ``share`` (asserted provisions / scored ones).
        jurisdictions: only these jurisdictions.
        model_id: the scores of this model (default: the most recently used one).
        rows: a region view (:func:`nlp_toolkit.sources.region.read_region_rows`): its rows, in
            its order, each document counted in its own row only (an agreement is a row of
            its own, not counted for each party); members show even without scores,
            agreements only with them. ``None``: every jurisdiction (or document).
        all_versions: rows of jurisdictions count every version and translation of a law;
            by default a law counts once, as its latest version in English where it has one
            (:func:`~nlp_toolkit.store.queries.standing_doc_ids`). Rows of documents always
            show every document.

    Returns:
        ``(frame, refs)``: ``frame`` has one row per jurisdiction or document, one column per
        topic (taxonomy order) and an ``n_provisions`` column; ``refs[(row, topic)]`` lists
        the refs behind the cell, most probable first (for ``max`` the most probable
        provision comes first even when no provision asserts the topic).
        ``frame.attrs["titles"]`` labels the rows (country names, document titles) and
        ``frame.attrs["agreements"]`` lists the rows that are agreements.

    Raises:
        ToolkitError: the index has no scores (run ``nlp-toolkit score``).
    """
    import pandas as pd

    from nlp_toolkit.topics import load_taxonomy

    if model_id is None:
        models = score_models(store)
        if not models:
            raise ToolkitError("no scores in this index: run `nlp-toolkit score` first")
        model_id = models[0]
    wanted = set(jurisdictions or ())
    topics = list(load_taxonomy().ids)
    provs: dict[str, set[str]] = {}
    best: dict[tuple[str, str], tuple[float, str]] = {}
    hits: dict[tuple[str, str], list[tuple[float, str]]] = {}
    region_docs = sorted(rows.of_doc) if rows is not None else None
    standing = None if all_versions or by == "doc" else standing_doc_ids(store)
    for c in topic_rows(store, model_id, jurisdictions=jurisdictions, doc_ids=region_docs):
        if standing is not None and c.doc_id not in standing:
            continue
        if rows is not None:
            keys = [rows.of_doc[c.doc_id]] if c.doc_id in rows.of_doc else []
        elif by == "doc":
            keys = [c.doc_id]
        else:
            keys = [j for j in c.jurisdiction.split(";") if j and (not wanted or j in wanted)]
        for key in keys:
            provs.setdefault(key, set()).add(c.ref)
            cell = (key, c.topic)
            if cell not in best or c.probability > best[cell][0]:
                best[cell] = (c.probability, c.ref)
            if c.asserted:
                hits.setdefault(cell, []).append((c.probability, c.ref))
    for _, t in best:
        if t not in topics:
            topics.append(t)
    if rows is None:
        index = sorted(provs)
        titles = row_titles(store.documents(), index)
        agreements: list[str] = []
    else:
        index = [k for k in rows.keys if k not in rows.agreements or k in provs]
        titles = {k: rows.titles.get(k, k) for k in index}
        agreements = [k for k in index if k in rows.agreements]
    data: list[dict[str, Any]] = []
    refs: dict[tuple[str, str], list[str]] = {}
    for key in index:
        row: dict[str, Any] = {}
        for t in topics:
            cell = (key, t)
            ranked = [r for _, r in sorted(hits.get(cell, []), key=lambda x: -x[0])]
            if value == "max" and cell in best and best[cell][1] not in ranked[:1]:
                ranked = [best[cell][1], *[r for r in ranked if r != best[cell][1]]]
            refs[cell] = ranked
            n = len(hits.get(cell, []))
            scored = len(provs.get(key, ()))
            if value == "count":
                row[t] = n
            elif value == "share":
                row[t] = round(n / scored, 4) if scored else 0.0
            else:
                row[t] = round(best[cell][0], 4) if cell in best else 0.0
        row["n_provisions"] = len(provs.get(key, ()))
        data.append(row)
    frame = pd.DataFrame(data, index=pd.Index(index, name=by), columns=[*topics, "n_provisions"])
    frame.attrs["titles"] = titles
    frame.attrs["agreements"] = agreements
    return frame, refs


# -- labels, training, evaluation ---------------------------------------------------------
def _label_files(labels: str | Path | Sequence[str | Path]) -> list[Path]:
    if isinstance(labels, str | Path):
        return [Path(labels)]
    return [Path(p) for p in labels]


def label_texts(store: Store, labels_csv: str | Path | Sequence[str | Path], *,
                manifest: str | Path | None = None, exclude_docs: Iterable[str] = ()
                ) -> tuple[list[LabelledText], list[LabelRow]]:
    """Join label CSVs to provision texts: from the index, else from the manifest's files.

    A labelled document in the index gives its stored provisions (the segmenter's output, no
    re-reading); one that is not is read and segmented from ``manifest`` when given. Several
    label files are read in order; rows of ``exclude_docs`` (held-out documents) are dropped.

    Returns:
        ``(joined, unmatched)`` as :func:`nlp_toolkit.score.labels.join_label_texts`.
    """
    from nlp_toolkit.score.labels import join_label_texts, read_label_rows

    skip = set(exclude_docs)
    rows = [r for f in _label_files(labels_csv) for r in read_label_rows(f)
            if r.doc_id not in skip]
    docs = {d["doc_id"]: d for d in store.documents()}
    provisions: dict[str, list[Any]] = {}
    languages: dict[str, str] = {}
    wanted = list(dict.fromkeys(r.doc_id for r in rows))
    for doc in wanted:
        if doc in docs:
            provisions[doc] = list(store.provisions(doc))
            languages[doc] = docs[doc]["language"] or "en"
    missing = [d for d in wanted if d not in provisions]
    if missing and manifest is not None:
        from nlp_toolkit.extract import read_document
        from nlp_toolkit.segment import segment
        from nlp_toolkit.sources.manifest import read_manifest

        for m in read_manifest(manifest).rows:
            if m.doc_id in missing:
                languages[m.doc_id] = m.language or "en"
                extracted = read_document(m.file, m.fmt or None)  # type: ignore[arg-type]
                provisions[m.doc_id] = segment(m.doc_id, extracted,
                                               language=languages[m.doc_id])
    return join_label_texts(rows, provisions, languages)


def document_meta(store: Store, manifest: str | Path | None = None
                  ) -> dict[str, tuple[str, str]]:
    """``doc_id -> (doc_type, jurisdiction)`` of the index's documents and the manifest's
    (the transfer protocol's groups)."""
    out = {d["doc_id"]: (d["doc_type"] or "", d["jurisdiction"] or "")
           for d in store.documents()}
    if manifest is not None:
        from nlp_toolkit.sources.manifest import read_manifest

        for m in read_manifest(manifest).rows:
            out.setdefault(m.doc_id, (m.doc_type or "", m.jurisdiction or ""))
    return out


def labels_sha256(labels: str | Path | Sequence[str | Path]) -> str:
    """sha256 of one label file's bytes; of several, sha256 over their names and hashes."""
    from nlp_toolkit.score.labels import file_sha256

    files = _label_files(labels)
    if len(files) == 1:
        return file_sha256(files[0])
    h = hashlib.sha256()
    for f in files:
        h.update(f"{f.name}\0{file_sha256(f)}\0".encode())
    return h.hexdigest()


def _label_vectors(store: Store, items: Sequence[LabelledText]) -> tuple[Embedder, np.ndarray]:
    from nlp_toolkit.embed import load_embedder

    emb = load_embedder(USE_M3_ID)
    vecs, _ = unit_vectors(store, emb, [it.text for it in items], [it.heading for it in items])
    return emb, vecs


def _need(items: Sequence[LabelledText], labels_csv: str | Path | Sequence[str | Path]) -> None:
    if len({it.doc_id for it in items}) < 2:
        names = ", ".join(str(f) for f in _label_files(labels_csv))
        raise ToolkitError(f"fewer than two labelled documents of {names} could be joined "
                           "to provisions: ingest the labelled documents first, or give "
                           "--manifest CSV listing them")


def train(store: Store, labels_csv: str | Path | Sequence[str | Path], out: str | Path, *,
          manifest: str | Path | None = None, folds: int = 5,
          exclude_docs: Iterable[str] = (), transfer: bool = True
          ) -> tuple[Path, dict[str, Any]]:
    """Train the supervised scorer on label CSVs and save it to ``out``.

    Args:
        exclude_docs: documents whose labels are held out (not trained on).
        transfer: run the transfer protocol too and record it on the card.

    Returns:
        ``(folder, card)``: the model folder and its model card.

    Raises:
        ToolkitError: fewer than two labelled documents could be joined.
    """
    from nlp_toolkit.score.model_io import save_model
    from nlp_toolkit.score.train import train_model

    skip = sorted(set(exclude_docs))
    items, unmatched = label_texts(store, labels_csv, manifest=manifest, exclude_docs=skip)
    _need(items, labels_csv)
    emb, vecs = _label_vectors(store, items)
    model = train_model(items, emb, vectors=vecs, labels_sha256=labels_sha256(labels_csv),
                        n_splits=folds,
                        documents=document_meta(store, manifest) if transfer else None)
    model.card["training_data"].update({
        "label_files": [f.name for f in _label_files(labels_csv)],
        "held_out_documents": skip,
        "unmatched": [f"{r.doc_id}:{r.unit}" for r in unmatched],
    })
    return save_model(model, out), dict(model.card)


def evaluate(store: Store, labels_csv: str | Path | Sequence[str | Path], *,
             manifest: str | Path | None = None, folds: int = 5,
             exclude_docs: Iterable[str] = (), transfer: bool = True) -> dict[str, Any]:
    """Evaluate the supervised scorer on label CSVs: cross-validation with folds grouped by
    document and, with ``transfer``, the transfer protocol (treaties -> laws, laws ->
    treaties, leave one jurisdiction out; :func:`nlp_toolkit.score.evaluate.transfer_protocol`).

    Returns:
        The report of :func:`nlp_toolkit.score.evaluate.cross_validate` (without the
        per-item predictions), ``transfer``, ``labels_sha256`` and ``unmatched``: label rows
        with no provision.
    """
    from nlp_toolkit.score.evaluate import cross_validate, transfer_protocol
    from nlp_toolkit.score.supervised import compute_features
    from nlp_toolkit.score.train import DEFAULT_PARAMS
    from nlp_toolkit.score.zeroshot import topic_prototypes
    from nlp_toolkit.topics import load_taxonomy

    items, unmatched = label_texts(store, labels_csv, manifest=manifest,
                                   exclude_docs=exclude_docs)
    _need(items, labels_csv)
    emb, vecs = _label_vectors(store, items)
    tax = load_taxonomy()
    protos = topic_prototypes(tax, emb)
    feats = compute_features([it.text for it in items], [it.language for it in items], vecs,
                             protos, [it.doc_id for it in items], tax)
    report = cross_validate(items, vecs, protos, embedder_id=emb.model_id,
                            n_splits=folds, taxonomy=tax, features=feats, **DEFAULT_PARAMS)
    report.pop("predictions", None)
    if transfer:
        report["transfer"] = transfer_protocol(
            items, vecs, protos, document_meta(store, manifest), embedder_id=emb.model_id,
            taxonomy=tax, features=feats, **DEFAULT_PARAMS)
    report["labels_sha256"] = labels_sha256(labels_csv)
    report["unmatched"] = [f"{r.doc_id}:{r.unit}" for r in unmatched]
    return report


def with_scores(store: Store, records: Iterable[dict[str, Any]], *,
                model_id: str | None = None) -> Iterator[dict[str, Any]]:
    """Provision records (with ``ref``) with their score fields added when scored.

    Streams in batches; unscored records get ``None`` score fields. ``model_id`` defaults to
    the most recently used scoring model.
    """
    from nlp_toolkit.store.scores import SCORE_FIELDS, scores_for_refs

    if model_id is None:
        models = score_models(store)
        model_id = models[0] if models else None
    batch: list[dict[str, Any]] = []

    def flush() -> Iterator[dict[str, Any]]:
        found = (scores_for_refs(store, [r["ref"] for r in batch], model_id)
                 if model_id is not None else {})
        for rec in batch:
            extra = found.get(rec["ref"], {})
            yield {**rec, **{f: extra.get(f) for f in SCORE_FIELDS}}
        batch.clear()

    for rec in records:
        batch.append(rec)
        if len(batch) >= 500:
            yield from flush()
    yield from flush()
