"""Embedding models behind one small interface, plus a persistent cache of document vectors."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from rag.config import Settings
from rag.index.models import (
    EMBEDDINGGEMMA,
    MARKER,
    ONNX_GRAPH,
    BrokenExport,
    export_dir_for,
    is_exported,
    is_verified,
)

# tokens per ONNX batch (rows × longest row): about eight clauses or thirty sentences (eval/bench.md)
BATCH_TOKENS = 1536
# characters per batch handed to the embedder and committed to the cache: a few seconds of work, whether
# clauses (~15 a batch) or the documents' words (~1000)
BATCH_CHARS = 4000
DTYPE_SUFFIX = {"float32": "", "bfloat16": "-bf16", "bf16-matmul": "-bf16mm"}


class Embedder(Protocol):
    """Turns questions and chunk texts into unit-length vectors."""

    name: str  # identifies the model in cache keys: change the model, miss the cache

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...


class SentenceTransformerEmbedder:
    """Any local sentence-transformers folder; query/document prompts when the model has them. dtype: float32,
    bfloat16 (weights and activations in bf16) or bf16-matmul (float32 weights, matrix products in bf16 under
    torch autocast): each has its own name, so the embedding cache and the index never mix their vectors."""

    def __init__(self, model_dir: Path, dtype: str = "float32", batch_size: int = 8):
        self.model_dir = model_dir
        self.dtype = dtype
        self.batch_size = batch_size
        self.name = model_dir.name + DTYPE_SUFFIX[dtype]
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

            kwargs = {"torch_dtype": torch.bfloat16} if self.dtype == "bfloat16" else {}
            self._model = SentenceTransformer(str(self.model_dir), device="cpu", model_kwargs=kwargs,
                                              local_files_only=True)
        return self._model

    def _precision(self):
        """bf16-matmul: the matrix products in bf16 (AMX), norms, softmax and the residual stream in float32."""
        import torch

        return torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.dtype == "bf16-matmul")

    def _encoder(self, role: str):
        prompts = getattr(self.model, "prompts", {}) or {}
        if role in prompts:  # query/document prompts (EmbeddingGemma, e5-style models)
            return self.model.encode_query if role == "query" else self.model.encode_document
        return self.model.encode

    def embed_query(self, text: str) -> np.ndarray:
        return self._unit(self._encoder("query"), [text])[0]

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._unit(self._encoder("document"), list(texts))

    def _unit(self, encode, texts: list[str]) -> np.ndarray:
        """Unit length in float32: under autocast the model's own normalisation runs in bf16 and leaves lengths up
        to 0.4% off 1, which every dot-product score would carry."""
        if not texts:  # as OnnxEmbedder: no texts, no vectors
            return np.zeros((0, 0), np.float32)
        with self._precision():
            vectors = encode(texts, batch_size=self.batch_size, convert_to_numpy=False, convert_to_tensor=True)
        vectors = vectors.float().numpy()
        return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


class OnnxEmbedder:
    """EmbeddingGemma's transformer as an ONNX graph run by onnxruntime, with the sentence-transformers
    modules around it (prompt, mean pooling, the two dense layers, normalisation) done here in numpy: no torch
    in the process. Same vectors as SentenceTransformerEmbedder (cosine ≥ 0.99999, tests/test_real_model.py),
    so it shares its name, its embedding cache and its index."""

    def __init__(self, model_dir: Path, name: str, batch_tokens: int = BATCH_TOKENS, threads: int | None = None):
        self.model_dir = model_dir
        self.name = name
        self.batch_tokens = batch_tokens
        self.threads = threads
        self._parts = None  # (session, tokenizer, prompts, dense layers): loaded on first use
        self._loading = threading.Lock()

    def _load(self):
        with self._loading:
            if self._parts is None:
                import onnxruntime
                from safetensors.numpy import load_file
                from tokenizers import Tokenizer

                options = onnxruntime.SessionOptions()
                # the graph was optimised for this CPU when it was exported (rag.index.models): loading it as it is
                # takes ~1 s, optimising again ~15 s
                options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
                if self.threads:
                    options.intra_op_num_threads = self.threads
                try:
                    session = onnxruntime.InferenceSession(str(self.model_dir / ONNX_GRAPH), options,
                                                           providers=["CPUExecutionProvider"])
                except Exception as error:  # onnxruntime raises its own types for a broken file
                    if is_exported(self.model_dir, check_hash=True):
                        raise  # the files are as exported: a passing failure (memory, …), not a broken export
                    (self.model_dir / MARKER).unlink(missing_ok=True)  # the next `rag models fetch` exports again
                    raise BrokenExport(self.model_dir) from error
                tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
                settings = json.loads((self.model_dir / "config_sentence_transformers.json").read_text("utf-8"))
                modules = json.loads((self.model_dir / "modules.json").read_text("utf-8"))
                dense = [load_file(self.model_dir / m["path"] / "model.safetensors")["linear.weight"].T.copy()
                         for m in modules if m["type"].endswith("Dense")]
                self._parts = (session, tokenizer, settings.get("prompts", {}), dense)
        return self._parts

    def _embed(self, texts: Sequence[str], role: str) -> np.ndarray:
        session, tokenizer, prompts, dense = self._load()
        prompt = prompts.get(role, "")
        if not texts:
            return np.zeros((0, 0), np.float32)
        all_encodings = tokenizer.encode_batch([prompt + t for t in texts])
        lengths = [len(e.ids) for e in all_encodings]
        order = sorted(range(len(texts)), key=lengths.__getitem__)
        vectors: list[np.ndarray] = [np.empty(0)] * len(texts)
        for batch in padded_batches(order, lengths, self.batch_tokens):
            encodings = [all_encodings[i] for i in batch]
            width = max(len(e.ids) for e in encodings)
            ids = np.zeros((len(encodings), width), dtype=np.int64)  # 0 is the padding token
            mask = np.zeros_like(ids)
            for row, encoding in enumerate(encodings):
                ids[row, :len(encoding.ids)] = encoding.ids
                mask[row, :len(encoding.ids)] = 1
            (tokens,) = session.run(None, {"input_ids": ids, "attention_mask": mask})
            pooled = (tokens * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)  # mean of real tokens
            for weight in dense:
                pooled = pooled @ weight
            for i, vector in zip(batch, pooled / np.linalg.norm(pooled, axis=1, keepdims=True), strict=True):
                vectors[i] = vector
        return np.stack(vectors).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._embed([text], "query")[0]

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(list(texts), "document")


def padded_batches(order: list[int], lengths: list[int], budget: int) -> list[list[int]]:
    """Items taken in `order` (shortest first), cut into batches whose padded size (rows × longest) is at most
    `budget`, at least one item each. For the ONNX graph's tokens: on two cores a batch of eight 180-token
    clauses and one of thirty 50-token sentences run near the same speed per token, while eight 10-token
    words leave the matrix products half idle (eval/bench.md)."""
    batches: list[list[int]] = []
    for i in order:
        if batches and (len(batches[-1]) + 1) * lengths[i] <= budget:
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches


def model_embedder(settings: Settings) -> Embedder:
    """The configured model (RAG_MODEL_PATH, else the fetched default) on the configured backend, not loaded
    yet. A model of one's own runs on torch: only the default is exported to ONNX."""
    if settings.model_path is not None:
        return SentenceTransformerEmbedder(settings.model_path, dtype=settings.embed_dtype)
    model_dir = settings.model_cache / EMBEDDINGGEMMA.name
    if not is_verified(model_dir):
        raise FileNotFoundError(f"嵌入模型尚未就绪：{model_dir}。请先运行 `rag models fetch`（或 ./scripts/setup）")
    if settings.embed_backend == "torch" or settings.embed_dtype != "float32":
        return SentenceTransformerEmbedder(model_dir, dtype=settings.embed_dtype)
    export_dir = export_dir_for(settings.model_cache)
    if not is_exported(export_dir):
        raise FileNotFoundError(f"ONNX 模型尚未导出：{export_dir}。请先运行 `rag models fetch`"
                                "（或设 RAG_EMBED_BACKEND=torch）")
    return OnnxEmbedder(export_dir, name=model_dir.name)


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


def embed_with_cache(embedder: Embedder, cache: EmbeddingCache, texts: Sequence[str], batch_chars: int = BATCH_CHARS,
                     on_batch: Callable[[int], None] | None = None) -> tuple[np.ndarray, int]:
    """Vectors for texts, computing only the ones the cache lacks. Returns (vectors, computed count)."""
    hashes = [text_hash(t) for t in texts]
    known = cache.get(embedder.name, hashes)
    # each text once (a sentence or clause repeated in several documents is common), shortest first: each
    # batch holds texts of similar length, so little of it is padding
    first_of = {h: i for i, h in reversed(list(enumerate(hashes))) if h not in known}
    missing = sorted(first_of.values(), key=lambda i: len(texts[i]))
    if on_batch:
        on_batch(len(texts) - len(missing))
    for batch in padded_batches(missing, [len(t) for t in texts], batch_chars):
        vectors = embedder.embed_documents([texts[i] for i in batch])
        fresh = {hashes[i]: vector for i, vector in zip(batch, vectors, strict=True)}
        cache.put(embedder.name, fresh)
        known.update(fresh)
        if on_batch:
            on_batch(len(batch))
    return np.stack([known[h] for h in hashes]) if hashes else np.zeros((0, 0), np.float32), len(missing)
