"""A gazette issue (政府公报) → its documents, each with a clause tree.

The issue opens with a table of contents (title TAB start page); each document then starts with
its title lines and a document-number line (许政〔2024〕8号), and runs to the next document's title.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from rag.documents.clauses import Numbering, heading_of, match_numbering, responsible_units
from rag.documents.model import Clause, Document, Source
from rag.documents.normalize import compact, normalize_line, without_heading_marks

DOC_NUMBER_LINE = re.compile(r"^[\u4e00-\u9fff]{1,8}〔\d{4}〕\d{1,4}号$")
DATE_LINE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
SIGNATURE_LINE = re.compile(r"^[\u4e00-\u9fff（）]{2,30}(人民政府|办公室|委员会|管委会|局)$")
ANNEX_LIST = re.compile(r"^-?\s*附件[：:]\s*")
TERMINAL = "。！？；：…"
OPEN_ENDINGS = "、，“‘（《—"
TITLE_ENDINGS = ("方案", "通知", "意见", "措施", "规划", "决定", "通报", "名单", "一览表", "办法", "细则", "清单")
# A line this long that stops without a full stop was cut by a page break, not finished.
BROKEN_LINE_MIN = 38


@dataclass
class TocEntry:
    title: str
    page: int


@dataclass
class Paragraph:
    text: str
    is_table_row: bool = False


def parse_gazette(source: Source, raw: str) -> list[Document]:
    lines = [normalize_line(without_heading_marks(line)) for line in raw.splitlines()]
    toc, toc_end = _table_of_contents(lines)
    starts = [i for i in range(toc_end, len(lines)) if DOC_NUMBER_LINE.match(lines[i])]
    title_starts = [_title_start(lines, i) for i in starts]
    documents = []
    for index, number_line in enumerate(starts):
        end = title_starts[index + 1] if index + 1 < len(starts) else len(lines)
        heading_title = "".join(lines[title_starts[index]:number_line]).replace(" ", "")
        document = Document(source=source, title=heading_title, printed_title=heading_title,
                            doc_number=lines[number_line])
        entry = _toc_entry(toc, heading_title, index, len(starts))
        if entry:
            document.title, document.page = entry.title, entry.page
        document.issuer = document.title.split("关于")[0] if "关于" in document.title else ""
        _parse_body(document, lines[number_line + 1:end])
        documents.append(document)
    return documents


def parse_single_document(source: Source, raw: str) -> list[Document]:
    """One policy document published on its own: like a gazette document when it has a 文号 line;
    otherwise its first lines up to a blank line are the title and the rest is the body."""
    documents = parse_gazette(source, raw)
    if documents:
        return documents
    lines = [normalize_line(without_heading_marks(line)) for line in raw.splitlines()]
    start = next((i for i, line in enumerate(lines) if line), len(lines))
    end = start
    while end < len(lines) and lines[end] and end - start < 3 and not match_numbering(lines[end]):
        end += 1
    title = "".join(lines[start:end]).replace(" ", "")
    document = Document(source=source, title=title or source.path.stem, printed_title=title)
    document.issuer = title.split("关于")[0] if "关于" in title else ""
    _parse_body(document, lines[end:])
    return [document]


def _table_of_contents(lines: list[str]) -> tuple[list[TocEntry], int]:
    """TOC entries and the index of the first line after the TOC (0 when there is none)."""
    try:
        start = next(i for i, line in enumerate(lines) if line.replace(" ", "") == "目录")
    except StopIteration:
        return [], 0
    entries: list[TocEntry] = []
    end = start + 1
    for i in range(start + 1, len(lines)):
        line = lines[i]
        found = re.match(r"^(.+?)\t+(\d{1,4})$", line)
        if found:
            entries.append(TocEntry(title=found.group(1).replace(" ", ""), page=int(found.group(2))))
            end = i + 1
        elif DOC_NUMBER_LINE.match(line):
            break
    return entries, end


def _title_start(lines: list[str], number_line: int) -> int:
    """First line of the title block that ends just above a document-number line."""
    i = number_line - 1
    while i >= 0 and not lines[i]:
        i -= 1
    while i > 0 and lines[i - 1]:
        i -= 1
    return i


def _toc_entry(toc: list[TocEntry], heading_title: str, index: int, count: int) -> TocEntry | None:
    """The TOC entry for this document: the one in the same position, else the most similar."""
    def similarity(entry: TocEntry) -> float:
        return difflib.SequenceMatcher(None, compact(entry.title), compact(heading_title)).ratio()

    if len(toc) == count and similarity(toc[index]) >= 0.6:
        return toc[index]
    best = max(toc, key=similarity, default=None)
    return best if best and similarity(best) >= 0.8 else None


def _paragraphs(lines: list[str]) -> list[Paragraph]:
    """Join lines that a page break cut in two; keep table rows and annex lists apart."""
    paragraphs: list[Paragraph] = []
    for line in lines:
        if not line:
            continue
        is_row = "\t" in line
        if paragraphs and _continues(paragraphs[-1], line, is_row):
            previous = paragraphs[-1]
            separator = "\n" if ANNEX_LIST.match(previous.text) else ""
            previous.text += separator + line
            continue
        paragraphs.append(Paragraph(text=line.lstrip("- ") if ANNEX_LIST.match(line) else line,
                                    is_table_row=is_row))
    return paragraphs


def _continues(previous: Paragraph, line: str, is_row: bool) -> bool:
    if previous.is_table_row or is_row:
        return False
    if ANNEX_LIST.match(previous.text):
        # 附件：1. … / 2. … : the numbered annex names belong to the annex list
        return bool(re.match(r"^\d{1,2}\.", line))
    text = previous.text
    if (match_numbering(line) or DATE_LINE.match(line) or DOC_NUMBER_LINE.match(line)
            or ANNEX_LIST.match(line) or line.startswith("责任单位") or SIGNATURE_LINE.match(line)
            or text.startswith("责任单位")):
        return False
    if text[-1] in TERMINAL or text.endswith(TITLE_ENDINGS):
        return text.count("（") > text.count("）")  # （…按职责 / 分工负责）split over a page
    if text.count("（") > text.count("）") or text[-1] in OPEN_ENDINGS:
        return True
    # running text (it has a comma) that stops without a full stop was cut by a page break;
    # a bare heading such as （二）发展目标 has no comma and stands alone
    return len(text) >= BROKEN_LINE_MIN or bool(re.search("[，；。]", text))


class _ClauseBuilder:
    """Walks a document's paragraphs and opens a clause at every plausible number."""

    def __init__(self, document: Document):
        self.document = document
        self.stack: list[tuple[Numbering, Clause]] = []
        self.root: Clause | None = None
        self.last_number: dict[tuple[str, float], int] = {}  # (parent path, level) → number
        self.last_at_level: dict[float, int] = {}

    @property
    def current(self) -> Clause:
        if self.stack:
            return self.stack[-1][1]
        if self.root is None:
            self.root = self._new_clause("", "", [])
        return self.root

    def _new_clause(self, path: str, heading: str, parents: list[str]) -> Clause:
        clause = Clause(clause_path=path, heading=heading, parents=parents, text="")
        self.document.clauses.append(clause)
        return clause

    def _parent_path(self, level: float) -> str:
        kept = [n for n, _ in self.stack if n.level < level]
        return "".join(n.label for n in kept)

    def plausible(self, numbering: Numbering) -> bool:
        """Reject numbers that break the sequence: text that merely starts with a digit."""
        if numbering.level == 0:
            return True
        previous = self.last_number.get((self._parent_path(numbering.level), numbering.level))
        if previous is None or numbering.number in (1, previous + 1):
            return True
        return numbering.number == self.last_at_level.get(numbering.level, -1) + 1

    def open(self, numbering: Numbering, text: str) -> None:
        while self.stack and self.stack[-1][0].level >= numbering.level:
            self.stack.pop()
        parent_path = "".join(n.label for n, _ in self.stack)
        parents = [c.heading for _, c in self.stack]
        self.last_number[(parent_path, numbering.level)] = numbering.number
        self.last_at_level[numbering.level] = numbering.number
        clause = self._new_clause(parent_path + numbering.label, heading_of(text), parents)
        clause.text = text
        self.stack.append((numbering, clause))

    def add(self, text: str, is_row: bool = False) -> None:
        clause = self.current
        clause.text = f"{clause.text}\n{text}" if clause.text else text
        if is_row and not clause.table_header:
            clause.table_header = text

    def add_to_root(self, text: str) -> None:
        """The signature and date belong to the document's unnumbered body, not its last clause."""
        if self.root is None:
            self.root = self._new_clause("", "", [])
        self.root.text = f"{self.root.text}\n{text}" if self.root.text else text

    def close_all(self) -> None:
        """After a signature: whatever follows (an attached plan, annexes) starts at the top."""
        self.stack.clear()
        self.root = None
        self.last_number.clear()
        self.last_at_level.clear()


