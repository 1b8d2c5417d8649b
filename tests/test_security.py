"""Trust audit checks: parameterised SQL, FTS syntax from users, no network in a mirror
build, no unsafe deserialisation in the package."""

from __future__ import annotations

import re
import shutil
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from nlp_toolkit.cli import main
from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.search.index import search
from nlp_toolkit.store import Store

PACKAGE = Path(__file__).resolve().parents[1] / "nlp_toolkit"
INJECTIONS = ["'; DROP TABLE provisions; --", '" OR 1=1 --', "x' OR '1'='1", "%", "_",
              'NEAR(a b)', '"unterminated', "a AND OR NOT", "*", "col:val", "^start",
              "{heading}: x", "\x00", "a\"b'c;--"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, shared_corpus: Path) -> Path:
    folder = tmp_path_factory.mktemp("sec")
    shutil.copy(shared_corpus / "text" / "chn-cryptography-law-2019.md", folder)
    path = folder / "i.sqlite"
    assert CliRunner().invoke(main, ["ingest", str(folder), "--db", str(path),
                                     "--workers", "0"]).exit_code == 0
    return path


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_are_data(db: Path, text: str) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["provisions", "--doc", text, "--db", str(db)])
    assert result.exit_code == 2 and "no document" in result.output
    with Store.open(db, create=False) as store:
        before = store.stats()["provisions"]
        assert list(store.provisions(text)) == []
        assert store.provision(text) is None
        # the query path `search` runs (lexical: no model needed), every filter hostile
        for filters in ({"doc": text, "jurisdiction": text, "level": text, "language": text},
                        {}):
            try:
                search(store, text, k=5, mode="lexical", **filters)
            except ToolkitError as exc:  # nothing searchable: a clean message, not SQL's
                assert "empty" in str(exc) or "no letters or digits" in str(exc)
        assert store.stats()["provisions"] == before > 0
        assert store.integrity_check() == []


def test_no_network_during_a_mirror_build(tmp_path: Path, shared_corpus: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object) -> None:
        raise AssertionError("build --mirror opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    rows = [ln for ln in (shared_corpus / "manifest.csv").read_text().splitlines()
            if ln.startswith(("doc_id,", "chn-cryptography-law-2019,", "chn-pipl-2021,"))]
    assert len(rows) == 3
    manifest = tmp_path / "corpus" / "manifest.csv"
    manifest.parent.mkdir()
    manifest.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--manifest", str(manifest), "--mirror",
                                       str(shared_corpus), "--db", str(tmp_path / "i.sqlite"),
                                       "--workers", "0", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "2 fetched" in result.output and "2 ingested" in result.output


UNSAFE = [r"\bimport\s+(?:c?pickle|dill|shelve)\b", r"\bfrom\s+(?:c?pickle|dill)\s+import",
          r"\bpickle\.loads?\(", r"torch\.load\(", r"allow_pickle\s*=\s*True", r"(?<![\w.])eval\(",
          r"(?<![\w.])exec\(", r"yaml\.load\(", r"\bmarshal\.loads?\(", r"shell\s*=\s*True",
          r"os\.system\(", r"\bjoblib\.load\("]


def test_no_unsafe_deserialisation_or_shell_in_the_package() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            found += [f"{path.relative_to(PACKAGE)}:{n}: {line.strip()}"
                      for pat in UNSAFE if re.search(pat, code)]
    assert found == []
