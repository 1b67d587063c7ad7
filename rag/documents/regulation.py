"""A regulation, law or rules (条例/办法/规定/法) → one document whose clauses are its articles.

Structure: a title, promulgation and amendment history lines (dates with 通过/批准/公布/修正/修订),
then 第X章 → 第X节 → 第X条. An article keeps its 款 (paragraphs) and 项 (（一）（二）… lines) in its
text, one per line, so a citation can be narrowed to 第十一条第一款第（二）项 from the sentence quoted.
The text may come from Markdown (# headings, an <!-- INFO END --> marker), a PDF (pages separated
by form feeds) or a DOCX; the same articles come out of each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.documents.clauses import CN_NUMERAL, cn_to_int
from rag.documents.formats import PAGE_BREAK
from rag.documents.model import Clause, Document, Source
from rag.documents.normalize import compact, normalize_line

ARTICLE = re.compile(rf"^第({CN_NUMERAL})条(?:之({CN_NUMERAL}))?(?=[\s\u3000]|$|[^\s，、。的规])")
# a heading line: short, no full stop (第三章的规定… is a sentence, not a heading)
CHAPTER = re.compile(rf"^第({CN_NUMERAL})章[\s\u3000]*([^。；，]{{0,30}})$")
SECTION = re.compile(rf"^第({CN_NUMERAL})节[\s\u3000]*([^。；，]{{0,30}})$")
FILE_NAME_DATE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")
ITEM = re.compile(rf"^（({CN_NUMERAL})）")
DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
HISTORY_ACT = re.compile(r"通过|批准|公布|修正|修订|发布|施行|颁布|令第")
EFFECTIVE = re.compile(r"自\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*起\s*(?:施行|生效|实施)")
ISSUER = re.compile(r"([\u4e00-\u9fff（）]{2,30}?(?:人民代表大会常务委员会|人民代表大会|人民政府|国务院))")
# words a regulation's title ends with; a document whose articles number at least this many is one
TITLE_ENDINGS = ("条例", "办法", "规定", "规则", "细则", "法", "决定", "章程", "准则")
MIN_ARTICLES = 3


def yyyymmdd(text: str) -> int | None:
    found = DATE.search(text)
    return int(f"{found.group(1)}{int(found.group(2)):02d}{int(found.group(3)):02d}") if found else None


def looks_like_regulation(text: str) -> bool:
    """Articles numbered 第一条, 第二条, … at line starts, in order."""
    numbers = [cn_to_int(m.group(1)) for m in re.finditer(rf"(?m)^[#\s\u3000]*第({CN_NUMERAL})条", text[:200000])]
    return len(numbers) >= MIN_ARTICLES and numbers[:MIN_ARTICLES] == list(range(1, MIN_ARTICLES + 1))


def parse_regulation(source: Source, raw: str) -> list[Document]:
    lines = _lines_with_pages(raw)
    body_start = next((i for i, (_, line) in enumerate(lines) if _is_structure(line)), len(lines))
    head = [line for _, line in lines[:body_start] if line and line != "<!-- INFO END -->"]
    history = [line.strip("（）() ") for line in head if DATE.search(line) and HISTORY_ACT.search(line)]
    title_lines = [line for line in head if line not in history and line.strip("（）() ") not in history]
    marked = [line for line in title_lines if line.startswith("# ")]  # Markdown's title line
    title = compact("".join(marked[:1] or title_lines[:2])).lstrip("#").strip("《》")
    # the version's date: its latest amendment, or the date its file is named by when that is later
    # (a collection names each version's file by its date even when the history lines stop earlier)
    named = FILE_NAME_DATE.search(source.path.stem)
    dates = [d for d in (yyyymmdd(h) for h in history) if d]
    if named and 1949 < int(named.group(1)) < 2100:
        dates.append(int("".join(named.groups())))
    issuer = next((m.group(1) for h in history for m in [ISSUER.search(DATE.sub("", h))] if m), "")
    document = Document(source=source, title=title or source.path.stem, printed_title=title, issuer=issuer,
                        date=max(dates) if dates else source.date, history=history)
    _parse_articles(document, lines[body_start:])
    effective = EFFECTIVE.search("\n".join(clause.text for clause in document.clauses[-3:]))
    document.effective = yyyymmdd(effective.group(1)) if effective else None
    document.page = document.clauses[0].page if document.clauses else None
    return [document]


def _lines_with_pages(raw: str) -> list[tuple[int | None, str]]:
    pages = raw.split(PAGE_BREAK)
    numbered = len(pages) > 1
    out: list[tuple[int | None, str]] = []
    for number, page in enumerate(pages, 1):
        for line in page.splitlines():
            # Markdown headings: the title keeps its "# " (it tells the title from history lines)
            line = line if re.match(r"^#\s", line) else re.sub(r"^#{2,6}\s+", "", line)
            out.append((number if numbered else None, normalize_line(line)))
    return out


def _is_structure(line: str) -> bool:
    return bool(CHAPTER.match(line) or SECTION.match(line) or ARTICLE.match(line))


def _parse_articles(document: Document, lines: list[tuple[int | None, str]]) -> None:
    chapter = section = ""
    expected = 1
    article: Clause | None = None
    for page, line in lines:
        if not line or _is_page_number(line):
            continue
        found = ARTICLE.match(line)
        number = cn_to_int(found.group(1)) if found else 0
        # a cross-reference that a line break put at a line start (第十条规定的…) is not a new article
        if found and (number == expected or (found.group(2) and number == expected - 1)):
            expected = number + 1
            label = found.group(0).strip()
            # 第六条 then the text, one space, whatever the source put there
            article = Clause(clause_path=label, heading=label, parents=[p for p in (chapter, section) if p],
                             text=f"{label} {line[found.end():].strip()}".strip(), page=page)
            document.clauses.append(article)
        elif CHAPTER.match(line):
            chapter, section, article = _structure_heading(line, "章"), "", None
        elif SECTION.match(line):
            section, article = _structure_heading(line, "节"), None
        elif article is not None:
            article.text += "\n" + line
        elif document.clauses or chapter:
            document.clauses.append(Clause(clause_path="", heading=chapter, parents=[], text=line, page=page))


def _structure_heading(line: str, unit: str) -> str:
    """第一章 总 则 → 第一章 总则: one space after the number, none inside the name."""
    number, _, name = line.partition(unit)
    return f"{number}{unit} {compact(name)}".strip()


def _is_page_number(line: str) -> bool:
    return bool(re.fullmatch(r"[-—\s]*\d{1,4}[-—\s]*|第\s*\d{1,4}\s*页(共\s*\d+\s*页)?", line))


@dataclass(frozen=True)
class ArticleShape:
    paragraphs: int  # 款: lines that are not 项
    has_items: bool


def article_shape(text: str) -> ArticleShape:
    lines = [line for line in text.split("\n") if line.strip()]
    return ArticleShape(sum(1 for line in lines if not ITEM.match(line)), any(ITEM.match(line) for line in lines))


ITEM_OPENING = 15  # characters of an item that tell it apart from its siblings


def locate(text: str, quote: str, paragraph_base: int = 0, article: ArticleShape | None = None) -> str:
    """Where in an article a quoted sentence stands: 第一款, 第二款第（三）项, or "" when the article has one
    paragraph and no items, or the quote is not found. `text` may be a part of the article that starts
    after `paragraph_base` of its 款; 项 lines belong to the 款 that introduces them."""
    article = article or article_shape(text)
    target = compact(quote)[:30]
    if not target or (article.paragraphs <= 1 and not article.has_items):
        return ""
    number = paragraph_base
    found = ""  # the 款 whose opening is quoted: an item of it quoted too is where the quote points
    for line in (line for line in text.split("\n") if line.strip()):
        item = ITEM.match(line)
        if not item:
            if found:
                break
            number += 1
        if found and item and compact(line)[:ITEM_OPENING] in compact(quote):  # a quote may hold a piece of it
            return f"{found}第（{item.group(1)}）项"
        if not found and (target in compact(line) or compact(line) in compact(quote)):
            if item:
                return f"第{_cn(max(number, 1))}款第（{item.group(1)}）项"
            found = f"第{_cn(max(number, 1))}款"
    return found


def _cn(number: int) -> str:
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    tens, ones = divmod(number, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")
