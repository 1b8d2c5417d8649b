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

from nlp_toolkit.defaults import (
    DEFAULT_DB,
    DEFAULT_EMBED_MODELS,
    DEFAULT_MANIFEST,
    DEFAULT_SCORE_MODEL,
    USE_M3_ID,
)
from nlp_toolkit.sources.fetch import FetchReport, ProgressFn, fetch_manifest
from nlp_toolkit.sources.manifest import Manifest, ManifestRow, read_manifest
from nlp_toolkit.store import ProvisionRow, Store

if TYPE_CHECKING:
    import pandas as pd

    from nlp_toolkit.analysis.diff import VersionDiff
    from nlp_toolkit.build.embed import EmbedReport
    from nlp_toolkit.build.ingest import IngestReport
    from nlp_toolkit.build.pipeline import BuildReport, StageProgress
    from nlp_toolkit.build.score import ScoreReport
    from nlp_toolkit.extract import ExtractLimits
    from nlp_toolkit.outputs.export import ExportFormat
    from nlp_toolkit.outputs.results import MatrixResult, Results
    from nlp_toolkit.search.index import Design, DocType, Mode

class Corpus:
    """An index of documents and provisions, with the verbs that fill and read it."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @classmethod
    def open(cls, db_path: str | Path = DEFAULT_DB, *, create: bool = True) -> Corpus:
        """Open (or create) the index at ``db_path``.

        Raises:
            StoreError: The index is unusable, or missing while ``create`` is False.

        Example:
            >>> with Corpus.open(":memory:") as empty:
            ...     print(empty)
            Corpus(0 documents, 0 provisions, models: none)
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
        from nlp_toolkit.build.ingest import ingest

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

    def build(self, manifest: str | Path | Manifest = DEFAULT_MANIFEST, *,
              mirror: str | Path | None = None, workers: int | None = None,
              executor: Literal["local", "dask"] = "local", scheduler: str | None = None,
              embed_model: str | Sequence[str] | None = DEFAULT_EMBED_MODELS,
              score_model: str | Path | None = DEFAULT_SCORE_MODEL,
              limits: ExtractLimits | None = None,
              progress: StageProgress | None = None) -> BuildReport:
        """Fetch, ingest, embed and score a manifest.

        See :func:`~nlp_toolkit.build.pipeline.build_corpus`.

        Rows that could not be fetched are not ingested; ``executor="dask"`` runs the work on
        a Dask cluster (``scheduler`` address, or a local cluster) and this process writes.
        """
        from nlp_toolkit.build.pipeline import build_corpus

        return build_corpus(self.store, manifest, mirror=mirror, workers=workers,
                            executor=executor, scheduler=scheduler, embed_model=embed_model,
                            score_model=score_model, limits=limits, progress=progress)

    # -- reading -------------------------------------------------------------------------
    def iter_provisions(self, doc_id: str | None = None, level: str | None = None, *,
                        limit: int | None = None) -> Iterator[ProvisionRow]:
        """Stored provisions in document order.

        ``level`` is a level name, ``"article"`` (the main numbered units: articles, and
        statute sections; not the 第一节 sections that group articles) or None/``"all"``.
        """
        from nlp_toolkit.store.filters import for_level

        return self.store.provisions(doc_id, limit=limit, query=for_level(level))

    def provisions(self, doc: str | None = None, level: str | None = None, *,
                   jurisdiction: str | None = None, topic: str | None = None,
                   min_probability: float | None = None, bindingness: str | None = None,
                   direction: str | None = None, language: str | None = None,
                   limit: int | None = None) -> pd.DataFrame:
        """Stored provisions as a DataFrame: the ``spec/cli.md`` columns, and the score columns
        (topics, labels, bindingness, bindingness_score, direction, evidence) once scored.

        Args:
            doc: Only this document's.
            level: ``"article"`` (main units), a level name, or None/``"all"``.
            jurisdiction: Only documents having this jurisdiction.
            topic: Only provisions labelled with this topic (with ``min_probability``: whose
                probability for it reaches that).
            min_probability: The least topic probability (of any topic, without ``topic``).
            bindingness: ``hard``, ``soft`` or ``none``.
            direction: ``liberalizing``, ``restrictive`` or ``neutral``.
            language: The document's language (``en``, ``zh``...).
            limit: At most this many rows.

        Raises:
            ToolkitError: An unknown document or topic, or score filters before ``score``.

        Example:
            >>> df = corpus.provisions(jurisdiction="MYS", topic="data_flows", level="article")
            >>> sorted(df["doc_id"].unique())[:2]
            ['mys-pdpa-2010-as-enacted', 'mys-pdpa-2010-reprint-2023']
            >>> bool(df["labels"].map(lambda labels: "data_flows" in labels).all())
            True
        """
        import pandas as pd

        from nlp_toolkit.outputs.export import ProvisionFilter, provision_records, record_fields

        f = ProvisionFilter(jurisdiction=jurisdiction, doc=doc, topic=topic,
                            min_probability=min_probability, bindingness=bindingness,
                            direction=direction, language=language, level=level, limit=limit)
        return pd.DataFrame(list(provision_records(self.store, f)),
                            columns=record_fields(self.store))

    def documents(self) -> pd.DataFrame:
        """Stored documents' metadata as a DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.store.documents())

    def stats(self) -> dict[str, Any]:
        """Counts of documents, pages, provisions and failures."""
        return self.store.stats()

    # -- embeddings, search, similarity --------------------------------------------------
    def embed(self, model: str = USE_M3_ID, *, batch_size: int = 256,
              progress: Callable[[int, int, str], None] | None = None) -> EmbedReport:
        """Embed every main unit not yet embedded with ``model`` (name or model folder).

        Unchanged texts reuse their stored vectors; see :func:`nlp_toolkit.build.embed.embed_store`.
        """
        from nlp_toolkit.build.embed import embed_store
        from nlp_toolkit.embed import load_embedder

        return embed_store(self.store, load_embedder(model), batch_size=batch_size,
                           progress=progress)

    # -- scores --------------------------------------------------------------------------
    def score(self, model: str | Path = DEFAULT_SCORE_MODEL, *,
              scorer: Literal["supervised", "lexicon", "zeroshot"] = "supervised",
              doc_id: str | None = None,
              progress: Callable[[int, int, str], None] | None = None) -> ScoreReport:
        """Score every main unit not yet scored by this model; see
        :func:`nlp_toolkit.build.score.score_store`."""
        from nlp_toolkit.build.score import load_scorer, score_store

        return score_store(self.store, load_scorer(scorer, model),
                           doc_ids=None if doc_id is None else [doc_id], progress=progress)

    def matrix(self, *, by: Literal["jurisdiction", "doc"] = "jurisdiction",
               value: Literal["count", "max", "share"] = "count",
               jurisdictions: Sequence[str] | None = None,
               all_jurisdictions: bool = False, all_versions: bool = False) -> MatrixResult:
        """The jurisdiction (or document) × topic table with refs per cell; see
        :func:`nlp_toolkit.build.score.matrix`. Unpacks as ``frame, refs``.

        By default the rows are the region (:mod:`nlp_toolkit.sources.region`): the ten ASEAN
        member states and China (their national documents), then each agreement they are
        party to as a row of its own. ``all_jurisdictions=True`` gives every jurisdiction,
        a treaty counting for each of its parties; ``jurisdictions`` gives only those.
        A law counts once in its jurisdiction's row: its latest version, in English where it
        has one; ``all_versions=True`` counts every version and translation.
        ``frame.attrs["titles"]`` labels the rows.

        Raises:
            ToolkitError: The index has no scores yet.

        Example:
            >>> frame, refs = corpus.matrix(value="count", jurisdictions=["MYS"])
            >>> list(frame.index), int(frame.loc["MYS", "data_flows"]) > 0
            (['MYS'], True)
            >>> len(refs[("MYS", "data_flows")]) == int(frame.loc["MYS", "data_flows"])
            True
        """
        from nlp_toolkit.build.score import matrix
        from nlp_toolkit.outputs.results import MatrixResult
        from nlp_toolkit.sources.region import read_region_rows

        rows = (None if jurisdictions or all_jurisdictions
                else read_region_rows(self.store, by=by))
        return MatrixResult(*matrix(self.store, by=by, value=value, jurisdictions=jurisdictions,
                                    rows=rows, all_versions=all_versions))

    def train(self, labels: str | Path | Sequence[str | Path], out: str | Path, *,
              manifest: str | Path | None = None, folds: int = 5,
              exclude_docs: Sequence[str] = (), transfer: bool = True
              ) -> tuple[Path, dict[str, Any]]:
        """Train the supervised scorer on label CSVs; see :func:`nlp_toolkit.build.score.train`."""
        from nlp_toolkit.build.score import train

        return train(self.store, labels, out, manifest=manifest, folds=folds,
                     exclude_docs=exclude_docs, transfer=transfer)

    def evaluate(self, labels: str | Path | Sequence[str | Path], *,
                 manifest: str | Path | None = None, folds: int = 5,
                 exclude_docs: Sequence[str] = (), transfer: bool = True) -> dict[str, Any]:
        """Grouped cross-validation and the transfer protocol on label CSVs; see
        :func:`nlp_toolkit.build.score.evaluate`."""
        from nlp_toolkit.build.score import evaluate

        return evaluate(self.store, labels, manifest=manifest, folds=folds,
                        exclude_docs=exclude_docs, transfer=transfer)

    def search(self, query: str, *, k: int = 10, mode: Mode = "hybrid",
               jurisdiction: str | None = None, doc: str | None = None,
               language: str | None = None, level: str | None = None,
               topic: str | None = None, model: str | Sequence[str] | None = None,
               doc_type: DocType | None = None, all_versions: bool = False,
               include_non_operative: bool = False, design: Design = "default",
               scope_mentions: bool = True) -> Results:
        """Ranked provisions for a query in any supported language (see
        :func:`nlp_toolkit.search.index.search`): a list of ``SearchResult`` with ``to_pandas()``.

        ``model`` chooses the embedding model(s) to rank with (``fast``, ``minilm``,
        ``use-m3`` or an id); default the index's ``use-m3`` vectors, with its ``e5-small``
        and ``minilm-l6-v2`` vectors in the national-law ranking.
        A law's versions and translations are collapsed to one hit (its others in the
        ``expressions`` field) unless ``all_versions``; preambles, recitals and lists of
        amendments are left out unless ``include_non_operative``. A question that names
        jurisdictions gets their national law first unless ``scope_mentions=False``.

        Example:
            >>> hits = corpus.search("transfer of personal data abroad", k=3, jurisdiction="MYS")
            >>> len(hits), list(hits.to_pandas().columns[:3])
            (3, ['rank', 'score', 'ref'])
        """
        from nlp_toolkit.outputs.results import SEARCH_FIELDS, Results
        from nlp_toolkit.search.index import index_for

        return Results(index_for(self.store, model).search(
            query, k=k, mode=mode, jurisdiction=jurisdiction, doc=doc, language=language,
            level=level, topic=topic, doc_type=doc_type, all_versions=all_versions,
            include_non_operative=include_non_operative, design=design,
            scope_mentions=scope_mentions), columns=SEARCH_FIELDS)

    def similar(self, ref: str, *, k: int = 10, other_jurisdictions: bool = False,
                model: str | Sequence[str] | None = None, doc_type: DocType | None = None,
                all_versions: bool = False, include_non_operative: bool = False,
                design: Design = "default") -> Results:
        """Provisions most similar to ``ref`` (see :func:`nlp_toolkit.search.index.similar`): a list
        of ``SearchResult`` with ``to_pandas()``; ``model`` as for :meth:`search`.

        Example:
            >>> hits = corpus.similar("mys-pdpa-2010-reprint-2023:129", k=5,
            ...                       other_jurisdictions=True)
            >>> any(h.jurisdiction == "MYS" for h in hits)
            False
        """
        from nlp_toolkit.outputs.results import SEARCH_FIELDS, Results
        from nlp_toolkit.search.index import index_for

        return Results(index_for(self.store, model).similar(
            ref, k=k, other_jurisdictions=other_jurisdictions, doc_type=doc_type,
            all_versions=all_versions, include_non_operative=include_non_operative,
            design=design), columns=SEARCH_FIELDS)

    def links(self, ref: str, *, k: int = 5, jurisdiction: str | None = None) -> pd.DataFrame:
        """For a treaty provision, each party's national provisions that implement or restrict
        it, ranked within the party (see :mod:`nlp_toolkit.analysis.links`): one row per link
        (``doc_id``, ``number``, ``ref``, ``jurisdiction``, ``rank``, ``score``, ``relation``,
        ``evidence``...) and one ``gap`` row per party with none.

        Raises:
            ToolkitError: unknown ``ref``, a treaty naming no parties, ``jurisdiction`` not a
                party, or an index without use-m3 vectors.

        Example:
            >>> df = corpus.links("tota-449:40215", k=3, jurisdiction="MYS")  # TPP art. 14.8
            >>> set(df["jurisdiction"]), bool(df["rank"].max() <= 3)
            ({'MYS'}, True)
        """
        return self.links_table([ref], k=k, jurisdiction=jurisdiction)

    def links_table(self, refs: str | Sequence[str], *, k: int = 5,
                    jurisdiction: str | None = None, chapter: str | None = None
                    ) -> pd.DataFrame:
        """The commitment × party table: :meth:`links` for several commitments, or for every
        article of the treaty ``refs`` (a doc_id) that carries a digital-trade topic
        (``chapter`` keeps one chapter: ``"12"``). One row per link or gap, with a
        ``commitment`` column.

        Raises:
            ToolkitError: as :meth:`links`, or the treaty is not scored.

        Example:
            >>> table = corpus.links_table("tota-449", k=1, jurisdiction="SGP")
            >>> bool((table["commitment"] == "tota-449:40215").any())
            True
        """
        import pandas as pd

        from nlp_toolkit.analysis.links import LINK_FIELDS, commitments, link_records

        wanted = (commitments(self.store, refs, chapter=chapter) if isinstance(refs, str)
                  else list(refs))
        rows = list(link_records(self.store, wanted, k=k, jurisdiction=jurisdiction))
        return pd.DataFrame(rows, columns=[*LINK_FIELDS, "signals", "gap"])

    def compare(self, a: str, b: str, *, by: Literal["jurisdiction", "doc"] = "jurisdiction",
                model: str | None = None, topic: str | None = None, k: int | None = 20,
                mutual_only: bool = False) -> Results:
        """Best-matching provision pairs between two jurisdictions or two documents, with
        cosine, 5-gram Jaccard and a relation label (see :mod:`nlp_toolkit.analysis.compare`):
        a list of pair dicts (sides under ``a`` and ``b``) with ``to_pandas()`` (sides flattened to
        ``a_ref``, ``a_text``, ``b_ref``, ``b_text``).

        Raises:
            ToolkitError: a side is empty, vectors are missing, or no topic scores exist.

        Example:
            >>> pairs = corpus.compare("mys-pdpa-2010-as-enacted", "mys-pdpa-2010-reprint-2023",
            ...                        by="doc", k=3)
            >>> pairs.to_pandas()["relation"].tolist()
            ['near_copy', 'near_copy', 'near_copy']
        """
        from nlp_toolkit.analysis.compare import compare_index
        from nlp_toolkit.outputs.results import COMPARE_COLUMNS, Results, flat_pair

        return Results(compare_index(self.store, a, b, by=by, model=model, topic=topic, k=k,
                                     mutual_only=mutual_only),
                       columns=COMPARE_COLUMNS, flatten=flat_pair)

    def duplicates(self, *, threshold: float = 0.8, min_docs: int = 2,
                   jurisdiction: str | None = None) -> Results:
        """Families of near-duplicate provisions across documents, earliest document first
        (see :mod:`nlp_toolkit.analysis.transplants`): a list of family dicts with ``to_pandas()``.

        Example:
            >>> families = corpus.duplicates(threshold=0.9, jurisdiction="MYS")
            >>> bool(families.to_pandas()["n_docs"].min() >= 2)
            True
        """
        from nlp_toolkit.analysis.transplants import duplicate_families, family_records
        from nlp_toolkit.outputs.results import DUPLICATE_FIELDS, Results

        families = duplicate_families(self.store, threshold=threshold, min_docs=min_docs,
                                      jurisdiction=jurisdiction)
        return Results(family_records(self.store, families), columns=DUPLICATE_FIELDS)

    # -- versions and exports ------------------------------------------------------------
    def diff(self, doc_a: str, doc_b: str, *, amendment: str | None = None) -> VersionDiff:
        """Provision-by-provision diff of two versions of a law (older first).

        Main units are aligned by number, heading and text, so inserted (``12A``), deleted
        and renumbered sections come out as such; each pair gets a word diff and, when both
        sides are scored, the topics whose probability moved. ``amendment`` names an
        amending act whose "section N of the principal Act is amended/substituted/deleted"
        and "by inserting after section N" clauses are joined to the rows (``amended_by``)
        and listed in ``.amendments``.

        Raises:
            ToolkitError: A document is not in the index.

        Example:
            >>> d = corpus.diff("mys-pdpa-2010-as-enacted", "mys-pdpa-2010-reprint-2023",
            ...                 amendment="mys-pdpa-amendment-2024")
            >>> d.summary()["removed"] + d.summary()["added"] < 5
            True
            >>> d.to_pandas().set_index("number_b").loc["129", "amended_by"]
            ['mys-pdpa-amendment-2024:12 amended']
        """
        from nlp_toolkit.analysis.versions import version_diff

        return version_diff(self.store, doc_a, doc_b, amendment=amendment)

    def export(self, path: str | Path, *, format: ExportFormat | None = None,
               jurisdiction: str | None = None, doc: str | None = None,
               topic: str | None = None, min_probability: float | None = None,
               bindingness: str | None = None, direction: str | None = None,
               language: str | None = None, level: str | None = "article",
               limit: int | None = None) -> int:
        """Write provisions with their scores to a CSV, JSON Lines or Parquet file; return
        how many. The filters are those of :meth:`provisions`; ``format`` defaults to the
        file's suffix.

        Raises:
            ToolkitError: An unknown format, document or topic, a missing folder, or score
                filters before ``score``.

        Example:
            >>> import tempfile, pathlib, pandas as pd
            >>> out = pathlib.Path(tempfile.mkdtemp()) / "mys.parquet"
            >>> n = corpus.export(out, jurisdiction="MYS", topic="data_flows")
            >>> n == len(pd.read_parquet(out)) > 0
            True
        """
        from nlp_toolkit.outputs.export import (
            ProvisionFilter,
            export_format,
            provision_records,
            record_fields,
            write_export,
        )
        from nlp_toolkit.topics import load_taxonomy

        f = ProvisionFilter(jurisdiction=jurisdiction, doc=doc, topic=topic,
                            min_probability=min_probability, bindingness=bindingness,
                            direction=direction, language=language, level=level, limit=limit)
        return write_export(provision_records(self.store, f), path, export_format(path, format),
                            fields=record_fields(self.store), topic_ids=load_taxonomy().ids)

