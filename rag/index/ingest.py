"""`rag ingest`: parse → chunk → embed what is new → write a new generation → flip the pointer."""

from __future__ import annotations

import fcntl
import logging
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rag.documents.corpus import MANIFEST_NAME, CorpusError, corpus_files, load_manifest, source_for
from rag.documents.read import parse_file
from rag.index.chunk import Chunk, chunk_document
from rag.index.chunkfile import save_chunks
from rag.index.embed import Embedder, EmbeddingCache, embed_with_cache
from rag.index.lexical import LexicalIndex
from rag.index.sentences import SentenceIndex
from rag.index.store import ChromaStore, NotPublished
from rag.index.vocabulary import Vocabulary

ProgressFactory = Callable[[int], Callable[[int], None]]  # total → advance(n)


@dataclass
class IngestReport:
    added: int = 0
    unchanged: int = 0
    removed: int = 0
    relabelled: int = 0  # chunks whose text is unchanged but whose labels (issue, date, kind …) changed
    embedded: int = 0  # chunk vectors actually computed by the model (cache misses)
    embedded_sentences: int = 0  # sentence vectors computed (rag.index.sentences)
    total: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    changed: bool = False

    def summary(self, vectors: bool = True) -> str:
        """What changed in the index. vectors: with how many vectors the model computed, which an operator running
        ingest wants to see and a staff member publishing a file does not need to read."""
        relabelled = f"，更新标注 {self.relabelled}" if self.relabelled else ""
        computed = f"计算向量 {self.embedded}，句子向量 {self.embedded_sentences}，" if vectors else ""
        return (f"新增 {self.added}，未变 {self.unchanged}{relabelled}，删除 {self.removed}"
                f"（{computed}共 {self.total} 条，用时 {self.seconds:.1f} 秒）")


def lexical_dir(data_dir: Path, generation: str) -> Path:
    return data_dir / "lexical" / generation


# Disk space a new generation needs, per chunk, when no previous generation can be measured (EmbeddingGemma's
# 768-d vectors; measured: 28 MiB for the 977 chunks and their sentences): Chroma's records and graph, and the
# BM25 and sentence files. With a previous generation, its own size per chunk is used instead.
STORE_BYTES_PER_CHUNK = 20 * 1024
LEXICAL_BYTES_PER_CHUNK = 12 * 1024
SPACE_MARGIN = 1.25
SPACE_HEADROOM = 16 * 2**20  # SQLite's journal, Chroma's write-ahead log
LOG = logging.getLogger(__name__)


def folder_bytes(folder: Path) -> int:
    """What the files under a folder take on disk (the larger of their size and their allocated blocks)."""
    if not folder.is_dir():
        return 0
    total = 0
    for path in folder.rglob("*"):
        if path.is_file():
            stat = path.stat()
            total += max(stat.st_size, getattr(stat, "st_blocks", 0) * 512)
    return total


def unused_sqlite_bytes(database: Path) -> int:
    """Free pages inside a SQLite file: room the next generation reuses without growing the file."""
    if not database.is_file():
        return 0
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as connection:
            pages = connection.execute("PRAGMA freelist_count").fetchone()[0]
            return pages * connection.execute("PRAGMA page_size").fetchone()[0]
    except sqlite3.Error:
        return 0


def human_size(size: float) -> str:
    return f"{size / 2**30:.1f} GB" if size >= 2**30 else f"{size / 2**20:.1f} MB"


def _labels(chunk: Chunk) -> dict[str, str | int]:
    """What a chunk's citations and filters show, as stored."""
    return {**chunk.metadata.to_store(), "file_hash": ""}


def damage_notices(folder: Path) -> list[str]:
    """One line for each BM25, sentence or vocabulary file of a generation that fails its check (a disk error, a stray
    write): such files are rebuilt from the chunks and the embedding cache."""
    return [f"注意：索引文件 {path} 已损坏（与写入时的校验值不符），已用语料和嵌入缓存重建，无需重新计算向量"
            for path in (LexicalIndex.damaged(folder), SentenceIndex.damaged(folder), Vocabulary.damaged(folder))
            if path]


