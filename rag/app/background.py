"""`rag serve` without an index, and staff publishing documents: keyword search at once, the vectors computed
in the background; and a restart: keyword search at once, the complete index read in the background.

Embedding is the only slow step of an ingest (minutes on two cores); parsing, chunking and BM25 take
seconds. So the app starts an ingest in a thread, serves the parsed chunks by BM25 as soon as the
ingest has them (Pipeline.serve_by_keyword), and the ingest computes the chunk vectors, then the sentence
vectors, through an embedder of its own (a niced child process). Each batch is committed to the embedding
cache, so a restart continues where the last run stopped. The ingest publishes the generation as any ingest
does, and the app follows the live pointer to it without a restart. A publication that fails leaves the
generation that was live serving, as before it began.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rag.app.pipeline import Pipeline
from rag.index.chunk import Chunk
from rag.index.embed import Embedder, EmbeddingCache, text_hash
from rag.index.ingest import IngestReport
from rag.index.lexical import LexicalIndex
from rag.index.sentences import SentenceIndex
from rag.index.vocabulary import Vocabulary

LOG = logging.getLogger(__name__)
# the model's work per text: its characters and the prompt and special tokens every text gets (in characters
# of Chinese text, about one token each); a count of texts alone would misjudge, the texts differing 100-fold
PER_TEXT_COST = 12
BACKGROUND_NICENESS = 10


def cost(texts: Sequence[str]) -> int:
    return sum(len(t) + PER_TEXT_COST for t in texts)


@dataclass
class BuildProgress:
    """How far the background build is, as the page says it."""

    total: int = 0  # cost of the texts the embedding cache lacked when the build began
    done: int = 0
    started: float = field(default_factory=time.monotonic)
    finished: bool = False
    failure: str = ""

    def notice(self, now: float | None = None) -> str:
        """One line for the page: 「正在建立语义索引 45%，约 4 分钟；目前按关键词检索」; "" once the vectors serve."""
        if self.failure:
            return f"语义索引未能建立（{self.failure}）；目前按关键词检索，重启应用会继续建立。"
        if self.finished:
            return ""
        share = self.done / self.total if self.total else 0.0
        elapsed = (now if now is not None else time.monotonic()) - self.started
        if not self.done or elapsed <= 0:
            left = "正在估算剩余时间"
        else:
            seconds = (self.total - self.done) / (self.done / elapsed)
            left = f"约 {max(1, round(seconds / 60))} 分钟" if seconds >= 60 else "不到 1 分钟"
        return f"正在建立语义索引 {int(share * 100)}%，{left}；目前按关键词检索"


class MeteredEmbedder:
    """The build's embedder, counting the work done for BuildProgress."""

    def __init__(self, inner: Embedder, progress: BuildProgress):
        self.inner = inner
        self.name = inner.name
        self.progress = progress

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.inner.embed_documents(texts)
        self.progress.done += cost(texts)
        return vectors


def texts_to_embed(chunks: Sequence[Chunk]) -> list[str]:
    """What an ingest of these chunks embeds: each chunk's text, then each sentence as rag.index.sentences embeds it,
    then the documents' words (rag.index.vocabulary)."""
    collected: list[str] = []

    def collect(texts: list[str]) -> np.ndarray:
        collected.extend(texts)
        return np.zeros((len(texts), 0), np.float32)

    SentenceIndex.build(chunks, collect)
    lexical = LexicalIndex.build([c.chunk_id for c in chunks], [c.embed_text for c in chunks])
    Vocabulary.build(lexical.document_frequency, collect)
    return [c.embed_text for c in chunks] + collected


