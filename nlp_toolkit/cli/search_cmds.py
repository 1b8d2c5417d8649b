"""Commands over the vectors: ``embed``, ``search``, ``similar``, ``compare`` (two
jurisdictions or documents), ``duplicates`` (legal transplants) and ``links`` (treaty
commitments to national law)."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from nlp_toolkit.cli.common import (
    F,
    UnusableInput,
    db_option,
    format_option,
    library_errors,
    open_corpus,
    progress_bar,
    quiet_option,
    wait_option,
    writing,
)
from nlp_toolkit.defaults import DEFAULT_EMBED_MODELS

if TYPE_CHECKING:
    from nlp_toolkit.outputs.render import Format

_SEARCH_FIELDS = ["rank", "score", "ref", "doc_id", "number", "heading", "level", "parent_ref",
                  "path", "page_start", "page_end", "char_start", "char_end", "jurisdiction",
                  "language", "snippet", "text", "expressions"]  # = results.SEARCH_FIELDS


def page_options(f: F) -> F:
    """``--doc-type``, ``--all-versions``, ``--include-non-operative`` (search, similar)."""
    f = click.option("--include-non-operative", is_flag=True,
                     help="Also preambles, recitals, lists of amendments and the like.")(f)
    f = click.option("--all-versions", is_flag=True,
                     help="Every version and language expression of a law as its own hit "
                          "(default: one hit, the others in `expressions`).")(f)
    return click.option("--doc-type", type=click.Choice(["statute", "regulation", "treaty",
                                                          "national"]),
                        help="Only these documents (national: statutes and regulations).")(f)


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

    from nlp_toolkit.outputs.render import write_records

    out_fmt = cast("Format", fmt or ("table" if sys.stdout.isatty() else "jsonl"))
    write_records((r.to_dict() for r in results), out_fmt, sys.stdout, fields=_SEARCH_FIELDS,
                  table_fields=["rank", "score", "ref", "heading", "snippet"],
                  width=shutil.get_terminal_size((120, 24)).columns)


def model_option(f: F) -> F:
    """``--model`` (repeatable) of ``search`` and ``similar``: the vectors to rank with."""
    return click.option(
        "--model", "models", multiple=True,
        help="Rank with these vectors: 'use-m3', 'minilm', 'fast' (minilm-l6-v2-m2v256), "
             "another stored model id or a model folder; repeatable [default: the use-m3 "
             "vectors, with e5 and minilm in the national-law ranking].")(f)


@click.command()
@click.option("--model", "models", multiple=True,
              help="'use-m3' (multilingual), 'e5' (multilingual retrieval model; national "
                   "law only, for the search's national ranking), 'minilm' (English; "
                   "national law only, Chinese as its English gloss), "
                   "'fast', or a sentence-transformers or model2vec folder; repeatable "
                   f"[default: {', '.join(DEFAULT_EMBED_MODELS)}].")
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
    """Embed every main unit (article, section) not yet embedded with each model (default: the
    models ``build`` embeds with).

    Vectors are keyed by model and text hash: unchanged text is never embedded twice.

    \b
    Examples:
      nlp-toolkit embed
      nlp-toolkit embed --model use-m3 --model ./models/my-st-model
      nlp-toolkit embed --fast
    """
    chosen = (*models, "fast") if fast else models
    with writing(db, "embed", wait), open_corpus(db, create=False) as corpus, library_errors():
        for model in chosen or DEFAULT_EMBED_MODELS:
            with progress_bar(f"embed {model}", quiet) as bar:
                report = corpus.embed(model, batch_size=batch_size, progress=bar)
            click.echo(report.summary())


@click.command()
@click.argument("query", required=False)
@click.option("-k", "k", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many results.")
@click.option("--mode", type=click.Choice(["hybrid", "dense", "lexical"]), default="hybrid",
              show_default=True, help="BM25 and dense fused, dense only, or BM25 only.")
@click.option("--jurisdiction", help="Only documents of this jurisdiction: its own law "
                                     "first, then the agreements it is party to.")
@click.option("--doc", "doc_id", help="Only this document.")
@click.option("--language", help="Only documents in this language (e.g. en, zh).")
@click.option("--level", help="Only units of this level (article, section...).")
@click.option("--topic", help="Only units labelled with this topic (needs `score`).")
@click.option("--scope-mentions/--no-scope-mentions", default=True, show_default=True,
              help="Rank first the national law of the jurisdictions a query names "
                   "(\"Does Singapore require ...\", \"under Malaysian law\"), and the "
                   "articles of trade agreements when it names them.")
@page_options
@click.option("--queries", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Batch: JSONL with id, query and optional filters; JSONL out.")
@model_option
@format_option
@db_option
def search(query: str | None, k: int, mode: str, jurisdiction: str | None,
           doc_id: str | None, language: str | None, level: str | None, topic: str | None,
           queries: Path | None, models: tuple[str, ...], fmt: str | None, db: Path,
           doc_type: str | None, all_versions: bool, include_non_operative: bool,
           scope_mentions: bool) -> None:
    """Provisions for a query in English, Chinese or another supported language.

    A law's versions and translations give one hit (the latest version, in the query's
    language where there is one; the others listed in `expressions`): --all-versions lists
    each. Preambles, recitals and lists of amendments are left out unless
    --include-non-operative. A query that names countries ("Does Singapore or Malaysia
    require ...") gets their national law first, in turn: --no-scope-mentions ranks it
    like any other.

    \b
    Examples:
      nlp-toolkit search "transfer of personal data abroad" -k 5
      nlp-toolkit search "个人信息出境" --jurisdiction CHN --mode dense
      nlp-toolkit search --queries queries.jsonl > answers.jsonl
      nlp-toolkit search "cross-border data flows" --model fast   # after `embed --fast`
      nlp-toolkit search "data breach notification" --doc-type national --all-versions
    """
    from nlp_toolkit.search.index import index_for, search_batch

    if (query is None) == (queries is None):
        raise click.UsageError("give a QUERY or --queries FILE (not both)")
    page: dict[str, Any] = {"doc_type": doc_type, "all_versions": all_versions,
                            "include_non_operative": include_non_operative}
    with open_corpus(db, create=False) as corpus, library_errors():
        index = index_for(corpus.store, models)
        if queries is not None:
            _write_batch(search_batch(index, _read_jsonl(queries), k=k,
                                      mode=cast("Any", mode), scope_mentions=scope_mentions,
                                      **page))
            return
        assert query is not None
        results = corpus.search(query, k=k, mode=cast("Any", mode), jurisdiction=jurisdiction,
                                doc=doc_id, language=language, level=level, topic=topic,
                                model=models, scope_mentions=scope_mentions, **page)
    _write_results(results, fmt)


@click.command()
@click.argument("ref", required=False)
@click.option("-k", "k", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many results.")
@click.option("--other-jurisdictions", is_flag=True,
              help="Only documents sharing no jurisdiction with REF's.")
@click.option("--refs", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Batch: JSONL with id and ref; JSONL out.")
@page_options
@model_option
@format_option
@db_option
def similar(ref: str | None, k: int, other_jurisdictions: bool, refs: Path | None,
            models: tuple[str, ...], fmt: str | None, db: Path, doc_type: str | None,
            all_versions: bool, include_non_operative: bool) -> None:
    """Provisions most similar to provision REF (e.g. rcep-2020:12.15).

    Versions and translations of a law are collapsed to one hit as for `search`
    (--all-versions lists each); REF's own versions are never among the results.

    \b
    Examples:
      nlp-toolkit similar rcep-2020:12.15 --other-jurisdictions -k 5
      nlp-toolkit similar --refs refs.jsonl > answers.jsonl
    """
    from nlp_toolkit.search.index import index_for, similar_batch

    if (ref is None) == (refs is None):
        raise click.UsageError("give a REF or --refs FILE (not both)")
    page: dict[str, Any] = {"doc_type": doc_type, "all_versions": all_versions,
                            "include_non_operative": include_non_operative}
    with open_corpus(db, create=False) as corpus, library_errors():
        index = index_for(corpus.store, models)
        if refs is not None:
            _write_batch(similar_batch(index, _read_jsonl(refs), k=k,
                                       other_jurisdictions=other_jurisdictions, **page))
            return
        assert ref is not None
        results = corpus.similar(ref, k=k, other_jurisdictions=other_jurisdictions,
                                 model=models, **page)
    _write_results(results, fmt)


@click.command()
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

    from nlp_toolkit.outputs.render import write_records

    if (doc_a is None) != (doc_b is None) or (doc_a is not None and (side_a or side_b)):
        raise click.UsageError("give JUR_A JUR_B, or --doc-a D --doc-b D")
    if doc_a is None and not (side_a and side_b):
        raise click.UsageError("give two jurisdictions JUR_A JUR_B (or --doc-a/--doc-b)")
    a, b = (doc_a, doc_b) if doc_a is not None else (side_a, side_b)
    assert a is not None and b is not None
    out_fmt = cast("Format", fmt or ("table" if sys.stdout.isatty() else "jsonl"))
    with open_corpus(db, create=False) as corpus, library_errors():
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


@click.command()
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

    from nlp_toolkit.outputs.render import write_records

    out_fmt = cast("Format", fmt or ("table" if sys.stdout.isatty() else "jsonl"))
    with open_corpus(db, create=False) as corpus, library_errors():
        families = corpus.duplicates(threshold=threshold, min_docs=min_docs,
                                     jurisdiction=jurisdiction)
    write_records(families, out_fmt, sys.stdout,
                  fields=["family", "n_docs", "size", "origin", "date", "heading", "text",
                          "refs", "docs", "jaccard", "min_jaccard"],
                  table_fields=["family", "n_docs", "size", "origin", "date", "text"],
                  width=shutil.get_terminal_size((120, 24)).columns)


@click.command()
@click.argument("ref", required=False)
@click.option("-k", "k", type=click.IntRange(min=1), default=5, show_default=True,
              help="National provisions per party.")
@click.option("--jurisdiction", help="Only this party.")
@click.option("--all", "whole", is_flag=True,
              help="The whole table: REF names a treaty (rcep-2020, or any of its provisions), "
                   "and every article of it carrying a digital-trade topic is linked against "
                   "every party.")
@click.option("--chapter", help="With --all: only this chapter's articles (e.g. 12).")
@click.option("--matrix", is_flag=True,
              help="With --all: one row per commitment, one column per party with national "
                   "law in the index; a cell lists its provisions and relations, or 'gap'.")
@format_option
@db_option
def links(ref: str | None, k: int, jurisdiction: str | None, whole: bool,
          chapter: str | None, matrix: bool, fmt: str | None, db: Path) -> None:
    """National provisions that implement or restrict treaty provision REF, party by party.

    Each party of the treaty (from the manifest's notes or ToTA metadata) gets its top K
    statute or regulation provisions, ranked by cross-lingual similarity, shared key terms
    and topic agreement, each with a relation (implements, restricts, related) and the
    phrases on both sides that ground it; a party with none gets a gap record.

    \b
    Examples:
      nlp-toolkit links rcep-2020:12.15 --jurisdiction CHN
      nlp-toolkit links --all rcep-2020 --chapter 12 --format jsonl > links.jsonl
      nlp-toolkit links --all rcep-2020 --chapter 12 --matrix -k 3
    """
    import json
    import shutil

    from nlp_toolkit.analysis.links import LINK_FIELDS, LinkIndex, commitments, link_records
    from nlp_toolkit.outputs.render import write_records

    if ref is None:
        raise click.UsageError("give a treaty provision REF (rcep-2020:12.15), or a treaty "
                               "with --all (nlp-toolkit links --all rcep-2020)")
    treaty = ref.split(":", 1)[0] if whole else None
    if whole:
        ref = None
    if chapter is not None and treaty is None:
        raise click.UsageError("--chapter goes with --all")
    if matrix and treaty is None:
        raise click.UsageError("--matrix goes with --all")
    out_fmt = cast("Format", fmt or ("table" if sys.stdout.isatty() else "jsonl"))
    if matrix:
        from nlp_toolkit.analysis.links import commitment_table

        with open_corpus(db, create=False) as corpus, library_errors():
            frame = commitment_table(corpus.store, cast("str", treaty), chapter=chapter,
                                     k=k).to_pandas()
        write_records(frame.to_dict("records"), out_fmt, sys.stdout,
                      fields=list(frame.columns),
                      width=shutil.get_terminal_size((160, 24)).columns)
        return
    with open_corpus(db, create=False) as corpus, library_errors():
        refs = [ref] if ref is not None else commitments(corpus.store, cast("str", treaty),
                                                         chapter=chapter)
        records = list(link_records(corpus.store, refs, k=k, jurisdiction=jurisdiction,
                                    index=LinkIndex(corpus.store)))
    if out_fmt in ("json", "jsonl"):
        # a gap record is only {"commitment", "jurisdiction", "gap"} (spec/cli.md)
        lines = [json.dumps(r, ensure_ascii=False) for r in records]
        sys.stdout.write(("\n".join(lines) + "\n" if lines else "") if out_fmt == "jsonl"
                         else "[" + ",\n".join(lines) + "]\n")
        return
    write_records(records, out_fmt, sys.stdout, fields=[*LINK_FIELDS, "gap"],
                  table_fields=["commitment", "jurisdiction", "rank", "relation", "score",
                                "ref", "heading", "gap"],
                  width=shutil.get_terminal_size((120, 24)).columns)


#: The commands this module adds to ``nlp-toolkit`` (registered in ``__init__``).
COMMANDS = [embed, search, similar, compare, duplicates, links]