def _parse_body(document: Document, lines: list[str]) -> None:
    paragraphs = _paragraphs(lines)
    builder = _ClauseBuilder(document)
    index = 0
    while index < len(paragraphs):
        paragraph = paragraphs[index]
        text = paragraph.text
        following = paragraphs[index + 1].text if index + 1 < len(paragraphs) else ""
        if SIGNATURE_LINE.match(text) and DATE_LINE.match(following):
            builder.add_to_root(f"{text}\n{following}")
            if document.date is None:
                year, month, day = DATE_LINE.match(following).groups()
                document.date = int(f"{year}{int(month):02d}{int(day):02d}")
            builder.close_all()
            index += 2
            if index < len(paragraphs) and _is_attached_title(paragraphs[index].text):
                builder.current.heading = paragraphs[index].text
            continue
        if ANNEX_LIST.match(text):
            document.annexes += _annex_names(text)
            builder.add(text)
            index += 1
            continue
        numbering = None if paragraph.is_table_row else match_numbering(text)
        if numbering and numbering.level == 0:
            builder.close_all()
            title = following if following and _is_attached_title(following) else ""
            builder.open(numbering, text)
            builder.current.heading = f"{numbering.label} {title}".strip()
            if title and not document.annexes:
                document.annexes.append(title)
            if title:
                builder.add(title)
                index += 1
            index += 1
            continue
        if numbering and builder.plausible(numbering):
            builder.open(numbering, text)
        else:
            builder.add(text, paragraph.is_table_row)
        index += 1
    for clause in document.clauses:
        clause.responsible_units = responsible_units(clause.text)


def _is_attached_title(text: str) -> bool:
    return (len(text) <= 80 and text[-1] not in TERMINAL and "\t" not in text
            and match_numbering(text) is None)


def _annex_names(text: str) -> list[str]:
    body = ANNEX_LIST.sub("", text)
    names = re.split(r"(?:^|\n)\s*\d{1,2}\.\s*", body)
    return [name.strip() for name in names if name.strip()]
