"""👍/👎 feedback in SQLite (WAL): every vote is committed before it is acknowledged, and a torn write
cannot hide the votes before it. A feedback.jsonl beside the database (the log of earlier versions) is
read into it once, skipping a line a crash left torn, and kept as feedback.jsonl.imported."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from pathlib import Path

COLUMNS = ("time", "rating", "question", "answer", "citations", "comment")
INSERT = f"INSERT INTO feedback ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)"


class FeedbackError(RuntimeError):
    """A vote that could not be stored; the message says so to the person, in Chinese."""


class FeedbackLog:
    def __init__(self, path: Path):
        self.path = path  # the SQLite database
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=10, check_same_thread=False, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("CREATE TABLE IF NOT EXISTS feedback (id INTEGER PRIMARY KEY, time TEXT, rating TEXT,"
                           " question TEXT, answer TEXT, citations TEXT, comment TEXT)")
                self._import_jsonl(db)
            except BaseException:
                db.close()
                raise
            self._db = db
        return self._db

    def _import_jsonl(self, db: sqlite3.Connection) -> None:
        """The old log's votes, once: the database's user_version records that it was read."""
        legacy = self.path.with_name("feedback.jsonl")
        if legacy == self.path or not legacy.is_file() or db.execute("PRAGMA user_version").fetchone()[0]:
            return
        db.execute("BEGIN IMMEDIATE")  # two processes starting at once: the second finds it done
        try:
            if not db.execute("PRAGMA user_version").fetchone()[0]:
                db.executemany(INSERT, _legacy_rows(legacy))
                db.execute("PRAGMA user_version = 1")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        with contextlib.suppress(FileNotFoundError):  # another process moved it first
            legacy.replace(legacy.with_name("feedback.jsonl.imported"))

    def record(self, rating: str, question: str, answer: str, citations: list[str], comment: str = "") -> None:
        row = (time.strftime("%Y-%m-%dT%H:%M:%S%z"), rating, question, answer,
               json.dumps(citations, ensure_ascii=False), comment.strip()[:2000])
        try:
            with self._lock:
                self._connection().execute(INSERT, row)
        except (sqlite3.Error, OSError) as error:
            from rag.app.cli import disk_full

            reason = "服务器磁盘空间不足" if disk_full(error) else "反馈存储出错"
            raise FeedbackError(f"反馈未能保存（{reason}），请稍后再试；如一直出现，请联系管理员。") from error

    def entries(self) -> list[dict]:
        """Oldest first, as they were recorded."""
        with self._lock:
            rows = self._connection().execute(
                f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id").fetchall()
        return [{**dict(zip(COLUMNS, row, strict=True)), "citations": json.loads(row[4])} for row in rows]


def _legacy_rows(legacy: Path) -> list[tuple]:
    """feedback.jsonl's votes as rows; a line a crash left torn (or any line that is not a vote) is skipped."""
    rows = []
    for line in legacy.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
            rows.append((*(str(entry[c]) for c in COLUMNS[:4]), json.dumps(list(entry["citations"]), ensure_ascii=False),
                         str(entry.get("comment", ""))))
        except (json.JSONDecodeError, KeyError, TypeError):
            continue
    return rows
