"""Amendment notes of consolidated statutes: annotations of a provision, not its text.

Singapore Statutes Online prints after an amended provision the act that amended it and
when: ``[Act 19 of 2024 wef 31/10/2025]``, ``[5/2021]``, ``[ Deleted by Act 19 of 2024 wef
31/10/2025 ]``. Left in the body they would be read, searched and scored as words of the
law. ``split_amendment_notes`` takes them out of the lines and keeps them in the
document's metadata under ``amendment_notes``: a JSON object from the heading of the unit
they were printed in (the last Markdown heading above them, e.g. ``"Section 2.
Interpretation"``) to the list of its notes, in order. ``amendment_notes`` reads it back.

Range notes that the segmenter needs stay: ``[Repealed]``, ``[Repealed by Act 40 of
2020]`` head a repealed range (``27. to 32. [Repealed]``).

>>> from nlp_toolkit.records import Line
>>> doc = ExtractedDocument(lines=(Line("Section 3. Scope", heading_level=3),
...     Line("3. This Act binds the Government. [Act 9 of 2024 wef 1/2/2025] (2) It applies."),),
...     page_count=1)
>>> out = split_amendment_notes(doc)
>>> out.lines[1].text
'3. This Act binds the Government. (2) It applies.'
>>> amendment_notes(out.metadata)
{'Section 3. Scope': ['Act 9 of 2024 wef 1/2/2025']}
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

from nlp_toolkit.records import ExtractedDocument

__all__ = ["NOTES_KEY", "amendment_notes", "split_amendment_notes"]

#: The metadata key that holds the notes (a JSON object: unit heading -> notes).
NOTES_KEY = "amendment_notes"
_NOTE_RE = re.compile(
    r"\s*\[\s*((?:Deleted by\s+)?Act\s+\d{1,3}\s+of\s+\d{4}(?:\s+wef\s+\d{1,2}/\d{1,2}/\d{4})?"
    r"|\d{1,3}/\d{4}(?:\s*[;,]\s*\d{1,3}/\d{4}){0,20})\s*\]"
)


def split_amendment_notes(doc: ExtractedDocument) -> ExtractedDocument:
    """Move amendment notes from the lines into ``metadata["amendment_notes"]``.

    A document without notes is returned unchanged (the same object).
    """
    notes: dict[str, list[str]] = {}
    lines = []
    unit = ""
    changed = False
    for line in doc.lines:
        if line.heading_level:
            unit = line.text
        found = [" ".join(m.group(1).split()) for m in _NOTE_RE.finditer(line.text)]
        if not found:
            lines.append(line)
            continue
        changed = True
        notes.setdefault(unit, []).extend(found)
        text = " ".join(_NOTE_RE.sub(" ", line.text).split())
        if text:
            lines.append(replace(line, text=text))
    if not changed:
        return doc
    metadata = dict(doc.metadata)
    metadata[NOTES_KEY] = json.dumps(notes, ensure_ascii=False)
    return replace(doc, lines=tuple(lines), metadata=metadata)


def amendment_notes(metadata: dict[str, str]) -> dict[str, list[str]]:
    """The notes stored by ``split_amendment_notes`` (empty when there are none)."""
    raw = metadata.get(NOTES_KEY)
    if not raw:
        return {}
    data = json.loads(raw)
    return {str(k): [str(n) for n in v] for k, v in data.items()}
