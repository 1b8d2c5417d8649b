"""Nothing lost, end to end: ingest a subset of the shared corpus, read it back from the
index, and check that every character of every document's clean text belongs to exactly
one provision's own part, and that provisions are identical across re-ingests.

A provision's *own part* is its text before its first child (all of it when it has none);
the own parts of a document's provisions must tile its clean text without gap or overlap.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nlp_toolkit.corpus import Corpus
from nlp_toolkit.store import Store

PDFS = ("tha-cybersecurity-act-2019-en", "mys-pdpa-amendment-2024", "mys-pdpa-2010-as-enacted")
#: Re-read in the forced re-ingest (with every non-PDF document): the cheapest PDF, to stay fast.
REREAD_PDF = "mys-pdpa-amendment-2024"
MARKDOWN = ("chn-pipl-2021", "wto-jsi-ecommerce-2024")
N_MD, N_TOTA = 4, 20

Snapshot = dict[str, list[tuple[object, ...]]]


def subset_manifest(shared: Path, out: Path) -> list[str]:
    """Copy a small, varied subset of the corpus under ``out`` with its own manifest."""
    rows = list(csv.DictReader(io.StringIO((shared / "manifest.csv").read_text("utf-8"))))
    md = [r for r in rows if r["doc_id"] in MARKDOWN]
    md += [r for r in rows if r["path"].endswith(".md") and r not in md][: N_MD - len(md)]
    tota = [r for r in rows if r["path"].endswith(".xml")][:N_TOTA]
    pdf = [r for r in rows if r["doc_id"] in PDFS]
    chosen = pdf + md + tota
    assert len(pdf) == len(PDFS) and len(md) == N_MD and len(tota) == N_TOTA, (
        "the shared corpus lacks documents this test expects; is ../shared up to date?")
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(chosen)
    (out / "manifest.csv").write_text(buf.getvalue(), encoding="utf-8")
    for row in chosen:  # a copy: the manifest's root must hold the files themselves
        (out / row["path"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shared / row["path"], out / row["path"])
    return [r["doc_id"] for r in chosen]


def own_parts_problems(doc_id: str, clean: str, provisions: list[tuple[str, str | None, int, int]]
                       ) -> list[str]:
    """Where the own parts of ``(ref, parent_ref, start, end)`` do not tile ``clean`` once."""
    first_child: dict[str, int] = {}
    for _ref, parent, start, _ in provisions:
        if parent is not None and parent not in first_child:
            first_child[parent] = start
    parts = sorted((start, first_child.get(ref, end), ref) for ref, _, start, end in provisions)
    problems, pos = [], 0
    for start, end, ref in parts:
        if start != pos:
            kind = "gap" if start > pos else "overlap"
            problems.append(f"{doc_id}: {kind} at {min(pos, start)}..{max(pos, start)} "
                            f"before {ref}")
        if end < start:
            problems.append(f"{doc_id}: {ref} ends before it starts")
        pos = max(pos, end)
    if pos != len(clean):
        problems.append(f"{doc_id}: text {pos}..{len(clean)} belongs to no provision")
    return problems


def snapshot(db: Path) -> Snapshot:
    """Each document's provisions as ``(ref, level, start, end, parent)``, in order."""
    out: Snapshot = {}
    with Store.open(db, create=False) as store:
        for p in store.provisions():
            out.setdefault(p.doc_id, []).append(
                (p.ref, p.level, p.char_start, p.char_end, p.parent_ref))
    return out


@pytest.mark.slow
def test_every_character_in_one_provision_and_stable_counts(tmp_path: Path,
                                                            shared_corpus: Path) -> None:
    doc_ids = subset_manifest(shared_corpus, tmp_path)
    manifest, db = tmp_path / "manifest.csv", tmp_path / "index.sqlite"
    exe = str(Path(sys.executable).with_name("nlp-toolkit"))
    done = subprocess.run([exe, "ingest", "--manifest", str(manifest), "--db", str(db),
                           "--workers", "2", "--quiet"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr

    problems: list[str] = []
    with Store.open(db, create=False) as store:
        stored = {d["doc_id"]: d for d in store.documents()}
        assert sorted(stored) == sorted(doc_ids), "every document of the subset is stored"
        for doc_id in doc_ids:
            clean = store.clean_text(doc_id) or ""
            rows = list(store.provisions(doc_id))
            assert clean and rows, f"{doc_id}: no text or no provisions"
            assert stored[doc_id]["n_provisions"] == len(rows)
            problems += [f"{p.ref}: stored text differs from the clean text's slice"
                         for p in rows if p.text != clean[p.char_start : p.char_end]]
            problems += own_parts_problems(
                doc_id, clean, [(p.ref, p.parent_ref, p.char_start, p.char_end) for p in rows])
        assert store.integrity_check() == []
    assert problems == [], "\n".join(problems[:20])
    first = snapshot(db)

    with Corpus.open(db) as corpus:  # unchanged: everything is skipped, nothing moves
        again = corpus.ingest(manifest=manifest, workers=0)
    assert sorted(again.skipped) == sorted(doc_ids)
    assert snapshot(db) == first

    reread = [d for d in doc_ids if d not in PDFS or d == REREAD_PDF]
    with Store.open(db, create=False) as store:  # forced: these documents are gone, re-read
        for doc_id in reread:
            assert store.delete_document(doc_id)
        assert set(snapshot(db)) == set(doc_ids) - set(reread)
    with Corpus.open(db) as corpus:
        forced = corpus.ingest(manifest=manifest, workers=2)
    assert sorted(forced.ingested) == sorted(reread)
    second = snapshot(db)
    assert {d: len(v) for d, v in second.items()} == {d: len(v) for d, v in first.items()}
    assert second == first
