"""What one generation of the index holds, worked out once when the generation is read: its chunks (with
each version's status), the version table, the documents (文号, titles, clause paths, parts), the years and the
library's whole text. Search, the answerer and the page's catalogue all read this one value.

Everything comes from the chunks' own metadata, so a document added later brings its numbers, titles and
clause paths with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from rag.documents.clauses import CN_NUMERAL, DEPARTMENT_SUFFIX, match_numbering
from rag.documents.model import IN_FORCE, NATIONAL_PREFIX
from rag.documents.normalize import compact
from rag.index.chunk import Chunk, ClauseMeta
from rag.index.versions import VersionTable

TITLE_IN_BRACKETS = re.compile(r"《([^《》]{2,60})》")
TOP_LEVEL = re.compile(rf"{CN_NUMERAL}、")  # a document's first-level part: 一、 … 七、
DIVISION = re.compile(rf"第{CN_NUMERAL}[章节]")
TITLE_END = re.compile(r"[，。；：,;]")
SENTENCE_END = re.compile(r"[。；：;]")
OUTLINE_TITLE_CHARS = 30  # a section named in an outline: its title, or its first words up to this
DEPARTMENT = re.compile(rf"(?:{DEPARTMENT_SUFFIX})$")


@dataclass(frozen=True)
class Shelf:
    """The documents as a help-desk worker finds them on the shelf: the 文号, titles, issues and the clause paths
    of each document, in document order."""

    paths: dict[str, tuple[str, ...]]  # 文号 or title → clause paths
    titles: dict[str, str]  # 文号 → title
    issues: frozenset[str]  # 《许昌市人民政府公报》2024年第2期, 《许昌日报》…: publications, not documents
    # 文号 or title → its sections in document order: (clause path, path + title), the headings that are only
    # parents of clauses included (「二、」 as 二、精准认定低收入人口)
    sections: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    # 文号 or title → the chapters and sections its clauses sit under (第二章, 第一节): a regulation's divisions,
    # which its clause paths (第十条) do not show
    divisions: dict[str, frozenset[str]] = field(default_factory=dict)
    # the titles the documents themselves cite in 《》 (「按照《许昌市城市绿化条例》…」), held or not: names of
    # documents this library knows to exist
    cited: frozenset[str] = frozenset()
    dates: dict[str, tuple[int, ...]] = field(default_factory=dict)  # title → its versions' dates, oldest first

    @classmethod
    def of(cls, metadatas: Iterable[ClauseMeta], texts: Iterable[str] = (),
           dates: Mapping[str, Sequence[int]] | None = None) -> Shelf:
        """texts: the clauses' text, for the titles they cite; dates: each title's versions (VersionTable.dates)."""
        ordered = sorted(metadatas, key=lambda m: (m.doc_number or m.doc_title, m.order))
        paths: dict[str, list[str]] = {}
        titles: dict[str, str] = {}
        issues: set[str] = set()
        sections: dict[str, dict[str, str]] = {}
        divisions: dict[str, set[str]] = {}
        for meta in ordered:
            key = meta.doc_number or meta.doc_title
            divisions.setdefault(key, set()).update(m[0] for heading in meta.parents if (m := DIVISION.match(heading)))
            found = sections.setdefault(key, {})
            for path, label in _sections(meta):
                found.setdefault(path, label)
            for name in {meta.doc_number, meta.doc_title} - {""}:
                paths.setdefault(name, [])
                if meta.clause_path and meta.clause_path not in paths[name]:
                    paths[name].append(meta.clause_path)
            if meta.doc_number:
                titles[meta.doc_number] = meta.doc_title
            issues |= set(TITLE_IN_BRACKETS.findall(meta.issue))
        cited = frozenset(compact(t) for text in texts for t in TITLE_IN_BRACKETS.findall(text)) - issues
        return cls({k: tuple(v) for k, v in paths.items()}, titles, frozenset(issues),
                   {k: tuple(v.items()) for k, v in sections.items()}, {k: frozenset(v) for k, v in divisions.items()},
                   cited, {k: tuple(d for d in v if d) for k, v in (dates or {}).items()})

    @cached_property
    def issuers(self) -> dict[str, str]:
        """The library's issuers by the names people give them → the prefix of the 文号 they issue: the title's
        issuer (before 关于) without 人民, with its place (许昌市政府 → 许政) and without it, as the library's own city
        is named (市政府办公室 → 许政办); a name two prefixes share is left out. Another city's body (郑州市政府) is
        none of them. Read once per shelf: every question naming a 文号 looks it up."""
        found: dict[str, set[str]] = {}
        for number, title in self.titles.items():
            if "关于" in title and "〔" in number:
                key = issuer_key(title.split("关于")[0])
                for name in (key, re.sub(r"^[\u4e00-\u9fff]{1,6}?(?=[省市县区])", "", key)):
                    found.setdefault(name, set()).add(number.split("〔")[0])
        return {name: prefixes.pop() for name, prefixes in found.items() if name and len(prefixes) == 1}

    def outline(self, key: str) -> tuple[str, ...]:
        """The first-level parts of the document 文号 or title key: 一、总体要求 …"""
        return tuple(label for path, label in self._children(key, "") if TOP_LEVEL.fullmatch(path))

    def children(self, key: str, path: str) -> tuple[tuple[str, str], ...]:
        """The sections directly under a clause path of the document 文号 or title key: (clause path, title
        numbered as within the part): 二、（一） → (二、（一）1., 1.最低生活保障对象) …"""
        return tuple((p, label.removeprefix(path)) for p, label in self._children(key, path)) if path else ()

    def label(self, key: str, path: str) -> str:
        """A clause path with its title: 二、（一） → 二、（一）低收入人口范围."""
        return dict(self.sections.get(key, ())).get(path, path)

    def _children(self, key: str, path: str) -> list[tuple[str, str]]:
        below = [(p, label) for p, label in self.sections.get(key, ()) if p.startswith(path) and p != path]
        return [(p, label) for p, label in below
                if not any(p != q and p.startswith(q) for q, _ in below)]

    @property
    def title_keys(self) -> list[str]:
        """The documents by title (the other keys of `paths` are 文号)."""
        return [key for key in self.paths if key not in self.titles]

    def title_for(self, written: str) -> str | None:
        """The library's title that a 《…》 in a question names: the title itself, the title without
        中华人民共和国, a part of it, or its abbreviation (the written characters in order within the title:
        《低收入人口动态监测实施意见》)."""
        matches = self.titles_for(written)
        return min(matches, key=len) if matches else None

    def titles_for(self, written: str) -> list[str]:
        """Every title a name fits, by the first test any fits: the title itself, a part of it, its abbreviation."""
        name = compact(written).removeprefix(NATIONAL_PREFIX)
        titles = self.title_keys
        for test in (lambda t: t.removeprefix(NATIONAL_PREFIX) == name, lambda t: name in t,
                     lambda t: _in_order(name, t)):
            matches = [t for t in titles if test(t)]
            if matches:
                return matches
        return []


def issuer_key(name: str) -> str:
    """An issuing body's name as people shorten it, without 人民: 许昌市人民政府办公室 → 许昌市政府办公室."""
    return name.replace("人民", "")


