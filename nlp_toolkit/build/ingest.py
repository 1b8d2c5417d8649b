"""The ingest pipeline: files -> extract -> segment -> store, in parallel, one writer.

The parent process hashes every input (sha256 is fast next to PDF parsing) and skips the
documents whose stored version has the same hash, before any worker starts: re-ingesting an
unchanged corpus costs one hash per file. The rest, biggest first for load balance, are
extracted and segmented in worker processes; their results come back to the parent, the
only writer, which stores each document in one transaction.

A file that cannot be read (truncated, encrypted, scanned, over a limit) or a worker that
crashes on it is recorded as a :class:`~nlp_toolkit.sources.manifest.Failure` (in the report and
the ``failures`` table) and the other files go on. A scanned document is also stored as a
document with ``status = 'scanned'`` and no provisions, so an unchanged one is skipped later.

Hostile files are bounded in each worker: its address space is capped (``max_memory_mb``,
``RLIMIT_AS``, so a decompression bomb ends in a ``limit`` failure), and an alarm stops a
reader stuck inside one page (a huge content stream) shortly after ``timeout_s``.

>>> from nlp_toolkit.store import Store
>>> with Store.open(":memory:") as store:
...     ingest([], store).summary()
'0 ingested, 0 unchanged, 0 failed (0 scanned); 0 provisions from 0 pages in 0.0 s'
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from nlp_toolkit.errors import (
    ExtractionError,
    ManifestError,
    ResourceLimitError,
    ScannedDocumentError,
    StoreError,
)
from nlp_toolkit.extract import ExtractLimits, Format, read_document
from nlp_toolkit.records import ExtractedDocument, Provision
from nlp_toolkit.segment import segment
from nlp_toolkit.sources.fetch import ProgressFn, sha256_file
from nlp_toolkit.sources.manifest import Failure, ManifestRow, rows_for_paths
from nlp_toolkit.store import DocumentMeta, Store


@dataclass
class IngestReport:
    """What :func:`ingest` did. ``failures`` includes the scanned documents."""

    ingested: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    scanned: list[str] = field(default_factory=list)
    provisions: int = 0
    pages: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when no input failed."""
        return not self.failures

    def summary(self) -> str:
        """One line of counts for a person."""
        return (f"{len(self.ingested)} ingested, {len(self.skipped)} unchanged, "
                f"{len(self.failures)} failed ({len(self.scanned)} scanned); "
                f"{self.provisions} provisions from {self.pages} pages in {self.seconds:.1f} s")


@dataclass(frozen=True, slots=True)
class Job:
    """One document for a worker: everything it needs, picklable."""

    doc_id: str
    file: str
    fmt: str
    language: str
    doc_type: str
    size: int
    limits: ExtractLimits


@dataclass(frozen=True, slots=True)
class JobResult:
    """A worker's answer: the extracted document and provisions, or why it failed."""

    doc_id: str
    extracted: ExtractedDocument | None = None
    provisions: tuple[Provision, ...] = ()
    kind: str = ""  # empty on success, else a Failure kind
    reason: str = ""
    seconds: float = 0.0


#: Reads and segments one job (runs in a worker). Must be a module-level function.
Processor = Callable[[Job], JobResult]


#: Default cap on a worker's address space (MiB); ``None`` in :func:`ingest` lifts it.
DEFAULT_WORKER_MEMORY_MB = 4096
#: Seconds past ``timeout_s`` after which a worker's alarm stops a reader inside a page.
ALARM_GRACE_S = 5.0
_IN_WORKER = False


class _Overtime(BaseException):
    """Raised by the worker's alarm; a BaseException so no library ``except`` eats it."""


def _init_worker(memory_bytes: int | None) -> None:
    """Pool initializer: cap the worker's memory and enable its alarm (workers only)."""
    global _IN_WORKER
    _IN_WORKER = True
    if memory_bytes is not None:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _overtime(signum: int, frame: object) -> None:
    raise _Overtime


