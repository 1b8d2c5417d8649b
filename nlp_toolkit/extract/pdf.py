"""Read a PDF into an :class:`~nlp_toolkit.records.ExtractedDocument`.

The file is parsed once with pdfplumber, page by page (each page's cache is freed as soon
as its characters are read), and the pure algorithms in
:mod:`nlp_toolkit.extract.pdf_layout` turn characters into clean lines. Pages without a
text layer are OCR'd with Tesseract when ``pytesseract`` and the ``tesseract`` binary are
installed. Every failure is raised as an :class:`~nlp_toolkit.errors.ExtractionError`
that names the file and the reason.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nlp_toolkit.errors import ExtractionError, ResourceLimitError, ScannedDocumentError
from nlp_toolkit.extract.pdf_cleanup import dehyphenate, find_running_lines, split_footnotes
from nlp_toolkit.extract.pdf_layout import normalize_text, page_lines
from nlp_toolkit.records import ExtractedDocument, Line

#: A page with fewer printable characters than this, and an image, has no text layer.
MIN_TEXT_CHARS = 10
OCR_HINT = "install OCR with `apt-get install tesseract-ocr && pip install pytesseract`"


def ocr_available() -> bool:
    """True when both the ``pytesseract`` package and the ``tesseract`` binary exist."""
    if shutil.which("tesseract") is None:
        return False
    try:
        import pytesseract  # noqa: F401
    except ImportError:
        return False
    return True


def _check_header(path: Path) -> None:
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(1024)
    except FileNotFoundError:
        raise ExtractionError(f"{path}: file not found; check the path") from None
    except OSError as exc:
        raise ExtractionError(f"{path}: cannot be read ({exc.strerror})") from None
    if size == 0:
        raise ExtractionError(f"{path}: file is empty (0 bytes); download it again")
    if b"%PDF-" not in head:
        start = head[:16].decode("latin-1").strip()
        raise ExtractionError(
            f"{path}: not a PDF (no %PDF header; starts with {start!r}); check the file type"
        )


def _open_error(path: Path, exc: Exception) -> ExtractionError:
    name = type(exc).__name__
    # pdfplumber wraps pdfminer's errors: look at the wrapped one too
    described = f"{exc!r} {exc.__context__!r} {exc.__cause__!r}".lower()
    if "password" in described or "encrypt" in described:
        return ExtractionError(
            f"{path}: PDF is encrypted with a password; decrypt it first "
            "(e.g. `qpdf --decrypt --password=PW in.pdf out.pdf`)"
        )
    if "memoryerror" in described or "unable to allocate" in described:
        return ResourceLimitError(
            f"{path}: PDF needs more memory than allowed to decompress (a decompression "
            "bomb?); check the file, or raise the worker memory limit if it is genuine"
        )
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else name
    return ExtractionError(
        f"{path}: PDF is damaged or truncated ({name}: {detail}); download it again"
    )


def _metadata(raw: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in raw.items():
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, str | int | float):
            text = str(value).strip()
            if text:
                out[str(key)] = text
    return out


def ocr_data_to_lines(data: Mapping[str, Sequence[Any]], *, page: int, scale: float) -> list[Line]:
    """Group Tesseract ``image_to_data`` words into lines, in PDF points.

    Args:
        data: The dict ``pytesseract.image_to_data(..., output_type=Output.DICT)`` returns.
        page: 1-based page number.
        scale: Pixels per PDF point of the rendered image.
    """
    groups: dict[tuple[int, int, int], list[int]] = {}
    for i, word in enumerate(data["text"]):
        if str(word).strip() and float(data["conf"][i]) >= 0:
            key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
            groups.setdefault(key, []).append(i)
    lines: list[Line] = []
    for idx in groups.values():
        left = min(int(data["left"][i]) for i in idx)
        top = min(int(data["top"][i]) for i in idx)
        right = max(int(data["left"][i]) + int(data["width"][i]) for i in idx)
        bottom = max(int(data["top"][i]) + int(data["height"][i]) for i in idx)
        lines.append(
            Line(
                text=normalize_text(" ".join(str(data["text"][i]).strip() for i in idx)),
                page=page,
                x0=round(left / scale, 2),
                top=round(top / scale, 2),
                x1=round(right / scale, 2),
                bottom=round(bottom / scale, 2),
                size=round((bottom - top) / scale, 1),
            )
        )
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines


def _ocr_page(path: Path, index: int, *, language: str) -> list[Line]:
    import pypdfium2
    import pytesseract

    scale = 300 / 72
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        image = pdf[index].render(scale=scale).to_pil()
    finally:
        pdf.close()
    data = pytesseract.image_to_data(image, lang=language, output_type=pytesseract.Output.DICT)
    return ocr_data_to_lines(data, page=index + 1, scale=scale)


def read_pdf(
    path: str | Path,
    *,
    pages: Sequence[int] | None = None,
    max_pages: int | None = None,
    timeout_s: float | None = None,
    ocr: bool = True,
    ocr_language: str = "eng",
    join_hyphens: bool = True,
) -> ExtractedDocument:
    """Read a PDF's text as clean lines in reading order.

    Running headers, footers and page numbers go to ``removed``; footnotes at the foot of
    a page go to ``footnotes``; pages without a text layer are listed in
    ``scanned_pages`` (and OCR'd when ``ocr`` is true and Tesseract is installed).

    Args:
        path: The PDF file.
        pages: 1-based page numbers to read (default: all). Running-header detection
            only sees these pages.
        max_pages: Refuse documents with more pages than this.
        timeout_s: Give up when reading takes longer than this many seconds.
        ocr: OCR pages without a text layer when an OCR engine is installed.
        ocr_language: Tesseract language code(s), e.g. ``"eng"`` or ``"lao+eng"``.
        join_hyphens: Join words hyphenated across lines (see
            :func:`~nlp_toolkit.extract.pdf_cleanup.dehyphenate`).

    Returns:
        The document's lines, footnotes, removed lines, scanned pages and metadata.

    Raises:
        ExtractionError: The file is missing, empty, not a PDF, damaged or encrypted.
        ResourceLimitError: More pages than ``max_pages``, or slower than ``timeout_s``.
        ScannedDocumentError: No page has a text layer and no OCR engine is available.

    Example:
        >>> doc = read_pdf("act.pdf", max_pages=2000)  # doctest: +SKIP
        >>> doc.lines[0].text  # doctest: +SKIP
        'PERSONAL DATA PROTECTION ACT 2012'
    """
    import pdfplumber  # heavy import, only when reading PDFs

    path = Path(path)
    _check_header(path)
    started = time.monotonic()
    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:  # pdfminer raises many unrelated types
        raise _open_error(path, exc) from exc
    try:
        page_count = len(pdf.pages)
        if max_pages is not None and page_count > max_pages:
            raise ResourceLimitError(
                f"{path}: has {page_count} pages, more than the limit of {max_pages}; "
                "raise max_pages to read it"
            )
        wanted = list(range(1, page_count + 1)) if pages is None else sorted(set(pages))
        bad = [p for p in wanted if not 1 <= p <= page_count]
        if bad:
            raise ValueError(f"pages {bad} out of range 1..{page_count} for {path}")
        per_page: list[list[Line]] = []
        heights: list[float] = []
        sizes: Counter[float] = Counter()
        textless: list[int] = []
        for number in wanted:
            if timeout_s is not None and time.monotonic() - started > timeout_s:
                raise ResourceLimitError(
                    f"{path}: reading took longer than {timeout_s:g} s (stopped at page "
                    f"{number} of {page_count}); raise timeout_s or read fewer pages"
                )
            page = pdf.pages[number - 1]
            chars = page.chars
            printable = sum(1 for c in chars if c["text"].strip())
            if printable < MIN_TEXT_CHARS and page.images:
                textless.append(number)
            lines = page_lines(chars, page=number, width=float(page.width))
            per_page.append(lines)
            heights.append(float(page.height))
            for ln in lines:
                sizes[ln.size] += len(ln.text)
            page.close()
        metadata = _metadata(pdf.metadata or {})
    except ExtractionError:
        raise
    except Exception as exc:
        raise _open_error(path, exc) from exc
    finally:
        pdf.close()
    return _assemble(
        path,
        wanted,
        per_page,
        heights,
        sizes,
        textless,
        page_count=page_count,
        metadata=metadata,
        ocr=ocr,
        ocr_language=ocr_language,
        join_hyphens=join_hyphens,
    )


def _assemble(
    path: Path,
    numbers: list[int],
    per_page: list[list[Line]],
    heights: list[float],
    sizes: Counter[float],
    textless: list[int],
    *,
    page_count: int,
    metadata: dict[str, str],
    ocr: bool,
    ocr_language: str,
    join_hyphens: bool,
) -> ExtractedDocument:
    warnings: list[str] = []
    if textless and len(textless) == len(per_page) and not (ocr and ocr_available()):
        raise ScannedDocumentError(
            f"{path}: no text layer on any of its {len(textless)} pages (a scanned "
            f"document); {OCR_HINT}, then read it again"
        )
    if textless:
        if ocr and ocr_available():
            for number in textless:
                per_page[numbers.index(number)] = _ocr_page(path, number - 1, language=ocr_language)
            warnings.append(f"{len(textless)} page(s) without a text layer were OCR'd")
        else:
            warnings.append(
                f"{len(textless)} page(s) have no text layer and were skipped "
                f"({_page_list(textless)}); {OCR_HINT}"
            )
    running = find_running_lines(per_page, heights)
    removed = [per_page[p][i] for p, i in sorted(running)]
    body_size = max(sizes.items(), key=lambda kv: (kv[1], kv[0]))[0] if sizes else 0.0
    body: list[Line] = []
    notes: list[Line] = []
    for p, lines in enumerate(per_page):
        kept = [ln for i, ln in enumerate(lines) if (p, i) not in running]
        page_body, page_notes = split_footnotes(kept, body_size=body_size)
        body += page_body
        notes += page_notes
    if join_hyphens:
        body = dehyphenate(body)
    metadata = dict(metadata)
    if body_size:
        metadata["body_font_size"] = f"{body_size:g}"
    return ExtractedDocument(
        lines=tuple(body),
        page_count=page_count,
        footnotes=tuple(notes),
        scanned_pages=tuple(textless),
        removed=tuple(removed),
        metadata=metadata,
        warnings=tuple(warnings),
    )


def _page_list(numbers: Sequence[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:10])
    return f"pages {shown}" + (" ..." if len(numbers) > 10 else "")
