"""The notebooks: stored without outputs, and each runs headless against the analysis index.

Execution uses nbclient with the ``python3`` kernel, which jupyter_client starts with this
interpreter (the venv), and points the notebooks at a copy of the ``analysis_db`` fixture
through ``NLP_TOOLKIT_DB``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
EXPECTED = ["01_build_and_explore", "02_who_regulates_what", "03_data_flow_rules",
            "04_legal_transplants", "05_how_a_law_changed"]


def test_the_five_notebooks_exist() -> None:
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stripped_and_uses_the_public_api(path: Path) -> None:
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    code = [c for c in book.cells if c.cell_type == "code"]
    for cell in code:
        assert cell.get("outputs") == [], f"{path.name}: strip the outputs before committing"
        assert cell.get("execution_count") is None, f"{path.name}: clear execution counts"
    assert "NLP_TOOLKIT_DB" in code[0].source, "the first code cell must read NLP_TOOLKIT_DB"
    assert book.cells[0].cell_type == "markdown", "start with a narrative title"
    # public API only: Corpus and nlp_toolkit.outputs.plot, no internals
    for cell in code:
        for line in cell.source.splitlines():
            if "nlp_toolkit" in line and ("import" in line):
                assert line.strip() == "from nlp_toolkit import Corpus, plot", line


@pytest.fixture(scope="module")
def notebook_db(analysis_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("notebooks") / "index.sqlite"
    shutil.copy(analysis_db, db)
    return db


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path, notebook_db: Path, tmp_path: Path,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    from nbclient import NotebookClient

    book = nbformat.read(path, as_version=4)
    # the kernel inherits this process's environment (the venv and NLP_TOOLKIT_DB)
    monkeypatch.setenv("NLP_TOOLKIT_DB", str(notebook_db))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    client = NotebookClient(book, kernel_name="python3", timeout=240,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError on any failing cell
    outputs = [o for c in book.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert outputs, f"{path.name} produced no output"
    nbformat.write(book, tmp_path / path.name)  # the executed copy, for a look on failure
    assert os.environ["NLP_TOOLKIT_DB"] == str(notebook_db)
