"""Amendment notes of consolidated statutes: annotations of a provision, not its text.

Singapore Statutes Online prints after an amended provision the act that amended it and
when: ``[Act 19 of 2024 wef 31/10/2025]``, ``[5/2021]``, ``[ Deleted by Act 19 of 2024 wef
31/10/2025 ]``. Left in the body they would be read, searched and scored as words of the
law. ``split_amendment_notes`` takes them out of the lines and keeps them in the
document's metadata under ``amendment_notes``: a JSON object from the heading of the unit
they were printed in (the last Markdown heading above them, e.g. ``"Section 2.
Interpretation"``) to the list of its notes, in order. ``amendment_notes`` reads it back.

Range notes that the segmenter needs stay: ``[Repealed]``, ``[Repealed by Act 40 of
2020]`` head a repealed range (``27. to 32. [Repealed]``). So does a note that deletes a
whole section: SSO prints ``11. [ Deleted by Act 19 of 2024 wef 31/10/2025 ]`` with no
heading, run on after the previous section's last words. It becomes a heading line of its
own, in the form of the unit heading above it (``### Section 11. [Deleted]``), and the note
an annotation of it: the section is a unit of the law, as a consolidated act's arrangement
lists it, and its number no longer ends the previous section's text.

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

from nlp_toolkit.records import ExtractedDocument, Line

__all__ = ["NOTES_KEY", "amendment_notes", "split_amendment_notes"]

#: The metadata key that holds the notes (a JSON object: unit heading -> notes).
NOTES_KEY = "amendment_notes"
_NOTE_RE = re.compile(
    r"\s*\[\s*((?:Deleted by\s+)?Act\s+\d{1,3}\s+of\s+\d{4}(?:\s+wef\s+\d{1,2}/\d{1,2}/\d{4})?"
    r"|\d{1,3}/\d{4}(?:\s*[;,]\s*\d{1,3}/\d{4}){0,20})\s*\]"
)
# a whole section deleted or repealed, at the start of a line or after the previous unit's
# text: its number, then only the note ("11. [ Deleted by Act
# 19 of 2024 wef 31/10/2025 ]"), or a range of them ("27. to 32. [Repealed ...]")
_GONE_SECTION_RE = re.compile(
    r"(?:^|(?<=\s))(\d{1,3}[A-Z]{0,3}(?:\.?\s*(?:to|[-\u2013\u2014])\s*\d{1,3}[A-Z]{0,3})?)\.\s*"
    r"\[\s*((?:Deleted|Repealed)\b[^\[\]]{0,80}?)\s*\]"
)
# ... unless a cross-reference ends there ("as defined in section 2. [Deleted ...]")
_REFERENCE_WORD = re.compile(r"\b(?:section|sections|s\.|ss\.|and|or|to)\s*$", re.IGNORECASE)
# a numbered unit heading: its word before the number ("Section 10. Title" -> "Section ")
_UNIT_HEADING_RE = re.compile(r"([A-Za-z]{1,12}\s+)?(\d{1,3}[A-Z]{0,3})\.\s")


def _gone_sections(text: str) -> list[str]:
    """``text`` cut before each deleted or repealed section's number: the previous unit's
    text, then one piece per such section holding only its number and note (pure).

    >>> _gone_sections("... or to both. 11. [ Deleted by Act 19 of 2024 wef 31/10/2025 ]")
    ['... or to both.', '11. [Deleted by Act 19 of 2024 wef 31/10/2025]']
    >>> _gone_sections("... this Act. 27. to 32. [Repealed by Act 40 of 2020 wef 1/2/2021]")
    ['... this Act.', '27. to 32. [Repealed by Act 40 of 2020 wef 1/2/2021]']
    >>> _gone_sections("as defined in section 2. [Deleted by Act 3 of 2021]")
    ['as defined in section 2. [Deleted by Act 3 of 2021]']
    """
    pieces: list[str] = []
    start = 0
    for m in _GONE_SECTION_RE.finditer(text):
        if _REFERENCE_WORD.search(text[:m.start()]):
            continue
        before = text[start:m.start()].strip()
        if before:
            pieces.append(before)
        pieces.append(f"{m.group(1)}. [{' '.join(m.group(2).split())}]")
        start = m.end()
    rest = text[start:].strip()
    if rest or not pieces:
        pieces.append(rest if pieces else text)
    return pieces


def split_amendment_notes(doc: ExtractedDocument) -> ExtractedDocument:
    """Move amendment notes from the lines into ``metadata["amendment_notes"]``.

    A document without notes is returned unchanged (the same object).
    """
    notes: dict[str, list[str]] = {}
    lines = []
    unit = ""
    unit_head: Line | None = None  # the last numbered unit heading, the form to follow
    word = number = ""
    changed = False
    for line in doc.lines:
        if line.heading_level:
            unit = line.text
            pieces = [line.text]
            if (m := _UNIT_HEADING_RE.match(line.text)) is not None:
                unit_head, word, number = line, m.group(1) or "", m.group(2)
        else:
            pieces = _gone_sections(line.text)
        for piece in pieces:
            gone = _GONE_SECTION_RE.fullmatch(piece)
            if gone is not None and gone.group(1) != number:  # not the heading's own body
                changed = True
                note = gone.group(2)
                head = f"{gone.group(1)}. [{note.split()[0]}]"  # "11. [Deleted]"
                head_line = (replace(line, text=head) if unit_head is None
                             else replace(unit_head, text=word + head))
                lines.append(head_line)
                unit = head_line.text
                if len(note.split()) > 1:  # "Deleted by Act 19 of 2024 wef 31/10/2025"
                    notes.setdefault(unit, []).append(note)
                continue
            found = [" ".join(m.group(1).split()) for m in _NOTE_RE.finditer(piece)]
            if not found:
                changed = changed or len(pieces) > 1
                lines.append(line if len(pieces) == 1 else replace(line, text=piece))
                continue
            changed = True
            notes.setdefault(unit, []).extend(found)
            text = " ".join(_NOTE_RE.sub(" ", piece).split())
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
