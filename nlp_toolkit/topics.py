"""The topic taxonomy (v1) as data: topics, lexicons, context rules, exemplars, cue lists.

The taxonomy lives in ``nlp_toolkit/data/taxonomy.json`` so that wording, lexicons and
exemplars change without code changes. :func:`load_taxonomy` reads it once per path.

Example:
    >>> tax = load_taxonomy()
    >>> tax.ids[:3]
    ('data_flows', 'data_localization', 'personal_data')
    >>> tax.topic("source_code").label
    'Source code and keys'
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from nlp_toolkit.errors import ToolkitError

__all__ = ["ContextRule", "Taxonomy", "Topic", "load_taxonomy", "loads_taxonomy"]

Lexicon = dict[str, tuple[str, ...]]  # language -> phrases


@dataclass(frozen=True, slots=True)
class ContextRule:
    """A term that counts only when a ``near`` phrase occurs within ``window`` characters."""

    terms: Lexicon
    near: Lexicon
    window: int = 120
    weight: float = 0.5


@dataclass(frozen=True, slots=True)
class Topic:
    """One taxonomy topic with its lexicons and exemplar sentences."""

    id: str
    label: str
    description: str
    terms: Lexicon
    weak_terms: Lexicon
    exclude: Lexicon
    context: tuple[ContextRule, ...]
    exemplars: Lexicon
    #: The closest items in public codings (``spec/taxonomy.md``), e.g. ``"TAPED ...; RDTII
    #: 6.1, 6.4; DEAL data issues"``.
    crosswalk: str = ""

    @property
    def rdtii(self) -> tuple[str, ...]:
        """The RDTII 2.1 indicators of the crosswalk (``("6.1", "6.4")``), in its order.

        >>> load_taxonomy().topic("data_flows").rdtii
        ('6.1', '6.4')
        """
        for part in self.crosswalk.split(";"):
            part = part.strip()
            if part.startswith("RDTII "):
                return tuple(x.strip() for x in part[len("RDTII "):].split(",") if x.strip())
        return ()


@dataclass(frozen=True, slots=True, eq=False)  # hashed by identity, so caches can key on it
class Taxonomy:
    """The topics in taxonomy order, plus bindingness and direction cue lexicons."""

    version: str
    topics: tuple[Topic, ...]
    bindingness_cues: dict[str, Lexicon]
    direction_cues: dict[str, Lexicon]
    bindingness_order: dict[str, tuple[str, ...]]
    heading_cues: dict[str, Lexicon]
    #: Cues of national-law constructions (offence, power, registration, exemption,
    #: definition, amending), per kind and language; see ``nlp_toolkit.score.features``.
    construction_cues: dict[str, Lexicon] = field(default_factory=dict)
    #: sha256 (12 hex) of the taxonomy's content: its terms and cues shape every score, so
    #: a scorer's id carries it and a changed taxonomy re-scores.
    digest: str = ""

    @property
    def ids(self) -> tuple[str, ...]:
        """Topic ids in taxonomy order."""
        return tuple(t.id for t in self.topics)

    def topic(self, topic_id: str) -> Topic:
        """The topic with this id.

        Raises:
            KeyError: with the known ids, if there is none.
        """
        for t in self.topics:
            if t.id == topic_id:
                return t
        raise KeyError(f"unknown topic {topic_id!r}; known: {', '.join(self.ids)}")


def _lex(obj: Any) -> Lexicon:
    if not isinstance(obj, dict):
        return {}
    return {str(lang): tuple(str(x) for x in items) for lang, items in obj.items()}


def loads_taxonomy(data: dict[str, Any]) -> Taxonomy:
    """Build a :class:`Taxonomy` from its parsed JSON (pure).

    Raises:
        ToolkitError: if a topic lacks an id or an id repeats.
    """
    topics: list[Topic] = []
    seen: set[str] = set()
    for raw in data.get("topics", []):
        tid = str(raw.get("id", "")).strip()
        if not tid or tid in seen:
            raise ToolkitError(f"taxonomy topic id {tid!r} is missing or repeated; fix the JSON")
        seen.add(tid)
        rules = tuple(
            ContextRule(
                terms=_lex(r.get("terms")),
                near=_lex(r.get("near")),
                window=int(r.get("window", 120)),
                weight=float(r.get("weight", 0.5)),
            )
            for r in raw.get("context", [])
        )
        topics.append(
            Topic(
                id=tid,
                label=str(raw.get("label", tid)),
                description=str(raw.get("description", "")),
                terms=_lex(raw.get("terms")),
                weak_terms=_lex(raw.get("weak_terms")),
                exclude=_lex(raw.get("exclude")),
                context=rules,
                exemplars=_lex(raw.get("exemplars")),
                crosswalk=str(raw.get("crosswalk", "")),
            )
        )
    bind = data.get("bindingness", {}).get("cues", {})
    direc = data.get("direction", {}).get("cues", {})
    return Taxonomy(
        version=str(data.get("version", "1")),
        topics=tuple(topics),
        bindingness_cues={k: _lex(v) for k, v in bind.items()},
        direction_cues={k: _lex(v) for k, v in direc.items()},
        bindingness_order=_lex(data.get("bindingness", {}).get("order")),
        heading_cues={k: _lex(v) for k, v in data.get("headings", {}).items()},
        construction_cues={k: _lex(v) for k, v in data.get("constructions", {}).items()},
        digest=hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False)
                              .encode("utf-8")).hexdigest()[:12],
    )


@lru_cache(maxsize=8)
def load_taxonomy(path: str | None = None) -> Taxonomy:
    """Read the taxonomy JSON (the packaged one by default).

    Raises:
        ToolkitError: if the file is missing or not valid JSON.
    """
    try:
        if path is None:
            text = resources.files("nlp_toolkit").joinpath("data/taxonomy.json").read_text("utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, json.JSONDecodeError) as exc:
        where = path or "nlp_toolkit/data/taxonomy.json"
        raise ToolkitError(
            f"cannot read taxonomy {where}: {exc}; reinstall or fix the file"
        ) from exc
    return loads_taxonomy(data)
