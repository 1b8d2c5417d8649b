"""Plots: toy frames for the drawing contract, the analysis index for real figures.

Each real figure is saved as PNG under the test's tmp dir and under ``/tmp/viz/plots/`` (to
look at), and checked for size and non-blank content.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.outputs import plot
from nlp_toolkit.outputs.plot.tables import cosine_matrix, cross_pairs_from

LOOK_DIR = Path("/tmp/viz/plots")


def _check_png(path: Path, *, min_w: int = 400, min_h: int = 250) -> None:
    from matplotlib.image import imread

    assert path.stat().st_size > 5_000, f"{path} is suspiciously small"
    pixels = imread(path)
    assert pixels.shape[1] >= min_w and pixels.shape[0] >= min_h, pixels.shape
    rgb = pixels[..., :3]
    # a blank figure is one flat colour; a heatmap has many distinct colours
    assert float(rgb.std()) > 0.05, f"{path} looks blank (pixel std {rgb.std():.3f})"
    assert len(np.unique(rgb.reshape(-1, 3).round(2), axis=0)) > 20


def _save_png(fig: object, tmp_path: Path, name: str) -> Path:
    path = plot.save(fig, tmp_path / f"{name}.png")  # type: ignore[arg-type]
    _check_png(path)
    LOOK_DIR.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, LOOK_DIR / path.name)
    return path


# -- pure helpers ---------------------------------------------------------------------------
def test_cosine_matrix_matches_brute_force() -> None:
    rng = np.random.default_rng(0)
    v = rng.normal(size=(5, 7))
    v[3] = 0.0
    sim = cosine_matrix(v)
    for i in range(5):
        for j in range(5):
            ni, nj = np.linalg.norm(v[i]), np.linalg.norm(v[j])
            want = 0.0 if ni == 0 or nj == 0 else v[i] @ v[j] / (ni * nj)
            assert sim[i, j] == pytest.approx(want)


def test_cross_pairs_skip_shared_jurisdictions() -> None:
    vecs = np.array([[1.0, 0.0], [1.0, 0.01], [0.9, 0.1], [0.0, 1.0]])
    juris = ["SGP", "SGP;AUS", "MYS", "CHN"]
    pairs = cross_pairs_from(["a", "b", "c", "d"], juris, vecs, k=10)
    assert (0, 1) not in [(i, j) for i, j, _ in pairs]  # SGP law vs SGP-AUS treaty
    assert pairs[0][:2] in ((1, 2), (0, 2))
    assert [c for *_, c in pairs] == sorted((c for *_, c in pairs), reverse=True)


# -- drawing contract on toy frames ---------------------------------------------------------
def _toy_matrix() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    data = rng.integers(0, 30, size=(4, 6))
    return pd.DataFrame(data, index=["CHN", "MYS", "SGP", "THA"],
                        columns=[f"topic_{i}" for i in range(6)]).assign(n_provisions=99)


def test_coverage_heatmap_saves_png_svg_html(tmp_path: Path) -> None:
    fig = plot.coverage_heatmap(_toy_matrix(), value="count")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["CHN", "MYS", "SGP", "THA"]
    assert "n_provisions" not in [t.get_text() for t in ax.get_xticklabels()]
    assert len(ax.texts) == 24  # every cell annotated
    _check_png(plot.save(fig, tmp_path / "toy.png"))
    svg = plot.save(fig, tmp_path / "toy.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    page = plot.save(fig, tmp_path / "sub" / "toy.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "<img" not in page
    with pytest.raises(ToolkitError, match=r"\.png, \.svg or \.html"):
        plot.save(fig, tmp_path / "toy.pdf")


def test_cjk_labels_draw_without_warnings(tmp_path: Path) -> None:
    frame = pd.DataFrame([[1, 2], [3, 4]], index=["中国 CHN", "SGP"], columns=["数据", "b"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any glyph or font warning fails the test
        fig = plot.coverage_heatmap(frame)
        plot.save(fig, tmp_path / "cjk.png")
    label = fig.axes[0].get_yticklabels()[0].get_text()
    assert "CHN" in label


def test_similarity_heatmap_clusters_similar_rows_together() -> None:
    labels = ["a1", "b1", "a2", "b2"]
    sim = pd.DataFrame([[1, .1, .9, .1], [.1, 1, .1, .9], [.9, .1, 1, .1], [.1, .9, .1, 1]],
                       index=labels, columns=labels, dtype=float)
    fig = plot.similarity_heatmap(sim)
    order = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert abs(order.index("a1") - order.index("a2")) == 1
    assert abs(order.index("b1") - order.index("b2")) == 1
    with pytest.raises(ToolkitError, match="square"):
        plot.similarity_heatmap(sim.iloc[:, :3])


def test_profile_normalised_bars_sum_to_one() -> None:
    table = pd.DataFrame([[5, 3, 2], [0, 0, 4]], index=["SGP", "THA"],
                         columns=["hard", "soft", "none"])
    fig = plot.profile(table, kind="bindingness")
    ax = fig.axes[0]
    widths = np.array([p.get_width() for p in ax.patches  # type: ignore[attr-defined]
                       ]).reshape(3, 2)
    assert widths.sum(axis=0) == pytest.approx([1.0, 1.0])
    with pytest.raises(ToolkitError, match="empty"):
        plot.profile(table.iloc[:0])


def test_plot_import_is_lazy() -> None:
    import subprocess
    import sys

    code = "import nlp_toolkit, nlp_toolkit.outputs.plot, sys; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# -- real figures from the analysis index ---------------------------------------------------
@pytest.mark.slow
def test_real_figures(analysis_db: Path, tmp_path: Path) -> None:
    from nlp_toolkit import Corpus

    db = tmp_path / "index.sqlite"
    shutil.copy(analysis_db, db)
    with Corpus.open(db, create=False) as corpus:
        frame, _ = corpus.matrix(value="count")
        assert {"SGP", "MYS", "THA", "CHN"} <= set(frame.index)
        _save_png(plot.coverage_heatmap(frame, value="count"), tmp_path, "coverage_count")
        frame_max, _ = corpus.matrix(value="max")
        _save_png(plot.coverage_heatmap(frame_max, value="max"), tmp_path, "coverage_max")

        sim = plot.topic_similarity(corpus, "data_flows", by="doc")
        assert sim.shape[0] == sim.shape[1] >= 4
        assert np.allclose(np.diag(sim.to_numpy()), 1.0, atol=1e-5)
        # the three versions of the Malaysian PDPA are each other's closest documents
        mys = [d for d in sim.index if d.startswith("mys-pdpa-2010")]
        assert len(mys) >= 2
        row = sim.loc[mys[0]].drop(mys[0])
        assert row.idxmax() in mys
        _save_png(plot.similarity_heatmap(sim, title="data_flows: documents"), tmp_path,
                  "similarity_docs")
        provs = plot.topic_similarity(corpus, "data_flows", by="provision", limit=25)
        _save_png(plot.similarity_heatmap(provs), tmp_path, "similarity_provisions")

        table = plot.profile_table(corpus, kind="bindingness")
        assert {"hard", "soft", "none"} <= set(table.columns)
        assert int(table.to_numpy().sum()) >= int(frame["n_provisions"].sum() * 0.9)
        _save_png(plot.profile(table, kind="bindingness"), tmp_path, "profile_bindingness")
        direction = plot.profile_table(corpus, kind="direction")
        _save_png(plot.profile(direction, kind="direction"), tmp_path, "profile_direction")

        pairs = plot.cross_pairs(corpus, "data_flows", k=5)
        assert len(pairs) == 5
        for a, b in zip(pairs["jurisdiction_a"], pairs["jurisdiction_b"], strict=True):
            assert not set(a.split(";")) & set(b.split(";"))
        with pytest.raises(ToolkitError, match="fewer than two"):
            plot.topic_similarity(corpus, "no_such_topic")
