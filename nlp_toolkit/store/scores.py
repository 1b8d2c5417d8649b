"""Provision scores in the index: topics, labels, bindingness, direction and evidence.

All score SQL lives here. ``provision_scores`` holds one row per scored main unit and
scoring model (topics and evidence as JSON; ``labels`` a JSON list, the shape
:mod:`nlp_toolkit.analysis.compare` reads);
``topic_scores`` is the same topics in long form (one row
per provision, model and topic) for the jurisdiction × topic matrix; the view
``provision_topics`` lists asserted topics (the ``--topic`` filter of search); it is
created with the first scores written.
Scores go with their provision (``ON DELETE CASCADE``): a re-ingested document is scored
again.

>>> from nlp_toolkit.store import Store
>>> with Store.open(":memory:") as store:
...     score_models(store)
[]
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from nlp_toolkit.records import ProvisionScore
from nlp_toolkit.store import Store

__all__ = [
    "SCORE_FIELDS",
    "TopicCell",
    "forget_scores",
    "main_unit_ids",
    "score_models",
    "score_record",
    "scored_count",
    "scores_for_refs",
    "topic_rows",
    "unscored_documents",
    "write_scores",
]

#: The score fields a provision record carries once scored (``spec/cli.md``).
SCORE_FIELDS = ("topics", "labels", "bindingness", "bindingness_score", "direction", "evidence")

# the main units the score stage scores: articles, and sections that hold no articles or
# sections (a Chinese 第一节 or a statute's Division groups them; it is not a unit itself)
_MAIN = "p.main = 1"  # the rule: nlp_toolkit.segment.units.main_units


# asserted topics (search's --topic filter); created with the first scores, so that its
# presence tells readers the index has been scored
_TOPICS_VIEW = ("CREATE VIEW IF NOT EXISTS provision_topics AS SELECT DISTINCT provision_id, "
                "topic FROM topic_scores WHERE asserted = 1")


@dataclass(frozen=True, slots=True)
class TopicCell:
    """One (provision, topic) probability with where the provision sits."""

    doc_id: str
    jurisdiction: str
    ref: str
    ordinal: int
    topic: str
    probability: float
    asserted: bool


def score_record(score: ProvisionScore) -> dict[str, Any]:
    """The score fields of a provision record, JSON-able (pure)."""
    return {
        "topics": dict(score.topics),
        "labels": list(score.labels),
        "bindingness": score.bindingness,
        "bindingness_score": score.bindingness_score,
        "direction": score.direction,
        "evidence": [asdict(e) for e in score.evidence],
    }


def unscored_documents(store: Store, model_id: str,
                       doc_ids: Sequence[str] | None = None) -> list[str]:
    """Documents with at least one main unit that has no score of ``model_id``, by doc_id."""
    sql = ("SELECT DISTINCT p.doc_id FROM provisions p WHERE " + _MAIN + " AND NOT EXISTS "
           "(SELECT 1 FROM provision_scores s WHERE s.provision_id = p.id AND s.model_id = ?)")
    params: list[Any] = [model_id]
    if doc_ids is not None:
        sql += f" AND p.doc_id IN ({', '.join('?' * len(doc_ids)) or 'NULL'})"
        params.extend(doc_ids)
    return sorted(str(r[0]) for r in store.conn.execute(sql, params))


def main_unit_ids(store: Store, doc_id: str) -> dict[str, int]:
    """``ref -> provision id`` of a document's main units (articles, statute sections)."""
    return {str(r): int(i) for r, i in store.conn.execute(
        "SELECT p.ref, p.id FROM provisions p WHERE p.doc_id = ? AND " + _MAIN
        + " ORDER BY p.ordinal", (doc_id,))}


def forget_scores(store: Store, ids: Sequence[int]) -> int:
    """Delete every model's scores of these provisions (their vectors changed, so the next
    ``score`` scores them again); return how many score rows went."""
    n = 0
    for start in range(0, len(ids), 500):
        part = [int(i) for i in ids[start:start + 500]]
        marks = ", ".join("?" * len(part))
        n += store.conn.execute(f"DELETE FROM provision_scores WHERE provision_id IN ({marks})",
                                part).rowcount
        store.conn.execute(f"DELETE FROM topic_scores WHERE provision_id IN ({marks})", part)
    return n


