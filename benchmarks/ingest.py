"""Benchmark ``ingest`` against a bare pdfplumber loop, and a second, unchanged ingest.

Run from the project folder (takes minutes on the full shared PDFs)::

    python benchmarks/ingest.py [--manifest ../shared/corpus/manifest.csv] [--formats pdf]
                                [--workers N] [--limit N]

Prints pages/s of ``ingest`` (worker processes, one per core by default) and of a single
process ``page.extract_text()`` loop over the same files, their ratio, and the time of a
second ingest of the unchanged files (and its share of the first).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from nlp_toolkit.build.ingest import ingest
from nlp_toolkit.sources.manifest import ManifestRow, read_manifest
from nlp_toolkit.store import Store

REPO = Path(__file__).resolve().parents[1]


def bare_pdfplumber(rows: list[ManifestRow]) -> tuple[int, float]:
    """Pages read and seconds taken by ``page.extract_text()`` over every page, one process."""
    import pdfplumber

    pages = 0
    t0 = time.perf_counter()
    for row in rows:
        try:
            with pdfplumber.open(row.file) as pdf:
                for page in pdf.pages:
                    page.extract_text()
                    page.close()
                    pages += 1
        except Exception as exc:  # a damaged file must not stop the benchmark
            print(f"  pdfplumber: {row.path}: {type(exc).__name__}", file=sys.stderr)
    return pages, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path,
                        default=REPO.parent / "shared" / "corpus" / "manifest.csv")
    parser.add_argument("--formats", default="pdf", help="comma-separated formats to include")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--limit", type=int, default=None, help="at most this many files")
    parser.add_argument("--skip-bare", action="store_true", help="skip the pdfplumber loop")
    args = parser.parse_args(argv)

    formats = set(args.formats.split(","))
    manifest = read_manifest(args.manifest)
    rows = [r for r in manifest.rows if r.fmt in formats][: args.limit]
    print(f"{len(rows)} files ({args.formats}) from {args.manifest}, {args.workers} workers")

    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "bench.sqlite") as store:
        first = ingest(rows, store, workers=args.workers)
        second = ingest(rows, store, workers=args.workers)
        db_mb = (Path(tmp) / "bench.sqlite").stat().st_size / 1e6
    print(f"ingest, first:   {first.summary()}")
    for failure in first.failures:
        print(f"  {failure.kind}: {failure.line()}")
    rate = first.pages / first.seconds if first.seconds else 0.0
    print(f"ingest:          {rate:.1f} pages/s ({first.pages} pages, {first.seconds:.1f} s); "
          f"index {db_mb:.1f} MB")
    share = 100 * second.seconds / first.seconds if first.seconds else 0.0
    print(f"ingest, second:  {second.seconds:.2f} s for {len(second.skipped)} unchanged files "
          f"= {share:.2f}% of the first")
    if "pdf" in formats and not args.skip_bare:
        pdf_rows = [r for r in rows if r.fmt == "pdf"]
        pages, secs = bare_pdfplumber(pdf_rows)
        bare = pages / secs if secs else 0.0
        print(f"bare pdfplumber: {bare:.1f} pages/s ({pages} pages, {secs:.1f} s, 1 process)")
        if bare:
            print(f"ratio ingest/bare: {rate / bare:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
