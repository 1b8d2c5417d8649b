"""Fast mode: static (model2vec) embeddings, a table lookup and a mean per text.

The shipped model (``models/fast`` in the project folder) was distilled once from
all-MiniLM-L6-v2 with model2vec (see ``models/fast/README.md`` for how, and what it costs in
retrieval quality). It reads English only, like MiniLM. Models load from a local folder and
never from a model hub.

Example:
    >>> emb = StaticEmbedder()
    >>> emb.model_id
    'minilm-l6-v2-m2v256'
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlp_toolkit.errors import ToolkitError

__all__ = ["FAST_ID", "FAST_MODEL", "StaticEmbedder", "is_static_model"]

#: The shipped fast model's folder (in the project folder, beside ``models/default``).
FAST_MODEL = Path(__file__).resolve().parents[2] / "models" / "fast"
#: Its model id (also in its ``meta.json``): changes whenever the model does.
FAST_ID = "minilm-l6-v2-m2v256"
_MODEL2VEC_FILES = ("config.json", "model.safetensors", "tokenizer.json")


def is_static_model(folder: str | Path) -> bool:
    """Whether ``folder`` holds a model2vec model (config, safetensors table, tokenizer).

    A sentence-transformers transformer folder has the same three files, so its
    ``modules.json`` (when present) must name a ``StaticEmbedding`` module first.
    """
    path = Path(folder)
    if not all((path / name).is_file() for name in _MODEL2VEC_FILES):
        return False
    modules = path / "modules.json"
    if not modules.is_file():
        return True
    try:
        first = json.loads(modules.read_text(encoding="utf-8"))[0]
    except (ValueError, IndexError, KeyError, TypeError):
        return False
    return isinstance(first, dict) and "StaticEmbedding" in str(first.get("type", ""))


def _read_model_id(folder: Path) -> str | None:
    meta = folder / "meta.json"
    if not meta.is_file():
        return None
    try:
        found = json.loads(meta.read_text(encoding="utf-8")).get("model_id")
    except (ValueError, AttributeError):
        return None
    return str(found) if found else None


class StaticEmbedder:
    """A model2vec static embedding model read from a local folder.

    Each text is tokenised with the source model's word pieces and embedded as the mean of
    their rows in a fixed table: no neural network runs, so it is ~hundreds of times faster
    than MiniLM on CPU, at a measured loss in retrieval quality.

    Args:
        model: a model2vec model folder; None for the shipped ``models/fast``.
        model_id: id stored with the vectors; default ``meta.json``'s ``model_id``, else the
            folder name.
        max_tokens: word pieces read per text (longer texts are truncated; the embed stage
            chunks long provisions at :attr:`max_chars` first).

    Example:
        >>> StaticEmbedder().encode(["Each Party shall protect personal data."]).shape
        (1, 256)
    """

    def __init__(self, model: str | Path | None = None, *, model_id: str | None = None,
                 max_tokens: int = 512) -> None:
        self.model = model
        self.max_tokens = max_tokens
        if model_id is None:
            folder = FAST_MODEL if model is None else Path(model)
            model_id = (FAST_ID if model is None
                        else _read_model_id(folder) or folder.resolve().name)
        self.model_id = model_id
        self._model: Any = None

    def _folder(self) -> Path:
        folder = FAST_MODEL if self.model is None else Path(self.model).expanduser()
        if not folder.is_dir():
            where = ("the fast model ships in the project folder (models/fast): run from a "
                     "project checkout or pass a model2vec folder" if self.model is None
                     else "pass the folder that holds the model's files")
            raise ToolkitError(f"no static embedding model at {folder}: {where}")
        if not is_static_model(folder):
            raise ToolkitError(
                f"{folder} is not a model2vec model folder (needs config.json, "
                "model.safetensors and tokenizer.json): distil one with "
                "models/fast/distill.py")
        return folder

    def _load(self) -> Any:
        if self._model is None:
            folder = self._folder()
            try:
                from model2vec import StaticModel
            except ImportError as exc:
                raise ToolkitError(
                    "fast mode needs model2vec: run `pip install model2vec`") from exc
            # an existing local folder is read as is: model2vec never calls the hub for it
            self._model = StaticModel.from_pretrained(folder.resolve(), normalize=True)
        return self._model

    @property
    def dim(self) -> int:
        """Vector dimension (loads the model)."""
        return int(self._load().dim)

    @property
    def max_chars(self) -> int:
        """A window in characters that fits ``max_tokens`` for English (~3 chars/token)."""
        return 3 * self.max_tokens

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """``(len(texts), dim)`` float32 array of L2-normalised embeddings.

        ``batch_size`` is accepted for the :class:`~nlp_toolkit.embed.Embedder` protocol;
        a lookup table gains nothing from small batches, so texts go in batches of 1,024.
        """
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = model.encode(list(texts), max_length=self.max_tokens, batch_size=1024,
                            show_progress_bar=False, use_multiprocessing=False)
        out = np.asarray(vecs, dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)
