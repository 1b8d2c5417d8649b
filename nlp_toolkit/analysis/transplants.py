"""Legal transplants: near-duplicate provisions across a corpus, grouped into families.

Trade agreements copy template language from earlier treaties (the "customs duties on
electronic transmissions" article, paperless trading, electronic authentication). This
module finds such copies over a whole index: each main unit's text becomes the set of its
character 5-gram shingles (over :func:`nlp_toolkit.analysis.shingles.normalise_text`, so any script
works), MinHash + LSH banding proposes candidate pairs, the exact Jaccard of each candidate
decides, and families are the connected components of the accepted pairs, each listed with
its earliest document first (date signed, else year), presumably the original.

Shingles are 64-bit polynomial hashes of code points and the MinHash permutations are
multiply-add-shift hashes applied to whole batches (one-permutation hashing), so the ~41k
ToTA articles take seconds; a pure-Python MinHash over string shingles took ~10 ms per
provision. The Jaccard it reports equals that of
:func:`~nlp_toolkit.analysis.shingles.char_shingles` sets (up to 64-bit hash collisions).

Example:
    >>> fams = find_families([
    ...     ("b:1", "Each Party shall adopt measures to protect personal data.", "2020"),
    ...     ("a:1", "Each Party shall adopt measures to protect personal data", "2015"),
    ...     ("c:1", "Customs duties shall not be imposed on transmissions.", "2018"),
    ... ], min_docs=1)
    >>> [f.refs for f in fams]
    [('a:1', 'b:1')]
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from nlp_toolkit.analysis.shingles import optimal_bands

if TYPE_CHECKING:
    from nlp_toolkit.store import Store

__all__ = [
    "Family",
    "document_order",
    "duplicate_families",
    "find_families",
    "hashed_jaccard",
    "minhash_signatures",
    "normalise_many",
    "read_units",
    "shingle_hashes",
]

_BLANK_CLASSES = "PSZC"  # Unicode category classes that become spaces (normalise_text)
_MAX_CODE = 0x110000
_blank = np.zeros(_MAX_CODE, dtype=bool)  # code point -> becomes a space
_known = np.zeros(_MAX_CODE, dtype=bool)  # code point classified yet
_SPACE = np.uint32(32)
_PRIME = np.uint64(0x100000001B3)  # FNV-64 prime: odd, so the rolling hash mixes every char
_BATCH_CHARS = 1 << 22  # characters handled at once (~32 MiB per uint64 array)
_EMPTY = np.uint64(np.iinfo(np.uint64).max)


def _classify(codes: np.ndarray) -> None:
    new = np.unique(codes[~_known[codes]])
    for c in new.tolist():
        _blank[c] = unicodedata.category(chr(c))[0] in _BLANK_CLASSES
    _known[new] = True


def _normalise_batch(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Normalised code points of several texts, concatenated, and each text's length."""
    folded = [unicodedata.normalize("NFKC", t).casefold() for t in texts]
    codes = np.frombuffer("".join(folded).encode("utf-32-le"), dtype=np.uint32)
    lengths = np.fromiter((len(f) for f in folded), dtype=np.int64, count=len(folded))
    owner = np.repeat(np.arange(len(folded)), lengths)
    _classify(codes)
    blank = _blank[codes]
    starts = np.zeros(codes.shape[0], dtype=bool)
    starts[np.cumsum(lengths)[:-1][lengths[1:] > 0]] = True
    if codes.shape[0]:
        starts[0] = True
    prev_blank = np.concatenate(([True], blank[:-1])) | starts
    # last non-blank position of each text: blanks after it are trailing
    pos = np.where(blank, -1, np.arange(codes.shape[0]))
    last = np.full(len(folded), -1, dtype=np.int64)
    np.maximum.at(last, owner, pos)
    keep = ~(blank & prev_blank) & (np.arange(codes.shape[0]) <= last[owner])
    out = np.where(blank, _SPACE, codes)[keep]
    return out, np.bincount(owner[keep], minlength=len(folded)).astype(np.int64)


