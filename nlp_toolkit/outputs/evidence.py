"""The evidence export: one row per link or per topic finding, in the form analysts hand in.

Each row names the economy, the law (title, number, when it was last amended), the topic and
its RDTII indicators (through the taxonomy's crosswalk), the article or section, a verbatim
snippet with its character offsets into the provision's text (``text[char_start:char_end] ==
snippet``, always), the rationale, the source URL, a confidence and notes.

- A *topic finding* is a scored national provision asserting a topic: its snippet is the
  scorer's evidence span for that topic, else the provision's first sentence.
- A *link* is a ``links`` record: its snippet is the sentence of the national provision
  around the first shared key term, and its rationale names the commitment and the terms.

>>> law_number("Personal Data Protection Act 2010 (Act 709), reprint")
'Act 709'
>>> law_number("Undang-Undang No. 11 Tahun 2008 tentang Informasi")
'No. 11 Tahun 2008'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from nlp_toolkit.analysis.links import link_records, sentence_around
from nlp_toolkit.analysis.parties import NationalDoc, national_docs
from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.store import Store

__all__ = ["EVIDENCE_FIELDS", "evidence_rows", "last_amended", "law_number", "link_rows",
           "topic_rows", "write_evidence"]

EVIDENCE_FIELDS = ("kind", "economy", "law_name", "law_number", "doc_id", "last_amended",
                   "topic", "rdtii_indicator", "article", "ref", "snippet", "char_start",
                   "char_end", "rationale", "source_url", "confidence", "relation",
                   "commitment", "notes")
_NUMBER = re.compile(r"\((Act [A-Z]?\d+[A-Za-z]*)\)|\b(No\.\s*\d+\s+Tahun\s+\d{4})|"
                     r"\b(Republic Act No\.\s*\d+)|\b(Act No\.\s*\d+(?: of \d{4})?)")
_DATE = re.compile(r"\d{4}")


def law_number(title: str) -> str:
    """The law's own number as its title gives it (``Act 709``, ``No. 11 Tahun 2008``), or
    empty (pure)."""
    m = _NUMBER.search(title)
    return next((g for g in m.groups() if g), "") if m else ""


def last_amended(doc: NationalDoc, versions: Iterable[NationalDoc],
                 metadata: Mapping[str, Any]) -> str:
    """The latest year among the work's versions and the document's own amendment dates
    (ToTA/LawRefBook ``extracted.dates``, ``;``-separated), as ``YYYY`` or ``YYYY-MM-DD``
    (pure)."""
    years = [str(v.year) for v in versions if v.work == doc.work and v.year]
    extracted = metadata.get("extracted")
    dates = str(extracted.get("dates") or "") if isinstance(extracted, Mapping) else ""
    found = [d.strip() for d in dates.split(";") if _DATE.match(d.strip())]
    return max([*years, *found], key=lambda d: (d[:4], len(d)), default="")


def _metadata(store: Store, doc_id: str) -> dict[str, Any]:
    row = store.conn.execute("SELECT metadata FROM documents WHERE doc_id = ?",
                             (doc_id,)).fetchone()
    try:
        meta = json.loads(row[0]) if row and row[0] else {}
    except ValueError:
        meta = {}
    return meta if isinstance(meta, dict) else {}


class _Docs:
    def __init__(self, store: Store) -> None:
        from nlp_toolkit.topics import load_taxonomy

        self.store = store
        self.docs = national_docs(store)
        self.taxonomy = load_taxonomy()
        self._texts: dict[str, str] = {}
        self._meta: dict[str, dict[str, Any]] = {}

    def text(self, ref: str) -> tuple[str, str, str]:
        """``(doc_id, number, text)`` of a provision."""
        row = self.store.conn.execute(
            "SELECT doc_id, number, char_start, char_end FROM provisions WHERE ref = ?",
            (ref,)).fetchone()
        if row is None:
            raise ToolkitError(f"no provision {ref!r} in the index")
        doc_id = str(row[0])
        if doc_id not in self._texts:
            self._texts[doc_id] = self.store.clean_text(doc_id) or ""
        return doc_id, str(row[1]), self._texts[doc_id][int(row[2]):int(row[3])]

    def base(self, doc_id: str) -> dict[str, Any]:
        doc = self.docs.get(doc_id)
        if doc_id not in self._meta:
            self._meta[doc_id] = _metadata(self.store, doc_id)
        if doc is None:
            return {"doc_id": doc_id, "economy": "", "law_name": "", "law_number": "",
                    "last_amended": "", "source_url": ""}
        return {"doc_id": doc_id, "economy": doc.jurisdiction, "law_name": doc.title,
                "law_number": law_number(doc.title),
                "last_amended": last_amended(doc, self.docs.values(), self._meta[doc_id]),
                "source_url": doc.source_url}

    def rdtii(self, topic: str) -> str:
        try:
            return ", ".join(self.taxonomy.topic(topic).rdtii)
        except KeyError:
            return ""


def _first_sentence(text: str) -> tuple[int, int]:
    start = len(text) - len(text.lstrip())
    return sentence_around(text, start, start)


def topic_rows(store: Store, *, jurisdiction: str | None = None, topic: str | None = None,
               docs: _Docs | None = None) -> Iterator[dict[str, Any]]:
    """One row per (national provision, asserted topic) of the latest scores."""
    from nlp_toolkit.store.scores import score_models

    d = docs or _Docs(store)
    models = score_models(store)
    if not models:
        raise ToolkitError("topic findings need scores: run `nlp-toolkit score` first")
    wanted = [doc_id for doc_id, nd in d.docs.items()
              if jurisdiction is None or jurisdiction in nd.jurisdiction.split(";")]
    for doc_id in wanted:
        for ref, labels, topics, evidence, direc, bind in store.conn.execute(
                "SELECT p.ref, s.labels, s.topics, s.evidence, s.direction, s.bindingness "
                "FROM provision_scores s JOIN provisions p ON p.id = s.provision_id "
                "WHERE s.model_id = ? AND p.doc_id = ? ORDER BY p.ordinal",
                (models[0], doc_id)):
            probs = json.loads(topics)
            spans = json.loads(evidence)
            _, number, text = d.text(str(ref))
            for t in json.loads(labels):
                if topic is not None and t != topic:
                    continue
                span = next(((int(e["char_start"]), int(e["char_end"])) for e in spans
                             if e.get("topic") == t and text[int(e["char_start"]):
                                                              int(e["char_end"])] == e["text"]),
                            None)
                notes = ""
                if span is None:
                    span = _first_sentence(text)
                    notes = "no evidence span for this topic: the snippet is the first sentence"
                else:
                    span = sentence_around(text, *span)
                s, e = span
                yield {"kind": "topic", **d.base(doc_id), "topic": t,
                       "rdtii_indicator": d.rdtii(t), "article": number, "ref": str(ref),
                       "snippet": text[s:e], "char_start": s, "char_end": e,
                       "rationale": f"scored {t} ({float(probs.get(t, 0.0)):.2f}); "
                                    f"{bind} bindingness, {direc} direction",
                       "confidence": round(float(probs.get(t, 0.0)), 4), "relation": "",
                       "commitment": "", "notes": notes}


def link_rows(store: Store, records: Iterable[Mapping[str, Any]], *,
              docs: _Docs | None = None) -> Iterator[dict[str, Any]]:
    """One row per ``links`` record (gaps included, with an empty snippet)."""
    d = docs or _Docs(store)
    for r in records:
        if r.get("gap"):
            yield {**{f: "" for f in EVIDENCE_FIELDS}, "kind": "gap",
                   "economy": r["jurisdiction"], "commitment": r.get("commitment", ""),
                   "char_start": None, "char_end": None, "confidence": None,
                   "notes": "no national provision found"}
            continue
        doc_id, number, text = d.text(str(r["ref"]))
        national = [e for e in r.get("evidence", []) if e.get("side") == "national"]
        commitment_terms = [e["term"] for e in r.get("evidence", [])
                            if e.get("side") == "commitment"]
        if national:
            s, e = sentence_around(text, int(national[0]["char_start"]),
                                   int(national[0]["char_end"]))
        else:
            s, e = _first_sentence(text)
        terms = ", ".join(f"'{x['text']}'" for x in national[:4])
        topics = list(r.get("topics") or [])
        rationale = (f"{r['relation']} {r['commitment']}: "
                     + (f"shared terms {terms} (treaty: {', '.join(commitment_terms[:4])}); "
                        if terms else "no shared key term; ")
                     + (f"topics {', '.join(topics)}; " if topics else "")
                     + f"{r.get('bindingness', '')} bindingness, {r.get('direction', '')} "
                       "direction")
        yield {"kind": "link", **d.base(doc_id), "topic": topics[0] if topics else "",
               "rdtii_indicator": d.rdtii(topics[0]) if topics else "", "article": number,
               "ref": str(r["ref"]), "snippet": text[s:e], "char_start": s, "char_end": e,
               "rationale": rationale, "confidence": r.get("score"),
               "relation": r.get("relation", ""), "commitment": r.get("commitment", ""),
               "notes": f"rank {r.get('rank')} in {r['jurisdiction']}"}


def evidence_rows(store: Store, *, treaty: str | None = None, chapter: str | None = None,
                  refs: Sequence[str] = (), k: int = 5, jurisdiction: str | None = None,
                  topic: str | None = None, findings: bool = True
                  ) -> Iterator[dict[str, Any]]:
    """The export's rows: links of the treaty's commitments (or of ``refs``), then the topic
    findings of national law (unless ``findings`` is False)."""
    from nlp_toolkit.analysis.links import commitments

    d = _Docs(store)
    wanted = list(refs) or (commitments(store, treaty, chapter=chapter) if treaty else [])
    if wanted:
        yield from link_rows(store, link_records(store, wanted, k=k,
                                                 jurisdiction=jurisdiction), docs=d)
    if findings:
        yield from topic_rows(store, jurisdiction=jurisdiction, topic=topic, docs=d)


def write_evidence(rows: Iterable[Mapping[str, Any]], path: str | Path) -> int:
    """Write evidence rows as CSV or Parquet (by the file's suffix); return how many.

    Raises:
        ToolkitError: another suffix, or a folder that does not exist.
    """
    import pandas as pd

    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise ToolkitError(f"the evidence export is CSV or Parquet: name the file *.csv or "
                           f"*.parquet, not {out.name!r}")
    if not out.parent.is_dir():
        raise ToolkitError(f"folder {out.parent} does not exist; create it or choose another "
                           "path")
    frame = pd.DataFrame([{f: r.get(f) for f in EVIDENCE_FIELDS} for r in rows],
                         columns=list(EVIDENCE_FIELDS))
    frame["char_start"] = frame["char_start"].astype("Int64")
    frame["char_end"] = frame["char_end"].astype("Int64")
    frame["confidence"] = pd.to_numeric(frame["confidence"], errors="coerce")
    if suffix == ".csv":
        frame.to_csv(out, index=False)
    else:
        frame.to_parquet(out, index=False)
    return len(frame)