def write_scores(store: Store, model_id: str,
                 scored: Iterable[tuple[int, str, ProvisionScore]]) -> int:
    """Replace the scores of ``model_id`` for these provisions, in one transaction.

    Args:
        store: the index.
        model_id: the scoring model's id.
        scored: ``(provision_id, text_sha256, score)`` triples.

    Returns:
        Rows written.
    """
    now = datetime.now(UTC).isoformat(timespec="seconds")
    conn = store.conn
    n = 0
    with store.transaction():
        conn.execute(_TOPICS_VIEW)
        for pid, sha, s in scored:
            rec = score_record(s)
            conn.execute("DELETE FROM provision_scores WHERE provision_id = ? AND model_id = ?",
                         (pid, model_id))
            conn.execute("DELETE FROM topic_scores WHERE provision_id = ? AND model_id = ?",
                         (pid, model_id))
            conn.execute(
                "INSERT INTO provision_scores (provision_id, model_id, topics, labels, "
                "bindingness, bindingness_score, direction, evidence, text_sha256, scored_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (pid, model_id, json.dumps(rec["topics"]),
                 json.dumps(rec["labels"]), s.bindingness, float(s.bindingness_score),
                 s.direction, json.dumps(rec["evidence"], ensure_ascii=False), sha, now))
            conn.executemany(
                "INSERT INTO topic_scores (provision_id, model_id, topic, probability, asserted)"
                " VALUES (?, ?, ?, ?, ?)",
                [(pid, model_id, t, float(p), int(t in s.labels)) for t, p in s.topics.items()])
            n += 1
    return n


def score_models(store: Store) -> list[str]:
    """Scoring model ids in the index, most recently used first."""
    return [str(r[0]) for r in store.conn.execute(
        "SELECT model_id FROM provision_scores GROUP BY model_id "
        # scored_at has one-second resolution: the rowid (rows are re-inserted on every
        # write) breaks ties in favour of the latest write
        "ORDER BY max(scored_at) DESC, max(rowid) DESC")]


def scored_count(store: Store, model_id: str) -> int:
    """Provisions scored by ``model_id``."""
    return int(store.conn.execute("SELECT count(*) FROM provision_scores WHERE model_id = ?",
                                  (model_id,)).fetchone()[0])


def scores_for_refs(store: Store, refs: Sequence[str],
                    model_id: str | None = None) -> dict[str, dict[str, Any]]:
    """``ref -> score fields`` (:data:`SCORE_FIELDS`) of the scored ones among ``refs``.

    ``model_id`` defaults to the most recently used scoring model.
    """
    if model_id is None:
        models = score_models(store)
        if not models:
            return {}
        model_id = models[0]
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(refs), 500):
        part = list(refs[i:i + 500])
        sql = ("SELECT p.ref, s.topics, s.labels, s.bindingness, s.bindingness_score, "
               "s.direction, s.evidence FROM provision_scores s JOIN provisions p "
               f"ON p.id = s.provision_id WHERE s.model_id = ? AND p.ref IN "
               f"({', '.join('?' * len(part))})")
        for ref, topics, labels, bind, bscore, direc, evid in store.conn.execute(
                sql, [model_id, *part]):
            out[str(ref)] = {"topics": json.loads(topics), "labels": json.loads(labels),
                             "bindingness": bind, "bindingness_score": bscore,
                             "direction": direc, "evidence": json.loads(evid)}
    return out


def topic_rows(store: Store, model_id: str, *, jurisdictions: Sequence[str] | None = None,
               doc_ids: Sequence[str] | None = None) -> list[TopicCell]:
    """Every (provision, topic) score of ``model_id``, in document order.

    ``jurisdictions`` keeps documents having any of them among their ``;``-separated
    jurisdictions; ``doc_ids`` keeps these documents.
    """
    where = ["t.model_id = ?"]
    params: list[Any] = [model_id]
    if jurisdictions:
        where.append("(" + " OR ".join(["instr(';' || d.jurisdiction || ';', ?) > 0"]
                                      * len(jurisdictions)) + ")")
        params.extend(f";{j};" for j in jurisdictions)
    if doc_ids:
        where.append(f"p.doc_id IN ({', '.join('?' * len(doc_ids))})")
        params.extend(doc_ids)
    sql = ("SELECT p.doc_id, d.jurisdiction, p.ref, p.ordinal, t.topic, t.probability, "
           "t.asserted FROM topic_scores t JOIN provisions p ON p.id = t.provision_id "
           "JOIN documents d ON d.doc_id = p.doc_id WHERE " + " AND ".join(where)
           + " ORDER BY p.doc_id, p.ordinal")
    return [TopicCell(str(a), str(b), str(c), int(o), str(t), float(pr), bool(s))
            for a, b, c, o, t, pr, s in store.conn.execute(sql, params)]
