"""The documents the index holds, as a list people browse: one entry per document (per version of a
regulation), its clauses in order, and a stable link to each clause.

A link names the document by its 文号 (a regulation or a newspaper article, which have none, by its
title), the clause by its path and, for a regulation, the version by its date:
`?doc=许政办〔2024〕3号&clause=四、（四）1.`; a clause without a number by its position, `clause=@3`.
Chunk ids change when a text changes; these do not. A comparison of two versions names the older by
`compare` and the newer by `version`, the article to land on by `clause`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from rag.answer.citation import short_reference
from rag.answer.question import to_simplified
from rag.documents.compare import Article
from rag.documents.normalize import compact
from rag.index.chunk import Chunk, ClauseMeta
from rag.index.holdings import Holdings, in_number_order
from rag.search.retrieve import normalized_question


@dataclass(frozen=True)
class DocumentEntry:
    key: str  # the 文号, else the title: what a link names
    title: str
    kind: str
    issue: str
    date: int  # yyyymmdd, 0 when undated
    status: str
    clauses: int
    version: int | None  # a regulation's version date, when it has several versions

    def matches(self, text: str) -> bool:
        """Whether a search typed in the library finds this document by title or 文号, read as the chat reads a
        question: spaces ignored, traditional characters as simplified (許政辦), a 文号 in any brackets
        (许政办[2024]3号)."""
        wanted = normalized_question(to_simplified(text))
        return not wanted or wanted in self.key or wanted in compact(self.title)


def document_key(meta: ClauseMeta) -> str:
    """文号; a newspaper article by its issue and page with its title (titles such as 专家点评 recur); a
    regulation by its title (its versions apart by date)."""
    if meta.doc_number:
        return meta.doc_number
    return short_reference(meta) if meta.kind == "newspaper" else meta.doc_title


def clause_name(meta: ClauseMeta) -> str:
    """The clause in a link: its path, or for text without numbered clauses its position (@3)."""
    return meta.clause_path or f"@{meta.order}"


def clause_link(meta: ClauseMeta) -> str:
    """The clause's stable address, relative to the app's page. A regulation's names its version, so a
    link to a superseded version stays one when a newer version is added."""
    query = {"doc": document_key(meta), "clause": clause_name(meta)}
    if meta.kind == "regulation" and meta.version_date:
        query["version"] = str(meta.version_date)
    return "?" + urlencode({k: v for k, v in query.items() if v})


def comparison_link(key: str, old: int, new: int, clause: str = "") -> str:
    """The address of what changed from version `old` to `new` (dates), at `clause` when given."""
    return "?" + urlencode({k: v for k, v in {"doc": key, "compare": str(old), "version": str(new), "clause": clause}.items()
                            if v})


class Catalogue:
    """A generation's chunks grouped into documents, and the page's filter lists (its `Holdings`)."""

    def __init__(self, holdings: Holdings):
        self.numbered_documents = holdings.numbered_documents  # 「许政办〔2024〕3号 标题」
        self.years = holdings.years
        self.holdings = holdings
        self._clauses: dict[tuple[str, int | None], list[Chunk]] = {}  # each clause's first part, in order
        for chunk in holdings.chunks.values():
            meta = chunk.metadata
            if meta.part == 0:
                self._clauses.setdefault((document_key(meta), meta.version_date), []).append(chunk)
        for clauses in self._clauses.values():
            clauses.sort(key=lambda c: c.metadata.order)
        self._versions: dict[str, int] = {}
        for key, _version in self._clauses:
            self._versions[key] = self._versions.get(key, 0) + 1

    def entries(self, search: str = "") -> list[DocumentEntry]:
        """Every document, newest first, narrowed to those a search names."""
        found = []
        for (key, version), clauses in self._clauses.items():
            meta = clauses[0].metadata
            entry = DocumentEntry(key, meta.doc_title, meta.kind, meta.issue, meta.date, meta.status, len(clauses),
                                  version if self._versions[key] > 1 else None)
            if entry.matches(search):
                found.append(entry)
        return sorted(found, key=lambda e: (-e.date, in_number_order(e.key)))

    def clauses(self, key: str, version: int | None = None) -> list[Chunk]:
        """A document's clauses in order: the version asked for, else the latest."""
        dated = sorted((k[1] or 0, k) for k in self._clauses if k[0] == key)
        if not dated:
            return []
        chosen = next((k for v, k in dated if version is not None and v == version), dated[-1][1])
        return self._clauses[chosen]

    def clause(self, key: str, name: str, version: int | None = None) -> Chunk | None:
        """The clause a link names (see clause_name)."""
        return next((c for c in self.clauses(key, version) if clause_name(c.metadata) == name), None)

    def has_version(self, key: str, version: int) -> bool:
        return (key, version) in self._clauses

    def versions(self, key: str) -> list[int]:
        """The dates of a document's versions, oldest first; [] for a document with one version."""
        return sorted(v for k, v in self._clauses if k == key and v) if self._versions.get(key, 0) > 1 else []

    def articles(self, key: str, version: int) -> list[Article]:
        """A version's numbered clauses, whole, in order: what two versions are compared by."""
        return [Article(clause_name(c.metadata), self.full_text(c)) for c in self.clauses(key, version)
                if c.metadata.clause_path]

    def full_text(self, clause: Chunk) -> str:
        """The whole clause, its parts joined (a long clause is indexed in parts)."""
        return self.holdings.full_text(clause.metadata)


class CurrentCatalogue:
    """The catalogue of the generation live now (`holdings`: its holdings, read on each call), built once per
    generation rather than on every keystroke or request; shared by the page and the JSON API."""

    def __init__(self, holdings: Callable[[], Holdings]):
        self.holdings = holdings
        self.built: tuple[Holdings, Catalogue] | None = None

    def __call__(self) -> Catalogue:
        holdings = self.holdings()
        if self.built is None or self.built[0] is not holdings:
            self.built = (holdings, Catalogue(holdings))
        return self.built[1]
