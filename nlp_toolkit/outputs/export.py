"""Provisions with their scores, filtered, as records and as CSV, JSON Lines or Parquet files.

One selection serves ``Corpus.provisions`` (a DataFrame), ``nlp-toolkit provisions``
(records on stdout) and ``nlp-toolkit export`` / ``Corpus.export`` (files), so they agree.

>>> f = ProvisionFilter(topic="cross_border_data", bindingness="hard")
>>> matches({"labels": ["cross_border_data"], "topics": {"cross_border_data": 0.9},
...          "bindingness": "hard", "direction": "restrictive",
...          "jurisdiction": "MYS", "language": "en"}, f)
True
>>> matches({"labels": [], "topics": {"cross_border_data": 0.3}, "bindingness": "hard",
...          "direction": "neutral", "jurisdiction": "MYS", "language": "en"}, f)
False
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields, replace
from itertools import islice
from pathlib import Path
from typing import Any, Literal

from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.store import Store
from nlp_toolkit.store.filters import ProvisionQuery, for_level
from nlp_toolkit.store.rows import PROVISION_FIELDS

ExportFormat = Literal["csv", "jsonl", "parquet"]
EXPORT_FORMATS: tuple[str, ...] = ("csv", "jsonl", "parquet")
#: Provision fields every record has (``spec/cli.md``), before the score fields.
BASE_FIELDS = (*PROVISION_FIELDS, "jurisdiction", "language")
_JSON_FIELDS = ("topics", "labels", "evidence")  # JSON strings in CSV


@dataclass(frozen=True, slots=True)
class ProvisionFilter:
    """Which provisions to select; None means any.

    Attributes:
        jurisdiction: Documents having this among their ``;``-separated jurisdictions.
        doc: This document only.
        topic: Provisions the latest scoring model labels with this topic (the meaning of
            :attr:`~nlp_toolkit.store.filters.ProvisionQuery.topic`; or, with ``min_probability``,
            whose probability for it reaches that).
        min_probability: The least probability of ``topic`` (of any topic, without one).
        bindingness: ``hard``, ``soft`` or ``none``.
        direction: ``liberalizing``, ``restrictive`` or ``neutral``.
        language: The document's language code (``en``, ``zh``...).
        level: ``article`` (main units), a level name, or None/``all``.
        limit: At most this many (after filtering).
    """

    jurisdiction: str | None = None
    doc: str | None = None
    topic: str | None = None
    min_probability: float | None = None
    bindingness: str | None = None
    direction: str | None = None
    language: str | None = None
    level: str | None = None
    limit: int | None = None

    @property
    def needs_scores(self) -> bool:
        """Whether the filter reads score fields."""
        return any(v is not None for v in (self.topic, self.min_probability, self.bindingness,
                                             self.direction))

    def describe(self) -> str:
        """The filters set, as ``name=value`` pairs (for messages)."""
        return ", ".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self)
                         if getattr(self, f.name) is not None) or "none"


def matches(record: Mapping[str, Any], f: ProvisionFilter) -> bool:
    """Whether a (scored) provision record passes the filter's record-level tests (pure)."""
    if not ProvisionQuery(jurisdiction=f.jurisdiction, language=f.language).matches(record):
        return False
    if f.bindingness is not None and record.get("bindingness") != f.bindingness:
        return False
    if f.direction is not None and record.get("direction") != f.direction:
        return False
    topics = record.get("topics") or {}
    if f.topic is not None:
        if f.min_probability is None:
            return f.topic in (record.get("labels") or ())
        return float(topics.get(f.topic, 0.0)) >= f.min_probability
    if f.min_probability is not None:
        return any(float(p) >= f.min_probability for p in topics.values())
    return True


def _check(store: Store, f: ProvisionFilter, scored: bool) -> None:
    if f.doc is not None and store.document_sha(f.doc) is None:
        raise ToolkitError(f"no document {f.doc!r} in the index; `nlp-toolkit stats` (or "
                           "Corpus.documents()) lists what is there")
    if f.needs_scores and not scored:
        raise ToolkitError(f"the filters {f.describe()} need topic scores, and the index has "
                           "none: run `nlp-toolkit score` (or Corpus.score()) first")
    if f.topic is not None:
        from nlp_toolkit.topics import load_taxonomy

        ids = load_taxonomy().ids
        if f.topic not in ids:
            raise ToolkitError(f"unknown topic {f.topic!r}; known topics: {', '.join(ids)}")


