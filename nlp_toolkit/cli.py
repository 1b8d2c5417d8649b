"""The ``nlp-toolkit`` command line: each command parses options, makes one library call,
renders the result and turns the library's errors into a message and an exit code.

Exit codes (``spec/cli.md``): 0 success; 1 the work ran but some inputs failed (each named on
stderr, the rest kept); 2 bad usage or unusable input (nothing changed).

Environment variables are read here only: ``NLP_TOOLKIT_DB`` (default ``--db``) and
``NLP_TOOLKIT_MIRROR`` (default ``--mirror``). Heavy libraries are imported inside the
commands, so ``nlp-toolkit --help`` is instant.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from nlp_toolkit import __version__
from nlp_toolkit.errors import ToolkitError

if TYPE_CHECKING:
    from nlp_toolkit.corpus import Corpus
    from nlp_toolkit.extract import ExtractLimits
    from nlp_toolkit.fetch import ProgressFn
    from nlp_toolkit.manifest import Failure
    from nlp_toolkit.render import Format

F = TypeVar("F", bound=Callable[..., Any])

_DEFAULT_DB = "corpus/index.sqlite"
_DEFAULT_MANIFEST = "corpus/manifest.csv"
_LEVELS = ("all", "article", "preamble", "part", "chapter", "section", "paragraph", "item",
           "schedule", "annex")
_FORMATS = ("table", "json", "jsonl", "csv")


class UnusableInput(click.ClickException):
    """Bad input that stops the command before it changes anything (exit code 2)."""

    exit_code = 2


def db_option(f: F) -> F:
    """``--db PATH`` (env ``NLP_TOOLKIT_DB``), on every command."""
    return click.option(
        "--db", "db", type=click.Path(dir_okay=False, path_type=Path), envvar="NLP_TOOLKIT_DB",
        default=_DEFAULT_DB, show_default=True, show_envvar=True,
        help="The index database.")(f)


def quiet_option(f: F) -> F:
    """``--quiet``: no progress bar."""
    return click.option("-q", "--quiet", is_flag=True, help="No progress bar.")(f)


def format_option(f: F) -> F:
    """``--format``: table on a terminal, jsonl when piped."""
    return click.option(
        "--format", "fmt", type=click.Choice(_FORMATS), default=None,
        help="Output format [default: table on a terminal, jsonl when piped].")(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="nlp-toolkit")
def main() -> None:
    """Read laws and treaties as data: numbered, hierarchical, searchable provisions.

    \b
    A first run:
      nlp-toolkit build --mirror ../shared/corpus   # fetch + ingest the default corpus
      nlp-toolkit provisions --doc chn-pipl-2021 --level article
      nlp-toolkit stats
    """


@contextmanager
def _errors() -> Iterator[None]:
    """Library errors become a clean message and exit code 2."""
    try:
        yield
    except ToolkitError as exc:
        raise UnusableInput(str(exc)) from exc


@contextmanager
def _open(db: Path, *, create: bool) -> Iterator[Corpus]:
    from nlp_toolkit.corpus import Corpus

    with _errors():
        corpus = Corpus.open(db, create=create)
    try:
        yield corpus
    finally:
        corpus.close()


@contextmanager
def _progress(desc: str, quiet: bool) -> Iterator[ProgressFn | None]:
    """A tqdm bar on stderr, or nothing when quiet or stderr is not a terminal."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(desc=desc, unit="doc", file=sys.stderr, leave=False)

    def update(done: int, total: int, label: str) -> None:
        bar.total = total
        bar.set_postfix_str(label, refresh=False)
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        bar.close()


def _report_failures(failures: Sequence[Failure]) -> None:
    for f in failures:
        label = "scanned" if f.kind == "scanned" else "failed"
        click.echo(f"{label}: {f.line()}", err=True)


def _limits(max_pages: int | None, timeout: float | None) -> ExtractLimits | None:
    if max_pages is None and timeout is None:
        return None
    import dataclasses

    from nlp_toolkit.extract import ExtractLimits

    changes: dict[str, Any] = {}
    if max_pages is not None:
        changes["max_pages"] = max_pages
    if timeout is not None:
        changes["timeout_s"] = timeout
    return dataclasses.replace(ExtractLimits(), **changes)


def _check_manifest(manifest: Path) -> None:
    if not manifest.is_file():
        raise UnusableInput(f"manifest not found: {manifest} (give --manifest CSV, or run "
                            "from the project folder)")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--manifest", type=click.Path(dir_okay=False, path_type=Path),
              help=f"CSV of documents (paths relative to it) [default without PATHs: "
                   f"{_DEFAULT_MANIFEST}].")
@click.option("--workers", type=click.IntRange(min=0),
              help="Worker processes [default: one per CPU; 0 = no workers].")
@click.option("--max-pages", type=click.IntRange(min=1),
              help="Refuse documents with more pages than this.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True),
              help="Give up on a document after this many seconds.")
@db_option
@quiet_option
def ingest(paths: tuple[Path, ...], manifest: Path | None, workers: int | None,
           max_pages: int | None, timeout: float | None, db: Path, quiet: bool) -> None:
    """Read documents, split them into provisions and store them; unchanged files are skipped.

    PATHs are PDF, Markdown/text or ToTA XML files, or folders of them (doc_id = file name).
    Without PATHs the default manifest is ingested.

    \b
    Examples:
      nlp-toolkit ingest --manifest ../shared/corpus/manifest.csv --workers 2
      nlp-toolkit ingest my-law.pdf --db /tmp/test.sqlite --max-pages 500
    """
    if not paths and manifest is None:
        manifest = Path(_DEFAULT_MANIFEST)
    if manifest is not None:
        _check_manifest(manifest)
    limits = _limits(max_pages, timeout)
    with _open(db, create=True) as corpus, _progress("ingest", quiet) as bar, _errors():
        report = corpus.ingest(paths, manifest=manifest, workers=workers, limits=limits,
                               progress=bar)
    _report_failures(report.failures)
    click.echo(report.summary())
    if report.failures:
        sys.exit(1)


