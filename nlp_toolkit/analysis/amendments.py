"""What an amending act does to its principal act, read from its sections (pure).

Common-law amending acts (Malaysia, Singapore, and others drafted the same way) say it in a
few fixed phrases, which are all this module reads:

- "Section 129 of the principal Act is amended—" / "The principal Act is amended in
  section 4—" / "Subsection 16(3) ..." / "Paragraph 48(e) ... is deleted" (amended: a part
  of the section changes);
- "Section 7 of the principal Act is deleted." / "... is substituted ..." / "by substituting
  for section 7 the following section:" (the whole section goes or is replaced);
- "by inserting after section 12 the following section: 12A. ..." (new sections);
- "... is amended by substituting for the words "x" ... wherever appearing" (the whole act:
  section ``*``).

Indonesian amending laws (``Pasal I`` lists the changes, each restating the article) say:
"... sehingga Pasal 5 berbunyi sebagai berikut", "Pasal 45 diubah", "sehingga
penjelasan Pasal 5 menjadi" (amended), "Di antara Pasal 45 dan Pasal
46 disisipkan 2 (dua) pasal, yakni Pasal 45A dan Pasal 45B" (inserted after 45) and
"Pasal 12 dihapus" (deleted).

>>> units = [("a:3", "Amendment of section 129",
...           "3. Section 129 of the principal Act is amended by deleting subsection (1)."),
...          ("a:4", "New section 43a", "4. The principal Act is amended by inserting after "
...           "section 43 the following section:\\n“Rights to data portability\\n43a. (1) A data "
...           "subject may request ...”.")]
>>> [(x.section, x.action, x.after) for x in parse_amendments(units)]
[('129', 'amended', None), ('43A', 'inserted', '43')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

Action = Literal["amended", "substituted", "inserted", "deleted"]

_NUM = r"(\d+[A-Za-z]{0,3})"
# "Section 129 of the principal Act is amended", "Subsection 16(3) of ...", "Paragraph
# 48(e) of ... is deleted", "Sections 5 and 6 of the principal Act are deleted"
_OF_PRINCIPAL = re.compile(
    r"\b(sub-?section|section|paragraph|subparagraph)s?\s+(?P<nums>\d+[A-Za-z]{0,3}"
    r"(?:\([^)]*\))*(?:\s*(?:,|and|to)\s*\d+[A-Za-z]{0,3}(?:\([^)]*\))*)*)\s+of\s+the\s+"
    r"principal\s+(?:Act|Ordinance|Enactment|Law)\s+(?:is|are)\s+(?:hereby\s+)?"
    r"(?P<verb>amended|deleted|repealed|substituted|replaced)", re.IGNORECASE)
# "The principal Act is amended in section 4"
_AMENDED_IN = re.compile(r"principal\s+(?:Act|Ordinance|Enactment|Law)\s+is\s+(?:hereby\s+)?"
                         r"amended\s+in\s+(?:sub-?)?section\s+" + _NUM, re.IGNORECASE)
# "by substituting for section 7 the following section", "by deleting section 8"
_VERB_SECTION = re.compile(r"\bby\s+(?P<verb>substituting\s+for|deleting|repealing)\s+"
                           r"sections?\s+" + _NUM, re.IGNORECASE)
# "by inserting after section 12 the following section(s)/division/part:"
_INSERT_AFTER = re.compile(r"\bby\s+inserting\s+(?:after|before)\s+section\s+" + _NUM
                           + r"\s+the\s+following\s+(?:new\s+)?(?:sections?|divisions?|parts?|"
                           r"chapters?)", re.IGNORECASE)
# a new section's number opening a line of the inserted text: "12a. (1) A data ..."
# "... is amended by substituting for the words “data user” ... wherever appearing": the
# whole act, recorded as section "*"
_THROUGHOUT = re.compile(r"principal\s+(?:Act|Ordinance|Enactment|Law)[^.]{0,80}?\s+is\s+"
                         r"(?:hereby\s+)?amended\s+by\s+substituting\s+for\s+the\s+words?"
                         r"[^.]*?wherever\s+(?:it\s+)?appear", re.IGNORECASE)
# Indonesian: "sehingga Pasal 5 berbunyi", "Di antara Pasal 45 dan Pasal 46 disisipkan 2
# (dua) pasal, yakni Pasal 45A dan Pasal 45B", "Pasal 12 dihapus"
_ID_RESTATED = re.compile(r"\b(?:sehingga\s+(?:penjelasan\s+)?Pasal\s+" + _NUM
                          + r"\s+(?:berbunyi|menjadi)|Pasal\s+" + _NUM + r"\s+diubah)\b")
_ID_INSERTED = re.compile(r"\bDi\s+antara\s+Pasal\s+" + _NUM + r"\s+dan\s+Pasal\s+\d+[A-Za-z]?"
                          r"\s+disisipkan\b[^.:]{0,60}?\byakni\s+(?P<new>Pasal\s+\d+[A-Za-z]?"
                          r"(?:\s*(?:,|dan)\s*(?:Pasal\s+)?\d+[A-Za-z]?)*)", re.IGNORECASE)
_ID_DELETED = re.compile(r"\bPasal\s+" + _NUM + r"\s+dihapus\b")
_NEW_SECTION = re.compile(r"(?m)^\s*[“\"‘']?(\d+[A-Za-z]{1,3}|\d+)\.\s+\S")
_VERBS: dict[str, Action] = {"amended": "amended", "deleted": "deleted", "repealed": "deleted",
                             "substituted": "substituted", "replaced": "substituted",
                             "substituting for": "substituted", "deleting": "deleted",
                             "repealing": "deleted"}


@dataclass(frozen=True, slots=True)
class Amendment:
    """One change an amending act makes to one section of its principal act.

    Attributes:
        ref: The amending act's provision that makes it.
        section: The principal act's section number, normalised (``12A``); ``*`` for a
            change throughout the act (words substituted wherever they appear).
        action: ``amended`` (part of it changes), ``substituted``, ``inserted`` or
            ``deleted``.
        after: For an inserted section, the section it follows.
        heading: The amending provision's heading.
    """

    ref: str
    section: str
    action: Action
    after: str | None = None
    heading: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The amendment as a JSON-able record."""
        return asdict(self)


