"""Fast-mode benchmark: static (model2vec) embeddings vs MiniLM, speed and retrieval quality.

Prints, from one run:
  1. texts/s of the fast model and of MiniLM (``SentenceTransformerEmbedder``) on the same
     sample of English main units of ``--db``, through the embed stage's path
     (``embed_provisions``: sentence-aligned chunks, mean pooling), and their ratio; the
     machine's load average before and after, since other jobs skew both numbers;
  2. with ``--quality-db``: recall@10 and MRR in dense mode on tests/golden/queries.jsonl for
     fast, minilm and use-m3 (all queries, and English queries only). Fast and minilm
     vectors are added to that index first (it is written to: pass a copy).

Usage:
    python benchmarks/fast_embed.py --db corpus/index.sqlite [--texts 5000] \\
        [--quality-db /tmp/eval.sqlite]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

from nlp_toolkit.build.embed import embed_input, embed_store
from nlp_toolkit.embed import Embedder, embed_provisions, load_embedder
from nlp_toolkit.search.evaluation import evaluate, read_queries
from nlp_toolkit.search.index import SearchIndex
from nlp_toolkit.store import Store

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "golden" / "queries.jsonl"


def sample_texts(db: Path, n: int, seed: int = 0) -> list[str]:
    """``n`` embed inputs of English main units, a seeded random sample."""
    with Store.open(db) as store:
        rows = store.conn.execute(
            "SELECT substr(d.clean_text, p.char_start + 1, p.char_end - p.char_start), "
            "p.heading FROM provisions p JOIN documents d ON d.doc_id = p.doc_id "
            "WHERE p.fts = 1 AND d.language = 'en' ORDER BY p.id").fetchall()
    texts = [embed_input(t, h) for t, h in rows if t.strip()]
    random.Random(seed).shuffle(texts)
    return texts[:n]


def time_embedder(emb: Embedder, texts: list[str]) -> float:
    """Seconds to embed ``texts`` as the embed stage does (model loaded beforehand)."""
    emb.encode(["warm up"])
    start = time.perf_counter()
    embed_provisions(texts, emb, batch_size=64)
    return time.perf_counter() - start


def bench_speed(db: Path, n: int) -> None:
    texts = sample_texts(db, n)
    chars = sum(len(t) for t in texts) / max(len(texts), 1)
    print(f"speed: {len(texts)} English main units (mean {chars:.0f} chars), "
          f"load average before {os.getloadavg()[0]:.2f}")
    fast = time_embedder(load_embedder("fast"), texts)
    minilm = time_embedder(load_embedder("minilm"), texts)
    print(f"  fast   {len(texts) / fast:10.1f} texts/s  ({fast:.2f} s)")
    print(f"  minilm {len(texts) / minilm:10.1f} texts/s  ({minilm:.2f} s)")
    print(f"  ratio  {minilm / fast:10.1f}x   (load average after {os.getloadavg()[0]:.2f})")


def bench_quality(db: Path) -> None:
    queries = read_queries(GOLDEN)
    english = [q for q in queries if q.get("query_language", "en") == "en"]
    with Store.open(db) as store:
        for name in ("fast", "minilm"):
            print(f"  embedded: {embed_store(store, load_embedder(name)).summary()}")
        print(f"quality (dense, {len(queries)} queries / {len(english)} English):")
        for name in ("fast", "minilm", "use-m3"):
            index = SearchIndex(store, models=[name])
            every = evaluate(index, queries, mode="dense")
            en = evaluate(index, english, mode="dense")
            print(f"  {name:7s} recall@10 {every['recall@10']:.3f} MRR {every['mrr']:.3f}"
                  f"  | English recall@10 {en['recall@10']:.3f} MRR {en['mrr']:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="Index to sample texts from.")
    parser.add_argument("--texts", type=int, default=5000, help="How many texts to embed.")
    parser.add_argument("--quality-db", type=Path,
                        help="An index holding the query set's documents (written to).")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    bench_speed(args.db, args.texts)
    if args.quality_db is not None:
        bench_quality(args.quality_db)


if __name__ == "__main__":
    main()
