"""Manifest reading: required columns, per-row errors, and paths that must not escape."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp_toolkit.errors import ManifestError
from nlp_toolkit.sources.manifest import (
    check_relative_path,
    read_manifest,
    resolve_path,
    rows_for_paths,
    slug_doc_id,
)

REPO = Path(__file__).resolve().parents[1]
HEADER = "doc_id,path,format,download_url,sha256,year,custom\n"
SHA = "a" * 64


def _write(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "manifest.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_shared_manifest_reads_without_errors(shared_corpus: Path) -> None:
    m = read_manifest(shared_corpus / "manifest.csv")
    assert len(m.rows) == 492 and m.errors == ()
    assert all(r.file.is_file() for r in m.rows)
    assert m.rows[0].file == (shared_corpus / m.rows[0].path).resolve()


def test_project_manifest_mirrors_the_shared_one(shared_corpus: Path) -> None:
    ours = read_manifest(REPO / "corpus" / "manifest.csv")
    shared = read_manifest(shared_corpus / "manifest.csv")
    assert ours.errors == ()
    assert ours.columns == shared.columns
    assert [(r.doc_id, r.sha256, r.download_url) for r in ours.rows] == [
        (r.doc_id, r.sha256, r.download_url) for r in shared.rows]
    assert all(o.path == f"documents/{s.path}" for o, s in zip(ours.rows, shared.rows,
                                                                strict=True))


def test_good_row_keeps_every_column(tmp_path: Path) -> None:
    m = read_manifest(_write(tmp_path, f"law-1,docs/a.pdf,pdf,https://x.org/a.pdf,{SHA},2020,v\n"))
    (row,) = m.rows
    assert (row.doc_id, row.path, row.fmt, row.year, row.sha256) == (
        "law-1", "docs/a.pdf", "pdf", 2020, SHA)
    assert row.extra == {"custom": "v"}
    assert row.line == 2
    assert row.file == (tmp_path / "docs" / "a.pdf").resolve()


@pytest.mark.parametrize(("body", "reason"), [
    ("abs,/etc/passwd,,,,,\n", "not absolute"),
    ("win,C:\\docs\\a.pdf,,,,,\n", "not absolute"),
    ("up,../outside.pdf,,,,,\n", "must not contain '..'"),
    ("up2,docs/../../x.pdf,,,,,\n", "must not contain '..'"),
    ("ftp,a.pdf,,ftp://x.org/a.pdf,,,\n", "http:// or https://"),
    ("file,a.pdf,,file:///etc/passwd,,,\n", "http:// or https://"),
    ("Bad_ID,a.pdf,,,,,\n", "is not valid"),
    ("sha,a.pdf,,,xyz,,\n", "64 hex digits"),
    ("yr,a.pdf,,,,20x0,\n", "whole number"),
    (",a.pdf,,,,,\n", "doc_id is empty"),
    ("nopath,,,,,,\n", "path is empty"),
])
def test_bad_row_is_an_error_and_others_survive(tmp_path: Path, body: str, reason: str) -> None:
    m = read_manifest(_write(tmp_path, "good,a.md,,,,,\n" + body))
    assert [r.doc_id for r in m.rows] == ["good"]
    (err,) = m.errors
    assert reason in err.reason and "manifest line 3" in err.reason
    assert err.kind == "manifest"


def test_duplicate_doc_id_keeps_the_first(tmp_path: Path) -> None:
    m = read_manifest(_write(tmp_path, "d,a.md,,,,,\nd,b.md,,,,,\n"))
    assert [r.path for r in m.rows] == ["a.md"]
    assert "duplicate doc_id 'd'" in m.errors[0].reason


def test_unusable_manifests_raise(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="manifest not found"):
        read_manifest(tmp_path / "nope.csv")
    with pytest.raises(ManifestError, match="lacks required column"):
        read_manifest(_write(tmp_path, "x,y\n", header="doc_id,file\n"))
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"doc_id,path\nd,caf\xe9.md\n")
    with pytest.raises(ManifestError, match="UTF-8"):
        read_manifest(latin)


def test_symlink_out_of_the_corpus_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("x")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    os.symlink(outside, corpus / "link")
    with pytest.raises(ManifestError, match="outside the manifest folder"):
        resolve_path(corpus, "link/secret.md")
    (corpus / "in.md").write_text("y")
    os.symlink(corpus / "in.md", corpus / "alias.md")
    assert resolve_path(corpus, "alias.md") == (corpus / "in.md").resolve()


@given(st.lists(st.sampled_from(["a", "b", "..", ".", "", "/", "\\", "c:", "x.pdf"]),
                min_size=1, max_size=6))
def test_accepted_paths_never_leave_the_root(parts: list[str]) -> None:
    rel = "/".join(parts)
    root = Path("/tmp/nlp-root-that-does-not-exist")
    try:
        check_relative_path(rel)
    except ManifestError:
        return
    assert (root / rel).resolve().is_relative_to(root)


def test_rows_for_paths_walks_folders_and_slugs_ids(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "My Law (2020).md").write_text("x")
    (tmp_path / "b.XML").write_text("<a/>")
    (tmp_path / "ignore.docx").write_text("x")
    rows, errors = rows_for_paths([tmp_path])
    assert sorted(r.doc_id for r in rows) == ["b", "my-law-2020"]
    assert errors == []
    assert slug_doc_id("___") == "doc"


def test_manifest_csv_round_trips_through_csv_module(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["doc_id", "path", "title"])
        w.writerow(["q", "a.md", 'A "quoted", title\nwith newline'])
    (row,) = read_manifest(path).rows
    assert row.title == 'A "quoted", title\nwith newline'
