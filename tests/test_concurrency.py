"""Two writers at once serialise on the index's write lock (or one fails clearly with
``--no-wait``); readers keep working while a writer holds the lock and writes."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from nlp_toolkit.cli import main
from nlp_toolkit.store import LockBusyError, Store, write_lock
from nlp_toolkit.store.lock import lock_path
from tests.helpers import fts_hits

LAWS = ["chn-electronic-signature-law-2019", "chn-cryptography-law-2019"]


@pytest.fixture()
def laws(tmp_path: Path, shared_corpus: Path) -> Path:
    folder = tmp_path / "laws"
    folder.mkdir()
    for name in LAWS:
        shutil.copy(shared_corpus / "text" / f"{name}.md", folder)
    return folder


def _hold_lock(db: Path, seconds: float) -> subprocess.Popen[bytes]:
    """Another process holding the write lock (as a running `ingest` would)."""
    code = ("import sys, time; from nlp_toolkit.store import write_lock\n"
            f"with write_lock({str(db)!r}, command='ingest'):\n"
            "    print('held', flush=True); time.sleep(float(sys.argv[1]))\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(seconds)], stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"held"
    return proc


def test_no_wait_fails_clearly_and_changes_nothing(laws: Path, tmp_path: Path) -> None:
    db = tmp_path / "i.sqlite"
    holder = _hold_lock(db, 30)
    try:
        result = CliRunner().invoke(main, ["ingest", str(laws), "--db", str(db),
                                           "--workers", "0", "--no-wait"])
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 2
    assert f"pid {holder.pid} (ingest) holds the write lock on {db}" in result.output
    assert "--wait" in result.output
    assert not db.exists()  # refused before the index was even created


def test_second_writer_waits_with_a_message_then_runs(laws: Path, tmp_path: Path) -> None:
    db = tmp_path / "i.sqlite"
    holder = _hold_lock(db, 2.0)
    t0 = time.monotonic()
    result = CliRunner().invoke(main, ["ingest", str(laws), "--db", str(db), "--workers", "0",
                                       "--quiet"])
    holder.wait()
    assert result.exit_code == 0, result.output
    assert time.monotonic() - t0 >= 1.0
    assert (f"waiting for pid {holder.pid} (ingest) holding the write lock on {db}"
            in result.stderr)
    assert "2 ingested" in result.stdout


def test_two_ingest_processes_serialise(laws: Path, tmp_path: Path) -> None:
    db = tmp_path / "i.sqlite"
    cmd = [str(Path(sys.executable).with_name("nlp-toolkit")), "ingest", str(laws), "--db", str(db),
           "--workers", "0", "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
             for _ in range(2)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    summaries = sorted(o.decode().strip() for o, _ in outs)
    # one did the work, the other waited and then found everything unchanged
    assert summaries[0].startswith("0 ingested, 2 unchanged"), summaries
    assert summaries[1].startswith("2 ingested"), summaries
    with Store.open(db, create=False) as store:
        assert store.integrity_check() == []


def test_lock_is_released_when_its_holder_is_killed(tmp_path: Path) -> None:
    db = tmp_path / "i.sqlite"
    holder = _hold_lock(db, 60)
    with pytest.raises(LockBusyError), write_lock(db, wait=False):
        pass
    holder.kill()
    holder.wait()
    with write_lock(db, command="embed", wait=False) as lock:  # no stale lock after SIGKILL
        assert lock.held and b"embed" in lock_path(db).read_bytes()
    with (pytest.raises(LockBusyError, match="after"), write_lock(db, timeout_s=0.5),
          write_lock(db, timeout_s=0.3)):
        pass


def test_readers_work_during_a_write(laws: Path, tmp_path: Path) -> None:
    """A writer in the middle of a transaction: `provisions`, FTS search and `stats` read the
    last committed state without waiting for the lock."""
    db = tmp_path / "i.sqlite"
    assert CliRunner().invoke(main, ["ingest", str(laws), "--db", str(db),
                                     "--workers", "0"]).exit_code == 0
    writer = sqlite3.connect(db, isolation_level=None)
    with write_lock(db, command="ingest"):
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM provisions")  # uncommitted: readers must not see it
        runner = CliRunner()
        t0 = time.monotonic()
        listed = runner.invoke(main, ["provisions", "--db", str(db), "--format", "jsonl",
                                      "--doc", LAWS[0], "--limit", "3"])
        stats = runner.invoke(main, ["stats", "--db", str(db), "--format", "json"])
        with Store.open(db, create=False) as reader:
            hits = fts_hits(reader, "电子签名", k=3)
        assert time.monotonic() - t0 < 20
        writer.execute("ROLLBACK")
    writer.close()
    assert listed.exit_code == 0 and len(listed.stdout.splitlines()) == 3
    assert stats.exit_code == 0 and '"provisions"' in stats.stdout
    assert hits and hits[0].provision.doc_id == LAWS[0]


def test_score_waits_for_a_running_ingest_then_scores(laws: Path, tmp_path: Path) -> None:
    """`ingest` + `score` at once: score refuses with --no-wait, or waits and then runs."""
    db = tmp_path / "i.sqlite"
    runner = CliRunner()
    first = runner.invoke(main, ["ingest", str(laws), "--db", str(db), "--workers", "0",
                                 "--quiet"])
    assert first.exit_code == 0, first.output
    holder = _hold_lock(db, 30)
    try:
        refused = runner.invoke(main, ["score", "--scorer", "lexicon", "--db", str(db),
                                       "--no-wait", "--quiet"])
    finally:
        holder.kill()
        holder.wait()
    assert refused.exit_code == 2
    assert f"pid {holder.pid} (ingest) holds the write lock" in refused.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM provision_scores").fetchone()[0] == 0

    holder = _hold_lock(db, 2.0)
    waited = runner.invoke(main, ["score", "--scorer", "lexicon", "--db", str(db), "--quiet"])
    holder.wait()
    assert waited.exit_code == 0, waited.output
    assert f"waiting for pid {holder.pid} (ingest)" in waited.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM provision_scores").fetchone()[0] > 0
