"""Version diff: align the provisions of two versions of a law and diff their words (pure).

Provisions are aligned by number, heading and text together, so an inserted lettered
section (``12A``), a deleted one and a renumbered run all come out right: every candidate
pair gets a score (shared word pairs, plus a bonus for the same number and for the same
heading) and the best pairs are taken greedily, each provision at most once.

>>> a = [DiffUnit("v1:1", "1", "Scope", "This Act applies to data."),
...      DiffUnit("v1:2", "2", "Fees", "A fee of ten ringgit is payable.")]
>>> b = [DiffUnit("v2:1", "1", "Scope", "This Act applies to personal data."),
...      DiffUnit("v2:1A", "1A", "Officer", "A controller shall appoint an officer."),
...      DiffUnit("v2:2", "2", "Fees", "A fee of ten ringgit is payable.")]
>>> diff = diff_units(a, b, doc_a="v1", doc_b="v2")
>>> [(r.status, r.number_a, r.number_b) for r in diff.rows]
[('changed', '1', '1'), ('added', None, '1A'), ('unchanged', '2', '2')]
>>> diff.rows[0].diff
'Scope This Act applies to {+personal+} data.'
>>> diff.summary()
{'added': 1, 'removed': 0, 'changed': 1, 'unchanged': 1, 'renumbered': 0}
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from nlp_toolkit.extract.scripts import CJK_PUNCTUATION, FULLWIDTH, HAN, THAI

if TYPE_CHECKING:
    import pandas as pd

    from nlp_toolkit.analysis.amendments import Amendment

Status = Literal["added", "removed", "changed", "unchanged", "renumbered"]
STATUSES: tuple[Status, ...] = ("added", "removed", "changed", "unchanged", "renumbered")

#: The record fields of a diff row, in order (the CLI's columns).
DIFF_FIELDS = ("status", "ref_a", "ref_b", "number_a", "number_b", "heading", "similarity",
               "words_added", "words_removed", "diff", "topic_changes", "amended_by")

_CONTEXT = 6  # tokens of context either side of a change in the inline diff
_TOPIC_DELTA = 0.1  # a topic probability must move this much to be reported
_COMMON = 40  # word pairs found in more units than this do not propose candidates
_CANDIDATES = 8  # units of b sharing the most rare word pairs, looked at for each unit of a

# CJK and Thai characters are tokens of their own (no spaces between words there)
_TOKEN = re.compile(f"[{HAN}{THAI}]|" r"\w+(?:[-'’]\w+)*|[^\w\s]")
_NO_SPACE_BEFORE = re.compile(r" ([,.;:!?)\]}”’%])")
_NO_SPACE_AFTER = re.compile(r"([(\[{“‘]) ")
_CJK = re.compile(f"[{HAN}{THAI}{CJK_PUNCTUATION}{FULLWIDTH}]")
_MARKER = r"(?:section|article|art\.|regulation|rule|clause)?\s*{num}\s*[.:]?"
_ZH_MARKER = re.compile(r"^第[〇零一二三四五六七八九十百千两0-9]+条\s*")


@dataclass(frozen=True, slots=True)
class DiffUnit:
    """One provision of a version: its ref, number, heading, text and optional scores."""

    ref: str
    number: str
    heading: str
    text: str
    scores: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class DiffRow:
    """One aligned pair (or an unpaired provision) of a version diff."""

    status: Status
    ref_a: str | None
    ref_b: str | None
    number_a: str | None
    number_b: str | None
    heading: str
    similarity: float
    words_added: int
    words_removed: int
    diff: str | None
    topic_changes: dict[str, list[float]] | None = None
    amended_by: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The row as a JSON-able record with :data:`DIFF_FIELDS`."""
        return asdict(self)


@dataclass(slots=True)
class VersionDiff:
    """The provision-by-provision diff of two versions of a law.

    Attributes:
        doc_a: The older version's doc_id.
        doc_b: The newer version's doc_id.
        rows: Aligned rows in the newer version's order, removed ones where they stood.
        amendments: What an amending act says it changes, when one was given.
    """

    doc_a: str
    doc_b: str
    rows: list[DiffRow]
    amendments: list[Amendment] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        """Rows per status (every status, zeros included)."""
        counts = Counter(r.status for r in self.rows)
        return {s: counts.get(s, 0) for s in STATUSES}

    def missing_sections(self) -> list[Amendment]:
        """Amendments naming a section neither version has: sections inserted after the newer
        version was published, or a mismatch of acts."""
        present = {n for r in self.rows for n in (r.number_a, r.number_b) if n}
        return [a for a in self.amendments if a.section != "*" and a.section not in present]

    def records(self, *, changed_only: bool = False) -> list[dict[str, Any]]:
        """Rows as records; ``changed_only`` drops the unchanged ones."""
        return [r.to_dict() for r in self.rows if not (changed_only and r.status == "unchanged")]

    def to_pandas(self, *, changed_only: bool = False) -> pd.DataFrame:
        """Rows as a DataFrame with :data:`DIFF_FIELDS` columns."""
        import pandas as pd

        return pd.DataFrame(self.records(changed_only=changed_only), columns=list(DIFF_FIELDS))

    def __repr__(self) -> str:
        counts = ", ".join(f"{v} {k}" for k, v in self.summary().items() if v)
        return f"VersionDiff({self.doc_a} -> {self.doc_b}: {counts or 'empty'})"


