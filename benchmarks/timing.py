"""Wall-clock limits that used to sit in unit tests, checked here instead.

A unit test's verdict should not depend on how busy the machine is; these figures do. Each
check prints its time and its limit, and the script exits 1 when one is over:
  1. the whole ToTA corpus (450 XML files) reads in under 120 s;
  2. an entity-expansion ("billion laughs") XML is refused in under 5 s;
  3. warm queries (cached query vector: fused ranking and row fetch only) take under 0.5 s
     each, on an index with use-m3 vectors (``--db``);
  4. near-duplicate families over the ToTA articles of an index take under 30 s (``--db``).

Usage:
    python benchmarks/timing.py [--corpus ../shared/corpus] [--db corpus/index.sqlite]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from pathlib import Path

from nlp_toolkit.errors import ExtractionError
from nlp_toolkit.extract import read_document
from nlp_toolkit.extract.tota import read_tota


def _check(name: str, seconds: float, limit: float) -> bool:
    ok = seconds < limit
    print(f"{name}: {seconds:.3f} s (limit {limit:g} s) {'ok' if ok else 'OVER'}")
    return ok


def tota_corpus(corpus: Path) -> bool:
    paths = sorted((corpus / "tota").glob("pta_*.xml"))
    started = time.perf_counter()
    for p in paths:
        read_tota(p)
    return _check(f"read {len(paths)} ToTA files", time.perf_counter() - started, 120)


def entity_bomb() -> bool:
    entities = "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10))
    xml = (f'<?xml version="1.0"?><!DOCTYPE treaty [{entities}]><treaty><meta><name>A - B'
           '</name><language>en</language></meta><body><chapter name="X" '
           'chapter_identifier="1"><article article_identifier="2">&lol9;</article></chapter>'
           '</body></treaty>')
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bomb.xml"
        path.write_text(xml, "utf-8")
        started = time.perf_counter()
        with contextlib.suppress(ExtractionError):
            read_document(path)
        return _check("refuse an entity bomb", time.perf_counter() - started, 5)


def warm_queries(db: Path) -> bool:
    from nlp_toolkit.search.index import SearchIndex
    from nlp_toolkit.store import Store

    with Store.open(db) as store:
        index = SearchIndex(store, models=["use-m3"])
        index.search("transfer abroad", k=10)  # load model and matrix
        times = []
        for q in ["cross-border data flows", "withdrawal of consent", "data breach notice"]:
            index.search(q, k=10)  # encode once
            t = time.perf_counter()
            index.search(q, k=10)
            times.append(time.perf_counter() - t)
    return _check("slowest warm query", max(times), 0.5)


def families(db: Path) -> bool:
    from nlp_toolkit.analysis.transplants import duplicate_families, family_records
    from nlp_toolkit.store import Store

    with Store.open(db) as store:
        started = time.perf_counter()
        family_records(store, duplicate_families(store, threshold=0.8))
        return _check("near-duplicate families", time.perf_counter() - started, 30)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    ap.add_argument("--db", type=Path, help="an index with use-m3 vectors and ToTA articles")
    args = ap.parse_args()
    results = [tota_corpus(args.corpus), entity_bomb()]
    if args.db is not None:
        results += [warm_queries(args.db), families(args.db)]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