def process_job(job: Job) -> JobResult:
    """Extract and segment one document; never raises (failures become the result)."""
    t0 = time.perf_counter()
    alarm = job.limits.timeout_s + ALARM_GRACE_S if (
        _IN_WORKER and job.limits.timeout_s is not None) else None
    try:
        if alarm is not None:
            signal.signal(signal.SIGALRM, _overtime)
            signal.setitimer(signal.ITIMER_REAL, alarm)
        doc = read_document(Path(job.file), cast("Format | None", job.fmt or None),
                            limits=job.limits, language=job.language or None)
        provisions = segment(job.doc_id, doc, language=job.language or "en",
                             doc_type=job.doc_type)
        if alarm is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Overtime:
        return JobResult(job.doc_id, kind="limit", reason=(
            f"reading took longer than {alarm:g} s (stopped inside a page or while "
            "segmenting); raise --timeout or check the file"))
    except MemoryError:
        return JobResult(job.doc_id, kind="limit", reason=(
            "reading needed more memory than the worker's limit (a decompression bomb or a "
            "huge page); check the file or raise the memory limit"))
    except ScannedDocumentError as exc:
        return JobResult(job.doc_id, kind="scanned", reason=_reason(exc, job.file))
    except ResourceLimitError as exc:
        return JobResult(job.doc_id, kind="limit", reason=_reason(exc, job.file))
    except ExtractionError as exc:
        return JobResult(job.doc_id, kind="extract", reason=_reason(exc, job.file))
    except Exception as exc:  # a bug must cost one document, not the run
        return JobResult(job.doc_id, kind="error", reason=(
            f"internal error {type(exc).__name__}: {_one_line(exc)} (please report it with "
            "this file)"))
    finally:
        if alarm is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return JobResult(job.doc_id, doc, tuple(provisions), seconds=time.perf_counter() - t0)


def ingest(
    inputs: Iterable[ManifestRow | Path | str],
    store: Store,
    *,
    workers: int | None = None,
    limits: ExtractLimits | None = None,
    progress: ProgressFn | None = None,
    processor: Processor = process_job,
    max_memory_mb: int | None = DEFAULT_WORKER_MEMORY_MB,
) -> IngestReport:
    """Extract, segment and store documents; skip unchanged ones; go on past failures.

    Args:
        inputs: Manifest rows, or files and folders (searched for .pdf/.md/.txt/.xml).
        store: The open index, written by this process only.
        workers: Worker processes (default: ``os.cpu_count()``); ``0`` runs in this process.
        limits: Page, time and size limits per document.
        progress: Called as ``progress(done, total, doc_id)`` after each processed document.
        processor: The per-document work (for tests; default :func:`process_job`).
        max_memory_mb: Cap on each worker's address space (None: no cap; not applied
            with ``workers=0``).

    Returns:
        Counts, timings and one :class:`Failure` per input that could not be ingested.

    Example:
        >>> from nlp_toolkit.sources.manifest import read_manifest  # doctest: +SKIP
        >>> with Store.open("corpus/index.sqlite") as store:  # doctest: +SKIP
        ...     print(ingest(read_manifest("corpus/manifest.csv").rows, store).summary())
    """
    t0 = time.perf_counter()
    report = IngestReport()
    jobs, todo = plan_jobs(inputs, store, report, limits)
    memory = None if max_memory_mb is None else max_memory_mb * 1024 * 1024
    for done, result in enumerate(_run(jobs, workers, processor, memory), start=1):
        store_result(store, report, todo[result.doc_id], result)
        if progress is not None:
            progress(done, len(jobs), result.doc_id)
    report.seconds = time.perf_counter() - t0
    return report


#: What the writer keeps of a planned job: its row, the file's sha256, the path to show.
Pending = tuple[ManifestRow, str, str]


