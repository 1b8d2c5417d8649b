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

    with _errors(), write_lock(db, command=command, wait=wait, on_wait=tell):
        yield


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


def _real_failures(failures: Sequence[Failure]) -> list[Failure]:
    """Failures that make the exit code 1. A scanned document (no text layer and no OCR
    engine installed) is reported on stderr but is not a failure of the run: it is what the
    file is, and installing OCR is the user's choice."""
    return [f for f in failures if f.kind != "scanned"]


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
@wait_option
def ingest(paths: tuple[Path, ...], manifest: Path | None, workers: int | None,
           max_pages: int | None, timeout: float | None, db: Path, quiet: bool,
           wait: bool) -> None:
    """Read documents, split them into provisions and store them; unchanged files are skipped.

    PATHs are PDF, Markdown/text or ToTA XML files, or folders of them (doc_id = file name).
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
        manifest = Path(_DEFAULT_MANIFEST)
    if manifest is not None:
        _check_manifest(manifest)
    limits = _limits(max_pages, timeout)
    with (writing(db, "ingest", wait), _open(db, create=True) as corpus,
          _progress("ingest", quiet) as bar, _errors()):
        report = corpus.ingest(paths, manifest=manifest, workers=workers, limits=limits,
                               progress=bar)
    _report_failures(report.failures)
    click.echo(report.summary())
    if _real_failures(report.failures):
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
@click.option("--embed-model", "embed_models", multiple=True,
              help="Embed with these models after ingesting; repeatable "
                   "[default: use-m3; add --embed-model minilm for English-only search "
                   "quality, at several times the cost].")
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
    _check_manifest(manifest)
    if scheduler is not None and executor != "dask":
        raise UnusableInput("--scheduler needs --executor dask")
    models = () if no_embed else (embed_models or ("use-m3",))
    with (writing(db, "build", wait), _open(db, create=True) as corpus, _errors(),
          _stage_progress(quiet) as bar):
        built = corpus.build(manifest, mirror=mirror, workers=workers,
                             executor=cast("Any", executor), scheduler=scheduler,
                             embed_model=models, score_model=None if no_score else
                             "models/default", progress=bar)
    fetched, report = built.fetch, built.ingest
    _report_failures(fetched.failures)
    _report_failures(report.failures)
    click.echo(f"fetch: {len(fetched.fetched)} fetched, {len(fetched.skipped)} already "
               f"present, {len(fetched.failures)} failed")
    click.echo(f"ingest: {report.summary()}")
    for embedded in built.embeds:
        click.echo(f"embed: {embedded.summary()}")
    if built.score is not None:
        click.echo(f"score: {built.score.summary()}")
    click.echo("time: " + ", ".join(f"{s.name} {s.seconds:.1f} s" for s in built.stages)
               + f" ({built.executor})")
    if fetched.failures or _real_failures(report.failures):
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
                bars[stage] = stack.enter_context(_progress(stage, quiet))
            bar = bars[stage]
            if bar is not None:
                bar(done, total, label)

        yield update


def filter_options(f: F) -> F:
    """The provision filters of ``provisions`` and ``export`` (``Corpus.provisions``)."""
    options = [
        click.option("--doc", "doc_id", help="Only this document's provisions."),
        click.option("--jurisdiction", help="Only documents of this jurisdiction."),
        click.option("--language", help="Only documents in this language (e.g. en, zh)."),
        click.option("--topic", help="Only provisions labelled with this topic (needs `score`)."),
        click.option("--min-probability", type=click.FloatRange(0, 1),
                     help="Only provisions whose --topic probability (any topic's, without "
                          "--topic) is at least this (needs `score`)."),
        click.option("--bindingness", type=click.Choice(["hard", "soft", "none"]),
                     help="Only provisions of this bindingness (needs `score`)."),
        click.option("--direction", type=click.Choice(["liberalizing", "restrictive",
                                                       "neutral"]),
                     help="Only provisions of this direction (needs `score`)."),
        click.option("--limit", type=click.IntRange(min=1), help="At most this many."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _filter(doc_id: str | None, level: str, filters: dict[str, Any]) -> Any:
    from nlp_toolkit.export import ProvisionFilter

    return ProvisionFilter(doc=doc_id, level=level, **filters)


@main.command()
@filter_options
@click.option("--level", type=click.Choice(_LEVELS), default="all", show_default=True,
              help="'article': numbered articles and sections; 'all': every level.")
@format_option
@db_option
def provisions(doc_id: str | None, level: str, fmt: str | None, db: Path,
               **filters: Any) -> None:
    """List stored provisions in document order, with their scores once scored.

    \b
    Examples:
      nlp-toolkit provisions --doc chn-pipl-2021 --level article --limit 5
      nlp-toolkit provisions --jurisdiction MYS --topic data_flows --bindingness hard
      nlp-toolkit provisions --level article --format csv > provisions.csv
    """
    import shutil

    from nlp_toolkit.export import csv_record, provision_records, record_fields
    from nlp_toolkit.render import write_records

    out_fmt = cast("Format", fmt or ("table" if sys.stdout.isatty() else "jsonl"))
    with _open(db, create=False) as corpus, _errors():
        fields = record_fields(corpus.store)
        rows = provision_records(corpus.store, _filter(doc_id, level, filters))
        if out_fmt == "csv":  # topics, labels and evidence as JSON, as `export` writes them
            rows = (csv_record(r) for r in rows)
        scored = "labels" in fields
        write_records(rows, out_fmt, sys.stdout, fields=fields,
                      table_fields=["ref", "level", "page_start", "heading",
                                    *(("labels", "bindingness") if scored else ()), "text"],
                      width=shutil.get_terminal_size((120, 24)).columns)


@main.command()
@filter_options
@click.option("--level", type=click.Choice(_LEVELS), default="article", show_default=True,
              help="'article': numbered articles and sections; 'all': every level.")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "parquet"]),
              help="File format [default: from the --out suffix].")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The file to write.")
@db_option
def export(doc_id: str | None, level: str, fmt: str | None, out: Path, db: Path,
           **filters: Any) -> None:
    """Write provisions with their scores to a CSV, JSON Lines or Parquet file.

    CSV holds topics, labels and evidence as JSON strings; JSON Lines nests them; Parquet
    has one `topic.<id>` probability column per topic, labels as a list and evidence as a
    list of structs.

    \b
    Examples:
      nlp-toolkit export --out provisions.parquet
      nlp-toolkit export --format csv --out mys.csv --jurisdiction MYS --topic data_flows
    """
    with _open(db, create=False) as corpus, _errors():
        n = corpus.export(out, format=cast(Any, fmt), doc=doc_id, level=level, **filters)
    click.echo(f"{n} provisions written to {out}", err=True)


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


@main.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("report.html"), show_default=True, help="The HTML file to write.")
@click.option("--title", default="nlp_toolkit corpus report", show_default=True,
              help="The page title.")
@click.option("--top-k", type=click.IntRange(min=1), default=3, show_default=True,
              help="Provisions shown per topic.")
@db_option
def report(out: Path, title: str, top_k: int, db: Path) -> None:
    """Write a self-contained HTML report of a scored index.

    Coverage heatmap, per-jurisdiction summaries, top provisions per topic with their
    evidence highlighted, and the most similar cross-jurisdiction provisions on data flows
    and personal data. One file: inline CSS and SVG figures, no external links.

    \b
    Example:
      nlp-toolkit report --out report.html
    """
    from nlp_toolkit.report import build_report

    with _open(db, create=False) as corpus, _errors():
        path = build_report(corpus, out, title=title, top_k=top_k)
    click.echo(f"report written to {path}", err=True)


_SEARCH_FIELDS = ["rank", "score", "ref", "doc_id", "number", "heading", "level", "parent_ref",
                  "path", "page_start", "page_end", "char_start", "char_end", "jurisdiction",
                  "language", "snippet", "text"]  # = results.SEARCH_FIELDS (the API's)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    """A JSONL batch file's objects; a bad line is unusable input (exit 2)."""
    import json

    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UnusableInput(f"{path}:{n}: not JSON ({exc.msg}); one object per line"
                                ) from exc
        if not isinstance(obj, dict) or "id" not in obj:
            raise UnusableInput(f'{path}:{n}: each line must be an object with an "id"')
        items.append(obj)
    return items


