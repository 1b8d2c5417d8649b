"""Crash safety over the whole corpus: SIGKILL ``ingest`` (and ``embed``) at random moments.

The longer, full-corpus version of ``tests/test_crash_safety.py`` (takes well over 15 min on
2 cores); run from the project folder::

    python benchmarks/reliability.py --manifest ../shared/corpus/manifest.csv --kills 10

A quick check on a subset (a few minutes)::

    python benchmarks/reliability.py --manifest ../shared/corpus/manifest.csv --kills 2 \\
        --limit-docs 40 --max-pdfs 1

It copies the documents to a temporary folder, builds an index without interruption
(``ingest`` then, when the command exists, ``embed --model use-m3``), then runs the same
commands on a second index and kills the process group at a random moment, ``--kills``
times. After each kill it checks: ``PRAGMA integrity_check`` and the index's own checks, no
document partly present, no duplicate provision, no vector link without its provision or
vector, no vector without a link. Finally it re-runs the commands to completion and checks
that the index equals the uninterrupted one (documents, provisions, vectors and links).
Prints a summary; the exit code is 1 when any check failed.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nlp_toolkit.store import Store

EXE = str(Path(sys.executable).with_name("nlp-toolkit"))


def choose_rows(rows: list[dict[str, str]], root: Path, limit: int | None,
                max_pdfs: int | None) -> list[dict[str, str]]:
    """A varied subset: formats taken in turn, smallest files first (all rows by default)."""
    by_fmt: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_fmt.setdefault(Path(row["path"]).suffix.lower(), []).append(row)
    for fmt, group in by_fmt.items():
        group.sort(key=lambda r: (root / r["path"]).stat().st_size)
        if fmt == ".pdf" and max_pdfs is not None:
            del group[max_pdfs:]
    out: list[dict[str, str]] = []
    while any(by_fmt.values()) and (limit is None or len(out) < limit):
        for group in by_fmt.values():
            if group and (limit is None or len(out) < limit):
                out.append(group.pop(0))
    return out


def copy_subset(manifest: Path, out: Path, limit: int | None, max_pdfs: int | None) -> Path:
    """Copy the chosen documents and a manifest of them under ``out`` (links are refused)."""
    root = manifest.resolve().parent
    rows = list(csv.DictReader(io.StringIO(manifest.read_text(encoding="utf-8-sig"))))
    chosen = choose_rows(rows, root, limit, max_pdfs)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(chosen)
    for row in chosen:
        (out / row["path"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(root / row["path"], out / row["path"])
    (out / "manifest.csv").write_text(buf.getvalue(), encoding="utf-8")
    return out / "manifest.csv"


def has_embed() -> bool:
    """True when this version of the CLI has an ``embed`` command."""
    return subprocess.run([EXE, "embed", "--help"], capture_output=True).returncode == 0


def commands(manifest: Path, db: Path, workers: int, embed: bool) -> list[list[str]]:
    """The build, as the commands a user runs."""
    cmds = [[EXE, "ingest", "--manifest", str(manifest), "--db", str(db), "--workers",
             str(workers), "--quiet"]]
    if embed:
        cmds.append([EXE, "embed", "--model", "use-m3", "--db", str(db), "--quiet"])
    return cmds


def check(db: Path) -> list[str]:
    """What is wrong with a (possibly interrupted) index; empty when all is well."""
    conn = sqlite3.connect(db)
    try:
        q = conn.execute
        problems = [] if q("PRAGMA integrity_check").fetchone()[0] == "ok" else ["integrity"]
        problems += [f"partial document {r[0]}" for r in q(
            "SELECT d.doc_id FROM documents d LEFT JOIN provisions p ON p.doc_id = d.doc_id "
            "GROUP BY d.doc_id HAVING d.n_provisions != count(p.id)")]
        dupes = q("SELECT count(*) - count(DISTINCT ref) FROM provisions").fetchone()[0]
        problems += [f"{dupes} duplicate provisions"] if dupes else []
        tables = {r[0] for r in q("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "provision_vectors" in tables:
            orphans = q("SELECT count(*) FROM provision_vectors l WHERE NOT EXISTS (SELECT 1 "
                        "FROM provisions p WHERE p.id = l.provision_id) OR NOT EXISTS (SELECT 1 "
                        "FROM vectors v WHERE v.model_id = l.model_id AND "
                        "v.text_hash = l.text_hash)").fetchone()[0]
            unlinked = q("SELECT count(*) FROM vectors v WHERE NOT EXISTS (SELECT 1 FROM "
                         "provision_vectors l WHERE l.model_id = v.model_id AND "
                         "l.text_hash = v.text_hash)").fetchone()[0]
            problems += [f"{orphans} vector links without provision or vector"] if orphans else []
            problems += [f"{unlinked} vectors without provision"] if unlinked else []
    finally:
        conn.close()
    with Store.open(db, create=False) as store:
        problems += store.integrity_check()
    return problems


def snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """The index's content, independent of row ids and timestamps."""
    conn = sqlite3.connect(db)
    try:
        out = {
            "documents": conn.execute("SELECT doc_id, sha256, n_provisions, status, clean_text "
                                      "FROM documents ORDER BY doc_id").fetchall(),
            "provisions": conn.execute(
                "SELECT doc_id, ref, level, parent_ref, char_start, char_end, text_sha256, fts "
                "FROM provisions ORDER BY doc_id, ordinal").fetchall(),
        }
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if "vectors" in tables:
            out["vectors"] = conn.execute("SELECT model_id, text_hash, vector FROM vectors "
                                          "ORDER BY model_id, text_hash").fetchall()
            out["links"] = conn.execute(
                "SELECT l.model_id, p.ref, l.text_hash FROM provision_vectors l JOIN "
                "provisions p ON p.id = l.provision_id ORDER BY 1, 2").fetchall()
        return out
    finally:
        conn.close()


