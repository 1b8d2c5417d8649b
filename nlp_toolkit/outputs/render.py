"""Write records as a table, JSON, JSON Lines or CSV (the CLI's ``--format``).

Records are plain mappings; everything streams, so a million provisions never sit in memory
(``json`` writes its array element by element).

>>> import io
>>> out = io.StringIO()
>>> write_records([{"ref": "x:1", "text": "A\\nB"}], "jsonl", out, fields=["ref", "text"])
1
>>> out.getvalue()
'{"ref": "x:1", "text": "A\\\\nB"}\\n'
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from itertools import islice
from typing import Any, Literal, TextIO

Format = Literal["table", "json", "jsonl", "csv"]
FORMATS: tuple[str, ...] = ("table", "json", "jsonl", "csv")

_TABLE_SAMPLE = 200  # rows looked at to size the table's columns


def write_records(records: Iterable[Mapping[str, Any]], fmt: Format, out: TextIO, *,
                  fields: Sequence[str], table_fields: Sequence[str] | None = None,
                  width: int = 120) -> int:
    """Write records in a format; return how many were written.

    Args:
        records: Mappings holding at least ``fields``.
        fmt: ``table`` (aligned, cells cut to fit ``width``), ``json`` (one array),
            ``jsonl`` (one object per line) or ``csv`` (with a header).
        out: Where to write.
        fields: The keys written, in order (json, jsonl, csv).
        table_fields: The columns of the table (default: ``fields``).
        width: The table's total width in characters.
    """
    if fmt == "jsonl":
        n = 0
        for rec in records:
            out.write(json.dumps({f: rec.get(f) for f in fields}, ensure_ascii=False) + "\n")
            n += 1
        return n
    if fmt == "json":
        n = 0
        out.write("[")
        for n, rec in enumerate(records, start=1):
            out.write(("\n" if n == 1 else ",\n")
                      + json.dumps({f: rec.get(f) for f in fields}, ensure_ascii=False))
        out.write("\n]\n" if n else "]\n")
        return n
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=list(fields), extrasaction="ignore",
                                lineterminator="\n")
        writer.writeheader()
        n = 0
        for rec in records:
            writer.writerow({f: _csv_value(rec.get(f)) for f in fields})
            n += 1
        return n
    if fmt == "table":
        return _write_table(records, out, list(table_fields or fields), width=width)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _csv_value(value: Any) -> Any:
    """A CSV cell: None empty, a list (e.g. a hit's ``expressions``) ``;``-joined."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return value


def cell(value: Any) -> str:
    """A value as one line of table text (pure)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={cell(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(cell(v) for v in value)
    return " ".join(str(value).split())


def _write_table(records: Iterable[Mapping[str, Any]], out: TextIO, fields: list[str], *,
                 width: int) -> int:
    it = iter(records)
    head = list(islice(it, _TABLE_SAMPLE))
    widths = [max([len(f)] + [len(cell(r.get(f))) for r in head]) for f in fields]
    # every column but the last keeps at most a third of the width; the last gets the rest
    cap = max(8, width // 3)
    widths[:-1] = [min(w, cap) for w in widths[:-1]]
    widths[-1] = max(len(fields[-1]), min(widths[-1], width - sum(widths[:-1]) - 2 * (
        len(fields) - 1)))

    def line(values: Sequence[str]) -> str:
        cells = [_fit(v, w) for v, w in zip(values, widths, strict=True)]
        return "  ".join(cells).rstrip() + "\n"

    out.write(line(fields))
    out.write(line(["-" * w for w in widths]))
    n = 0
    for rec in head:
        out.write(line([cell(rec.get(f)) for f in fields]))
        n += 1
    for rec in it:
        out.write(line([cell(rec.get(f)) for f in fields]))
        n += 1
    return n


def _fit(text: str, width: int) -> str:
    return text.ljust(width) if len(text) <= width else text[: max(0, width - 1)] + "…"


def write_mapping(data: Mapping[str, Any], fmt: Format, out: TextIO) -> None:
    """Write one mapping (e.g. statistics): ``key  value`` lines, or JSON."""
    if fmt in ("json", "jsonl"):
        out.write(json.dumps(data, ensure_ascii=False, indent=2 if fmt == "json" else None)
                  + "\n")
        return
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["key", "value"])
        for k, v in data.items():
            writer.writerow([k, json.dumps(v, ensure_ascii=False) if isinstance(
                v, Mapping | list) else v])
        return
    pad = max((len(k) for k in data), default=0)
    for k, v in data.items():
        out.write(f"{k.ljust(pad)}  {cell(v)}\n")
