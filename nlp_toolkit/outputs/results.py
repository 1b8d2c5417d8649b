"""Result containers of the public API: plain Python values that also give DataFrames.

A :class:`Results` is a list (of search hits, compared pairs, duplicate families), so code
that loops over it or compares it with a list keeps working, and ``to_pandas()`` gives the
table a notebook wants. :class:`MatrixResult` unpacks as ``frame, refs``.

>>> r = Results([{"ref": "a:1", "score": 0.5}], columns=["ref", "score"])
>>> r.to_pandas().shape
(1, 2)
>>> r == [{"ref": "a:1", "score": 0.5}]
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import pandas as pd


def _record(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return item
    to_dict = getattr(item, "to_dict", None)
    if to_dict is None:
        raise TypeError(f"cannot make a record of {type(item).__name__}")
    return dict(to_dict())


class Results(list[Any]):
    """A list of results with :meth:`records` and :meth:`to_pandas`.

    Args:
        items: The results (dataclasses with ``to_dict()``, or dicts).
        columns: The DataFrame's columns, in order.
        flatten: Turns a record into the DataFrame's row (e.g. nested sides into columns).
    """

    def __init__(self, items: Iterable[Any] = (), *, columns: Sequence[str] = (),
                 flatten: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> None:
        super().__init__(items)
        self.columns = list(columns)
        self.flatten = flatten

    def records(self) -> list[dict[str, Any]]:
        """The results as JSON-able dicts (the CLI's json records)."""
        return [_record(item) for item in self]

    def to_pandas(self) -> pd.DataFrame:
        """The results as a DataFrame, one row each."""
        import pandas as pd

        rows = [self.flatten(r) if self.flatten else r for r in self.records()]
        return pd.DataFrame(rows, columns=self.columns or None)


class MatrixResult(NamedTuple):
    """The jurisdiction (or document) × topic table and the refs behind each cell.

    Attributes:
        frame: Rows are jurisdictions or documents, columns topics plus ``n_provisions``.
        refs: ``(row key, topic) -> refs`` of the provisions counted in the cell.
    """

    frame: pd.DataFrame
    refs: dict[tuple[str, str], list[str]]

    def to_pandas(self) -> pd.DataFrame:
        """The table itself."""
        return self.frame


#: The columns of search and similar results (and of the CLI's records).
SEARCH_FIELDS = ("rank", "score", "ref", "doc_id", "number", "heading", "level", "parent_ref",
                 "path", "page_start", "page_end", "char_start", "char_end", "jurisdiction",
                 "language", "snippet", "text", "expressions")
#: The fields of a compared pair (the CLI's records).
COMPARE_FIELDS = ("rank", "score", "cosine", "jaccard", "containment", "relation", "mutual",
                  "model", "a", "b")
#: The DataFrame columns of compared pairs: the sides flattened.
COMPARE_COLUMNS = (*COMPARE_FIELDS[:-2], "a_ref", "a_text", "b_ref", "b_text")
#: The fields of a duplicate family.
DUPLICATE_FIELDS = ("family", "n_docs", "size", "origin", "date", "heading", "text", "refs",
                    "docs", "jaccard", "min_jaccard")


def flat_pair(pair: dict[str, Any]) -> dict[str, Any]:
    """A compared pair with its sides' ref and text as columns."""
    return {**{k: v for k, v in pair.items() if k not in ("a", "b")},
            "a_ref": pair["a"]["ref"], "a_text": pair["a"]["text"],
            "b_ref": pair["b"]["ref"], "b_text": pair["b"]["text"]}
