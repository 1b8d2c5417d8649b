"""Malformed inputs: each one named on stderr with its reason, the good ones kept, exit 1.

Every bad file is generated here (reportlab) or cut from a generated one, so the test
documents what each failure looks like to a user.
"""

from __future__ import annotations

import csv
import hashlib
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from nlp_toolkit.cli import main

LAW_PAGES = [
    ["Example Act 2020", "Section 1 Short title", "This Act is the Example Act 2020."],
    ["Section 2 Interpretation", "In this Act, data means information in electronic form."],
    ["Section 3 Transfer", "A person shall not transfer data outside the country."],
]


def write_text_pdf(path: Path, pages: list[list[str]] = LAW_PAGES, **kwargs: object) -> Path:
    """A small PDF with a text layer, one list of lines per page."""
    c = canvas.Canvas(str(path), pagesize=A4, **kwargs)
    for lines in pages:
        y = 780.0
        for line in lines:
            c.setFont("Helvetica", 11)
            c.drawString(72, y, line)
            y -= 18
        c.showPage()
    c.save()
    return path


def write_image_pdf(path: Path, pages: int = 2) -> Path:
    """A PDF with no text layer at all: one picture of "text" per page, as a scan is."""
    image = Image.new("L", (400, 560), 255)
    draw = ImageDraw.Draw(image)
    for i in range(25):
        draw.rectangle((20, 20 + i * 21, 60 + (i * 53) % 320, 32 + i * 21), fill=0)
    c = canvas.Canvas(str(path), pagesize=A4)
    for _ in range(pages):
        c.drawImage(ImageReader(image), 50, 100, width=495, height=693)
        c.showPage()
    c.save()
    return path


