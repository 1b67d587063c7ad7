"""A generation's chunks as a file beside its BM25 index, as Chroma stores them (id, text, labels).

A restart reads them from here, with the BM25 files, and answers by keyword before Chroma is imported or
opened (~1 s of the start); the complete index is read from Chroma behind them. The file's sha256 is written
after it: a file without one, or that differs from it, is not used (Chroma's copy then serves, as before).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from rag.documents.corpus import file_sha256
from rag.index.chunk import Chunk, ClauseMeta

CHUNKS_FILE = "chunks.json"
CHECK_FILE = "chunks.sha256"


def save_chunks(folder: Path, chunks: Iterable[Chunk]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    records = [[c.chunk_id, c.text, c.metadata.to_store()] for c in chunks]
    (folder / CHUNKS_FILE).write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    # written last: its presence says the chunks are complete, its hash that they are unchanged since
    (folder / CHECK_FILE).write_text(file_sha256(folder / CHUNKS_FILE), encoding="utf-8")


def load_chunks(folder: Path) -> dict[str, Chunk] | None:
    """The saved chunks by id, or None when they are missing, half-written or damaged."""
    try:
        if file_sha256(folder / CHUNKS_FILE) != (folder / CHECK_FILE).read_text(encoding="utf-8"):
            return None
        records = json.loads((folder / CHUNKS_FILE).read_text(encoding="utf-8"))
        return {i: Chunk(i, text, ClauseMeta.from_store(labels)) for i, text, labels in records}
    except (OSError, ValueError, TypeError):
        return None
