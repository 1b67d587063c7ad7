"""A deterministic stand-in for the embedding model: fast, offline, and it counts its work."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Sequence

import numpy as np

DIM = 256


class HashingEmbedder:
    """Character unigrams and bigrams hashed into a fixed-size unit vector."""

    def __init__(self, name: str = "fake-hash-256", delay: float = 0.0):
        self.name = name
        self.delay = delay  # seconds per document, to make an ingest slow enough to kill
        self.embedded = 0

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(DIM, dtype=np.float32)
        grams = list(text) + [text[i:i + 2] for i in range(len(text) - 1)]
        for gram in grams:
            if gram.strip():
                vector[int(hashlib.md5(gram.encode()).hexdigest()[:8], 16) % DIM] += 1.0
        norm = np.linalg.norm(vector)
        return vector / norm if norm else vector

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if self.delay:
            time.sleep(self.delay * len(texts))
        self.embedded += len(texts)
        return np.stack([self._vector(t) for t in texts])


class HeldEmbedder(HashingEmbedder):
    """Answers a question only once `release` is set, keeping the app's one worker busy until then."""

    def __init__(self):
        super().__init__()
        self.holding, self.release = threading.Event(), threading.Event()

    def embed_query(self, text: str):
        self.holding.set()
        self.release.wait(timeout=120)
        return super().embed_query(text)


class GatedEmbedder(HashingEmbedder):
    """Computes document vectors only once `release` is set (a background build held midway); with
    `fail_after`, raises after that many batches (a build that stops, as on a restart)."""

    def __init__(self, fail_after: int | None = None):
        super().__init__()
        self.release = threading.Event()
        self.fail_after = fail_after
        self.batches = 0

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.release.wait(timeout=600)
        if self.fail_after is not None and self.batches >= self.fail_after:
            raise RuntimeError("嵌入进程已退出")
        self.batches += 1
        return super().embed_documents(texts)
