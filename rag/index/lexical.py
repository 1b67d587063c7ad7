"""BM25 over jieba tokens, persisted per index generation beside the Chroma data."""

from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import bm25s
import jieba
import jieba.posseg
import numpy as np

from rag.documents.corpus import file_sha256

# Words the stock dictionary splits apart; without them 低保 matches nothing and 特困人员 matches 人员.
DOMAIN_WORDS = (
    "低保", "最低生活保障", "低保边缘", "特困人员", "特困供养", "刚性支出", "临时救助", "医疗救助", "教育救助",
    "住房救助", "就业救助", "照料护理", "低收入人口", "防止返贫", "专精特新", "以旧换新", "设备更新", "基准地价",
    "土地使用税", "许政办", "许政", "责任单位", "牵头单位", "分散供养", "集中供养", "适老化", "两癌", "取暖补贴",
    "营商环境", "智造之都", "宜居之城", "双过半", "中医药", "高新技术企业", "科技型中小企业", "政务服务",
    "公租房", "五保", "低保户", "低保金",
)
STOPWORDS = frozenset("的 了 和 与 及 或 是 在 等 对 为 把 被 将 由 从 向 以 于 其 之 有 也 都 就 要 能 会 吗 呢 吧 啊 么 什么 怎么 "
                      "多少 哪些 哪个 如何 是否 可以 我 我们 你 他 她 它 这 那 这个 那个 一个 请问".split())
_TOKEN = re.compile(r"[\w\u4e00-\u9fff]")
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]+")
MAX_ABBREVIATION_GAP = 3  # characters between an abbreviation's characters in the full term: 最低生活保障
_initialized: set[str] = set()


def init_jieba(cache_dir: Path) -> None:
    """Point jieba's dictionary cache into our data dir and add the domain words, once."""
    key = str(cache_dir)
    if key in _initialized:
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    jieba.setLogLevel(logging.WARNING)
    jieba.dt.tmp_dir = str(cache_dir)
    for word in DOMAIN_WORDS:
        jieba.add_word(word, freq=200000, tag="n")  # nouns: what a question is about
    # load the dictionaries now: jieba's lazy first use is not safe from several threads at once
    jieba.initialize()
    jieba.posseg.lcut("初始化")
    _initialized.add(key)


def tokenize(text: str) -> list[str]:
    return [t for t in jieba.lcut_for_search(text) if _TOKEN.search(t) and t not in STOPWORDS]


CHECKSUMS = "checksums.json"


# the sentence index, the vocabulary and the chunks (rag.index.chunkfile) share the folder and keep their own checks
NOT_BM25 = ("sentence", "vocabulary", "chunks")


def _checksums(folder: Path) -> dict[str, str]:
    """sha256 of every BM25 file in the folder."""
    return {p.name: file_sha256(p) for p in sorted(folder.iterdir())
            if p.is_file() and p.name != CHECKSUMS and not p.name.startswith(NOT_BM25)}


