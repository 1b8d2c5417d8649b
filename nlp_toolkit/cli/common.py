"""What every command shares: the common options, the write lock, opening the index, progress
bars, failure reports and the mapping of library errors to exit code 2.

Nothing heavy is imported at module level (``nlp-toolkit --help`` stays instant).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, get_args

import click

from nlp_toolkit import defaults
from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.records import Level

if TYPE_CHECKING:
    from nlp_toolkit.corpus import Corpus
    from nlp_toolkit.extract import ExtractLimits
    from nlp_toolkit.sources.fetch import ProgressFn
    from nlp_toolkit.sources.manifest import Failure

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_DB = str(defaults.DEFAULT_DB)
DEFAULT_MANIFEST = str(defaults.DEFAULT_MANIFEST)
# "article" filters the main units (articles and statute sections); the rest are records.Level
LEVELS = tuple(dict.fromkeys(("all", "article", *get_args(Level))))
FORMATS = ("table", "json", "jsonl", "csv")


class UnusableInput(click.ClickException):
    """Bad input that stops the command before it changes anything (exit code 2)."""

    exit_code = 2


def db_option(f: F) -> F:
    """``--db PATH`` (env ``NLP_TOOLKIT_DB``), on every command."""
    return click.option(
        "--db", "db", type=click.Path(dir_okay=False, path_type=Path), envvar="NLP_TOOLKIT_DB",
        default=DEFAULT_DB, show_default=True, show_envvar=True,
        help="The index database.")(f)


def quiet_option(f: F) -> F:
    """``--quiet``: no progress bar."""
    return click.option("-q", "--quiet", is_flag=True, help="No progress bar.")(f)


def wait_option(f: F) -> F:
    """``--wait/--no-wait``, on every command that writes the index."""
    return click.option(
        "--wait/--no-wait", "wait", default=True, show_default=True,
        help="When another command is writing the index: wait for it, or fail at once "
             "(exit 2).")(f)


@contextmanager
def writing(db: Path, command: str, wait: bool) -> Iterator[None]:
    """Hold the index's write lock (``store/lock.py``) around a writing command.

    Says on stderr whom it waits for; a refused lock is exit code 2, nothing changed.
    """
    from nlp_toolkit.store.lock import LockHolder, write_lock

    def tell(holder: LockHolder, path: Path) -> None:
        click.echo(f"waiting for {holder.describe()} holding the write lock on {path}…",
                   err=True)

    with library_errors(), write_lock(db, command=command, wait=wait, on_wait=tell):
        yield


def format_option(f: F) -> F:
    """``--format``: table on a terminal, jsonl when piped."""
    return click.option(
        "--format", "fmt", type=click.Choice(FORMATS), default=None,
        help="Output format [default: table on a terminal, jsonl when piped].")(f)


@contextmanager
def library_errors() -> Iterator[None]:
    """Library errors become a clean message and exit code 2."""
    try:
        yield
    except ToolkitError as exc:
        raise UnusableInput(str(exc)) from exc


@contextmanager
def open_corpus(db: Path, *, create: bool) -> Iterator[Corpus]:
    """The index at ``db`` (created if ``create``), closed on exit; errors are exit code 2."""
    from nlp_toolkit.corpus import Corpus

    with library_errors():
        corpus = Corpus.open(db, create=create)
    try:
        yield corpus
    finally:
        corpus.close()


@contextmanager
def progress_bar(desc: str, quiet: bool) -> Iterator[ProgressFn | None]:
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


def real_failures(failures: Sequence[Failure]) -> list[Failure]:
    """Failures that make the exit code 1. A scanned document (no text layer and no OCR
    engine installed) is reported on stderr but is not a failure of the run: it is what the
    file is, and installing OCR is the user's choice."""
    return [f for f in failures if f.kind != "scanned"]


def report_failures(failures: Sequence[Failure]) -> None:
    for f in failures:
        label = "scanned" if f.kind == "scanned" else "failed"
        click.echo(f"{label}: {f.line()}", err=True)


def extract_limits(max_pages: int | None, timeout: float | None) -> ExtractLimits | None:
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


def check_manifest(manifest: Path) -> None:
    if not manifest.is_file():
        raise UnusableInput(f"manifest not found: {manifest} (give --manifest CSV, or run "
                            "from the project folder)")

