"""The whole build: fetch -> ingest (extract + segment) -> embed -> score, timed per stage.

The command line's ``build`` and :meth:`nlp_toolkit.Corpus.build` both call
:func:`build_corpus`, so a notebook gets what the command does. Every stage skips what the
index already holds, so running the build again after an interruption, or after adding
documents to the manifest, does only the missing work. Where the work runs is an
:mod:`executor <nlp_toolkit.build.executors>`: this machine (``"local"``) or a Dask cluster
(``"dask"``); this process writes the index either way.

>>> StageTiming("ingest", 2.0, 10, "pages").rate
5.0
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from nlp_toolkit.build.executors import ExecutorKind, Progress, open_executor
from nlp_toolkit.defaults import DEFAULT_EMBED_MODELS, DEFAULT_SCORE_MODEL
from nlp_toolkit.sources.fetch import FetchReport
from nlp_toolkit.sources.manifest import Manifest, read_manifest

if TYPE_CHECKING:
    from nlp_toolkit.build.embed import EmbedReport
    from nlp_toolkit.build.ingest import IngestReport
    from nlp_toolkit.build.score import ScoreReport
    from nlp_toolkit.extract import ExtractLimits
    from nlp_toolkit.store import Store

__all__ = ["BuildReport", "StageProgress", "StageTiming", "build_corpus"]

#: ``progress(stage, done, total, label)``; ``stage`` is ``fetch``, ``ingest``,
#: ``embed <model>`` or ``score``.
StageProgress = Callable[[str, int, int, str], None]


@dataclass(frozen=True, slots=True)
class StageTiming:
    """Wall time of one stage and how much it did (``items`` of ``unit``)."""

    name: str
    seconds: float
    items: int
    unit: str

    @property
    def rate(self) -> float:
        """Items per second (0 when the stage took no time)."""
        return self.items / self.seconds if self.seconds > 0 else 0.0


@dataclass
class BuildReport:
    """What :func:`build_corpus` did, stage by stage (None: the stage was skipped).

    ``embed`` is the first embed model's report; ``embeds`` has one per model.
    """

    fetch: FetchReport
    ingest: IngestReport
    embed: EmbedReport | None = None
    score: ScoreReport | None = None
    embeds: list[EmbedReport] = field(default_factory=list)
    stages: list[StageTiming] = field(default_factory=list)
    executor: str = "local"

    @property
    def ok(self) -> bool:
        """True when no document failed to fetch or ingest (scanned ones excepted)."""
        return not self.fetch.failures and all(
            f.kind == "scanned" for f in self.ingest.failures)

    @property
    def seconds(self) -> float:
        """Total wall time of the stages."""
        return sum(s.seconds for s in self.stages)

    def summary(self) -> str:
        """One line per stage: time, items and throughput, then the total."""
        lines = [f"{s.name}: {s.items} {s.unit} in {s.seconds:.1f} s ({s.rate:.1f} {s.unit}/s)"
                 for s in self.stages]
        lines.append(f"total ({self.executor}): {self.seconds:.1f} s")
        return "\n".join(lines)


def build_corpus(store: Store, manifest: str | Path | Manifest, *,
                 mirror: str | Path | None = None, workers: int | None = None,
                 executor: ExecutorKind = "local", scheduler: str | None = None,
                 embed_model: str | Sequence[str] | None = DEFAULT_EMBED_MODELS,
                 score_model: str | Path | None = DEFAULT_SCORE_MODEL,
                 limits: ExtractLimits | None = None,
                 progress: StageProgress | None = None) -> BuildReport:
    """Fetch, ingest, embed and score a manifest's documents into ``store``.

    Args:
        store: the index, written by this process only.
        manifest: a manifest CSV path or a read :class:`Manifest`.
        mirror: a local folder to copy documents from instead of downloading them.
        workers: local extraction processes, or the LocalCluster's workers with ``dask``.
        executor: ``"local"`` or ``"dask"`` (see :mod:`nlp_toolkit.build.executors`).
        scheduler: a Dask scheduler address (``executor="dask"``; None starts a local
            cluster for the build).
        embed_model: the embedder (or several, in order); None skips the embed stage.
        score_model: the supervised scorer's folder; None skips the score stage.
        limits: page, time and size limits per document.
        progress: called as ``progress(stage, done, total, label)``.

    Returns:
        A :class:`BuildReport`; rows that could not be fetched are not ingested, and
        manifest rows that could not be read are failures of the fetch report.

    Raises:
        ManifestError: the manifest cannot be used at all.
        ToolkitError: the Dask scheduler cannot be reached, or a stage failed as a whole.

    Example:
        >>> from nlp_toolkit.store import Store  # doctest: +SKIP
        >>> with Store.open("corpus/index.sqlite") as store:  # doctest: +SKIP
        ...     print(build_corpus(store, "corpus/manifest.csv", mirror="../shared/corpus",
        ...                        executor="dask").summary())
    """
    from nlp_toolkit.sources.fetch import fetch_manifest

    m = manifest if isinstance(manifest, Manifest) else read_manifest(manifest)
    stages: list[StageTiming] = []
    # fetch runs here: it writes the manifest's folder, which is this machine's
    with _timed(stages, "fetch", "docs") as stage:
        fetched = fetch_manifest(m, mirror=mirror, progress=_stage(progress, "fetch"))
        stage.items = len(fetched.fetched) + len(fetched.skipped)
    lost = {f.doc_id for f in fetched.failures}
    rows = [r for r in m.rows if r.doc_id not in lost]
    models = [embed_model] if isinstance(embed_model, str) else list(embed_model or ())
    t0 = time.perf_counter()
    with open_executor(executor, workers=workers, scheduler=scheduler) as ex:
        if ex.name != "local":  # starting or reaching a cluster takes seconds
            stages.append(StageTiming(f"start {ex.name}", time.perf_counter() - t0,
                                      int(getattr(ex, "n_workers", 0)), "workers"))
        with _timed(stages, "ingest", "pages") as stage:
            ingested = ex.ingest(rows, store, limits=limits, progress=_stage(progress, "ingest"))
            stage.items = ingested.pages
        embeds: list[EmbedReport] = []
        for model in models:
            with _timed(stages, f"embed {model}", "texts") as stage:
                embeds.append(ex.embed(store, model,
                                       progress=_stage(progress, f"embed {model}")))
                stage.items = embeds[-1].embedded
        scored = None
        if score_model is not None:
            with _timed(stages, "score", "provisions") as stage:
                scored = ex.score(store, score_model, progress=_stage(progress, "score"))
                stage.items = scored.provisions
        name = ex.name
    return BuildReport(fetched, ingested, embeds[0] if embeds else None, scored, embeds,
                       stages, name)


@dataclass
class _Stage:
    items: int = 0


@contextmanager
def _timed(stages: list[StageTiming], name: str, unit: str) -> Iterator[_Stage]:
    """Time the block and append its :class:`StageTiming` (when it did not raise)."""
    t0 = time.perf_counter()
    stage = _Stage()
    yield stage
    stages.append(StageTiming(name, time.perf_counter() - t0, stage.items, unit))


def _stage(progress: StageProgress | None, name: str) -> Progress | None:
    """A stage's ``(done, total, label)`` callback feeding a :data:`StageProgress`."""
    if progress is None:
        return None
    report = progress

    def update(done: int, total: int, label: str) -> None:
        report(name, done, total, label)

    return update