class LexicalIndex:
    """A BM25 index over chunk ids; `search` returns (chunk_id, score) best first."""

    def __init__(self, ids: Sequence[str], retriever: bm25s.BM25 | None, document_frequency: dict[str, int]):
        self.ids = list(ids)
        self.retriever = retriever
        self.document_frequency = document_frequency
        self._full_forms: dict[str, list[str]] = {}

    def idf(self, term: str) -> float:
        """Inverse document frequency; a term the corpus never uses weighs the most."""
        count = len(self.ids) or 1
        return math.log((count + 1) / (self.document_frequency.get(term, 0) + 0.5))

    def weighted_words(self, text: str) -> dict[str, float]:
        """The text's words of two or more characters that the documents use, each with its IDF."""
        return {w: self.idf(w) for w in dict.fromkeys(tokenize(text)) if len(w) >= 2 and self.document_frequency.get(w)}

    def share_in(self, words: dict[str, float], text: str) -> float:
        """The weighted share of the words (weighted_words) a text holds, a word counting through the documents'
        full form of it (低保 in a text that says 最低生活保障)."""
        total = sum(words.values()) or 1.0
        return sum(w for word, w in words.items() if any(form in text for form in self.forms(word))) / total

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str]) -> LexicalIndex:
        if not ids:
            return cls([], None, {})
        tokens = [tokenize(t) or ["∅"] for t in texts]
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        return cls(ids, retriever, dict(Counter(t for doc in tokens for t in set(doc))))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self.retriever is not None:
            self.retriever.save(str(folder), show_progress=False)
        (folder / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")
        (folder / "df.json").write_text(json.dumps(self.document_frequency, ensure_ascii=False), encoding="utf-8")
        # written last: its presence says the folder is complete, its hashes that nothing changed since
        (folder / CHECKSUMS).write_text(json.dumps(_checksums(folder)), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        """The saved index, or None when it is missing, half-written or damaged (then it is rebuilt)."""
        try:
            expected = json.loads((folder / CHECKSUMS).read_text(encoding="utf-8"))
            if _checksums(folder) != expected:
                return None
            ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
            frequency = json.loads((folder / "df.json").read_text(encoding="utf-8"))
            if not ids:
                return cls([], None, {})
            return cls(ids, bm25s.BM25.load(str(folder), show_progress=False), frequency)
        except (OSError, ValueError, KeyError):
            return None

    @staticmethod
    def damaged(folder: Path) -> Path | None:
        """The first file of a saved index whose hash differs from the one written with it (None: intact, or
        never completed)."""
        try:
            expected = json.loads((folder / CHECKSUMS).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return folder / CHECKSUMS
        if not isinstance(expected, dict):
            return folder / CHECKSUMS
        found = _checksums(folder)
        return next((folder / name for name in sorted(set(expected) | set(found))
                     if expected.get(name) != found.get(name)), None)

    def full_forms(self, word: str) -> list[str]:
        """The documents' longer term that a short word abbreviates, learned from the index's own vocabulary
        (so a new document brings its own): 低保 → 最低生活保障, 医保 → 医疗保障. A term qualifies when it
        holds the word's characters in order with other characters between them (not the word itself) and
        the documents use it more often than the short form; the most used one is taken."""
        found = self._full_forms.get(word)
        if found is None:
            pattern = re.compile(f"[^{word[0]}]{{0,{MAX_ABBREVIATION_GAP}}}".join(map(re.escape, word)))
            own = self.document_frequency.get(word, 0)
            candidates = [(count, term) for term, count in self.document_frequency.items()
                          if len(term) > len(word) + 1 and word not in term and count > own and pattern.search(term)]
            found = self._full_forms[word] = [max(candidates)[1]] if candidates else []
        return found

    def forms(self, word: str) -> tuple[str, ...]:
        """A word and, for a short one (2–3 characters) the documents abbreviate, its full form."""
        short = 2 <= len(word) <= 3 and _CJK_WORD.fullmatch(word)
        return (word, *self.full_forms(word)) if short else (word,)

    def expanded(self, query: str) -> list[str]:
        """The query's tokens with the full form of each short word the documents abbreviate."""
        tokens = tokenize(query)
        extra = [full for t in tokens for full in self.forms(t)[1:]]
        return tokens + [t for full in dict.fromkeys(extra) for t in tokenize(full)]

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Top-k chunk ids; allowed is a 0/1 mask over the index order (metadata filters)."""
        tokens = [t for t in self.expanded(query) if t in self.retriever.vocab_dict] if self.retriever else []
        if not tokens:
            return []
        k = min(k, len(self.ids))
        documents, scores = self.retriever.retrieve([tokens], k=k, show_progress=False, weight_mask=allowed)
        return [(self.ids[int(d)], float(s)) for d, s in zip(documents[0], scores[0], strict=True) if s > 0]
