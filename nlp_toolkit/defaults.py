"""The toolkit's defaults, in one place: paths of the default corpus and index.

Every command and the :class:`~nlp_toolkit.corpus.Corpus` facade read their defaults here,
so ``build``, ``embed``, ``search`` and ``similar`` cannot disagree.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DEFAULT_DB", "DEFAULT_MANIFEST"]

#: The default corpus definition, relative to the project folder.
DEFAULT_MANIFEST = Path("corpus") / "manifest.csv"
#: The default index, relative to the project folder.
DEFAULT_DB = Path("corpus") / "index.sqlite"
