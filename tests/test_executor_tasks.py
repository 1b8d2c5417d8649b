"""The Dask workers' scoring task embeds units as the embed stage and local scoring do.

No cluster is needed: :func:`nlp_toolkit.build.executors.tasks.score_documents` is a plain function
of its arguments and the worker's scorer cache, which the test fills with a recording scorer
and the real shipped fast embedder.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pytest

from nlp_toolkit.build.embed import embed_input
from nlp_toolkit.build.executors import tasks
from nlp_toolkit.build.score import LoadedScorer
from nlp_toolkit.embed import StaticEmbedder, embed_provisions

TEXTS = ["(1) An organisation shall not transfer any personal data outside Singapore.",
         "Each Party shall adopt a legal framework for the protection of personal data."]
HEADINGS = ["Transfer of personal data outside Singapore", "Personal Information Protection"]


class _Recorder:
    """A zero-shot-like scorer that keeps the vectors it is given."""

    def __init__(self) -> None:
        self.seen: list[np.ndarray] = []

    def score(self, texts: Sequence[str], languages: Sequence[str], *,
              doc_ids: Sequence[str] | None = None,
              vectors: np.ndarray | None = None) -> list[Any]:
        assert vectors is not None and len(vectors) == len(texts)
        self.seen.append(vectors)
        return [None] * len(texts)


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Recorder]:
    rec = _Recorder()
    loaded = LoadedScorer("zeroshot", "zeroshot:test", rec, StaticEmbedder())
    monkeypatch.setitem(tasks._SCORERS, ("zeroshot", "test"), loaded)
    yield rec


def test_worker_embeds_the_embed_stage_input_not_the_bare_text(recorder: _Recorder) -> None:
    emb = StaticEmbedder()
    doc: tasks.DocToScore = ("doc", TEXTS, HEADINGS, ["en", "en"], None)
    out = tasks.score_documents("zeroshot", "test", [doc])
    assert [d for d, _ in out] == ["doc"] and len(out[0][1]) == 2
    expected = embed_provisions([embed_input(t, h) for t, h in zip(TEXTS, HEADINGS,
                                                                    strict=True)], emb)
    bare = embed_provisions(TEXTS, emb)
    assert np.allclose(recorder.seen[0], expected)
    assert not np.allclose(recorder.seen[0], bare)  # the headings do change the vectors


def test_vectors_sent_by_the_client_are_used_as_they_are(recorder: _Recorder) -> None:
    sent = np.eye(2, 256, dtype=np.float32)
    tasks.score_documents("zeroshot", "test", [("doc", TEXTS, HEADINGS, ["en", "en"], sent),
                                               ("empty", [], [], [], None)])
    assert len(recorder.seen) == 1 and np.array_equal(recorder.seen[0], sent)
