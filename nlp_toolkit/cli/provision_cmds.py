"""Commands that read provisions out of the index: ``provisions`` (list), ``export`` (a
file), ``report`` (an HTML page) and ``diff`` (two versions of a law)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from nlp_toolkit.cli.common import (
    LEVELS,
    F,
    db_option,
    format_option,
    library_errors,
    open_corpus,
)

if TYPE_CHECKING:
    from nlp_toolkit.outputs.render import Format

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
    from nlp_toolkit.outputs.export import ProvisionFilter

    return ProvisionFilter(doc=doc_id, level=level, **filters)


@click.command()
@filter_options
@click.option("--level", type=click.Choice(LEVELS), default="all", show_default=True,
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

    from nlp_toolkit.outputs.export import csv_record, provision_records, record_fields
    from nlp_toolkit.outputs.render import write_records

    out_fmt = cast("Format", fmt or ("table" if sys.stdout.isatty() else "jsonl"))
    with open_corpus(db, create=False) as corpus, library_errors():
        fields = record_fields(corpus.store)
        rows = provision_records(corpus.store, _filter(doc_id, level, filters))
        if out_fmt == "csv":  # topics, labels and evidence as JSON, as `export` writes them
            rows = (csv_record(r) for r in rows)
        scored = "labels" in fields
        write_records(rows, out_fmt, sys.stdout, fields=fields,
                      table_fields=["ref", "level", "page_start", "heading",
                                    *(("labels", "bindingness") if scored else ()), "text"],
                      width=shutil.get_terminal_size((120, 24)).columns)


@click.command()
@filter_options
@click.option("--level", type=click.Choice(LEVELS), default="article", show_default=True,
              help="'article': numbered articles and sections; 'all': every level.")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "parquet"]),
              help="File format [default: from the --out suffix].")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write.")
@click.option("--evidence", type=click.Path(dir_okay=False, path_type=Path),
              help="Instead: the evidence table (*.csv or *.parquet), one row per link and "
                   "per topic finding of national law (honours --jurisdiction, --topic).")
@click.option("--treaty", metavar="TREATY_DOC",
              help="With --evidence: add the links of this treaty's commitments.")
@click.option("--chapter", help="With --treaty: only this chapter's articles (e.g. 12).")
@click.option("--no-findings", is_flag=True,
              help="With --evidence: links only, no topic findings.")
@db_option
def export(doc_id: str | None, level: str, fmt: str | None, out: Path | None,
           evidence: Path | None, treaty: str | None, chapter: str | None, no_findings: bool,
           db: Path, **filters: Any) -> None:
    """Write provisions with their scores to a CSV, JSON Lines or Parquet file.

    CSV holds topics, labels and evidence as JSON strings; JSON Lines nests them; Parquet
    has one `topic.<id>` probability column per topic, labels as a list and evidence as a
    list of structs.

    With --evidence, write the analysts' evidence table instead: economy, law name and
    number, last amended, topic, RDTII indicator, article, a verbatim snippet with its
    character offsets in the provision's text, rationale, source URL, confidence, notes.

    \b
    Examples:
      nlp-toolkit export --out provisions.parquet
      nlp-toolkit export --format csv --out mys.csv --jurisdiction MYS --topic data_flows
      nlp-toolkit export --evidence evidence.csv --treaty rcep-2020 --chapter 12
    """
    if (out is None) == (evidence is None):
        raise click.UsageError("give --out FILE (provisions) or --evidence FILE (not both)")
    if evidence is not None:
        from nlp_toolkit.outputs.evidence import evidence_rows, write_evidence

        with open_corpus(db, create=False) as corpus, library_errors():
            n = write_evidence(evidence_rows(
                corpus.store, treaty=treaty, chapter=chapter,
                jurisdiction=filters.get("jurisdiction"), topic=filters.get("topic"),
                findings=not no_findings), evidence)
        click.echo(f"{n} evidence rows written to {evidence}", err=True)
        return
    if treaty is not None or chapter is not None or no_findings:
        raise click.UsageError("--treaty, --chapter and --no-findings go with --evidence")
    assert out is not None
    with open_corpus(db, create=False) as corpus, library_errors():
        n = corpus.export(out, format=cast(Any, fmt), doc=doc_id, level=level, **filters)
    click.echo(f"{n} provisions written to {out}", err=True)


@click.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("report.html"), show_default=True, help="The HTML file to write.")
@click.option("--title", default="nlp_toolkit corpus report", show_default=True,
              help="The page title.")
@click.option("--top-k", type=click.IntRange(min=1), default=3, show_default=True,
              help="Provisions shown per topic.")
@click.option("--all-jurisdictions", is_flag=True,
              help="Every jurisdiction (default: the ten ASEAN members and China, and the "
                   "agreements they are party to as rows of their own).")
@db_option
def report(out: Path, title: str, top_k: int, all_jurisdictions: bool, db: Path) -> None:
    """Write a self-contained HTML report of a scored index.

    A table of contents, the coverage heatmap, per-jurisdiction and per-agreement
    summaries (documents by title), top provisions per topic with their evidence
    highlighted, and the most similar cross-jurisdiction provisions on data flows and
    personal data. By default it shows the ten ASEAN member states and China, and the
    agreements they are party to; --all-jurisdictions shows every jurisdiction. One file:
    inline CSS and SVG figures, no external links.

    \b
    Example:
      nlp-toolkit report --out report.html
    """
    from nlp_toolkit.outputs.report import build_report

    with open_corpus(db, create=False) as corpus, library_errors():
        path = build_report(corpus, out, title=title, top_k=top_k,
                            all_jurisdictions=all_jurisdictions)
    click.echo(f"report written to {path}", err=True)

@click.command()
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

    from nlp_toolkit.analysis.diff import DIFF_FIELDS
    from nlp_toolkit.outputs.render import write_records

    out_fmt = cast("Format", fmt or ("table" if sys.stdout.isatty() else "jsonl"))
    with open_corpus(db, create=False) as corpus, library_errors():
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


#: The commands this module adds to ``nlp-toolkit`` (registered in ``__init__``).
COMMANDS = [provisions, export, report, diff]
