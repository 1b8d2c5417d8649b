"""An English word-by-word gloss of Indonesian text, for models that do not read Indonesian.

The multilingual sentence encoder (use-m3) covers Chinese, Thai and 14 other languages but
not Indonesian: an Indonesian article embeds near other Indonesian articles whatever it says,
so an English question (or an English or Chinese provision in ``similar``) cannot find it. A
gloss replaces each Indonesian word by its English equivalent from a glossary of legal and
ICT vocabulary (``nlp_toolkit/data/gloss_id_en.tsv``): "Setiap Orang dilarang mengakses
Sistem Elektronik milik Orang lain" becomes "every person prohibited access electronic system
owned person other". The result is not fluent English, but it carries the provision's subject
in words the encoder knows.

- Multi-word entries ("data pribadi", "tanda tangan") are matched first, longest first.
- A word missing from the glossary is looked up again without its affixes (``me-``,
  ``di-``, ``pe-``, ``ber-``, ``ter-``, ``ke-``, ``-kan``, ``-an``, ``-i``, ``-nya``), the
  way Indonesian derives words from a root; a word that is still unknown (a name, a number,
  an English loanword) is kept as it is.
- :func:`looks_indonesian` tells Indonesian text by its function words, so that callers need
  no language tag: the embed stage glosses every unit that reads as Indonesian.

Pure functions; the glossary is read once, on first use.

>>> gloss("Setiap Orang wajib melindungi Data Pribadi", glossary={
...     "setiap": "every", "orang": "person", "wajib": "must", "lindung": "protect",
...     "data pribadi": "personal data"})
'every person must protect personal data'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources

__all__ = ["gloss", "glossary", "looks_indonesian", "root_candidates"]

_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*|\d+[A-Za-z]?|[^\sA-Za-z\d]")
_MAX_PHRASE = 3
#: Indonesian function words: frequent, short and not English or Malay-English words.
_MARKERS = frozenset({
    "yang", "dan", "atau", "dengan", "dalam", "untuk", "pada", "ini", "tersebut", "adalah",
    "oleh", "dari", "sebagaimana", "dimaksud", "setiap", "wajib", "dapat", "tidak", "harus",
    "serta", "terhadap", "sesuai", "ketentuan", "pasal", "ayat", "huruf"})
#: Share of an Indonesian text's words that are markers (articles of the ITE Law and GR 71
#: run at 0.15-0.35; English text at 0).
_MARKER_SHARE = 0.08
_PREFIXES = ("memper", "menge", "meng", "meny", "mem", "men", "me", "penge", "peng", "peny",
             "pem", "pen", "pe", "per", "di", "ber", "be", "ter", "ke", "se")
_SUFFIXES = ("kannya", "annya", "nya", "kan", "an", "i", "lah")
# me-/pe- drop the root's first consonant: meny-/peny- + vowel <- s, mem-/pem- <- p,
# men-/pen- <- t, meng-/peng- + vowel <- k
_RESTORE = {"meny": "s", "peny": "s", "mem": "p", "pem": "p", "men": "t", "pen": "t",
            "meng": "k", "peng": "k"}


@lru_cache(maxsize=1)
def glossary() -> dict[str, str]:
    """The shipped Indonesian -> English glossary (lower-case keys, some multi-word)."""
    text = resources.files("nlp_toolkit").joinpath("data/gloss_id_en.tsv").read_text("utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        if "\t" in line and not line.startswith("#"):
            key, value = line.split("\t", 1)
            if key.strip() and value.strip():
                out.setdefault(key.strip().lower(), value.strip())
    return out


def looks_indonesian(text: str) -> bool:
    """True when at least :data:`_MARKER_SHARE` of the text's words are Indonesian function
    words (and at least three are) (pure).

    >>> looks_indonesian("Setiap Penyelenggara Sistem Elektronik wajib menyelenggarakan "
    ...                  "Sistem Elektronik secara andal dan aman serta bertanggung jawab")
    True
    >>> looks_indonesian("Each Party shall adopt or maintain a legal framework")
    False
    """
    words = re.findall(r"[a-z]+", text.lower())
    hits = sum(1 for w in words if w in _MARKERS)
    return hits >= 3 and hits >= _MARKER_SHARE * len(words)


def root_candidates(word: str) -> list[str]:
    """Possible roots of an Indonesian word, most likely first: the word without a suffix,
    a prefix, or both (pure).

    >>> root_candidates("mengakses")[:3]
    ['mengakses', 'akses', 'kakses']
    >>> "lindung" in root_candidates("perlindungan")
    True
    """
    w = word.lower()
    out = [w]
    stems = [w] + [w[: -len(s)] for s in _SUFFIXES if w.endswith(s) and len(w) - len(s) >= 3]
    for stem in stems:
        if stem not in out:
            out.append(stem)
        for p in _PREFIXES:
            if stem.startswith(p) and len(stem) - len(p) >= 3:
                rest = stem[len(p):]
                for cand in (rest, _RESTORE.get(p, "") + rest if p in _RESTORE else None):
                    if cand and cand not in out:
                        out.append(cand)
    return out


def _lookup(word: str, table: Mapping[str, str]) -> str | None:
    for cand in root_candidates(word):
        if cand in table:
            return table[cand]
    if "-" in word:  # reduplication (hak-hak) and compounds (undang-undang)
        parts = [_lookup(p, table) for p in word.split("-")]
        if all(parts):
            return " ".join(dict.fromkeys(p for p in parts if p))
    return None


def gloss(text: str, *, glossary: Mapping[str, str] | None = None) -> str:
    """The text with each Indonesian word or phrase replaced by its English gloss (pure but
    for reading the shipped glossary when none is given). Numbers, punctuation and unknown
    words are kept; the result is lower case, one space between tokens."""
    table = _default() if glossary is None else glossary
    tokens = _WORD.findall(text)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for n in range(min(_MAX_PHRASE, len(tokens) - i), 0, -1):
            phrase = " ".join(tokens[i:i + n]).lower()
            if n > 1 and phrase in table:
                out.append(table[phrase])
                i += n
                break
        else:
            tok = tokens[i]
            found = _lookup(tok, table) if tok[0].isalpha() else None
            out.append(found if found is not None else tok.lower())
            i += 1
    return re.sub(r"\s+([.,;:)\]])", r"\1", " ".join(out))


def _default() -> Mapping[str, str]:
    return glossary()
