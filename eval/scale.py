"""Scale run: the real documents replicated 10× / 50× (numbers and titles changed), indexed with
random 768-d unit vectors instead of the model, so it measures Chroma + BM25 growth, not the model.

    python -m eval.scale FACTOR   → prints one JSON line
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from eval.gold import load_gold
from eval.measure import folder_size, peak_rss_mib, timed
from rag.chunk import chunk_document
from rag.config import Settings
from rag.corpus import corpus_files
from rag.lexical import LexicalIndex, init_jieba
from rag.parse import parse_file
from rag.retrieve import Retriever
from rag.sentences import SentenceIndex
from rag.store import ChromaStore, make_client

DIM = 768


class RandomEmbedder:
    name = "random-768"

    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)

    def _unit(self, count: int) -> np.ndarray:
        vectors = self.rng.standard_normal((count, DIM)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def embed_query(self, text: str) -> np.ndarray:
        return self._unit(1)[0]

    def embed_documents(self, texts) -> np.ndarray:
        return self._unit(len(texts))


def replicated_documents(corpus_dir: Path, factor: int):
    originals = [d for path in corpus_files(corpus_dir) for d in parse_file(path)]
    for copy in range(factor):
        for document in originals:
            if copy == 0:
                yield document
                continue
            shift = lambda text, c=copy: re.sub(r"\d", lambda m: str((int(m.group(0)) + c) % 10), text)  # noqa: E731
            clauses = [replace(c, text=shift(c.text)) for c in document.clauses]
            yield replace(document, title=f"{document.title}（第{copy}份）",
                          doc_number=f"{document.doc_number}-{copy}" if document.doc_number else "", clauses=clauses)


def run(factor: int) -> dict:
    settings = Settings.from_env()
    with tempfile.TemporaryDirectory() as work:
        data = Path(work)
        init_jieba(data / "jieba")
        chunks = [c for d in replicated_documents(settings.corpus_dir, factor) for c in chunk_document(d)]
        embedder = RandomEmbedder()
        store = ChromaStore(make_client(data))
        started = time.perf_counter()
        generation = store.new_generation(embedder.name)
        ChromaStore.add(generation, chunks, embedder.embed_documents([c.text for c in chunks]))
        lexical = LexicalIndex.build([c.chunk_id for c in chunks], [c.embed_text for c in chunks])
        lexical.save(data / "lexical")
        sentences = SentenceIndex.build(chunks,
                                        embedder.embed_documents)
        sentences.save(data / "lexical")
        store.publish(generation)
        index_seconds = time.perf_counter() - started
        retriever = Retriever(store, embedder, lexical, store.chunks(), sentences)
        p50, p95 = timed(lambda question: retriever.search(question, k=5), [g.question for g in load_gold()])
        return {"factor": factor, "chunks": len(chunks), "index_seconds": round(index_seconds, 1),
                "index_mib": round(folder_size(data) / 2**20, 1),
                "search_p50_ms": round(p50), "search_p95_ms": round(p95),
                "peak_rss_mib": peak_rss_mib()}


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]))))