def plan_jobs(inputs: Iterable[ManifestRow | Path | str], store: Store, report: IngestReport,
              limits: ExtractLimits | None = None) -> tuple[list[Job], dict[str, Pending]]:
    """Hash the inputs, skip unchanged documents and list the jobs left, biggest first.

    Unusable inputs are recorded as failures (in ``report`` and the store); unchanged ones
    are added to ``report.skipped``. ``ingest`` and the Dask executor share this step.

    Returns:
        ``(jobs, pending)``: the jobs to run and, by doc_id, what :func:`store_result` needs.
    """
    limits = limits if limits is not None else ExtractLimits()
    rows, errors = _as_rows(inputs)
    for failure in errors:
        _fail(store, report, failure)
    known = store.document_shas()
    jobs: list[Job] = []
    todo: dict[str, Pending] = {}
    for row in rows:
        try:
            file = row.file
            if not file.is_file():
                raise FileNotFoundError("file not found; run `nlp-toolkit fetch` or fix the path")
            sha = sha256_file(file)
            size = file.stat().st_size
        except ManifestError as exc:
            _fail(store, report, Failure(row.doc_id, row.path, str(exc), "manifest"))
            continue
        except OSError as exc:
            reason = exc.strerror or str(exc) if not isinstance(exc, FileNotFoundError) \
                else str(exc)
            _fail(store, report, Failure(row.doc_id, _display(row.root / row.path),
                                         reason, "missing"))
            continue
        if known.get(row.doc_id) == sha:
            report.skipped.append(row.doc_id)
            continue
        todo[row.doc_id] = (row, sha, _display(file))
        jobs.append(Job(row.doc_id, str(file), row.fmt, row.language, row.doc_type, size,
                        limits))
    jobs.sort(key=lambda j: j.size, reverse=True)
    return jobs, todo


def _as_rows(inputs: Iterable[ManifestRow | Path | str]) -> tuple[list[ManifestRow],
                                                                   list[Failure]]:
    rows: list[ManifestRow] = []
    paths: list[Path] = []
    for item in inputs:
        if isinstance(item, ManifestRow):
            rows.append(item)
        else:
            paths.append(Path(item))
    errors: list[Failure] = []
    if paths:
        more, errors = rows_for_paths(paths)
        taken = {r.doc_id for r in rows}
        for r in more:
            if r.doc_id in taken:
                errors.append(Failure(r.doc_id, _display(r.root / r.path),
                                      f"doc_id {r.doc_id!r} is already used by another input",
                                      "manifest"))
            else:
                rows.append(r)
    return rows, errors


def store_result(store: Store, report: IngestReport, pending: Pending,
                 result: JobResult) -> None:
    """Write one job's result (the document, or its failure) and count it in ``report``."""
    row, sha, shown = pending
    if result.kind == "scanned":
        store.write_document(_meta(row, sha), None, (), status="scanned")
        report.scanned.append(row.doc_id)
    if result.kind:
        _fail(store, report, Failure(row.doc_id, shown, result.reason, result.kind), sha=sha)
        return
    assert result.extracted is not None
    try:
        store.write_document(_meta(row, sha), result.extracted, result.provisions)
    except StoreError as exc:
        _fail(store, report, Failure(row.doc_id, shown, str(exc), "error"), sha=sha)
        return
    report.ingested.append(row.doc_id)
    report.provisions += len(result.provisions)
    report.pages += result.extracted.page_count


def _meta(row: ManifestRow, sha: str) -> DocumentMeta:
    manifest = {"source_commit": row.source_commit, "download_url": row.download_url,
                "license_note": row.license_note, "notes": row.notes, **row.extra}
    warnings: tuple[str, ...] = ()
    if row.sha256 and row.sha256 != sha:
        warnings = (f"file sha256 {sha} differs from the manifest's {row.sha256}",)
    return DocumentMeta(
        doc_id=row.doc_id, path=row.path, sha256=sha, format=row.fmt,
        jurisdiction=row.jurisdiction, title=row.title, doc_type=row.doc_type,
        language=row.language, year=row.year, source_url=row.source_url,
        work=row.work, version_date=row.version_date,
        metadata={"manifest": {k: v for k, v in manifest.items() if v}}, warnings=warnings)


