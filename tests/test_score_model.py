"""Supervised model on a toy corpus: grouped CV, save/load round trip, thresholds from the card."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nlp_toolkit.score.evaluate as evaluate_mod
from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.score.evaluate import (
    accuracy,
    cross_validate,
    format_report,
    presence_f1,
    topic_metrics,
    transfer_protocol,
)
from nlp_toolkit.score.features import TOPIC_FEATURES
from nlp_toolkit.score.labels import LabelledText
from nlp_toolkit.score.model_io import load_model, save_model
from nlp_toolkit.score.supervised import (
    ScoringModel,
    fit_platt,
    fit_scoring_model,
    predict_arrays,
)
from nlp_toolkit.topics import load_taxonomy

REPO = Path(__file__).resolve().parents[1]

_TEMPLATES = [
    (
        "Article {n} Customs Duties\nNo Party shall impose customs duties on electronic "
        "transmissions.",
        ("customs_duties",),
        "hard",
        "liberalizing",
    ),
    (
        "Article {n} Personal Data\nEach Party shall protect the personal data of users.",
        ("personal_data",),
        "hard",
        "neutral",
    ),
    (
        "Article {n} Cooperation\nThe Parties shall endeavour to cooperate on capacity building.",
        ("cooperation",),
        "soft",
        "neutral",
    ),
    (
        "Article {n} Definitions\nFor the purposes of this Chapter: a person means a "
        "natural person.",
        (),
        "none",
        "neutral",
    ),
    ("第{n}条 电子签名人应当妥善保管电子签名制作数据。", ("e_transactions",), "hard", "neutral"),
]


def _toy(n_docs: int = 6) -> tuple[list[LabelledText], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    tax = load_taxonomy()
    protos = rng.normal(size=(len(tax.ids), 8)).astype(np.float32)
    protos /= np.linalg.norm(protos, axis=1, keepdims=True)
    items: list[LabelledText] = []
    vecs: list[np.ndarray] = []
    for d in range(n_docs):
        for k, (tpl, topics, bind, direc) in enumerate(_TEMPLATES):
            lang = "zh" if tpl.startswith("第") else "en"
            items.append(
                LabelledText(f"doc{d}", str(k + 1), tpl.format(n=k + 1), lang, topics, bind, direc)
            )
            v = rng.normal(scale=0.3, size=8) + (protos[tax.ids.index(topics[0])] if topics else 0)
            vecs.append(v / np.linalg.norm(v))
    return items, np.vstack(vecs).astype(np.float32), protos


def _fit(items: list[LabelledText], vecs: np.ndarray, protos: np.ndarray) -> ScoringModel:
    return fit_scoring_model(
        [it.text for it in items],
        [it.language for it in items],
        [it.topics for it in items],
        [it.bindingness for it in items],
        [it.direction for it in items],
        [it.doc_id for it in items],
        vectors=vecs,
        prototypes=protos,
        embedder_id="toy",
        min_positive=4,
        n_splits=3,
    )


def test_topic_metrics_and_accuracy() -> None:
    gold = np.array([[1, 0], [1, 1], [0, 0]], bool)
    pred = np.array([[1, 1], [0, 1], [0, 0]], bool)
    m = topic_metrics(gold, pred, ("a", "b"))
    assert m["per_topic"]["a"] == {
        "precision": 1.0,
        "recall": 0.5,
        "f1": 0.6667,
        "support": 2,
        "predicted": 1,
    }
    assert m["micro"]["f1"] == pytest.approx(2 * 2 / (2 * 2 + 1 + 1), abs=1e-4)
    assert accuracy(["x", "y"], ["x", "z"]) == 0.5
    with pytest.raises(ValueError, match="shapes differ"):
        topic_metrics(gold, pred[:2], ("a", "b"))


def _spy_on_fits(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """Record the training documents (``fit_scoring_model``'s sixth argument) of every fit
    the evaluation makes, and let the fit run."""
    seen: list[set[str]] = []
    real_fit = evaluate_mod.fit_scoring_model

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(set(args[5]))
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(evaluate_mod, "fit_scoring_model", spy)
    return seen


def test_cross_validation_never_splits_a_document(monkeypatch: pytest.MonkeyPatch) -> None:
    items, vecs, protos = _toy()
    seen = _spy_on_fits(monkeypatch)
    report = cross_validate(items, vecs, protos, embedder_id="toy", n_splits=3, min_positive=4)
    assert len(seen) == 3
    for train_docs in seen:
        assert len(train_docs) == 4  # two of six documents held out in each fold
    held_out = [{f"doc{d}" for d in range(6)} - s for s in seen]
    assert set().union(*held_out) == {f"doc{d}" for d in range(6)}
    assert all(not (a & b) for i, a in enumerate(held_out) for b in held_out[i + 1 :])
    assert len(report["predictions"]) == len(items)
    assert report["topics"]["micro"]["f1"] > 0.9
    assert "micro" in format_report(report)


def test_round_trip_train_save_load_score(tmp_path: Path) -> None:
    items, vecs, protos = _toy()
    model = _fit(items, vecs, protos)
    texts, langs = [it.text for it in items], [it.language for it in items]
    docs = [it.doc_id for it in items]
    before = predict_arrays(model, texts, langs, vecs, doc_ids=docs)
    save_model(model, tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    after = predict_arrays(loaded, texts, langs, vecs, doc_ids=docs)
    np.testing.assert_array_equal(before[0], after[0])
    assert before[1] == after[1] and before[3] == after[3]
    np.testing.assert_array_equal(model.thresholds, loaded.thresholds)
    with np.load(tmp_path / "m" / "weights.npz", allow_pickle=False) as data:
        assert all(data[name].dtype != object for name in data.files)


def test_thresholds_come_from_the_model_card(tmp_path: Path) -> None:
    items, vecs, protos = _toy()
    save_model(_fit(items, vecs, protos), tmp_path / "m")
    meta_path = tmp_path / "m" / "meta.json"
    card = json.loads(meta_path.read_text())
    card["thresholds"]["customs_duties"] = 0.99
    meta_path.write_text(json.dumps(card))
    loaded = load_model(tmp_path / "m")
    assert loaded.thresholds[loaded.topic_ids.index("customs_duties")] == pytest.approx(0.99)


def test_load_model_errors_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ToolkitError, match="train one"):
        load_model(tmp_path / "missing")


def test_a_model_of_other_topic_features_is_refused(tmp_path: Path) -> None:
    """Weights read against features that mean something else would score silently wrong:
    a card naming other topic features (here, renamed ones) asks for a retrain."""
    items, vecs, protos = _toy()
    save_model(_fit(items, vecs, protos), tmp_path / "m")
    meta_path = tmp_path / "m" / "meta.json"
    card = json.loads(meta_path.read_text())
    assert load_model(tmp_path / "m").topic_ids  # a card that names no features loads
    old = [f.replace("doc_main", "doc_share") for f in TOPIC_FEATURES]
    meta_path.write_text(json.dumps({**card, "features": {"topic": old}}))
    with pytest.raises(ToolkitError, match="retrain the model with `nlp-toolkit train`"):
        load_model(tmp_path / "m")


def test_default_model_card_is_complete() -> None:
    folder = REPO / "models" / "default"
    model = load_model(folder)
    card = json.loads((folder / "meta.json").read_text())
    assert model.topic_ids == load_taxonomy().ids
    assert model.embedder_id == card["embedder_id"] == "use-m3"
    assert [card["thresholds"][t] for t in model.topic_ids] == pytest.approx(
        model.thresholds.tolist()
    )
    for key in ("training_data", "libraries", "features", "grouped_cv", "trained_at"):
        assert card[key], key
    assert len(card["training_data"]["labels_sha256"]) == 64
    assert sum(p.stat().st_size for p in folder.iterdir()) < 5_000_000


def test_fit_rejects_a_single_document() -> None:
    items, vecs, protos = _toy(n_docs=1)
    with pytest.raises(ValueError, match="two documents"):
        _fit(items, vecs, protos)


def test_transfer_protocol_holds_out_a_document_type_and_each_jurisdiction(
        monkeypatch: pytest.MonkeyPatch) -> None:
    items, vecs, protos = _toy(n_docs=8)
    documents = {f"doc{d}": ("treaty" if d < 3 else "statute", "" if d < 3 else "ABC"[d % 3])
                 for d in range(8)}
    seen = _spy_on_fits(monkeypatch)
    report = transfer_protocol(items, vecs, protos, documents, embedder_id="toy",
                               min_positive=4, n_splits=2)
    treaties = {"doc0", "doc1", "doc2"}
    assert seen[0] == treaties and seen[1] == {f"doc{d}" for d in range(3, 8)}
    by_type = report["document_type"]
    assert set(by_type) == {"treaties->laws", "laws->treaties"}
    assert by_type[next(iter(by_type))]["n"] == 5 * len(_TEMPLATES)
    place = report["jurisdiction"]
    assert set(place["per_jurisdiction"]) == {"A", "B", "C"}
    for train_docs, code in zip(seen[2:], "ABC", strict=True):
        held = {f"doc{d}" for d in range(3, 8) if "ABC"[d % 3] == code}
        assert treaties <= train_docs and not train_docs & held
    assert place["pooled"]["n"] == 5 * len(_TEMPLATES)
    assert 0.0 <= place["pooled"]["presence_f1"] <= 1.0
    text = format_report({**cross_validate(items, vecs, protos, embedder_id="toy", n_splits=2,
                                           min_positive=4), "transfer": report})
    assert "leave-one-jurisdiction-out" in text and "treat" in text


def test_presence_f1_counts_document_topic_cells() -> None:
    gold = np.array([[1, 0], [0, 0], [0, 1]], bool)
    pred = np.array([[0, 0], [1, 0], [1, 0]], bool)
    # cells: gold {(a,0), (b,1)}, predicted {(a,0), (b,0)}
    assert presence_f1(["a", "a", "b"], gold, pred) == 0.5


def test_calibrated_probabilities_are_graded_and_survive_a_round_trip(tmp_path: Path) -> None:
    items, vecs, protos = _toy()
    model = _fit(items, vecs, protos)
    assert model.calibration.shape == (2,) and model.calibration[0] > 0
    texts, langs = [it.text for it in items], [it.language for it in items]
    probs = predict_arrays(model, texts, langs, vecs, doc_ids=[it.doc_id for it in items])[0]
    assert probs.max() < 1.0  # calibrated log-odds stay finite: no provision rounds to 1
    save_model(model, tmp_path / "m")
    assert load_model(tmp_path / "m").calibration.tolist() == pytest.approx(
        model.calibration.tolist())
    with np.load(tmp_path / "m" / "weights.npz") as data:  # a model saved before calibration
        np.savez(tmp_path / "m" / "weights.npz",
                 **{k: data[k] for k in data.files if k != "calibration"})
    assert load_model(tmp_path / "m").calibration.tolist() == [1.0, 0.0]


def test_platt_fit_is_monotone_and_compresses_saturated_logits() -> None:
    rng = np.random.default_rng(1)
    logits = np.concatenate([rng.normal(-8, 3, 400), rng.normal(12, 6, 100)])
    y = np.concatenate([rng.random(400) < 0.03, rng.random(100) < 0.9])
    a, _ = fit_platt(logits, y)
    assert 0 < a < 1  # overconfident raw log-odds are flattened
    assert fit_platt(logits, np.zeros_like(y)).tolist() == [1.0, 0.0]


def test_hold_out_reads_the_test_documents_of_a_split_file(tmp_path: Path) -> None:
    import click

    from nlp_toolkit.cli.score_cmds import _held_out

    good = tmp_path / "splits.json"
    good.write_text(json.dumps({"tune": ["a"], "test": ["b", "c"]}))
    assert _held_out(good) == ["b", "c"] and _held_out(None) == []
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"tune": ["a"]}))
    with pytest.raises(click.ClickException, match="'test' list"):
        _held_out(bad)
    assert _held_out(REPO / "corpus" / "dev" / "label_splits.json")  # the project's split


def test_topic_cuts_shrink_toward_the_global_cut() -> None:
    from nlp_toolkit.score.supervised import _best_threshold, topic_cuts

    rng = np.random.default_rng(7)
    y = rng.random((200, 4)) < np.array([0.4, 0.2, 0.05, 0.02])
    p = np.clip(0.35 * y + rng.random((200, 4)) * 0.7, 0, 1)
    own = np.array([True, True, False, True])
    glob = topic_cuts(y, p, None)
    assert len(set(glob.tolist())) == 1
    mine = topic_cuts(y, p, own)
    for j in range(4):
        expect = _best_threshold(y[:, j], p[:, j]) if own[j] else glob[0]
        assert mine[j] == pytest.approx(expect, abs=1e-4)
    for s in (1.0, 10.0, 1e9):
        shrunk = topic_cuts(y, p, own, shrinkage=s)
        for j in range(4):
            alone = _best_threshold(y[:, j], p[:, j])
            lo, hi = sorted((alone, float(glob[0])))
            assert lo - 1e-4 <= shrunk[j] <= hi + 1e-4
    assert topic_cuts(y, p, own, shrinkage=1e9) == pytest.approx(glob, abs=1e-4)


def test_direction_features_repeat_cues_only_where_a_border_topic_is_asserted() -> None:
    from nlp_toolkit.score.features import direction_features

    ids = load_taxonomy().ids
    text = "第三十八条 向境外提供个人信息的，应当通过安全评估。"
    probs = np.zeros((2, len(ids)))
    probs[0, ids.index("data_flows")] = 0.9
    probs[1, ids.index("personal_data")] = 0.9
    x = direction_features([text, text], ["zh", "zh"], probs, ids,
                           np.full(len(ids), 0.5), ["hard", "hard"])
    cues = slice(len(ids) + 3, len(ids) + 5)
    again = slice(len(ids) + 5, len(ids) + 7)
    assert x[0, cues][1] > 0 and x[1, cues][1] > 0  # one restrictive cue (安全评估)
    assert x[0, again].tolist() == x[0, cues].tolist()
    assert x[1, again].tolist() == [0.0, 0.0]