def _write_batch(outputs: Iterator[dict[str, Any]]) -> None:
    import json

    failed = 0
    for out in outputs:
        failed += "error" in out
        click.echo(json.dumps(out, ensure_ascii=False))
    if failed:
        click.echo(f"{failed} input(s) failed (see their \"error\")", err=True)
        sys.exit(1)


def _write_results(results: Sequence[Any], fmt: str | None) -> None:
    import shutil

    from nlp_toolkit.render import write_records

    out_fmt = cast("Format", fmt or ("table" if sys.stdout.isatty() else "jsonl"))
    write_records((r.to_dict() for r in results), out_fmt, sys.stdout, fields=_SEARCH_FIELDS,
                  table_fields=["rank", "score", "ref", "heading", "snippet"],
                  width=shutil.get_terminal_size((120, 24)).columns)


@main.command()
@click.option("--model", "models", multiple=True,
              help="'use-m3' (multilingual), 'minilm' (English), 'fast', or a "
                   "sentence-transformers or model2vec folder; repeatable "
                   "[default: use-m3 and minilm].")
@click.option("--fast", is_flag=True,
              help="Fast mode, same as --model fast: static embeddings distilled from MiniLM "
                   "(English; ~80x faster, lower retrieval quality; see models/fast).")
@click.option("--batch-size", type=click.IntRange(min=1), default=256, show_default=True,
              help="Texts per model call and per transaction.")
