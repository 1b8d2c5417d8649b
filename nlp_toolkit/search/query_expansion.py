"""Cross-language query expansion through a small lexicon of legal terms: English phrases
and their Chinese, Indonesian and Vietnamese wording.

Our users query in English; Chinese, Indonesian and Vietnamese laws are in their languages.
The multilingual embedder bridges the languages only roughly (a plain English query about
outbound transfer ranks PIPL article 38 low among PIPL's articles), so the search adds the
other languages' terms of the query's English legal phrases to the full-text query, and the
English terms of a Chinese query's phrases. The lexicon covers data protection,
cybersecurity, e-commerce, electronic-transactions and trade terms; it is matched on word
boundaries (English) or as substrings (Chinese), longest first.

>>> translate("transfer of personal information abroad")[:6]
['个人信息', '个人数据', 'data pribadi', 'dữ liệu cá nhân', 'thông tin cá nhân', '向境外提供']
>>> translate("个人信息出境")  # doctest: +NORMALIZE_WHITESPACE
['personal information', 'personal data', '个人数据', 'transfer abroad',
 'cross-border transfer', '向境外提供', '跨境', '境外']
"""

from __future__ import annotations

import re
from functools import lru_cache

from nlp_toolkit.extract.scripts import has_han

__all__ = ["CONCEPTS", "LEXICON", "concept_groups", "translate", "translate_groups"]

