"""Many queries (or refs) with one :class:`~nlp_toolkit.search.SearchIndex`: the batch mode of
``nlp-toolkit search --queries`` and ``similar --refs``. One output per input, in order; an
input that cannot be answered gets an ``error`` instead of stopping the batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from nlp_toolkit.errors import ToolkitError

if TYPE_CHECKING:
    from nlp_toolkit.search import Mode, SearchIndex

__all__ = ["search_batch", "similar_batch"]


def search_batch(index: SearchIndex, items: Iterable[Mapping[str, Any]], *, k: int = 10,
                 mode: Mode = "hybrid") -> Iterator[dict[str, Any]]:
    """Answer many queries with one index (models load once): one output per input.

    Each item holds ``id`` and ``query``, and optionally ``k``, ``mode`` and the filters of
    :meth:`SearchIndex.search`; the output is ``{"id": ..., "results": [...]}``, or
    ``{"id": ..., "error": "..."}`` for an item that cannot be answered.
    """
    for item in items:
        ident = item.get("id")
        try:
            query = item.get("query")
            if not isinstance(query, str):
                raise ToolkitError("each line needs a string 'query'")
            found = index.search(query, k=int(item.get("k", k)), mode=item.get("mode", mode),
                                 jurisdiction=item.get("jurisdiction"), doc=item.get("doc"),
                                 language=item.get("language"), level=item.get("level"),
                                 topic=item.get("topic"))
            yield {"id": ident, "results": [r.to_dict() for r in found]}
        except (ToolkitError, ValueError, TypeError) as exc:
            yield {"id": ident, "error": str(exc)}


def similar_batch(index: SearchIndex, items: Iterable[Mapping[str, Any]], *, k: int = 10,
                  other_jurisdictions: bool = False) -> Iterator[dict[str, Any]]:
    """:meth:`SearchIndex.similar` for many items (``id``, ``ref``, optional ``k`` and
    ``other_jurisdictions``), one ``{"id", "results"}`` (or ``{"id", "error"}``) each."""
    for item in items:
        ident = item.get("id")
        try:
            ref = item.get("ref")
            if not isinstance(ref, str):
                raise ToolkitError("each line needs a string 'ref'")
            found = index.similar(ref, k=int(item.get("k", k)), other_jurisdictions=bool(
                item.get("other_jurisdictions", other_jurisdictions)))
            yield {"id": ident, "results": [r.to_dict() for r in found]}
        except (ToolkitError, ValueError, TypeError) as exc:
            yield {"id": ident, "error": str(exc)}
