"""Version diffs over the index: read two versions' main units (and an amending act) from
the store and hand them to the pure :mod:`nlp_toolkit.analysis.diff` and
:mod:`nlp_toolkit.analysis.amendments`.
"""

from __future__ import annotations

import dataclasses

from nlp_toolkit.analysis.amendments import amendments_by_section, parse_amendments
from nlp_toolkit.analysis.diff import DiffUnit, VersionDiff, diff_units
from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.store import Store
from nlp_toolkit.store.scores import scores_for_refs


def _need(store: Store, doc_id: str) -> None:
    if store.document_sha(doc_id) is None:
        raise ToolkitError(f"no document {doc_id!r} in the index; `nlp-toolkit stats` (or "
                           "Corpus.documents()) lists what is there")


def diff_units_of(store: Store, doc_id: str) -> list[DiffUnit]:
    """A document's main units (articles, statute sections) with their scores, if any."""
    _need(store, doc_id)
    rows = list(store.provisions(doc_id, articles=True))  # not Parts, Divisions grouping sections
    scores = scores_for_refs(store, [r.ref for r in rows])
    return [DiffUnit(r.ref, r.number, r.heading, r.text, scores.get(r.ref)) for r in rows]


def version_diff(store: Store, doc_a: str, doc_b: str, *,
                 amendment: str | None = None) -> VersionDiff:
    """The diff of ``doc_a`` (older) and ``doc_b`` (newer), with ``amendment``'s changes.

    Raises:
        ToolkitError: A document is not in the index.
    """
    result = diff_units(diff_units_of(store, doc_a), diff_units_of(store, doc_b),
                        doc_a=doc_a, doc_b=doc_b)
    if amendment is None:
        return result
    _need(store, amendment)
    found = parse_amendments((u.ref, u.heading, u.text) for u in diff_units_of(store, amendment))
    by_section = amendments_by_section(found)
    result.rows = [dataclasses.replace(r, amended_by=by_section.get(
        r.number_b or r.number_a or "", [])) for r in result.rows]
    result.amendments = found
    return result
