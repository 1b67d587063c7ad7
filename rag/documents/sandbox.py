"""Parsing untrusted files in a child process under a time and a memory limit.

A parser given a hostile file (a DOCX of millions of empty paragraphs) can take minutes and gigabytes,
and memory a process once took is not given back: in the web app's own process that would stay for
good. So files are parsed in a child. One child parses file after file (an ingest of the whole corpus
starts it once); a child that runs over the time limit is killed and the next file gets a new one. The
memory limit is an address-space limit (RLIMIT_AS) set inside the child: the parser then meets
MemoryError instead of the machine swapping, and that child is replaced too.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    seconds: float = 60  # per file
    memory_bytes: int = 2048 * MB  # the child's address space, imports included (~0.4 GB of it)


class LimitExceeded(Exception):
    """A parse ran over a limit; `reason` says which, in Chinese."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class _OutOfMemory(Exception):
    """Sent back by the child in place of a MemoryError (whose unwinding may itself need memory)."""


def _serve(connection, memory_bytes: int) -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)  # never above the hard cap
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole group: the parent decides
    parent = multiprocessing.parent_process()
    if parent is not None:  # never outlive the parent, even in the middle of a long parse
        threading.Thread(target=lambda: (parent.join(), os._exit(0)), daemon=True).start()
    connection.send(None)  # ready: the time limit counts parsing, not the interpreter's start
    while True:
        try:
            function, args = connection.recv()
        except EOFError:
            return
        try:
            result = (True, function(*args))
        except MemoryError:
            result = (False, _OutOfMemory())
        except Exception as error:
            result = (False, error)
        try:
            connection.send(result)
        except Exception as error:  # an error that does not pickle: its message still gets through
            connection.send((False, RuntimeError(str(error))))


class Sandbox:
    """Runs module-level functions in one child process, one call at a time (callers from several
    threads queue), each under `limits`."""

    def __init__(self, limits: Limits = Limits()):
        self.limits = limits
        self._lock = threading.Lock()
        self._process = None
        self._connection = None

    def run(self, function: Callable, *args):
        """function(*args) in the child: its result, or the exception it raised, or LimitExceeded."""
        memory = f"解析所需内存超过上限 {self.limits.memory_bytes // MB} MB"
        with self._lock:
            try:
                connection = self._started()
                connection.send((function, args))
                if not connection.poll(self.limits.seconds):
                    self._stop()
                    raise LimitExceeded(f"解析用时超过上限 {self.limits.seconds:g} 秒")
                ok, value = connection.recv()
            except (EOFError, OSError):  # the child died: a parser that crashed when memory ran out
                self._stop()
                raise LimitExceeded(f"解析进程意外退出（{memory}？）") from None
            if isinstance(value, _OutOfMemory):
                self._stop()  # what it took stays taken: the next file gets a fresh child
                raise LimitExceeded(memory)
            if not ok:
                raise value
            return value

    def _started(self):
        if self._process is None or not self._process.is_alive():
            # spawn, not fork: the app has threads and a model in memory that the address-space limit would count
            context = multiprocessing.get_context("spawn")
            ours, theirs = context.Pipe()
            self._process = context.Process(target=_serve, args=(theirs, self.limits.memory_bytes), daemon=True,
                                            name="rag-parse")
            self._process.start()
            theirs.close()  # the child then sees EOF once this process goes
            self._connection = ours
            ours.recv()
        return self._connection

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join()
            self._connection.close()
        self._process = self._connection = None

    def close(self) -> None:
        with self._lock:
            self._stop()
