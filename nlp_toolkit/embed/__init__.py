"""Sentence embeddings for provisions: embedders, chunking, pooling, cache keys.

Example:
    >>> from nlp_toolkit.embed import chunk_text, text_hash
    >>> chunk_text("First. Second.", max_chars=8)
    [(0, 6), (7, 14)]
"""

from __future__ import annotations

from nlp_toolkit.embed.chunking import chunk_text, sentence_spans
from nlp_toolkit.embed.models import (
    E5Embedder,
    Embedder,
    SentenceTransformerEmbedder,
    UseM3Embedder,
    encode_by_length,
    encode_queries,
    known_model_id,
    load_embedder,
)
from nlp_toolkit.embed.pooling import Pooling, embed_provisions, text_hash
from nlp_toolkit.embed.static import FAST_ID, StaticEmbedder, is_static_model

__all__ = [
    "FAST_ID",
    "E5Embedder",
    "Embedder",
    "Pooling",
    "SentenceTransformerEmbedder",
    "StaticEmbedder",
    "UseM3Embedder",
    "chunk_text",
    "embed_provisions",
    "encode_by_length",
    "encode_queries",
    "is_static_model",
    "known_model_id",
    "load_embedder",
    "sentence_spans",
    "text_hash",
]
