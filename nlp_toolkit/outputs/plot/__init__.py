"""Figures of a scored index: topic coverage, similarity within a topic, bindingness profiles.

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot (no global
figure state, no GUI backend needed: Jupyter shows it inline, :func:`save` writes it).
matplotlib is imported by the functions, so ``import nlp_toolkit`` stays light. Rows are
labelled by the titles the tables carry in ``frame.attrs["titles"]`` (country names,
document titles with their id), else by refs, doc ids and jurisdiction codes; characters
the installed fonts cannot draw (CJK, Thai) are replaced rather than drawn as empty boxes
with a warning.

Example:
    >>> from nlp_toolkit import Corpus, plot                  # doctest: +SKIP
    >>> corpus = Corpus.open("corpus/index.sqlite")           # doctest: +SKIP
    >>> frame, _ = corpus.matrix(value="count")               # doctest: +SKIP
    >>> plot.save(plot.coverage_heatmap(frame), "coverage.png")  # doctest: +SKIP
"""

from __future__ import annotations

import html
import io
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.outputs.plot.tables import (
    cross_pairs,
    profile_table,
    topic_provisions,
    topic_similarity,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = [
    "coverage_heatmap",
    "cross_pairs",
    "figure_svg",
    "profile",
    "profile_table",
    "save",
    "similarity_heatmap",
    "topic_provisions",
    "topic_similarity",
]

_COLORS = {"hard": "#b2182b", "soft": "#ef8a62", "none": "#bababa",
           "liberalizing": "#1b7837", "restrictive": "#b2182b", "neutral": "#bababa"}


@contextmanager
def _quiet() -> Iterator[None]:
    # glyph warnings are handled by _label; silence the rest of matplotlib's font chatter
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Gg]lyph.*missing.*")
        warnings.filterwarnings("ignore", message=".*findfont.*")
        yield


@lru_cache(maxsize=1)
def _cjk_font() -> str | None:
    """A font family that draws Chinese, if one is installed."""
    from matplotlib import font_manager

    wanted = ("Noto Sans CJK", "Noto Serif CJK", "Source Han", "WenQuanYi", "Droid Sans Fallback",
              "AR PL", "SimHei", "Microsoft YaHei", "PingFang")
    for font in font_manager.fontManager.ttflist:
        if any(font.name.startswith(w) for w in wanted):
            return str(font.name)
    return None


def _label(text: object, width: int = 40) -> str:
    """An axis label the installed fonts can draw: non-Latin runs become ``?`` without a
    CJK font (the refs and codes stay readable), and long labels are cut."""
    s = str(text)
    if _cjk_font() is None:
        s = "".join(ch if ord(ch) < 0x2E80 else "?" for ch in s)
    return s if len(s) <= width else s[:width - 1] + "…"


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _fonts() -> dict[str, Any]:
    """Tick label font options: DejaVu Sans with a CJK fallback when one is installed."""
    cjk = _cjk_font()
    return {} if cjk is None else {"fontfamily": ["DejaVu Sans", cjk]}


#: Heatmaps taller than this many rows repeat the column labels above the first row, so
#: they are readable where a reader starts (the top of the page).
TALL_ROWS = 15


def _row_labels(frame: pd.DataFrame, labels: Mapping[str, str] | None) -> list[str]:
    """Row labels: ``labels``, else the frame's ``attrs["titles"]`` (country names and
    document titles from :meth:`Corpus.matrix`), else the index itself."""
    titles = labels if labels is not None else frame.attrs.get("titles") or {}
    return [_label(titles.get(str(r), r), width=80) for r in frame.index]


def _agreements_start(frame: pd.DataFrame) -> int | None:
    """Position of the first agreement row after the member rows, if the frame has both."""
    agreements = set(frame.attrs.get("agreements") or ())
    flags = [str(r) in agreements for r in frame.index]
    if True in flags and False in flags and flags.index(True) > 0:
        return flags.index(True)
    return None


