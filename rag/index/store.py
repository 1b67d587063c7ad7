"""Chroma, embedded or client/server, holding one live generation of the clause index.

Every ingest writes a new collection and then flips a pointer record to it; readers follow the
pointer. A run killed before the flip leaves the previous generation serving untouched.

Several machines may ingest into one Chroma server, each from its own data dir (its `owner`). A
generation is marked complete just before the pointer flips to it. Clean-up deletes only the generations
nobody may still need: never the one the pointer names (read again before each deletion) nor the newest
complete one (about to be published, or the one to fall back on); an unfinished one only when this data
dir started it (its run is over: ingests of one data dir take turns) or it has been unfinished for a day.
A pointer naming a collection that no longer exists is followed to the newest complete generation, said
in one line in the log, and repaired by the next ingest. Chroma has no compare-and-set: publishing checks
that its collection still exists before and after the flip instead.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import numpy as np

from rag.index.chunk import Chunk, ClauseMeta

if TYPE_CHECKING:
    import chromadb

POINTER_COLLECTION = "rag_live_pointer"
POINTER_ID = "live"
ADD_BATCH = 500
READ_PAGE = 5000
STALE_SECONDS = 24 * 3600  # another data dir's unfinished generation older than this: its run was killed
LOG = logging.getLogger(__name__)


class StoreUnavailable(RuntimeError):
    """The configured Chroma server cannot be reached; the message says what to do."""


class NotPublished(RuntimeError):
    """A new generation was not published (no room for it, or it was deleted before its pointer flip); the
    message says why, in Chinese. The live generation keeps serving."""


def make_client(data_dir: Path, chroma_url: str = "") -> chromadb.api.ClientAPI:
    """A Chroma server when a URL is set (RAG_CHROMA_URL), else an embedded store in data_dir."""
    # imported here, not with this module (~0.5 s): a restart answers by keyword before the store is opened
    import chromadb
    from chromadb.config import Settings as ChromaSettings

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


# SQLite's codes for a damaged file, in words: a header overwritten; a page truncated or overwritten
DAMAGE = {26: "文件头已被改写，不是有效的 SQLite 文件", 11: "数据页损坏或文件不完整"}


def set_aside_if_damaged(store_dir: Path) -> str:
    """When the embedded store's SQLite file fails SQLite's own check (PRAGMA quick_check, ~0.1 s for 25 MB),
    move the store's folder aside (nothing is deleted) and say so in one line; "" when it is intact or absent.
    Chroma opened on such a file fails every call; the index is rebuilt from the corpus and the embedding
    cache. Only damage counts: a locked or unreadable file is left alone."""
    database = store_dir / "chroma.sqlite3"
    if not database.is_file():
        return ""
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as connection:
            found = connection.execute("PRAGMA quick_check").fetchall()
        connection.close()
        problem = "" if found == [("ok",)] else DAMAGE[11]
    except sqlite3.DatabaseError as error:
        problem = DAMAGE.get(getattr(error, "sqlite_errorcode", None), "")
    if not problem:
        return ""
    aside = store_dir.with_name(f"{store_dir.name}.damaged-{time.strftime('%Y%m%d%H%M%S')}")
    try:
        store_dir.rename(aside)
    except FileNotFoundError:  # another process starting at the same moment set it aside first
        return ""
    return (f"注意：索引数据库 {database} 已损坏（{problem}），已移到 {aside}；"
            "索引已用语料和嵌入缓存重建，无需重新计算向量")


# Chroma rebuilds a small collection's HNSW graph on every load, with several threads by default, so
# the same question got different dense candidates (ranks 18–50) in different processes. One build
# thread makes the graph the same every time; ef_search 1000 makes the search exhaustive at this
# corpus size (top 50 equal to exact cosine on the gold questions), on every store alike. The graph is
# written to disk every 100 records (sync_threshold; Chroma's default, 1000, kept a collection of the bundled
# corpus's 977 records in its log only): a restart loads it in ~0.2 s instead of rebuilding it in ~2 s on the way
# to the first answer. An index built with other settings is rebuilt from its own vectors by the next ingest.
HNSW = {"space": "cosine", "ef_construction": 200, "ef_search": 1000, "num_threads": 1, "batch_size": 100,
        "sync_threshold": 100}
HNSW_LABEL = json.dumps(HNSW, sort_keys=True)


class ChromaStore:
    def __init__(self, client: chromadb.api.ClientAPI, namespace: str = "clauses", owner: str = ""):
        self.client = client
        self.namespace = namespace
        self.owner = owner  # who builds generations here: a data dir (several may share one Chroma server)
        self._pointer = client.get_or_create_collection(POINTER_COLLECTION, embedding_function=None)
        self._said: set[tuple[str, str]] = set()  # broken pointers already reported (once per process)

    # --- reading -------------------------------------------------------------------------
    def pointer_name(self) -> str | None:
        """The collection the pointer record names, whether or not it exists."""
        record = self._pointer.get(ids=[f"{self.namespace}:{POINTER_ID}"], include=["metadatas"])
        return record["metadatas"][0]["collection"] if record["ids"] else None

    def live_name(self) -> str | None:
        """The generation readers use: the one the pointer names or, when that collection no longer exists
        (deleted by another machine's ingest), the newest complete one, said once in the log."""
        collection = self.live()
        return collection.name if collection is not None else None

    def live(self):
        """The live generation's collection (see live_name), or None."""
        from chromadb.errors import NotFoundError  # chromadb is loaded: this store has a client

        named = self.pointer_name()
        if named is None:
            return None
        try:
            return self.client.get_collection(named, embedding_function=None)
        except NotFoundError:
            pass
        fallback = self._newest_complete()
        if (named, fallback or "") not in self._said:
            self._said.add((named, fallback or ""))
            LOG.warning(f"注意：索引指针指向的 {named} 已不存在（可能被共用同一 Chroma 服务的另一次建索引删除），"
                        + (f"改用最新的完整索引 {fallback}；运行 rag ingest 可修复。" if fallback
                           else "也没有其他完整的索引；请运行 rag ingest 重建。"))
        try:
            return self.client.get_collection(fallback, embedding_function=None) if fallback else None
        except NotFoundError:  # deleted meanwhile too: the next call looks again
            return None

    def live_count(self) -> int:
        collection = self.live()
        return collection.count() if collection is not None else 0

    def live_model(self) -> str | None:
        """The embedding model the live generation's vectors came from."""
        collection = self.live()
        return (collection.metadata or {}).get("embedding_model") if collection else None

    def live_has_current_hnsw(self) -> bool:
        """Whether the live generation was built with today's HNSW settings (else the next ingest rebuilds it)."""
        collection = self.live()
        return collection is not None and (collection.metadata or {}).get("hnsw") == HNSW_LABEL

    def _exists(self, name: str) -> bool:
        from chromadb.errors import NotFoundError  # chromadb is loaded: this store has a client

        try:
            self.client.get_collection(name, embedding_function=None)
        except NotFoundError:
            return False
        return True

    def _generations(self) -> list:
        """This namespace's collections, oldest first by when they were started."""
        found = [c for c in self.client.list_collections() if c.name.startswith(f"{self.namespace}_")]
        return sorted(found, key=lambda c: ((c.metadata or {}).get("started") or _name_time(c.name), c.name))

    def _newest_complete(self, generations: list | None = None) -> str | None:
        complete = [c for c in (self._generations() if generations is None else generations) if _complete(c)]
        newest = max(complete, key=lambda c: ((c.metadata or {}).get("completed") or _name_time(c.name), c.name),
                     default=None)
        return newest.name if newest is not None else None

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
        metadata = {"embedding_model": embedding_model, "hnsw": HNSW_LABEL, "owner": self.owner,
                    "started": time.time(), "complete": False}
        return self.client.create_collection(name, embedding_function=None, metadata=metadata,
                                             configuration={"hnsw": HNSW})

    def delete_generation(self, name: str) -> None:
        """Delete a generation this run built and did not publish (never the one the pointer names)."""
        if name != self.pointer_name() and self._exists(name):
            self.client.delete_collection(name)

    @staticmethod
    def add(collection, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        for start in range(0, len(chunks), ADD_BATCH):
            batch = chunks[start:start + ADD_BATCH]
            collection.add(ids=[c.chunk_id for c in batch], embeddings=vectors[start:start + ADD_BATCH].tolist(),
                           documents=[c.text for c in batch], metadatas=[c.metadata.to_store() for c in batch])

    def publish(self, collection) -> None:
        """Mark the new generation complete, flip the pointer to it (one record write), then drop the old
        ones. NotPublished when another ingest deleted it first (the pointer then names what it named, or
        the newest complete generation)."""
        lost = NotPublished(f"本次建好的索引 {collection.name} 在发布前被删除（可能是共用同一 Chroma 服务的另一次建索引）；"
                            "现有索引继续服务，请重新运行 rag ingest。")
        if not self._exists(collection.name):
            raise lost
        collection.modify(metadata={**(collection.metadata or {}), "complete": True, "completed": time.time()})
        previous = self.pointer_name()
        self._point_to(collection.name)
        if not self._exists(collection.name):  # deleted between the check and the flip
            self._point_to(previous if previous and self._exists(previous) else self._newest_complete())
            raise lost
        self.drop_unused()

    def _point_to(self, name: str | None) -> None:
        if name:
            self._pointer.upsert(ids=[f"{self.namespace}:{POINTER_ID}"], documents=[name],
                                 metadatas=[{"collection": name}], embeddings=[[0.0]])

    def drop_unused(self) -> list[str]:
        """Delete the generations nobody needs (see the module): leftovers of killed or superseded runs."""
        from chromadb.errors import NotFoundError  # chromadb is loaded: this store has a client

        generations = self._generations()
        keep = {self.pointer_name(), self.live_name(), self._newest_complete(generations)}
        dropped = []
        for collection in generations:
            metadata = collection.metadata or {}
            finished = _complete(collection)
            dead = (metadata.get("owner", "") == self.owner
                    or time.time() - (metadata.get("started") or 0) > STALE_SECONDS)
            if collection.name in keep or not (finished or dead):
                continue
            if collection.name == self.pointer_name():  # read again: another ingest may have just published it
                continue
            try:
                self.client.delete_collection(collection.name)
            except NotFoundError:  # another ingest's clean-up was first
                continue
            dropped.append(collection.name)
        return dropped


def _complete(collection) -> bool:
    """Whether a generation was finished (marked when published); one written before generations were
    marked counts as finished."""
    return (collection.metadata or {}).get("complete", True) is not False


def _name_time(name: str) -> float:
    """When a generation was started, from its name (clauses_YYYYmmddHHMMSS_xxxxxx)."""
    found = re.search(r"_(\d{14})_", name)
    return time.mktime(time.strptime(found.group(1), "%Y%m%d%H%M%S")) if found else 0.0
