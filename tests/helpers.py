"""Test helpers that go through the product's own code paths."""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

from nlp_toolkit.store import ProvisionRow, Store
from nlp_toolkit.store.fts import match_query
from nlp_toolkit.store.queries import fts_ranking, provision_rows


class Hit(NamedTuple):
    """One full-text match: the provision (with its text) and its BM25 score (higher better)."""

    provision: ProvisionRow
    score: float


def fts_hits(store: Store, query: str, k: int = 10, *, mode: Literal["or", "and"] = "or",
             **filters: Any) -> list[Hit]:
    """The lexical ranking ``search`` runs: ``match_query`` then ``fts_ranking``.

    Raises:
        ValueError: the query has nothing searchable.
    """
    ranked = fts_ranking(store, match_query(query, mode=mode), k, **filters)
    rows = provision_rows(store, [i for i, _ in ranked])
    out = []
    for i, score in ranked:
        full = store.provision(rows[i].ref)
        assert full is not None
        out.append(Hit(full, score))
    return out
