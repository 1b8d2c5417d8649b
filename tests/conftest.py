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
