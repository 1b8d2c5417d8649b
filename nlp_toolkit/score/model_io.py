"""Save and load a :class:`~nlp_toolkit.score.supervised.ScoringModel` without pickle.

A model folder holds ``weights.npz`` (every learned array, read with
``np.load(allow_pickle=False)``) and ``meta.json``, the model card: topic ids and modes,
per-topic thresholds, embedder id, feature names, hyperparameters, training-data sha256,
library versions, grouped-CV metrics and the training date. Thresholds are read from the
card, so editing ``meta.json`` is how a user moves a topic's cut.

Example:
    >>> from pathlib import Path
    >>> load_model(Path("no/such/folder"))
    Traceback (most recent call last):
    ...
    nlp_toolkit.errors.ToolkitError: no model at no/such/folder ...
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.score.features import TOPIC_FEATURES
from nlp_toolkit.score.supervised import ScoringModel

__all__ = ["ARRAYS", "FORMAT_VERSION", "OPTIONAL_ARRAYS", "load_model", "save_model"]

FORMAT_VERSION = 1
#: Array fields of :class:`ScoringModel` stored in ``weights.npz``.
ARRAYS = (
    "feat_mean",
    "feat_scale",
    "topic_coef",
    "topic_intercept",
    "pooled_coef",
    "pooled_intercept",
    "thresholds",
    "prototypes",
    "bind_coef",
    "bind_intercept",
    "dir_coef",
    "dir_intercept",
)
#: Arrays a model may lack (written by later versions): name -> value when absent.
OPTIONAL_ARRAYS = {"calibration": (1.0, 0.0)}


def save_model(model: ScoringModel, folder: str | Path) -> Path:
    """Write ``weights.npz`` and ``meta.json`` into ``folder`` (created if needed).

    Returns:
        The folder.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    arrays = {name: np.asarray(getattr(model, name)) for name in (*ARRAYS, *OPTIONAL_ARRAYS)}
    np.savez_compressed(out / "weights.npz", **arrays)  # type: ignore[arg-type]
    card: dict[str, Any] = dict(model.card)
    card.update(
        {
            "format_version": FORMAT_VERSION,
            "embedder_id": model.embedder_id,
            "topic_ids": list(model.topic_ids),
            "modes": dict(zip(model.topic_ids, model.modes, strict=True)),
            "mix": model.mix,
            "thresholds": {
                t: round(float(v), 4)
                for t, v in zip(model.topic_ids, model.thresholds, strict=True)
            },
            "arrays": {name: list(a.shape) for name, a in arrays.items()},
            "calibration": {
                "method": "Platt (one logistic map of the topic logit, fit on grouped "
                "out-of-document folds)",
                "slope": round(float(model.calibration[0]), 6),
                "intercept": round(float(model.calibration[1]), 6),
            },
        }
    )
    (out / "meta.json").write_text(
        json.dumps(card, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8"
    )
    return out


def load_model(folder: str | Path) -> ScoringModel:
    """Read a model folder written by :func:`save_model`.

    Raises:
        ToolkitError: if the folder, a file or an array is missing, the format is newer, or
            the card names topic features other than this version's (the weights would be
            read against features that mean something else).
    """
    src = Path(folder)
    meta_path, weights_path = src / "meta.json", src / "weights.npz"
    if not meta_path.is_file() or not weights_path.is_file():
        raise ToolkitError(
            f"no model at {folder} (need meta.json and weights.npz): train one with "
            "`nlp-toolkit train` or pass the folder of a trained model"
        )
    try:
        card = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ToolkitError(f"cannot read {meta_path}: {exc}; retrain the model") from exc
    if int(card.get("format_version", 0)) > FORMAT_VERSION:
        raise ToolkitError(f"{meta_path} is format {card['format_version']}: upgrade nlp_toolkit")
    features = card.get("features")
    named = features.get("topic") if isinstance(features, dict) else None
    if named is not None and tuple(named) != TOPIC_FEATURES:
        raise ToolkitError(
            f"{meta_path} was trained on the topic features {', '.join(named)}; this version "
            f"computes {', '.join(TOPIC_FEATURES)}: retrain the model with `nlp-toolkit train` "
            "(models/README.md gives the shipped recipe)"
        )
    with np.load(weights_path, allow_pickle=False) as data:
        missing = [name for name in ARRAYS if name not in data.files]
        if missing:
            raise ToolkitError(f"{weights_path} lacks {', '.join(missing)}: retrain the model")
        arrays = {name: np.array(data[name]) for name in ARRAYS}
        for name, default in OPTIONAL_ARRAYS.items():
            arrays[name] = (
                np.array(data[name]) if name in data.files else np.array(default, dtype=np.float32)
            )
    ids = tuple(card["topic_ids"])
    try:
        arrays["thresholds"] = np.array([card["thresholds"][t] for t in ids], dtype=np.float32)
        modes = tuple(card["modes"][t] for t in ids)
    except KeyError as exc:
        raise ToolkitError(f"{meta_path}: no threshold or mode for topic {exc}") from exc
    return ScoringModel(
        topic_ids=ids,
        modes=modes,
        mix=float(card["mix"]),
        embedder_id=str(card["embedder_id"]),
        card=card,
        **arrays,
    )
