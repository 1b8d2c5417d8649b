"""Development labels: read ``provision_labels.csv`` and join each row to its provision text.

The label file names a provision by ``doc_id`` and ``unit`` (the article or section number as
the segmenter writes it). Joining is pure (:func:`join_label_texts`); reading the corpus is
the caller's edge (:func:`read_label_texts`), because PDF extraction is slow and callers cache.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.records import Provision

__all__ = [
    "LabelRow",
    "LabelledText",
    "file_sha256",
    "join_label_texts",
    "read_label_rows",
    "read_label_texts",
    "read_labelled_jsonl",
    "write_labelled_jsonl",
]

_TOP_LEVELS = ("article", "section")
_REQUIRED = ("doc_id", "unit", "topics", "bindingness", "direction")


@dataclass(frozen=True, slots=True)
class LabelRow:
    """One row of the label file."""

    doc_id: str
    unit: str
    heading: str
    topics: tuple[str, ...]
    bindingness: str
    direction: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class LabelledText:
    """A label row joined to its provision text and the document language."""

    doc_id: str
    unit: str
    text: str
    language: str
    topics: tuple[str, ...]
    bindingness: str
    direction: str
    heading: str = ""  # the provision's stored heading (the embed stage embeds it with the text)


def read_label_rows(path: str | Path) -> list[LabelRow]:
    """Read ``provision_labels.csv``.

    Raises:
        ToolkitError: if the file is missing or lacks a required column.
    """
    p = Path(path)
    if not p.is_file():
        raise ToolkitError(f"label file {p} not found: pass the path of provision_labels.csv")
    with p.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise ToolkitError(f"{p}: missing column(s) {', '.join(missing)}; expected {_REQUIRED}")
        return [
            LabelRow(
                doc_id=r["doc_id"].strip(),
                unit=r["unit"].strip(),
                heading=(r.get("heading") or "").strip(),
                topics=tuple(t for t in (r["topics"] or "").split(";") if t.strip()),
                bindingness=r["bindingness"].strip(),
                direction=r["direction"].strip(),
                note=(r.get("note") or "").strip(),
            )
            for r in reader
        ]


def join_label_texts(
    rows: Iterable[LabelRow],
    provisions: Mapping[str, Sequence[Provision]],
    languages: Mapping[str, str],
) -> tuple[list[LabelledText], list[LabelRow]]:
    """Match each row's ``unit`` to a top-level provision ``number`` of its document.

    Args:
        rows: label rows.
        provisions: ``doc_id -> provisions`` from the segmenter.
        languages: ``doc_id -> language`` (``en``, ``zh``...).

    Returns:
        ``(joined, unmatched)`` in the rows' order.
    """
    index: dict[tuple[str, str], Provision] = {}
    for doc_id, provs in provisions.items():
        for p in provs:
            if p.level in _TOP_LEVELS:
                index.setdefault((doc_id, p.number), p)
    joined: list[LabelledText] = []
    unmatched: list[LabelRow] = []
    for row in rows:
        prov = index.get((row.doc_id, row.unit))
        if prov is None:
            unmatched.append(row)
            continue
        joined.append(
            LabelledText(
                doc_id=row.doc_id,
                unit=row.unit,
                text=prov.text,
                language=languages.get(row.doc_id, "en"),
                topics=row.topics,
                bindingness=row.bindingness,
                direction=row.direction,
                heading=prov.heading or "",
            )
        )
    return joined, unmatched


def read_label_texts(
    labels_csv: str | Path,
    corpus_dir: str | Path,
    *,
    read: Callable[[str, Path, str], list[Provision]] | None = None,
) -> tuple[list[LabelledText], list[LabelRow]]:
    """Read the labels, read and segment each labelled document, and join them.

    Args:
        labels_csv: ``provision_labels.csv``.
        corpus_dir: the corpus folder holding ``manifest.csv``.
        read: ``(doc_id, path, format) -> provisions``; by default
            :func:`nlp_toolkit.extract.read_document` then :func:`nlp_toolkit.segment.segment`.

    Returns:
        ``(joined, unmatched)`` as :func:`join_label_texts`.
    """
    from nlp_toolkit.sources.manifest import read_manifest

    rows = read_label_rows(labels_csv)
    manifest = read_manifest(Path(corpus_dir) / "manifest.csv")
    languages = {m.doc_id: m.language or "en" for m in manifest.rows}
    paths = {m.doc_id: (m.file, m.fmt) for m in manifest.rows}

    def default_read(doc_id: str, path: Path, fmt: str) -> list[Provision]:
        from nlp_toolkit.extract import read_document
        from nlp_toolkit.segment import segment

        doc = read_document(path, fmt or None)  # type: ignore[arg-type]
        return segment(doc_id, doc, language=languages.get(doc_id, "en"))

    reader = read or default_read
    provisions: dict[str, list[Provision]] = {}
    for doc_id in dict.fromkeys(r.doc_id for r in rows):
        if doc_id in paths:
            path, fmt = paths[doc_id]
            provisions[doc_id] = reader(doc_id, path, fmt)
    return join_label_texts(rows, provisions, languages)


def write_labelled_jsonl(items: Iterable[LabelledText], path: str | Path) -> None:
    """Write joined label texts, one JSON object a line (a cache for slow PDF reads)."""
    with Path(path).open("w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(asdict(item), ensure_ascii=False) + "\n")


def read_labelled_jsonl(path: str | Path) -> list[LabelledText]:
    """Read what :func:`write_labelled_jsonl` wrote."""
    out: list[LabelledText] = []
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                d = json.loads(line)
                d["topics"] = tuple(d["topics"])
                out.append(LabelledText(**d))
    return out


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes (the training-data hash on the model card)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
