"""Sentence-aligned chunking of long provisions for models with a short input window.

Pure functions over strings; spans are ``(start, end)`` character offsets into the input,
so every chunk can be traced back to its place in the provision.
"""

from __future__ import annotations

import re

__all__ = ["chunk_text", "sentence_spans"]

# A sentence ends at English . ; : ! ? followed by whitespace (so "1.2" and "e.g.x" do
# not end one), at a Chinese full stop, semicolon, exclamation or question mark, or at a
# line break. Closing quotes/brackets right after the mark stay with the sentence.
_SENTENCE_END = re.compile(r"(?:[.;:!?][\"'”’)\]]*(?=\s)|[。；！？][”’」』）]*|\n)")
# Soft break points inside an over-long sentence: whitespace, or after a CJK comma.
_SOFT_BREAK = re.compile(r"\s+|(?<=[，、,])")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text``, trimmed of surrounding whitespace, in order.

    Example:
        >>> t = "Each Party shall cooperate. 第一条 为了保护个人信息。\\nItem (a)"
        >>> [t[s:e] for s, e in sentence_spans(t)]
        ['Each Party shall cooperate.', '第一条 为了保护个人信息。', 'Item (a)']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        s, e = _trim(text, start, match.end())
        if s < e:
            spans.append((s, e))
        start = match.end()
    s, e = _trim(text, start, len(text))
    if s < e:
        spans.append((s, e))
    return spans


def _split_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Split one over-long sentence at soft breaks, or hard at ``max_chars`` without any."""
    pieces: list[tuple[int, int]] = []
    while end - start > max_chars:
        limit = start + max_chars
        cut = limit
        for m in _SOFT_BREAK.finditer(text, start + 1, limit + 1):
            cut = m.start()  # the last soft break that keeps the piece within the limit
        s, e = _trim(text, start, cut)
        if s < e:
            pieces.append((s, e))
        start, _ = _trim(text, cut, end)
    s, e = _trim(text, start, end)
    if s < e:
        pieces.append((s, e))
    return pieces


def chunk_text(text: str, *, max_chars: int, overlap_sentences: int = 0) -> list[tuple[int, int]]:
    """Split ``text`` into chunks of at most ``max_chars`` characters along sentence ends.

    Sentences are packed greedily; a chunk never splits a sentence unless that sentence
    alone is longer than ``max_chars``, in which case it is cut at the last whitespace (or
    CJK comma) that fits, or hard at ``max_chars`` where there is none (unspaced CJK).

    Args:
        text: the provision text.
        max_chars: the window size in characters (choose it from the model's token limit).
        overlap_sentences: sentences repeated from the end of one chunk at the start of
            the next, for context; 0 gives disjoint chunks.

    Returns:
        ``(start, end)`` spans into ``text``, in order, trimmed of whitespace; empty for a
        blank text. Without overlap, the chunks cover every non-space character once.

    Raises:
        ValueError: if ``max_chars < 1`` or ``overlap_sentences < 0``.

    Example:
        >>> t = "One sentence here. Another one. A third."
        >>> [t[s:e] for s, e in chunk_text(t, max_chars=32)]
        ['One sentence here. Another one.', 'A third.']
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be >= 1, got {max_chars}")
    if overlap_sentences < 0:
        raise ValueError(f"overlap_sentences must be >= 0, got {overlap_sentences}")
    units: list[tuple[int, int]] = []
    for s, e in sentence_spans(text):
        units.extend(_split_long(text, s, e, max_chars) if e - s > max_chars else [(s, e)])
    chunks: list[tuple[int, int]] = []
    i = 0
    while i < len(units):
        j = i + 1
        while j < len(units) and units[j][1] - units[i][0] <= max_chars:
            j += 1
        chunks.append((units[i][0], units[j - 1][1]))
        if j >= len(units):
            break
        # Step back for overlap, but always move forward by at least one unit, and never
        # let the overlap push the next chunk's first unit past the window.
        nxt = max(i + 1, j - overlap_sentences)
        while nxt < j and units[j][1] - units[nxt][0] > max_chars:
            nxt += 1
        i = nxt
    return chunks
