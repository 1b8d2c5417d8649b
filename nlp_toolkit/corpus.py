"""``Corpus``: the facade notebooks and the CLI use over manifest, fetch, ingest and store.

>>> corpus = Corpus.open(":memory:")
>>> corpus.stats()["provisions"]
0
>>> corpus.provisions().empty
True
>>> corpus.close()

Heavy modules (pdfplumber through the readers, pandas) are imported by the methods that
need them, so importing this module is cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from nlp_toolkit.fetch import FetchReport, ProgressFn, fetch
from nlp_toolkit.manifest import Manifest, ManifestRow, read_manifest
from nlp_toolkit.store import ProvisionRow, Store

if TYPE_CHECKING:
    import pandas as pd

    from nlp_toolkit.embedding import EmbedReport
    from nlp_toolkit.extract import ExtractLimits
    from nlp_toolkit.ingest import IngestReport
    from nlp_toolkit.scoring import ScoreReport
    from nlp_toolkit.search import Mode, SearchResult

#: The default corpus definition, relative to the project folder.
DEFAULT_MANIFEST = Path("corpus") / "manifest.csv"
#: The default index, relative to the project folder.
DEFAULT_DB = Path("corpus") / "index.sqlite"


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


class Corpus:
    """An index of documents and provisions, with the verbs that fill and read it."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @classmethod
    def open(cls, db_path: str | Path = DEFAULT_DB, *, create: bool = True) -> Corpus:
        """Open (or create) the index at ``db_path``.

        Raises:
            StoreError: The index is unusable, or missing while ``create`` is False.
        """
        return cls(Store.open(db_path, create=create))

    def close(self) -> None:
        """Close the index."""
        self.store.close()

    def __enter__(self) -> Corpus:
        return self

    def __repr__(self) -> str:
        from nlp_toolkit.store.scores import score_models
        from nlp_toolkit.store.vectors import model_ids

        stats = self.store.stats()
        models = [*model_ids(self.store), *score_models(self.store)]
        return (f"Corpus({stats['documents']:,} documents, {stats['provisions']:,} provisions, "
                f"models: {', '.join(models) or 'none'})")

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- filling -------------------------------------------------------------------------
    def fetch(self, manifest: str | Path | Manifest = DEFAULT_MANIFEST, *,
              mirror: str | Path | None = None,
              progress: ProgressFn | None = None) -> FetchReport:
        """Fetch a manifest's documents (see :func:`fetch_manifest`)."""
        return fetch_manifest(manifest, mirror=mirror, progress=progress)

    def ingest(self, inputs: Iterable[ManifestRow | Path | str] = (), *,
               manifest: str | Path | Manifest | None = None, workers: int | None = None,
               limits: ExtractLimits | None = None,
               progress: ProgressFn | None = None) -> IngestReport:
        """Ingest files, folders and/or a manifest's rows (bad rows become failures).

        Raises:
            ManifestError: The manifest cannot be used at all.
        """
        from nlp_toolkit.ingest import ingest

        items: list[ManifestRow | Path | str] = list(inputs)
        errors: Sequence[Any] = ()
        if manifest is not None:
            m = manifest if isinstance(manifest, Manifest) else read_manifest(manifest)
            items.extend(m.rows)
            errors = m.errors
        report = ingest(items, self.store, workers=workers, limits=limits, progress=progress)
        for failure in errors:
            self.store.record_failure(failure.doc_id, failure.path, failure.kind,
                                      failure.reason)
        report.failures[:0] = list(errors)
        return report

    def build(self, manifest: str | Path = DEFAULT_MANIFEST, *,
              mirror: str | Path | None = None, workers: int | None = None,
              limits: ExtractLimits | None = None, fetch_progress: ProgressFn | None = None,
              ingest_progress: ProgressFn | None = None) -> tuple[FetchReport, IngestReport]:
        """Fetch then ingest a manifest; rows that could not be fetched are not ingested."""
        m = read_manifest(manifest)
        fetched = fetch_manifest(m, mirror=mirror, progress=fetch_progress)
        lost = {f.doc_id for f in fetched.failures}
        rows = [r for r in m.rows if r.doc_id not in lost]
        from nlp_toolkit.ingest import ingest

        report = ingest(rows, self.store, workers=workers, limits=limits,
                        progress=ingest_progress)
        return fetched, report

    # -- reading -------------------------------------------------------------------------
    def iter_provisions(self, doc_id: str | None = None, level: str | None = None, *,
                        limit: int | None = None) -> Iterator[ProvisionRow]:
        """Stored provisions in document order.

        ``level`` is a level name, ``"article"`` (the main numbered units: articles, and
        statute sections; not the 第一节 sections that group articles) or None/``"all"``.
        """
        if level in (None, "all"):
            return self.store.provisions(doc_id, limit=limit)
        if level == "article":
            return self.store.provisions(doc_id, articles=True, limit=limit)
        return self.store.provisions(doc_id, level, limit=limit)

    def provisions(self, doc_id: str | None = None, level: str | None = None, *,
                   limit: int | None = None) -> pd.DataFrame:
        """Stored provisions as a DataFrame with the ``spec/cli.md`` columns.

        Example:
            >>> Corpus.open("corpus/index.sqlite").provisions("chn-pipl-2021", "article")
            ... # doctest: +SKIP
        """
        import pandas as pd

        from nlp_toolkit.store.rows import PROVISION_FIELDS

        columns = [*PROVISION_FIELDS, "jurisdiction", "language"]
        rows = [p.to_dict() for p in self.iter_provisions(doc_id, level, limit=limit)]
        return pd.DataFrame(rows, columns=columns)

    def documents(self) -> pd.DataFrame:
        """Stored documents' metadata as a DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.store.documents())

    def stats(self) -> dict[str, Any]:
        """Counts of documents, pages, provisions and failures."""
        return self.store.stats()

    # -- embeddings, search, similarity --------------------------------------------------
    def embed(self, model: str = "use-m3", *, batch_size: int = 256,
              progress: Callable[[int, int, str], None] | None = None) -> EmbedReport:
        """Embed every main unit not yet embedded with ``model`` (name or model folder).

        Unchanged texts reuse their stored vectors; see :func:`nlp_toolkit.embedding.embed_store`.
        """
        from nlp_toolkit.embed import load_embedder
        from nlp_toolkit.embedding import embed_store

        return embed_store(self.store, load_embedder(model), batch_size=batch_size,
                           progress=progress)

    # -- scores --------------------------------------------------------------------------
    def score(self, model: str | Path = "models/default", *,
              scorer: Literal["supervised", "lexicon", "zeroshot"] = "supervised",
              doc_id: str | None = None,
              progress: Callable[[int, int, str], None] | None = None) -> ScoreReport:
        """Score every main unit not yet scored by this model; see
        :func:`nlp_toolkit.scoring.score_store`."""
        from nlp_toolkit.scoring import load_scorer, score_store

        return score_store(self.store, load_scorer(scorer, model),
                           doc_ids=None if doc_id is None else [doc_id], progress=progress)

    def matrix(self, *, by: Literal["jurisdiction", "doc"] = "jurisdiction",
               value: Literal["count", "max", "share"] = "count",
               jurisdictions: Sequence[str] | None = None
               ) -> tuple[pd.DataFrame, dict[tuple[str, str], list[str]]]:
        """The jurisdiction (or document) × topic table with refs per cell; see
        :func:`nlp_toolkit.scoring.matrix`."""
        from nlp_toolkit.scoring import matrix

        return matrix(self.store, by=by, value=value, jurisdictions=jurisdictions)

    def train(self, labels: str | Path, out: str | Path, *, manifest: str | Path | None = None,
              folds: int = 5) -> tuple[Path, dict[str, Any]]:
        """Train the supervised scorer on a label CSV; see :func:`nlp_toolkit.scoring.train`."""
        from nlp_toolkit.scoring import train

        return train(self.store, labels, out, manifest=manifest, folds=folds)

    def evaluate(self, labels: str | Path, *, manifest: str | Path | None = None,
                 folds: int = 5) -> dict[str, Any]:
        """Grouped cross-validation on a label CSV; see :func:`nlp_toolkit.scoring.evaluate`."""
        from nlp_toolkit.scoring import evaluate

        return evaluate(self.store, labels, manifest=manifest, folds=folds)

    def search(self, query: str, *, k: int = 10, mode: Mode = "hybrid",
               jurisdiction: str | None = None, doc: str | None = None,
               language: str | None = None, level: str | None = None,
               topic: str | None = None) -> list[SearchResult]:
        """Ranked provisions for a query (see :func:`nlp_toolkit.search.search`)."""
        from nlp_toolkit.search import index_for

        return index_for(self.store).search(query, k=k, mode=mode, jurisdiction=jurisdiction,
                                            doc=doc, language=language, level=level,
                                            topic=topic)

    def similar(self, ref: str, *, k: int = 10,
                other_jurisdictions: bool = False) -> list[SearchResult]:
        """Provisions most similar to ``ref`` (see :func:`nlp_toolkit.search.similar`)."""
        from nlp_toolkit.search import index_for

        return index_for(self.store).similar(ref, k=k, other_jurisdictions=other_jurisdictions)

    def compare(self, a: str, b: str, *, by: Literal["jurisdiction", "doc"] = "jurisdiction",
                model: str | None = None, topic: str | None = None, k: int | None = 20,
                mutual_only: bool = False) -> list[dict[str, Any]]:
        """Best-matching provision pairs between two jurisdictions or two documents, with
        cosine, 5-gram Jaccard and a relation label (see :mod:`nlp_toolkit.compare`).

        Raises:
            ToolkitError: a side is empty, vectors are missing, or no topic scores exist.
        """
        from nlp_toolkit.compare import compare_index

        return compare_index(self.store, a, b, by=by, model=model, topic=topic, k=k,
                             mutual_only=mutual_only)

    def duplicates(self, *, threshold: float = 0.8, min_docs: int = 2,
                   jurisdiction: str | None = None) -> list[dict[str, Any]]:
        """Families of near-duplicate provisions across documents, earliest document first
        (see :mod:`nlp_toolkit.transplants`)."""
        from nlp_toolkit.transplants import duplicate_families, family_records

        families = duplicate_families(self.store, threshold=threshold, min_docs=min_docs,
                                      jurisdiction=jurisdiction)
        return family_records(self.store, families)
