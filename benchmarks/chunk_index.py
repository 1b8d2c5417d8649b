"""Chunk study: pool a long provision's chunk vectors, or index each chunk on its own?

A provision longer than the model's window is cut into sentence-aligned chunks. The
shipped embed stage pools them into one vector per provision (mean). The alternative is
to index every chunk and score a provision by its best chunk (max over chunks). This
benchmark measures both on an embedded index, with the index's own query set, in dense and
hybrid mode, for several chunk windows:

  shipped     the vectors in the index (mean-pooled at the model's window);
  mean@W      chunks of at most W characters, mean-pooled into one vector per provision;
  max@W       every chunk of at most W characters indexed; a provision scores its best chunk;
  both@W      a provision scores the better of its shipped vector and its best chunk.

Provisions no longer than W are one chunk, so their vector is the shipped one; only the
chunks of longer provisions are embedded (cached in ``--cache`` for re-runs).

Usage:
    python benchmarks/chunk_index.py --db corpus/index.sqlite [--windows 1000 2000]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from nlp_toolkit.build.embed import MAX_EMBED_CHARS, embed_input
from nlp_toolkit.embed import load_embedder
from nlp_toolkit.embed.chunking import chunk_text
from nlp_toolkit.search.evaluation import evaluate, read_queries
from nlp_toolkit.search.index import SearchIndex
from nlp_toolkit.store import Store
from nlp_toolkit.store.vectors import VectorMatrix, iter_unembedded_units

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "golden" / "queries.jsonl"


class _Variant(SearchIndex):
    """A search index whose dense scores for one model's long provisions come from their
    chunk vectors: pooled (``mean``), the best chunk (``max``), or the better of the best
    chunk and the shipped vector (``both``)."""

    def __init__(self, store: Store, *, model_id: str, rows: np.ndarray,
                 chunks: np.ndarray, how: str, embedders: Mapping[str, Any]) -> None:
        super().__init__(store, models=[model_id], embedders=embedders)
        self._variant = (model_id, rows, chunks, how)
        # mean: one pooled, re-normalised vector per long provision (matrix row)
        self._long, slot = np.unique(rows, return_inverse=True)
        pooled = np.zeros((len(self._long), chunks.shape[1]), dtype=np.float32)
        np.add.at(pooled, slot, chunks)
        self._pooled = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True),
                                           1e-12)

    def _dense_ranking(self, vm: VectorMatrix, text: str, depth: int,
                       mask: np.ndarray | None) -> list[int]:
        model_id, rows, chunks, how = self._variant
        if vm.model_id != model_id:
            return super()._dense_ranking(vm, text, depth, mask)
        vec = self.query_vector(model_id, text)
        scores = vm.matrix @ vec
        if how == "mean":
            scores[self._long] = self._pooled @ vec
        else:
            best = np.full(len(vm), -np.inf, dtype=np.float32)
            np.maximum.at(best, rows, chunks @ vec)
            scores = (np.where(np.isfinite(best), best, scores) if how == "max"
                      else np.maximum(scores, best))
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        idx = np.argsort(-scores, kind="stable")[:depth]
        return [int(vm.ids[i]) for i in idx]


def _long_chunks(store: Store, window: int) -> dict[int, list[str]]:
    """Chunk texts of every main unit longer than ``window``, by provision id."""
    out: dict[int, list[str]] = {}
    # no unit has a vector of a model by this name, so every main unit comes back
    for page in iter_unembedded_units(store, "\0no-model"):
        for u in page:
            text = embed_input(u.text, u.heading)[:MAX_EMBED_CHARS]
            if len(text) > window:
                out[u.id] = [text[s:e] for s, e in chunk_text(text, max_chars=window)]
    return out


def _chunk_vectors(embedder: Any, chunks: dict[int, list[str]], cache: Path | None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """``(owner ids, vectors)`` of every chunk, from the cache when it holds them."""
    owners = np.asarray([pid for pid, parts in chunks.items() for _ in parts], dtype=np.int64)
    texts = [t for parts in chunks.values() for t in parts]
    if cache is not None and cache.exists():
        got = np.load(cache)
        if np.array_equal(got["owners"], owners):
            return owners, got["vectors"]
    t0 = time.perf_counter()
    vecs = embedder.encode(texts, batch_size=64)
    print(f"    embedded {len(texts):,} chunks ({sum(map(len, texts)):,} chars) in "
          f"{time.perf_counter() - t0:.0f} s", flush=True)
    if cache is not None:
        np.savez(cache, owners=owners, vectors=vecs)
    return owners, vecs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=Path("corpus/index.sqlite"))
    ap.add_argument("--model", default="use-m3", help="a model whose vectors the index holds")
    ap.add_argument("--windows", type=int, nargs="+", default=[1000, 2000],
                    help="chunk windows in characters")
    ap.add_argument("--queries", type=Path, default=GOLDEN)
    ap.add_argument("--cache", type=Path, default=None,
                    help="folder for chunk vectors, so a re-run embeds nothing")
    args = ap.parse_args()
    queries = read_queries(args.queries)
    embedder = load_embedder(args.model)
    with Store.open(args.db, create=False) as store:
        base = SearchIndex(store, models=[args.model], embedders={args.model: embedder})
        held = {r[0] for r in store.conn.execute("SELECT ref FROM provisions")}
        usable = [q for q in queries if all(e in held for e in q["expected"])]
        vm = base.matrix(embedder.model_id)
        pos = {int(i): n for n, i in enumerate(vm.ids.tolist())}
        print(f"{len(usable)} queries, {len(vm):,} provisions with {embedder.model_id} "
              f"vectors (shipped window {embedder.max_chars} chars)")
        print(f"{'variant':12s} {'long units':>10s} {'chunks':>8s}  "
              f"{'dense R@10':>10s} {'MRR':>6s}  {'hybrid R@10':>11s} {'MRR':>6s}")

        def report(name: str, index: SearchIndex, n_long: int, n_chunks: int) -> None:
            d = evaluate(index, usable, mode="dense")
            h = evaluate(index, usable, mode="hybrid")
            print(f"{name:12s} {n_long:>10,} {n_chunks:>8,}  {d['recall@10']:>10.3f} "
                  f"{d['mrr']:>6.3f}  {h['recall@10']:>11.3f} {h['mrr']:>6.3f}", flush=True)

        report("shipped", base, 0, 0)
        for window in args.windows:
            chunks = _long_chunks(store, window)
            chunks = {pid: parts for pid, parts in chunks.items() if pid in pos}
            cache = (args.cache / f"{embedder.model_id}-{window}.npz"
                     if args.cache is not None else None)
            if cache is not None:
                cache.parent.mkdir(parents=True, exist_ok=True)
            owners, vecs = _chunk_vectors(embedder, chunks, cache)
            rows = np.asarray([pos[int(o)] for o in owners], dtype=np.int64)
            n_chunks = len(owners)
            for how in ("mean", "max", "both"):
                report(f"{how}@{window}", _Variant(
                    store, model_id=embedder.model_id, rows=rows, chunks=vecs, how=how,
                    embedders={args.model: embedder}), len(chunks), n_chunks)


if __name__ == "__main__":
    main()
