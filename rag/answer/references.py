"""The references a question names (a 文号, a title in 《》, a clause path or an article), looked up in the
library before anything is searched.

A help-desk worker asked about 「许政办〔2024〕7号」 first checks the shelf: if the library does not hold
it, or the document has no part 「七、」, that is the first thing the person hears, never an answer taken
from another document. What the library holds is read from the indexed chunks' metadata, so a document
added later brings its own numbers, titles and clause paths.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rag.documents.clauses import cn_to_int
from rag.documents.normalize import compact
from rag.index.chunk import ClauseMeta
from rag.search.retrieve import (
    CN_NUMERAL,
    NATIONAL_PREFIX,
    PATH_LEVEL,
    doc_numbers_in,
    normalized_question,
    path_after,
    without_leading_words,
)

TITLE_IN_BRACKETS = re.compile(r"《([^《》]{2,60})》")
# a law or rule named without 《》 but with an article after it (「道路运输条例第九十条」): Chinese legislation's
# names end in these words, and the article makes the name a reference rather than a topic
TITLE_BEFORE_ARTICLE = re.compile(rf"([\u4e00-\u9fff]{{2,30}}(?:条例|办法|规定|细则|规则|法))(?=第{CN_NUMERAL}条)")
# a national law by its full name, article or not: 「根据中华人民共和国劳动合同法，…」
NATIONAL_LAW = re.compile(rf"({NATIONAL_PREFIX}[\u4e00-\u9fff]{{2,30}}?(?:法|条例))")
# the n-th numbered item of a document numbered 1. 2. … through its parts: 「许政办〔2024〕4号第30条」「第三十项」
ITEM = re.compile(rf"的?第(\d{{1,3}}|{CN_NUMERAL})(?:条|项|点)")
NUMBERED = re.compile(r"(\d{1,3})\.$")
MIN_TITLE = 4  # characters: 《法》《条例》 alone name no particular document
TOP_LEVEL = re.compile(rf"{CN_NUMERAL}、")  # a document's first-level part: 一、 … 七、


@dataclass(frozen=True)
class NamedReference:
    """One reference of a question and what the library holds of it."""

    written: str  # as the question names it, normalized: 许政办〔2024〕7号 四、（四）1.
    doc_number: str = ""
    doc_title: str = ""  # the library's title when the document is there
    clause_path: str = ""
    problem: str = ""  # the first line to say when the library does not hold it

    @property
    def found(self) -> bool:
        return not self.problem

    @property
    def scope(self) -> str:
        """The reference as the retriever reads it: the 文号 (or the library's whole title) and the path."""
        return f"{self.doc_number or f'《{self.doc_title}》'} {self.clause_path}".strip()


@dataclass(frozen=True)
class Shelf:
    """What the library holds, from the index's chunk metadata: the 文号, titles, issues and the clause paths
    of each document, in document order."""

    paths: dict[str, tuple[str, ...]]  # 文号 or title → clause paths
    titles: dict[str, str]  # 文号 → title
    issues: frozenset[str]  # 《许昌市人民政府公报》2024年第2期, 《许昌日报》…: publications, not documents
    outlines: dict[str, tuple[str, ...]] = field(default_factory=dict)  # 文号 or title → its parts: 一、总体要求 …

    @classmethod
    def of(cls, metadatas: Iterable[ClauseMeta]) -> Shelf:
        ordered = sorted(metadatas, key=lambda m: (m.doc_number or m.doc_title, m.order))
        paths: dict[str, list[str]] = {}
        titles: dict[str, str] = {}
        issues: set[str] = set()
        outlines: dict[str, list[str]] = {}
        for meta in ordered:
            # a first-level part is a chunk of its own or only the heading its sub-clauses sit under
            part = (meta.clause_path + meta.title if meta.title and TOP_LEVEL.fullmatch(meta.clause_path)
                    else meta.parents[0] if meta.parents and TOP_LEVEL.match(meta.parents[0]) else "")
            if part:
                outlines.setdefault(meta.doc_number or meta.doc_title, []).append(part)
            for key in {meta.doc_number, meta.doc_title} - {""}:
                paths.setdefault(key, [])
                if meta.clause_path and meta.clause_path not in paths[key]:
                    paths[key].append(meta.clause_path)
            if meta.doc_number:
                titles[meta.doc_number] = meta.doc_title
            issues |= set(TITLE_IN_BRACKETS.findall(meta.issue))
        return cls({k: tuple(v) for k, v in paths.items()}, titles, frozenset(issues),
                   {k: tuple(dict.fromkeys(v)) for k, v in outlines.items()})

    def outline(self, meta: ClauseMeta) -> tuple[str, ...]:
        return self.outlines.get(meta.doc_number or meta.doc_title, ())

    def title_for(self, written: str) -> str | None:
        """The library's title that a 《…》 in a question names: the title itself, the title without
        中华人民共和国, a part of it, or its abbreviation (the written characters in order within the title:
        《低收入人口动态监测实施意见》)."""
        name = compact(written).removeprefix(NATIONAL_PREFIX)
        titles = [t for t in self.paths if t not in self.titles]  # titles, not 文号
        for test in (lambda t: t.removeprefix(NATIONAL_PREFIX) == name, lambda t: name in t,
                     lambda t: _in_order(name, t)):
            matches = [t for t in titles if test(t)]
            if matches:
                return min(matches, key=len)
        return None


def named_references(question: str, shelf: Shelf) -> list[NamedReference]:
    """Every 文号 and 《title》 the question names (with the clause path written after it), checked against
    the library."""
    text = normalized_question(question)
    found: list[NamedReference] = []
    for number in doc_numbers_in(text):
        path = path_after(text, text.index(number) + len(number))
        written = f"{number} {path}".strip()
        if number not in shelf.paths:
            found.append(NamedReference(written, doc_number=number, clause_path=path,
                                        problem=f"文件库中没有{number}。"))
            continue
        item = ITEM.match(text, text.index(number) + len(number)) if not path else None
        if item:
            found.append(_numbered_item(number, item, shelf))
            continue
        found.append(_with_path(written, number, shelf.titles.get(number, ""), path, shelf))
    for match in TITLE_IN_BRACKETS.finditer(text):
        name = match.group(1)
        if len(compact(name)) < MIN_TITLE or name in shelf.issues or any(name in i for i in shelf.issues):
            continue
        path = path_after(text, match.end())
        written = f"《{name}》{path}"
        title = shelf.title_for(name)
        if title is None:
            found.append(NamedReference(written, clause_path=path, problem=f"文件库中没有《{name}》。"))
            continue
        found.append(_with_path(written, title, title, path, shelf))
    unbracketed = TITLE_IN_BRACKETS.sub("", text)
    names = [without_leading_words(m.group(1)) for pattern in (TITLE_BEFORE_ARTICLE, NATIONAL_LAW)
             for m in pattern.finditer(unbracketed)]
    for name in dict.fromkeys(names):
        if len(name) >= MIN_TITLE and shelf.title_for(name) is None:  # a title the library has: the retriever's
            path = path_after(text, text.index(name) + len(name))
            found.append(NamedReference(f"《{name}》{path}", clause_path=path, problem=f"文件库中没有《{name}》。"))
    return found


def _numbered_item(number: str, item: re.Match[str], shelf: Shelf) -> NamedReference:
    """「第30项」 of a document whose items run 1. to 27. across its parts: that item's clause when one clause
    ends in 30., else what the document has. Numbering that restarts in each part names no single item."""
    wanted = int(item.group(1)) if item.group(1).isdigit() else cn_to_int(item.group(1))
    paths = shelf.paths[number]
    ends = [int(m.group(1)) for p in paths if (m := NUMBERED.search(p))]
    matching = [p for p in paths if (m := NUMBERED.search(p)) and int(m.group(1)) == wanted]
    written = f"{number} {item.group(0).removeprefix('的')}"
    title = shelf.titles.get(number, "")
    if len(matching) == 1:
        return NamedReference(written, doc_number=number, doc_title=title, clause_path=matching[0])
    if matching or not ends or len(ends) != len(set(ends)):
        return NamedReference(written, doc_number=number, doc_title=title)
    return NamedReference(written, doc_number=number, doc_title=title, clause_path=f"{wanted}.",
                          problem=f"{number} 没有第{wanted}项（该文件的编号项为{min(ends)}.至{max(ends)}.）。")


def _with_path(written: str, key: str, title: str, path: str, shelf: Shelf) -> NamedReference:
    number = key if key != title else ""
    problem = missing_path(key, path, shelf.paths[key]) if path else ""
    return NamedReference(written, doc_number=number, doc_title=title, clause_path=path, problem=problem)


def missing_path(name: str, path: str, paths: tuple[str, ...]) -> str:
    """Why a document has no clause `path`, naming what it has at that level: 「许政办〔2024〕3号 没有“七、”
    （该文件分一、至五、）。」; "" when it has it (or one of its sub-clauses)."""
    if any(p.startswith(path) for p in paths):
        return ""
    held, missing = "", path
    for level in PATH_LEVEL.findall(path):
        if not any(p.startswith(held + level) for p in paths):
            missing = level  # the first level the document does not have: 七、 of 七、（一）
            break
        held += level
    siblings = list(dict.fromkeys(m.group(0) for p in paths if p.startswith(held)
                                  for m in [PATH_LEVEL.match(p, len(held))] if m))
    where = f"{name}{'' if name.endswith('》') else ' '}{f'{held} 下' if held else ''}"
    if not siblings:
        return f"{where}没有“{missing}”。"
    span = siblings[0] if len(siblings) == 1 else f"{siblings[0]}至{siblings[-1]}"
    return f"{where}没有“{missing}”（{'该部分' if held else '该文件'}只有{span}）。"


def _in_order(short: str, long: str) -> bool:
    """Whether every character of short occurs in long, in order (an abbreviation)."""
    position = 0
    for char in short:
        position = long.find(char, position) + 1
        if not position:
            return False
    return True
