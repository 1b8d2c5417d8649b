"""Read and validate corpus manifests: the only place that trusts no path.

A manifest is a CSV file with one row per document. Two columns are required, ``doc_id``
and ``path``; the others (``format``, ``jurisdiction``, ``title``, ``doc_type``,
``language``, ``year``, ``source_url``, ``source_commit``, ``download_url``,
``license_note``, ``notes``, ``sha256``) may be absent or empty, and columns nobody knows
are kept in :attr:`ManifestRow.extra`.

**Layout.** A row's ``path`` is relative to the manifest's own folder (its *root*),
always. The project's default corpus, ``corpus/manifest.csv``, lists paths such as
``documents/pdf/rcep-2020.pdf``, so ``nlp-toolkit fetch`` puts documents under the
git-ignored ``corpus/documents/``; the shared corpus manifest (``pdf/rcep-2020.pdf``) works
unchanged with the same rule. A fetch *mirror* may be laid out either like the manifest's
root or like the documents folder (see :mod:`nlp_toolkit.sources.fetch`).

**Validation.** A manifest that cannot be used at all (missing, not UTF-8 CSV, no
``doc_id``/``path`` column) raises :class:`~nlp_toolkit.errors.ManifestError`. A bad
*row* (bad ``doc_id``, duplicate ``doc_id``, absolute path or one with ``..``, a
``download_url`` that is not http(s), a malformed ``sha256`` or ``year``) becomes a
:class:`Failure` in :attr:`Manifest.errors`; the other rows stay usable.
Resolving a row's path against the file system (:func:`resolve_path`) additionally refuses
symlinks that lead out of the root.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "m.csv").write_text("doc_id,path\\nok-1,a.md\\nbad,/etc/passwd\\n")
>>> m = read_manifest(d / "m.csv")
>>> [r.doc_id for r in m.rows], [e.reason for e in m.errors]  # doctest: +NORMALIZE_WHITESPACE
(['ok-1'],
 ['path must be relative to the manifest folder, not absolute: /etc/passwd
   (manifest line 3)'])
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import urlsplit

from nlp_toolkit.errors import ManifestError

#: Columns every manifest must have.
REQUIRED_COLUMNS: tuple[str, ...] = ("doc_id", "path")
#: Known optional columns, in the shared corpus's order.
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "format", "jurisdiction", "title", "doc_type", "language", "year", "source_url",
    "source_commit", "download_url", "license_note", "notes", "sha256", "work", "version_date",
)
#: File suffix -> format name the readers understand.
FORMATS: dict[str, str] = {
    ".pdf": "pdf", ".md": "md", ".txt": "txt", ".xml": "xml", ".html": "html", ".htm": "html",
}

DOC_ID_RE = re.compile(r"[a-z0-9][a-z0-9._-]*")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_MAX_DOC_ID = 200


@dataclass(frozen=True, slots=True)
class Failure:
    """One input that could not be used, and why (a row, a file, a download).

    ``kind`` is a short class: ``manifest`` (bad row), ``missing`` (no file), ``fetch``,
    ``checksum``, ``scanned``, ``limit``, ``extract``, ``crash`` or ``error``.
    """

    doc_id: str
    path: str
    reason: str
    kind: str = "error"

    def line(self) -> str:
        """One line for a person: ``path (doc_id): reason``."""
        name = self.path or "<no path>"
        who = f" ({self.doc_id})" if self.doc_id and self.doc_id not in name else ""
        return f"{name}{who}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ManifestRow:
    """One document of a manifest. ``path`` is relative to ``root`` (the manifest folder)."""

    doc_id: str
    path: str
    root: Path
    format: str = ""
    jurisdiction: str = ""
    title: str = ""
    doc_type: str = ""
    language: str = ""
    year: int | None = None
    source_url: str = ""
    source_commit: str = ""
    download_url: str = ""
    license_note: str = ""
    notes: str = ""
    sha256: str = ""
    #: the law this document expresses (versions and translations share it); inferred from
    #: ``doc_id`` when empty (:func:`nlp_toolkit.sources.works.infer_work`)
    work: str = ""
    #: this version's date (``YYYY`` or ``YYYY-MM-DD``); inferred from doc_id/year/title
    version_date: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    line: int = 0  # 1-based line in the CSV file (header = 1); 0 when not from a file

    @property
    def file(self) -> Path:
        """The resolved, checked location of the document (see :func:`resolve_path`)."""
        return resolve_path(self.root, self.path)

    @property
    def fmt(self) -> str:
        """The format: the ``format`` column, else guessed from the file suffix."""
        return self.format or FORMATS.get(PurePosixPath(self.path).suffix.lower(), "")


@dataclass(frozen=True, slots=True)
class Manifest:
    """A read manifest: the usable rows, and one :class:`Failure` per unusable row."""

    path: Path
    root: Path
    rows: tuple[ManifestRow, ...]
    errors: tuple[Failure, ...] = ()
    columns: tuple[str, ...] = ()


def read_manifest(path: str | Path) -> Manifest:
    """Read and validate a manifest CSV.

    Args:
        path: The CSV file. Row paths are relative to its folder.

    Returns:
        The usable rows and the errors of the others.

    Raises:
        ManifestError: The file is missing, unreadable, or lacks a required column.

    Example:
        >>> read_manifest("no/such.csv")
        Traceback (most recent call last):
        ...
        nlp_toolkit.errors.ManifestError: manifest not found: no/such.csv ...
    """
    path = Path(path)
    if not path.is_file():
        raise ManifestError(
            f"manifest not found: {path} (give an existing CSV with --manifest, or run "
            "from the project folder so corpus/manifest.csv is found)"
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"cannot read manifest {path}: {exc}; save it as UTF-8 CSV") from exc
    return loads_manifest(text, root=path.resolve().parent, path=path)


def loads_manifest(text: str, *, root: Path, path: Path | None = None) -> Manifest:
    """Parse manifest CSV text whose row paths are relative to ``root`` (pure).

    Raises:
        ManifestError: The text has no header or lacks a required column.
    """
    name = str(path) if path is not None else "<manifest>"
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = tuple(c.strip() for c in (reader.fieldnames or ()))
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ManifestError(
            f"manifest {name} lacks required column(s) {', '.join(missing)}; its header must "
            f"include {', '.join(REQUIRED_COLUMNS)} (found: {', '.join(columns) or 'nothing'})"
        )
    rows: list[ManifestRow] = []
    errors: list[Failure] = []
    seen: set[str] = set()
    try:
        records = list(reader)
    except csv.Error as exc:
        raise ManifestError(f"manifest {name} is not valid CSV: {exc}") from exc
    for i, raw in enumerate(records):
        line = i + 2
        rec = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        try:
            row = _row(rec, root=root, line=line)
            if row.doc_id in seen:
                raise ManifestError(f"duplicate doc_id {row.doc_id!r}; doc_ids must be unique")
        except ManifestError as exc:
            errors.append(Failure(rec.get("doc_id", ""), rec.get("path", ""),
                                  f"{exc} (manifest line {line})", "manifest"))
            continue
        seen.add(row.doc_id)
        rows.append(row)
    return Manifest(path=path or root, root=root, rows=tuple(rows), errors=tuple(errors),
                    columns=columns)


def _row(rec: dict[str, str], *, root: Path, line: int) -> ManifestRow:
    doc_id = rec.get("doc_id", "")
    check_doc_id(doc_id)
    rel = rec.get("path", "")
    check_relative_path(rel)
    url = rec.get("download_url", "")
    if url:
        check_url(url)
    sha = rec.get("sha256", "").lower()
    if sha and not _SHA256_RE.fullmatch(sha):
        raise ManifestError(f"sha256 must be 64 hex digits, got {sha[:80]!r}")
    year_text = rec.get("year", "")
    if year_text and not year_text.isdigit():
        raise ManifestError(f"year must be a whole number, got {year_text!r}")
    known = {c: rec.get(c, "") for c in OPTIONAL_COLUMNS if c not in ("year", "sha256")}
    extra = {k: v for k, v in rec.items() if k not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS}
    return ManifestRow(doc_id=doc_id, path=rel, root=root, year=int(year_text) if year_text
                       else None, sha256=sha, extra=extra, line=line, **known)


def check_doc_id(doc_id: str) -> None:
    """Raise :class:`ManifestError` unless ``doc_id`` matches ``[a-z0-9][a-z0-9._-]*``."""
    if not doc_id:
        raise ManifestError("doc_id is empty")
    if len(doc_id) > _MAX_DOC_ID or not DOC_ID_RE.fullmatch(doc_id):
        raise ManifestError(
            f"doc_id {doc_id[:80]!r} is not valid: use lower-case letters, digits, '.', '_' "
            "and '-', starting with a letter or digit"
        )


def check_relative_path(rel: str) -> None:
    """Raise :class:`ManifestError` unless ``rel`` is a plain relative path (pure check)."""
    if not rel:
        raise ManifestError("path is empty")
    if "\x00" in rel:
        raise ManifestError("path contains a NUL character")
    if rel.startswith(("/", "\\")) or PureWindowsPath(rel).drive or PurePosixPath(
        rel).is_absolute():
        raise ManifestError(f"path must be relative to the manifest folder, not absolute: {rel}")
    parts = re.split(r"[\\/]", rel)
    if ".." in parts:
        raise ManifestError(f"path must not contain '..' (it would leave the corpus): {rel}")


def check_url(url: str) -> None:
    """Raise :class:`ManifestError` unless ``url`` is an http(s) URL with a host."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # "http://[::1" (an unclosed or invalid IPv6 host)
        raise ManifestError(f"download_url is not a valid URL ({exc}): {url[:120]!r}") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ManifestError(
            f"download_url must be an http:// or https:// URL, got {url[:120]!r}"
        )


