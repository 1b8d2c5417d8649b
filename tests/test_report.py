"""The HTML report: escaping and highlighting (pure), then a real report in headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from nlp_toolkit.outputs.report import (
    ProvisionView,
    ReportData,
    _excerpt,
    evidence_spans,
    highlight,
    render_html,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
# a reference the browser would fetch: src/href/url() to a URL scheme (other than inline
# data:) or a protocol-relative URL
EXTERNAL = re.compile(r"""(?:(?:src|href)\s*=\s*["']?|url\(\s*["']?)\s*(?!data:)(?:[a-z]+:|//)""",
                      re.IGNORECASE)


def test_highlight_escapes_and_merges_overlaps() -> None:
    text = "Data <b>may</b> be transferred & stored"
    out = highlight(text, [(5, 15), (10, 19), (30, 30)])
    assert out == "Data <mark>&lt;b&gt;may&lt;/b&gt; be </mark>transferred &amp; stored"
    assert highlight("x", []) == "x"


def test_evidence_spans_use_offsets_else_find_the_text() -> None:
    text = "A person shall not transfer personal data outside Malaysia."
    good = {"topic": "data_flows", "text": "transfer", "char_start": 19, "char_end": 27}
    stale = {"topic": "data_flows", "text": "outside Malaysia", "char_start": 0, "char_end": 3}
    other = {"topic": "personal_data", "text": "personal data", "char_start": 28,
             "char_end": 41}
    assert evidence_spans(text, [good, stale, other], "data_flows") == ((19, 27), (42, 58))
    assert len(evidence_spans(text, [good, other])) == 2
    assert evidence_spans(text, None) == ()


def test_excerpt_keeps_the_evidence_in_view() -> None:
    text = "x" * 2000 + "TARGET" + "y" * 2000
    view = _excerpt(ProvisionView("d:1", "SGP", "h", "p", text, None, ((2000, 2006),)))
    assert len(view.text) < 800
    (s, e), = view.spans
    assert view.text[s:e] == "TARGET"


def test_render_escapes_document_text() -> None:
    evil = '<script>alert("x")</script><img src="http://evil.example/a.png">'
    view = ProvisionView("doc:1", "SGP", evil, "Part 1", evil + " transfer", 0.9,
                         ((len(evil) + 1, len(evil) + 9),))
    data = ReportData(title=evil, generated="now", stats={"documents": 1, "provisions": 1},
                      coverage_svg="<svg></svg>",
                      jurisdictions=[{"jurisdiction": evil, "documents": [evil],
                                      "provisions": 1, "topics": [evil], "profile": {}}],
                      topics=[("data_flows", evil, [view])],
                      pairs=[("data_flows", [(view, view, 0.5)])], notes=[evil])
    page = render_html(data)
    assert "<script>alert" not in page and "<img" not in page
    assert "&lt;script&gt;alert" in page
    assert "<mark>transfer</mark>" in page
    assert page.count("<script>") == 1  # only the page's own check script
    assert not EXTERNAL.search(page)


def test_report_of_an_unscored_index_says_what_to_run(tmp_path: Path) -> None:
    from nlp_toolkit import Corpus
    from nlp_toolkit.cli import main

    db = tmp_path / "empty.sqlite"
    Corpus.open(db).close()
    result = CliRunner().invoke(main, ["report", "--out", str(tmp_path / "r.html"),
                                       "--db", str(db)])
    assert result.exit_code == 2
    assert "nlp-toolkit score" in result.output
    assert not (tmp_path / "r.html").exists()


def _chromium(*args: str, user_dir: Path) -> subprocess.CompletedProcess[str]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the report test needs headless Chromium; run "
                    "`apt-get install chromium` (Debian package)")
    return subprocess.run([str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={user_dir}",
                           *args], capture_output=True, text=True, timeout=180, check=False)


