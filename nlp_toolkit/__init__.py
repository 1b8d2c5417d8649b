"""nlp_toolkit: digital-trade policy texts as data.

Laws and treaties (PDF, Markdown, ToTA XML) become numbered, hierarchical provisions in a
SQLite index, ready to search, score and compare.
"""

from __future__ import annotations

__version__ = "0.1.0"