def normalise_many(texts: Sequence[str]) -> list[str]:
    """:func:`nlp_toolkit.analysis.shingles.normalise_text` of each text, vectorised.

    Example:
        >>> normalise_many(["Each  Party SHALL, where\\npracticable:", " ;"])
        ['each party shall where practicable', '']
    """
    out: list[str] = []
    start = 0
    while start < len(texts):
        stop, size = start, 0
        while stop < len(texts) and (size == 0 or size + len(texts[stop]) <= _BATCH_CHARS):
            size += len(texts[stop])
            stop += 1
        codes, lengths = _normalise_batch(texts[start:stop])
        raw = codes.tobytes().decode("utf-32-le")
        bounds = np.concatenate(([0], np.cumsum(lengths))).tolist()
        out.extend(raw[bounds[i]:bounds[i + 1]] for i in range(stop - start))
        start = stop
    return out


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads polynomial hashes over all 64 bits."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _window_hashes(codes: np.ndarray, width: int) -> np.ndarray:
    """Hashes of every ``width``-long window of ``codes`` (tagged with the width)."""
    count = codes.shape[0] - width + 1
    c = codes.astype(np.uint64)
    with np.errstate(over="ignore"):
        h = np.full(count, np.uint64(width), dtype=np.uint64)  # "abc" != "abc  "
        for j in range(width):
            h = h * _PRIME + c[j : j + count]
    return _mix64(h)


def shingle_hashes(normalised: str, n: int = 5) -> np.ndarray:
    """Sorted unique 64-bit hashes of the character ``n``-grams of a normalised text.

    Mirrors :func:`~nlp_toolkit.analysis.shingles.char_shingles`: a text no longer than ``n`` is
    its own single shingle, an empty text has none.

    Example:
        >>> len(shingle_hashes("abcdef", n=5)), len(shingle_hashes("abc")), len(shingle_hashes(""))
        (2, 1, 0)
    """
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if not normalised:
        return np.empty(0, dtype=np.uint64)
    codes = np.frombuffer(normalised.encode("utf-32-le"), dtype=np.uint32)
    return np.unique(_window_hashes(codes, min(n, codes.shape[0])))


def hashed_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two sorted unique hash arrays; two empty ones count as 1.0."""
    if not a.shape[0] and not b.shape[0]:
        return 1.0
    inter = np.intersect1d(a, b, assume_unique=True).shape[0]
    return inter / (a.shape[0] + b.shape[0] - inter)


def minhash_signatures(
    normalised: Sequence[str], *, n: int = 5, num_perm: int = 128, seed: int = 1
) -> np.ndarray:
    """``(len(normalised), num_perm)`` uint64 one-permutation MinHash signatures.

    One-permutation hashing (Li, Owen & Zhang 2012): each shingle hash (re-mixed with
    ``seed``) falls in bin ``h mod num_perm``; a bin keeps its smallest ``h``; an empty bin
    borrows (re-hashed) the value of the next non-empty bin to its right (rotation
    densification, Shrivastava & Li 2014). Two texts agree at a bin with probability close
    to their shingle Jaccard similarity, at the cost of one hash per shingle instead of
    ``num_perm``. Texts with no shingles get all ``2**64 - 1``.

    Example:
        >>> s = minhash_signatures(["each party shall", "each party shall"], num_perm=8)
        >>> bool((s[0] == s[1]).all()), s.shape
        (True, (2, 8))
    """
    if num_perm < 1 or n < 1:
        raise ValueError(f"num_perm and n must be >= 1, got {num_perm} and {n}")
    perm = np.uint64(num_perm)
    salt = _mix64(np.array([seed], dtype=np.uint64))[0]
    out = np.full((len(normalised), num_perm), _EMPTY, dtype=np.uint64)
    start = 0
    while start < len(normalised):
        stop, size = start, 0
        while stop < len(normalised) and (size == 0 or size + len(normalised[stop])
                                          <= _BATCH_CHARS):
            size += len(normalised[stop])
            stop += 1
        texts = normalised[start:stop]
        lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
        codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
        flat = out[start:stop].reshape(-1)
        long_ = lengths >= n
        if codes.shape[0] >= n and long_.any():
            h = _mix64(_window_hashes(codes, n) ^ salt)
            # window p belongs to text t when it ends inside t
            ends = np.cumsum(lengths)
            owner = np.searchsorted(ends, np.arange(h.shape[0]) + n - 1, side="right")
            inside = (np.arange(h.shape[0]) >= (ends - lengths)[owner]) & long_[owner]
            h, owner = h[inside], owner[inside]
            np.minimum.at(flat, owner * num_perm + (h % perm).astype(np.int64), h)
        for i in np.flatnonzero(~long_ & (lengths > 0)).tolist():
            h = _mix64(shingle_hashes(texts[i], n) ^ salt)
            np.minimum.at(flat, i * num_perm + (h % perm).astype(np.int64), h)
        start = stop
    return _densify(out)


def _densify(sigs: np.ndarray) -> np.ndarray:
    empty = sigs == _EMPTY
    rows = np.flatnonzero(empty.any(axis=1) & ~empty.all(axis=1))
    if not rows.size:
        return sigs
    part, need, hole = sigs[rows], empty[rows], empty[rows]
    result = part.copy()
    with np.errstate(over="ignore"):
        for d in range(1, sigs.shape[1]):
            take = need & ~np.roll(hole, -d, axis=1)
            if take.any():
                result[take] = _mix64(np.roll(part, -d, axis=1)[take] + np.uint64(d))
                need &= ~take
            if not need.any():
                break
    sigs[rows] = result
    return sigs


def _band_buckets(signatures: np.ndarray, bands: int, rows: int) -> Iterator[np.ndarray]:
    """For each band, the groups (2+ row indices) whose band values are all equal."""
    for band in range(bands):
        part = np.ascontiguousarray(signatures[:, band * rows : (band + 1) * rows])
        keys = part.view(np.dtype((np.void, part.dtype.itemsize * rows))).ravel()
        _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        shared = np.flatnonzero(counts > 1)
        if not shared.size:
            continue
        members = np.flatnonzero(np.isin(inverse, shared))
        order = members[np.argsort(inverse[members], kind="stable")]
        cuts = np.flatnonzero(np.diff(inverse[order])) + 1
        yield from np.split(order, cuts)


@dataclass(frozen=True, slots=True)
class Family:
    """Near-duplicate provisions, earliest first.

    Attributes:
        refs: member keys (provision refs), sorted by ``(order, input position)``.
        orders: each member's order key (e.g. the date its document was signed).
        jaccard: each member's shingle Jaccard similarity to the first member.
        docs: the distinct documents of the members, in member order (from the ref's
            ``DOC_ID:`` prefix).
    """

    refs: tuple[str, ...]
    orders: tuple[Any, ...]
    jaccard: tuple[float, ...]
    docs: tuple[str, ...]

    @property
    def origin(self) -> str:
        """The earliest member's ref."""
        return self.refs[0]


