"""SIGKILL `nlp-toolkit ingest` and `embed` at random moments: the index is never corrupt, no
document is partly present, no vector lacks its provision, and a re-run ends with the same
index as an uninterrupted build."""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from nlp_toolkit.store import Store

PDFS = ["tha-cybersecurity-act-2019-en", "mys-pdpa-amendment-2024", "mys-pdpa-2010-as-enacted"]
N_MD, N_TOTA, KILLS, SEED = 4, 30, 10, 20240611
EMBED_KILLS, EMBED_DOCS = 4, 3  # embed kills on an index of the smallest ToTA treaties


def _subset(shared: Path, out: Path) -> Path:
    text = (shared / "manifest.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    md = [r for r in rows if r["path"].endswith(".md")][:N_MD]
    tota = [r for r in rows if r["path"].endswith(".xml")][:N_TOTA]
    pdf = [r for r in rows if r["doc_id"] in PDFS]
    assert len(pdf) == 3 and len(md) == N_MD and len(tota) == N_TOTA
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(pdf + md + tota)
    manifest = out / "manifest.csv"
    manifest.write_text(buf.getvalue(), encoding="utf-8")
    for row in pdf + md + tota:  # a temporary copy: links out of the root are refused
        (out / row["path"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shared / row["path"], out / row["path"])
    return manifest


def _ingest(manifest: Path, db: Path) -> list[str]:
    exe = str(Path(sys.executable).with_name("nlp-toolkit"))
    return [exe, "ingest", "--manifest", str(manifest), "--db", str(db), "--workers", "2",
            "--quiet"]


def _check(db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        partial = conn.execute(
            "SELECT d.doc_id FROM documents d LEFT JOIN provisions p ON p.doc_id = d.doc_id "
            "GROUP BY d.doc_id HAVING d.n_provisions != count(p.id)").fetchall()
        assert partial == []
        assert conn.execute("SELECT count(*) - count(DISTINCT ref) FROM provisions"
                            ).fetchone()[0] == 0
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if "provision_vectors" in tables:  # every link has its provision and its vector,
            assert conn.execute(  # and every vector is linked (the texts never change here)
                "SELECT count(*) FROM provision_vectors l WHERE l.provision_id NOT IN "
                "(SELECT id FROM provisions) OR NOT EXISTS (SELECT 1 FROM vectors v WHERE "
                "v.model_id = l.model_id AND v.text_hash = l.text_hash)").fetchone()[0] == 0
            assert conn.execute(
                "SELECT count(*) FROM vectors v WHERE NOT EXISTS (SELECT 1 FROM "
                "provision_vectors l WHERE l.model_id = v.model_id AND "
                "l.text_hash = v.text_hash)").fetchone()[0] == 0
    finally:
        conn.close()
    with Store.open(db, create=False) as store:
        assert store.integrity_check() == []


def _snapshot(db: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT p.doc_id, p.ref, p.level, p.char_start, p.char_end, p.text_sha256 "
            "FROM provisions p ORDER BY p.doc_id, p.ordinal").fetchall()
    finally:
        conn.close()


@pytest.mark.slow
def test_kills_never_corrupt_and_a_rerun_completes(tmp_path: Path, shared_corpus: Path) -> None:
    manifest = _subset(shared_corpus, tmp_path)
    reference = tmp_path / "ref.sqlite"
    t0 = time.monotonic()
    done = subprocess.run(_ingest(manifest, reference), capture_output=True, timeout=240)
    full_s = time.monotonic() - t0
    assert done.returncode in (0, 1), done.stderr.decode()
    expected = _snapshot(reference)
    assert expected
    rng = random.Random(SEED)
    db = tmp_path / "killed.sqlite"
    survived = 0
    for _ in range(KILLS):
        proc = subprocess.Popen(_ingest(manifest, db), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(0.3, max(0.6, 0.5 * full_s)))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the CLI and its workers, at once
        proc.wait()
        if db.exists():
            _check(db)
            survived += 1
    assert survived >= KILLS // 2
    rerun = subprocess.run(_ingest(manifest, db), capture_output=True, timeout=240)
    assert rerun.returncode == done.returncode, rerun.stderr.decode()
    _check(db)
    assert _snapshot(db) == expected


def _vectors(db: Path) -> list[tuple[str, str, str, bytes]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT l.model_id, p.ref, l.text_hash, v.vector FROM provision_vectors l "
            "JOIN provisions p ON p.id = l.provision_id JOIN vectors v ON "
            "v.model_id = l.model_id AND v.text_hash = l.text_hash ORDER BY 1, 2").fetchall()
    finally:
        conn.close()


@pytest.mark.slow
def test_embed_kills_leave_no_orphan_vectors(tmp_path: Path, shared_corpus: Path) -> None:
    exe = str(Path(sys.executable).with_name("nlp-toolkit"))
    files = sorted((shared_corpus / "tota").glob("*.xml"), key=lambda f: f.stat().st_size)
    db, reference = tmp_path / "killed.sqlite", tmp_path / "ref.sqlite"
    subprocess.run([exe, "ingest", *map(str, files[:EMBED_DOCS]), "--db", str(db),
                    "--workers", "0", "--quiet"], check=True, capture_output=True, timeout=120)
    shutil.copy(db, reference)

    def embed(target: Path) -> list[str]:
        return [exe, "embed", "--model", "use-m3", "--batch-size", "2", "--db", str(target),
                "--quiet"]

    t0 = time.monotonic()
    subprocess.run(embed(reference), check=True, capture_output=True, timeout=300)
    full_s = time.monotonic() - t0
    expected = _vectors(reference)
    assert expected
    rng = random.Random(SEED)
    for _ in range(EMBED_KILLS):
        proc = subprocess.Popen(embed(db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(rng.uniform(0.3, max(0.6, full_s)))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        _check(db)
    subprocess.run(embed(db), check=True, capture_output=True, timeout=300)
    _check(db)
    got = _vectors(db)
    assert [r[:3] for r in got] == [r[:3] for r in expected]  # same links, same text hashes
    for (*_, a), (*_, b) in zip(got, expected, strict=True):  # batching may move last bits
        assert np.allclose(np.frombuffer(a, "<f4"), np.frombuffer(b, "<f4"), atol=1e-5)