@contextmanager
def ingest_lock(data_dir: Path) -> Iterator[None]:
    """One ingest at a time per data dir: a second would drop the first one's unpublished generation."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / "ingest.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


class Indexer:
    """store_dir: the embedded Chroma's folder, whose disk a new generation fills too (None for a server)."""

    def __init__(self, store: ChromaStore, embedder: Embedder, cache: EmbeddingCache,
                 data_dir: Path, progress: ProgressFactory | None = None, store_dir: Path | None = None,
                 on_parsed: Callable[[list[Chunk]], None] | None = None):
        self.store = store
        self.on_parsed = on_parsed  # told the new generation's chunks before any vector is computed
        self.embedder = embedder
        self.cache = cache
        self.data_dir = data_dir
        self.progress = progress
        self.store_dir = store_dir

    def run(self, paths: list[Path] | None, corpus_dir: Path) -> IngestReport:
        with ingest_lock(self.data_dir):
            return self._run(paths, corpus_dir)

    def _run(self, paths: list[Path] | None, corpus_dir: Path) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        self.store.drop_unused()  # generations left by a run that was killed before publishing
        self._drop_stale_lexical(self.store.live_name())  # and their BM25 and sentence files
        # vectors from another model cannot be mixed with this one's: re-embed the whole corpus
        model_changed = self.store.live_name() is not None and self.store.live_model() != self.embedder.name
        # the first ingest indexes the whole corpus, whichever files it was given
        full_run = not paths or model_changed or self.store.live_name() is None
        files = corpus_files(corpus_dir) if full_run else list(paths or [])
        fresh: dict[str, Chunk] = {}
        parsed_sources: set[str] = set()
        manifest = corpus_dir / MANIFEST_NAME
        if full_run and manifest.is_file():
            report.errors += load_manifest(manifest).problems
        current = {} if model_changed else self.store.chunks()
        keys = {source_for(p, corpus_dir).name for p in files}
        # files already indexed (and not re-read now), by content: an exact copy is not indexed twice
        seen = {} if full_run else {c.metadata.file_hash: c.metadata.source
                                    for c in current.values() if c.metadata.source not in keys}
        for path in files:
            try:
                documents = parse_file(path, corpus_dir)
            except CorpusError as error:
                report.errors.append(str(error))  # its chunks already in the index keep serving
                continue
            source = documents[0].source
            if source.file_hash in seen:
                report.errors.append(f"{path}: 与已收录的 {seen[source.file_hash]} 内容完全相同，未重复收录")
                continue
            seen[source.file_hash] = source.name
            parsed_sources.add(source.name)
            for document in documents:
                if not document.excluded:
                    fresh.update({chunk.chunk_id: chunk for chunk in chunk_document(document)})
        present_sources = {source_for(p, corpus_dir).name for p in corpus_files(corpus_dir)} if full_run else set()

        kept = {i: c for i, c in current.items()
                if c.metadata.source not in parsed_sources
                and (not full_run or c.metadata.source in present_sources)}
        wanted_ids = set(fresh) | set(kept)
        # a corrected manifest field (issue, date …) changes a chunk's labels, not its text or id: those
        # chunks are written again with their stored vectors (an edit elsewhere in its file is no new label)
        report.relabelled = sum(_labels(fresh[i]) != _labels(current[i]) for i in set(fresh) & set(current))
        report.added = len(set(fresh) - set(current))
        report.unchanged = len(wanted_ids & set(current)) - report.relabelled
        report.removed = len(set(current) - wanted_ids)
        report.total = len(wanted_ids)
        live = self.store.live_name()
        for notice in damage_notices(lexical_dir(self.data_dir, live)) if live else []:
            LOG.warning(notice)  # and the check below publishes the generation anew, with rebuilt files
        # nothing new, the pointer names the live generation (not a deleted one: then it is published anew),
        # and the BM25 and sentence files of the live generation load and match their checks
        if (wanted_ids == set(current) and not report.relabelled and live and live == self.store.pointer_name()
                and SentenceIndex.exists(lexical_dir(self.data_dir, live))
                and LexicalIndex.load(lexical_dir(self.data_dir, live)) is not None
                and Vocabulary.load(lexical_dir(self.data_dir, live)) is not None
                and self.store.live_has_current_hnsw()):
            report.seconds = time.perf_counter() - started
            return report
        self.check_space(len(wanted_ids))
        ids = sorted(wanted_ids)
        chunks = [fresh[i] if i in fresh else kept[i] for i in ids]
        if self.on_parsed is not None:
            self.on_parsed(chunks)

        new_chunks = [fresh[i] for i in sorted(set(fresh) - set(current))]
        reused = self.store.vectors(sorted(wanted_ids & set(current)))
        vectors: dict[str, np.ndarray] = dict(reused)
        if new_chunks:
            advance = self.progress(len(new_chunks)) if self.progress else None
            computed, report.embedded = embed_with_cache(
                self.embedder, self.cache, [c.embed_text for c in new_chunks], on_batch=advance)
            vectors.update({c.chunk_id: v for c, v in zip(new_chunks, computed, strict=True)})

        generation = self.store.new_generation(self.embedder.name)
        folder = lexical_dir(self.data_dir, generation.name)
        try:
            ChromaStore.add(generation, chunks, np.stack([vectors[i] for i in ids]))
            lexical = LexicalIndex.build(ids, [c.embed_text for c in chunks])
            lexical.save(folder)
            self.sentence_index(chunks, report).save(folder)
            self.vocabulary(lexical).save(folder)
            save_chunks(folder, chunks)
            self.store.publish(generation)
        except BaseException:  # a full disk, a lost generation, Ctrl-C: nothing half-written stays behind
            self._discard(generation.name, folder)
            raise
        self._drop_stale_lexical(generation.name)
        report.changed = True
        report.seconds = time.perf_counter() - started
        return report

    def sentence_index(self, chunks: Sequence[Chunk], report: IngestReport | None = None) -> SentenceIndex:
        """Every chunk's sentences with vectors; only sentences the cache lacks are embedded."""
        def embed(texts: list[str]) -> np.ndarray:
            vectors, computed = self._embedded(texts)
            if report is not None:
                report.embedded_sentences += computed
            return vectors

        return SentenceIndex.build(chunks, embed)

    def vocabulary(self, lexical: LexicalIndex) -> Vocabulary:
        """The documents' words with vectors (rag.index.vocabulary); a word embedded before comes from the cache."""
        return Vocabulary.build(lexical.document_frequency, lambda texts: self._embedded(texts)[0])

    def _embedded(self, texts: list[str]) -> tuple[np.ndarray, int]:
        """Vectors for the texts, with progress, and how many the cache did not have."""
        advance = self.progress(len(texts)) if self.progress else None
        return embed_with_cache(self.embedder, self.cache, texts, on_batch=advance)

    def space_needed(self, total: int) -> int:
        """Bytes a new generation of `total` chunks will take in the data dir: the live generation's own size
        per chunk (its BM25 and sentence files, and the embedded Chroma's files less the free pages inside
        its SQLite file) or, without one to measure, the sizes per chunk above; with a margin."""
        live = self.store.live_name()
        count = self.store.live_count() if live else 0
        lexical = folder_bytes(lexical_dir(self.data_dir, live)) if live else 0
        per_chunk = lexical / count if count and lexical else LEXICAL_BYTES_PER_CHUNK
        if self.store_dir is not None:
            stored = folder_bytes(self.store_dir) - unused_sqlite_bytes(self.store_dir / "chroma.sqlite3")
            per_chunk += stored / count if count and stored > 0 else STORE_BYTES_PER_CHUNK
        return int(per_chunk * total * SPACE_MARGIN) + SPACE_HEADROOM

    def check_space(self, total: int) -> None:
        """NotPublished, before anything is written, when the data dir's disk has no room for the new generation
        beside the live one."""
        need = self.space_needed(total)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(self.data_dir).free
        if need > free:
            raise NotPublished(f"磁盘空间不足：新的索引约需 {human_size(need)}，数据目录 {self.data_dir} 所在磁盘只有 "
                               f"{human_size(free)} 可用；现有索引继续服务，未做任何改动。请清理磁盘后重试。")

    def _discard(self, generation: str, folder: Path) -> None:
        """Remove a generation that was not published, and its files (never the one the pointer names)."""
        try:
            self.store.delete_generation(generation)
        except Exception:  # the next run's clean-up deletes it
            LOG.exception("未能删除未发布的索引 %s", generation)
        if self.store.pointer_name() != generation:
            shutil.rmtree(folder, ignore_errors=True)

    def _drop_stale_lexical(self, live: str | None) -> None:
        root = self.data_dir / "lexical"
        for folder in root.iterdir() if root.is_dir() else []:
            if folder.name != live:
                shutil.rmtree(folder, ignore_errors=True)
