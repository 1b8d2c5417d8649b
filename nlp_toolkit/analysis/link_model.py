"""A small learned relation classifier for links: multinomial logistic regression over the
taxonomy's direction and bindingness of both sides, stored as JSON arrays (no pickle).

:func:`relation_features` turns a (commitment, national provision) pair into numbers;
:class:`RelationModel` follows the estimator contract (``fit`` returns self, learned state
ends in ``_``) and reads/writes ``models/links/relation.json``; the model card is
``models/links/meta.json``.

>>> x = relation_features("liberalizing", "restrictive", "hard", same_topic=True,
...                       agreement=0.8)
>>> len(x) == len(FEATURES)
True
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["CLASSES", "FEATURES", "RelationModel", "relation_features"]

CLASSES = ("implements", "restricts", "related")
FEATURES = ("national_restrictive", "national_liberalizing", "national_hard", "national_soft",
            "commitment_liberalizing", "commitment_restrictive", "same_topic",
            "topic_agreement", "restrictive_vs_not")


def relation_features(commitment_direction: str, national_direction: str,
                      national_bindingness: str, *, same_topic: bool,
                      agreement: float) -> list[float]:
    """The features of :data:`FEATURES` for one pair (pure)."""
    return [float(national_direction == "restrictive"),
            float(national_direction == "liberalizing"),
            float(national_bindingness == "hard"), float(national_bindingness == "soft"),
            float(commitment_direction == "liberalizing"),
            float(commitment_direction == "restrictive"), float(same_topic), float(agreement),
            float(national_direction == "restrictive" and commitment_direction != "restrictive")]


class RelationModel:
    """Multinomial logistic regression over :data:`FEATURES` (fit with scikit-learn).

    Args:
        C: inverse regularisation strength.
    """

    def __init__(self, C: float = 1.0) -> None:
        self.C = C

    def fit(self, X: Sequence[Sequence[float]], y: Sequence[str]) -> RelationModel:
        """Fit on feature rows and relation labels.

        Raises:
            ValueError: a label outside :data:`CLASSES`, or a class without examples.
        """
        from sklearn.linear_model import LogisticRegression

        bad = sorted(set(y) - set(CLASSES))
        if bad:
            raise ValueError(f"relation labels must be in {CLASSES}, got {bad}")
        if set(y) != set(CLASSES):
            raise ValueError(f"fitting needs examples of every relation {CLASSES}; got "
                             f"{sorted(set(y))}")
        lr = LogisticRegression(C=self.C, max_iter=2000, class_weight="balanced")
        lr.fit(np.asarray(X, dtype=float), list(y))
        order = [list(lr.classes_).index(c) for c in CLASSES]
        self.coef_ = np.asarray(lr.coef_)[order]
        self.intercept_ = np.asarray(lr.intercept_)[order]
        return self

    def predict(self, X: Sequence[Sequence[float]]) -> list[str]:
        """The most probable relation of each row."""
        z = np.asarray(X, dtype=float) @ self.coef_.T + self.intercept_
        return [CLASSES[int(i)] for i in np.argmax(z, axis=1)]

    def to_dict(self) -> dict[str, Any]:
        return {"classes": list(CLASSES), "features": list(FEATURES), "C": self.C,
                "coef": self.coef_.tolist(), "intercept": self.intercept_.tolist()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RelationModel:
        """The model of :meth:`to_dict`.

        Raises:
            ValueError: the classes or features differ from this code's.
        """
        if tuple(data.get("classes", ())) != CLASSES or tuple(
                data.get("features", ())) != FEATURES:
            raise ValueError("this relation model was trained on other classes or features: "
                             "retrain it with benchmarks/links.py --train")
        model = cls(C=float(data.get("C", 1.0)))
        model.coef_ = np.asarray(data["coef"], dtype=float)
        model.intercept_ = np.asarray(data["intercept"], dtype=float)
        return model

    def write(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: str | Path) -> RelationModel:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
