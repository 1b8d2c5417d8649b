"""The result page: expressions collapsed, works diversified, national law and treaties mixed.

Pure functions over ranked candidate ids and their attributes; nothing here reads the
store. They run after fusion, on one fixed-depth candidate list, so a page of 10 is always
the first 10 of a page of 50 (prefix-stable).

- the expressions of one provision (the same section in the as-enacted act and its
  reprint, or in the English and Thai texts of one act) are one hit: by default the
  preferred expression (:meth:`UnitTable.preferred`: in the reader's language, else in
  English, then the latest version) at its own rank, listing the others
  (:meth:`UnitTable.other_expressions`); under a filter that may hold only another
  expression, :func:`collapse` ranks the group at the best rank any of them reached.
- :class:`UnitTable`: the candidates' attributes the page reads (document, number, operative
  flag, work, expressions of each work), built by the search index from the store.
- :func:`arrange`: a greedy re-ordering in which every page of ``page`` results holds at
  most ``per_work`` hits of one work (when other candidates remain), and national law and
  treaties each hold at least their share of every prefix (when they have candidates left).

>>> collapse([1, 2, 3], key={1: "a", 2: "b", 3: "a"}.get, prefer={1: 1, 3: 0}.get)
[(3, (1,)), (2, ())]
>>> arrange([1, 2, 3, 4], work={1: "w", 2: "w", 3: "w", 4: "v"}.get, per_work=2, page=3)
[1, 2, 4, 3]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence

__all__ = ["Arrangement", "UnitTable", "arrange", "as_articles", "collapse", "script_language"]


def as_articles(fused: Sequence[tuple[int, float]], stands_for: Mapping[int, int]
                ) -> list[tuple[int, float]]:
    """Each candidate that stands for an article replaced by the article, which keeps the
    first (best) rank and score either reached; every id once (pure).

    >>> as_articles([(7, 0.9), (3, 0.8), (5, 0.7)], {7: 5})
    [(5, 0.9), (3, 0.8)]
    """
    out: list[tuple[int, float]] = []
    seen: set[int] = set()
    for i, s in fused:
        j = stands_for.get(i, i)
        if j not in seen:
            seen.add(j)
            out.append((j, s))
    return out


def collapse(ranked: Sequence[int], *, key: Callable[[int], Hashable | None],
             prefer: Callable[[int], float | int | None]) -> list[tuple[int, tuple[int, ...]]]:
    """One hit per expression group, at the group's best rank.

    Args:
        ranked: candidate ids, best first.
        key: an id's group (work and provision number); ``None`` keeps the id alone.
        prefer: an id's preference (lower is preferred; ties: the better-ranked one).

    Returns:
        ``(representative, others)`` per group, in the order of each group's first id;
        ``others`` are the group's other ids in rank order.
    """
    groups: dict[Hashable, list[int]] = {}
    order: list[Hashable] = []
    for i, item in enumerate(ranked):
        k = key(item)
        g: Hashable = ("alone", i) if k is None else ("key", k)
        if g not in groups:
            groups[g] = []
            order.append(g)
        groups[g].append(item)
    out: list[tuple[int, tuple[int, ...]]] = []
    for g in order:
        members = groups[g]
        best = min(range(len(members)), key=lambda j: (prefer(members[j]) or 0, j))
        rep = members[best]
        out.append((rep, tuple(m for m in members if m != rep)))
    return out


class Arrangement:
    """Shares of the page that national law and treaties are each guaranteed (0 to 1).

    Args:
        national: at least this share of every prefix is national law (when some is left).
        treaty: at least this share of every prefix is treaties (when some is left).
    """

    def __init__(self, national: float = 0.0, treaty: float = 0.0) -> None:
        if national < 0 or treaty < 0 or national + treaty > 1:
            raise ValueError(f"shares must be >= 0 and sum to <= 1, got national={national}, "
                             f"treaty={treaty}")
        self.national = national
        self.treaty = treaty


def arrange(ranked: Sequence[int], *, work: Callable[[int], Hashable],
            per_work: int | None = None, page: int = 10,
            national: Callable[[int], bool] | None = None,
            shares: Arrangement | None = None) -> list[int]:
    """Re-order ``ranked`` so that pages are diverse (a permutation of ``ranked``).

    At each position the best remaining candidate is taken, except that (1) a class
    (national or treaty) below its guaranteed share of the prefix so far takes its best
    remaining member, and (2) a work that already holds ``per_work`` hits of the current
    page (positions ``page * n`` to ``page * (n + 1) - 1``) is passed over while another
    candidate is left. The result depends only on ``ranked`` and the arguments, never on
    how many results the caller shows.

    Args:
        ranked: candidate ids, best first.
        work: an id's work.
        per_work: hits of one work per page; None: no limit.
        page: page length.
        national: whether an id is national law (needed with ``shares``).
        shares: the guaranteed shares; None: no guarantee.
    """
    if per_work is not None and per_work < 1:
        raise ValueError(f"per_work must be >= 1, got {per_work}")
    if page < 1:
        raise ValueError(f"page must be >= 1, got {page}")
    # each candidate's work and class read once; a class's members in rank order, so that
    # a class below its share takes its best member without scanning the other class
    # (the page of a search arranges ~600 candidates, ~14 ms when it scanned)
    work_of = {i: work(i) for i in ranked}
    class_of = {i: national(i) for i in ranked} if national is not None else {}
    remaining = list(ranked)
    members: dict[bool, list[int]] = {True: [], False: []}
    for i in ranked if national is not None else ():
        members[class_of[i]].append(i)
    out: list[int] = []
    counts: dict[Hashable, int] = {}
    n_nat = n_tre = 0
    while remaining:
        pos = len(out)
        if pos % page == 0:
            counts = {}
        want: bool | None = None  # the class to take from: True national, False treaty
        if shares is not None and national is not None:
            if n_nat < math.floor(shares.national * (pos + 1)):
                want = True
            elif n_tre < math.floor(shares.treaty * (pos + 1)):
                want = False
        item = _pick(members[want], work_of, counts, per_work) if want is not None else None
        if item is None:
            item = _pick(remaining, work_of, counts, per_work)
        assert item is not None  # remaining is not empty
        remaining.remove(item)
        out.append(item)
        w = work_of[item]
        counts[w] = counts.get(w, 0) + 1
        if national is not None:
            members[class_of[item]].remove(item)
            if class_of[item]:
                n_nat += 1
            else:
                n_tre += 1
    return out


def _pick(candidates: Sequence[int], work_of: Mapping[int, Hashable],
          counts: Mapping[Hashable, int], per_work: int | None) -> int | None:
    """The best of ``candidates`` whose work is under the cap; failing the cap, the best of
    them; None when there is none."""
    if not candidates:
        return None
    if per_work is not None:
        for item in candidates:
            if counts.get(work_of[item], 0) < per_work:
                return item
    return candidates[0]


#: The expression shown where none is in the reader's language: English, the language the
#: toolkit's analysts share (a Chinese provision's counterpart in the Thai PDPA is shown in
#: its English expression, not by the accident of document-id order in its Thai one).
FALLBACK_LANGUAGE = "en"


def script_language(text: str) -> str:
    """The language a text's script suggests: ``zh`` (Han), ``th`` (Thai), else ``en``."""
    for ch in text:
        if "\u0e00" <= ch <= "\u0e7f":
            return "th"
        if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff":
            return "zh"
    return "en"


