"""The command line: help everywhere, formats, exit codes, lazy imports, a real run."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from nlp_toolkit.cli import main
from tests.test_bad_input import write_text_pdf

REPO = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).parent / "nlp-toolkit"


def test_every_command_has_help_with_an_example() -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["--help"]).exit_code == 0
    assert isinstance(main, click.Group)
    for name in main.commands:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert f"nlp-toolkit {name}" in result.output, f"{name} --help lacks an example"


def test_help_imports_no_heavy_library() -> None:
    code = ("import sys; from nlp_toolkit.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('pdfplumber', 'pandas', 'torch', 'spacy', 'pdfminer', "
            "'sentence_transformers') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "HEAVY []" in out


@pytest.fixture()
def db(tmp_path: Path, shared_corpus: Path) -> Path:
    """An index holding the PIPL (Chinese) and a generated English act."""
    path = tmp_path / "i.sqlite"
    pdf = write_text_pdf(tmp_path / "example-act.pdf")
    result = CliRunner().invoke(main, ["ingest", str(shared_corpus / "text" / "chn-pipl-2021.md"),
                                       str(pdf), "--db", str(path), "--workers", "0"])
    assert result.exit_code == 0, result.output
    assert "2 ingested" in result.output
    return path


def test_provisions_formats(db: Path) -> None:
    runner = CliRunner()
    jsonl = runner.invoke(main, ["provisions", "--db", str(db), "--doc", "chn-pipl-2021",
                                 "--level", "article"])
    assert jsonl.exit_code == 0
    records = [json.loads(line) for line in jsonl.output.splitlines()]  # piped -> jsonl
    assert [r["ref"] for r in records[:2]] == ["chn-pipl-2021:1", "chn-pipl-2021:2"]
    assert len(records) == 74
    assert set(records[0]) == {"doc_id", "ref", "number", "heading", "level", "parent_ref",
                               "path", "page_start", "page_end", "char_start", "char_end",
                               "text", "jurisdiction", "language"}
    as_json = json.loads(runner.invoke(main, ["provisions", "--db", str(db), "--format", "json",
                                              "--limit", "3"]).output)
    assert len(as_json) == 3
    rows = list(csv.DictReader(io.StringIO(runner.invoke(
        main, ["provisions", "--db", str(db), "--format", "csv", "--doc", "example-act"]).output)))
    assert rows and all(r["doc_id"] == "example-act" for r in rows)
    table = runner.invoke(main, ["provisions", "--db", str(db), "--format", "table",
                                 "--limit", "2"]).output
    assert table.splitlines()[0].split() == ["ref", "level", "page_start", "heading", "text"]
    stats = json.loads(runner.invoke(main, ["stats", "--db", str(db)]).output)
    assert stats["documents"] == 2 and stats["provisions"] > 74


@pytest.mark.parametrize("args", [
    ["ingest", "--manifest", "no-such.csv"],
    ["fetch", "--manifest", "no-such.csv"],
    ["build", "--manifest", "no-such.csv"],
    ["provisions", "--db", "no-such.sqlite"],
    ["stats", "--db", "no-such.sqlite"],
    ["provisions", "--format", "xml"],
    ["ingest", "--workers", "-1", "x"],
])
def test_unusable_input_exits_2_and_changes_nothing(tmp_path: Path, args: list[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NLP_TOOLKIT_DB", raising=False)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert os.listdir(tmp_path) == []  # no index, no folder created


def test_unknown_doc_and_foreign_database_exit_2(db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["provisions", "--db", str(db), "--doc", "nope"])
    assert result.exit_code == 2 and "no document 'nope'" in result.output
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database " * 100)
    result = runner.invoke(main, ["stats", "--db", str(junk)])
    assert result.exit_code == 2 and "not a usable index" in result.output


def test_env_vars_give_defaults(db: Path) -> None:
    result = CliRunner().invoke(main, ["stats", "--format", "json"],
                                env={"NLP_TOOLKIT_DB": str(db)})
    assert json.loads(result.output)["documents"] == 2


def test_console_script_runs_for_real(tmp_path: Path, shared_corpus: Path) -> None:
    assert SCRIPT.exists(), "install the package: pip install -e ."
    law = shared_corpus / "text" / "chn-electronic-signature-law-2019.md"
    db = tmp_path / "i.sqlite"
    run = subprocess.run([str(SCRIPT), "ingest", str(law), "--db", str(db)],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    out = subprocess.run([str(SCRIPT), "provisions", "--db", str(db), "--level", "article"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0 and len(out.stdout.splitlines()) == 36  # 第1-36条, jsonl


@pytest.mark.slow
def test_mini_corpus_fetch_and_ingest(tmp_path: Path, shared_corpus: Path) -> None:
    """Real documents through a temporary manifest, `fetch --mirror` and `ingest`."""
    wanted = {"chn-pipl-2021", "chn-electronic-signature-law-2019", "tota-1", "tota-2",
              "tota-3", "tha-cybersecurity-act-2019-en", "mys-pdpa-amendment-2024",
              "ahkfta-annex-2-11"}
    with (shared_corpus / "manifest.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = [r for r in reader if r["doc_id"] in wanted]
    assert {r["doc_id"] for r in rows} == wanted
    manifest = tmp_path / "corpus" / "manifest.csv"
    manifest.parent.mkdir()
    with manifest.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows({**r, "path": "documents/" + r["path"]} for r in rows)
    runner = CliRunner()
    fetched = runner.invoke(main, ["fetch", "--manifest", str(manifest), "--mirror",
                                   str(shared_corpus)])
    assert fetched.exit_code == 0, fetched.output
    assert "8 fetched" in fetched.output
    db = tmp_path / "corpus" / "index.sqlite"
    result = runner.invoke(main, ["ingest", "--manifest", str(manifest), "--db", str(db),
                                  "--workers", "2"])
    # the scanned annex is reported on stderr, but is not a failure of the run
    assert result.exit_code == 0, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("scanned: ") and "ahkfta-annex-2-11" in line
    assert "7 ingested, 0 unchanged, 1 failed (1 scanned)" in result.output
    conn = sqlite3.connect(db)
    counts = dict(conn.execute("SELECT doc_id, n_provisions FROM documents"))
    assert counts.pop("ahkfta-annex-2-11") == 0 and all(n > 0 for n in counts.values())
    articles = dict(conn.execute(
        "SELECT doc_id, count(*) FROM provisions WHERE level IN ('article', 'section') "
        "AND number GLOB '[0-9]*' GROUP BY doc_id"))
    assert articles["chn-pipl-2021"] == 74
    assert articles["chn-electronic-signature-law-2019"] == 36
    assert articles["tha-cybersecurity-act-2019-en"] >= 75
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    again = runner.invoke(main, ["build", "--manifest", str(manifest), "--db", str(db),
                                 "--mirror", str(shared_corpus)])
    assert again.exit_code == 0, again.output
    assert "8 unchanged" in again.output and "0 fetched, 8 already present" in again.output
    shutil.rmtree(tmp_path / "corpus" / "documents")