#: English phrases (``|``-separated synonyms, lower case) -> the concept's terms in the
#: corpus's other languages: Chinese, then Indonesian and Vietnamese (the wording of their
#: statutes: ``data pribadi``, ``dữ liệu cá nhân``). General legal vocabulary of each concept,
#: never the wording of one provision. An English query gets all of them; a Chinese query
#: gets the English phrases and the entry's other Chinese terms. Terms in Latin script join
#: the English query's own full-text ranking, so they are as specific as the phrase they
#: render: a generic word of those laws ("tujuan" for "purpose", "pengawasan" for
#: "authority") would draw their units into every query that uses the English word.
LEXICON: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("personal information|personal data",
     ("个人信息", "个人数据", "data pribadi", "dữ liệu cá nhân", "thông tin cá nhân")),
    ("sensitive personal information|sensitive personal data|sensitive data",
     ("敏感个人信息", "data pribadi yang bersifat spesifik")),
    ("transfer abroad|cross-border transfer|transfer outside|transfer of personal data "
     "outside|transfer of personal information outside|outbound transfer|overseas transfer|"
     "transferred abroad|provide abroad|abroad|overseas|outside the country|cross-border|"
     "outbound|foreign country|another country|outside the territory",
     ("向境外提供", "出境", "跨境", "境外", "luar wilayah hukum", "luar negeri",
      "nước ngoài")),
    ("security assessment", ("安全评估",)),
    ("condition|conditions|requirements", ("条件",)),
    ("standard contract", ("标准合同",)),
    ("certification", ("认证", "sertifikasi")),
    ("consent|agree", ("同意", "persetujuan")),
    ("withdraw consent|withdrawal of consent", ("撤回", "同意", "menarik kembali persetujuan")),
    ("data subject|individual", ("个人", "subjek data pribadi")),
    ("personal information processor|data controller|controller|data user",
     ("个人信息处理者", "pengendali data pribadi")),
    ("entrusted|processor|data intermediary",
     ("受托人", "委托处理", "prosesor data pribadi")),
    ("data localization|localisation|store within|stored domestically|storage",
     ("境内存储", "存储", "penempatan", "penyimpanan", "lưu trữ")),
    ("critical information infrastructure",
     ("关键信息基础设施", "infrastruktur informasi vital")),
    ("important data", ("重要数据",)),
    ("cybersecurity|network security|cyber security",
     ("网络安全", "keamanan siber")),
    ("network operator", ("网络运营者", "penyelenggara sistem elektronik")),
    ("data security", ("数据安全", "keamanan data")),
    ("data classification|classified and graded|classification", ("分类分级",)),
    ("electronic commerce|e-commerce",
     ("电子商务", "perdagangan melalui sistem elektronik", "transaksi elektronik",
      "thương mại điện tử")),
    ("e-commerce platform|online platform|platform operator",
     ("电子商务平台", "平台", "penyelenggara sistem elektronik")),
    ("consumer protection|consumer", ("消费者", "konsumen")),
    ("electronic signature", ("电子签名", "tanda tangan elektronik", "chữ ký điện tử")),
    ("electronic contract|contract", ("合同", "kontrak elektronik", "hợp đồng")),
    ("unsolicited|spam|commercial electronic message", ("商业性", "广告")),
    ("advertising|advertisement", ("广告", "iklan", "quảng cáo")),
    ("minor|child|children", ("未成年人", "不满十四周岁", "anak", "trẻ em")),
    ("deletion|erasure|delete|erase", ("删除", "penghapusan", "pemusnahan", "xóa")),
    ("access request|right of access|access to personal", ("查阅", "复制", "akses")),
    ("correction|rectification|correct", ("更正", "补充", "memperbarui", "memperbaiki")),
    ("portability", ("转移",)),
    ("breach|leak|leakage|data breach",
     ("泄露", "篡改", "丢失", "kegagalan pelindungan data pribadi")),
    ("notification|notify", ("通知", "告知", "pemberitahuan", "thông báo")),
    ("automated decision|automated decision-making|profiling", ("自动化决策",)),
    ("anonymisation|anonymization|anonymised|anonymized", ("匿名化",)),
    ("de-identification|pseudonymisation", ("去标识化",)),
    ("penalty|fine|fines|penalties", ("罚款", "sanksi administratif", "denda", "xử phạt")),
    ("liability|legal liability", ("法律责任",)),
    ("compensation|damages", ("赔偿", "ganti rugi", "bồi thường")),
    ("encryption|cryptography", ("密码", "加密", "enkripsi", "kriptografi", "mật mã")),
    ("export control", ("出口管制",)),
    ("customs duties|customs duty|tariff", ("关税", "bea masuk")),
    ("intellectual property", ("知识产权", "hak kekayaan intelektual")),
    ("government data|open government data|public data", ("政务数据",)),
    ("source code", ("源代码", "kode sumber", "mã nguồn")),
    ("personal information protection officer|data protection officer",
     ("个人信息保护负责人", "pejabat pelindungan data pribadi")),
    ("impact assessment|risk assessment", ("影响评估", "风险评估", "penilaian dampak")),
    ("audit|compliance audit", ("合规审计", "审计", "audit")),
    ("biometric|facial recognition", ("生物识别", "人脸", "biometrik")),
    ("health|medical", ("医疗健康", "kesehatan")),
    ("financial account", ("金融账户",)),
    ("location|whereabouts", ("行踪轨迹",)),
    ("state secret|national security",
     ("国家安全", "国家秘密", "keamanan negara")),
    ("international treaty|international agreement",
     ("国际条约", "协定", "perjanjian internasional")),
    ("reciprocity|retaliation|discriminatory measures", ("对等", "歧视性")),
    ("public interest", ("公共利益", "kepentingan umum")),
    ("purpose limitation|specified purpose|purpose", ("目的",)),
    ("retention|retain", ("保存期限", "保存", "retensi", "menyimpan")),
    ("disclose|disclosure", ("公开", "披露", "pengungkapan", "mengungkapkan")),
    ("supervision|regulator|authority", ("监督管理", "部门")),
    ("complaint|report", ("投诉", "举报", "pengaduan")),
    # concepts of electronic-transactions law
    ("electronic system operator|service provider|electronic system",
     ("penyelenggara sistem elektronik", "sistem elektronik")),
    ("electronic document|electronic documents|electronic record|electronic records|"
     "electronic information|data message|electronic communication|"
     "electronic communications",
     ("数据电文", "informasi elektronik", "dokumen elektronik", "thông điệp dữ liệu")),
    ("electronic transaction|electronic transactions", ("transaksi elektronik",)),
    ("electronic certificate|electronic certificates|digital certificate|"
     "certification authority|certificate authority|certification service provider",
     ("电子认证", "sertifikat elektronik", "penyelenggara sertifikasi elektronik")),
    ("trustmark|reliability certification|trust mark",
     ("认证", "sertifikat keandalan", "lembaga sertifikasi keandalan")),
    ("unauthorised access|unauthorized access|illegal access|hacking|hack|hacker",
     ("akses ilegal", "tanpa hak", "mengakses")),
    ("interception|intercept|wiretapping", ("intersepsi", "penyadapan")),
    ("evidence|legal evidence|admissible", ("alat bukti hukum", "alat bukti")),
    ("dispute resolution|dispute|disputes", ("penyelesaian sengketa", "sengketa")),
    ("block|blocked|blocking|take down|takedown|termination of access",
     ("pemutusan akses", "chặn")),
    ("registration|register|registered|licence|license|licensed",
     ("pendaftaran", "wajib melakukan pendaftaran")),
    ("offence|offences|offense|crime|criminal", ("pidana", "tindak pidana")),
    ("legal validity|legal effect|legally valid|legally binding|validity",
     ("akibat hukum", "hiệu lực pháp lý")),
    ("reliable and secure|securely|secure|security measures",
     ("andal dan aman", "pengamanan")),
    ("cancellation|cancel|withdraw|withdrawal", ("pembatalan",)),
    ("law enforcement|police|investigator|investigation",
     ("penyidik", "penyidikan")),
)