class UnitTable:
    """Retrieval units' document, number and operative flag, with their documents' works:
    the attributes the result page groups, orders and filters candidates by."""

    def __init__(self, facts: dict[int, tuple[str, str, bool]],
                 docs: dict[str, tuple[str, str, str, str, str]]) -> None:
        self.facts = facts
        self.docs = docs
        by_work: dict[str, list[str]] = {}
        for doc_id, (work, *_rest) in docs.items():
            by_work.setdefault(work, []).append(doc_id)
        # expressions of each work, latest version first
        self.expressions = {w: sorted(ds, key=lambda d: (docs[d][1], d), reverse=True)
                            for w, ds in by_work.items()}
        self.by_ref = {(d, n): i for i, (d, n, _) in facts.items()}

    def work(self, i: int) -> str:
        """The work of candidate ``i`` (its document's ``work``, else the doc_id)."""
        doc = self.facts[i][0]
        return self.docs[doc][0] if doc in self.docs else doc

    def jurisdictions(self, i: int) -> frozenset[str]:
        """The jurisdictions of candidate ``i``'s document."""
        doc = self.facts[i][0]
        return frozenset(j.strip() for j in self.docs[doc][4].split(";") if j.strip()
                         ) if doc in self.docs else frozenset()

    def national(self, i: int) -> bool:
        """True when candidate ``i`` is national law (not a treaty)."""
        doc = self.facts[i][0]
        return doc in self.docs and self.docs[doc][3] != "treaty"

    def group(self, i: int) -> tuple[str, str]:
        """``(work, number)``: the expressions of one provision share it."""
        return (self.work(i), self.facts[i][1])

    def collapse_key(self, i: int) -> tuple[str, str] | None:
        """``(work, number)`` when the work has several expressions, else None."""
        work = self.work(i)
        return (work, self.facts[i][1]) if len(self.expressions.get(work, ())) > 1 else None

    def preference(self, i: int, *, language: str | None) -> int:
        """Lower is preferred: an expression in ``language``, else in
        :data:`FALLBACK_LANGUAGE`; then the latest version."""
        doc = self.facts[i][0]
        order = self.expressions.get(self.work(i), [doc])
        rank = order.index(doc) if doc in order else len(order)
        written = self.docs.get(doc, ("",) * 3)[2]
        if language is None or written == language:
            return rank
        return rank + (500 if written == FALLBACK_LANGUAGE else 1000)

    def _expressed(self, i: int) -> list[int]:
        """The ids of candidate ``i``'s provision in every expression of its work, in the
        work's order (latest version first); empty for a work of one expression."""
        docs = self.expressions.get(self.work(i), ())
        if len(docs) < 2:
            return []
        number = self.facts[i][1]
        return [j for d in docs if (j := self.by_ref.get((d, number))) is not None]

    def preferred(self, i: int, language: str | None) -> int | None:
        """The preferred operative expression of candidate ``i``'s provision, or None."""
        found = [j for j in self._expressed(i) if self.facts[j][2]]
        return min(found, key=lambda j: self.preference(j, language=language)) if found else None

    def other_expressions(self, i: int) -> tuple[int, ...]:
        """The ids of candidate ``i``'s provision in its work's other expressions, in the
        work's order (latest version first)."""
        return tuple(j for j in self._expressed(i) if j != i)
