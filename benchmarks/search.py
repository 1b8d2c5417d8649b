"""Search benchmark: embedding throughput, query latency per mode, quality, ANN vs exact.

Prints, from one run:
  1. provisions/s of our embedding path (sentence-aligned chunks, mean pooling, vectors
     written to SQLite) vs a bare ``SentenceTransformer.encode`` on the same texts;
  2. warm query latency p50/p95 per mode on an embedded index (each query distinct, so the
     encoding is included), and brute-force top-k on a matrix of the full corpus's size;
  3. recall@10 and MRR per mode on a query set (tests/golden/queries.jsonl);
  4. HNSW (hnswlib) recall@10 and latency vs exact on N synthetic vectors (1,000,000 with
     ``--ann-n 1000000``; building that graph takes minutes on 2 cores).

Usage:
    python benchmarks/search.py --db corpus/index.sqlite [--texts 200] [--ann-n 1000000]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from nlp_toolkit.embed import embed_provisions, load_embedder, text_hash
from nlp_toolkit.embedding import embed_input
from nlp_toolkit.rank import AnnIndex, dense_topk
from nlp_toolkit.search import Mode, SearchIndex
from nlp_toolkit.search_eval import evaluate, read_queries
from nlp_toolkit.store import Store
from nlp_toolkit.store.vectors import put_vectors

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "golden" / "queries.jsonl"


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000.0, q))


def bench_embedding(store: Store, n: int) -> None:
    rows = store.conn.execute(
        "SELECT p.heading, substr(d.clean_text, p.char_start + 1, p.char_end - p.char_start) "
        "FROM provisions p JOIN documents d ON d.doc_id = p.doc_id WHERE p.fts = 1 AND "
        "d.language = 'en' ORDER BY p.id LIMIT ?", (n,)).fetchall()
    texts = [embed_input(t, h) for h, t in rows]
    emb = load_embedder("minilm")
    emb.encode(["warm up"])
    model = emb._load()  # type: ignore[attr-defined]
    t = time.perf_counter()
    model.encode(texts, batch_size=64, show_progress_bar=False, convert_to_numpy=True)
    bare = time.perf_counter() - t
    with Store.open(":memory:") as scratch:
        t = time.perf_counter()
        vecs = embed_provisions(texts, emb, batch_size=64)
        put_vectors(scratch, emb.model_id, {text_hash(x, emb.model_id): v
                                            for x, v in zip(texts, vecs, strict=True)})
        ours = time.perf_counter() - t
    chars = sum(len(x) for x in texts) / len(texts)
    print(f"embedding {len(texts)} English main units (mean {chars:.0f} chars), minilm:")
    print(f"  bare SentenceTransformer.encode (truncates at 256 tokens): "
          f"{len(texts) / bare:7.1f} provisions/s")
    print(f"  our embed (chunks + mean pooling + SQLite write):          "
          f"{len(texts) / ours:7.1f} provisions/s")


def bench_queries(store: Store, queries: list[dict], n_full: int) -> None:
    index = SearchIndex(store)
    print(f"models: {', '.join(index.models())}; "
          f"vectors: {', '.join(f'{m}={len(index.matrix(m))}' for m in index.models())}")
    index.search("warm up the models", k=10)
    for mode in ("lexical", "dense", "hybrid"):
        times = []
        for i, q in enumerate(queries):
            text = f"{q['query']} {mode[0]}{i}" if mode != "lexical" else q["query"]
            t = time.perf_counter()
            index.search(text, k=10, mode=mode)
            times.append(time.perf_counter() - t)
        print(f"  {mode:8s} query latency (incl. encoding) p50 {_pct(times, 50):6.1f} ms, "
              f"p95 {_pct(times, 95):6.1f} ms over {len(times)} queries")
    for model_id in index.models():
        enc = []
        emb = index._embedder(model_id)
        for i, q in enumerate(queries):
            t = time.perf_counter()
            emb.encode([f"{q['query']} #{i}"])
            enc.append(time.perf_counter() - t)
        print(f"  query encoding {model_id}: p50 {_pct(enc, 50):.1f} ms, "
              f"p95 {_pct(enc, 95):.1f} ms")
    rng = np.random.default_rng(0)
    mat = rng.standard_normal((n_full, 512)).astype(np.float32)
    mat /= np.linalg.norm(mat, axis=1, keepdims=True)
    times = []
    for _ in range(50):
        vec = rng.standard_normal(512).astype(np.float32)
        t = time.perf_counter()
        dense_topk(vec, mat, 100)
        times.append(time.perf_counter() - t)
    print(f"  brute-force top-100 over {n_full} x 512 float32 (full-corpus size): "
          f"p50 {_pct(times, 50):.1f} ms, p95 {_pct(times, 95):.1f} ms")


def bench_quality(store: Store, queries: list[dict]) -> None:
    held = {r[0] for r in store.conn.execute("SELECT ref FROM provisions")}
    usable = [q for q in queries if all(e in held for e in q["expected"])]
    print(f"quality on {len(usable)}/{len(queries)} queries whose expected refs are indexed:")
    index = SearchIndex(store)
    modes: tuple[Mode, ...] = ("lexical", "dense", "hybrid")
    for mode in modes:
        r = evaluate(index, usable, mode=mode, k=10)
        missed = {k: v for k, v in r["per_query"].items() if v is None or v > 10}
        print(f"  {mode:8s} recall@10 {r['recall@10']:.3f}  MRR {r['mrr']:.3f}  "
              f"first hit beyond 10: {missed}")


def bench_ann(n: int, dim: int = 384, n_queries: int = 200) -> None:
    rng = np.random.default_rng(1)
    centers = rng.standard_normal((1000, dim)).astype(np.float32)
    data = centers[rng.integers(0, 1000, n)] + 0.6 * rng.standard_normal((n, dim)).astype(
        np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    queries = data[rng.choice(n, n_queries, replace=False)] + 0.1 * rng.standard_normal(
        (n_queries, dim)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    t = time.perf_counter()
    exact, _ = dense_topk(queries, data, 10)
    exact_s = (time.perf_counter() - t) / n_queries
    t = time.perf_counter()
    ann = AnnIndex(dim, m=16, ef_construction=100, ef_search=200).build(data)
    build_s = time.perf_counter() - t
    lat = []
    found = np.empty_like(exact)
    for i in range(n_queries):
        t = time.perf_counter()
        found[i], _ = ann.search(queries[i], 10)
        lat.append(time.perf_counter() - t)
    recall = statistics.mean(len(set(found[i]) & set(exact[i])) / 10 for i in range(n_queries))
    print(f"ANN on {n} synthetic {dim}-d vectors (1,000 clusters): build {build_s:.0f} s; "
          f"recall@10 {recall:.3f}; HNSW p50 {_pct(lat, 50):.2f} ms p95 {_pct(lat, 95):.2f} ms"
          f" vs exact {exact_s * 1000:.1f} ms/query (batched)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=Path("corpus/index.sqlite"))
    ap.add_argument("--texts", type=int, default=200, help="texts for the embedding bench")
    ap.add_argument("--full-size", type=int, default=0,
                    help="rows of the full-size brute-force test [default: main units]")
    ap.add_argument("--ann-n", type=int, default=1_000_000, help="synthetic ANN vectors")
    ap.add_argument("--skip", nargs="*", default=[],
                    choices=["embedding", "queries", "quality", "ann"])
    args = ap.parse_args()
    queries = read_queries(GOLDEN)
    with Store.open(args.db, create=False) as store:
        n_full = args.full_size or int(store.conn.execute(
            "SELECT count(*) FROM provisions WHERE fts = 1").fetchone()[0])
        if "embedding" not in args.skip:
            bench_embedding(store, args.texts)
        if "queries" not in args.skip:
            bench_queries(store, queries, n_full)
        if "quality" not in args.skip:
            bench_quality(store, queries)
    if "ann" not in args.skip:
        bench_ann(args.ann_n)


if __name__ == "__main__":
    main()
