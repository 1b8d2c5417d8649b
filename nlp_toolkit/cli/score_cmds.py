"""Commands of the topic scorer: ``score``, ``train``, ``evaluate`` and ``matrix`` (the
jurisdiction × topic table)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from nlp_toolkit.cli.common import (
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
from nlp_toolkit.defaults import DEFAULT_SCORE_MODEL

if TYPE_CHECKING:
    from nlp_toolkit.outputs.render import Format

hold_out_option = click.option(
    "--hold-out", "hold_out", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Split file (label_splits.json): the documents under its 'test' key are left out, "
         "kept for the final report.")


def _held_out(path: Path | None) -> list[str]:
    """The ``test`` documents of a split file (none without one)."""
    import json

    if path is None:
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [str(d) for d in data["test"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UnusableInput(f"{path}: not a split file with a 'test' list of doc ids "
                            f"({exc})") from exc


@click.command()
@click.option("--model", "model", type=click.Path(path_type=Path), default=DEFAULT_SCORE_MODEL,
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
    with writing(db, "score", wait), open_corpus(db, create=False) as corpus, library_errors():
        if doc_id is not None and corpus.store.document_sha(doc_id) is None:
            raise UnusableInput(f"no document {doc_id!r} in {db}; `nlp-toolkit stats` lists "
                                "what is there")
        with progress_bar("score", quiet) as bar:
            report = corpus.score(model, scorer=cast(Any, scorer), doc_id=doc_id,
                                  progress=bar)
        click.echo(report.summary())


@click.command()
@click.option("--labels", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, multiple=True,
              help="Label CSV (doc_id,unit,topics,bindingness,direction); repeatable.")
@hold_out_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("models/custom"), show_default=True, help="Model folder to write.")
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of the labelled documents not in the index [default: the index].")
@click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True,
              help="Grouped cross-validation folds for the model card's metrics.")
@db_option
def train(labels: tuple[Path, ...], hold_out: Path | None, out: Path, manifest: Path | None,
          folds: int, db: Path) -> None:
    """Train the supervised scorer on labelled provisions and save it (arrays + model card
    with the grouped-CV and transfer-protocol figures).

    \b
    Examples:
      nlp-toolkit train --labels ../shared/labels/provision_labels.csv --out models/mine
      nlp-toolkit train --labels ../shared/labels/provision_labels.csv \\
        --labels corpus/dev/national_labels.csv --hold-out corpus/dev/label_splits.json
    """
    from nlp_toolkit.score.evaluate import format_report

    with open_corpus(db, create=False) as corpus, library_errors():
        folder, card = corpus.train(list(labels), out, manifest=manifest, folds=folds,
                                    exclude_docs=_held_out(hold_out))
    if card.get("grouped_cv"):
        click.echo(format_report({**card["grouped_cv"], "transfer": card.get("transfer")}))
    click.echo(f"model written to {folder}")


@click.command()
@click.option("--labels", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, multiple=True,
              help="Label CSV (doc_id,unit,topics,bindingness,direction); repeatable.")
@hold_out_option
@click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True,
              help="Folds, grouped by document (no document in both train and test).")
@click.option("--transfer/--no-transfer", default=True, show_default=True,
              help="Also run the transfer protocol: treaties -> laws, laws -> treaties, "
                   "leave one jurisdiction out.")
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of the labelled documents not in the index [default: the index].")
@format_option
@db_option
def evaluate(labels: tuple[Path, ...], hold_out: Path | None, folds: int, transfer: bool,
             manifest: Path | None, fmt: str | None, db: Path) -> None:
    """Cross-validate the supervised scorer: per-topic precision, recall, F1, micro and macro,
    bindingness and direction accuracy, law x topic presence F1; then the transfer protocol
    (train on treaties and test on laws, the reverse, and leave one jurisdiction out).

    \b
    Examples:
      nlp-toolkit evaluate --labels ../shared/labels/provision_labels.csv --folds 5
      nlp-toolkit evaluate --labels ../shared/labels/provision_labels.csv \\
        --labels corpus/dev/national_labels.csv --hold-out corpus/dev/label_splits.json
    """
    import json

    from nlp_toolkit.score.evaluate import format_report

    with open_corpus(db, create=False) as corpus, library_errors():
        report = corpus.evaluate(list(labels), manifest=manifest, folds=folds,
                                 exclude_docs=_held_out(hold_out), transfer=transfer)
    if fmt in ("json", "jsonl"):
        click.echo(json.dumps(report, ensure_ascii=False))
        return
    click.echo(format_report(report))
    click.echo(f"{report['n']} provisions of {len(report['per_document'])} documents, "
               f"{report['folds']} folds grouped by document")
    if report["unmatched"]:
        click.echo(f"{len(report['unmatched'])} label rows matched no provision: "
                   f"{', '.join(report['unmatched'][:20])}", err=True)


@click.command()
@click.option("--by", type=click.Choice(["jurisdiction", "doc"]), default="jurisdiction",
              show_default=True, help="Rows: jurisdictions or documents.")
@click.option("--value", type=click.Choice(["count", "max", "share"]), default="count",
              show_default=True, help="Cell: provisions asserting the topic, the highest "
                                      "probability, or the share of scored provisions.")
@click.option("--jurisdiction", "jurisdictions", multiple=True,
              help="Only this jurisdiction (a treaty counts for each party); repeatable.")
@click.option("--all-jurisdictions", is_flag=True,
              help="Every jurisdiction, a treaty counting for each party (default: the ten "
                   "ASEAN members and China, and their agreements as rows of their own).")
@click.option("--all-versions", is_flag=True,
              help="Count every version and translation of a law in its jurisdiction's row "
                   "(default: each law once, its latest version, in English where it has "
                   "one).")
@format_option
@db_option
def matrix(by: str, value: str, jurisdictions: tuple[str, ...], all_jurisdictions: bool,
           all_versions: bool, fmt: str | None, db: Path) -> None:
    """The jurisdiction × topic matrix of the scores; every cell names its provisions.

    By default the rows are the ten ASEAN member states and China (their national laws),
    then each agreement they are party to as a row of its own; --all-jurisdictions shows
    every jurisdiction. A law counts once (its latest version, in English where it has one);
    --all-versions counts every version and translation. The table shows the values; json,
    jsonl and csv give one record per cell with its refs and the row's title.

    \b
    Examples:
      nlp-toolkit matrix
      nlp-toolkit matrix --jurisdiction SGP --jurisdiction CHN
      nlp-toolkit matrix --by doc --value max --format jsonl --all-jurisdictions
    """
    import shutil

    from nlp_toolkit.outputs.render import write_records

    out_fmt = cast("Format", fmt or ("table" if sys.stdout.isatty() else "jsonl"))
    with open_corpus(db, create=False) as corpus, library_errors():
        frame, refs = corpus.matrix(by=cast(Any, by), value=cast(Any, value),
                                    jurisdictions=list(jurisdictions) or None,
                                    all_jurisdictions=all_jurisdictions,
                                    all_versions=all_versions)
    topics = [c for c in frame.columns if c != "n_provisions"]
    titles = frame.attrs.get("titles", {})
    if out_fmt == "table":
        records = [{by: key, **{t: row[t] for t in topics},
                    "n_provisions": row["n_provisions"], "title": titles.get(key, key)}
                   for key, row in frame.iterrows()]
        write_records(records, out_fmt, sys.stdout,
                      fields=[by, *topics, "n_provisions", "title"],
                      width=max(shutil.get_terminal_size((120, 24)).columns, 240))
        return
    cells = ({by: key, "topic": t, "value": row[t], "n_provisions": int(row["n_provisions"]),
              "refs": refs.get((str(key), t), []), "title": titles.get(key, key)}
             for key, row in frame.iterrows() for t in topics)
    if out_fmt == "csv":
        cells = ({**c, "refs": ";".join(c["refs"])} for c in cells)
    write_records((_plain(c) for c in cells), out_fmt, sys.stdout,
                  fields=[by, "topic", "value", "n_provisions", "refs", "title"])


def _plain(record: dict[str, Any]) -> dict[str, Any]:
    """numpy scalars as Python numbers (for json)."""
    return {k: v.item() if hasattr(v, "item") else v for k, v in record.items()}


#: The commands this module adds to ``nlp-toolkit`` (registered in ``__init__``).
COMMANDS = [score, train, evaluate, matrix]