def tokens(text: str) -> list[str]:
    """Word, CJK-character and punctuation tokens of a text (pure).

    >>> tokens("Section 5(1): data users—")
    ['Section', '5', '(', '1', ')', ':', 'data', 'users', '—']
    """
    return _TOKEN.findall(text)


def detokenize(toks: Sequence[str]) -> str:
    """Tokens back to readable text: spaces between words, none inside CJK runs (pure)."""
    out: list[str] = []
    for i, t in enumerate(toks):
        if i and not (_CJK.match(t) and _CJK.match(toks[i - 1])):
            out.append(" ")
        out.append(t)
    text = _NO_SPACE_BEFORE.sub(r"\1", "".join(out))
    return _NO_SPACE_AFTER.sub(r"\1", text)


def body(unit: DiffUnit) -> str:
    """A unit's text without its leading heading and number marker, whitespace collapsed.

    Versions print these differently ("Section 4. Interpretation" against
    "Interpretation 4."), which is layout, not a change of the law.

    >>> body(DiffUnit("x:4", "4", "Interpretation", "Section 4. Interpretation\\nIn this Act"))
    'In this Act'
    """
    text = " ".join(unit.text.split())
    heading = " ".join(unit.heading.split())
    marker = re.compile(_MARKER.format(num=re.escape(unit.number)), re.IGNORECASE) \
        if unit.number else None
    for _ in range(3):  # heading and marker, in either order
        before = text
        if heading and text.lower().startswith(heading.lower()):
            text = text[len(heading):].lstrip(" .:—-")
        if marker is not None and (m := marker.match(text)) and m.end() > 0:
            text = text[m.end():].lstrip()
        text = _ZH_MARKER.sub("", text)
        if text == before:
            break
    return text


def content(unit: DiffUnit) -> list[str]:
    """The tokens compared: heading then body (pure).

    One stream, so a heading that one version's layout wrapped into the body ("... with
    data" + "access request (1) ...") is no change, and a changed heading is a word diff.
    """
    return tokens(unit.heading) + tokens(body(unit))