@main.command()
@click.option("--manifest", type=click.Path(dir_okay=False, path_type=Path),
              default=_DEFAULT_MANIFEST, show_default=True, help="CSV of documents to fetch.")
@click.option("--mirror", type=click.Path(exists=True, file_okay=False, path_type=Path),
              envvar="NLP_TOOLKIT_MIRROR", show_envvar=True,
              help="A local folder holding the documents (copied instead of downloaded).")
@db_option
@quiet_option
def fetch(manifest: Path, mirror: Path | None, db: Path, quiet: bool) -> None:
    """Download (or copy from a mirror) every document of a manifest that is missing or
    changed, checking each against the manifest's sha256.

    Documents land next to the manifest, under the rows' paths (for the default manifest:
    corpus/documents/, which git ignores). The index (--db) is not touched.

    \b
    Example:
      nlp-toolkit fetch --mirror ../shared/corpus
    """
    from nlp_toolkit.corpus import fetch_manifest

    del db  # every command takes --db; fetching needs no index
    _check_manifest(manifest)
    with _progress("fetch", quiet) as bar, _errors():
        report = fetch_manifest(manifest, mirror=mirror, progress=bar)
    _report_failures(report.failures)
    click.echo(f"{len(report.fetched)} fetched, {len(report.skipped)} already present, "
               f"{len(report.failures)} failed")
    if report.failures:
        sys.exit(1)


@main.command()
@click.option("--manifest", type=click.Path(dir_okay=False, path_type=Path),
              default=_DEFAULT_MANIFEST, show_default=True, help="CSV of documents.")
@click.option("--mirror", type=click.Path(exists=True, file_okay=False, path_type=Path),
              envvar="NLP_TOOLKIT_MIRROR", show_envvar=True,
              help="A local folder holding the documents (copied instead of downloaded).")
@click.option("--workers", type=click.IntRange(min=0),
              help="Worker processes [default: one per CPU].")
@db_option
@quiet_option
def build(manifest: Path, mirror: Path | None, workers: int | None, db: Path,
          quiet: bool) -> None:
    """Fetch and ingest the default corpus: the one command a new user runs.

    \b
    Example:
      nlp-toolkit build --mirror ../shared/corpus
    """
    _check_manifest(manifest)
    with (_open(db, create=True) as corpus, _errors(), _progress("fetch", quiet) as fbar,
          _progress("ingest", quiet) as ibar):
        fetched, report = corpus.build(manifest, mirror=mirror, workers=workers,
                                       fetch_progress=fbar, ingest_progress=ibar)
    _report_failures(fetched.failures)
    _report_failures(report.failures)
    click.echo(f"fetch: {len(fetched.fetched)} fetched, {len(fetched.skipped)} already "
               f"present, {len(fetched.failures)} failed")
    click.echo(f"ingest: {report.summary()}")
    if fetched.failures or report.failures:
        sys.exit(1)


@main.command()
@click.option("--doc", "doc_id", help="Only this document's provisions.")
@click.option("--level", type=click.Choice(_LEVELS), default="all", show_default=True,
              help="'article': numbered articles and sections; 'all': every level.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many.")
@format_option
@db_option
def provisions(doc_id: str | None, level: str, limit: int | None, fmt: str | None,
               db: Path) -> None:
    """List stored provisions in document order.

    \b
    Examples:
      nlp-toolkit provisions --doc chn-pipl-2021 --level article --limit 5
      nlp-toolkit provisions --level article --format csv > provisions.csv
    """
    import shutil

    from nlp_toolkit.render import write_records
    from nlp_toolkit.store.rows import PROVISION_FIELDS

    out_fmt = cast("Format", fmt or ("table" if sys.stdout.isatty() else "jsonl"))
    with _open(db, create=False) as corpus:
        if doc_id is not None and corpus.store.document_sha(doc_id) is None:
            raise UnusableInput(f"no document {doc_id!r} in {db}; `nlp-toolkit stats` lists "
                                "what is there")
        rows = (p.to_dict() for p in corpus.iter_provisions(doc_id, level, limit=limit))
        width = shutil.get_terminal_size((120, 24)).columns
        write_records(rows, out_fmt, sys.stdout,
                      fields=[*PROVISION_FIELDS, "jurisdiction", "language"],
                      table_fields=["ref", "level", "page_start", "heading", "text"],
                      width=width)


@main.command()
@format_option
@db_option
def stats(fmt: str | None, db: Path) -> None:
    """Show what the index holds: documents, pages, provisions by level, failures.

    \b
    Example:
      nlp-toolkit stats --format json
    """
    from nlp_toolkit.render import write_mapping

    out_fmt = cast("Format", fmt or ("table" if sys.stdout.isatty() else "json"))
    with _open(db, create=False) as corpus:
        data = corpus.stats()
        data["failed"] = [f"{f['path']} ({f['doc_id']}): {f['reason']}"
                          for f in corpus.store.failures()]
    write_mapping(data, out_fmt, sys.stdout)
