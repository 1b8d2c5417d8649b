"""Many queries (or refs) with one :class:`~nlp_toolkit.search.index.SearchIndex`: the batch mode of
``nlp-toolkit search --queries`` and ``similar --refs``. One output per input, in order; an
input that cannot be answered gets an ``error`` instead of stopping the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from nlp_toolkit.errors import ToolkitError

if TYPE_CHECKING:
    from nlp_toolkit.search.index import Mode, SearchIndex, SearchResult

__all__ = ["search_batch", "similar_batch"]


def search_batch(index: SearchIndex, items: Iterable[Mapping[str, Any]], *, k: int = 10,
                 mode: Mode = "hybrid", scope_mentions: bool = True, **page: Any
                 ) -> Iterator[dict[str, Any]]:
    """Answer many queries with one index (models load once): one output per input.

    Each item holds ``id`` and ``query``, and optionally ``k``, ``mode`` and the filters of
    :meth:`SearchIndex.search`; ``page`` holds defaults of the result-page options
    (``doc_type``, ``all_versions``, ``include_non_operative``, ``design``), which an item
    may override, and so may ``scope_mentions`` (the jurisdictions a query names ranked
    first); the output is ``{"id": ..., "results": [...]}``, or
    ``{"id": ..., "error": "..."}`` for an item that cannot be answered.
    """
    def answer(query: str, item: Mapping[str, Any]) -> list[SearchResult]:
        return index.search(query, k=int(item.get("k", k)), mode=item.get("mode", mode),
                            jurisdiction=item.get("jurisdiction"), doc=item.get("doc"),
                            language=item.get("language"), level=item.get("level"),
                            topic=item.get("topic"),
                            scope_mentions=bool(item.get("scope_mentions", scope_mentions)),
                            **_page(page, item))

    return _answer_each(items, "query", answer)


def similar_batch(index: SearchIndex, items: Iterable[Mapping[str, Any]], *, k: int = 10,
                  other_jurisdictions: bool = False, **page: Any) -> Iterator[dict[str, Any]]:
    """:meth:`SearchIndex.similar` for many items (``id``, ``ref``, optional ``k`` and
    ``other_jurisdictions``, and the result-page options of :func:`search_batch`), one
    ``{"id", "results"}`` (or ``{"id", "error"}``) each."""
    def answer(ref: str, item: Mapping[str, Any]) -> list[SearchResult]:
        return index.similar(ref, k=int(item.get("k", k)), other_jurisdictions=bool(
            item.get("other_jurisdictions", other_jurisdictions)), **_page(page, item))

    return _answer_each(items, "ref", answer)


_PAGE_OPTIONS = ("doc_type", "all_versions", "include_non_operative", "design")


def _page(defaults: Mapping[str, Any], item: Mapping[str, Any]) -> dict[str, Any]:
    """The result-page options: the batch's defaults, overridden by the item's own."""
    unknown = set(defaults) - set(_PAGE_OPTIONS)
    if unknown:
        raise TypeError(f"unknown result-page option(s): {', '.join(sorted(unknown))}")
    out = {name: defaults[name] for name in _PAGE_OPTIONS if defaults.get(name) is not None}
    out.update((name, item[name]) for name in _PAGE_OPTIONS if item.get(name) is not None)
    return out


def _answer_each(items: Iterable[Mapping[str, Any]], field: str,
                 answer: Callable[[str, Mapping[str, Any]], list[SearchResult]]
                 ) -> Iterator[dict[str, Any]]:
    """``{"id", "results"}`` for each item whose string ``field`` ``answer`` can take, else
    ``{"id", "error"}``: one bad line never stops the batch."""
    for item in items:
        ident = item.get("id")
        try:
            value = item.get(field)
            if not isinstance(value, str):
                raise ToolkitError(f"each line needs a string {field!r}")
            yield {"id": ident, "results": [r.to_dict() for r in answer(value, item)]}
        except (ToolkitError, ValueError, TypeError) as exc:
            yield {"id": ident, "error": str(exc)}
