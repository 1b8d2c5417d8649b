"""Extraction: one reader per format, and ``read_document`` that picks the right one.

``read_document`` checks the file first (exists, not empty, not over ``max_bytes``, its
first bytes match its format: a web page saved as ``.pdf`` is refused with a message that
says what it is), then calls ``read_pdf`` (``pdf.py``), ``read_text`` (``text.py``),
``read_tota`` (``tota.py``) or ``read_html`` (``html.py``); plain text extracted from an
Indonesian gazette goes through ``gazette.py``. Every failure is an ``ExtractionError``
(or its subclass ``ResourceLimitError``) with a one-line message naming the file and the
reason.

>>> detect_format("laws/chn-pipl-2021.md")
'md'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from nlp_toolkit.errors import ExtractionError, ResourceLimitError
from nlp_toolkit.records import ExtractedDocument

Format = Literal["pdf", "md", "txt", "xml", "html"]
FORMATS: tuple[str, ...] = get_args(Format)
SUFFIXES: dict[str, Format] = {
    ".pdf": "pdf",
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
    ".text": "txt",
    ".xml": "xml",
    ".html": "html",
    ".htm": "html",
}
#: How many leading bytes are read to check what a file really is.
SNIFF_BYTES = 1024

__all__ = [
    "FORMATS",
    "ExtractLimits",
    "Format",
    "describe_content",
    "detect_format",
    "read_document",
]


@dataclass(frozen=True)
class ExtractLimits:
    """Per-file limits, configurable from the CLI; ``None`` means no limit.

    ``max_pages`` and ``timeout_s`` apply to PDFs (text and XML have no pages and parse in
    well under a second per megabyte); ``max_bytes`` applies to every file.
    """

    max_pages: int | None = 3000
    timeout_s: float | None = 600.0
    max_bytes: int | None = 500 * 1024 * 1024


def detect_format(path: str | Path) -> Format:
    """The format of a file from its suffix (``.pdf``, ``.md``, ``.txt``, ``.xml``, ``.html``).

    Raises:
        ExtractionError: the suffix is not one of those.
    """
    p = Path(path)
    fmt = SUFFIXES.get(p.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(SUFFIXES))
        raise ExtractionError(
            f"{p}: unsupported file type {p.suffix or '(no suffix)'!r}; "
            f"supported: {known} (or pass the format explicitly)"
        )
    return fmt


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF"),
    (b"PK\x03\x04", "a ZIP archive (e.g. .docx, .xlsx or .epub)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (.doc/.xls)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
)


def describe_content(head: bytes) -> str:
    """What a file looks like from its first bytes, e.g. ``"an HTML page"``.

    >>> describe_content(b"<!DOCTYPE html><html>")
    'an HTML page'
    """
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "an HTML page"
    if text.startswith(b"<"):
        return "an XML document"
    if text.startswith((b"{", b"[")):
        return "JSON or other structured text"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary data"
    return "plain text"


_TEXT_LIKE = frozenset(
    {"plain text", "JSON or other structured text", "an XML document", "an HTML page"}
)


def _quote_start(head: bytes) -> str:
    """The file's first few characters, printable, for an error message."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:12].decode("latin-1")
    return re.sub(r"[^\x20-\x7e]", "?", start)


def _check_file(path: Path, limits: ExtractLimits) -> bytes:
    """Check existence and size; return the first bytes."""
    try:
        if not path.is_file():
            what = "is a directory" if path.is_dir() else "does not exist"
            raise ExtractionError(f"{path}: {what}; check the path")
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise ExtractionError(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    if size == 0:
        raise ExtractionError(f"{path}: empty file (0 bytes); download or export it again")
    if limits.max_bytes is not None and size > limits.max_bytes:
        raise ResourceLimitError(
            f"{path}: file is {size:,} bytes, over the limit of {limits.max_bytes:,}; "
            "raise the byte limit if it is genuine"
        )
    return head


def _check_content(path: Path, fmt: Format, head: bytes) -> None:
    """Refuse a file whose first bytes contradict its format."""
    what = describe_content(head)
    if fmt == "pdf":
        if b"%PDF-" not in head:
            raise ExtractionError(
                f"{path}: starts with {_quote_start(head)!r} — not a PDF (it looks like "
                f"{what}); download the PDF again or rename the file"
            )
    elif fmt == "xml":
        if what != "an XML document":
            raise ExtractionError(
                f"{path}: starts with {_quote_start(head)!r} — not XML (it looks like {what}); "
                "only ToTA treaty XML is supported"
            )
    elif fmt == "html":
        if what not in _TEXT_LIKE:
            raise ExtractionError(
                f"{path}: starts with {_quote_start(head)!r} — not a web page (it looks like "
                f"{what}); give it its real suffix"
            )
    elif what not in _TEXT_LIKE:  # md/txt: markup is still text; PDFs and binaries are not
        raise ExtractionError(
            f"{path}: starts with {_quote_start(head)!r} — not a text file (it looks like "
            f"{what}); give it its real suffix"
        )


def read_document(
    path: str | Path,
    fmt: Format | None = None,
    *,
    limits: ExtractLimits = ExtractLimits(),  # noqa: B008 - frozen, so safe as a default
    language: str | None = None,
) -> ExtractedDocument:
    """Read any supported document into an ``ExtractedDocument``.

    Args:
        path: The file.
        fmt: Its format; by default taken from the suffix (``detect_format``).
        limits: Size, page and time limits for this file.
        language: The document's language, where a reader needs it: a web page that also
            carries a translation keeps the content in this language.

    Raises:
        ExtractionError: the file is missing, empty, not what its format says, or
            unreadable; ``ResourceLimitError`` when it exceeds ``limits``.
    """
    p = Path(path)
    if fmt is None:
        fmt = detect_format(p)
    elif fmt not in FORMATS:
        raise ExtractionError(f"{p}: unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    head = _check_file(p, limits)
    _check_content(p, fmt, head)
    if fmt == "pdf":
        from nlp_toolkit.extract.pdf import read_pdf  # pdfplumber is slow to import

        return read_pdf(p, max_pages=limits.max_pages, timeout_s=limits.timeout_s)
    if fmt == "xml":
        from nlp_toolkit.extract.tota import read_tota

        return read_tota(p)
    if fmt == "html":
        from nlp_toolkit.extract.html import read_html

        return read_html(p, language=language)
    from nlp_toolkit.extract.annotations import split_amendment_notes
    from nlp_toolkit.extract.text import read_text

    if fmt == "txt":
        from nlp_toolkit.extract.gazette import is_gazette, read_gazette

        if is_gazette(head.decode("utf-8", errors="replace")):
            return read_gazette(p)
    # consolidated acts' "[Act 19 of 2024 wef 31/10/2025]" go to metadata (annotations.py)
    return split_amendment_notes(read_text(p, markdown=fmt == "md"))