def _number(raw: str) -> str:
    """``12a`` -> ``12A``; ``16(3)`` -> ``16`` (the section a subsection belongs to)."""
    m = re.match(r"\d+[A-Za-z]{0,3}", raw.strip())
    return m.group(0).upper() if m else raw.strip()


def parse_amending_text(ref: str, heading: str, text: str) -> list[Amendment]:
    """The amendments one provision of an amending act makes, in text order (pure)."""
    found: list[tuple[int, Amendment]] = []
    flat = " ".join(text.split())
    for m in _OF_PRINCIPAL.finditer(flat):
        kind = m.group(1).lower()
        verb = _VERBS[m.group("verb").lower()]
        if not kind.startswith("section"):  # a paragraph or subsection going is an amendment
            verb = "amended"
        for raw in re.findall(r"\d+[A-Za-z]{0,3}", re.sub(r"\([^)]*\)", "", m.group("nums"))):
            found.append((m.start(), Amendment(ref, _number(raw), verb, heading=heading)))
    for m in _THROUGHOUT.finditer(flat):
        found.append((m.start(), Amendment(ref, "*", "amended", heading=heading)))
    for m in _AMENDED_IN.finditer(flat):
        found.append((m.start(), Amendment(ref, _number(m.group(1)), "amended", heading=heading)))
    for m in _VERB_SECTION.finditer(flat):
        verb = _VERBS[" ".join(m.group("verb").lower().split())]
        found.append((m.start(), Amendment(ref, _number(m.group(2)), verb, heading=heading)))
    for m in _INSERT_AFTER.finditer(text):
        after = _number(m.group(1))
        rest = text[m.end():]
        news = [_number(n.group(1)) for n in _NEW_SECTION.finditer(rest)]
        # the new sections are numbered from the anchor (12 -> 12A, 12B), never back
        news = [n for n in news if n.startswith(after) and n != after] or news[:1]
        for n in dict.fromkeys(news):
            found.append((m.start(), Amendment(ref, n, "inserted", after=after,
                                               heading=heading)))
    for m in _ID_RESTATED.finditer(flat):
        num = _number(m.group(1) or m.group(2))
        found.append((m.start(), Amendment(ref, num, "amended", heading=heading)))
    for m in _ID_DELETED.finditer(flat):
        found.append((m.start(), Amendment(ref, _number(m.group(1)), "deleted", heading=heading)))
    for m in _ID_INSERTED.finditer(flat):
        after = _number(m.group(1))
        for raw in re.findall(r"\d+[A-Za-z]?", m.group("new")):
            found.append((m.start(), Amendment(ref, _number(raw), "inserted", after=after,
                                               heading=heading)))
    seen: set[tuple[str, str]] = set()
    out: list[Amendment] = []
    for _, a in sorted(found, key=lambda t: t[0]):
        if (a.section, a.action) not in seen:
            seen.add((a.section, a.action))
            out.append(a)
    return out


def parse_amendments(units: Iterable[tuple[str, str, str]]) -> list[Amendment]:
    """Amendments made by an amending act's provisions ``(ref, heading, text)`` (pure)."""
    return [a for ref, heading, text in units for a in parse_amending_text(ref, heading, text)]


def amendments_by_section(amendments: Iterable[Amendment]) -> dict[str, list[str]]:
    """``section -> ["ref action", ...]``: what to show next to a diff row (pure)."""
    out: dict[str, list[str]] = {}
    for a in amendments:
        out.setdefault(a.section, []).append(f"{a.ref} {a.action}")
    return out
