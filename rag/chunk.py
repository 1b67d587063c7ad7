"""Clause tree → chunks: display text, embedding text with the breadcrumb, and flat metadata."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from rag.documents import Clause, Document
from rag.parse.regulation import article_shape

MAX_CHUNK_CHARS = 450
# Part of every chunk id: bump it when the metadata changes shape, so the next ingest rewrites
# every chunk (vectors still come from the embedding cache, which is keyed by the text).
CHUNK_SCHEMA = "3"
BREADCRUMB_SEPARATOR = " > "


@dataclass(frozen=True)
class Chunk:
    chunk_id: str  # content hash: unchanged text keeps its id, so it is never re-embedded
    text: str  # the clause as written (or one part of it), for display and quoting
    embed_text: str  # breadcrumb + text, what the embedding model sees
    metadata: dict[str, str | int]  # flat scalars only: what Chroma can store and filter on

    @property
    def doc_number(self) -> str:
        return str(self.metadata["doc_number"])

    @property
    def clause_path(self) -> str:
        return str(self.metadata["clause_path"])


def split_clause(text: str, limit: int = MAX_CHUNK_CHARS) -> list[str]:
    """A long clause's parts: one per ▲ item (each its own topic), long items split at sentence ends."""
    if len(text) <= limit:
        return [text]
    items = re.split(r"\n(?=▲)", text)
    return [part for item in items for part in split_sentences(item, limit)]


def split_sentences(text: str, limit: int = MAX_CHUNK_CHARS) -> list[str]:
    """Split text at 。；！？ and line ends into parts of at most ~limit characters."""
    if len(text) <= limit:
        return [text]
    pieces = [p for p in re.split(r"(?<=[。；！？\n])", text) if p]
    parts, current = [], ""
    for piece in pieces:
        if current and len(current) + len(piece) > limit:
            parts.append(current)
            current = ""
        current += piece
    if current:
        parts.append(current)
    return [part.strip("\n") for part in parts if part.strip()]


def _paragraph_parts(text: str, limit: int) -> list[str]:
    """An article split only between its lines (款 and 项), so each part starts a paragraph and a
    quote can be placed at 第N款第（M）项; a single line longer than the limit stays whole."""
    parts: list[str] = []
    for line in text.split("\n"):
        if parts and len(parts[-1]) + len(line) < limit:
            parts[-1] += "\n" + line
        else:
            parts.append(line)
    return parts


def _table_parts(clause: Clause, limit: int) -> list[str]:
    """Split a table clause between rows, never inside one; every part starts with the header row."""
    header = clause.table_header
    parts: list[list[str]] = [[]]
    size = 0
    for row in clause.text.split("\n"):
        if row == header and header in parts[-1]:
            continue  # the header repeated at a page break: this part has it already
        if parts[-1] and size + len(row) > limit:
            parts.append([header] if header in parts[-1] else [])
            size = len(header)
        parts[-1].append(row)
        size += len(row)
    return ["\n".join(part) for part in parts if part]


def embed_text(breadcrumb: str, text: str) -> str:
    """What the embedding model and BM25 see: the clause's place in its document, then its text."""
    return f"{breadcrumb}\n{text}"


def breadcrumb(document: Document, clause: Clause) -> str:
    crumbs = [document.title, *clause.parents, clause.heading]
    return BREADCRUMB_SEPARATOR.join(c for c in crumbs if c)


def content_hash(*fields: str) -> str:
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()[:32]


def chunk_document(document: Document, limit: int = MAX_CHUNK_CHARS) -> list[Chunk]:
    source = document.source
    chunks = []
    for order, clause in enumerate(document.clauses):
        if not clause.text.strip():
            continue
        if clause.table_header:
            parts = _table_parts(clause, limit)
        elif source.kind == "regulation":
            parts = _paragraph_parts(clause.text, limit) if len(clause.text) > limit else [clause.text]
        else:
            parts = split_clause(clause.text, limit)
        crumb = breadcrumb(document, clause)
        shape = article_shape(clause.text)
        paragraph_base = 0
        for index, part in enumerate(parts):
            digest = content_hash(CHUNK_SCHEMA, source.name, document.doc_number, document.title,
                                  clause.clause_path, str(order), str(index), part)
            metadata: dict[str, str | int] = {
                "source": source.name,
                "kind": source.kind,
                "issue": source.issue,
                "doc_number": document.doc_number,
                "doc_title": document.title,
                "clause_path": clause.clause_path,
                "heading": clause.heading,
                "parents": BREADCRUMB_SEPARATOR.join(clause.parents),
                "breadcrumb": crumb,
                "page": clause.page or document.page or 0,  # 0: no page known
                "date": document.date or 0,  # yyyymmdd (a regulation's: its latest amendment); 0: none printed
                "effective": document.effective or 0,  # 施行 date, yyyymmdd; 0: not stated
                "history": "\n".join(document.history),
                "file_hash": source.file_hash,
                "responsible_units": "、".join(clause.responsible_units),
                "order": order,  # the clause's position in its document, for showing the whole tree
                "part": index,
                "parts": len(parts),
                "is_table": int(bool(clause.table_header)),
                "content_hash": digest,
                # where this part sits in its article: 款 before it, 款 in all, whether it has 项
                "paragraph_base": paragraph_base,
                "paragraph_count": shape.paragraphs,
                "has_items": int(shape.has_items),
            }
            paragraph_base += article_shape(part).paragraphs
            chunks.append(Chunk(chunk_id=digest, text=part, embed_text=embed_text(crumb, part), metadata=metadata))
    return chunks
