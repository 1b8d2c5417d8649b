"""The embed stage: a vector for every main unit not yet embedded with a model.

Main units are the full-text index's retrieval units (articles, statute sections, and
units outside them; never chapters or an article's paragraphs). Each unit's text is
embedded once per model and keyed by the hash of that text, so re-running the stage, or
re-ingesting a document whose text did not change, runs no model.

>>> from nlp_toolkit.store import Store
>>> embed_input("26. Transfer", "Transfer")
'26. Transfer'
>>> embed_input("(1) An organisation shall not transfer", "Transfer")
'Transfer\\n(1) An organisation shall not transfer'
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from nlp_toolkit.embed import Embedder, Pooling, embed_provisions, text_hash
from nlp_toolkit.embed.models import (
    ENGLISH_ONLY,
    NATIONAL_ONLY,
    NON_LATIN,
    READS_CHINESE_GLOSS,
    skipped_languages,
)
from nlp_toolkit.extract.gloss import gloss, gloss_language
from nlp_toolkit.extract.gloss_zh import gloss_chinese
from nlp_toolkit.extract.scripts import has_han
from nlp_toolkit.store import Store
from nlp_toolkit.store.scores import forget_scores
from nlp_toolkit.store.vectors import (
    count_unembedded,
    iter_linked_units,
    iter_unembedded_units,
    known_hashes,
    link_vectors,
    put_vectors,
    unlink_vectors,
)

__all__ = [
    "ENGLISH_ONLY",
    "MAX_EMBED_CHARS",
    "NON_LATIN",
    "EmbedReport",
    "embed_input",
    "embed_store",
    "unlink_stale",
]

#: Characters of a unit that are embedded; the rest of a very long unit (a tariff schedule
#: row dump, a whole annex) would cost minutes and blur the vector anyway.
MAX_EMBED_CHARS = 12_000

#: ``progress(done, total, label)`` after each batch.
EmbedProgress = Callable[[int, int, str], None]


@dataclass(frozen=True, slots=True)
class EmbedReport:
    """What one run of the embed stage did.

    Attributes:
        model_id: the model.
        units: main units that had no vector of this model before the run.
        reused: of those, units whose text was already embedded (no model call).
        embedded: distinct texts run through the model.
        stale: units whose embedded input had changed since their vector was made (a new
            glossary, a new heading rule): their links and scores were dropped and they
            were embedded again (counted in ``units``).
        seconds: wall time of the run.
    """

    model_id: str
    units: int
    reused: int
    embedded: int
    seconds: float
    stale: int = 0

    def summary(self) -> str:
        """One line for the command line."""
        rate = self.embedded / self.seconds if self.seconds > 0 else 0.0
        stale = f" ({self.stale} re-embedded: their input changed)" if self.stale else ""
        return (f"{self.model_id}: {self.units} units to link{stale}, {self.reused} reused, "
                f"{self.embedded} texts embedded in {self.seconds:.1f} s "
                f"({rate:.0f} texts/s)")


def embed_input(text: str, heading: str, *, model_id: str = "") -> str:
    """The text a unit is embedded as: its text, headed by its heading when the text lacks it;
    Indonesian and Vietnamese text as its English gloss (:mod:`nlp_toolkit.extract.gloss`:
    USE and MiniLM read neither; e5 reads Indonesian, but on the tune half's questions with
    Indonesian answers it ranked them better from the gloss: recall@10 within Indonesia 0.55
    against 0.40 as written); for a ``model_id`` of :data:`READS_CHINESE_GLOSS` (MiniLM),
    Chinese text as its English gloss too (:mod:`nlp_toolkit.extract.gloss_zh`; the multilingual
    models read it as written). Cut to :data:`MAX_EMBED_CHARS` (pure but for reading the
    glossaries).
    """
    head = heading.strip()
    if head and head not in text[: len(head) + 80]:
        text = f"{head}\n{text}"
    text = text[:MAX_EMBED_CHARS]
    if model_id in READS_CHINESE_GLOSS and has_han(text):
        return gloss_chinese(text)[:MAX_EMBED_CHARS]
    language = gloss_language(text)
    return text if language is None else gloss(text, language=language)[:MAX_EMBED_CHARS]


def embed_store(store: Store, embedder: Embedder, *, batch_size: int = 256,
                pooling: Pooling = "mean", progress: EmbedProgress | None = None,
                skip_languages: Sequence[str] | None = None,
                doc_ids: Sequence[str] | None = None, page_size: int = 2048,
                skip_doc_types: Sequence[str] | None = None) -> EmbedReport:
    """Embed every main unit of ``store`` that has no vector of ``embedder`` yet.

    Units are read in pages of ``page_size`` (memory holds one page of texts, not the
    corpus). In each page, units whose text is already embedded are linked to its vector
    without a model call; the other distinct texts, sorted by length so that batches hold
    texts of similar length, are embedded ``batch_size`` at a time, and each batch's vectors
    and links are written in one transaction, so an interrupted run keeps what it finished
    and the next run goes on from there.

    Args:
        store: the index.
        embedder: any :class:`~nlp_toolkit.embed.Embedder`; its ``model_id`` keys the vectors.
        batch_size: texts per model call and per transaction.
        pooling: how chunk vectors of long units are combined.
        progress: called as ``progress(done, total, model_id)`` with units done, after
            each batch.
        skip_languages: documents in these languages are not embedded; default
            :func:`~nlp_toolkit.embed.models.skipped_languages` of the model.
        doc_ids: only these documents' units (default: all).
        page_size: units read from the index at a time.
        skip_doc_types: documents of these types are not embedded; default ``treaty``
            for :data:`NATIONAL_ONLY` models, none for the others.

    Returns:
        An :class:`EmbedReport`.
    """
    start = time.perf_counter()
    model_id = embedder.model_id
    if skip_languages is None:
        skip_languages = skipped_languages(model_id)
    if skip_doc_types is None:
        skip_doc_types = ("treaty",) if model_id in NATIONAL_ONLY else ()
    stale = unlink_stale(store, model_id, doc_ids=doc_ids, page_size=page_size)
    total = count_unembedded(store, model_id, skip_languages=skip_languages, doc_ids=doc_ids,
                             skip_doc_types=skip_doc_types)
    if progress is not None:
        progress(0, total, model_id)
    done = reused = embedded = 0
    ours: set[str] = set()  # texts embedded by this run (not "reused" when seen again)
    for units in iter_unembedded_units(store, model_id, skip_languages=skip_languages,
                                       doc_ids=doc_ids, page=page_size,
                                       skip_doc_types=skip_doc_types):
        inputs = [embed_input(u.text, u.heading, model_id=model_id) for u in units]
        hashes = [text_hash(t, model_id) for t in inputs]
        have = known_hashes(store, model_id, hashes)
        reused += sum(1 for h in hashes if h in have and h not in ours)
        todo: dict[str, str] = {}
        owners: dict[str, list[int]] = {}
        linked: list[tuple[int, str]] = []
        for u, t, h in zip(units, inputs, hashes, strict=True):
            if h in have:
                linked.append((u.id, h))
            else:
                todo.setdefault(h, t)
                owners.setdefault(h, []).append(u.id)
        del units, inputs
        if linked:
            _write(store, model_id, {}, linked)
            done += len(linked)
            if progress is not None:
                progress(done, total, model_id)
        keys = sorted(todo, key=lambda h: len(todo[h]))
        for s in range(0, len(keys), batch_size):
            part = keys[s:s + batch_size]
            vecs = embed_provisions([todo[h] for h in part], embedder, pooling=pooling,
                                    batch_size=min(batch_size, 64))
            _write(store, model_id, dict(zip(part, vecs, strict=True)),
                   [(pid, h) for h in part for pid in owners[h]])
            ours.update(part)
            embedded += len(part)
            done += sum(len(owners[h]) for h in part)
            if progress is not None:
                progress(done, total, model_id)
    if progress is not None and total and done != total:
        progress(done, done, model_id)
    return EmbedReport(model_id, done, reused, embedded, time.perf_counter() - start, stale)


def unlink_stale(store: Store, model_id: str, *, doc_ids: Sequence[str] | None = None,
                 page_size: int = 2048) -> int:
    """Drop the vector links and the scores of units whose :func:`embed_input` no longer
    hashes to the text their vector was made from, so that this run embeds them again and
    the next ``score`` scores them again; return how many.

    An index built before a change of the embedded input (a glossary entry, the heading
    rule) would otherwise keep the old vectors: links are by unit, not by input.
    """
    stale: list[int] = []
    for page in iter_linked_units(store, model_id, doc_ids=doc_ids, page=page_size):
        stale.extend(u.id for u, linked in page
                     if text_hash(embed_input(u.text, u.heading, model_id=model_id),
                                  model_id) != linked)
    if stale:
        with store.transaction():
            unlink_vectors(store, model_id, stale)
            forget_scores(store, stale)
    return len(stale)


def _write(store: Store, model_id: str, vectors: dict[str, np.ndarray],
           links: list[tuple[int, str]]) -> None:
    """Store new vectors and provision links in one transaction."""
    with store.transaction():
        if vectors:
            put_vectors(store, model_id, vectors)
        link_vectors(store, model_id, links)
