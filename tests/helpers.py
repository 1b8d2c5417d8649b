"""Test helpers that go through the product's own code paths."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, NamedTuple

from nlp_toolkit.extract import read_document
from nlp_toolkit.records import Provision
from nlp_toolkit.segment import segment
from nlp_toolkit.sources.manifest import read_manifest
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


def shared_articles(shared_corpus: Path, doc_id: str) -> list[Provision]:
    """The article-level units of a shared-corpus document, read and segmented as its
    manifest row says."""
    rows = {r.doc_id: r for r in read_manifest(shared_corpus / "manifest.csv").rows}
    row = rows[doc_id]
    doc = read_document(shared_corpus / row.path, row.format, language=row.language)
    return [p for p in segment(row.doc_id, doc, language=row.language, doc_type=row.doc_type)
            if p.level == "article"]