#: Trade-law concepts: English treaty phrases (``|``-separated) -> the wording of national
#: laws in Chinese and Indonesian (``concept_groups`` only, for ``links``: a treaty's English
#: meets a national statute lexically). Written from the taxonomy's topics, not from any
#: one commitment.
CONCEPTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("electronic signature|electronic signatures|electronic authentication|authentication|"
     "digital certificate|digital certificates|certificates",
     ("电子签名", "电子认证", "tanda tangan elektronik", "sertifikat elektronik",
      "autentikasi")),
    ("electronic transaction|electronic transactions|uncitral|model law",
     ("数据电文", "电子签名", "transaksi elektronik", "informasi elektronik")),
    ("electronic record|electronic records|electronic document|electronic documents|"
     "electronic form|electronic information|data message|electronically|legal equivalent",
     ("数据电文", "电子形式", "informasi elektronik", "dokumen elektronik")),
    ("electronic commerce|e-commerce",
     ("电子商务", "transaksi elektronik", "perdagangan melalui sistem elektronik")),
    ("paperless|paperless trading|trade administration documents",
     ("无纸化", "电子单证", "单证", "dokumen elektronik")),
    ("customs duties|customs duty|electronic transmissions",
     ("关税", "bea masuk", "kepabeanan")),
    ("consumer|consumers|consumer protection|fraudulent|deceptive",
     ("消费者", "欺诈", "konsumen", "perlindungan konsumen")),
    ("unsolicited|spam|commercial electronic message|commercial electronic messages",
     ("商业性", "广告", "tanpa persetujuan")),
    ("personal information|personal data|privacy", ("个人信息", "data pribadi", "privasi")),
    ("computing facilities|data centre|data center|server|servers",
     ("境内存储", "服务器", "pusat data", "penempatan sistem elektronik")),
    ("cross-border|transfer abroad|outside the territory",
     ("境外", "跨境", "出境", "luar wilayah")),
    ("cooperation|co-operation|capacity building|exchange information|share information",
     ("合作", "交流", "kerja sama")),
    ("cybersecurity|cyber security|computer security incidents|malicious code",
     ("网络安全", "安全事件", "keamanan siber", "insiden")),
    ("source code", ("源代码", "kode sumber")),
    ("small and medium enterprises|smes", ("中小企业", "usaha mikro")),
)

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


@lru_cache(maxsize=1)
def _tables() -> tuple[list[tuple[str, tuple[str, ...]]], list[tuple[str, tuple[str, ...]]]]:
    en_zh: list[tuple[str, tuple[str, ...]]] = []
    zh_en: dict[str, list[str]] = {}
    for phrases, zh in LEXICON:
        names = [p.strip() for p in phrases.split("|") if p.strip()]
        for name in names:
            en_zh.append((name, zh))
        for term in filter(has_han, zh):  # a Chinese query is matched on Chinese terms
            zh_en.setdefault(term, [])
            zh_en[term].extend(n for n in names[:2] if n not in zh_en[term])
    en_zh.sort(key=lambda e: -len(e[0]))
    zh_list = sorted(((t, tuple(v)) for t, v in zh_en.items()), key=lambda e: -len(e[0]))
    return en_zh, zh_list


