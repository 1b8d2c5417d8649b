"""A self-contained HTML report of a scored index: coverage, jurisdictions, evidence, pairs.

:func:`collect_report` reads the index into a :class:`ReportData`; :func:`render_html` turns
that into one HTML page (pure: inline CSS, figures as inline SVG, no external URL, every
text from the documents escaped); :func:`build_report` does both and writes the file.

By default the report shows the region (:mod:`nlp_toolkit.sources.region`): the ten ASEAN member
states and China, then the agreements they are party to as rows of their own, and draws its
top provisions and pairs from their documents; ``all_jurisdictions=True`` shows every
jurisdiction. The page opens with a table of contents whose links jump to each section and
topic, and the coverage heatmap, the region's rows first, right below it.

>>> print(highlight("a <b> c", [(2, 5)]))
a <mark>&lt;b&gt;</mark> c
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.sources.region import REGION, RegionRows
from nlp_toolkit.store import Store

__all__ = ["ProvisionView", "ReportData", "build_report", "collect_report", "highlight",
           "render_html"]

#: Topics whose best cross-jurisdiction pairs the report shows by default.
PAIR_TOPICS = ("data_flows", "personal_data")
#: The treaty chapter whose commitments the report links to national law by default.
LINKS_TREATY = ("rcep-2020", "12")
_EXCERPT = 700


@dataclass(frozen=True, slots=True)
class ProvisionView:
    """A provision as the report shows it: evidence spans are offsets into ``text``."""

    ref: str
    jurisdiction: str
    heading: str
    path: str
    text: str
    score: float | None = None
    spans: tuple[tuple[int, int], ...] = ()
    doc_title: str = ""


@dataclass(slots=True)
class ReportData:
    """Everything the report page shows (no HTML yet, except the figures' SVG)."""

    title: str
    generated: str
    stats: dict[str, Any]
    scope: str = ""
    region: bool = False
    coverage_svg: str = ""
    profile_svg: str = ""
    jurisdictions: list[dict[str, Any]] = field(default_factory=list)
    topics: list[tuple[str, str, list[ProvisionView]]] = field(default_factory=list)
    pairs: list[tuple[str, list[tuple[ProvisionView, ProvisionView, float]]]] = field(
        default_factory=list)
    notes: list[str] = field(default_factory=list)
    commitments: Any = None  # an analysis.links.CommitmentTable, or None


def highlight(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` escaped for HTML, with the ``spans`` (merged when they overlap) in ``<mark>``."""
    merged: list[list[int]] = []
    for start, end in sorted((max(0, s), min(len(text), e)) for s, e in spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[str] = []
    pos = 0
    for start, end in merged:
        out.append(html.escape(text[pos:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def evidence_spans(text: str, evidence: Sequence[dict[str, Any]] | None,
                   topic: str | None = None) -> tuple[tuple[int, int], ...]:
    """Offsets into ``text`` of the evidence (of ``topic``, or all): the stored offsets when
    they match the evidence text, else where the text first occurs (pure)."""
    spans: list[tuple[int, int]] = []
    for ev in evidence or ():
        if topic is not None and ev.get("topic") != topic:
            continue
        snippet = str(ev.get("text") or "")
        start, end = int(ev.get("char_start") or 0), int(ev.get("char_end") or 0)
        if snippet and text[start:end] != snippet:
            start = text.find(snippet)
            end = start + len(snippet)
        if start >= 0 and end > start:
            spans.append((start, end))
    return tuple(spans)


def _excerpt(view: ProvisionView, limit: int = _EXCERPT) -> ProvisionView:
    """``view`` cut to about ``limit`` characters around its first evidence span."""
    if len(view.text) <= limit:
        return view
    first = min((s for s, _ in view.spans), default=0)
    start = max(0, min(first - limit // 4, len(view.text) - limit))
    end = start + limit
    spans = tuple((max(s, start) - start, min(e, end) - start) for s, e in view.spans
                  if e > start and s < end)
    text = ("…" if start else "") + view.text[start:end] + ("…" if end < len(view.text) else "")
    shift = 1 if start else 0
    return ProvisionView(view.ref, view.jurisdiction, view.heading, view.path, text,
                         view.score, tuple((s + shift, e + shift) for s, e in spans),
                         view.doc_title)


# -- reading the index ---------------------------------------------------------------------
def _view(store: Store, ref: str, score: float | None, scores: dict[str, dict[str, Any]],
          topic: str | None, titles: dict[str, str]) -> ProvisionView | None:
    row = store.provision(ref)
    if row is None:
        return None
    spans = evidence_spans(row.text, scores.get(ref, {}).get("evidence"), topic)
    return _excerpt(ProvisionView(ref, row.jurisdiction, row.heading, row.path, row.text,
                                  score, spans, titles.get(row.doc_id, "")))


def _jurisdiction_rows(store: Store, counts: Any, bind: Any,
                       rows: RegionRows | None) -> list[dict[str, Any]]:
    documents = store.documents()
    titles = {str(d["doc_id"]): str(d["title"] or "") for d in documents}
    docs: dict[str, list[str]] = {}
    if rows is None:
        for d in documents:
            for j in str(d["jurisdiction"]).split(";"):
                if j:
                    docs.setdefault(j, []).append(str(d["doc_id"]))
    else:
        for doc_id, key in sorted(rows.of_doc.items()):
            docs.setdefault(key, []).append(doc_id)
    labels = counts.attrs.get("titles") or {}
    agreements = set(counts.attrs.get("agreements") or ())
    members = set(REGION)
    parties = {} if rows is None else {
        k: [*[m for m in REGION if m in v], *sorted(v - members)] for k, v in rows.parties.items()}
    topics = [c for c in counts.columns if c != "n_provisions"]
    out = []
    for j in counts.index:
        cells = counts.loc[j, topics].astype(int)
        top = [f"{t} ({n})" for t, n in cells.sort_values(ascending=False).items() if n > 0][:4]
        profile = bind.loc[j].astype(int).to_dict() if j in bind.index else {}
        ids = docs.get(str(j), [])
        out.append({"jurisdiction": str(j), "title": labels.get(str(j), str(j)),
                    "agreement": str(j) in agreements, "documents": ids,
                    "parties": parties.get(str(j), []),
                    "titles": [titles.get(d, "") for d in ids],
                    "provisions": int(counts.loc[j, "n_provisions"]), "topics": top,
                    "profile": profile})
    return out


def collect_report(store: Store, *, title: str = "nlp_toolkit corpus report", top_k: int = 3,
                   pair_topics: Sequence[str] = PAIR_TOPICS, pairs_k: int = 6,
                   all_jurisdictions: bool = False,
                   links_treaty: tuple[str, str | None] | None = LINKS_TREATY) -> ReportData:
    """Read what the report shows from a scored index (figures rendered to SVG).

    By default the region's rows and documents only (see the module's docstring); with
    ``all_jurisdictions`` every jurisdiction, a treaty counting for each party. Similarity
    pairs need stored vectors; without them that section holds a note. The
    "Commitments and national law" table links ``links_treaty`` (doc_id, chapter) to its
    parties' national law when the index holds that treaty and use-m3 vectors.

    Raises:
        ToolkitError: the index has no scores (run ``nlp-toolkit score``).
    """
    from nlp_toolkit.build.score import matrix
    from nlp_toolkit.outputs import plot
    from nlp_toolkit.outputs.plot.tables import top_provisions
    from nlp_toolkit.sources.region import read_region_rows
    from nlp_toolkit.store.scores import scores_for_refs
    from nlp_toolkit.topics import load_taxonomy

    rows = None if all_jurisdictions else read_region_rows(store)
    counts, _ = matrix(store, value="count", rows=rows)
    bind = plot.profile_table(store, kind="bindingness", all_jurisdictions=all_jurisdictions)
    data = ReportData(title=title, generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                      stats=dict(store.stats()))
    if rows is None:
        data.scope = "Every jurisdiction in the index; a treaty counts for each party."
    else:
        data.region = True
        n_deals = len(counts.attrs.get("agreements") or ())
        data.scope = (f"The ten ASEAN member states and China (their own laws), then the "
                      f"{n_deals} agreements in the index they are party to, each a row of "
                      f"its own; \"nlp-toolkit report --all-jurisdictions\" shows every "
                      f"jurisdiction.")
    data.scope += (" A law counts once: its latest version, in English where it has one "
                   "(\"nlp-toolkit matrix --all-versions\" counts each version and "
                   "translation).")
    if not counts.drop(columns=["n_provisions"]).empty:
        data.coverage_svg = plot.figure_svg(plot.coverage_heatmap(counts, value="count"),
                                           salt="coverage")
    if not bind.empty and float(bind.to_numpy().sum()) > 0:
        data.profile_svg = plot.figure_svg(plot.profile(bind, kind="bindingness"),
                                          salt="profile")
    data.jurisdictions = _jurisdiction_rows(store, counts, bind, rows)
    titles = {str(d["doc_id"]): str(d["title"] or "") for d in store.documents()}
    doc_ids = None if rows is None else set(rows.of_doc)
    labels = {t.id: t.label for t in load_taxonomy().topics}
    tops = top_provisions(store, k=top_k, doc_ids=doc_ids)
    for topic in [c for c in counts.columns if c != "n_provisions"]:
        best = tops.get(topic)
        if best is None:
            continue
        scores = scores_for_refs(store, best["ref"].tolist())
        views = [v for ref, p in zip(best["ref"], best["probability"], strict=True)
                 if (v := _view(store, ref, float(p), scores, topic, titles)) is not None]
        if views:
            data.topics.append((topic, labels.get(topic, topic), views))
    for topic in pair_topics:
        try:
            pairs = plot.cross_pairs(store, topic, k=pairs_k, doc_ids=doc_ids)
        except ToolkitError as exc:
            data.notes.append(f"No similarity pairs for {topic}: {exc}")
            continue
        scores = scores_for_refs(store, [*pairs["ref_a"], *pairs["ref_b"]])
        shown = []
        for ra, rb, cos in zip(pairs["ref_a"], pairs["ref_b"], pairs["cosine"], strict=True):
            va = _view(store, ra, None, scores, topic, titles)
            vb = _view(store, rb, None, scores, topic, titles)
            if va is not None and vb is not None:
                shown.append((va, vb, float(cos)))
        data.pairs.append((topic, shown))
    if links_treaty is not None:
        from nlp_toolkit.analysis.links import commitment_table

        treaty, chapter = links_treaty
        if store.document_sha(treaty) is None:
            data.notes.append(f"No commitments table: {treaty} is not in the index.")
        else:
            try:
                data.commitments = commitment_table(store, treaty, chapter=chapter, k=3)
            except ToolkitError as exc:
                data.notes.append(f"No commitments table for {treaty}: {exc}")
    return data


_RELATION_CLASS = {"implements": "impl", "restricts": "restr", "related": "rel"}


def _commitments_html(table: Any) -> str:
    """The commitment × party table: each cell lists its provisions (ref, relation,
    bindingness/direction) or says that none was found."""
    chapter = f" chapter {table.commitments[0][0].split(':')[1].split('.')[0]}" if (
        table.commitments and "." in table.commitments[0][0]) else ""
    out = ["<section id=\"commitments\"><h2>Commitments and national law</h2>",
           f"<p>Each commitment of {_e(table.treaty)}{_e(chapter)} (rows) against each "
           "party's national law (columns): the provisions that implement it, restrict it or "
           "are related (<code>nlp-toolkit links REF</code>), with their bindingness and "
           "direction; <em>none found</em> is a gap.</p>",
           "<table class=\"links\"><thead><tr><th>Commitment</th>"]
    out.extend(f"<th>{_e(p)}</th>" for p in table.parties)
    out.append("</tr></thead><tbody>")
    for ref, heading in table.commitments:
        out.append(f"<tr><td><b>{_e(ref.split(':', 1)[1])}</b> {_e(heading)}</td>")
        for party in table.parties:
            links = table.cells.get((ref, party), [])
            if not links:
                out.append("<td class=\"gap\">none found</td>")
                continue
            items = "".join(
                f"<li class=\"{_RELATION_CLASS.get(r['relation'], 'rel')}\" "
                f"title=\"{_e(r['heading'])}\">{_e(r['ref'])} "
                f"<span class=\"note\">{_e(r['relation'])} · {_e(r['bindingness'])}/"
                f"{_e(r['direction'])}</span></li>" for r in links)
            out.append(f"<td><ul>{items}</ul></td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    if table.absent:
        out.append(f"<p class=\"note\">Parties with no national law in the index: "
                   f"{_e(', '.join(table.absent))}.</p>")
    out.append("</section>")
    return "".join(out)


# -- rendering -----------------------------------------------------------------------------
def _e(value: object) -> str:
    return html.escape(str(value))


def _anchor(*parts: str) -> str:
    """An id for an HTML anchor: letters, digits and ``-`` only (pure).

    >>> _anchor("topic", "data_flows")
    'topic-data-flows'
    """
    text = "-".join(parts).lower()
    return "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in text)


def _document_html(doc_id: str, title: str) -> str:
    if not title or title == doc_id:
        return f"<code>{_e(doc_id)}</code>"
    return f"{_e(title)} <code>{_e(doc_id)}</code>"


def _provision_html(view: ProvisionView) -> str:
    score = "" if view.score is None else f" · p = {view.score:.2f}"
    doc = f" · {_e(view.doc_title)}" if view.doc_title else ""
    head = f"{_e(view.ref)} · {_e(view.jurisdiction)}{doc}{score}"
    title = _e(view.heading or view.path)
    return (f'<div class="prov"><div class="meta">{head}</div><h3>{title}</h3>'
            f'<div class="text">{highlight(view.text, view.spans)}</div></div>')


def _jurisdictions_html(rows: Sequence[dict[str, Any]]) -> str:
    out = ["<table><thead><tr><th>Jurisdiction or agreement</th><th>Documents</th>"
           "<th>Provisions</th><th>Main topics (provisions)</th>"
           "<th>Bindingness (hard / soft / none)</th></tr></thead><tbody>"]
    for r in rows:
        prof = r["profile"]
        profile = " / ".join(str(prof.get(k, 0)) for k in ("hard", "soft", "none"))
        key = str(r["jurisdiction"])
        label = str(r.get("title") or key)
        name = _e(label)
        if r.get("agreement"):  # its title is in the documents column
            listed = ", ".join(r.get("parties") or ())
            name = "Agreement" + (f'<br><span class="note">parties: {_e(listed)}</span>'
                                  if listed else "")
        ids = list(r["documents"])
        titles = list(r.get("titles") or [""] * len(ids))
        docs = "<br>".join(_document_html(d, t) for d, t in zip(ids, titles, strict=False))
        cls = ' class="agreement"' if r.get("agreement") else ""
        out.append(f"<tr id=\"{_anchor('row', key)}\"{cls}><td>{name}</td>"
                   f"<td>{docs or '<span class=note>no document in the index</span>'}</td>"
                   f"<td class=\"num\">{int(r['provisions'])}</td>"
                   f"<td>{_e(', '.join(r['topics']))}</td><td class=\"num\">{profile}</td></tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _toc_html(data: ReportData) -> str:
    """The table of contents: a link to each section and to each topic's provisions."""
    topics = " · ".join(f'<a href="#{_anchor("topic", t)}">{_e(label)}</a>'
                        for t, label, _ in data.topics)
    pairs = " · ".join(f'<a href="#{_anchor("pairs", t)}">{_e(t)}</a>' for t, _ in data.pairs)
    items = [
        '<li><a href="#coverage">Who regulates what</a></li>',
        '<li><a href="#jurisdictions">Jurisdictions and agreements</a></li>',
        f'<li><a href="#topics">Top provisions per topic</a>'
        f'{": " + topics if topics else ""}</li>',
        f'<li><a href="#pairs">Similarity highlights</a>{": " + pairs if pairs else ""}</li>',
    ]
    if data.commitments is not None:
        items.append('<li><a href="#commitments">Commitments and national law</a></li>')
    return f'<nav id="toc"><strong>Contents</strong><ul>{"".join(items)}</ul></nav>'


_TOP = '<p class="top"><a href="#toc">↑ contents</a></p>'


def _css() -> str:
    return resources.files("nlp_toolkit").joinpath("data/report.css").read_text("utf-8")


# The page's one script checks that the page rendered (figures and sections present) and
# marks <body data-ok>; any script error leaves it unset (a headless browser test reads it).
_SCRIPT = """<script>
(function () {
  var errors = 0;
  window.addEventListener("error", function () { errors += 1; });
  var ok = document.querySelectorAll("section").length >= 3 &&
           document.querySelectorAll("figure svg").length >= 1;
  if (ok && errors === 0) { document.body.setAttribute("data-ok", "1"); }
})();
</script>"""


def render_html(data: ReportData) -> str:
    """The report page (pure). Texts from the index are escaped; figures are inline SVG."""
    stats = data.stats
    scope = data.scope or "Every jurisdiction in the index; a treaty counts for each party."
    parts = [
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<meta name=\"viewport\" content=\"width=device-width\"><title>{_e(data.title)}</title>",
        f"<style>{_css()}</style></head><body>",
        f"<h1>{_e(data.title)}</h1>",
        f"<p class=\"note\">Generated {_e(data.generated)}: "
        f"{int(stats.get('documents', 0)):,} documents, "
        f"{int(stats.get('provisions', 0)):,} provisions. {_e(scope)}</p>",
        _toc_html(data),
        "<section id=\"coverage\"><h2>Who regulates what</h2>",
        "<p>Provisions asserting each topic, by jurisdiction, then by agreement "
        "(below the line).</p>" if data.region else
        "<p>Provisions asserting each topic, by jurisdiction (a treaty counts for each "
        "party).</p>",
        f"<figure>{data.coverage_svg}</figure>" if data.coverage_svg else "",
        f"{_TOP}</section>",
        "<section id=\"jurisdictions\"><h2>Jurisdictions and agreements</h2>",
        _jurisdictions_html(data.jurisdictions),
        f"<figure>{data.profile_svg}</figure>" if data.profile_svg else "",
        f"{_TOP}</section><section id=\"topics\"><h2>Top provisions per topic</h2>",
        "<p>The most probable provisions of each topic; the scorer's evidence is "
        "<mark>highlighted</mark>.</p>",
    ]
    for topic, label, views in data.topics:
        parts.append(f"<h3 id=\"{_anchor('topic', topic)}\">{_e(label)} "
                     f"<span class=\"note\">({_e(topic)})</span></h3>")
        parts.extend(_provision_html(v) for v in views)
    parts.append(f"{_TOP}</section><section id=\"pairs\"><h2>Similarity highlights</h2>"
                 "<p>The most similar provisions of different jurisdictions on a topic "
                 "(cosine of their embeddings).</p>")
    for topic, pairs in data.pairs:
        parts.append(f"<h3 id=\"{_anchor('pairs', topic)}\">{_e(topic)}</h3>")
        if not pairs:
            parts.append("<p class=\"note\">No cross-jurisdiction pair.</p>")
        for a, b, cos in pairs:
            parts.append(f"<p class=\"note\">cosine {cos:.3f}</p><div class=\"pair\">"
                         f"{_provision_html(a)}{_provision_html(b)}</div>")
    parts.extend(f"<p class=\"note\">{_e(n)}</p>" for n in data.notes)
    parts.append(f"{_TOP}</section>")
    if data.commitments is not None:
        parts.append(_commitments_html(data.commitments))
    parts.append(f"{_SCRIPT}</body></html>\n")
    return "".join(parts)


def build_report(source: Any, out: str | Path, *, title: str = "nlp_toolkit corpus report",
                 top_k: int = 3, pair_topics: Sequence[str] = PAIR_TOPICS,
                 pairs_k: int = 6, all_jurisdictions: bool = False) -> Path:
    """Write the HTML report of an index to ``out`` and return its path.

    Args:
        source: a :class:`~nlp_toolkit.Corpus`, a :class:`Store`, or the index's path.
        out: the HTML file to write (parent folders are created).
        title: the page title.
        top_k: provisions shown per topic.
        pair_topics: topics whose best cross-jurisdiction pairs are shown.
        pairs_k: pairs per topic.
        all_jurisdictions: every jurisdiction, not only the ten ASEAN members, China and
            their agreements.

    Raises:
        ToolkitError: the index has no scores; StoreError: the path is not an index.

    Example:
        >>> build_report("corpus/index.sqlite", "report.html")  # doctest: +SKIP
        PosixPath('report.html')
    """
    from nlp_toolkit.outputs.plot.tables import store_of

    opened = None
    if isinstance(source, str | Path):
        opened = store = Store.open(source, create=False)
    else:
        store = store_of(source)
    try:
        data = collect_report(store, title=title, top_k=top_k, pair_topics=pair_topics,
                              pairs_k=pairs_k, all_jurisdictions=all_jurisdictions)
    finally:
        if opened is not None:
            opened.close()
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(data), encoding="utf-8")
    return path
