"""Embedding models behind one small interface, plus a persistent cache of document vectors."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from rag.config import Settings
from rag.models import EMBEDDINGGEMMA, is_verified


class Embedder(Protocol):
    """Turns questions and chunk texts into unit-length vectors."""

    name: str  # identifies the model in cache keys: change the model, miss the cache

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...


class SentenceTransformerEmbedder:
    """Any local sentence-transformers folder; query/document prompts when the model has them."""

    def __init__(self, model_dir: Path, bfloat16: bool = False, batch_size: int = 8):
        self.model_dir = model_dir
        self.bfloat16 = bfloat16
        self.batch_size = batch_size
        self.name = f"{model_dir.name}{'-bf16' if bfloat16 else ''}"
        self._model = None  # loaded on first use: a no-op ingest never pays for it
        self._loading = threading.Lock()  # the app warms up in the background while a request may arrive

    @property
    def model(self):
        with self._loading:
            return self._load()

    def _load(self):
        if self._model is None:
            if not (self.model_dir / "modules.json").is_file():
                raise FileNotFoundError(f"{self.model_dir} 不是 sentence-transformers 模型目录；请先运行 `rag models fetch`")
            import torch
            from sentence_transformers import SentenceTransformer

            kwargs = {"torch_dtype": torch.bfloat16} if self.bfloat16 else {}
            self._model = SentenceTransformer(str(self.model_dir), device="cpu", model_kwargs=kwargs,
                                              local_files_only=True)
        return self._model

    def _encoder(self, role: str):
        prompts = getattr(self.model, "prompts", {}) or {}
        if role in prompts:  # query/document prompts (EmbeddingGemma, e5-style models)
            return self.model.encode_query if role == "query" else self.model.encode_document
        return self.model.encode

    def embed_query(self, text: str) -> np.ndarray:
        vector = self._encoder("query")([text], normalize_embeddings=True)
        return np.asarray(vector[0], dtype=np.float32)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._encoder("document")(list(texts), batch_size=self.batch_size, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)


def model_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    """The configured model (RAG_MODEL_PATH, else the fetched default), not loaded yet."""
    model_dir = settings.model_path or settings.model_cache / EMBEDDINGGEMMA.name
    if settings.model_path is None and not is_verified(model_dir):
        raise FileNotFoundError(f"嵌入模型尚未就绪：{model_dir}。请先运行 `rag models fetch`（或 ./scripts/setup）")
    return SentenceTransformerEmbedder(Path(model_dir), bfloat16=settings.bfloat16)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Document vectors keyed by model name + text hash, so nothing is embedded twice.

    Each batch is committed as soon as it is computed: a run killed halfway keeps its work.
    """

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=30)
        self.db.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT, hash TEXT, vector BLOB, PRIMARY KEY (model, hash))")
        self.db.commit()

    def get(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(hashes), 500):
            batch = list(hashes[start:start + 500])
            marks = ",".join("?" * len(batch))
            rows = self.db.execute(f"SELECT hash, vector FROM vectors WHERE model = ? AND hash IN ({marks})",
                                   [model, *batch])
            found.update({h: np.frombuffer(v, dtype=np.float32) for h, v in rows})
        return found

    def put(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                            [(model, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in vectors.items()])
        self.db.commit()


def embed_with_cache(embedder: Embedder, cache: EmbeddingCache, texts: Sequence[str], batch_size: int = 64,
                     on_batch: Callable[[int], None] | None = None) -> tuple[np.ndarray, int]:
    """Vectors for texts, computing only the ones the cache lacks. Returns (vectors, computed count)."""
    hashes = [text_hash(t) for t in texts]
    known = cache.get(embedder.name, hashes)
    # shortest first: each batch holds texts of similar length, so little of it is padding
    missing = sorted((i for i, h in enumerate(hashes) if h not in known), key=lambda i: len(texts[i]))
    if on_batch:
        on_batch(len(texts) - len(missing))
    for start in range(0, len(missing), batch_size):
        batch = missing[start:start + batch_size]
        vectors = embedder.embed_documents([texts[i] for i in batch])
        fresh = {hashes[i]: vector for i, vector in zip(batch, vectors, strict=True)}
        cache.put(embedder.name, fresh)
        known.update(fresh)
        if on_batch:
            on_batch(len(batch))
    return np.stack([known[h] for h in hashes]) if hashes else np.zeros((0, 0), np.float32), len(missing)
