"""Fetching: mirror copies, downloads, checksums, and nothing bad kept under a final name."""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from nlp_toolkit.sources.fetch import fetch, sha256_file
from nlp_toolkit.sources.manifest import ManifestRow

BODY = b"%PDF-1.4 pretend document\n" * 100
SHA = hashlib.sha256(BODY).hexdigest()


def _row(root: Path, *, path: str = "documents/pdf/a.pdf", sha: str = SHA,
         url: str = "") -> ManifestRow:
    return ManifestRow(doc_id="a", path=path, root=root, sha256=sha, download_url=url)


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[str]:
    """A local HTTP server over tmp_path/www, with redirects to file:// and ftp:// URLs."""
    www = tmp_path / "www"
    www.mkdir()
    (www / "a.pdf").write_bytes(BODY)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(www), **kwargs)  # type: ignore[arg-type]

        def do_GET(self) -> None:
            if self.path in ("/to-file", "/to-ftp"):
                self.send_response(302)
                self.send_header("Location", "file:///etc/passwd" if self.path == "/to-file"
                                 else "ftp://127.0.0.1/a.pdf")
                self.end_headers()
                return
            super().do_GET()

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*.part")]


def test_copies_from_a_mirror_laid_out_like_the_documents(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "pdf").mkdir(parents=True)
    (mirror / "pdf" / "a.pdf").write_bytes(BODY)
    dest = tmp_path / "corpus"
    report = fetch([_row(dest)], dest, mirror=mirror)
    assert report.fetched == ["a"] and report.ok
    assert sha256_file(dest / "documents" / "pdf" / "a.pdf") == SHA
    again = fetch([_row(dest)], dest, mirror=mirror)
    assert again.skipped == ["a"] and again.fetched == []


def test_checksum_mismatch_keeps_nothing(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "documents" / "pdf").mkdir(parents=True)
    (mirror / "documents" / "pdf" / "a.pdf").write_bytes(BODY + b"tampered")
    dest = tmp_path / "corpus"
    report = fetch([_row(dest)], dest, mirror=mirror)
    (failure,) = report.failures
    assert failure.kind == "checksum" and "checksum mismatch" in failure.reason
    assert not (dest / "documents" / "pdf" / "a.pdf").exists()
    assert _leftovers(dest) == []


def test_wrong_local_file_is_replaced(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "pdf").mkdir(parents=True)
    (mirror / "pdf" / "a.pdf").write_bytes(BODY)
    target = tmp_path / "documents" / "pdf" / "a.pdf"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"old")
    report = fetch([_row(tmp_path)], tmp_path, mirror=mirror)
    assert report.fetched == ["a"] and target.read_bytes() == BODY


def test_downloads_over_http(tmp_path: Path, server: str) -> None:
    dest = tmp_path / "corpus"
    seen: list[tuple[int, int, str]] = []
    report = fetch([_row(dest, url=f"{server}/a.pdf")], dest,
                   progress=lambda d, t, label: seen.append((d, t, label)))
    assert report.fetched == ["a"] and seen == [(1, 1, "a")]
    assert (dest / "documents" / "pdf" / "a.pdf").read_bytes() == BODY


def test_download_failures_are_reported(tmp_path: Path, server: str) -> None:
    dest = tmp_path / "corpus"
    rows = [
        _row(dest, url=f"{server}/missing.pdf"),
        ManifestRow("big", "b.pdf", dest, sha256=SHA, download_url=f"{server}/a.pdf"),
        ManifestRow("redir", "c.pdf", dest, sha256=SHA, download_url=f"{server}/to-file"),
        ManifestRow("redir2", "g.pdf", dest, sha256=SHA, download_url=f"{server}/to-ftp"),
        ManifestRow("nosha", "d.pdf", dest, download_url=f"{server}/a.pdf"),
        ManifestRow("nourl", "e.pdf", dest, sha256=SHA),
        ManifestRow("ftp", "f.pdf", dest, sha256=SHA, download_url="ftp://x/a.pdf"),
    ]
    report = fetch(rows, dest, max_bytes=100)
    reasons = {f.doc_id: f.reason for f in report.failures}
    assert "404" in reasons["a"]
    assert "byte cap" in reasons["big"]
    assert "file:///etc/passwd" in reasons["redir"]  # refused, whoever refuses it
    assert "refusing a redirect to a non-http(s) URL" in reasons["redir2"]
    assert "no sha256" in reasons["nosha"]
    assert "no download_url" in reasons["nourl"]
    assert "http:// or https://" in reasons["ftp"]
    assert report.fetched == [] and not any(dest.rglob("*.pdf")) and _leftovers(dest) == []


def test_unsafe_path_is_a_failure_not_a_crash(tmp_path: Path) -> None:
    row = ManifestRow("x", "../escape.pdf", tmp_path, sha256=SHA)
    (failure,) = fetch([row], tmp_path).failures
    assert failure.kind == "manifest"
