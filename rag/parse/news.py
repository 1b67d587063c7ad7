"""A newspaper page (text extracted from a PDF) → its articles.

Columns arrive as short lines, so lines inside a block are joined without a separator. An
article starts at a byline (本报讯, a standalone 本报记者 …/本报评论员 line) or at a markdown
headline; the headline is the short unpunctuated block just before the byline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.documents import Clause, Document, Source
from rag.normalize import normalize_line

PAGE_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日(\s*星期.)?$")
NEWS_FLASH = re.compile(r"^本报讯")
REPORTER_LINE = re.compile(r"^(本报记者|本报评论员|记者)[\u4e00-\u9fff ]{0,24}$")
PHOTO_CREDIT = re.compile(r"摄$")
COLUMN_LABEL = re.compile(r"^(记者手记|专家点评|编者按|短评|评论员文章|人物访谈|职能部门访谈)$")
CONTINUATION = re.compile(r"[（(]下转第.版[)）]")
HEADLINE_MAX = 32
SENTENCE_END = "。！？”」…"


@dataclass
class Block:
    text: str
    markdown_level: int = 0  # 1 for '#', 2 for '##' … ; 0 for plain text

    @property
    def is_headline_like(self) -> bool:
        text = self.text
        return (0 < len(text) <= HEADLINE_MAX and text[-1] not in SENTENCE_END + "：:"
                and not re.search("[。，；,]", text) and not text.startswith("●")
                and not PAGE_DATE.match(text) and not PHOTO_CREDIT.search(text))


@dataclass
class Article:
    headlines: list[str] = field(default_factory=list)
    headline_levels: list[int] = field(default_factory=list)  # markdown level per headline, 0 if none
    byline: str = ""
    body: list[str] = field(default_factory=list)


def _blocks(raw: str) -> list[Block]:
    blocks: list[Block] = []
    current: list[str] = []
    level = 0

    def flush() -> None:
        nonlocal current, level
        if current:
            blocks.append(Block(text="".join(current), markdown_level=level))
        current, level = [], 0

    for line in raw.splitlines():
        marks = re.match(r"^\s*(#{1,6})\s+", line)
        line = normalize_line(line[marks.end():] if marks else line)
        if not line:
            flush()
            continue
        if NEWS_FLASH.match(line):
            flush()  # the flash's own lines (and its bracketed byline) follow in this block
        elif marks or REPORTER_LINE.match(line) or COLUMN_LABEL.match(line) or PAGE_DATE.match(line):
            flush()
            blocks.append(Block(text=line, markdown_level=len(marks.group(1)) if marks else 0))
            continue
        current.append(line)
    flush()
    return blocks


def _split_articles(blocks: list[Block]) -> tuple[list[Article], int | None]:
    articles = [Article()]
    page_date = None
    for block in blocks:
        text = block.text
        date = PAGE_DATE.match(text)
        if date and page_date is None:
            page_date = int(f"{date.group(1)}{int(date.group(2)):02d}{int(date.group(3)):02d}")
            continue
        current = articles[-1]
        if (block.markdown_level and not REPORTER_LINE.match(text)) or COLUMN_LABEL.match(text):
            if current.body:
                current = Article()
                articles.append(current)
            current.headlines.append(text)
            current.headline_levels.append(block.markdown_level or (9 if COLUMN_LABEL.match(text) else 0))
        elif NEWS_FLASH.match(text) or (REPORTER_LINE.match(text) and not PHOTO_CREDIT.search(text)):
            if current.body or current.byline:
                # the short headline just above a byline belongs to the new article
                headline = current.body.pop() if current.body and Block(current.body[-1]).is_headline_like else ""
                current = Article(headlines=[headline] if headline else [], headline_levels=[0] if headline else [])
                articles.append(current)
            if NEWS_FLASH.match(text):
                flash = re.match(r"^本报讯\s*[（(]([^）)]{1,30})[）)]\s*", text)
                current.byline = flash.group(0).strip() if flash else "本报讯"
                body = text[flash.end():] if flash else text[3:]
                if body:
                    current.body.append(body)
            else:
                current.byline = text
        elif not current.body and not current.byline and block.is_headline_like and len(current.headlines) < 4:
            current.headlines.append(text)
            current.headline_levels.append(0)
        else:
            current.body.append(text)
    return [a for a in articles if a.body], page_date


def parse_newspaper(source: Source, raw: str) -> list[Document]:
    articles, page_date = _split_articles(_blocks(raw))
    documents = []
    for article in articles:
        title = _title(article)
        text = "\n".join(CONTINUATION.sub("", line).strip() or line for line in article.body)
        lead = "\n".join([*article.headlines, article.byline])
        clause = Clause(clause_path="", heading=title, parents=[], text=f"{lead}\n{text}".strip())
        documents.append(Document(source=source, title=title, byline=article.byline,
                                  date=page_date or source.date, clauses=[clause]))
    return documents


def _title(article: Article) -> str:
    """The most prominent markdown headline, else the last plain one that is not a subtitle."""
    marked = [(level, h) for level, h in zip(article.headline_levels, article.headlines, strict=True) if 0 < level < 9]
    if marked:
        return min(marked)[1]
    plain = [h for level, h in zip(article.headline_levels, article.headlines, strict=True)
             if level == 0 and not h.startswith("——")]
    if plain:
        return plain[-1]
    first = re.split(r"[。！？]", article.body[0])[0]
    return first[:HEADLINE_MAX] + ("…" if len(first) > HEADLINE_MAX else "")