class BackgroundIndex:
    """One background ingest of the pipeline's corpus (`paths`: of these files of it, as `rag add` ingests them);
    `start` returns once keyword search serves. `then` is called with the build once it has ended."""

    def __init__(self, pipeline: Pipeline, embedder: Embedder, paths: list[Path] | None = None,
                 then: Callable[[BackgroundIndex], None] | None = None):
        self.pipeline = pipeline
        self.embedder = embedder  # computes the document vectors; closed, when it can be, once the build ends
        self.paths = paths
        self.then = then
        self.report: IngestReport | None = None  # once published
        self.error: Exception | None = None  # why it failed
        self.progress = BuildProgress()
        self.done = threading.Event()  # the build ended: published, or failed (then `progress.failure`)
        self.serving = False  # the parsed corpus is served by keyword
        self._ready = threading.Event()  # serving, or the build ended before it could

    def start(self) -> None:
        threading.Thread(target=self._run, name="background-index", daemon=True).start()
        self._ready.wait()

    def notice(self) -> str:
        return self.progress.notice()

    def _parsed(self, chunks: list[Chunk]) -> None:
        texts = texts_to_embed(chunks)
        cached = EmbeddingCache(self.pipeline.settings.embedding_cache).get(
            self.embedder.name, [text_hash(t) for t in texts])
        missing = {text_hash(t): t for t in texts if text_hash(t) not in cached}  # each text is embedded once
        self.progress.total, self.progress.started = cost(list(missing.values())), time.monotonic()
        self.pipeline.serve_by_keyword(chunks)
        self.serving = True
        self._ready.set()

    def _run(self) -> None:
        try:
            indexer = self.pipeline.indexer(embedder=MeteredEmbedder(self.embedder, self.progress),
                                            on_parsed=self._parsed)
            self.report = report = indexer.run(self.paths, self.pipeline.settings.corpus_dir)
            for error in report.errors:
                print(f"错误：{error}（该文件未收录）", file=sys.stderr)
            self.pipeline.current_answerer()  # read the new generation now, not at the next question
            print(f"语义索引已建立，已切换到完整检索。{report.summary()}", file=sys.stderr, flush=True)
        except Exception as error:  # the keyword index keeps serving; the reason is on the page and in the log
            LOG.exception("后台建立语义索引失败")
            self.error = error
            self.progress.failure = str(error) or type(error).__name__
            self.pipeline.serve_live_index()  # a publication's: the generation live before it serves again
        finally:
            self.progress.finished = True
            close = getattr(self.embedder, "close", None)
            if close is not None:
                close()
            if self.then is not None:
                try:
                    self.then(self)
                except Exception:  # what follows a build (a publication's check) must not leave it unfinished
                    LOG.exception("后台建立语义索引之后的处理失败")
            self.done.set()
            self._ready.set()


class BuildRunning(RuntimeError):
    """Another background build has not finished; the message says so, in Chinese."""


class Builds:
    """The app's background builds, one at a time: a first start's, then each staff publication's. Each computes
    its vectors through an embedder of its own (`make_embedder`: in the app, a niced child process that leaves the
    CPU to the answers), closed when the build ends."""

    def __init__(self, pipeline: Pipeline, make_embedder: Callable[[], Embedder]):
        self.pipeline = pipeline
        self.make_embedder = make_embedder
        self.current: BackgroundIndex | None = None
        self._starting = threading.Lock()

    def start(self, paths: list[Path] | None = None,
              then: Callable[[BackgroundIndex], None] | None = None) -> BackgroundIndex:
        """A build of the corpus (`paths`: of these files of it), serving by keyword once it returns; BuildRunning
        while another is still running."""
        with self._starting:
            if self.current is not None and not self.current.done.is_set():
                raise BuildRunning("正在后台建立语义索引，请在完成后再发布")
            build = self.current = BackgroundIndex(self.pipeline, self.make_embedder(), paths, then)
        build.start()
        return build

    def notice(self) -> str:
        """The page's line about the build (BuildProgress.notice); "" when none runs, and after a publication that
        failed (the index live before it serves again: the staff area says why)."""
        build = self.current
        if build is None or (build.paths is not None and build.progress.failure):
            return ""
        return build.notice()


class Restart:
    """`rag serve` over an index built before: keyword answers from the files the last ingest saved (chunks and
    BM25, Pipeline.saved_keyword_answerer) as soon as the page is up, while Chroma is opened, the complete index
    read and the model loaded in the embedder's child; then the complete index serves, without a restart.

    Two cores: the child loads the model on one while this process imports Gradio and builds the page on the
    other. The complete index is read once the page is built: both hold the interpreter lock most of the time,
    and the page, with keyword answers, is what a person waits for."""

    def __init__(self, pipeline: Pipeline, model_loaded: threading.Event):
        self.pipeline = pipeline
        self.model_loaded = model_loaded
        self.ready = threading.Event()  # the complete index serves

    def start(self, page_built: threading.Event) -> bool:
        """Serve by keyword and read the complete index behind it; False when no saved files can serve."""
        answerer = self.pipeline.saved_keyword_answerer()
        if answerer is None:
            return False
        self.pipeline.serve_until(answerer, self.ready)
        threading.Thread(target=self._read, args=(page_built,), name="read-index", daemon=True).start()
        return True

    def _read(self, page_built: threading.Event) -> None:
        page_built.wait()
        try:
            self.pipeline.answerer  # noqa: B018
        except Exception:  # the keyword answers keep serving; the reason is in the log
            LOG.exception("读取完整索引失败，目前按关键词检索")
            return
        self.model_loaded.wait()
        self.ready.set()
        print("已读入完整索引，问答改用完整检索。", file=sys.stderr, flush=True)
