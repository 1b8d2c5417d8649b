"""Hostile inputs: each is bounded in time (and memory) and reported as a clear failure.

PDFs crafted to be slow (nested objects, a huge content stream, thousands of pages, a
decompression bomb), XML entity attacks, Markdown built to make regexes backtrack,
manifest rows with non-http URLs, and symlinks leading out of the corpus.
"""

from __future__ import annotations

import signal
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from nlp_toolkit.build.ingest import ingest
from nlp_toolkit.errors import ExtractionError, ManifestError
from nlp_toolkit.extract import ExtractLimits
from nlp_toolkit.extract.text import loads_text
from nlp_toolkit.extract.tota import loads_tota
from nlp_toolkit.segment import segment
from nlp_toolkit.sources.manifest import loads_manifest, read_manifest, resolve_path, rows_for_paths
from nlp_toolkit.store import Store


@contextmanager
def within(seconds: float, what: str) -> Iterator[None]:
    """Fail (not hang) when the block runs longer than ``seconds``."""

    def stop(signum: int, frame: object) -> None:
        raise TimeoutError(f"{what} took over {seconds} s")

    old = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# -- PDFs written byte by byte ---------------------------------------------------------
def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF whose object ``i + 1`` has body ``objects[i]``; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def one_page_pdf(content: bytes, *, flate: bool = False, page_extra: bytes = b"") -> bytes:
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> " + page_extra + b">>")
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page,
                    _stream(content, b"/Filter /FlateDecode" if flate else b""), _FONT])


def zeros_deflated(n_bytes: int) -> bytes:
    comp = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    return b"".join([comp.compress(chunk) for _ in range(n_bytes >> 20)] + [comp.flush()])


def many_pages_pdf(n: int) -> bytes:
    kids = b" ".join(b"%d 0 R" % (i + 5) for i in range(n))
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % n,
            _stream(b"BT /F1 12 Tf 72 720 Td (Section 1. Text.) Tj ET"), _FONT]
    objs += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
             b"/Resources << /Font << /F1 4 0 R >> >> >>"] * n
    return raw_pdf(objs)


@pytest.mark.slow
def test_hostile_pdfs_are_bounded_and_reported(tmp_path: Path) -> None:
    files = {
        "bomb": one_page_pdf(zeros_deflated(1 << 30), flate=True),  # 1 GiB of zeros in ~1 MB
        "huge-stream": one_page_pdf(zeros_deflated(60 << 20), flate=True),
        "nested": one_page_pdf(b"BT /F1 12 Tf 72 720 Td (Section 1. x) Tj ET",
                               page_extra=b"/Deep " + b"[" * 100_000 + b"]" * 100_000),
        "pages": many_pages_pdf(4000),
    }
    for name, data in files.items():
        (tmp_path / f"{name}.pdf").write_bytes(data)
    (tmp_path / "good.md").write_text("第一条 本法施行。\n第二条 适用。\n", encoding="utf-8")
    limits = ExtractLimits(max_pages=3000, timeout_s=2.0)
    t0 = time.monotonic()
    with Store.open(tmp_path / "i.sqlite") as store:
        report = ingest([tmp_path], store, workers=2, limits=limits, max_memory_mb=768)
        kinds = {f.doc_id: (f.kind, f.reason) for f in report.failures}
        assert store.integrity_check() == []
    assert time.monotonic() - t0 < 120
    assert "good" in report.ingested
    assert kinds["bomb"][0] == "limit", kinds["bomb"]
    assert "memory" in kinds["bomb"][1]
    assert kinds["huge-stream"][0] == "limit" and "longer than" in kinds["huge-stream"][1]
    assert kinds["pages"][0] == "limit" and "4000" in kinds["pages"][1].replace(",", "")
    # deep nesting: either read (pdfminer parses it iteratively) or refused in one line
    if "nested" in kinds:
        assert kinds["nested"][0] in ("extract", "limit") and "\n" not in kinds["nested"][1]


