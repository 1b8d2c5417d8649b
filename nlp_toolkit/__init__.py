"""nlp_toolkit: digital-trade policy texts as data.

Laws and treaties (PDF, Markdown, ToTA XML) become numbered, hierarchical provisions in a
SQLite index, ready to search, score and compare.
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nlp_toolkit.corpus import Corpus
    from nlp_toolkit.outputs import plot

__all__ = ["Corpus", "__version__", "plot"]


def __getattr__(name: str) -> Any:
    # Lazy, so `import nlp_toolkit` (and `nlp-toolkit --help`) stays instant.
    if name == "Corpus":
        from nlp_toolkit.corpus import Corpus

        return Corpus
    if name == "plot":  # notebooks: `from nlp_toolkit import Corpus, plot`
        from nlp_toolkit.outputs import plot

        return plot
    raise AttributeError(f"module 'nlp_toolkit' has no attribute {name!r}")
