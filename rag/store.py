"""Chroma, embedded or client/server, holding one live generation of the clause index.

Every ingest writes a new collection and then flips a pointer record to it; readers follow the
pointer. A run killed before the flip leaves the previous generation serving untouched.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from rag.chunk import Chunk, ClauseMeta

POINTER_COLLECTION = "rag_live_pointer"
POINTER_ID = "live"
ADD_BATCH = 500
READ_PAGE = 5000


class StoreUnavailable(RuntimeError):
    """The configured Chroma server cannot be reached; the message says what to do."""


class NotPublished(RuntimeError):
    """A new generation was not published (no room for it, or it was deleted before its pointer flip); the
    message says why, in Chinese. The live generation keeps serving."""


def make_client(data_dir: Path, chroma_url: str = "") -> chromadb.api.ClientAPI:
    """A Chroma server when a URL is set (RAG_CHROMA_URL), else an embedded store in data_dir."""
    settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        url = urlparse(chroma_url)
        try:
            return chromadb.HttpClient(host=url.hostname or "127.0.0.1", port=url.port or 8000,
                                       ssl=url.scheme == "https", settings=settings)
        except (ValueError, ConnectionError) as error:  # chromadb says "Could not connect" as a ValueError
            raise StoreUnavailable(f"无法连接 Chroma 服务 {chroma_url}：请确认服务已启动"
                                   f"（chroma run --path 目录 --port 端口），或取消 RAG_CHROMA_URL 使用内置存储") from error
    data_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=settings)


# Chroma rebuilds a small collection's HNSW graph on every load, with several threads by default, so
# the same question got different dense candidates (ranks 18–50) in different processes. One build
# thread makes the graph the same every time; ef_search 1000 makes the search exhaustive at this
# corpus size (top 50 equal to exact cosine on the gold questions), on every store alike.
HNSW = {"space": "cosine", "ef_construction": 200, "ef_search": 1000, "num_threads": 1}
HNSW_LABEL = json.dumps(HNSW, sort_keys=True)


class ChromaStore:
    def __init__(self, client: chromadb.api.ClientAPI, namespace: str = "clauses"):
        self.client = client
        self.namespace = namespace
        self._pointer = client.get_or_create_collection(POINTER_COLLECTION, embedding_function=None)

    # --- reading -------------------------------------------------------------------------
    def live_name(self) -> str | None:
        record = self._pointer.get(ids=[f"{self.namespace}:{POINTER_ID}"], include=["metadatas"])
        return record["metadatas"][0]["collection"] if record["ids"] else None

    def live_model(self) -> str | None:
        """The embedding model the live generation's vectors came from."""
        collection = self.live()
        return (collection.metadata or {}).get("embedding_model") if collection else None

    def live_count(self) -> int:
        collection = self.live()
        return collection.count() if collection is not None else 0

    def live_has_current_hnsw(self) -> bool:
        """Whether the live generation was built with today's HNSW settings (else the next ingest rebuilds it)."""
        collection = self.live()
        return collection is not None and (collection.metadata or {}).get("hnsw") == HNSW_LABEL

    def live(self):
        name = self.live_name()
        return self.client.get_collection(name, embedding_function=None) if name else None

    def chunks(self) -> dict[str, Chunk]:
        collection = self.live()
        if collection is None:
            return {}
        found: dict[str, Chunk] = {}
        # in pages: one get() of ~50,000 records exceeds SQLite's variable limit inside Chroma
        for offset in range(0, collection.count(), READ_PAGE):
            page = collection.get(include=["documents", "metadatas"], limit=READ_PAGE, offset=offset)
            found.update({i: Chunk(i, d, ClauseMeta.from_store(m))
                          for i, d, m in zip(page["ids"], page["documents"], page["metadatas"], strict=True)})
        return found

    def has_file(self, file_hash: str) -> bool:
        """Whether the live generation holds chunks of the file with this sha256."""
        collection = self.live()
        return collection is not None and bool(collection.get(where={"file_hash": file_hash}, limit=1, include=[])["ids"])

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        collection = self.live()
        if collection is None or not ids:
            return {}
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), ADD_BATCH):
            got = collection.get(ids=list(ids[start:start + ADD_BATCH]), include=["embeddings"])
            found.update({i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], got["embeddings"],
                                                                              strict=True)})
        return found

    def query(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first."""
        for attempt in range(2):
            collection = self.live()
            if collection is None:
                return []
            try:
                k = min(k, collection.count())
                if k == 0:
                    return []
                result = collection.query(query_embeddings=[vector.tolist()], n_results=k, where=where or None,
                                          include=["distances"])
            except Exception:  # the generation was replaced between reading the pointer and querying it
                if attempt:
                    raise
                continue
            return [(i, 1.0 - float(d)) for i, d in zip(result["ids"][0], result["distances"][0], strict=True)]
        return []

    # --- writing -------------------------------------------------------------------------
    def new_generation(self, embedding_model: str):
        name = f"{self.namespace}_{time.strftime('%Y%m%d%H%M%S')}_{uuid.uuid4().hex[:6]}"
        return self.client.create_collection(name, embedding_function=None, metadata={"embedding_model": embedding_model, "hnsw": HNSW_LABEL},
                                             configuration={"hnsw": HNSW})

    def delete_generation(self, name: str) -> None:
        """Delete a generation this run built and did not publish (never the live one)."""
        if name != self.live_name() and name in {c.name for c in self.client.list_collections()}:
            self.client.delete_collection(name)

    @staticmethod
    def add(collection, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        for start in range(0, len(chunks), ADD_BATCH):
            batch = chunks[start:start + ADD_BATCH]
            collection.add(ids=[c.chunk_id for c in batch], embeddings=vectors[start:start + ADD_BATCH].tolist(),
                           documents=[c.text for c in batch], metadatas=[c.metadata.to_store() for c in batch])

    def publish(self, collection) -> None:
        """Flip the pointer to the new generation (one record write), then drop the old ones."""
        self._pointer.upsert(ids=[f"{self.namespace}:{POINTER_ID}"], documents=[collection.name],
                             metadatas=[{"collection": collection.name}], embeddings=[[0.0]])
        self.drop_unused()

    def drop_unused(self) -> list[str]:
        """Delete generations nobody points at: leftovers of killed or finished runs."""
        live = self.live_name()
        dropped = []
        for collection in self.client.list_collections():
            name = collection if isinstance(collection, str) else collection.name
            if name.startswith(f"{self.namespace}_") and name != live:
                self.client.delete_collection(name)
                dropped.append(name)
        return dropped
