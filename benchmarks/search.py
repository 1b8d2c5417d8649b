"""Search benchmark: embedding throughput, query latency per mode, quality, ANN vs exact.

Prints, from one run:
  1. provisions/s of our embedding path (sentence-aligned chunks, mean pooling, vectors
     written to SQLite) vs a bare ``SentenceTransformer.encode`` on the same texts;
  2. warm query latency p50/p95 per mode on an embedded index (each query distinct, so the
     encoding is included); where the index holds MiniLM vectors, hybrid latency with and
     without MiniLM in the national ranking, interleaved query by query (the baseline from
     the same run); and brute-force top-k on a matrix of the full corpus's size;
  3. recall@10 and MRR per mode on a query set (tests/golden/queries.jsonl);
  4. HNSW (hnswlib) recall@10, build time, memory and latency vs exact on N synthetic
     vectors shaped like real embeddings (perturbed copies of the index's use-m3 vectors;
     1,000,000 by default, a few minutes to build on 2 cores);
  5. with ``--dev-half test``: the untouched half of the project's development questions
     (``corpus/dev/``): recall@10, MRR@10 and recall@50 per language and question style,
     and ``similar`` counterparts, before (old design), after (the default), and with the
     opt-in learned re-ranker.

Usage:
    python benchmarks/search.py --db corpus/index.sqlite [--texts 200] [--ann-n 1000000]
    python benchmarks/search.py --db corpus/index.sqlite --skip embedding ann --dev-half test
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from nlp_toolkit.build.embed import embed_input
from nlp_toolkit.defaults import E5_ID, MINILM_ID
from nlp_toolkit.embed import embed_provisions, encode_queries, load_embedder, text_hash
from nlp_toolkit.search.evaluation import evaluate, read_queries
from nlp_toolkit.search.index import Mode, SearchIndex
from nlp_toolkit.search.rank import AnnIndex, dense_topk
from nlp_toolkit.search.rerank import default_reranker
from nlp_toolkit.store import Store
from nlp_toolkit.store.vectors import load_matrix, model_ids, put_vectors

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


def paired_national(store: Store, index: SearchIndex, queries: list[dict], repeats: int,
                    shipped: Any) -> None:
    """Hybrid latency with and without MiniLM in the national ranking, interleaved query by
    query in one process (the machine's load drifts between runs more than the difference)."""
    without = SearchIndex(store)
    without.national_models = tuple(m for m in index.national_models if m != MINILM_ID)
    without.search("warm up the models", k=10)
    for rerank in (False, True):
        times: dict[str, list[float]] = {"without MiniLM": [], "with MiniLM": []}
        for idx in (index, without):
            idx.reranker = shipped if rerank else None
        for rep in range(repeats):
            for i, q in enumerate(queries):
                for label, idx in (("without MiniLM", without), ("with MiniLM", index)):
                    text = f"{q['query']} zp{int(rerank)}{rep}x{i}{label[:2]}"
                    t = time.perf_counter()
                    idx.search(text, k=10)
                    times[label].append(time.perf_counter() - t)
        print(f"  hybrid{' + re-ranker' if rerank else ''}, national ranking paired: " + "; ".join(
            f"{label} p50 {_pct(v, 50):.1f} ms, p95 {_pct(v, 95):.1f} ms"
            for label, v in times.items()))
    index.reranker = None


def bench_queries(store: Store, queries: list[dict], n_full: int, repeats: int = 3) -> None:
    index = SearchIndex(store)
    print(f"models: {', '.join(index.models())}; "
          f"vectors: {', '.join(f'{m}={len(index.matrix(m))}' for m in index.models())}")
    index.search("warm up the models", k=10)
    for q in queries:  # warm the document-text cache as a long-running service would be
        index.search(q["query"], k=10, mode="lexical")
    print(f"  load average before timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
          "(wall time waits for busy cores; CPU time does not)")
    shipped = default_reranker()
    # hybrid (the default, fused order) and with the opt-in learned re-ranker, in one run
    runs: tuple[tuple[str, Mode, bool], ...] = (
        ("lexical", "lexical", False), ("dense", "dense", False),
        ("hybrid", "hybrid", False), ("hybrid + re-ranker", "hybrid", True))
    for label, mode, rerank in runs:
        index.reranker = shipped if rerank else None
        times, cpu = [], []
        for rep in range(repeats):
            for i, q in enumerate(queries):
                # a word of its own makes every query distinct: no cached vector or ranking
                text = f"{q['query']} zq{mode[0]}{int(rerank)}{rep}x{i}"
                t, c = time.perf_counter(), time.process_time()
                index.search(text, k=10, mode=mode)
                times.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
        print(f"  {label:8s} query latency (incl. encoding) wall p50 {_pct(times, 50):6.1f} ms, "
              f"p95 {_pct(times, 95):6.1f} ms; CPU p50 {_pct(cpu, 50):6.1f} ms, "
              f"p95 {_pct(cpu, 95):6.1f} ms over {len(times)} queries")
    if MINILM_ID in model_ids(store):
        paired_national(store, index, queries, repeats, shipped)
    national = [E5_ID] if E5_ID in model_ids(store) else []  # the national ranking's model
    for model_id in [*index.models(), *national]:
        enc = []
        emb = index._embedder(model_id)  # the query-time embedder (one thread)
        for i, q in enumerate(queries):
            t = time.perf_counter()
            encode_queries(emb, [f"{q['query']} #{i}"])
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


def _rss_mb() -> float:
    """This process's resident memory (Linux), in MiB."""
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def synthetic_vectors(n: int, n_queries: int, seed_vectors: np.ndarray | None, dim: int = 512,
                      spread: float = 0.5, seed: int = 1) -> tuple[np.ndarray, np.ndarray, str]:
    """``n`` unit vectors and ``n_queries`` held-out query vectors that look like embeddings.

    Uniform random vectors are pathological for any ANN index (every point is about equally
    far from every other); real sentence embeddings lie near a low-dimensional, clustered
    set. With ``seed_vectors`` (the index's real vectors) each synthetic vector is a real
    one plus Gaussian noise shaped like the real data's covariance (principal axes scaled by
    ``spread`` times their standard deviations); otherwise a mixture of 2,000 Gaussian
    clusters whose covariance has a power-law spectrum. Queries are drawn the same way and
    are not in the data set.
    """
    rng = np.random.default_rng(seed)
    if seed_vectors is not None:
        base = np.asarray(seed_vectors, dtype=np.float32)
        sample = base[rng.choice(len(base), min(len(base), 20_000), replace=False)]
        _, sv, axes = np.linalg.svd(sample - sample.mean(axis=0), full_matrices=False)
        scale = (spread * sv / np.sqrt(len(sample))).astype(np.float32)
        what = (f"{len(base):,} real use-m3 vectors of the index, each copy plus Gaussian noise "
                f"along the data's principal axes ({spread} x their std)")
    else:
        base = rng.standard_normal((2_000, dim)).astype(np.float32)
        axes = np.linalg.qr(rng.standard_normal((dim, dim)))[0].T.astype(np.float32)
        scale = (0.8 * np.arange(1, dim + 1) ** -0.5).astype(np.float32)
        what = "a mixture of 2,000 Gaussian clusters with a power-law covariance spectrum"
    base = base / np.linalg.norm(base, axis=1, keepdims=True)
    total = n + n_queries
    out = np.empty((total, base.shape[1]), dtype=np.float32)
    for start in range(0, total, 100_000):
        m = min(100_000, total - start)
        noise = (rng.standard_normal((m, len(scale))).astype(np.float32) * scale) @ axes
        block = base[rng.integers(0, len(base), m)] + noise
        out[start:start + m] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out[:n], out[n:], what


def bench_ann(n: int, seed_vectors: np.ndarray | None, *, m: int, ef_construction: int,
              ef_search: tuple[int, ...], n_queries: int = 200) -> None:
    data, queries, what = synthetic_vectors(n, n_queries, seed_vectors)
    print(f"ANN (hnswlib HNSW, float32, 2 threads) on {n:,} synthetic {data.shape[1]}-d vectors: "
          f"{what}; {n_queries} held-out queries")
    t = time.perf_counter()
    exact, _ = dense_topk(queries, data, 10)
    batched = (time.perf_counter() - t) / n_queries
    single = []
    for q in queries[:20]:
        t = time.perf_counter()
        dense_topk(q, data, 10)
        single.append(time.perf_counter() - t)
    print(f"  exact (brute force): one query p50 {_pct(single, 50):.1f} ms, "
          f"p95 {_pct(single, 95):.1f} ms; batched {batched * 1000:.1f} ms/query; "
          f"vectors {data.nbytes / 2**20:,.0f} MiB")
    rss = _rss_mb()
    t, cpu = time.perf_counter(), time.process_time()
    ann = AnnIndex(data.shape[1], m=m, ef_construction=ef_construction).build(data)
    build_s, cpu_s = time.perf_counter() - t, time.process_time() - cpu
    print(f"  HNSW M={m} ef_construction={ef_construction}: build {build_s:.0f} s wall, "
          f"{cpu_s:.0f} s CPU over 2 threads (load average {os.getloadavg()[0]:.1f}), "
          f"graph memory +{_rss_mb() - rss:,.0f} MiB")
    for ef in ef_search:
        ann.ef_search = ef
        lat = []
        found = np.empty_like(exact)
        for i in range(n_queries):
            t = time.perf_counter()
            found[i], _ = ann.search(queries[i], 10)
            lat.append(time.perf_counter() - t)
        recall = statistics.mean(len(set(found[i]) & set(exact[i])) / 10
                                 for i in range(n_queries))
        print(f"  ef_search={ef:4d}: recall@10 {recall:.3f}; one query p50 {_pct(lat, 50):.2f} ms"
              f", p95 {_pct(lat, 95):.2f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=Path("corpus/index.sqlite"))
    ap.add_argument("--texts", type=int, default=200, help="texts for the embedding bench")
    ap.add_argument("--full-size", type=int, default=0,
                    help="rows of the full-size brute-force test [default: main units]")
    ap.add_argument("--ann-n", type=int, default=1_000_000, help="synthetic ANN vectors")
    ap.add_argument("--ann-m", type=int, default=16, help="HNSW graph degree M")
    ap.add_argument("--ann-efc", type=int, default=64, help="HNSW ef_construction")
    ap.add_argument("--ann-ef", type=int, nargs="+", default=[50, 100, 200],
                    help="HNSW ef_search values to measure")
    ap.add_argument("--skip", nargs="*", default=[],
                    choices=["embedding", "queries", "quality", "ann"])
    ap.add_argument("--dev-half", choices=["tune", "test", "both"],
                    help="also the project's development questions and similar groups "
                         "(corpus/dev/) of this half: recall@10, MRR@10 and recall@50 per "
                         "language and question style, before (old design; page design "
                         "without the re-ranker) and after, from one run "
                         "(benchmarks/search_dev.py)")
    args = ap.parse_args()
    queries = read_queries(GOLDEN)
    seeds = None
    with Store.open(args.db, create=False) as store:
        if "ann" not in args.skip and "use-m3" in model_ids(store):
            seeds = load_matrix(store, "use-m3").matrix
        n_full = args.full_size or int(store.conn.execute(
            "SELECT count(*) FROM provisions WHERE fts = 1").fetchone()[0])
        if "embedding" not in args.skip:
            bench_embedding(store, args.texts)
        if "queries" not in args.skip:
            bench_queries(store, queries, n_full)
        if "quality" not in args.skip:
            bench_quality(store, queries)
    if "ann" not in args.skip:
        bench_ann(args.ann_n, seeds, m=args.ann_m, ef_construction=args.ann_efc,
                  ef_search=tuple(args.ann_ef))
    if args.dev_half:
        from search_dev import report  # benchmarks/search_dev.py, beside this script

        report(args.db, args.dev_half, baseline=True)


if __name__ == "__main__":
    main()
