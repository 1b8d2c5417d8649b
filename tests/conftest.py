"""Shared fixtures. Tests that need ../shared/corpus fail (never skip) when it is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files under tests/golden/ from the current output",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to refresh golden files (``pytest --update-golden``)."""
    return bool(request.config.getoption("--update-golden"))


def _require(path: Path, what: str) -> Path:
    if not path.exists():
        pytest.fail(
            f"{what} not found at {path}: clone the project next to ../shared "
            "(the shared corpus, labels and spec) before running the tests"
        )
    return path


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """The shared corpus folder (``../shared/corpus``), with its manifest."""
    root = _require(SHARED / "corpus", "the shared corpus")
    _require(root / "manifest.csv", "the shared corpus manifest")
    return root


@pytest.fixture(scope="session")
def shared_labels() -> Path:
    """The shared labels folder (``../shared/labels``)."""
    return _require(SHARED / "labels", "the shared labels")


# Documents of the shared analysis corpus: national data-protection laws of SGP, MYS (all
# three versions, for the version diff), THA and CHN, and the e-commerce chapters of
# trade agreements in ToTA (TPP, China-Australia, China-Korea, Singapore-Australia,
# Thailand-Australia, Malaysia-Australia, Japan-Thailand). About 330 PDF pages in all.
ANALYSIS_DOCS = (
    "sgp-pdpa-2012", "mys-pdpa-2010-as-enacted", "mys-pdpa-2010-reprint-2023",
    "mys-pdpa-amendment-2024", "tha-pdpa-2019-en", "chn-pipl-2021",
    "chn-cybersecurity-law-2016", "chn-data-security-law-2021", "wto-jsi-ecommerce-2024",
    "tota-449", "tota-141", "tota-398", "tota-54", "tota-36", "tota-160", "tota-1",
)


@pytest.fixture(scope="session")
def analysis_db(tmp_path_factory: pytest.TempPathFactory, shared_corpus: Path) -> Path:
    """A scored, use-m3-embedded index of :data:`ANALYSIS_DOCS`, built once per test run
    through the public API. Tests must treat it as read-only (copy it to write)."""
    from nlp_toolkit import Corpus
    from nlp_toolkit.sources.manifest import read_manifest

    rows = [r for r in read_manifest(shared_corpus / "manifest.csv").rows
            if r.doc_id in ANALYSIS_DOCS]
    assert len(rows) == len(ANALYSIS_DOCS), "the shared manifest lacks analysis documents"
    path = tmp_path_factory.mktemp("analysis") / "index.sqlite"
    with Corpus.open(path) as corpus:
        report = corpus.ingest(rows, workers=2)
        assert report.ok, report.summary()
        corpus.embed("use-m3")
        corpus.score()
    return path