def resolve_path(root: Path, rel: str) -> Path:
    """Join ``rel`` to ``root`` and refuse anything that ends up outside ``root``.

    Symlinks are followed: a link inside the root that points outside it is refused.
    The file need not exist.

    Raises:
        ManifestError: ``rel`` is absolute, has ``..``, or resolves outside ``root``.
    """
    check_relative_path(rel)
    base = root.resolve()
    target = (base / rel).resolve()
    if not target.is_relative_to(base):
        raise ManifestError(
            f"path {rel} resolves to {target}, outside the manifest folder {base} "
            "(a symlink leaves the corpus); copy the file into the corpus instead"
        )
    return target


def slug_doc_id(stem: str) -> str:
    """A valid doc_id from a file name stem: ``"My Law (2020)"`` -> ``"my-law-2020"``."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-._")
    return (slug or "doc")[:_MAX_DOC_ID]


def row_for_file(path: str | Path, *, doc_id: str | None = None) -> ManifestRow:
    """A manifest row for a file given directly (``nlp-toolkit ingest FILE``).

    The doc_id is the slugged file stem unless given; the format is guessed from the suffix.
    """
    path = Path(path).resolve()  # the user named this file: follow its links on purpose
    return ManifestRow(doc_id=doc_id or slug_doc_id(path.stem), path=path.name,
                       root=path.parent, format=FORMATS.get(path.suffix.lower(), ""))


def rows_for_paths(paths: list[Path]) -> tuple[list[ManifestRow], list[Failure]]:
    """Rows for files and folders given directly; folders are searched recursively.

    Two files with the same derived doc_id: the second is a :class:`Failure`.
    """
    files: list[Path] = []
    errors: list[Failure] = []
    for p in paths:
        if p.is_dir():
            base = p.resolve()
            for f in sorted(f for f in p.rglob("*")
                            if f.is_file() and f.suffix.lower() in FORMATS):
                if f.resolve().is_relative_to(base):
                    files.append(f)
                else:  # a link inside a folder leading out of it: refused, as in manifests
                    errors.append(Failure(slug_doc_id(f.stem), str(f), (
                        f"resolves to {f.resolve()}, outside the folder {p} (a symlink "
                        "leaves it); give the file itself to ingest it"), "manifest"))
        else:
            files.append(p)
    rows: list[ManifestRow] = []
    seen: dict[str, Path] = {}
    for f in files:
        row = row_for_file(f)
        if row.doc_id in seen:
            errors.append(Failure(row.doc_id, str(f), f"doc_id {row.doc_id!r} already used by "
                                  f"{seen[row.doc_id]}; rename one file or use a manifest",
                                  "manifest"))
            continue
        seen[row.doc_id] = f
        rows.append(row)
    return rows, errors