def coverage_heatmap(matrix: pd.DataFrame, *, value: str = "count", title: str | None = None,
                     annotate: bool = True, cmap: str = "YlGnBu",
                     labels: Mapping[str, str] | None = None) -> Figure:
    """Jurisdiction (or document) × topic heatmap of :meth:`Corpus.matrix`'s frame.

    Rows are labelled by title (``labels``, else the frame's ``attrs["titles"]``); a line
    separates a region's members from its agreements; a tall heatmap (more than
    :data:`TALL_ROWS` rows) shows the topic labels above the first row as well as below.

    Args:
        matrix: rows are jurisdictions or documents, columns topics; an ``n_provisions``
            column, if present, is left out.
        value: what the cells hold (``count``, ``max`` or ``share``): sets the number format
            and the colour bar's label.
        title: the figure title (default: one naming ``value``).
        annotate: write each cell's value in it.
        cmap: a matplotlib colour map name.
        labels: row key -> label to show.

    Raises:
        ToolkitError: the frame is empty.
    """
    frame = matrix.drop(columns=["n_provisions"], errors="ignore")
    if frame.empty:
        raise ToolkitError("the matrix is empty: score the index first (`nlp-toolkit score`)")
    data = frame.to_numpy(dtype=float)
    n_rows, n_cols = data.shape
    rows = _row_labels(matrix, labels)
    longest = max((len(r) for r in rows), default=0)
    tall = n_rows > TALL_ROWS
    fig = _figure(max(6.0, 0.55 * n_cols + 1.2 + 0.075 * longest),
                  max(2.5, 0.3 * n_rows + (3.2 if tall else 2.0)))
    ax = fig.add_subplot()
    image = ax.imshow(data, cmap=cmap, aspect="auto")
    columns = [_label(c) for c in frame.columns]
    ax.set_xticks(range(n_cols), columns, rotation=50, ha="right",
                  rotation_mode="anchor", fontsize=8, **_fonts())
    ax.set_yticks(range(n_rows), rows, fontsize=8, **_fonts())
    if tall:
        above = ax.secondary_xaxis("top")
        above.set_xticks(range(n_cols), columns, rotation=50, ha="left",
                         rotation_mode="anchor", fontsize=8, **_fonts())
    split = _agreements_start(matrix)
    if split is not None:
        ax.axhline(split - 0.5, color="black", linewidth=1.2)
    if annotate:
        top = float(np.nanmax(data)) if data.size else 0.0
        fmt = "{:.0f}" if value == "count" else "{:.2f}"
        for i in range(n_rows):
            for j in range(n_cols):
                v = data[i, j]
                ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=6.5,
                        color="white" if top and v > 0.6 * top else "black")
    label = {"count": "provisions asserting the topic", "max": "highest topic probability",
             "share": "share of provisions"}.get(value, value)
    # a tall map's colour bar: about 4 inches long and 0.2 wide, next to the first rows
    shrink = min(0.8, 4.0 / (0.3 * n_rows)) if tall else 0.8
    fig.colorbar(image, ax=ax, shrink=shrink, label=label, location="right",
                 aspect=max(20.0, shrink * 0.3 * n_rows / 0.2),
                 anchor=(0.0, 1.0) if tall else (0.0, 0.5))
    ax.set_title(title or f"Topic coverage ({label})", fontsize=10)
    return fig


def _cluster_order(similarity: np.ndarray) -> list[int]:
    """Leaf order of average-linkage clustering on ``1 - similarity``."""
    n = similarity.shape[0]
    if n < 3:
        return list(range(n))
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    dist = np.clip(1.0 - (similarity + similarity.T) / 2.0, 0.0, None)
    np.fill_diagonal(dist, 0.0)
    return [int(i) for i in leaves_list(linkage(squareform(dist, checks=False), "average"))]


def similarity_heatmap(similarity: pd.DataFrame, *, cluster: bool = True,
                       title: str | None = None, annotate: bool | None = None,
                       cmap: str = "magma_r") -> Figure:
    """A (clustered) heatmap of a square similarity frame, e.g. :func:`topic_similarity`'s.

    Args:
        similarity: square, same labels on rows and columns.
        cluster: order rows and columns by hierarchical clustering so that similar laws or
            provisions sit together.
        title: the figure title.
        annotate: write the values in the cells (default: when at most 20 rows).
        cmap: a matplotlib colour map name.

    Raises:
        ToolkitError: the frame is not square or has fewer than two rows.
    """
    data = similarity.to_numpy(dtype=float)
    if data.ndim != 2 or data.shape[0] != data.shape[1] or data.shape[0] < 2:
        raise ToolkitError("similarity_heatmap needs a square frame of at least 2 x 2; build "
                           "one with nlp_toolkit.outputs.plot.topic_similarity")
    order = _cluster_order(data) if cluster else list(range(data.shape[0]))
    data = data[np.ix_(order, order)]
    named = _row_labels(similarity, None)
    labels = [named[i] for i in order]
    n = len(labels)
    size = max(5.0, 0.32 * n + 3.0 + 0.06 * max((len(x) for x in labels), default=0))
    fig = _figure(size + 1.0, size)
    ax = fig.add_subplot()
    off = data[~np.eye(n, dtype=bool)]
    low = min(float(off.min()), 0.99)  # a colour range even when every pair is identical
    image = ax.imshow(data, cmap=cmap, vmin=low, vmax=1.0)
    font = 8 if n <= 25 else 6
    ax.set_xticks(range(n), labels, rotation=60, ha="right", rotation_mode="anchor",
                  fontsize=font, **_fonts())
    ax.set_yticks(range(n), labels, fontsize=font, **_fonts())
    if annotate if annotate is not None else n <= 20:
        mid = (low + 1.0) / 2.0
        for i in range(n):
            for j in range(n):
                ax.text(j, i, f"{data[i, j]:.2f}", ha="center", va="center", fontsize=6,
                        color="white" if data[i, j] > mid else "black")
    fig.colorbar(image, ax=ax, shrink=0.8, label="cosine similarity")
    ax.set_title(title or "Similarity" + (" (clustered)" if cluster else ""), fontsize=10)
    return fig


