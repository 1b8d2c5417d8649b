"""Provision vectors from chunk vectors, and the vector cache key."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Literal

import numpy as np

from nlp_toolkit.embed.chunking import chunk_text
from nlp_toolkit.embed.models import Embedder

__all__ = ["Pooling", "embed_provisions", "text_hash"]

Pooling = Literal["mean", "max", "first"]


def text_hash(text: str, model_id: str) -> str:
    """The vector cache key: sha256 hex of ``model_id + NUL + text``.

    Example:
        >>> text_hash("Article 1", "minilm-l6-v2")[:12]
        '867928302592'
    """
    return hashlib.sha256(f"{model_id}\0{text}".encode()).hexdigest()


def embed_provisions(
    texts: Sequence[str],
    embedder: Embedder,
    *,
    pooling: Pooling = "mean",
    max_chars: int | None = None,
    overlap_sentences: int = 0,
    batch_size: int = 64,
) -> np.ndarray:
    """One L2-normalised vector per provision, pooled over its sentence-aligned chunks.

    Long provisions exceed the model window (MiniLM reads 256 word pieces and drops the
    rest), so each text is cut by :func:`~nlp_toolkit.embed.chunking.chunk_text`, every
    chunk is embedded in one length-sorted pass, and chunk vectors are pooled.

    Args:
        texts: provision texts.
        embedder: any :class:`~nlp_toolkit.embed.models.Embedder`.
        pooling: ``"mean"`` (average of chunk vectors), ``"max"`` (element-wise max), or
            ``"first"`` (first chunk only; the rest are not embedded).
        max_chars: chunk window; ``embedder.max_chars`` by default.
        overlap_sentences: sentences shared by consecutive chunks.
        batch_size: chunks per model call.

    Returns:
        ``(len(texts), embedder.dim)`` float32 array with unit rows. A blank text is
        embedded as it is (one chunk).

    Raises:
        ValueError: on an unknown ``pooling``.
    """
    if pooling not in ("mean", "max", "first"):
        raise ValueError(f"pooling must be 'mean', 'max' or 'first', got {pooling!r}")
    window = embedder.max_chars if max_chars is None else max_chars
    chunks: list[str] = []
    owner: list[int] = []
    for i, text in enumerate(texts):
        spans = chunk_text(text, max_chars=window, overlap_sentences=overlap_sentences)
        pieces = [text[s:e] for s, e in spans] or [text]
        if pooling == "first":
            pieces = pieces[:1]
        chunks.extend(pieces)
        owner.extend([i] * len(pieces))
    vecs = embedder.encode(chunks, batch_size=batch_size)
    owners = np.asarray(owner, dtype=np.int64)
    dim = vecs.shape[1]
    if pooling == "max":
        pooled = np.full((len(texts), dim), -np.inf, dtype=np.float32)
        np.maximum.at(pooled, owners, vecs)
    else:
        pooled = np.zeros((len(texts), dim), dtype=np.float32)
        np.add.at(pooled, owners, vecs)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return np.divide(pooled, norms, out=np.zeros_like(pooled), where=norms > 0)
