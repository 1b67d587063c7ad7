"""Sentences of every chunk with their own vectors: evidence chosen by meaning, not by word lists.

A clause answers a question through one or two of its sentences (or one row of its table). Each
sentence is embedded once at ingest (through the embedding cache) and kept beside the BM25 index
of the same generation, so `ask` compares the question with sentences without running the model
on them, and retrieval can rank clauses by their best sentence (max-sim).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.documents.corpus import file_sha256
from rag.documents.normalize import compact
from rag.index.chunk import Chunk

SENTENCE_END = re.compile(r"(?<=[。；！？\n])")
VECTORS_FILE = "sentences.npy"
INDEX_FILE = "sentences.json"
# bump when what is embedded for a sentence changes: an index with another version is rebuilt by the
# next `rag ingest` (sentences whose text is unchanged come from the embedding cache). 3: the listing holds
# the vectors' sha256, so that bytes changed on disk are found
SENTENCE_SCHEMA = 3


def sentences(text: str) -> list[str]:
    """A clause's sentences; a table row (one line) is one sentence."""
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def table_header(text: str) -> str:
    """The first tab-separated line of a table chunk (every table part repeats it), or ""."""
    return next((line for line in text.split("\n") if "\t" in line), "")


def row_cells(header: str, row: str) -> list[tuple[str, str]]:
    """A table row as (column name, cell) pairs, the row's label first; a cell the table leaves blank is ""."""
    names, cells = _cells(header), _cells(row)
    if len(cells) < len(names) and not row.startswith("\t"):
        cells += [""] * (len(names) - len(cells))
    return list(zip(names, cells, strict=False))


def asked_columns(header: str, question: str) -> list[str]:
    """The columns (after the label column) a question names: 「六级地」 in 「…六级地的地价是多少」."""
    return [name for name in _cells(header)[1:] if name and compact(name) in compact(question)]


def _cells(line: str) -> list[str]:
    cells = [c.strip() for c in line.split("\t")]
    while cells and not cells[0]:
        cells.pop(0)  # rows shifted right by the PDF extraction
    return cells


def table_caption(text: str) -> str:
    """The lines above a table's header: its title and unit (「…出让基准地价」「单位：元/平方米」)."""
    lines = text.split("\n")
    header_at = next((i for i, line in enumerate(lines) if "\t" in line), 0)
    return "\n".join(lines[:header_at])


def embedding_text(sentence: str, heading: str, header: str, caption: str = "") -> str:
    """A sentence with what it needs to mean something alone: its clause heading; a table row also its
    table's title and header row."""
    if "\t" in sentence and header and sentence != header:
        return "\n".join(part for part in (heading, caption, header, sentence) if part)
    if heading and not sentence.startswith(heading[:8]):
        return f"{heading}：{sentence}"
    return sentence


@dataclass(frozen=True)
class SentenceIndex:
    """Every sentence of every chunk: (chunk id, position) → text and unit vector."""

    chunk_ids: list[str]  # one per sentence
    texts: list[str]
    vectors: np.ndarray  # (sentences, dim), unit length
    spans: dict[str, tuple[int, int]]  # chunk id → [start, end) rows

    @classmethod
    def build(cls, chunks: Sequence[Chunk], embed: Callable[[list[str]], np.ndarray]) -> SentenceIndex:
        """embed: texts → vectors (cached by the caller)."""
        chunk_ids, texts, to_embed = [], [], []
        for chunk in chunks:
            header = table_header(chunk.text)
            caption = table_caption(chunk.text) if header else ""
            for sentence in sentences(chunk.text):
                chunk_ids.append(chunk.chunk_id)
                texts.append(sentence)
                to_embed.append(embedding_text(sentence, chunk.metadata.heading, header, caption))
        vectors = embed(to_embed) if to_embed else np.zeros((0, 1), np.float32)
        return cls(chunk_ids, texts, np.asarray(vectors, dtype=np.float32), _spans(chunk_ids))

    @classmethod
    def without_vectors(cls, chunks: Sequence[Chunk]) -> SentenceIndex:
        """The sentences alone (vectors of width 0): evidence chosen by words while the vectors are computed."""
        return cls.build(chunks, lambda texts: np.zeros((len(texts), 0), np.float32))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / VECTORS_FILE, self.vectors)
        # written last: its presence says the vectors are complete, its hash that they are unchanged since
        listing = {"schema": SENTENCE_SCHEMA, "vectors_sha256": file_sha256(folder / VECTORS_FILE),
                   "chunk_ids": self.chunk_ids, "texts": self.texts}
        (folder / INDEX_FILE).write_text(json.dumps(listing, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def exists(cls, folder: Path) -> bool:
        return cls.load(folder) is not None

    @classmethod
    def load(cls, folder: Path) -> SentenceIndex | None:
        """The saved index, or None when it is missing, half-written, of another schema or damaged."""
        return cls._read(folder)[0]

    @classmethod
    def damaged(cls, folder: Path) -> Path | None:
        """The file of a saved index that fails its check: unreadable, or vectors unlike their checksum."""
        return cls._read(folder)[1]

    @classmethod
    def _read(cls, folder: Path) -> tuple[SentenceIndex | None, Path | None]:
        vectors_file, index_file = folder / VECTORS_FILE, folder / INDEX_FILE
        if not (vectors_file.is_file() and index_file.is_file()):
            return None, None
        try:
            listing = json.loads(index_file.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            return None, index_file
        if not isinstance(listing, dict) or listing.get("schema") != SENTENCE_SCHEMA:
            return None, None  # written by an older version: rebuilt, not damaged
        try:
            if file_sha256(vectors_file) != listing.get("vectors_sha256"):
                return None, vectors_file
            vectors = np.load(vectors_file)
        except (ValueError, OSError):
            return None, vectors_file
        chunk_ids, texts = listing.get("chunk_ids"), listing.get("texts")
        if not (isinstance(chunk_ids, list) and isinstance(texts, list) and len(vectors) == len(texts) == len(chunk_ids)):
            return None, index_file
        return cls(chunk_ids, texts, vectors, _spans(chunk_ids)), None

    def of(self, chunk_id: str) -> tuple[list[str], np.ndarray]:
        start, end = self.spans.get(chunk_id, (0, 0))
        return self.texts[start:end], self.vectors[start:end]

    def rank_chunks(self, query: np.ndarray, k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """Chunks ranked by their best sentence's cosine to the query (max-sim)."""
        if not len(self.texts):
            return []
        scores = self.vectors @ query
        best: dict[str, float] = {}
        for row in np.argsort(-scores):
            chunk_id = self.chunk_ids[row]
            if chunk_id in best or (allowed is not None and chunk_id not in allowed):
                continue
            best[chunk_id] = float(scores[row])
            if len(best) == k:
                break
        return list(best.items())


def _spans(chunk_ids: list[str]) -> dict[str, tuple[int, int]]:
    spans: dict[str, tuple[int, int]] = {}
    for row, chunk_id in enumerate(chunk_ids):
        start, _ = spans.get(chunk_id, (row, row))
        spans[chunk_id] = (start, row + 1)
    return spans