def run_all(cmds: list[list[str]], timeout: float) -> float:
    """Run the commands to completion; return the seconds taken."""
    t0 = time.monotonic()
    for cmd in cmds:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{cmd[1]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return time.monotonic() - t0


def kill_at(cmds: list[list[str]], at: float) -> str:
    """Run the commands in turn and SIGKILL the one running ``at`` seconds in; say which."""
    t0 = time.monotonic()
    for cmd in cmds:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            proc.wait(timeout=max(0.0, at - (time.monotonic() - t0)))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the CLI and its workers, at once
            proc.wait()
            return f"{cmd[1]} at {at:.1f} s"
    return f"none (finished before {at:.1f} s)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--manifest", type=Path, default=Path("../shared/corpus/manifest.csv"))
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--limit-docs", type=int, help="only this many documents (mixed formats)")
    ap.add_argument("--max-pdfs", type=int, help="at most this many (the smallest) PDFs")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--no-embed", action="store_true", help="kill ingest only")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    embed = not args.no_embed and has_embed()
    with tempfile.TemporaryDirectory(prefix="nlp-reliability-") as tmp:
        work = Path(tmp)
        manifest = copy_subset(args.manifest, work, args.limit_docs, args.max_pdfs)
        n_docs = len(list(csv.DictReader(io.StringIO(manifest.read_text("utf-8")))))
        ref_db, db = work / "reference.sqlite", work / "killed.sqlite"
        full_s = run_all(commands(manifest, ref_db, args.workers, embed), timeout=7200)
        expected = snapshot(ref_db)
        print(f"{n_docs} documents; uninterrupted build ({'ingest + embed' if embed else 'ingest'}"
              f") {full_s:.1f} s: {len(expected['provisions'])} provisions, "
              f"{len(expected.get('vectors', []))} vectors", flush=True)
        cmds = commands(manifest, db, args.workers, embed)
        failed, kills, attempts, upper = 0, 0, 0, full_s
        while kills < args.kills and attempts < 3 * args.kills:
            attempts += 1
            what = kill_at(cmds, rng.uniform(0.5, max(1.0, upper)))
            if what.startswith("none"):  # nothing left to interrupt: start over, kill sooner
                upper /= 2
                for leftover in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
                    leftover.unlink(missing_ok=True)
                print(f"attempt {attempts}: {what}; starting again with an empty index")
                continue
            kills += 1
            problems = check(db)
            failed += bool(problems)
            print(f"kill {kills}/{args.kills}: {what}: "
                  f"{'ok' if not problems else '; '.join(problems[:5])}", flush=True)
        rerun_s = run_all(cmds, timeout=7200)
        problems = check(db)
        same = snapshot(db) == expected
        print(f"summary: {kills - failed}/{kills} kills left a sound index; re-run completed in "
              f"{rerun_s:.1f} s, final checks {'ok' if not problems else problems[:5]}, "
              f"{'equal to' if same else 'DIFFERENT from'} the uninterrupted build")
        return 0 if failed == 0 and kills == args.kills and not problems and same else 1


if __name__ == "__main__":
    sys.exit(main())
