"""Search and `similar` quality on the project's development set, per half, language and style.

The development set (``corpus/dev/``) was written by reading the laws, split once into a
``tune`` half (used to choose designs and constants) and a ``test`` half (reported, never tuned
on). Every figure this prints names its half.

- ``search_questions.jsonl``: analyst questions with every answering provision, grouped by
  jurisdiction. Measured: recall@10 (share of a question's answers in the first 10 hits),
  MRR@10 (first answer's reciprocal rank), recall@50.
- ``similar_groups.jsonl``: counterpart provisions in different jurisdictions. For each member
  as the starting provision, ``similar REF --other-jurisdictions``: the share of its
  counterparts (members in other jurisdictions) in the first 10.

``--judged-only`` drops the hits of reserved laws (``corpus/dev/reserved.txt``) from each
ranked list before judging it, as ``benchmarks/links.py`` does: the dev set's answers are
complete over the other laws only, so a reserved law's section that answers the question
takes a slot no answer can credit (a quarter of the first 10 on the tune half). The
default (nothing dropped) is the figure the issues compare across rounds.

The figures come from the library's default path (the one ``nlp-toolkit search`` and
``similar`` use). ``--baseline`` runs the same index with the result-page design switched off
(no version collapsing, no operative filter, no diversification, no national/treaty
interleaving), and with the default plus the opt-in learned re-ranker (``models/reranker``),
so before and after come from one run on one index.

Usage:
    python benchmarks/search_dev.py --db corpus/index.sqlite [--half test] [--baseline]
        [--jurisdiction IDN] [--judged-only]
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from nlp_toolkit.search.evaluation import answer_refs, recall_at_k, reciprocal_rank

DEV = Path(__file__).resolve().parents[1] / "corpus" / "dev"
#: Documents held out for the issues' own checks: no dev question, group or judgment cites them.
RESERVED = tuple(line.strip() for line in (DEV / "reserved.txt").read_text(
    encoding="utf-8").splitlines() if line.strip() and not line.startswith("#"))


def judged(refs: Sequence[str], drop: bool) -> list[str]:
    """``refs`` without the reserved documents' units when ``drop``."""
    return [r for r in refs if r.partition(":")[0] not in RESERVED] if drop else list(refs)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Records of a JSONL file (blank lines skipped)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


def eval_search(corpus: Any, questions: Sequence[Mapping[str, Any]],
                options: Mapping[str, Any], *, judged_only: bool = False
                ) -> dict[str, dict[str, float]]:
    """recall@10, MRR@10 and recall@50 per group (all, language, style).

    With a ``jurisdiction`` option only the answers in that jurisdiction are expected
    (the questions passed should have some: :func:`with_answers_in`). With
    ``judged_only`` the reserved laws' hits are dropped before judging (:func:`judged`).
    """
    groups: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    jur = options.get("jurisdiction")
    for q in questions:
        expected = (list(dict.fromkeys(q["answers"].get(jur, []))) if jur
                    else answer_refs(q))
        if judged_only:
            refs = judged([r["ref"] for r in corpus.search(q["query"], k=100, **options)
                           .records()], True)[:50]
            top10 = refs[:10]
        else:
            refs = [r["ref"] for r in corpus.search(q["query"], k=50, **options).records()]
            top10 = [r["ref"] for r in corpus.search(q["query"], k=10, **options).records()]
        m = {"recall@10": recall_at_k(top10, expected, 10),
             "mrr@10": reciprocal_rank(top10, expected),
             "recall@50": recall_at_k(refs, expected, 50)}
        for g in ("all", f"language={q['language']}", f"style={q['style']}"):
            for name, v in m.items():
                groups[g][name].append(v)
    return {g: {**{n: _mean(v) for n, v in ms.items()}, "n": len(ms["recall@10"])}
            for g, ms in sorted(groups.items())}


def with_answers_in(questions: Iterable[Mapping[str, Any]], jurisdiction: str
                    ) -> list[Mapping[str, Any]]:
    """The questions that have answers in ``jurisdiction`` (an ``answers`` key)."""
    return [q for q in questions if q["answers"].get(jurisdiction)]


