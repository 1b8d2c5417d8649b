"""English gloss of Indonesian text: roots, phrases, detection, and the embed stage's input."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from nlp_toolkit.build.embed import embed_input
from nlp_toolkit.extract import read_document
from nlp_toolkit.extract.gloss import (
    gloss,
    gloss_language,
    glossary,
    looks_indonesian,
    root_candidates,
)
from nlp_toolkit.segment import segment
from nlp_toolkit.sources.manifest import read_manifest
from tests.helpers import shared_articles

TABLE = {"setiap": "every", "orang": "person", "lindung": "protect", "akses": "access",
         "data pribadi": "personal data", "sistem": "system", "elektronik": "electronic",
         "larang": "prohibit", "hak": "right"}


def test_phrases_first_then_words_then_roots() -> None:
    assert gloss("Setiap Orang dilarang mengakses Sistem Elektronik", glossary=TABLE) == (
        "every person prohibit access system electronic")
    assert gloss("pelindungan Data Pribadi", glossary=TABLE) == "protect personal data"
    # reduplication and unknown words
    assert gloss("hak-hak Budi", glossary=TABLE) == "right budi"


def test_root_candidates_undo_the_nasal_prefixes() -> None:
    assert "simpan" in root_candidates("menyimpan")   # meny- + vowel <- s
    assert "proses" in root_candidates("memproses")
    assert "tulis" in root_candidates("menulis")      # men- <- t
    assert "kirim" in root_candidates("pengiriman")   # peng- <- k


def test_detection_needs_indonesian_function_words() -> None:
    assert not looks_indonesian("Personal data shall be processed lawfully and fairly.")
    assert not looks_indonesian("Pasal 5")  # too short to tell: embedded as it is
    assert looks_indonesian("Penyelenggara Sistem Elektronik wajib menjaga kerahasiaan data "
                            "pribadi yang dikelolanya sesuai dengan ketentuan")


def test_the_shipped_glossary_reads_legal_vocabulary() -> None:
    table = glossary()
    assert len(table) > 1000
    assert all(k == k.lower() and "\t" not in v for k, v in table.items())
    text = ("Setiap Penyelenggara Sistem Elektronik wajib menghapus Data Pribadi yang tidak "
            "relevan atas permintaan Orang yang bersangkutan")
    out = gloss(text)
    for word in ("electronic", "system", "personal data", "delete", "request"):
        assert word in out, out


def test_embed_input_glosses_indonesian_units_only(shared_corpus: Path) -> None:
    units = shared_articles(shared_corpus, "idn-ite-law-2008")
    assert len(units) > 40
    glossed = [embed_input(p.text, p.heading) for p in units]
    # every article of substance reads as English words after the gloss
    long = [g for p, g in zip(units, glossed, strict=True) if len(p.text) > 300]
    assert long and all(not looks_indonesian(g) for g in long)
    assert sum("electronic" in g for g in glossed) > 20
    english = "Each Party shall adopt or maintain a legal framework on personal data."
    assert embed_input(english, "Personal Data") == f"Personal Data\n{english}"


@given(st.text(alphabet=st.sampled_from("abcdeiklmnoprstuy -.,0123"), max_size=80))
def test_gloss_is_total_and_keeps_numbers(text: str) -> None:
    out = gloss(text, glossary=TABLE)
    assert isinstance(out, str)
    for number in [t for t in text.split() if t.isdigit()]:
        assert number in out


VI = ("Doanh nghiệp trong nước và nước ngoài khi cung cấp dịch vụ trên mạng viễn thông phải "
      "lưu trữ dữ liệu về thông tin cá nhân của người sử dụng dịch vụ tại Việt Nam")


def test_vietnamese_is_told_from_indonesian_and_english() -> None:
    assert gloss_language(VI) == "vi"
    assert gloss_language("Setiap Penyelenggara Sistem Elektronik wajib menjaga kerahasiaan "
                          "data pribadi yang dikelolanya sesuai dengan ketentuan") == "id"
    assert gloss_language("Each Party shall adopt or maintain a legal framework.") is None


def test_vietnamese_compounds_are_glossed_longest_first() -> None:
    table = {"dữ liệu": "data", "dữ liệu cá nhân": "personal data", "lưu trữ": "store",
             "tại": "in", "việt nam": "vietnam"}
    assert gloss("lưu trữ dữ liệu cá nhân tại Việt Nam", language="vi", glossary=table) == (
        "store personal data in vietnam")
    # decomposed input (combining marks) is read as composed
    decomposed = unicodedata.normalize("NFD", "lưu trữ dữ liệu")
    assert gloss(decomposed, language="vi", glossary=table) == "store data"


def test_the_shipped_vietnamese_glossary_reads_legal_vocabulary() -> None:
    table = glossary("vi")
    assert len(table) > 1000
    assert all(k == unicodedata.normalize("NFC", k) == k.lower() for k in table)
    out = gloss(VI, language="vi")
    for word in ("enterprise", "stor", "data", "personal", "vietnam"):
        assert word in out, out
    assert gloss_language(out) is None  # reads as English now


def test_embed_input_glosses_the_vietnamese_law_but_not_its_english_translation(
        shared_corpus: Path) -> None:
    rows = {r.doc_id: r for r in read_manifest(shared_corpus / "manifest.csv").rows}
    row = rows["vnm-cybersecurity-law-2018"]
    doc = read_document(shared_corpus / row.path, row.format, language=row.language)
    units = segment(row.doc_id, doc, language=row.language, doc_type=row.doc_type)
    articles = [p for p in units if p.level == "article"]
    english = [p for p in units if p.level == "translation"]
    assert len(articles) == 43 and english
    glossed = [embed_input(p.text, p.heading) for p in articles]
    assert sum(gloss_language(g) is None for g in glossed) >= 40
    assert all(embed_input(p.text, p.heading).startswith("Article") for p in english)
