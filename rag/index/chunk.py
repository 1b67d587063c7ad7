"""Clause tree → chunks: display text, embedding text with the breadcrumb, and typed clause metadata."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields

from rag.documents.clauses import match_numbering, units_word
from rag.documents.model import CURRENT, Clause, Document
from rag.documents.regulation import ArticleShape, article_shape

MAX_CHUNK_CHARS = 450
# Part of every chunk id: bump it when the metadata changes shape, so the next ingest rewrites
# every chunk (vectors still come from the embedding cache, which is keyed by the text).
CHUNK_SCHEMA = "6"
BREADCRUMB_SEPARATOR = " > "
MAX_TITLE_CHARS = 20  # a longer heading is a clause's first sentence, not its title


@dataclass(frozen=True)
class ClauseMeta:
    """Everything known about one chunk's clause: the one typed form of its metadata. Chroma holds it as
    flat scalars (`to_store` / `from_store`); `status` is not stored but worked out when the index is
    loaded (rag.index.versions), since adding a newer version changes it."""

    source: str  # the file's path in the corpus
    kind: str  # gazette | policy | regulation | newspaper
    doc_title: str
    doc_number: str = ""  # 文号; "" for regulations and newspaper articles
    issue: str = ""  # the gazette issue or newspaper page it was published in
    clause_path: str = ""  # 四、（四）1. or 第十一条; "" for a document without numbered clauses
    heading: str = ""
    parents: tuple[str, ...] = ()  # headings of the clauses it sits under
    breadcrumb: str = ""
    page: int | None = None
    date: int = 0  # yyyymmdd (a regulation's: its latest amendment); 0: none printed
    effective: int = 0  # 施行 date, yyyymmdd; 0: not stated
    history: tuple[str, ...] = ()  # promulgation and amendment lines, oldest first
    file_hash: str = ""
    responsible_units: tuple[str, ...] = ()
    # the whole clause's word for them (牵头单位 / 责任单位 …): the part a chunk holds may not contain it
    units_named_as: str = "责任单位"
    order: int = 0  # the clause's position in its document, for showing the whole tree
    part: int = 0  # a long clause is split: this chunk's part, of `parts`
    parts: int = 1
    is_table: bool = False
    content_hash: str = ""
    # where this part sits in its article: 款 before it, 款 in all, whether it has 项
    paragraph_base: int = 0
    paragraph_count: int = 0
    has_items: bool = False
    status: str = CURRENT  # 现行有效 / 已修订 / 已废止 / 尚未施行 / 已到期; "" for a newspaper article

    @property
    def version_date(self) -> int | None:
        return self.date or None

    @property
    def year(self) -> int | None:
        return self.date // 10000 or None

    @property
    def amended(self) -> bool:
        """The version's history records an amendment (修订/修正), not only its first promulgation."""
        return bool(self.history) and any(word in self.history[-1] for word in ("修订", "修正", "修改"))

    @property
    def title(self) -> str:
        """The clause's own title without its number (「1.最低生活保障对象」 → 最低生活保障对象), or "" when its
        heading is its first sentence rather than a title."""
        numbering = match_numbering(self.heading)
        title = (numbering.rest if numbering else self.heading).strip()
        return title if len(title) <= MAX_TITLE_CHARS and not re.search(r"[，。；：,;]", title) else ""

    @property
    def units_label(self) -> str:
        """The responsible units as a reader sees them: 市民政局、市财政局."""
        return "、".join(self.responsible_units)

    @property
    def shape(self) -> ArticleShape:
        return ArticleShape(self.paragraph_count, self.has_items)

    def to_store(self) -> dict[str, str | int]:
        """Flat scalars, what Chroma can store and filter on (lists joined, None and False as 0)."""
        stored: dict[str, str | int] = {}
        for item in fields(self):
            if item.name in _NOT_STORED:
                continue
            value = getattr(self, item.name)
            if isinstance(value, tuple):
                value = _JOINERS[item.name].join(value)
            stored[item.name] = int(value or 0) if item.type in ("int", "int | None", "bool") else value
        return stored

    @classmethod
    def from_store(cls, stored: Mapping[str, str | int | float | bool | None]) -> ClauseMeta:
        values: dict = {}
        for item in fields(cls):
            if item.name not in stored or item.name in _NOT_STORED:
                continue
            value = stored[item.name]
            if item.name in _JOINERS:
                value = tuple(x for x in str(value).split(_JOINERS[item.name]) if x)
            elif item.type == "bool":
                value = bool(value)
            elif item.type == "int | None":
                value = int(value or 0) or None
            elif item.type == "int":
                value = int(value or 0)
            else:
                value = str(value)
            values[item.name] = value
        return cls(**values)


# a unit's name may hold 、 (各县（市、区）人民政府), so units are joined by a line break like history lines
_JOINERS = {"parents": BREADCRUMB_SEPARATOR, "history": "\n", "responsible_units": "\n"}
_NOT_STORED = {"status"}


@dataclass(frozen=True)
class Chunk:
    chunk_id: str  # content hash: unchanged text keeps its id, so it is never re-embedded
    text: str  # the clause as written (or one part of it), for display and quoting
    metadata: ClauseMeta

    @property
    def embed_text(self) -> str:
        """Breadcrumb + text: what the embedding model and BM25 see."""
        return embed_text(self.metadata.breadcrumb, self.text)

    @property
    def doc_number(self) -> str:
        return self.metadata.doc_number

    @property
    def clause_path(self) -> str:
        return self.metadata.clause_path


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
            metadata = ClauseMeta(
                source=source.name, kind=source.kind, issue=source.issue, doc_number=document.doc_number,
                doc_title=document.title, clause_path=clause.clause_path, heading=clause.heading,
                parents=tuple(p for p in clause.parents if p), breadcrumb=crumb, page=clause.page or document.page or None,
                date=document.date or 0, effective=document.effective or 0, history=tuple(document.history),
                file_hash=source.file_hash, responsible_units=tuple(clause.responsible_units),
                units_named_as=units_word(clause.text), order=order,
                part=index, parts=len(parts), is_table=bool(clause.table_header), content_hash=digest,
                paragraph_base=paragraph_base, paragraph_count=shape.paragraphs, has_items=shape.has_items)
            paragraph_base += article_shape(part).paragraphs
            chunks.append(Chunk(chunk_id=digest, text=part, metadata=metadata))
    return chunks
