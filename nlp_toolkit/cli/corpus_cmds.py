"""Commands that fill the index: ``ingest``, ``fetch``, ``build`` (fetch, ingest, embed and
score in one go) and ``stats`` (what the index holds)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from nlp_toolkit.cli.common import (
    DEFAULT_MANIFEST,
    UnusableInput,
    check_manifest,
    db_option,
    extract_limits,
    format_option,
    library_errors,
    open_corpus,
    progress_bar,
    quiet_option,
    real_failures,
    report_failures,
    wait_option,
    writing,
)
from nlp_toolkit.defaults import DEFAULT_EMBED_MODELS, DEFAULT_SCORE_MODEL

if TYPE_CHECKING:
    from nlp_toolkit.outputs.render import Format
    from nlp_toolkit.sources.fetch import ProgressFn

@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--manifest", type=click.Path(dir_okay=False, path_type=Path),
              help=f"CSV of documents (paths relative to it) [default without PATHs: "
                   f"{DEFAULT_MANIFEST}].")
@click.option("--workers", type=click.IntRange(min=0),
              help="Worker processes [default: one per CPU; 0 = no workers].")
@click.option("--max-pages", type=click.IntRange(min=1),
              help="Refuse documents with more pages than this.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True),
              help="Give up on a document after this many seconds.")
@db_option
@quiet_option
@wait_option
def ingest(paths: tuple[Path, ...], manifest: Path | None, workers: int | None,
           max_pages: int | None, timeout: float | None, db: Path, quiet: bool,
           wait: bool) -> None:
    """Read documents, split them into provisions and store them; unchanged files are skipped.

    PATHs are PDF, Markdown/text, HTML or ToTA XML files, or folders of them (doc_id = file name).
    Without PATHs the default manifest is ingested. A file that cannot be read is named on
    stderr with the reason, the others are kept, and the exit code is 1. A scanned file (no
    text layer) is reported too; it is OCR'd only if tesseract and pytesseract are installed,
    and does not by itself make the exit code 1.

    \b
    Examples:
      nlp-toolkit ingest --manifest ../shared/corpus/manifest.csv --workers 2
      nlp-toolkit ingest my-law.pdf --db /tmp/test.sqlite --max-pages 500
    """
    if not paths and manifest is None:
        manifest = Path(DEFAULT_MANIFEST)
    if manifest is not None:
        check_manifest(manifest)
    limits = extract_limits(max_pages, timeout)
    with (writing(db, "ingest", wait), open_corpus(db, create=True) as corpus,
          progress_bar("ingest", quiet) as bar, library_errors()):
        report = corpus.ingest(paths, manifest=manifest, workers=workers, limits=limits,
                               progress=bar)
    report_failures(report.failures)
    click.echo(report.summary())
    if real_failures(report.failures):
        sys.exit(1)


@click.command()
@click.option("--manifest", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_MANIFEST, show_default=True, help="CSV of documents to fetch.")
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
    check_manifest(manifest)
    with progress_bar("fetch", quiet) as bar, library_errors():
        report = fetch_manifest(manifest, mirror=mirror, progress=bar)
    report_failures(report.failures)
    click.echo(f"{len(report.fetched)} fetched, {len(report.skipped)} already present, "
               f"{len(report.failures)} failed")
    if report.failures:
        sys.exit(1)


@click.command()
@click.option("--manifest", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_MANIFEST, show_default=True, help="CSV of documents.")
@click.option("--mirror", type=click.Path(exists=True, file_okay=False, path_type=Path),
              envvar="NLP_TOOLKIT_MIRROR", show_envvar=True,
              help="A local folder holding the documents (copied instead of downloaded).")
@click.option("--workers", type=click.IntRange(min=0),
              help="Worker processes [default: one per CPU].")
@click.option("--embed-model", "embed_models", multiple=True,
              help="Embed with these models after ingesting; repeatable "
                   f"[default: {', '.join(DEFAULT_EMBED_MODELS)}: use-m3 for every unit, "
                   "e5 and minilm for national law].")
@click.option("--no-embed", is_flag=True, help="Skip the embed stage.")
@click.option("--no-score", is_flag=True, help="Skip the score stage (the shipped model).")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local",
              show_default=True,
              help="Where the work runs: this machine, or a Dask cluster (this process still "
                   "writes the index).")
@click.option("--scheduler", metavar="ADDRESS",
              help="With --executor dask: the scheduler (tcp://host:8786) [default: start a "
                   "local cluster of --workers processes].")
@db_option
@quiet_option
@wait_option
def build(manifest: Path, mirror: Path | None, workers: int | None,
          embed_models: tuple[str, ...], no_embed: bool, no_score: bool, executor: str,
          scheduler: str | None, db: Path, quiet: bool, wait: bool) -> None:
    """Fetch, ingest, embed and score the default corpus: the one command a new user runs.

    \b
    Example:
      nlp-toolkit build --mirror ../shared/corpus
      nlp-toolkit build --executor dask --scheduler tcp://10.0.0.5:8786
    """
    check_manifest(manifest)
    if scheduler is not None and executor != "dask":
        raise UnusableInput("--scheduler needs --executor dask")
    models = () if no_embed else (embed_models or DEFAULT_EMBED_MODELS)
    with (writing(db, "build", wait), open_corpus(db, create=True) as corpus, library_errors(),
          _stage_progress(quiet) as bar):
        built = corpus.build(manifest, mirror=mirror, workers=workers,
                             executor=cast("Any", executor), scheduler=scheduler,
                             embed_model=models, score_model=None if no_score else
                             DEFAULT_SCORE_MODEL, progress=bar)
    fetched, report = built.fetch, built.ingest
    report_failures(fetched.failures)
    report_failures(report.failures)
    click.echo(f"fetch: {len(fetched.fetched)} fetched, {len(fetched.skipped)} already "
               f"present, {len(fetched.failures)} failed")
    click.echo(f"ingest: {report.summary()}")
    for embedded in built.embeds:
        click.echo(f"embed: {embedded.summary()}")
    if built.score is not None:
        click.echo(f"score: {built.score.summary()}")
    click.echo("time: " + ", ".join(f"{s.name} {s.seconds:.1f} s" for s in built.stages)
               + f" ({built.executor})")
    if fetched.failures or real_failures(report.failures):
        sys.exit(1)


@contextmanager
def _stage_progress(quiet: bool) -> Iterator[Callable[[str, int, int, str], None] | None]:
    """One progress bar per build stage (see ``_progress``)."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from contextlib import ExitStack

    with ExitStack() as stack:
        bars: dict[str, ProgressFn | None] = {}

        def update(stage: str, done: int, total: int, label: str) -> None:
            if stage not in bars:
                stack.close()
                bars.clear()
                bars[stage] = stack.enter_context(progress_bar(stage, quiet))
            bar = bars[stage]
            if bar is not None:
                bar(done, total, label)

        yield update

@click.command()
@format_option
@db_option
def stats(fmt: str | None, db: Path) -> None:
    """Show what the index holds: documents, pages, provisions by level, failures.

    \b
    Example:
      nlp-toolkit stats --format json
    """
    from nlp_toolkit.outputs.render import write_mapping

    out_fmt = cast("Format", fmt or ("table" if sys.stdout.isatty() else "json"))
    with open_corpus(db, create=False) as corpus:
        data = corpus.stats()
        data["failed"] = [f"{f['path']} ({f['doc_id']}): {f['reason']}"
                          for f in corpus.store.failures()]
    write_mapping(data, out_fmt, sys.stdout)


#: The commands this module adds to ``nlp-toolkit`` (registered in ``__init__``).
COMMANDS = [ingest, fetch, build, stats]