def _sections(meta: ClauseMeta) -> list[tuple[str, str]]:
    """The clause's own section and those of the headings it sits under, each as (path, path + title)."""
    found, path = [], ""
    for heading in meta.parents:
        numbering = match_numbering(heading)
        if numbering is None or not meta.clause_path.startswith(path + numbering.label):
            return found  # a heading without a number of the clause's path: the path does not show it
        path += numbering.label
        found.append((path, path + _short_title(numbering.rest)))
    if meta.clause_path.startswith(path) and meta.clause_path != path:
        numbering = match_numbering(meta.heading)
        found.append((meta.clause_path, meta.clause_path + (meta.title or _short_title(
            numbering.rest if numbering else meta.heading))))
    return found


def _short_title(heading: str) -> str:
    """A heading's title: up to its first full stop, colon or semicolon, or when that is longer than
    OUTLINE_TITLE_CHARS up to its first comma (「强化创新引领，塑造新动能新优势」 is one title; a first sentence
    used as a heading is cut at its first clause), at most OUTLINE_TITLE_CHARS characters."""
    title = SENTENCE_END.split(heading.strip(), maxsplit=1)[0]
    if len(title) > OUTLINE_TITLE_CHARS:
        title = TITLE_END.split(title, maxsplit=1)[0]
    return title if len(title) <= OUTLINE_TITLE_CHARS else title[:OUTLINE_TITLE_CHARS] + "…"


def clause_key(meta: ClauseMeta) -> tuple:
    """One clause of one version of one document: what the parts of a long clause share."""
    return meta.source, meta.doc_number, meta.doc_title, meta.version_date, meta.order


