"""Fetch a manifest's documents: from a local mirror, or by downloading them.

For each row whose file is missing, or present with a sha256 other than the manifest's,
the document is copied from ``mirror`` or downloaded from its ``download_url`` into a
temporary file next to its final place, checked against the manifest's sha256, and only
then renamed into place (atomically). A file whose checksum does not match is never kept
under the final name. A present file with the right checksum is skipped.

A *mirror* is a folder holding the documents under the rows' relative paths, or under a
trailing part of them: for the project manifest (``documents/pdf/rcep-2020.pdf``) the
shared corpus (``../shared/corpus/pdf/rcep-2020.pdf``) is a mirror. The checksum check
makes the lenient lookup safe.

>>> fetch([], Path("."))
FetchReport(fetched=[], skipped=[], failures=[])
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.client import HTTPMessage
from pathlib import Path, PurePosixPath
from typing import IO
from urllib.error import URLError
from urllib.parse import urlsplit

from nlp_toolkit.defaults import DEFAULT_MANIFEST
from nlp_toolkit.errors import ChecksumError, FetchError, ManifestError
from nlp_toolkit.sources.manifest import (
    Failure,
    Manifest,
    ManifestRow,
    check_url,
    read_manifest,
    resolve_path,
)

#: Largest document a download may deliver (bytes).
MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024
#: Seconds a download may wait on the network before giving up.
DOWNLOAD_TIMEOUT_S = 60.0
_CHUNK = 1 << 20

#: ``progress(done, total, label)`` is called after each row.
ProgressFn = Callable[[int, int, str], None]


@dataclass
class FetchReport:
    """What :func:`fetch` did: doc_ids fetched and skipped, and the failures."""

    fetched: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no row failed."""
        return not self.failures


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(
    rows: Iterable[ManifestRow],
    dest_root: Path,
    *,
    mirror: Path | None = None,
    progress: ProgressFn | None = None,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
    timeout_s: float = DOWNLOAD_TIMEOUT_S,
) -> FetchReport:
    """Make every row's document present under ``dest_root`` with its manifest checksum.

    Args:
        rows: Manifest rows; each needs a ``sha256`` and a ``download_url`` or a mirror copy.
        dest_root: The folder the rows' paths are relative to (the manifest folder).
        mirror: A local folder to copy documents from instead of downloading them.
        progress: Called as ``progress(done, total, doc_id)`` after each row.
        max_bytes: Largest download accepted.
        timeout_s: Network timeout of a download.

    Returns:
        A report; failed rows (bad checksum, no source, network error) are listed in
        ``failures`` and the others are fetched.

    Example:
        >>> from nlp_toolkit.sources.manifest import read_manifest
        >>> m = read_manifest("corpus/manifest.csv")  # doctest: +SKIP
        >>> fetch(m.rows, m.root, mirror=Path("../shared/corpus")).ok  # doctest: +SKIP
        True
    """
    todo = list(rows)
    report = FetchReport()
    for i, row in enumerate(todo):
        try:
            if _fetch_one(row, dest_root, mirror=mirror, max_bytes=max_bytes,
                          timeout_s=timeout_s):
                report.fetched.append(row.doc_id)
            else:
                report.skipped.append(row.doc_id)
        except ChecksumError as exc:
            report.failures.append(Failure(row.doc_id, row.path, str(exc), "checksum"))
        except ManifestError as exc:
            report.failures.append(Failure(row.doc_id, row.path, str(exc), "manifest"))
        except FetchError as exc:
            report.failures.append(Failure(row.doc_id, row.path, str(exc), "fetch"))
        if progress is not None:
            progress(i + 1, len(todo), row.doc_id)
    return report


def _fetch_one(row: ManifestRow, dest_root: Path, *, mirror: Path | None, max_bytes: int,
               timeout_s: float) -> bool:
    """Fetch one row; True if a file was written, False if it was already there."""
    target = resolve_path(dest_root, row.path)
    if not row.sha256:
        raise FetchError("the manifest has no sha256 for this row, so a fetched copy could "
                         "not be verified; add the file's sha256 to the manifest")
    if target.is_file() and sha256_file(target) == row.sha256:
        return False
    source = _mirror_file(mirror, row.path) if mirror is not None else None
    if source is None and not row.download_url:
        where = f" and not in mirror {mirror}" if mirror is not None else ""
        raise FetchError(f"no download_url in the manifest{where}; give --mirror DIR "
                         "holding the file, or add a download_url")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                    dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            if source is not None:
                with source.open("rb") as src:
                    shutil.copyfileobj(src, out, _CHUNK)
            else:
                _download(row.download_url, out, max_bytes=max_bytes, timeout_s=timeout_s)
        got = sha256_file(tmp)
        if got != row.sha256:
            origin = str(source) if source is not None else row.download_url
            raise ChecksumError(
                f"checksum mismatch for {origin}: sha256 {got}, manifest says {row.sha256}; "
                "the file was not kept (check the source or update the manifest)"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return True


def _mirror_file(mirror: Path, rel: str) -> Path | None:
    """The mirror's copy of ``rel``: at ``mirror/rel`` or ``mirror/<a trailing part>``."""
    parts = PurePosixPath(rel.replace("\\", "/")).parts
    for i in range(len(parts)):
        try:
            candidate = resolve_path(mirror, "/".join(parts[i:]))
        except ManifestError:
            continue
        if candidate.is_file():
            return candidate
    return None


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http(s) URLs."""

    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int,
                         msg: str, headers: HTTPMessage, newurl: str
                         ) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise FetchError(f"refusing a redirect to a non-http(s) URL: {newurl[:120]}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _download(url: str, out: IO[bytes], *, max_bytes: int, timeout_s: float) -> None:
    try:
        check_url(url)
    except ManifestError as exc:
        raise FetchError(str(exc)) from exc
    opener = urllib.request.build_opener(_HttpOnlyRedirects())
    request = urllib.request.Request(url, headers={"User-Agent": "nlp-toolkit-fetch/1"})
    total = 0
    try:
        with opener.open(request, timeout=timeout_s) as resp:
            length = resp.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError(f"{url} is {int(length)} bytes, over the {max_bytes}-byte cap")
            while chunk := resp.read(_CHUNK):
                total += len(chunk)
                if total > max_bytes:
                    raise FetchError(f"{url} is over the {max_bytes}-byte cap; download stopped")
                out.write(chunk)
    except (URLError, OSError, ValueError) as exc:
        raise FetchError(f"download of {url} failed: {exc}; check the network or use "
                         "--mirror DIR") from exc


def fetch_manifest(manifest: str | Path | Manifest = DEFAULT_MANIFEST, *,
                   mirror: str | Path | None = None,
                   progress: ProgressFn | None = None) -> FetchReport:
    """Fetch a manifest's documents into its folder; bad rows are failures of the report.

    Raises:
        ManifestError: The manifest cannot be used at all.
    """
    m = manifest if isinstance(manifest, Manifest) else read_manifest(manifest)
    report = fetch(m.rows, m.root, mirror=Path(mirror) if mirror is not None else None,
                   progress=progress)
    report.failures[:0] = list(m.errors)
    return report