@lru_cache(maxsize=1)
def _siblings() -> dict[str, tuple[str, ...]]:
    """Chinese term -> the other Chinese terms of its lexicon entries (synonyms)."""
    out: dict[str, list[str]] = {}
    for _, terms in LEXICON:
        zh = [t for t in terms if has_han(t)]
        for term in zh:
            out.setdefault(term, []).extend(t for t in zh if t != term)
    return {t: tuple(dict.fromkeys(v)) for t, v in out.items()}


def _has_cjk(text: str) -> bool:
    return has_han(text)


def translate_groups(query: str) -> list[tuple[str, ...]]:
    """Terms of the other language for the lexicon phrases found in ``query`` (pure).

    A Chinese query also gets the other Chinese terms of the entries it matched
    (``出境`` brings ``境外``: a law says one or the other).

    English phrases match whole words, longest first, and a matched span is not matched
    again by a shorter phrase; Chinese terms match as substrings, longest first. Terms come
    back grouped by the query phrase they translate, in order of first appearance.

    >>> [g[:3] for g in translate_groups("personal data sent abroad")]
    [('个人信息', '个人数据', 'data pribadi'), ('向境外提供', '出境', '跨境')]
    """
    en_zh, zh_en = _tables()
    out: list[tuple[str, ...]] = []
    if _has_cjk(query):
        rest = query
        for term, english in zh_en:
            if term in rest:
                out.append((*english, *(zh for zh in _siblings()[term] if zh not in query)))
                rest = rest.replace(term, " ")
        return out
    words = " " + " ".join(_WORD.findall(query.lower())) + " "
    for phrase, zh in en_zh:
        needle = f" {phrase} "
        if needle in words:
            out.append(zh)
            words = words.replace(needle, " | ")
    return out


def translate(query: str) -> list[str]:
    """:func:`translate_groups` flattened, each term once (pure)."""
    return list(dict.fromkeys(t for group in translate_groups(query) for t in group))


def concept_groups(text: str) -> list[tuple[str, ...]]:
    """Every term, in both languages, of the lexicon entries whose phrases ``text`` uses (pure).

    Where :func:`translate_groups` gives the other language only, this gives the whole entry:
    the English synonyms as well ("cross-border transfer" brings "transfer abroad", "outside
    the country"), so a treaty's wording finds a national law's. One group per entry, in
    order of first appearance; the phrase found comes first.

    >>> concept_groups("cross-border transfer of information")[0][:3]
    ('cross-border transfer', 'transfer abroad', 'transfer outside')
    """
    out: dict[int, list[str]] = {}
    entries = [([p.strip() for p in phrases.split("|") if p.strip()], zh)
               for phrases, zh in (*LEXICON, *CONCEPTS)]
    if _has_cjk(text):
        for i, (names, zh) in enumerate(entries):
            hit = [t for t in zh if t in text]
            if hit:
                out[i] = [*hit, *names, *(t for t in zh if t not in hit)]
        return [tuple(dict.fromkeys(v)) for v in out.values()]
    words = " " + " ".join(_WORD.findall(text.lower())) + " "
    found: list[tuple[int, int, str]] = []
    phrases = sorted({p for names, _ in entries for p in names}, key=lambda p: -len(p))
    for phrase in phrases:
        needle = f" {phrase} "
        pos = words.find(needle)
        if pos >= 0:
            # a phrase may name entries of both tables: each gets it
            found.extend((pos, i, phrase) for i, (names, _) in enumerate(entries)
                         if phrase in names)
            words = words.replace(needle, " | ")
    for _, entry, phrase in sorted(found):
        names, zh = entries[entry]
        group = out.setdefault(entry, [])
        group.extend([phrase, *names, *zh])
    return [tuple(dict.fromkeys(v)) for v in out.values()]
