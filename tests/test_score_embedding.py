"""Scorers that need the use-m3 embedder (one shared instance; slow: loads the model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp_toolkit.embed import Embedder, load_embedder
from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.score import Scorer
from nlp_toolkit.score.model_io import load_model
from nlp_toolkit.score.supervised import ScoringModel, SupervisedScorer
from nlp_toolkit.score.zeroshot import ZeroShotScorer

REPO = Path(__file__).resolve().parents[1]

TEXTS = [
    "Article 8 Customs Duties\nNo Party shall impose customs duties on electronic transmissions "
    "between a person of one Party and a person of another Party.",
    "Article 9 Location of Computing Facilities\nNo Party shall require a covered person to use "
    "or locate computing facilities in that Party's territory as a condition for conducting "
    "business.",
    "第三十八条 个人信息处理者因业务等需要，确需向中华人民共和国境外提供个人信息的，"
    "应当通过国家网信部门组织的安全评估。",
    "第二十一条 国家实行网络安全等级保护制度。"
    "网络运营者应当按照网络安全等级保护制度的要求，履行安全保护义务。",
    "Section 3 Short title\nThis Act may be cited as the Example Act 2024.",
]
LANGS = ["en", "en", "zh", "zh", "en"]
EXPECTED = [
    {"customs_duties"},
    {"data_localization"},
    {"data_flows", "personal_data"},
    {"cybersecurity"},
    set(),
]


@pytest.fixture(scope="session")
def use_m3() -> Embedder:
    return load_embedder("use-m3")


@pytest.fixture(scope="session")
def default_model() -> ScoringModel:
    return load_model(REPO / "models" / "default")


@pytest.mark.slow
def test_supervised_scorer_on_english_and_chinese(
    use_m3: Embedder, default_model: ScoringModel
) -> None:
    scorer = SupervisedScorer(default_model, use_m3)
    assert isinstance(scorer, Scorer)
    scores = scorer.score(TEXTS, LANGS, doc_ids=[str(i) for i in range(len(TEXTS))])
    assert [set(s.labels) for s in scores] == EXPECTED
    assert [s.bindingness for s in scores] == ["hard", "hard", "hard", "hard", "none"]
    assert scores[0].direction == "liberalizing"


@pytest.mark.slow
def test_transfer_conditions_are_restrictive(use_m3: Embedder,
                                             default_model: ScoringModel) -> None:
    """A transfer conditioned on a security assessment (PIPL art. 38's construction) is
    restrictive (issue #13: it was neutral until the direction layer read the cue counts
    again where a cross-border topic is asserted)."""
    scorer = SupervisedScorer(default_model, use_m3)
    scores = scorer.score(TEXTS, LANGS, doc_ids=[str(i) for i in range(len(TEXTS))])
    assert scores[2].direction == "restrictive"


@pytest.mark.slow
def test_evidence_spans_and_labels_follow_the_thresholds(use_m3: Embedder,
                                                          default_model: ScoringModel) -> None:
    scorer = SupervisedScorer(default_model, use_m3)
    scores = scorer.score(TEXTS, LANGS, doc_ids=[str(i) for i in range(len(TEXTS))])
    for text, s in zip(TEXTS, scores, strict=True):
        assert set(s.topics) == set(default_model.topic_ids)
        assert {ev.topic for ev in s.evidence} == set(s.labels)
        for ev in s.evidence:
            assert text[ev.char_start : ev.char_end] == ev.text
        for j, t in enumerate(default_model.topic_ids):
            assert (t in s.labels) == (s.topics[t] >= default_model.thresholds[j] - 1e-6)


@pytest.mark.slow
def test_supervised_scorer_refuses_another_embedder(default_model: ScoringModel) -> None:
    with pytest.raises(ToolkitError, match="load_embedder"):
        SupervisedScorer(default_model, load_embedder("minilm"))


@pytest.mark.slow
def test_zero_shot_scorer_ranks_the_right_topic_first(use_m3: Embedder) -> None:
    scorer = ZeroShotScorer(use_m3)
    scores = scorer.score(TEXTS[:4], LANGS[:4])
    tops = [max(s.topics, key=lambda t: s.topics[t]) for s in scores]
    assert tops[0] == "customs_duties"
    assert tops[1] == "data_localization"
    assert tops[2] == "data_flows"
    assert tops[3] == "cybersecurity"
    for text, s in zip(TEXTS, scores, strict=False):
        for ev in s.evidence:
            assert ev.source == "embedding"
            assert text[ev.char_start : ev.char_end] == ev.text


@pytest.mark.slow
def test_evidence_is_weighted_by_its_share_of_the_score(
    use_m3: Embedder, default_model: ScoringModel
) -> None:
    scorer = SupervisedScorer(default_model, use_m3)
    scores = scorer.score(TEXTS, LANGS, doc_ids=[str(i) for i in range(len(TEXTS))])
    customs = [e for e in scores[0].evidence if e.topic == "customs_duties"]
    assert customs and customs[0].source == "lexicon" and customs[0].weight > 0
    for s in scores:
        for t in s.labels:
            weights = [e.weight for e in s.evidence if e.topic == t]
            assert weights == sorted(weights, reverse=True)  # strongest first
        assert max(s.topics.values()) < 1.0  # calibrated: no score saturates at 1
