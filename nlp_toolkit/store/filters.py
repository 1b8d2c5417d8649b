"""One provision query: which provisions a command reads, compiled to SQL and to a mask.

Every filter of every command (``provisions``, ``export``, ``search``, ``similar``,
``compare``) is a :class:`ProvisionQuery`. The store compiles it to a SQL ``WHERE``
(:meth:`ProvisionQuery.where`), search applies it to a vector matrix
(:meth:`ProvisionQuery.mask`), and record streams test it row by row
(:meth:`ProvisionQuery.matches`), so the three cannot drift apart.

>>> ProvisionQuery(jurisdiction="SGP", level="article").where()
(['p.level = ?', "instr(';' || d.jurisdiction || ';', ?) > 0"], ['article', ';SGP;'])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from nlp_toolkit.store import Store
    from nlp_toolkit.store.vectors import VectorMatrix

__all__ = ["LATEST_SCORE_MODEL", "ProvisionQuery", "for_level", "topic_provision_ids"]

#: SQL: the scoring model written most recently. ``scored_at`` has one-second resolution:
#: the rowid (rows are re-inserted on every write) breaks ties in favour of the latest write.
LATEST_SCORE_MODEL = ("SELECT model_id FROM provision_scores GROUP BY model_id "
                      "ORDER BY max(scored_at) DESC, max(rowid) DESC LIMIT 1")


@dataclass(frozen=True, slots=True)
class ProvisionQuery:
    """Which provisions to read; None (or empty) means any.

    Attributes:
        jurisdiction: documents having this among their ``;``-separated jurisdictions.
        doc: this document only.
        language: the document's language code (``en``, ``zh``...).
        level: this level (or any of these levels), compared literally.
        main: only main units (the ``main`` column; the rule is
            :func:`nlp_toolkit.segment.units.main_units`).
        topic: provisions labelled with this topic **by the latest scoring model** (the one
            written most recently, :data:`LATEST_SCORE_MODEL`). One meaning for every
            command: an index may hold a retrained model beside the shipped one, and mixing
            an older model's labels into a filter would return units whose shown scores
            (the latest model's, in ``provisions`` and ``export``) do not carry the topic.
        exclude_jurisdictions: not documents having any of these.
        ids: only these provision ids.
        doc_types: documents of these ``doc_type`` values (``--doc-type`` groups them).
    """

    jurisdiction: str | None = None
    doc: str | None = None
    language: str | None = None
    level: str | Sequence[str] | None = None
    main: bool = False
    topic: str | None = None
    exclude_jurisdictions: frozenset[str] = frozenset()
    ids: Sequence[int] | None = None
    doc_types: frozenset[str] | None = None

    @property
    def needs_documents(self) -> bool:
        """Whether the SQL must join ``documents d`` (document-level conditions)."""
        return (self.jurisdiction is not None or self.language is not None
                or bool(self.exclude_jurisdictions) or self.doc_types is not None)

    def _levels(self) -> list[str] | None:
        if self.level is None:
            return None
        return [self.level] if isinstance(self.level, str) else list(self.level)

    def where(self, *, id_column: str = "p.id") -> tuple[list[str], list[Any]]:
        """SQL conditions over ``provisions p`` (and ``documents d``) with their parameters.

        ``id_column`` names the provision id (``provisions_fts.rowid`` for a full-text
        query that joins ``provisions`` only when it must).
        """
        where: list[str] = []
        params: list[Any] = []
        if self.doc is not None:
            where.append("p.doc_id = ?")
            params.append(self.doc)
        if self.language is not None:
            where.append("d.language = ?")
            params.append(self.language)
        levels = self._levels()
        if levels is not None:
            where.append("p.level = ?" if len(levels) == 1
                         else f"p.level IN ({', '.join('?' * len(levels))})")
            params.extend(levels)
        if self.main:
            where.append("p.main = 1")
        if self.jurisdiction is not None:
            where.append("instr(';' || d.jurisdiction || ';', ?) > 0")
            params.append(f";{self.jurisdiction};")
        for j in sorted(self.exclude_jurisdictions):
            where.append("instr(';' || d.jurisdiction || ';', ?) = 0")
            params.append(f";{j};")
        if self.doc_types is not None:
            types = sorted(self.doc_types)
            where.append(f"d.doc_type IN ({', '.join('?' * len(types)) or 'NULL'})")
            params.extend(types)
        if self.ids is not None:
            where.append(f"{id_column} IN ({', '.join(str(int(i)) for i in self.ids) or 'NULL'})")
        if self.topic is not None:
            where.append(f"{id_column} IN (SELECT provision_id FROM topic_scores WHERE "
                         f"topic = ? AND asserted = 1 AND model_id = ({LATEST_SCORE_MODEL}))")
            params.append(self.topic)
        return where, params

    def mask(self, vectors: VectorMatrix, *, topic_ids: Iterable[int] | None = None
             ) -> np.ndarray | None:
        """Boolean row filter over a vector matrix; None when nothing is filtered (pure).

        ``topic_ids`` are :func:`topic_provision_ids` of :attr:`topic` (the matrix does not
        hold labels); ``main`` is not tested here: matrices hold main units only.
        """
        m = np.ones(len(vectors), dtype=bool)
        used = False
        if self.doc is not None:
            m &= vectors.doc_ids == self.doc
            used = True
        if self.language is not None:
            m &= vectors.languages == self.language
            used = True
        levels = self._levels()
        if levels is not None:
            m &= np.isin(vectors.levels, levels)
            used = True
        if self.jurisdiction is not None or self.exclude_jurisdictions:
            keep = [self._jurisdiction_ok(js) for js in vectors.jurisdictions]
            m &= np.asarray(keep, dtype=bool)
            used = True
        if self.doc_types is not None and vectors.doc_types is not None:
            m &= np.isin(vectors.doc_types, sorted(self.doc_types))
            used = True
        for ids in (self.ids, topic_ids):
            if ids is not None:
                m &= np.isin(vectors.ids, np.asarray(list(ids), dtype=np.int64))
                used = True
        return m if used else None

    def _jurisdiction_ok(self, jurisdictions: frozenset[str]) -> bool:
        return ((self.jurisdiction is None or self.jurisdiction in jurisdictions)
                and not (jurisdictions & self.exclude_jurisdictions))

    def matches(self, record: Mapping[str, Any]) -> bool:
        """Whether a provision record passes the document- and unit-level conditions (pure).

        ``topic``, ``main`` and ``ids`` are not tested: a record does not carry them; read
        such records through :meth:`where`.
        """
        if self.doc is not None and record.get("doc_id") != self.doc:
            return False
        if self.language is not None and record.get("language") != self.language:
            return False
        levels = self._levels()
        if levels is not None and record.get("level") not in levels:
            return False
        js = frozenset(str(record.get("jurisdiction") or "").split(";"))
        return self._jurisdiction_ok(js)


def for_level(level: str | None) -> ProvisionQuery:
    """The query of a command's ``--level``: ``article`` (the main units), ``all``/None
    (every unit) or a level name (pure).

    >>> for_level("article").main, for_level("all").level, for_level("chapter").level
    (True, None, 'chapter')
    """
    if level in (None, "all"):
        return ProvisionQuery()
    if level == "article":
        return ProvisionQuery(main=True)
    return ProvisionQuery(level=level)


def topic_provision_ids(store: Store, topic: str) -> np.ndarray:
    """Ids of the provisions :attr:`ProvisionQuery.topic` selects (the latest scoring model's
    labels), for :meth:`ProvisionQuery.mask`."""
    rows = store.conn.execute(
        f"SELECT provision_id FROM topic_scores WHERE topic = ? AND asserted = 1 "
        f"AND model_id = ({LATEST_SCORE_MODEL})", (topic,)).fetchall()
    return np.array([r[0] for r in rows], dtype=np.int64)