def record_fields(store: Store) -> list[str]:
    """The fields of :func:`provision_records`: the score fields too once scored."""
    from nlp_toolkit.store.scores import SCORE_FIELDS, score_models

    return [*BASE_FIELDS, *(SCORE_FIELDS if score_models(store) else ())]


def provision_records(store: Store, f: ProvisionFilter | None = None) -> Iterator[dict[str, Any]]:
    """Stored provisions passing ``f``, in document order, with score fields once scored.

    Raises:
        ToolkitError: An unknown document or topic, or score filters on an unscored index.
    """
    from nlp_toolkit.build.score import with_scores
    from nlp_toolkit.store.scores import score_models

    f = f or ProvisionFilter()
    scored = bool(score_models(store))
    _check(store, f, scored)
    # the unit-level conditions in SQL, before the score look-ups
    query = replace(for_level(f.level), doc=f.doc, jurisdiction=f.jurisdiction,
                    language=f.language)
    records: Iterable[dict[str, Any]] = (p.to_dict() for p in store.provisions(query=query))
    if scored:
        records = with_scores(store, records)
    out = (r for r in records if matches(r, f))
    return islice(out, f.limit) if f.limit is not None else out


def csv_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record for CSV: topics, labels and evidence as JSON strings (pure)."""
    return {k: json.dumps(v, ensure_ascii=False) if k in _JSON_FIELDS and v is not None else v
            for k, v in record.items()}


def export_format(path: str | Path, fmt: str | None = None) -> ExportFormat:
    """The export format: ``fmt``, else the file's suffix (pure).

    Raises:
        ToolkitError: Neither names a known format.
    """
    name = (fmt or Path(path).suffix.lstrip(".")).lower()
    if name not in EXPORT_FORMATS:
        raise ToolkitError(f"cannot tell the export format of {str(path)!r}"
                           f"{f' from {fmt!r}' if fmt else ''}; give one of "
                           f"{', '.join(EXPORT_FORMATS)} (or a file ending in one)")
    return name  # type: ignore[return-value]


def write_export(records: Iterable[Mapping[str, Any]], path: str | Path, fmt: ExportFormat, *,
                 fields: list[str], topic_ids: Iterable[str] = ()) -> int:
    """Write records to a CSV, JSON Lines or Parquet file; return how many.

    Parquet gets flat columns: one ``topic.<id>`` probability column per topic, ``labels``
    a list of strings and ``evidence`` a list of structs.

    Raises:
        ToolkitError: An unknown format, or a folder that does not exist.
    """
    from nlp_toolkit.outputs.render import write_records

    out = Path(path)
    if not out.parent.is_dir():
        raise ToolkitError(f"folder {out.parent} does not exist; create it or choose another "
                           "--out")
    if fmt == "parquet":
        return _write_parquet(records, out, fields, list(topic_ids))
    if fmt not in ("csv", "jsonl"):
        raise ToolkitError(f"unknown export format {fmt!r}; use one of "
                           f"{', '.join(EXPORT_FORMATS)}")
    with out.open("w", encoding="utf-8", newline="") as fh:
        rows = (csv_record(r) for r in records) if fmt == "csv" else records
        return write_records(rows, fmt, fh, fields=fields)


def _write_parquet(records: Iterable[Mapping[str, Any]], out: Path, fields: list[str],
                   topic_ids: list[str]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    scored = "topics" in fields
    base = [f for f in fields if f != "topics"]
    columns: dict[str, list[Any]] = {f: [] for f in base}
    if scored:
        columns.update({f"topic.{t}": [] for t in topic_ids})
    n = 0
    for rec in records:
        n += 1
        for f in base:
            columns[f].append(rec.get(f))
        if scored:
            topics = rec.get("topics")
            for t in topic_ids:
                columns[f"topic.{t}"].append(None if topics is None else topics.get(t))
    types: dict[str, pa.DataType] = {
        "page_start": pa.int64(), "page_end": pa.int64(), "char_start": pa.int64(),
        "char_end": pa.int64(), "labels": pa.list_(pa.string()),
        "bindingness_score": pa.float64(),
        "evidence": pa.list_(pa.struct([("topic", pa.string()), ("text", pa.string()),
                                        ("char_start", pa.int64()), ("char_end", pa.int64()),
                                        ("source", pa.string()), ("weight", pa.float64())]))}
    arrays = {name: pa.array(values, type=types.get(
        name, pa.float64() if name.startswith("topic.") else pa.string()))
        for name, values in columns.items()}
    pq.write_table(pa.table(arrays), out)
    return n
