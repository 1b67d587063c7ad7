"""The documents' own words with their vectors: a word a person uses and the documents never do (暖气, 饭馆)
is matched to the documents' words nearest in meaning (取暖, 供暖; 餐饮) by the embedding model.

Learned from the index's own vocabulary at ingest, so a new document brings its words. Only words that
can name a thing (nouns, verbs) used by at least two clauses, 2–4 characters long: a word one clause uses
is mostly a segmenter's accident, and longer ones are phrases the segmenter left whole.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import jieba.posseg
import numpy as np

from rag.documents.corpus import file_sha256

TERMS_FILE = "vocabulary.json"
VECTORS_FILE = "vocabulary.npy"
WORD = re.compile(r"[\u4e00-\u9fff]{2,4}")
MIN_CLAUSES = 2
# a word and one of the documents' words mean the same thing at or above this cosine (暖气/取暖 0.60,
# 低保户/低保 0.67, 孩子/子女 0.57); below it the model mostly matches shared characters (五保/保供 0.50,
# 能领/引领 0.51). Chosen on words outside the question sets, checked on the tuning set.
SAME_MEANING = 0.55
NEAREST = 3


@dataclass(frozen=True)
class Vocabulary:
    terms: list[str]
    vectors: np.ndarray  # (terms, dim), unit length

    @classmethod
    def build(cls, document_frequency: Mapping[str, int], embed: Callable[[list[str]], np.ndarray]) -> Vocabulary:
        """embed: texts → vectors (cached by the caller)."""
        terms = sorted(t for t, count in document_frequency.items()
                       if count >= MIN_CLAUSES and WORD.fullmatch(t) and _names_a_thing(t))
        vectors = embed(terms) if terms else np.zeros((0, 1), np.float32)
        return cls(terms, np.asarray(vectors, dtype=np.float32))

    def nearest(self, vector: np.ndarray) -> list[str]:
        """The documents' words that mean what the vector's word means, closest first."""
        if not self.terms:
            return []
        similarity = self.vectors @ vector
        best = np.argsort(-similarity)[:NEAREST]
        return [self.terms[i] for i in best if similarity[i] >= SAME_MEANING]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / VECTORS_FILE, self.vectors)
        listing = {"terms": self.terms, "sha256": file_sha256(folder / VECTORS_FILE)}
        (folder / TERMS_FILE).write_text(json.dumps(listing, ensure_ascii=False), encoding="utf-8")

    @staticmethod
    def damaged(folder: Path) -> Path | None:
        """The vectors file when it differs from the hash written with it (None: intact, or never written)."""
        try:
            expected = json.loads((folder / TERMS_FILE).read_text(encoding="utf-8"))["sha256"]
            return None if file_sha256(folder / VECTORS_FILE) == expected else folder / VECTORS_FILE
        except (OSError, ValueError, KeyError):
            return None

    @classmethod
    def load(cls, folder: Path) -> Vocabulary | None:
        """The saved vocabulary, or None when it is missing, half-written or damaged (then it is rebuilt)."""
        try:
            listing = json.loads((folder / TERMS_FILE).read_text(encoding="utf-8"))
            if listing["sha256"] != file_sha256(folder / VECTORS_FILE):
                return None
            vectors = np.load(folder / VECTORS_FILE)
        except (OSError, ValueError, KeyError):
            return None
        return cls(listing["terms"], vectors) if len(vectors) == len(listing["terms"]) else None


def _names_a_thing(term: str) -> bool:
    words = jieba.posseg.lcut(term)
    return len(words) == 1 and words[0].flag[:1] in ("n", "v")