@db_option
@quiet_option
@wait_option
def embed(models: tuple[str, ...], fast: bool, batch_size: int, db: Path, quiet: bool,
          wait: bool) -> None:
    """Embed every main unit (article, section) not yet embedded with each model.

    Vectors are keyed by model and text hash: unchanged text is never embedded twice.

    \b
    Examples:
      nlp-toolkit embed
      nlp-toolkit embed --model use-m3 --model ./models/my-st-model
      nlp-toolkit embed --fast
    """
    chosen = (*models, "fast") if fast else models
    with writing(db, "embed", wait), _open(db, create=False) as corpus, _errors():
        for model in chosen or ("use-m3", "minilm"):
            with _progress(f"embed {model}", quiet) as bar:
                report = corpus.embed(model, batch_size=batch_size, progress=bar)
            click.echo(report.summary())


@main.command()
@click.option("--model", "model", type=click.Path(path_type=Path), default=Path("models/default"),
              show_default=True, help="Model folder (weights.npz + meta.json) for 'supervised'.")
@click.option("--scorer", type=click.Choice(["supervised", "lexicon", "zeroshot"]),
              default="supervised", show_default=True,
              help="'supervised' (trained model), 'lexicon' (taxonomy terms only) or "
                   "'zeroshot' (similarity to topic descriptions).")
@click.option("--doc", "doc_id", help="Only this document.")
@db_option
@quiet_option
@wait_option
def score(model: Path, scorer: str, doc_id: str | None, db: Path, quiet: bool,
          wait: bool) -> None:
    """Score every main unit (article, section) not yet scored by the model: topics,
    bindingness, direction and the evidence spans behind them.

    \b
    Examples:
      nlp-toolkit score
      nlp-toolkit score --scorer lexicon --doc chn-pipl-2021
    """
    with writing(db, "score", wait), _open(db, create=False) as corpus, _errors():
        if doc_id is not None and corpus.store.document_sha(doc_id) is None:
            raise UnusableInput(f"no document {doc_id!r} in {db}; `nlp-toolkit stats` lists "
                                "what is there")
        with _progress("score", quiet) as bar:
            report = corpus.score(model, scorer=cast(Any, scorer), doc_id=doc_id,
                                  progress=bar)
        click.echo(report.summary())


@main.command()
@click.option("--labels", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="Label CSV (doc_id,unit,topics,bindingness,direction).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("models/custom"), show_default=True, help="Model folder to write.")
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of the labelled documents not in the index [default: the index].")
@click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True,
              help="Grouped cross-validation folds for the model card's metrics.")
@db_option
def train(labels: Path, out: Path, manifest: Path | None, folds: int, db: Path) -> None:
    """Train the supervised scorer on labelled provisions and save it (arrays + model card).

    \b
    Example:
      nlp-toolkit train --labels ../shared/labels/provision_labels.csv --out models/mine
    """
    from nlp_toolkit.score.evaluate import format_report

    with _open(db, create=False) as corpus, _errors():
        folder, card = corpus.train(labels, out, manifest=manifest, folds=folds)
    if card.get("grouped_cv"):
        click.echo(format_report(card["grouped_cv"]))
    click.echo(f"model written to {folder}")