def _norm_heading(heading: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", heading.lower()).split())


def _pairs(toks: Sequence[str]) -> set[tuple[str, str]]:
    words = [t.lower() for t in toks if t[0].isalnum() or _CJK.match(t)]
    if len(words) < 2:
        return {(w, "") for w in words}
    return set(zip(words, words[1:], strict=False))


def _jaccard(a: set[Any], b: set[Any]) -> float:
    if not a and not b:
        return 1.0
    inter = len(a & b) if len(a) < len(b) else len(b & a)
    return inter / (len(a) + len(b) - inter)


def align(a: Sequence[DiffUnit], b: Sequence[DiffUnit]) -> list[tuple[int | None, int | None]]:
    """Pairs of indexes into ``a`` and ``b`` (None: unpaired), in ``b``'s order (pure).

    A pair with the same number needs a little shared text (or the same heading); a pair
    with different numbers (renumbered, moved) needs much more.
    """
    sets_a = [_pairs(content(u)) for u in a]
    sets_b = [_pairs(content(u)) for u in b]
    heads_a = [_norm_heading(u.heading) for u in a]
    heads_b = [_norm_heading(u.heading) for u in b]
    postings: dict[tuple[str, str], list[int]] = {}
    for j, s in enumerate(sets_b):
        for p in s:
            postings.setdefault(p, []).append(j)
    by_number: dict[str, list[int]] = {}
    by_heading: dict[str, list[int]] = {}
    for j, u in enumerate(b):
        by_number.setdefault(u.number, []).append(j)
        if heads_b[j]:
            by_heading.setdefault(heads_b[j], []).append(j)
    scored: list[tuple[float, int, int]] = []
    for i, u in enumerate(a):
        cands: set[int] = set(by_number.get(u.number, ())) | set(by_heading.get(heads_a[i], ()))
        shared = Counter(j for p in sets_a[i] if len(postings.get(p, ())) <= _COMMON
                         for j in postings.get(p, ()))
        cands.update(j for j, _ in shared.most_common(_CANDIDATES))
        for j in cands:
            jac = _jaccard(sets_a[i], sets_b[j])
            same_num = bool(u.number) and u.number == b[j].number
            same_head = bool(heads_a[i]) and heads_a[i] == heads_b[j]
            ok = (jac >= 0.2 or same_head or (not sets_a[i] and not sets_b[j])) if same_num \
                else (jac >= 0.5 or (same_head and jac >= 0.3))
            if ok:
                scored.append((jac + 0.2 * same_num + 0.1 * same_head, i, j))
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    a_of_b: dict[int, int] = {}
    used_a: set[int] = set()
    for _, i, j in scored:
        if i not in used_a and j not in a_of_b:
            used_a.add(i)
            a_of_b[j] = i
    # b's order; a removed unit goes after the last paired unit before it in a
    b_of_a = {i: j for j, i in a_of_b.items()}
    keyed: list[tuple[float, int, int | None, int | None]] = [
        (float(j), 0, a_of_b.get(j), j) for j in range(len(b))]
    anchor = -1.0
    for i in range(len(a)):
        if i in b_of_a:
            anchor = float(b_of_a[i])
        else:
            keyed.append((anchor + 0.5, i, i, None))
    keyed.sort(key=lambda t: (t[0], t[1]))
    return [(i, j) for _, _, i, j in keyed]


def _join(parts: Iterable[str]) -> str:
    """Diff parts joined by spaces, except between CJK or Thai characters."""
    out = ""
    for p in parts:
        edge_a = out.rstrip("-+]}")[-1:] if out else ""
        edge_b = p.lstrip("[{-+")[:1]
        out += p if not out or (_CJK.match(edge_a) and _CJK.match(edge_b)) else " " + p
    return out


def word_diff(old: Sequence[str], new: Sequence[str], *,
              context: int = _CONTEXT) -> tuple[str, int, int, float]:
    """Inline word diff of two token lists: ``[-removed-]{+added+}`` hunks with a few tokens
    of context, joined by `` … ``; plus words added, words removed and the similarity (pure).

    >>> word_diff(tokens("a data user shall"), tokens("a data controller shall"))
    ('a data [-user-] {+controller+} shall', 1, 1, 0.75)
    """
    sm = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    added = removed = 0
    hunks: list[str] = []
    for group in sm.get_grouped_opcodes(context):
        parts: list[str] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                parts.append(detokenize(old[i1:i2]))
                continue
            if i2 > i1:
                removed += i2 - i1
                parts.append(f"[-{detokenize(old[i1:i2])}-]")
            if j2 > j1:
                added += j2 - j1
                parts.append(f"{{+{detokenize(new[j1:j2])}+}}")
        hunks.append(_join(p for p in parts if p))
    text = " … ".join(hunks)
    text = _NO_SPACE_BEFORE.sub(r"\1", text)
    return text, added, removed, round(sm.ratio(), 4)


def topic_changes(a: Mapping[str, Any] | None,
                  b: Mapping[str, Any] | None) -> dict[str, list[float]] | None:
    """Topics whose probability moved by at least 0.1 or whose label came or went:
    ``{topic: [p_a, p_b]}``; None unless both sides are scored (pure)."""
    if not a or not b or a.get("topics") is None or b.get("topics") is None:
        return None
    ta, tb = a["topics"], b["topics"]
    la, lb = set(a.get("labels") or ()), set(b.get("labels") or ())
    out: dict[str, list[float]] = {}
    for t in sorted(set(ta) | set(tb)):
        pa, pb = float(ta.get(t, 0.0)), float(tb.get(t, 0.0))
        if abs(pb - pa) >= _TOPIC_DELTA or ((t in la) != (t in lb)):
            out[t] = [round(pa, 3), round(pb, 3)]
    return out


def diff_units(a: Sequence[DiffUnit], b: Sequence[DiffUnit], *, doc_a: str = "",
               doc_b: str = "") -> VersionDiff:
    """Align two versions' provisions and diff each pair's words (pure).

    Args:
        a: The older version's units in document order.
        b: The newer version's units in document order.
        doc_a: The older version's doc_id (for the result).
        doc_b: The newer version's doc_id.

    Returns:
        A :class:`VersionDiff` whose rows follow ``b``'s order.
    """
    rows: list[DiffRow] = []
    for i, j in align(a, b):
        ua = a[i] if i is not None else None
        ub = b[j] if j is not None else None
        ta = content(ua) if ua is not None else []
        tb = content(ub) if ub is not None else []
        unit = ub if ub is not None else ua
        heading = unit.heading if unit is not None else ""
        if ua is None or ub is None:
            rows.append(DiffRow("added" if ua is None else "removed",
                                None if ua is None else ua.ref, None if ub is None else ub.ref,
                                None if ua is None else ua.number,
                                None if ub is None else ub.number, heading, 0.0, len(tb),
                                len(ta), None))
            continue
        if ta == tb:
            text, added, removed, sim = None, 0, 0, 1.0
        else:
            text, added, removed, sim = word_diff(ta, tb)
        status: Status = ("renumbered" if ua.number != ub.number
                          else "unchanged" if ta == tb else "changed")
        rows.append(DiffRow(status, ua.ref, ub.ref, ua.number, ub.number, heading, sim, added,
                            removed, text, topic_changes(ua.scores, ub.scores)))
    return VersionDiff(doc_a, doc_b, rows)
