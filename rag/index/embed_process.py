"""An embedder run in a child process, for the web app.

Loading EmbeddingGemma costs ~10 s of single-threaded work (importing torch and
sentence-transformers, reading 1.2 GB of weights). In the app's own process that work competes
for the GIL with importing Gradio and Chroma; in a child it runs on the second core, so a restart
answers its first question several seconds sooner. The child computes exactly what the wrapped
embedder computes in-process: same name, same vectors.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import numpy as np

from rag.index.embed import Embedder

_child_embedder: Embedder | None = None


def _start_child(make_embedder: Callable[[], Embedder], niceness: int) -> None:
    global _child_embedder
    os.nice(niceness)
    _child_embedder = make_embedder()
    # Ctrl+C in the terminal reaches the whole process group: the app decides, the child follows it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:  # never outlive the app, even when it is killed without cleaning up
        threading.Thread(target=lambda: (parent.join(), os._exit(0)), daemon=True).start()


def _warm_up() -> None:
    _child_embedder.embed_query("预热")


def _embed_query(text: str) -> np.ndarray:
    return _child_embedder.embed_query(text)


def _embed_documents(texts: list[str]) -> np.ndarray:
    return _child_embedder.embed_documents(texts)


def _report_failed_warm_up(future: Future) -> None:
    # say it in the terminal at start-up, not only to the first visitor (a dead child is restarted instead)
    error = None if future.cancelled() else future.exception()
    if error is not None and not isinstance(error, BrokenProcessPool):
        print(f"错误：嵌入模型加载失败：{error}", file=sys.stderr)


class ProcessEmbedder:
    """Runs `make_embedder()` (a picklable factory, cheap to call: models load on first use) in a child.

    The model starts loading as soon as this object exists. Calls from many threads queue for the
    one child. If the child dies (killed, out of memory), the next call starts a fresh one and retries once.
    """

    def __init__(self, make_embedder: Callable[[], Embedder], niceness: int = 0):
        """niceness: added to the child's (os.nice): a background build leaves the CPU to the app first."""
        self._make_embedder = make_embedder
        self._niceness = niceness
        self.name = make_embedder().name
        self._restarting = threading.Lock()
        self.ready = threading.Event()  # a child has loaded the model (or failed to, and said why)
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # spawn, not fork: the app process has threads by now, and the child needs none of its imports
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_child, initargs=(self._make_embedder, self._niceness))
        warm_up = pool.submit(_warm_up)
        warm_up.add_done_callback(_report_failed_warm_up)
        warm_up.add_done_callback(lambda _: self.ready.set())
        return pool

    def _call(self, function: Callable, argument):
        pool = self._pool
        try:
            return pool.submit(function, argument).result()
        except BrokenProcessPool:
            with self._restarting:
                if self._pool is pool:  # the first caller to notice restarts it; the others reuse that
                    pool.shutdown(wait=False)
                    self._pool = self._start()
        try:
            return self._pool.submit(function, argument).result()
        except BrokenProcessPool:
            raise RuntimeError("嵌入模型进程连续两次意外退出（内存不足？），请查看终端日志") from None

    def embed_query(self, text: str) -> np.ndarray:
        return self._call(_embed_query, text)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._call(_embed_documents, list(texts))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
