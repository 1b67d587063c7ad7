"""👍/👎 feedback, appended to a JSONL log that survives restarts (one line per vote, flushed)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path


class FeedbackLog:
    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()

    def record(self, rating: str, question: str, answer: str, citations: list[str], comment: str = "") -> None:
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "rating": rating, "question": question,
                 "answer": answer, "citations": citations, "comment": comment.strip()[:2000]}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a", encoding="utf-8") as log:
            log.write(json.dumps(entry, ensure_ascii=False) + "\n")
            log.flush()

    def entries(self) -> list[dict]:
        if not self.path.is_file():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]
