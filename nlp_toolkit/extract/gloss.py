"""An English word-by-word gloss of Indonesian and Vietnamese text, for models that read
neither.

The multilingual sentence encoder (use-m3) covers Chinese, Thai and 14 other languages but
not Indonesian or Vietnamese: an Indonesian article embeds near other Indonesian articles
whatever it says, so an English question (or an English or Chinese provision in ``similar``)
cannot find it. A gloss replaces each word by its English equivalent from a glossary of legal
and ICT vocabulary (``nlp_toolkit/data/gloss_id_en.tsv``, ``gloss_vi_en.tsv``): "Setiap Orang
dilarang mengakses Sistem Elektronik milik Orang lain" becomes "every person prohibited access
electronic system owned person other". The result is not fluent English, but it carries the
provision's subject in words the encoder knows.

- Multi-word entries ("data pribadi", "dữ liệu cá nhân") are matched first, longest first.
  Vietnamese is written syllable by syllable, so its words are mostly such entries.
- An Indonesian word missing from the glossary is looked up again without its affixes
  (``me-``, ``di-``, ``pe-``, ``ber-``, ``ter-``, ``ke-``, ``-kan``, ``-an``, ``-i``, ``-nya``),
  the way Indonesian derives words from a root; a word that is still unknown (a name, a
  number, an English loanword) is kept as it is.
- :func:`gloss_language` tells Indonesian and Vietnamese text by their function words, so
  that callers need no language tag: the embed stage glosses every unit that reads as one.

Pure functions; the glossary is read once, on first use.

>>> gloss("Setiap Orang wajib melindungi Data Pribadi", glossary={
...     "setiap": "every", "orang": "person", "wajib": "must", "lindung": "protect",
...     "data pribadi": "personal data"})
'every person must protect personal data'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources

__all__ = ["GLOSSED_LANGUAGES", "gloss", "gloss_language", "glossary", "looks_indonesian",
           "looks_vietnamese", "root_candidates"]

#: Languages with a shipped glossary (``nlp_toolkit/data/gloss_{lang}_en.tsv``).
GLOSSED_LANGUAGES = ("id", "vi")
# words of letters (any script's: Vietnamese syllables carry marks), hyphenated compounds,
# numbers, and single punctuation marks
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*|\d+[^\W\d_]?|[^\s\w]")
_MAX_PHRASE = 8  # words of the longest glossary entry matched as one phrase
#: Vietnamese function words (syllables no other corpus language uses so often).
_VI_MARKERS = frozenset({
    "của", "và", "các", "được", "trong", "theo", "những", "này", "với", "cho", "về", "có",
    "không", "người", "thông", "tin", "mạng", "quy", "định", "luật", "điều", "khoản"})
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


@lru_cache(maxsize=4)
def glossary(language: str = "id") -> dict[str, str]:
    """The shipped ``language`` -> English glossary (lower-case NFC keys, some multi-word).

    Raises:
        ValueError: no glossary ships for ``language`` (see :data:`GLOSSED_LANGUAGES`).
    """
    if language not in GLOSSED_LANGUAGES:
        raise ValueError(f"no glossary for {language!r}: one of {', '.join(GLOSSED_LANGUAGES)}")
    text = resources.files("nlp_toolkit").joinpath(
        f"data/gloss_{language}_en.tsv").read_text("utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        if "\t" in line and not line.startswith("#"):
            key, value = line.split("\t", 1)
            # keys are tokenised as text is, so "phòng, chống" meets "phòng , chống"
            key = " ".join(_WORD.findall(unicodedata.normalize("NFC", key.lower())))
            if key and value.strip():
                out.setdefault(key, value.strip())
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


def looks_vietnamese(text: str) -> bool:
    """True when at least a fifth of the text's syllables are common Vietnamese ones (and at
    least three are) (pure).

    >>> looks_vietnamese("Doanh nghiệp trong nước và nước ngoài phải lưu trữ dữ liệu của "
    ...                  "người sử dụng tại Việt Nam theo quy định của Chính phủ")
    True
    >>> looks_vietnamese("Setiap Orang wajib melindungi data pribadi")
    False
    """
    words = unicodedata.normalize("NFC", text.lower()).split()
    hits = sum(1 for w in words if w.strip(".,;:()") in _VI_MARKERS)
    return hits >= 3 and hits >= 0.2 * len(words)


def gloss_language(text: str) -> str | None:
    """``"vi"`` or ``"id"`` when the text reads as Vietnamese or Indonesian, else None (pure).

    >>> gloss_language("Each Party shall protect personal data.") is None
    True
    """
    if looks_vietnamese(text):
        return "vi"
    return "id" if looks_indonesian(text) else None


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


def gloss(text: str, *, language: str = "id", glossary: Mapping[str, str] | None = None
          ) -> str:
    """The text with each word or phrase of ``language`` (``id`` or ``vi``) replaced by its
    English gloss (pure but for reading the shipped glossary when none is given). Numbers,
    punctuation and unknown words are kept; the result is lower case, one space between
    tokens.

    >>> gloss("dữ liệu cá nhân của người dùng", language="vi", glossary={
    ...     "dữ liệu cá nhân": "personal data", "của": "of", "người dùng": "user"})
    'personal data of user'
    """
    table = _default(language) if glossary is None else glossary
    tokens = _WORD.findall(unicodedata.normalize("NFC", text))
    longest = _longest(language) if glossary is None else min(
        _MAX_PHRASE, max((k.count(" ") + 1 for k in table), default=1))
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            phrase = " ".join(tokens[i:i + n]).lower()
            if n > 1 and phrase in table:
                out.append(table[phrase])
                i += n
                break
        else:
            tok = tokens[i]
            found = None
            if tok[0].isalpha():
                found = (_lookup(tok, table) if language == "id"
                         else table.get(tok.lower()))
            out.append(found if found is not None else tok.lower())
            i += 1
    return re.sub(r"\s+([.,;:)\]])", r"\1", " ".join(out))


def _default(language: str) -> Mapping[str, str]:
    return glossary(language)


@lru_cache(maxsize=4)
def _longest(language: str) -> int:
    return min(_MAX_PHRASE, max((k.count(" ") + 1 for k in glossary(language)), default=1))
