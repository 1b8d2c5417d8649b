"""Where the build's work runs: an :class:`Executor` ingests, embeds and scores into a store.

Two executors share one contract: the process that calls them is the only writer of the
index, every stage skips what the store already holds (documents by sha256, vectors by
text hash, scores by model id), and a document that fails is reported and the rest kept.

* ``"local"`` (:class:`LocalExecutor`): this machine; extraction in a process pool
  (:func:`nlp_toolkit.build.ingest.ingest`), embedding and scoring in this process.
* ``"dask"`` (:class:`~nlp_toolkit.build.executors.cluster.DaskExecutor`): a Dask distributed
  cluster, an existing one (``scheduler="tcp://host:8786"``) or a ``LocalCluster`` started
  for the build and closed after it.

>>> with open_executor("local", workers=0) as ex:
...     ex.name
'local'
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from nlp_toolkit.errors import ToolkitError

if TYPE_CHECKING:
    from nlp_toolkit.build.embed import EmbedReport
    from nlp_toolkit.build.ingest import IngestReport
    from nlp_toolkit.build.score import ScoreReport
    from nlp_toolkit.extract import ExtractLimits
    from nlp_toolkit.sources.manifest import ManifestRow
    from nlp_toolkit.store import Store

__all__ = ["Executor", "ExecutorKind", "LocalExecutor", "Progress", "open_executor"]

ExecutorKind = Literal["local", "dask"]
#: ``progress(done, total, label)``, as every stage reports it.
Progress = Callable[[int, int, str], None]


class Executor(Protocol):
    """Runs the build's stages; the caller's process writes the store."""

    name: str

    def ingest(self, rows: Sequence[ManifestRow], store: Store, *,
               limits: ExtractLimits | None = None,
               progress: Progress | None = None) -> IngestReport:
        """Extract, segment and store the rows' documents (unchanged ones skipped)."""
        ...

    def embed(self, store: Store, model: str, *,
              progress: Progress | None = None) -> EmbedReport:
        """Embed every main unit not yet embedded with ``model``."""
        ...

    def score(self, store: Store, model: str | Path, *,
              progress: Progress | None = None) -> ScoreReport:
        """Score every main unit not yet scored by the supervised model at ``model``."""
        ...

    def close(self) -> None:
        """Release what the executor started."""
        ...


class LocalExecutor:
    """This machine: a process pool for extraction, embed and score in this process.

    Args:
        workers: extraction processes (default one per CPU; 0 runs in this process).
    """

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers

    def ingest(self, rows: Sequence[ManifestRow], store: Store, *,
               limits: ExtractLimits | None = None,
               progress: Progress | None = None) -> IngestReport:
        """See :func:`nlp_toolkit.build.ingest.ingest`."""
        from nlp_toolkit.build.ingest import ingest

        return ingest(rows, store, workers=self.workers, limits=limits, progress=progress)

    def embed(self, store: Store, model: str, *,
              progress: Progress | None = None) -> EmbedReport:
        """See :func:`nlp_toolkit.build.embed.embed_store`."""
        from nlp_toolkit.build.embed import embed_store
        from nlp_toolkit.embed import load_embedder

        return embed_store(store, load_embedder(model), progress=progress)

    def score(self, store: Store, model: str | Path, *,
              progress: Progress | None = None) -> ScoreReport:
        """See :func:`nlp_toolkit.build.score.score_store`."""
        from nlp_toolkit.build.score import load_scorer, score_store

        return score_store(store, load_scorer("supervised", model), progress=progress)

    def close(self) -> None:
        """Nothing to release."""


@contextmanager
def open_executor(kind: ExecutorKind = "local", *, workers: int | None = None,
                  scheduler: str | None = None) -> Iterator[Executor]:
    """An executor for the build, closed on exit.

    Args:
        kind: ``"local"`` or ``"dask"``.
        workers: local extraction processes, or the LocalCluster's worker count (default 2)
            when ``kind="dask"`` and no ``scheduler`` is given.
        scheduler: a Dask scheduler address; only with ``kind="dask"``.

    Raises:
        ToolkitError: an unknown kind, a scheduler with the local executor, or a cluster
            that cannot be reached.
    """
    ex: Executor
    if kind == "local":
        if scheduler is not None:
            raise ToolkitError("--scheduler needs --executor dask")
        ex = LocalExecutor(workers)
    elif kind == "dask":
        from nlp_toolkit.build.executors.cluster import DaskExecutor

        ex = DaskExecutor(scheduler=scheduler, workers=workers)
    else:
        raise ToolkitError(f"unknown executor {kind!r}: use 'local' or 'dask'")
    try:
        yield ex
    finally:
        ex.close()