@dataclass(frozen=True)
class Holdings:
    chunks: dict[str, Chunk]  # chunk id → chunk, each with its version's status (VersionTable.annotate)
    versions: VersionTable
    shelf: Shelf
    documents: tuple[ClauseMeta, ...]  # each document's (each version's) first clause, in chunk order
    doc_numbers: frozenset[str]
    titles: tuple[str, ...]  # the titles a question can name: every document's but a newspaper article's
    text: str  # every title and clause, compacted: whether the library uses a word at all
    years: tuple[int, ...]  # the years the clauses speak of: the page's year filter
    numbered_documents: tuple[str, ...]  # 「许政办〔2024〕3号 标题」: the page's document filter
    # the departments among the 责任单位 (not a county or a college the documents also list): 市民政局 …
    departments: tuple[str, ...]
    clause_parts: Mapping[tuple, tuple[Chunk, ...]] = field(default_factory=dict)  # clause_key → parts, in order
    # (文号 or title, clause path) → the first parts of the clauses there, of every version: read per section of an
    # outline, so looked up rather than scanned (a scan is linear in the library: 0.1 s per outline at 40×)
    openings: Mapping[tuple[str, str], tuple[Chunk, ...]] = field(default_factory=dict)

    def full_text(self, meta: ClauseMeta) -> str:
        """The whole clause a chunk is part of, its parts joined (a long clause is indexed in parts)."""
        return "\n".join(p.text for p in self.clause_parts.get(clause_key(meta), ()))

    def first_chunk(self, key: str, path: str) -> Chunk | None:
        """The first part of the clause at a path ("": the preamble) of the document 文号 or title key; of a
        document with versions, the one in force."""
        return min(self.openings.get((key, path), ()),
                   key=lambda c: (c.metadata.status not in IN_FORCE, -c.metadata.date, c.metadata.order), default=None)

    @classmethod
    def of(cls, chunks: Mapping[str, Chunk]) -> Holdings:
        versions = VersionTable.build(chunks.values())
        chunks = versions.annotate(chunks)  # a version's status depends on the others: worked out at load
        metas = [c.metadata for c in chunks.values()]
        documents: dict[tuple[str, str, str, int], ClauseMeta] = {}
        for meta in metas:
            documents.setdefault((meta.doc_number, meta.doc_title, meta.issue, meta.date), meta)
        parts: dict[tuple, list[Chunk]] = {}
        openings: dict[tuple[str, str], list[Chunk]] = {}
        for chunk in chunks.values():
            meta = chunk.metadata
            parts.setdefault(clause_key(meta), []).append(chunk)
            if meta.part == 0:
                for key in {meta.doc_number, meta.doc_title} - {""}:
                    openings.setdefault((key, meta.clause_path), []).append(chunk)
        return cls(
            chunks=dict(chunks),
            versions=versions,
            shelf=Shelf.of(metas, (c.text for c in chunks.values()), versions.dates),
            documents=tuple(documents.values()),
            doc_numbers=frozenset(m.doc_number for m in metas if m.doc_number),
            titles=tuple(sorted({m.doc_title for m in metas if m.kind != "newspaper"})),
            text=compact("\n".join(f"{c.metadata.doc_title}\n{c.text}" for c in chunks.values())),
            years=tuple(sorted({m.year for m in metas if m.year})),
            numbered_documents=tuple(sorted({f"{m.doc_number} {m.doc_title}" for m in metas if m.doc_number},
                                            key=in_number_order)),
            departments=tuple(sorted({u for m in metas for u in m.responsible_units if DEPARTMENT.search(u)})),
            clause_parts={key: tuple(sorted(found, key=lambda c: c.metadata.part)) for key, found in parts.items()},
            openings={key: tuple(found) for key, found in openings.items()},
        )


def in_number_order(text: str) -> list[tuple[int, str]]:
    """许政〔2024〕7号 before 许政〔2024〕10号: numbers compared as numbers."""
    # the split's odd pieces are the digit runs (tested by position: 「①」 is a digit to str.isdigit, not to int)
    return [(int(piece), "") if odd else (-1, piece) for odd, piece in
            ((i % 2 == 1, p) for i, p in enumerate(re.split(r"(\d+)", text)))]


def _in_order(short: str, long: str) -> bool:
    """Whether every character of short occurs in long, in order (an abbreviation)."""
    position = 0
    for char in short:
        position = long.find(char, position) + 1
        if not position:
            return False
    return True