def eval_similar(corpus: Any, groups: Sequence[Mapping[str, Any]],
                 options: Mapping[str, Any], *, judged_only: bool = False
                 ) -> dict[str, float]:
    """Mean share of counterparts in the first 10 over every (group, starting member)
    (with ``judged_only``, of the first 10 not in a reserved law)."""
    shares: list[float] = []
    for g in groups:
        members = g["members"]
        for jur, refs in members.items():
            others = list(dict.fromkeys(r for j, rs in members.items() if j != jur
                                        for r in rs))
            for ref in refs:
                try:
                    hits = corpus.similar(ref, k=40 if judged_only else 10,
                                          other_jurisdictions=True, **options)
                except Exception:  # a ref the index does not hold counts as nothing found
                    shares.append(0.0)
                    continue
                shares.append(recall_at_k(judged([h["ref"] for h in hits.records()],
                                                 judged_only)[:10], others, 10))
    return {"counterparts@10": _mean(shares), "n": len(shares)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="corpus/index.sqlite")
    parser.add_argument("--half", choices=["tune", "test", "both"], default="test")
    parser.add_argument("--baseline", action="store_true",
                        help="also measure with the result-page design switched off")
    parser.add_argument("--jurisdiction", metavar="CODE",
                        help="only the questions with answers in this jurisdiction (IDN, "
                             "PHL...), searched with that jurisdiction filter and judged on "
                             "its answers; `similar` is not measured then")
    parser.add_argument("--judged-only", action="store_true",
                        help="drop the reserved laws' hits (corpus/dev/reserved.txt) before "
                             "judging: the dev answers cover the other laws only")
    args = parser.parse_args()
    report(args.db, args.half, baseline=args.baseline, jurisdiction=args.jurisdiction,
           judged_only=args.judged_only)


def report(db: str | Path, half: str, *, baseline: bool = False,
           jurisdiction: str | None = None, judged_only: bool = False) -> None:
    """Print the dev set's figures for ``half`` (``tune``, ``test`` or ``both``) on the index
    ``db``: the default design, and with ``baseline`` also the old design and the page design
    without the re-ranker, from one run."""
    from nlp_toolkit import Corpus
    from nlp_toolkit.search.index import index_for
    from nlp_toolkit.search.rerank import default_reranker

    questions = read_jsonl(DEV / "search_questions.jsonl")
    groups = read_jsonl(DEV / "similar_groups.jsonl")
    halves = ["tune", "test"] if half == "both" else [half]
    # (name, search options, learned re-ranker on)
    configs: list[tuple[str, dict[str, Any], bool]] = [("default", {}, False)]
    if baseline:
        configs = [("baseline", {"design": "baseline"}, False), *configs,
                   ("default + learned re-ranker", {}, True)]
    with Corpus.open(db, create=False) as corpus:
        index = index_for(corpus.store)
        default, shipped = index.reranker, default_reranker()
        for name_half in halves:
            qs = [q for q in questions if q["split"] == name_half]
            gs = [g for g in groups if g["split"] == name_half]
            if jurisdiction:
                qs, gs = with_answers_in(qs, jurisdiction), []
            for name, options, rerank in configs:
                index.reranker = shipped if rerank else None
                if jurisdiction:
                    options = {**options, "jurisdiction": jurisdiction}
                print(f"== {name_half} half, {name} ({len(qs)} questions, {len(gs)} groups"
                      + (f", {jurisdiction} answers only" if jurisdiction else "")
                      + (", reserved laws' hits dropped" if judged_only else "") + ")")
                for g, m in eval_search(corpus, qs, options, judged_only=judged_only).items():
                    print(f"  search {g:16s} n={m['n']:3d}  recall@10 {m['recall@10']:.3f}  "
                          f"MRR@10 {m['mrr@10']:.3f}  recall@50 {m['recall@50']:.3f}")
                if not gs:
                    continue
                s = eval_similar(corpus, gs, options, judged_only=judged_only)
                print(f"  similar counterparts@10 {s['counterparts@10']:.3f} "
                      f"(n={s['n']} starting provisions)")
        index.reranker = default

if __name__ == "__main__":
    main()
