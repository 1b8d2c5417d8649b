"""The Dask executor: extract, segment, embed and score on a Dask distributed cluster.

The client process (the caller) plans every stage from the store, sends work to the
workers, and writes each result into the store as it comes back (``as_completed``): it is
the only writer, and no task touches SQLite. Each stage skips what is stored already
(documents by sha256, vectors by text hash, scores by model id), so a build interrupted at
any point resumes where it stopped.

* Extraction: one task per document. The client sends the file's **bytes** (read after
  hashing), so workers need no shared filesystem and a remote cluster works like a local
  one; :class:`~nlp_toolkit.extract.ExtractLimits` still bound each document on its worker.
  At most a few tasks per worker are in flight, so the client never holds the whole corpus.
* Embedding: :class:`ClusterEmbedder` is an :class:`~nlp_toolkit.embed.Embedder` whose
  ``encode`` sorts texts by length and sends batches to the workers, each keeping its model
  loaded; :func:`~nlp_toolkit.build.embed.embed_store` plans and writes as it does locally.
* Scoring: batches of whole documents (the scorer's features need the document); stored
  vectors travel with the texts and workers embed only the missing ones.

A worker that dies loses nothing: Dask runs its tasks again elsewhere; a document whose
task kills workers repeatedly becomes a ``crash`` failure and the others go on. Models are
loaded by name or path on the workers: a model folder must exist at the same path there.
Fetching stays in the client (it fills the manifest's folder, which is this machine's).
Dask moves tasks and results as pickles: use only a cluster you trust.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nlp_toolkit.build.executors import tasks
from nlp_toolkit.build.ingest import (
    HANG_GRACE_S,
    IngestReport,
    Job,
    JobResult,
    plan_jobs,
    store_result,
)
from nlp_toolkit.errors import ToolkitError

if TYPE_CHECKING:
    from distributed import Client, Future

    from nlp_toolkit.build.embed import EmbedReport
    from nlp_toolkit.build.executors import Progress
    from nlp_toolkit.build.score import ScoreReport
    from nlp_toolkit.extract import ExtractLimits
    from nlp_toolkit.sources.manifest import ManifestRow
    from nlp_toolkit.store import Store

__all__ = ["ClusterEmbedder", "DaskExecutor"]

#: Texts per embedding task.
EMBED_TASK_TEXTS = 256
#: Main units per scoring task (whole documents, so a big one makes a bigger task).
SCORE_TASK_UNITS = 400
#: Tasks in flight per worker.
TASKS_PER_WORKER = 2
#: Times a document's task is sent again when its result was lost (not failed) with a worker.
RETRIES = 2
#: Seconds to wait for a remote scheduler.
CONNECT_TIMEOUT_S = 20
_LOGGERS = ("distributed", "tornado", "asyncio.distributed", "bokeh")


def _quiet() -> None:
    """Dask logs every worker start, stop and lost connection, and errors it recovers from
    (a lost result is recomputed): keep only critical messages; failures are in the reports."""
    for name in _LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)


class DaskExecutor:
    """Runs the build on a Dask cluster; the caller's process writes the store.

    Args:
        scheduler: a scheduler address (``tcp://host:8786``); None starts a local cluster
            of processes on 127.0.0.1, closed by :meth:`close`.
        workers: the local cluster's worker processes (default 2; one thread each).

    Raises:
        ToolkitError: the scheduler cannot be reached.
    """

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int | None = None) -> None:
        from distributed import Client, LocalCluster

        _quiet()
        self._cluster: LocalCluster | None = None
        try:
            if scheduler is None:
                self._cluster = LocalCluster(
                    n_workers=workers or 2, threads_per_worker=1, processes=True,
                    host="127.0.0.1", dashboard_address=None, silence_logs=logging.CRITICAL)
                self.client: Client = Client(self._cluster)
            else:
                self.client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            self.close()
            where = scheduler or "a local cluster"
            raise ToolkitError(
                f"could not connect to the Dask scheduler at {where}: {exc}; start one "
                "(`dask scheduler`, then `dask worker ADDRESS`) or leave out --scheduler to "
                "start a local cluster") from exc

    @property
    def n_workers(self) -> int:
        """Workers the scheduler knows now (at least 1)."""
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    def close(self) -> None:
        """Close the client, and the local cluster if this executor started one."""
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def _submit(self, fn: Any, *args: Any) -> Future:
        key = f"nlp-toolkit-{fn.__name__}-{uuid.uuid4().hex}"
        return self.client.submit(fn, *args, key=key, pure=False)

    # -- ingest ------------------------------------------------------------------------
    def ingest(self, rows: Sequence[ManifestRow], store: Store, *,
               limits: ExtractLimits | None = None,
               progress: Progress | None = None) -> IngestReport:
        """Extract and segment on the workers, store here; see :func:`ingest`."""
        t0 = time.perf_counter()
        report = IngestReport()
        jobs, todo = plan_jobs(rows, store, report, limits)
        for done, result in enumerate(self._extract(jobs), start=1):
            store_result(store, report, todo[result.doc_id], result)
            if progress is not None:
                progress(done, len(jobs), result.doc_id)
        report.seconds = time.perf_counter() - t0
        return report

    def _extract(self, jobs: Sequence[Job]) -> Iterator[JobResult]:
        """Results in completion order, a bounded number of documents in flight."""
        from distributed import KilledWorker, wait

        pending = deque(jobs)
        tries: dict[str, int] = {}
        inflight: dict[Future, tuple[Job, float]] = {}
        window = TASKS_PER_WORKER * self.n_workers
        while pending or inflight:
            while pending and len(inflight) < window:
                job = pending.popleft()
                try:
                    data = Path(job.file).read_bytes()
                except OSError as exc:
                    yield JobResult(job.doc_id, kind="missing",
                                    reason=f"{exc.strerror or exc}; check the file")
                    continue
                inflight[self._submit(tasks.extract_bytes, job, data)] = (job, time.monotonic())
            if not inflight:
                continue
            ends = [t + d for job, t in inflight.values() if (d := _deadline_s(job))]
            timeout = max(0.1, min(ends) - time.monotonic()) if ends else None
            try:
                done = wait(list(inflight), timeout=timeout, return_when="FIRST_COMPLETED").done
            except TimeoutError:
                done = set()
            for fut in done:
                job, _ = inflight.pop(fut)
                try:
                    result = fut.result()
                except KilledWorker as exc:  # the document killed workers again and again
                    yield _crash(job, exc)
                    continue
                except Exception as exc:  # lost with a dying worker before we got it
                    tries[job.doc_id] = tries.get(job.doc_id, 0) + 1
                    if tries[job.doc_id] > RETRIES:
                        yield _crash(job, exc)
                    else:
                        pending.appendleft(job)
                    continue
                assert isinstance(result, JobResult)
                yield result
            now = time.monotonic()
            for fut, (job, t) in list(inflight.items()):
                limit = _deadline_s(job)
                if limit is not None and now - t > limit:
                    del inflight[fut]
                    fut.cancel()
                    yield JobResult(job.doc_id, kind="limit", reason=(
                        f"reading did not finish in {limit:g} s on a Dask worker; raise "
                        "--timeout or check the file"))

    # -- embed -------------------------------------------------------------------------
    def embed(self, store: Store, model: str, *,
              progress: Progress | None = None) -> EmbedReport:
        """Embed on the workers, store here; see :func:`~nlp_toolkit.build.embed.embed_store`."""
        from nlp_toolkit.build.embed import embed_store

        embedder = ClusterEmbedder(self, model)
        per_call = EMBED_TASK_TEXTS * TASKS_PER_WORKER * self.n_workers
        return embed_store(store, embedder, batch_size=per_call, progress=progress)

    # -- score -------------------------------------------------------------------------
    def score(self, store: Store, model: str | Path, *,
              progress: Progress | None = None) -> ScoreReport:
        """Score batches of documents on the workers, store here; see ``score_store``."""
        from distributed import as_completed

        from nlp_toolkit.build.score import ScoreReport
        from nlp_toolkit.store.scores import unscored_documents, write_scores

        start = time.perf_counter()
        spec = str(Path(model).resolve()) if Path(model).exists() else str(model)
        model_id, emb_id = self._submit(tasks.scorer_info, "supervised", spec).result()
        todo = unscored_documents(store, model_id, None)
        if progress is not None:
            progress(0, len(todo), model_id)
        embedder = None if emb_id is None else ClusterEmbedder(self, emb_id, emb_id)
        counts = [0]  # vectors reused from the store
        batches = _batches(todo, store, embedder, counts)
        kept: dict[str, tuple[dict[str, int], list[Any]]] = {}
        done = n_prov = 0
        queue = as_completed()

        def submit_next() -> None:
            batch = next(batches, None)
            if batch is not None:
                kept.update(batch[1])
                queue.add(self._submit(tasks.score_documents, "supervised", spec, batch[0]))

        for _ in range(TASKS_PER_WORKER * self.n_workers):
            submit_next()
        for fut in queue:
            try:
                results = fut.result()
            except Exception as exc:
                raise ToolkitError(
                    f"scoring failed on a Dask worker ({type(exc).__name__}: {exc}); the "
                    "documents scored so far are kept: run the build again to go on") from exc
            submit_next()
            for doc_id, scores in results:
                ids, rows = kept.pop(doc_id)
                n_prov += write_scores(store, model_id, [
                    (ids[r.ref], r.text_sha256, s) for r, s in zip(rows, scores, strict=True)])
                done += 1
                if progress is not None:
                    progress(done, len(todo), doc_id)
        return ScoreReport(model_id, len(todo), n_prov, counts[0], time.perf_counter() - start)


class ClusterEmbedder:
    """An :class:`~nlp_toolkit.embed.Embedder` whose work runs on the cluster's workers.

    ``encode`` sorts the texts by length, sends batches of :data:`EMBED_TASK_TEXTS` to the
    workers (each loads the model once) and puts the vectors back in input order. Give
    ``model_id`` when known to load the model only once there is something to embed.
    """

    def __init__(self, executor: DaskExecutor, name: str, model_id: str | None = None) -> None:
        self._ex = executor
        self.name = name
        self._info: tuple[str, int, int] | None = None
        self.model_id = model_id if model_id is not None else self._about()[0]

    def _about(self) -> tuple[str, int, int]:
        if self._info is None:  # asking loads the model on one worker
            self._info = self._ex._submit(tasks.embedder_info, self.name).result()
        return self._info

    @property
    def dim(self) -> int:
        """Vector dimension."""
        return int(self._about()[1])

    @property
    def max_chars(self) -> int:
        """The model's chunk window in characters."""
        return int(self._about()[2])

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """``(len(texts), dim)`` float32 array, computed on the workers."""
        from distributed import as_completed

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        parts: dict[Future, list[int]] = {}
        for s in range(0, len(order), EMBED_TASK_TEXTS):
            idx = order[s:s + EMBED_TASK_TEXTS]
            fut = self._ex._submit(tasks.embed_texts, self.name, [texts[i] for i in idx],
                                   batch_size)
            parts[fut] = idx
        for fut in as_completed(list(parts)):
            out[parts.pop(fut)] = fut.result()
        return out


def _batches(docs: Sequence[str], store: Store, embedder: ClusterEmbedder | None,
             reused: list[int]) -> Iterator[tuple[list[tasks.DocToScore],
                                                  dict[str, tuple[dict[str, int], list[Any]]]]]:
    """Scoring tasks: documents with their texts and vectors, and what the writer keeps of
    each (refs to ids, rows); read from the store lazily, one batch at a time.

    The vectors are the local score stage's (``scoring._vectors``: the embed stage's stored
    vectors, the few missing ones embedded on the cluster), so both stages score alike.
    """
    from nlp_toolkit.build.score import _vectors
    from nlp_toolkit.store.scores import main_unit_ids

    batch: list[tasks.DocToScore] = []
    kept: dict[str, tuple[dict[str, int], list[Any]]] = {}
    units = 0
    for doc in docs:
        ids = main_unit_ids(store, doc)
        rows = list(store.provisions(doc, articles=True))
        texts = [r.text for r in rows]
        vecs: np.ndarray | None = None
        if embedder is not None and rows:
            vecs, n = _vectors(store, embedder, texts, [r.heading for r in rows])
            reused[0] += n
        batch.append((doc, texts, [r.heading for r in rows], [r.language or "en" for r in rows],
                      vecs))
        kept[doc] = (ids, rows)
        units += len(rows)
        if units >= SCORE_TASK_UNITS:
            yield batch, kept
            batch, kept, units = [], {}, 0
    if batch:
        yield batch, kept


def _crash(job: Job, exc: BaseException) -> JobResult:
    return JobResult(job.doc_id, kind="crash", reason=(
        f"the Dask task failed ({type(exc).__name__}: {' '.join(str(exc).split())}); a "
        "crash in the PDF library or out of memory: try --max-pages or check the file"))


def _deadline_s(job: Job) -> float | None:
    t = job.limits.timeout_s
    return None if t is None else 1.5 * t + HANG_GRACE_S