def _fail(store: Store, report: IngestReport, failure: Failure, *, sha: str = "") -> None:
    report.failures.append(failure)
    store.record_failure(failure.doc_id, failure.path, failure.kind, failure.reason, sha256=sha)


def _run(jobs: Sequence[Job], workers: int | None, processor: Processor,
         memory: int | None = None) -> Iterator[JobResult]:
    """Results of ``jobs`` in completion order; survives worker crashes and hangs."""
    if not jobs:
        return
    if workers == 0:
        yield from map(processor, jobs)
        return
    n = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    pending = deque(jobs)
    suspects: list[Job] = []  # in flight when a worker died: each is retried alone
    while pending:
        with ProcessPoolExecutor(n, mp_context=_context(), initializer=_init_worker,
                                 initargs=(memory,)) as pool:
            inflight: dict[Future[JobResult], tuple[Job, float]] = {}
            try:
                while pending or inflight:
                    # keep at most n in flight, so a crash implicates at most n jobs
                    while pending and len(inflight) < n:
                        fut = pool.submit(processor, pending[0])  # raises if pool is broken
                        inflight[fut] = (pending.popleft(), time.monotonic())
                    ends = [t + d for job, t in inflight.values()
                            if (d := _deadline_s(job)) is not None]
                    timeout = max(0.0, min(ends) - time.monotonic()) if ends else None
                    done, _ = wait(inflight, timeout=timeout, return_when=FIRST_COMPLETED)
                    if not done and ends and min(ends) <= time.monotonic():
                        _kill_workers(pool)  # a hung reader: its pool breaks, below
                    for fut in done:
                        result = _result(fut, inflight[fut][0])
                        del inflight[fut]
                        yield result
            except BrokenProcessPool:
                suspects.extend(job for job, _ in inflight.values())
        for job in suspects:
            yield _run_alone(job, processor, memory)
        suspects.clear()


#: Seconds a worker gets beyond the reader's own timeout before it is killed.
HANG_GRACE_S = 60.0


def _deadline_s(job: Job) -> float | None:
    """When the parent stops waiting for a job (the reader checks its limit between pages;
    one pathological page could still hang it)."""
    t = job.limits.timeout_s
    return None if t is None else 1.5 * t + HANG_GRACE_S


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    # Python 3.11 has no public way to stop a worker (3.14 adds kill_workers())
    for proc in list(getattr(pool, "_processes", {}).values()):
        proc.kill()


def _result(fut: Future[JobResult], job: Job) -> JobResult:
    try:
        return fut.result()
    except BrokenProcessPool:
        raise
    except Exception as exc:  # e.g. a result that cannot be pickled
        return JobResult(job.doc_id, kind="error", reason=f"internal error "
                         f"{type(exc).__name__}: {_one_line(exc)} (please report it)")


def _run_alone(job: Job, processor: Processor, memory: int | None = None) -> JobResult:
    with ProcessPoolExecutor(1, mp_context=_context(), initializer=_init_worker,
                             initargs=(memory,)) as pool:
        fut = pool.submit(processor, job)
        done, _ = wait([fut], timeout=_deadline_s(job))
        if not done:
            _kill_workers(pool)
            return JobResult(job.doc_id, kind="limit", reason=(
                f"reading did not finish in {_deadline_s(job):g} s and the worker was "
                "stopped; raise --timeout or check the file"))
        try:
            return _result(fut, job)
        except BrokenProcessPool:
            return JobResult(job.doc_id, kind="crash", reason=(
                "the worker process died while reading this file (a crash in the PDF "
                "library or out of memory); try --max-pages or check the file"))


def _context() -> multiprocessing.context.BaseContext:
    # never fork a parent that holds an open SQLite connection and threads
    method = "forkserver" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(method)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def _reason(exc: BaseException, file: str) -> str:
    """The error's message without the file name the readers put first (we name it)."""
    text = _one_line(exc)
    if text.startswith(file):
        text = text[len(file):].lstrip(": ") or text
    return text


def _display(path: Path) -> str:
    """A path as short as is unambiguous: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
