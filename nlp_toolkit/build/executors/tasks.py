"""The work a Dask worker does: pure functions of their arguments, plus per-worker caches.

Every function here runs on a worker and returns its result to the client; none touches the
index (the client is the only writer). Models are loaded once per worker process and kept in
module-level caches keyed by model name, so a worker that embeds a thousand batches loads
its embedder once.

Documents travel as bytes (:func:`extract_bytes`): workers need no shared filesystem, so a
remote cluster works as well as a :class:`~distributed.LocalCluster`.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nlp_toolkit.build.ingest import Job, JobResult, process_job

if TYPE_CHECKING:
    from nlp_toolkit.build.score import LoadedScorer, ScorerKind
    from nlp_toolkit.embed import Embedder
    from nlp_toolkit.score import ProvisionScore

__all__ = ["DocToScore", "embed_texts", "embed_units", "embedder_info", "extract_bytes",
           "score_documents", "scorer_info"]

_EMBEDDERS: dict[str, Embedder] = {}
_SCORERS: dict[tuple[str, str], LoadedScorer] = {}

#: One document for :func:`score_documents`: ``(doc_id, texts, headings, languages, vectors)``.
#: The vectors (one row per text) are those of ``embed_input(text, heading)``, as the embed
#: stage stores them and the local score stage reads them (``build.score.unit_vectors``); None for
#: scorers that need none, or to have the worker embed that same input.
DocToScore = tuple[str, Sequence[str], Sequence[str], Sequence[str], "np.ndarray | None"]


def extract_bytes(job: Job, data: bytes) -> JobResult:
    """Extract and segment one document sent as bytes; never raises (see ``process_job``).

    The bytes are written to a private temporary file named like the original (readers may
    look at the suffix), and messages name the original path, not the temporary one.
    """
    name = Path(job.file).name or "document"
    with tempfile.TemporaryDirectory(prefix="nlp-toolkit-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        result = process_job(dataclasses.replace(job, file=str(path)))
    if result.reason and str(path) in result.reason:
        result = dataclasses.replace(result, reason=result.reason.replace(str(path), job.file))
    return result


def _embedder(name: str) -> Embedder:
    if name not in _EMBEDDERS:
        from nlp_toolkit.embed import load_embedder

        _EMBEDDERS[name] = load_embedder(name)
    return _EMBEDDERS[name]


def embedder_info(name: str) -> tuple[str, int, int]:
    """``(model_id, dim, max_chars)`` of an embedder (loading it into this worker's cache)."""
    emb = _embedder(name)
    return emb.model_id, emb.dim, emb.max_chars


def embed_texts(name: str, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """``embedder.encode(texts)`` with this worker's cached embedder ``name``."""
    return _embedder(name).encode(list(texts), batch_size=batch_size)


def _scorer(kind: ScorerKind, model: str) -> LoadedScorer:
    key = (kind, model)
    if key not in _SCORERS:
        from nlp_toolkit.build.score import load_scorer

        loaded = _SCORERS[key] = load_scorer(kind, model)
        if loaded.embedder is not None:  # one copy of the model per worker
            _EMBEDDERS.setdefault(loaded.embedder.model_id, loaded.embedder)
    return _SCORERS[key]


def scorer_info(kind: ScorerKind, model: str) -> tuple[str, str | None]:
    """``(model_id, embedder model_id or None)`` of a scorer, loading it into the cache."""
    loaded = _scorer(kind, model)
    return loaded.model_id, None if loaded.embedder is None else loaded.embedder.model_id


def score_documents(kind: ScorerKind, model: str, docs: Sequence[DocToScore]
                    ) -> list[tuple[str, list[ProvisionScore]]]:
    """Score whole documents with this worker's cached scorer: ``[(doc_id, scores)]``.

    A document sent without vectors, for a scorer that needs them, is embedded here from
    ``embed_input(text, heading)`` (never the bare text), so that distributed and local
    scoring see the same vectors.
    """
    from nlp_toolkit.build.score import score_texts

    loaded = _scorer(kind, model)
    out: list[tuple[str, list[ProvisionScore]]] = []
    for doc_id, texts, headings, langs, vecs in docs:
        if texts and vecs is None and loaded.embedder is not None:
            vecs = embed_units(loaded.embedder, texts, headings)
        out.append((doc_id, score_texts(loaded, doc_id, texts, langs, vecs) if texts else []))
    return out


def embed_units(embedder: Embedder, texts: Sequence[str], headings: Sequence[str]
                ) -> np.ndarray:
    """Vectors of units as the embed stage embeds them: of ``embed_input(text, heading)``."""
    from nlp_toolkit.build.embed import embed_input
    from nlp_toolkit.embed import embed_provisions

    return embed_provisions([embed_input(t, h, model_id=embedder.model_id)
                             for t, h in zip(texts, headings, strict=True)], embedder)
