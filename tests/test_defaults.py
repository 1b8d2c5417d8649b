"""One set of defaults serves build, embed, search and similar (nlp_toolkit.defaults)."""

from __future__ import annotations

import inspect
from pathlib import Path

from click.testing import CliRunner

from nlp_toolkit.build.embed import EmbedReport
from nlp_toolkit.build.pipeline import build_corpus
from nlp_toolkit.cli import main
from nlp_toolkit.corpus import Corpus
from nlp_toolkit.defaults import (
    DEFAULT_EMBED_MODELS,
    DEFAULT_SEARCH_MODELS,
    E5_ID,
    MINILM_ID,
    USE_M3_ID,
)
from nlp_toolkit.embed.models import NATIONAL_ONLY


def test_embed_with_no_options_uses_the_build_models(tmp_path: Path, monkeypatch) -> None:
    # `nlp-toolkit embed` once embedded with MiniLM too, while `build` embeds use-m3 only:
    # after adding 9 documents it set out to embed all 43k units with MiniLM (~50 min).
    db = tmp_path / "i.sqlite"
    Corpus.open(db).close()
    seen: list[str] = []

    def fake_embed(self: Corpus, model: str = USE_M3_ID, **_: object) -> EmbedReport:
        seen.append(model)
        return EmbedReport(model_id=model, units=0, reused=0, embedded=0, seconds=0.0)

    monkeypatch.setattr(Corpus, "embed", fake_embed)
    result = CliRunner().invoke(main, ["embed", "--db", str(db), "--quiet"])
    assert result.exit_code == 0, result.output
    assert tuple(seen) == DEFAULT_EMBED_MODELS == (USE_M3_ID, E5_ID, MINILM_ID)
    assert inspect.signature(build_corpus).parameters["embed_model"].default == DEFAULT_EMBED_MODELS
    assert inspect.signature(Corpus.build).parameters["embed_model"].default == DEFAULT_EMBED_MODELS
    # every default vector serves search: e5's and MiniLM's through the national ranking,
    # and neither embeds the ~41k treaty articles (MiniLM over them: ~50 min)
    assert set(DEFAULT_EMBED_MODELS) <= {*DEFAULT_SEARCH_MODELS, E5_ID, MINILM_ID}
    assert {E5_ID, MINILM_ID} <= NATIONAL_ONLY
