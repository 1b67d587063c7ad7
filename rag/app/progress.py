"""Ingest with progress people can follow: a bar in a terminal, lines with the time left in a log.

Shared by `rag ingest` / `rag add` and by `rag serve`'s first run, so neither imports the other."""

from __future__ import annotations

import sys
import time
from pathlib import Path


def ingest_with_progress(pipeline, paths: list[Path] | None = None) -> int:
    """Ingest with a progress bar in a terminal, or progress lines in a log; 0 when every file went in."""
    from rag.index.store import NotPublished

    try:
        if sys.stderr.isatty():
            report = _ingest_with_bar(pipeline, paths)
        else:
            report = pipeline.ingest(paths, progress=_progress_lines)
    except (FileNotFoundError, NotPublished) as error:  # no model; no room for the new index, or it was lost
        print(f"错误：{error}", file=sys.stderr)
        return 1
    for error in report.errors:
        print(f"错误：{error}（该文件原有的索引内容保持不变）", file=sys.stderr)
    print(report.summary() if report.changed or report.added or report.removed else f"索引已是最新。{report.summary()}")
    return 1 if report.errors else 0


def _ingest_with_bar(pipeline, paths: list[Path] | None):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("计算向量"), BarColumn(), MofNCompleteColumn(), TextColumn("剩余"),
                  TimeRemainingColumn(), transient=False) as bar:
        def progress(total: int):
            task = bar.add_task("embed", total=total)
            return lambda n: bar.advance(task, n)

        return pipeline.ingest(paths, progress=progress)


def _progress_lines(total: int):
    """Not a terminal (a log, CI, a service): a line at every tenth of the work, with the time left."""
    started, done, shown, cached = time.monotonic(), 0, 0, None

    def advance(n: int) -> None:
        nonlocal started, done, shown, cached
        if cached is None:  # the first call reports the texts the cache already had: no time went into them
            cached, started = n, time.monotonic()
        done += n
        tenth = done * 10 // max(total, 1)
        if tenth > shown or done >= total:
            shown = tenth
            computed = done - cached
            left = (time.monotonic() - started) / computed * (total - done) if computed else 0
            print(f"计算向量 {done}/{total}（{done * 100 // max(total, 1)}%，预计还需 {left:.0f} 秒）",
                  file=sys.stderr, flush=True)

    return advance
