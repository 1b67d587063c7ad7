"""One place that wires settings to the embedder, the store, the indexer and the retriever.

The CLI, the UI and the eval runner all go through here, so they share one code path; tests pass
their own embedder and Chroma client.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from rag.answer import Answerer
from rag.app.catalogue import CurrentCatalogue
from rag.config import Settings
from rag.index.chunk import Chunk
from rag.index.chunkfile import load_chunks, save_chunks
from rag.index.embed import Embedder, EmbeddingCache, model_embedder
from rag.index.holdings import Holdings
from rag.index.ingest import Indexer, IngestReport, ProgressFactory, damage_notices, lexical_dir
from rag.index.lexical import LexicalIndex, init_jieba
from rag.index.sentences import SentenceIndex
from rag.index.store import ChromaStore, make_client, set_aside_if_damaged
from rag.index.vocabulary import Vocabulary
from rag.search.rerank import Reranker
from rag.search.retrieve import Retriever

if TYPE_CHECKING:
    import chromadb

LOG = logging.getLogger(__name__)


class IndexMissing(RuntimeError):
    """No index has been built yet."""


class Pipeline:
    def __init__(self, settings: Settings, embedder: Embedder | None = None,
                 client: chromadb.api.ClientAPI | None = None):
        self.settings = settings
        self._embedder = embedder
        self._client = client
        self._generation: str | None = None  # the index generation the retriever was read from
        self._rebuild = False  # the store was found damaged and set aside: the first read rebuilds it
        self._reload = threading.Lock()
        # (the generation live when it was set, an answerer, an event): served until the event is set or, without
        # one, until another generation is published
        self._interim: tuple[str | None, Answerer, threading.Event | None] | None = None
        self._holdings: tuple[str, Holdings] | None = None  # the last generation read, and what it holds
        init_jieba(settings.data_dir / "jieba")

    @cached_property
    def embedder(self) -> Embedder:
        return self._embedder if self._embedder is not None else model_embedder(self.settings)

    @property
    def _store_dir(self) -> Path | None:
        """The embedded Chroma's folder (None for a Chroma server)."""
        return None if self.settings.chroma_url or self._client else self.settings.data_dir / "chroma"

    @cached_property
    def store(self) -> ChromaStore:
        if self._store_dir is not None and (notice := set_aside_if_damaged(self._store_dir)):
            LOG.warning(notice)
            self._rebuild = True
        client = self._client or make_client(self.settings.data_dir, self.settings.chroma_url)
        # the data dir builds generations: several, on several machines, may share one Chroma server
        return ChromaStore(client, owner=f"{socket.gethostname()}:{self.settings.data_dir.resolve()}")

    def indexer(self, progress: ProgressFactory | None = None, embedder: Embedder | None = None,
                on_parsed: Callable[[list[Chunk]], None] | None = None) -> Indexer:
        """embedder: another one than the app's for the document vectors (rag.app.background's, in a niced child)."""
        return Indexer(self.store, embedder or self.embedder, EmbeddingCache(self.settings.embedding_cache),
                       self.settings.data_dir, progress, store_dir=self._store_dir, on_parsed=on_parsed)

    def ingest(self, paths: list[Path] | None = None, progress: ProgressFactory | None = None) -> IngestReport:
        report = self.indexer(progress).run(paths, self.settings.corpus_dir)
        self.__dict__.pop("retriever", None)  # the next search sees the new generation
        self.__dict__.pop("answerer", None)
        return report

    def has_index(self) -> bool:
        return self.store.live_name() is not None

    @cached_property
    def retriever(self) -> Retriever:
        live = self.store.live_name()
        if live is None and self._rebuild:  # said when the store was set aside
            self._rebuild = False
            self.ingest()
            live = self.store.live_name()
        if live is None:
            raise IndexMissing("索引尚未建立：请先运行 `rag ingest`")
        self._generation = live
        folder = lexical_dir(self.settings.data_dir, live)
        notices = damage_notices(folder)
        # the generation's own copy, in the order Chroma returns them: ~0.2 s sooner than reading Chroma's
        chunks = load_chunks(folder)
        if chunks is None:  # an index built before the chunks were saved with it, a shared server's, or damaged
            chunks = self.store.chunks()
            try:
                save_chunks(folder, chunks.values())
            except OSError:  # a full disk, a read-only data dir: only the next restart's keyword answers need it
                LOG.warning("未能保存条款副本到 %s；下次启动先读取 Chroma", folder)
        lexical = LexicalIndex.load(folder)
        if lexical is None:  # e.g. a Chroma server shared by several app machines
            ids = sorted(chunks)
            lexical = LexicalIndex.build(ids, [chunks[i].embed_text for i in ids])
            lexical.save(folder)
        sentences = SentenceIndex.load(folder)
        if sentences is None:  # likewise: sentence vectors come from the embedding cache where it has them
            sentences = self.indexer().sentence_index([chunks[i] for i in sorted(chunks)])
            sentences.save(folder)
        vocabulary = Vocabulary.load(folder)
        if vocabulary is None:  # an index built before words had vectors, a shared server's, or damaged
            vocabulary = self.indexer().vocabulary(lexical)
            vocabulary.save(folder)
        for notice in notices:  # said once the files are rebuilt
            LOG.warning(notice)
        return Retriever(self.store, self.embedder, lexical, self.holdings(live, chunks), sentences,
                         vocabulary=vocabulary, reranker=self.reranker)

    def current_answerer(self) -> Answerer:
        """The answerer over the generation that is live now: an index published by `rag ingest` or
        `rag add` in another process is read on the next question, without restarting the app."""
        with self._reload:
            if self._interim is not None:
                generation, interim, until = self._interim
                if until is not None and not until.is_set():  # the store is not read before it is: it may be loading
                    return interim
                if until is None and self.store.live_name() == generation:
                    return interim
                self._interim = None
            live = self.store.live_name()
            if self._generation is not None and live != self._generation:
                self.__dict__.pop("retriever", None)
                self.__dict__.pop("answerer", None)
            return self.answerer

    def serve_by_keyword(self, chunks: list[Chunk]) -> None:
        """Answer from these chunks by BM25 alone until the next generation is published (its vectors are
        being computed): a first start serves at once, without waiting for the embedding model."""
        ids = [c.chunk_id for c in chunks]
        answerer = self._keyword_answerer(self.store, Holdings.of({c.chunk_id: c for c in chunks}),
                                          LexicalIndex.build(ids, [c.embed_text for c in chunks]))
        with self._reload:
            self._interim = (self.store.live_name(), answerer, None)

    def serve_live_index(self) -> None:
        """Stop answering by keyword when a complete generation is live (after a publication that failed: the one
        live before it); without one (a first start's build that failed) the keyword answers go on."""
        if self.store.live_name() is not None:
            with self._reload:
                self._interim = None

    def saved_keyword_answerer(self) -> Answerer | None:
        """Keyword answers from the files the last ingest saved beside the embedded store (the generation's chunks
        and BM25 index), without opening Chroma or asking the model: what a restart serves while those load.
        None when there is no one complete set of them (then the store is read first, as before)."""
        root = self.settings.data_dir / "lexical"
        if self._store_dir is None or not (self._store_dir / "chroma.sqlite3").is_file() or not root.is_dir():
            return None
        folders = [f for f in root.iterdir() if f.is_dir()]  # ingest keeps the live generation's alone
        if len(folders) != 1:
            return None
        chunks, lexical = load_chunks(folders[0]), LexicalIndex.load(folders[0])
        if chunks is None or lexical is None:
            return None
        return self._keyword_answerer(None, self.holdings(folders[0].name, chunks), lexical)

    def serve_until(self, answerer: Answerer, ready: threading.Event) -> None:
        """Answer with `answerer` until `ready` is set; the store is not read before then."""
        with self._reload:
            self._interim = (None, answerer, ready)

    def holdings(self, generation: str, chunks: dict[str, Chunk]) -> Holdings:
        """What a generation holds, worked out once: a restart's keyword answers and the complete index read
        after them share it (and so does the page's catalogue)."""
        known = self._holdings
        if known is None or known[0] != generation:
            known = self._holdings = (generation, Holdings.of(chunks))
        return known[1]

    def _keyword_answerer(self, store: ChromaStore | None, holdings: Holdings, lexical: LexicalIndex) -> Answerer:
        retriever = Retriever(store, self.embedder, lexical, holdings,
                              SentenceIndex.without_vectors(list(holdings.chunks.values())), semantic=False)
        return self._answerer(retriever)

    @cached_property
    def reranker(self) -> Reranker | None:
        """The reranker, when it was fitted on this embedder's cosines (not, e.g., the tests' hashing embedder)."""
        model = Reranker.load()
        return model if model.fits(self.embedder.name) else None

    @cached_property
    def catalogue(self) -> CurrentCatalogue:
        """The library as the page and the API show it (documents, versions, filter lists), grouped once per
        generation from the live one's holdings (rag.app.catalogue)."""
        return CurrentCatalogue(lambda: self.current_answerer().retriever.holdings)

    @cached_property
    def answerer(self) -> Answerer:
        return self._answerer(self.retriever)

    def _answerer(self, retriever: Retriever) -> Answerer:
        llm = None
        if self.settings.llm_base_url:
            from rag.answer.llm import make_llm

            llm = make_llm(self.settings.llm_base_url, self.settings.llm_model, self.settings.llm_api_key,
                           self.settings.llm_timeout, self.settings.llm_max_tokens)
        return Answerer(retriever, llm=llm)
