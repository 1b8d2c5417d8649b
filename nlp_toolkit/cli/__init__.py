"""The ``nlp-toolkit`` command line: each command parses options, makes one library call,
renders the result and turns the library's errors into a message and an exit code.

Exit codes (``spec/cli.md``): 0 success; 1 the work ran but some inputs failed (each named on
stderr, the rest kept); 2 bad usage or unusable input (nothing changed).

Environment variables are read here only: ``NLP_TOOLKIT_DB`` (default ``--db``) and
``NLP_TOOLKIT_MIRROR`` (default ``--mirror``). Heavy libraries are imported inside the
commands, so ``nlp-toolkit --help`` is instant.

The commands live in this package's modules, by subject: :mod:`.corpus_cmds` (ingest, fetch,
build, stats), :mod:`.provision_cmds` (provisions, export, report, diff), :mod:`.search_cmds`
(embed, search, similar, compare, duplicates) and :mod:`.score_cmds` (score, train, evaluate,
matrix); :mod:`.common` holds what they share. Each is registered on :func:`main` below.
"""

from __future__ import annotations

import click

from nlp_toolkit import __version__
from nlp_toolkit.cli import corpus_cmds, provision_cmds, score_cmds, search_cmds
from nlp_toolkit.cli.common import UnusableInput

__all__ = ["UnusableInput", "main"]


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


for _module in (corpus_cmds, provision_cmds, search_cmds, score_cmds):
    for _command in _module.COMMANDS:
        main.add_command(_command)