def profile(table: pd.DataFrame, *, kind: str = "bindingness", normalize: bool = True,
            title: str | None = None) -> Figure:
    """Stacked horizontal bars of :func:`profile_table`: each jurisdiction's provisions by
    bindingness (hard/soft/none) or direction (liberalizing/restrictive/neutral).

    Args:
        table: rows are jurisdictions or documents, columns classes, cells counts.
        kind: the profile's name, for the title.
        normalize: show shares of each row (so large and small laws compare); counts are
            written on the bars either way.
        title: the figure title.

    Raises:
        ToolkitError: the table is empty.
    """
    if table.empty or float(table.to_numpy().sum()) == 0:
        raise ToolkitError("the profile table is empty: score the index first "
                           "(`nlp-toolkit score`)")
    counts = table.to_numpy(dtype=float)
    totals = counts.sum(axis=1, keepdims=True)
    values = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0) \
        if normalize else counts
    n = len(table.index)
    rows = _row_labels(table, None)
    fig = _figure(5.5 + 0.075 * max((len(r) for r in rows), default=0),
                  max(2.5, 0.3 * n + 1.6))
    ax = fig.add_subplot()
    left = np.zeros(n)
    ypos = np.arange(n)
    for j, cls in enumerate(table.columns):
        ax.barh(ypos, values[:, j], left=left, label=_label(cls),
                color=_COLORS.get(str(cls), f"C{j}"), edgecolor="white", linewidth=0.5)
        for i in range(n):
            if values[i, j] >= (0.06 if normalize else 0.06 * float(values.max())):
                ax.text(left[i] + values[i, j] / 2, i, f"{int(counts[i, j])}", ha="center",
                        va="center", fontsize=7, color="black")
        left = left + values[:, j]
    ax.set_yticks(ypos, rows, fontsize=8, **_fonts())
    ax.invert_yaxis()
    ax.set_xlabel("share of scored provisions" if normalize else "scored provisions")
    if normalize:
        ax.set_xlim(0, 1)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(table.columns),
              fontsize=8, frameon=False)
    ax.set_title(title or f"{kind.capitalize()} profile", fontsize=10, pad=22)
    return fig


def figure_svg(fig: Figure, *, salt: str = "nlp_toolkit") -> str:
    """The figure as an SVG element string, fonts drawn as paths (self-contained).

    The SVG's internal ids derive from ``salt``, so the same figure gives the same text;
    give each figure of one HTML page its own salt so that their ids do not clash.
    """
    import matplotlib

    buf = io.StringIO()
    with _quiet(), matplotlib.rc_context({"svg.hashsalt": salt}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    start = text.find("<svg")
    return text[start:] if start >= 0 else text


def save(fig: Figure, path: str | Path, *, dpi: int = 150) -> Path:
    """Write ``fig`` by suffix: ``.png``, ``.svg``, or ``.html`` (a self-contained page with
    the SVG inline); parent folders are created. Returns the path.

    Raises:
        ToolkitError: an unsupported suffix.
    """
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in (".png", ".svg", ".html", ".htm"):
        raise ToolkitError(f"cannot save a figure as {out.name!r}: use .png, .svg or .html")
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix in (".html", ".htm"):
        title = html.escape(out.stem)
        out.write_text(f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                       f"<title>{title}</title></head><body>{figure_svg(fig)}</body></html>\n",
                       encoding="utf-8")
        return out
    with _quiet():
        if suffix == ".png":
            fig.savefig(out, format="png", dpi=dpi)
        else:
            fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out