@main.command()
@click.option("--labels", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="Label CSV (doc_id,unit,topics,bindingness,direction).")
@click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True,
              help="Folds, grouped by document (no document in both train and test).")
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of the labelled documents not in the index [default: the index].")
@format_option
@db_option
def evaluate(labels: Path, folds: int, manifest: Path | None, fmt: str | None,
             db: Path) -> None:
    """Cross-validate the supervised scorer: per-topic precision, recall, F1, micro and macro,
    bindingness and direction accuracy.

    \b
    Example:
      nlp-toolkit evaluate --labels ../shared/labels/provision_labels.csv --folds 5
    """
    import json

    from nlp_toolkit.score.evaluate import format_report

    with _open(db, create=False) as corpus, _errors():
        report = corpus.evaluate(labels, manifest=manifest, folds=folds)
    if fmt in ("json", "jsonl"):
        click.echo(json.dumps(report, ensure_ascii=False))
        return
    click.echo(format_report(report))
    click.echo(f"{report['n']} provisions of {len(report['per_document'])} documents, "
               f"{report['folds']} folds grouped by document")
    if report["unmatched"]:
        click.echo(f"{len(report['unmatched'])} label rows matched no provision", err=True)


@main.command()
@click.option("--by", type=click.Choice(["jurisdiction", "doc"]), default="jurisdiction",
              show_default=True, help="Rows: jurisdictions or documents.")
@click.option("--value", type=click.Choice(["count", "max", "share"]), default="count",
              show_default=True, help="Cell: provisions asserting the topic, the highest "
                                      "probability, or the share of scored provisions.")
@click.option("--jurisdiction", "jurisdictions", multiple=True,
              help="Only this jurisdiction; repeatable.")
@format_option
@db_option
def matrix(by: str, value: str, jurisdictions: tuple[str, ...], fmt: str | None,
           db: Path) -> None:
    """The jurisdiction × topic matrix of the scores; every cell names its provisions.

    The table shows the values; json, jsonl and csv give one record per cell with its refs.

    \b
    Examples:
      nlp-toolkit matrix --jurisdiction SGP --jurisdiction CHN
      nlp-toolkit matrix --by doc --value max --format jsonl
    """
    import shutil

    from nlp_toolkit.render import write_records

    out_fmt = cast("Format", fmt or ("table" if sys.stdout.isatty() else "jsonl"))
    with _open(db, create=False) as corpus, _errors():
        frame, refs = corpus.matrix(by=cast(Any, by), value=cast(Any, value),
                                    jurisdictions=list(jurisdictions) or None)
    topics = [c for c in frame.columns if c != "n_provisions"]
    if out_fmt == "table":
        records = [{by: key, **{t: row[t] for t in topics},
                    "n_provisions": row["n_provisions"]} for key, row in frame.iterrows()]
        write_records(records, out_fmt, sys.stdout, fields=[by, *topics, "n_provisions"],
                      width=max(shutil.get_terminal_size((120, 24)).columns, 240))
        return
    cells = ({by: key, "topic": t, "value": row[t], "n_provisions": int(row["n_provisions"]),
              "refs": refs.get((str(key), t), [])}
             for key, row in frame.iterrows() for t in topics)
    if out_fmt == "csv":
        cells = ({**c, "refs": ";".join(c["refs"])} for c in cells)
    write_records((_plain(c) for c in cells), out_fmt, sys.stdout,
                  fields=[by, "topic", "value", "n_provisions", "refs"])


def _plain(record: dict[str, Any]) -> dict[str, Any]:
    """numpy scalars as Python numbers (for json)."""
    return {k: v.item() if hasattr(v, "item") else v for k, v in record.items()}