# -- XML --------------------------------------------------------------------------------
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<treaty><body><chapter><article><text>&lol4;</text></article></chapter></body></treaty>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE t [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<treaty><body><chapter><article><text>&xxe;</text></article></chapter></body></treaty>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE treaty SYSTEM "http://example.invalid/evil.dtd">
<treaty><body><chapter><article><text>x</text></article></chapter></body></treaty>"""


@pytest.mark.parametrize("data", [LAUGHS, EXTERNAL], ids=["billion-laughs", "external-entity"])
def test_xml_entities_are_refused(data: bytes) -> None:
    with within(5, "XML"), pytest.raises(ExtractionError) as info:
        loads_tota(data)
    message = str(info.value)
    assert "\n" not in message and "root:" not in message  # nothing of /etc/passwd leaks


def test_external_dtd_is_never_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_network(*args: object) -> None:
        raise AssertionError("the XML reader opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    with within(5, "XML"):
        try:
            loads_tota(EXTERNAL_DTD)
        except ExtractionError as exc:  # refusing it is as good as ignoring it
            assert "\n" not in str(exc)


# -- Markdown / text built to make regexes backtrack -------------------------------------
PATHOLOGICAL = {
    "parens": "(" * 100_000,
    "di": "第" * 100_000,
    "dotted-number": "1." * 50_000,
    "long-line": "word " * 20_000,
    "dots": "." * 100_000 + "x",
    "dot-leader": ". " * 50_000 + "x",
    "spaces": " " * 100_000 + "x",
    "underscores": "_a " * 30_000,
    "double-underscores": "__a " * 30_000,
    "stars": "*a " * 30_000,
    "bold": "**a " * 30_000,
    "links": "[" * 30_000 + "](" * 30_000,
    "link-heads": "[a](" * 30_000,
    "footnote-refs": "[^" * 30_000,
    "comments": "<!--" * 30_000,
    "ellipsis": "…" * 100_000 + "x",
    "heading-dots": "# Chapter 1 " + "." * 50_000 + "x",
    "many-articles": "\n".join(f"第{i}条 内容" for i in range(1, 3000)),
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_text_is_fast(name: str) -> None:
    text = PATHOLOGICAL[name]
    with within(10, name):
        for markdown in (True, False):
            doc = loads_text(text, markdown=markdown)
            provisions = segment("x", doc)
            assert "".join(doc.text[p.char_start:p.char_end] for p in provisions
                           if p.parent_ref is None) == doc.text[
                provisions[0].char_start:] if provisions else True


# -- manifests and paths -------------------------------------------------------------------
@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x.pdf",
                                 "javascript:alert(1)", "data:text/plain,hi",
                                 "http:///nohost", "gopher://x/"])
def test_non_http_download_urls_are_bad_rows(url: str, tmp_path: Path) -> None:
    text = f"doc_id,path,download_url\nbad,a.pdf,{url}\ngood,b.pdf,https://example.org/b.pdf\n"
    m = loads_manifest(text, root=tmp_path)
    assert [r.doc_id for r in m.rows] == ["good"]
    (err,) = m.errors
    assert err.doc_id == "bad" and "http" in err.reason and "line 2" in err.reason


def test_symlink_out_of_the_corpus_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text("第一条 秘密。\n", encoding="utf-8")
    corpus = tmp_path / "corpus"
    (corpus / "text").mkdir(parents=True)
    (corpus / "text" / "link.md").symlink_to(outside)
    (corpus / "text" / "dir").symlink_to(tmp_path)
    (corpus / "ok.md").write_text("第一条 好。\n", encoding="utf-8")
    (corpus / "manifest.csv").write_text(
        "doc_id,path\nlink,text/link.md\ndirlink,text/dir/secret.md\nok,ok.md\n")
    with pytest.raises(ManifestError, match="outside the manifest folder"):
        resolve_path(corpus, "text/link.md")
    with Store.open(tmp_path / "i.sqlite") as store:
        report = ingest(read_manifest(corpus / "manifest.csv").rows, store, workers=0)
        assert report.ingested == ["ok"]
        kinds = {f.doc_id: f for f in report.failures}
        assert {k: f.kind for k, f in kinds.items()} == {"link": "manifest",
                                                         "dirlink": "manifest"}
        assert all("symlink" in f.reason for f in kinds.values())
    # a folder given on the command line: links leading out of it are refused too
    rows, errors = rows_for_paths([corpus])
    assert sorted(r.doc_id for r in rows) == ["ok"]
    assert errors and all("outside" in e.reason for e in errors)