@pytest.mark.slow
def test_report_opens_in_headless_chromium(analysis_db: Path, tmp_path: Path) -> None:
    from nlp_toolkit import Corpus
    from nlp_toolkit.cli import main
    from nlp_toolkit.outputs.report import build_report

    db = tmp_path / "index.sqlite"
    shutil.copy(analysis_db, db)
    with Corpus.open(db, create=False) as corpus:
        out = build_report(corpus, tmp_path / "report" / "report.html", top_k=2)
    page = out.read_text(encoding="utf-8")
    assert not EXTERNAL.search(page), EXTERNAL.search(page)
    for section in ("coverage", "jurisdictions", "topics", "pairs"):
        assert f'<section id="{section}">' in page
    assert page.count("<svg") >= 2 and "<mark>" in page
    from nlp_toolkit.sources.region import NAMES

    for code in ("SGP", "MYS", "THA", "CHN"):
        assert f"<td>{NAMES[code]} ({code})</td>" in page
    assert "chn-pipl-2021:" in page  # Chinese provisions are among the evidence
    _anchors_resolve(page)
    assert "Trans-Pacific Partnership <code>tota-449</code>" in page  # an agreement's row

    # the CLI writes the same page (up to the timestamp)
    cli_out = tmp_path / "cli.html"
    result = CliRunner().invoke(main, ["report", "--out", str(cli_out), "--top-k", "2",
                                       "--db", str(db)])
    assert result.exit_code == 0, result.output
    stamp = re.compile(r"Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC")
    assert stamp.sub("", cli_out.read_text(encoding="utf-8")) == stamp.sub("", page)

    user_dir = tmp_path / "chromium-profile"
    dom = _chromium("--dump-dom", out.as_uri(), user_dir=user_dir)
    assert dom.returncode == 0, dom.stderr[-2000:]
    body = re.search(r"<body[^>]*>", dom.stdout)
    assert body is not None, dom.stdout[:500]
    assert 'data-ok="1"' in body.group(0), "the page's check script did not run cleanly"

    shot = tmp_path / "report.png"
    res = _chromium(f"--screenshot={shot}", "--window-size=1280,2000", out.as_uri(),
                    user_dir=user_dir)
    assert res.returncode == 0 and shot.exists(), res.stderr[-2000:]
    from matplotlib.image import imread

    pixels = imread(shot)[..., :3]
    assert pixels.shape[0] >= 1000 and pixels.shape[1] >= 1200
    assert float(pixels.std()) > 0.05, "the screenshot is blank"
    assert len(np.unique(pixels.reshape(-1, 3).round(2), axis=0)) > 50
    look = Path("/tmp/viz/plots")
    look.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, look / "report_screenshot.png")


def _anchors_resolve(page: str) -> None:
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    links = re.findall(r'href="#([^"]*)"', page)
    assert links, "the page has no jump links"
    missing = sorted({h for h in links if h not in ids})
    assert not missing, f"links to no anchor: {missing}"


def test_report_shows_the_region_by_title_with_a_toc(tmp_path: Path) -> None:
    from nlp_toolkit.outputs.report import build_report
    from tests.test_region import scored_region_store

    db = tmp_path / "index.sqlite"
    scored_region_store(db).close()
    page = build_report(db, tmp_path / "region.html").read_text(encoding="utf-8")
    _anchors_resolve(page)
    assert page.index('<nav id="toc">') < page.index('<section id="coverage">')
    for section in ("coverage", "jurisdictions", "topics", "pairs"):
        assert f'href="#{section}"' in page
    assert 'href="#topic-data-flows"' in page and 'id="topic-data-flows"' in page
    # the region's rows, members first, agreements as rows of their own, by title
    table = page[page.index('<section id="jurisdictions">'):page.index('<section id="topics">')]
    assert table.index(">Brunei Darussalam (BRN)<") < table.index(">Philippines (PHL)<") \
        < table.index("parties: SGP, AUS") < table.index("Singapore - Australia <code>")
    assert "Data Privacy Act of 2012 <code>phl-law</code>" in page
    assert "Personal Data Protection Act 2012" in page  # provision views name their law
    assert "no document in the index" in page  # a member without a law says so
    assert "aus-law" not in page and "EU - Chile" not in page  # outside the region
    assert "--all-jurisdictions" in page

    every = build_report(db, tmp_path / "all.html", all_jurisdictions=True).read_text(
        encoding="utf-8")
    _anchors_resolve(every)
    assert "Privacy Act 1988 <code>aus-law</code>" in every and "EU - Chile" in every
    assert ">Brunei Darussalam (BRN)<" not in every

    cli_out = tmp_path / "cli.html"
    result = CliRunner().invoke(main_cli(), ["report", "--out", str(cli_out), "--db", str(db),
                                             "--all-jurisdictions"])
    assert result.exit_code == 0, result.output
    assert "EU - Chile" in cli_out.read_text(encoding="utf-8")


def main_cli():  # type: ignore[no-untyped-def]
    from nlp_toolkit.cli import main

    return main