@main.command()
@click.argument("query", required=False)
@click.option("-k", "k", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many results.")
@click.option("--mode", type=click.Choice(["hybrid", "dense", "lexical"]), default="hybrid",
              show_default=True, help="BM25 and dense fused, dense only, or BM25 only.")
@click.option("--jurisdiction", help="Only documents of this jurisdiction.")
@click.option("--doc", "doc_id", help="Only this document.")
@click.option("--language", help="Only documents in this language (e.g. en, zh).")
@click.option("--level", help="Only units of this level (article, section...).")
@click.option("--topic", help="Only units labelled with this topic (needs `score`).")
@click.option("--queries", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Batch: JSONL with id, query and optional filters; JSONL out.")
@format_option
@db_option
def search(query: str | None, k: int, mode: str, jurisdiction: str | None,
           doc_id: str | None, language: str | None, level: str | None, topic: str | None,
           queries: Path | None, fmt: str | None, db: Path) -> None:
    """Provisions for a query in English, Chinese or another supported language.

    \b
    Examples:
      nlp-toolkit search "transfer of personal data abroad" -k 5
      nlp-toolkit search "个人信息出境" --jurisdiction CHN --mode dense
      nlp-toolkit search --queries queries.jsonl > answers.jsonl
    """
    from nlp_toolkit.search import index_for, search_batch

    if (query is None) == (queries is None):
        raise click.UsageError("give a QUERY or --queries FILE (not both)")
    with _open(db, create=False) as corpus, _errors():
        index = index_for(corpus.store)
        if queries is not None:
            _write_batch(search_batch(index, _read_jsonl(queries), k=k,
                                      mode=cast("Any", mode)))
            return
        assert query is not None
        results = corpus.search(query, k=k, mode=cast("Any", mode), jurisdiction=jurisdiction,
                                doc=doc_id, language=language, level=level, topic=topic)
    _write_results(results, fmt)


@main.command()
@click.argument("ref", required=False)
@click.option("-k", "k", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many results.")
@click.option("--other-jurisdictions", is_flag=True,
              help="Only documents sharing no jurisdiction with REF's.")
@click.option("--refs", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Batch: JSONL with id and ref; JSONL out.")
@format_option
@db_option
def similar(ref: str | None, k: int, other_jurisdictions: bool, refs: Path | None,
            fmt: str | None, db: Path) -> None:
    """Provisions most similar to provision REF (e.g. rcep-2020:12.15).

    \b
    Examples:
      nlp-toolkit similar rcep-2020:12.15 --other-jurisdictions -k 5
      nlp-toolkit similar --refs refs.jsonl > answers.jsonl
    """
    from nlp_toolkit.search import index_for, similar_batch

    if (ref is None) == (refs is None):
        raise click.UsageError("give a REF or --refs FILE (not both)")
    with _open(db, create=False) as corpus, _errors():
        index = index_for(corpus.store)
        if refs is not None:
            _write_batch(similar_batch(index, _read_jsonl(refs), k=k,
                                       other_jurisdictions=other_jurisdictions))
            return
        assert ref is not None
        results = corpus.similar(ref, k=k, other_jurisdictions=other_jurisdictions)
    _write_results(results, fmt)


@main.command()
@click.argument("side_a", metavar="JUR_A", required=False)
@click.argument("side_b", metavar="JUR_B", required=False)
@click.option("--doc-a", help="Compare this document (instead of JUR_A)...")
@click.option("--doc-b", help="...with this document (instead of JUR_B).")
@click.option("--topic", help="Only provisions labelled with this topic (needs `score`).")
@click.option("--model", help="Embedding model id [default: a stored one; none: text only].")
@click.option("-k", "k", type=click.IntRange(min=1), default=20, show_default=True,
              help="At most this many pairs.")
@click.option("--mutual", is_flag=True, help="Only mutual best matches.")
@format_option
@db_option
def compare(side_a: str | None, side_b: str | None, doc_a: str | None, doc_b: str | None,
            topic: str | None, model: str | None, k: int, mutual: bool, fmt: str | None,
            db: Path) -> None:
    """Best-matching provision pairs between two jurisdictions (or two documents).

    Each provision of A is paired with its most similar provision of B (dense cosine), and
    the pair gets the 5-gram Jaccard share of shared text and a relation: near_copy,
    light_edit, related (same subject, own words) or unrelated.

    \b
    Examples:
      nlp-toolkit compare SGP AUS -k 10
      nlp-toolkit compare --doc-a tota-54 --doc-b tota-36 --format jsonl
    """
    import shutil

    from nlp_toolkit.render import write_records

    if (doc_a is None) != (doc_b is None) or (doc_a is not None and (side_a or side_b)):
        raise click.UsageError("give JUR_A JUR_B, or --doc-a D --doc-b D")
    if doc_a is None and not (side_a and side_b):
        raise click.UsageError("give two jurisdictions JUR_A JUR_B (or --doc-a/--doc-b)")
    a, b = (doc_a, doc_b) if doc_a is not None else (side_a, side_b)
    assert a is not None and b is not None
    out_fmt = cast("Format", fmt or ("table" if sys.stdout.isatty() else "jsonl"))
    with _open(db, create=False) as corpus, _errors():
        pairs = corpus.compare(a, b, by="doc" if doc_a is not None else "jurisdiction",
                               model=model, topic=topic, k=k, mutual_only=mutual)
    rows = [{**p, "a_ref": p["a"]["ref"], "b_ref": p["b"]["ref"],
             "a_text": p["a"]["text"], "b_text": p["b"]["text"]} for p in pairs]
    write_records(rows, out_fmt, sys.stdout,
                  fields=["rank", "score", "cosine", "jaccard", "containment", "relation",
                          "mutual", "model", "a", "b"],
                  table_fields=["rank", "score", "jaccard", "relation", "a_ref", "b_ref",
                                "a_text", "b_text"],
                  width=shutil.get_terminal_size((120, 24)).columns)


@main.command()
@click.option("--threshold", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=0.8, show_default=True, help="Minimum 5-gram Jaccard of a copy.")
@click.option("--min-docs", type=click.IntRange(min=1), default=2, show_default=True,
              help="Only families spanning this many documents.")
@click.option("--jurisdiction", help="Only this jurisdiction's documents.")
@format_option
@db_option
def duplicates(threshold: float, min_docs: int, jurisdiction: str | None, fmt: str | None,
               db: Path) -> None:
    """Legal transplants: families of near-duplicate provisions across documents.

    MinHash/LSH over character 5-gram shingles proposes pairs, exact Jaccard decides; each
    family lists its earliest document's provision first (date signed, else year).

    \b
    Example:
      nlp-toolkit duplicates --threshold 0.8 --min-docs 3 --format jsonl
    """
    import shutil

    from nlp_toolkit.render import write_records

    out_fmt = cast("Format", fmt or ("table" if sys.stdout.isatty() else "jsonl"))
    with _open(db, create=False) as corpus, _errors():
        families = corpus.duplicates(threshold=threshold, min_docs=min_docs,
                                     jurisdiction=jurisdiction)
    write_records(families, out_fmt, sys.stdout,
                  fields=["family", "n_docs", "size", "origin", "date", "heading", "text",
                          "refs", "docs", "jaccard", "min_jaccard"],
                  table_fields=["family", "n_docs", "size", "origin", "date", "text"],
                  width=shutil.get_terminal_size((120, 24)).columns)


@main.command()
@click.argument("doc_a")
@click.argument("doc_b")
@click.option("--amendment", help="An amending act: show which of its clauses amend, "
                                  "substitute, insert or delete each section.")
@click.option("--changed-only", is_flag=True, help="Leave out unchanged provisions.")
@format_option
@db_option
def diff(doc_a: str, doc_b: str, amendment: str | None, changed_only: bool, fmt: str | None,
         db: Path) -> None:
    """How a law changed: provision-by-provision diff of version DOC_A (older) and DOC_B.

    Provisions are aligned by number, heading and text, so inserted (12A), deleted and
    renumbered sections show as added, removed and renumbered; changed ones get an inline
    word diff ([-removed-] {+added+}) and, when both versions are scored, the topics whose
    probability moved.

    \b
    Examples:
      nlp-toolkit diff mys-pdpa-2010-as-enacted mys-pdpa-2010-reprint-2023 --changed-only
      nlp-toolkit diff mys-pdpa-2010-as-enacted mys-pdpa-2010-reprint-2023 \\
          --amendment mys-pdpa-amendment-2024 --format jsonl
    """
    import json
    import shutil

    from nlp_toolkit.diff import DIFF_FIELDS
    from nlp_toolkit.render import write_records

    out_fmt = cast("Format", fmt or ("table" if sys.stdout.isatty() else "jsonl"))
    with _open(db, create=False) as corpus, _errors():
        result = corpus.diff(doc_a, doc_b, amendment=amendment)
    rows = result.records(changed_only=changed_only)
    if out_fmt == "csv":
        rows = [{k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
                 for k, v in r.items()} for r in rows]
    write_records(rows, out_fmt, sys.stdout, fields=list(DIFF_FIELDS),
                  table_fields=["status", "number_a", "number_b", "similarity",
                                *(("amended_by",) if amendment else ("heading",)), "diff"],
                  width=shutil.get_terminal_size((120, 24)).columns)
    if out_fmt == "table":
        counts = ", ".join(f"{n} {s}" for s, n in result.summary().items())
        click.echo(f"{doc_a} -> {doc_b}: {counts}", err=True)
        for a in result.missing_sections():
            click.echo(f"{a.ref} {a.action} section {a.section}: in neither version", err=True)