def _doc_of(ref: str) -> str:
    return ref.split(":", 1)[0]


def find_families(
    items: Sequence[tuple[str, str, Any]],
    *,
    threshold: float = 0.8,
    min_docs: int = 2,
    min_chars: int = 50,
    n: int = 5,
    num_perm: int = 128,
    seed: int = 1,
) -> list[Family]:
    """Group texts whose shingle Jaccard reaches ``threshold`` into families.

    Identical normalised texts are merged before hashing (treaties repeat boilerplate
    verbatim). LSH candidate pairs are verified by exact Jaccard; a pair whose members are
    already in one family is not verified again, so a big bucket of copies costs one check
    per member.

    Args:
        items: ``(ref, text, order)`` triples; ``ref`` is ``DOC_ID:NUMBER``; ``order`` (a
            date string, a year) sorts each family, earliest first.
        threshold: minimum Jaccard similarity of ``n``-character shingles for a pair.
        min_docs: keep families spanning at least this many documents (2: copies
            across treaties, not repeats within one).
        min_chars: texts shorter than this after normalisation never join a family
            ("Deleted.", "Definitions"), as they match by accident.
        n: shingle length in characters.
        num_perm: MinHash signature length.
        seed: MinHash seed.

    Returns:
        Families, largest document count first, then by the origin's order.

    Raises:
        ValueError: on a threshold outside (0, 1) or ``min_docs < 1``.
    """
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be strictly between 0 and 1, got {threshold}")
    if min_docs < 1:
        raise ValueError(f"min_docs must be >= 1, got {min_docs}")
    norms = normalise_many([text for _, text, _ in items])
    # one representative per distinct normalised text
    rep_of: dict[str, int] = {}
    reps: list[int] = []
    parent = list(range(len(items)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(x: int, y: int) -> None:
        rx, ry = find(x), find(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)

    for i, norm in enumerate(norms):
        if len(norm) < min_chars:
            continue
        first = rep_of.setdefault(norm, i)
        if first == i:
            reps.append(i)
        else:
            union(first, i)
    cache: dict[int, np.ndarray] = {}

    def hashes(i: int) -> np.ndarray:
        if i not in cache:
            cache[i] = shingle_hashes(norms[i], n)
        return cache[i]

    if len(reps) > 1:
        bands, rows = optimal_bands(threshold, num_perm)
        sigs = minhash_signatures([norms[i] for i in reps], n=n, num_perm=num_perm, seed=seed)
        checked: set[tuple[int, int]] = set()
        for bucket in _band_buckets(sigs, bands, rows):
            for pos, x in enumerate(bucket.tolist()):
                for y in bucket[pos + 1 :].tolist():
                    i, j = reps[x], reps[y]
                    if find(i) == find(j) or (x, y) in checked:
                        continue
                    checked.add((x, y))
                    if hashed_jaccard(hashes(i), hashes(j)) >= threshold:
                        union(i, j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(items)):
        groups[find(i)].append(i)
    families: list[Family] = []
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda i: (items[i][2], i))
        refs = tuple(items[i][0] for i in members)
        docs = tuple(dict.fromkeys(_doc_of(r) for r in refs))
        if len(docs) < min_docs:
            continue
        origin = hashes(rep_of[norms[members[0]]])
        sims = tuple(round(hashed_jaccard(origin, hashes(rep_of[norms[i]])), 4)
                     for i in members)
        families.append(Family(refs, tuple(items[i][2] for i in members), sims, docs))
    families.sort(key=lambda f: (-len(f.docs), -len(f.refs), f.orders[0], f.refs[0]))
    return families


# -- reading the index ---------------------------------------------------------------------
def _document_orders(store: Store) -> dict[str, str]:
    """``doc_id -> 'YYYY-MM-DD'`` (date signed) or ``'YYYY'`` (year), ``'9999'`` if unknown.

    ToTA documents carry ``date_signed`` in their extracted metadata; other documents have
    only the manifest's year.
    """
    from nlp_toolkit.store.queries import document_dates

    return {doc_id: document_order(year, meta)
            for doc_id, (year, meta) in document_dates(store).items()}


def document_order(year: int | None, metadata: dict[str, Any]) -> str:
    """A document's sort key: its date signed (``metadata["extracted"]["date_signed"]``)
    if it looks like ``YYYY[-MM[-DD]]``, else its year, else ``'9999'`` (pure).

    >>> document_order(2019, {"extracted": {"date_signed": "2018-03-08"}}), document_order(None, {})
    ('2018-03-08', '9999')
    """
    extracted = metadata.get("extracted")
    date = str(extracted.get("date_signed") or "") if isinstance(extracted, dict) else ""
    if not re.fullmatch(r"\d{4}(-\d{2}){0,2}", date):
        date = f"{int(year):04d}" if year is not None else "9999"
    return date


def read_units(store: Store, *, jurisdiction: str | None = None,
               doc_ids: Sequence[str] | None = None) -> list[tuple[str, str, str]]:
    """``(ref, text, order)`` of every main unit (articles, statute sections) in the index.

    ``order`` is the document's date signed (or year) followed by the unit's ordinal, so a
    family's first member is the earliest document's provision.
    """
    orders = _document_orders(store)
    wanted = None if doc_ids is None else set(doc_ids)
    units: list[tuple[str, str, str]] = []
    for row in store.provisions(articles=True):
        if wanted is not None and row.doc_id not in wanted:
            continue
        if jurisdiction is not None and jurisdiction not in row.jurisdiction.split(";"):
            continue
        units.append((row.ref, row.text, f"{orders.get(row.doc_id, '9999')}#{row.ordinal:08d}"))
    return units


def duplicate_families(store: Store, *, threshold: float = 0.8, min_docs: int = 2,
                       min_chars: int = 50, jurisdiction: str | None = None,
                       doc_ids: Sequence[str] | None = None) -> list[Family]:
    """Families of near-duplicate main units across the index (see :func:`find_families`).

    ``Family.orders`` hold ``DATE#ORDINAL`` strings.
    """
    units = read_units(store, jurisdiction=jurisdiction, doc_ids=doc_ids)
    return find_families(units, threshold=threshold, min_docs=min_docs, min_chars=min_chars)


def family_records(store: Store, families: Sequence[Family]) -> list[dict[str, Any]]:
    """One record per family: its origin provision's fields plus the members.

    Fields: ``family`` (1-based), ``n_docs``, ``size``, ``origin`` (ref), ``date`` (the
    origin's document date), ``heading``, ``text`` (the origin's), ``refs``, ``docs``,
    ``jaccard`` (each member's Jaccard to the origin), ``min_jaccard``.
    """
    out: list[dict[str, Any]] = []
    for number, fam in enumerate(families, start=1):
        origin = store.provision(fam.origin)
        out.append({
            "family": number, "n_docs": len(fam.docs), "size": len(fam.refs),
            "origin": fam.origin, "date": str(fam.orders[0]).split("#", 1)[0],
            "heading": origin.heading if origin else "", "text": origin.text if origin else "",
            "refs": list(fam.refs), "docs": list(fam.docs), "jaccard": list(fam.jaccard),
            "min_jaccard": min(fam.jaccard),
        })
    return out
