"""Which provisions are units of their own: the main-unit rule and the retrieval units.

Both are pure functions of a document's provisions (parents before children), computed
once when a document is stored and kept as columns of ``provisions`` (``main``, ``fts``):
every reader asks the column, none restates the rule.

>>> from nlp_toolkit.records import Provision
>>> def unit(ref, level, parent=None):
...     return Provision(doc_id="d", ref=ref, number=ref, heading="", level=level,
...                      parent_ref=parent, path=ref, page_start=1, page_end=1,
...                      char_start=0, char_end=0, text="")
>>> doc = [unit("d:1", "chapter"), unit("d:s1", "section", "d:1"),
...        unit("d:2", "article", "d:s1"), unit("d:2(1)", "paragraph", "d:2")]
>>> main_units(doc)
[False, False, True, False]
"""

from __future__ import annotations

from collections.abc import Sequence

from nlp_toolkit.records import SUB_LEVELS, Provision

__all__ = ["MAIN_LEVELS", "main_units", "retrieval_units"]

#: Levels of the numbered units a law or treaty is cited by.
MAIN_LEVELS: frozenset[str] = frozenset({"article", "section"})


def main_units(provisions: Sequence[Provision]) -> list[bool]:
    """Which provisions are main units: the ones scored, embedded, diffed and exported.

    A main unit is an article, or a section that groups no articles or sections (a
    statute's section is the unit itself; a Chinese 第一节 or a "Division 1" that groups
    articles or sections is a container, not a unit) (pure).
    """
    grouping = {p.parent_ref for p in provisions
                if p.parent_ref is not None and p.level in MAIN_LEVELS}
    return [p.level == "article" or (p.level == "section" and p.ref not in grouping)
            for p in provisions]


def retrieval_units(provisions: Sequence[Provision]) -> list[bool]:
    """Which provisions the full-text index holds: each character of a document once.

    A provision's text covers its descendants, so indexing every level would index a
    chapter's words again in each article and paragraph. Indexed are the provisions that
    contain no unit above paragraph level (not a chapter or a 第一节 section of articles)
    and that are not inside an indexed unit (so an article's paragraphs and items are
    not) (pure).
    """
    index = {p.ref: i for i, p in enumerate(provisions)}
    container = [False] * len(provisions)
    for p in provisions:
        if p.parent_ref in index and p.level not in SUB_LEVELS:
            container[index[p.parent_ref]] = True
    indexed = [False] * len(provisions)
    covered = [False] * len(provisions)  # indexed, or inside an indexed unit
    for i, p in enumerate(provisions):  # parents come before their children
        parent = index.get(p.parent_ref) if p.parent_ref is not None else None
        inside = parent is not None and covered[parent]
        indexed[i] = not container[i] and not inside
        covered[i] = indexed[i] or inside
    return indexed
