"""Retrieval quality of the search on a query set with expected provisions.

>>> recall_at_k(["a", "x", "b"], ["a", "b", "c"], 2)
0.3333333333333333
>>> reciprocal_rank(["x", "b"], ["a", "b"])
0.5
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from nlp_toolkit.search.index import Mode, SearchIndex

__all__ = ["answer_refs", "evaluate", "read_queries", "recall_at_k", "reciprocal_rank"]


def answer_refs(record: Mapping[str, Any], key: str = "answers") -> list[str]:
    """Every ref of a record's jurisdiction-grouped answers (``{"CHN": [ref, ...], ...}``,
    the development set's form), in file order, once each (pure).

    >>> answer_refs({"answers": {"CHN": ["a", "b"], "IDN": ["b", "c"]}})
    ['a', 'b', 'c']
    """
    return list(dict.fromkeys(r for refs in record[key].values() for r in refs))


def recall_at_k(ranked: Sequence[str], expected: Sequence[str], k: int) -> float:
    """Share of ``expected`` refs among the first ``k`` of ``ranked`` (pure)."""
    if not expected:
        return 0.0
    top = set(ranked[:k])
    return sum(1 for e in expected if e in top) / len(expected)


def reciprocal_rank(ranked: Sequence[str], expected: Sequence[str]) -> float:
    """``1 / rank`` of the first expected ref in ``ranked``; 0 when none is there (pure)."""
    wanted = set(expected)
    for rank, ref in enumerate(ranked, start=1):
        if ref in wanted:
            return 1.0 / rank
    return 0.0


def read_queries(path: str | Path) -> list[dict[str, Any]]:
    """A JSONL query set: ``id``, ``query``, ``expected`` (refs), optional filters."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def evaluate(index: SearchIndex, queries: Iterable[Mapping[str, Any]], *,
             mode: Mode = "hybrid", k: int = 10, depth: int = 50,
             expand: bool = True) -> dict[str, Any]:
    """Mean recall@k and MRR (over the first ``depth`` results) of a query set.

    Returns:
        ``{"recall@k": float, "mrr": float, "n": int, "per_query": {id: first rank}}``.
    """
    recalls: list[float] = []
    rrs: list[float] = []
    ranks: dict[str, int | None] = {}
    for q in queries:
        found = index.search(q["query"], k=depth, mode=mode, expand=expand,
                             doc=q.get("doc"), jurisdiction=q.get("jurisdiction"))
        refs = [r.ref for r in found]
        recalls.append(recall_at_k(refs, q["expected"], k))
        rr = reciprocal_rank(refs, q["expected"])
        rrs.append(rr)
        ranks[str(q["id"])] = round(1 / rr) if rr else None
    n = len(recalls)
    return {f"recall@{k}": sum(recalls) / n if n else 0.0,
            "mrr": sum(rrs) / n if n else 0.0, "n": n, "per_query": ranks}