def make_bad_corpus(root: Path) -> Path:
    """Good documents and one of each bad kind, with a manifest; returns the manifest."""
    docs = root / "docs"
    docs.mkdir(parents=True)
    write_text_pdf(docs / "good.pdf")
    (docs / "good.md").write_text(
        "# Good Law\n\n第一条 为了保护个人信息。\n\n"
        "第二条 本法自公布之日起施行。\n", encoding="utf-8")
    full = write_text_pdf(docs / "truncated.pdf").read_bytes()
    (docs / "truncated.pdf").write_bytes(full[: len(full) // 2])
    write_text_pdf(docs / "encrypted.pdf", encrypt="secret")
    (docs / "empty.pdf").write_bytes(b"")
    (docs / "webpage.pdf").write_text("<!DOCTYPE html><html><body>Not found</body></html>")
    write_image_pdf(docs / "scanned.pdf")
    (docs / "latin1.md").write_bytes("# Loi\n\nArticle 1 Données à caractère personnel.\n"
                                     .encode("latin-1"))
    rows = [
        ("good-pdf", "docs/good.pdf", ""), ("good-md", "docs/good.md", ""),
        ("truncated", "docs/truncated.pdf", ""), ("encrypted", "docs/encrypted.pdf", ""),
        ("empty", "docs/empty.pdf", ""), ("webpage", "docs/webpage.pdf", ""),
        ("scanned", "docs/scanned.pdf", ""), ("latin1", "docs/latin1.md", ""),
        ("absolute", "/etc/passwd", ""), ("dotdot", "../outside.pdf", ""),
        ("ftp-url", "docs/good.pdf", "ftp://example.org/good.pdf"),
        ("missing", "docs/not-there.pdf", ""),
    ]
    manifest = root / "manifest.csv"
    with manifest.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["doc_id", "path", "download_url", "language"])
        for doc_id, path, url in rows:
            w.writerow([doc_id, path, url, "en"])
    return manifest


#: doc_id -> words its stderr line must contain
EXPECTED = {
    "truncated": ["truncated.pdf"],
    "encrypted": ["encrypted.pdf", "encrypt"],
    "empty": ["empty.pdf", "empty"],
    "webpage": ["webpage.pdf", "HTML"],
    "scanned": ["scanned.pdf", "scanned"],
    "latin1": ["latin1.md", "UTF-8"],
    "absolute": ["/etc/passwd", "absolute"],
    "dotdot": ["../outside.pdf", ".."],
    "ftp-url": ["ftp-url", "http://"],
    "missing": ["not-there.pdf", "not found"],
}


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    root = tmp_path_factory.mktemp("bad")
    manifest = make_bad_corpus(root)
    db = root / "index.sqlite"
    result = CliRunner().invoke(main, ["ingest", "--manifest", str(manifest), "--db", str(db),
                                       "--workers", "2"])
    return result, db


def test_exit_code_is_1_and_good_documents_are_kept(bad_run: tuple[object, Path]) -> None:
    result, db = bad_run
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    conn = sqlite3.connect(db)
    ok = dict(conn.execute("SELECT doc_id, n_provisions FROM documents WHERE status = 'ok'"))
    assert set(ok) == {"good-pdf", "good-md"} and all(n > 0 for n in ok.values())
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # no partial documents: every stored document has exactly its provisions
    assert conn.execute("SELECT count(*) FROM documents d WHERE n_provisions != (SELECT "
                        "count(*) FROM provisions p WHERE p.doc_id = d.doc_id)").fetchone()[0] == 0
    stored = {r[0] for r in conn.execute("SELECT DISTINCT doc_id FROM provisions")}
    assert stored == {"good-pdf", "good-md"}
    scanned = conn.execute("SELECT status, n_provisions FROM documents WHERE doc_id = 'scanned'"
                           ).fetchone()
    assert scanned == ("scanned", 0)


@pytest.mark.parametrize("doc_id", sorted(EXPECTED))
def test_each_bad_input_gets_one_clear_line(bad_run: tuple[object, Path], doc_id: str) -> None:
    result, _ = bad_run
    lines = [ln for ln in result.stderr.splitlines()  # type: ignore[attr-defined]
             if f"({doc_id})" in ln or ln.split(":")[1].strip().startswith(doc_id)
             or any(w in ln for w in EXPECTED[doc_id][:1])]
    assert len(lines) == 1, (doc_id, result.stderr)  # type: ignore[attr-defined]
    name, *reason_words = EXPECTED[doc_id]
    assert name in lines[0]
    reason = lines[0].split(name, 1)[1].lower()  # the reason, after the file's name
    for word in reason_words:
        assert word.lower() in reason, (word, lines[0])


def test_failures_table_lists_each_bad_input(bad_run: tuple[object, Path]) -> None:
    _, db = bad_run
    conn = sqlite3.connect(db)
    kinds = dict(conn.execute("SELECT doc_id, kind FROM failures"))
    assert set(kinds) == set(EXPECTED)
    assert kinds["scanned"] == "scanned" and kinds["absolute"] == "manifest"


def test_enormous_document_over_max_pages(tmp_path: Path) -> None:
    pdf = write_text_pdf(tmp_path / "big.pdf")
    small = tmp_path / "small.md"
    small.write_text("第一条 本法施行。\n", encoding="utf-8")
    db = tmp_path / "i.sqlite"
    result = CliRunner().invoke(main, ["ingest", str(pdf), str(small), "--max-pages", "2",
                                       "--db", str(db), "--workers", "0"])
    assert result.exit_code == 1
    (line,) = [ln for ln in result.stderr.splitlines() if "big.pdf" in ln]
    assert "3 pages" in line or "max" in line.lower() or "limit" in line.lower()
    conn = sqlite3.connect(db)
    assert [r[0] for r in conn.execute("SELECT doc_id FROM documents")] == ["small"]
    assert dict(conn.execute("SELECT doc_id, kind FROM failures")) == {"big": "limit"}
    assert hashlib.sha256(pdf.read_bytes()).hexdigest()  # the file itself is untouched
