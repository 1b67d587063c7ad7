"""A newspaper page (text extracted from a PDF) → its articles.

Columns arrive as short lines, so lines inside a block are joined without a separator. The page is
read as stories (prose opened by a 本报讯 flash, or by prose after a byline or a heading) and the
blocks set apart between them: headlines, bylines, labels, fact boxes. A markdown heading or a column
label heads the story below it. A plain headline does not say which side its story is on: the
extractor puts a headline before its text on some pages and after it on others, even within a page.
So a headline goes to the neighbouring story whose opening it restates, and a line that restates no
story rides with the headline next to it (a kicker above, a title or subtitle below) or with the
story a byline or a flash ties it to. Headlines of stories printed elsewhere belong to no article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.documents.model import Clause, Document, Source
from rag.documents.normalize import normalize_line

PAGE_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日(\s*星期.)?$")
NEWS_FLASH = re.compile(r"^本报讯")
REPORTER_LINE = re.compile(r"^(本报记者|本报评论员|记者)[\u4e00-\u9fff ]{0,24}$")
AUTHOR_LINE = re.compile(r"^[\u4e00-\u9fff]{2,3}$")  # a bare name right above a column's text
PHOTO_CREDIT = re.compile(r"摄$")
COLUMN_LABEL = re.compile(r"^(记者手记|专家点评|编者按|短评|评论员文章|人物访谈|职能部门访谈)$")
BOX_LABEL = re.compile(r"^\S{0,4}名片$|^(相关|背景)链接$|^小贴士$")  # a fact box printed with a story
AD_LABEL = re.compile(r"^广告$")
SUBTITLE = re.compile(r"^——|等(出席|参加)$")  # a dash, or under a meeting report who else attended
CONTINUATION = re.compile(r"[（(]下转第.版[)）]")
SENTENCE_END = re.compile(r"[。！？…][”」]?$|[：:]$")
HEADLINE_MAX = 64  # a kicker and its title may come out as one line
TITLE_FALLBACK_MAX = 32
OPENING = 120  # characters at the start of a story that its headline restates …
RESTATES = 1 / 3  # … sharing at least this share of the headline's character pairs


@dataclass
class Block:
    text: str
    markdown_level: int = 0  # 1 for '#', 2 for '##' … ; 0 for plain text

    @property
    def is_headline_like(self) -> bool:
        text = self.text
        return (0 < len(text) <= HEADLINE_MAX and not SENTENCE_END.search(text)
                and not re.search("[。，；,]", text) and not text.startswith("●")
                and not PAGE_DATE.match(text) and not PHOTO_CREDIT.search(text) and not CONTINUATION.search(text))

    @property
    def is_byline(self) -> bool:
        text = self.text
        return bool(REPORTER_LINE.match(text)) and not PHOTO_CREDIT.search(text) and not COLUMN_LABEL.match(text)

    @property
    def is_set_apart(self) -> bool:
        """Not running text: a headline, byline, label, or an item of a fact box."""
        return bool(self.markdown_level or self.is_headline_like or self.is_byline or COLUMN_LABEL.match(self.text)
                    or self.text.startswith("●") and not re.search("[。，；,]", self.text))

    @property
    def opens_story(self) -> bool:
        return bool(self.markdown_level or self.is_byline or COLUMN_LABEL.match(self.text))


@dataclass(eq=False)  # stories are told apart by identity
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

    for raw_line in raw.splitlines():
        marks = re.match(r"^\s*(#{1,6})\s+", raw_line)
        line = normalize_line(raw_line[marks.end():] if marks else raw_line)
        if not line:
            flush()
            continue
        if marks or REPORTER_LINE.match(line) or COLUMN_LABEL.match(line) or PAGE_DATE.match(line):
            flush()
            blocks.append(Block(text=line, markdown_level=len(marks.group(1)) if marks else 0))
            continue
        if NEWS_FLASH.match(line) or raw_line.startswith((" ", "\u3000")):
            # a flash's own lines (and its bracketed byline) follow in this block; an indented line
            # starts a new text frame, e.g. the next headline printed right under another
            flush()
        current.append(line)
    flush()
    return blocks


def _split_articles(blocks: list[Block]) -> tuple[list[Article], int | None]:
    stories, runs, page_date = _read_page(blocks)
    for i, run in enumerate(runs):
        untitled = [s for s in stories if not s.headlines]
        _place(run, stories[i - 1] if i else None, stories[i] if i < len(stories) else None, untitled)
    return [s for s in stories if s.body], page_date


def _read_page(blocks: list[Block]) -> tuple[list[Article], list[list[Block]], int | None]:
    """The stories, and the blocks set apart before each: runs[i] precedes stories[i], runs[-1] ends the page."""
    stories: list[Article] = []
    runs: list[list[Block]] = [[]]
    page_date = None
    for block in blocks:
        text = block.text
        date = PAGE_DATE.match(text)
        if date and page_date is None:
            page_date = int(f"{date.group(1)}{int(date.group(2)):02d}{int(date.group(3)):02d}")
            continue
        if AD_LABEL.match(text):
            continue  # marks an advertisement, not a story
        if NEWS_FLASH.match(text):
            flash = re.match(r"^本报讯\s*[（(]([^）)]{1,30})[）)]\s*", text)
            body = text[flash.end():] if flash else text[3:]
            stories.append(Article(byline=flash.group(0).strip() if flash else "本报讯", body=[body] if body else []))
            runs.append([])
        elif block.is_set_apart:
            runs[-1].append(block)
        elif stories and not any(b.opens_story for b in runs[-1]):
            # subheadings and captions inside a story, or a sentence that a blank line broke
            stories[-1].body += [b.text for b in runs[-1]] + [text]
            runs[-1] = []
        else:
            stories.append(Article(body=[text]))
            runs.append([])
    return stories, runs, page_date


def _place(run: list[Block], prev: Article | None, nxt: Article | None, untitled: list[Article]) -> None:
    """Give each block printed between two stories (either may be missing) to the story it belongs to."""
    explicit = next((i for i, b in enumerate(run) if b.markdown_level or COLUMN_LABEL.match(b.text)), None)
    if explicit is not None and nxt is not None:
        # the heading starts the story below it; what comes before it ends the story above
        if prev is not None:
            prev.body += [b.text for b in run[:explicit]]
            run = run[explicit:]
        for block in run:
            _add(nxt, block, last=block is run[-1])
        return

    box = next((i for i, b in enumerate(run) if BOX_LABEL.match(b.text)), len(run))
    side: list[Article | None] = [None] * len(run)
    # a headline that restates the opening of the story above or below (still untitled) is its headline
    restated = {i: _restated(b.text, untitled) for i, b in enumerate(run[:box])
                if b.is_headline_like and not b.is_byline}
    for i, story in restated.items():
        if story is not None and story in (prev, nxt):
            side[i] = story
    # a line that restates no story is the title or subtitle under such a headline, else the kicker over it
    for i in [i for i, story in enumerate(side) if story]:
        for j in (i + 1, i - 1):
            if j in restated and restated[j] is None and side[j] is None:
                side[j] = side[i]
    # a byline goes with the headlines over it if their story has none; else it opens the story below,
    # which then takes all lines above it
    for i, block in enumerate(run[:box]):
        if block.is_byline or i == len(run) - 1 and AUTHOR_LINE.match(block.text):
            over = side[i - 1] if i else None
            side[i] = over if over is not None and not over.byline else nxt
            if side[i] is nxt:
                side[:i] = [story or nxt for story in side[:i]]
    # if nothing went to the story above, the flash below opens the story of the lines left
    if nxt is not None and NEWS_FLASH.match(nxt.byline) and not any(s is prev for s in side if s):
        side[:box] = [story or nxt for story in side[:box]]
    # a fact box (and any other line that is no headline) goes with the line over it
    for i, block in enumerate(run):
        if i >= box or side[i] is None and not block.is_headline_like:
            side[i] = side[i - 1] if i else nxt
    for i, (block, story) in enumerate(zip(run, side, strict=True)):
        if story is not None:  # else the headline of a story printed elsewhere, or page decoration
            _add(story, block, last=i == len(run) - 1, boxed=i >= box)


def _add(story: Article, block: Block, last: bool, boxed: bool = False) -> None:
    text = block.text
    if not story.byline and (block.is_byline or last and AUTHOR_LINE.match(text)):
        story.byline = text
    else:
        story.headlines.append(text)
        story.headline_levels.append(block.markdown_level or (9 if boxed or COLUMN_LABEL.match(text) else 0))


def _restated(headline: str, stories: list[Article]) -> Article | None:
    """The story whose opening holds the largest share of the headline's character pairs, if enough."""
    pairs = _pairs(headline)

    def share(story: Article) -> float:
        return len(pairs & _pairs("".join(story.body)[:OPENING])) / max(len(pairs), 1)

    best = max(stories, key=share, default=None)
    return best if best is not None and share(best) >= RESTATES else None


def _pairs(text: str) -> set[str]:
    return {run[i:i + 2] for run in re.findall(r"[\u4e00-\u9fff]+", text) for i in range(len(run) - 1)}


def parse_newspaper(source: Source, raw: str) -> list[Document]:
    articles, page_date = _split_articles(_blocks(raw))
    documents = []
    for article in articles:
        title = _title(article)
        text = "\n".join(filter(None, (CONTINUATION.sub("", line).strip() for line in article.body)))
        lead = "\n".join([*article.headlines, article.byline])
        clause = Clause(clause_path="", heading=title, parents=[], text=f"{lead}\n{text}".strip())
        documents.append(Document(source=source, title=title, byline=article.byline,
                                  # a date in the manifest is staff's word on the page, a correction included
                                  date=source.date or page_date, clauses=[clause]))
    return documents


def _title(article: Article) -> str:
    """The most prominent markdown headline, else the last plain one that is not a subtitle."""
    marked = [(level, h) for level, h in zip(article.headline_levels, article.headlines, strict=True) if 0 < level < 9]
    if marked:
        return min(marked)[1]
    plain = [h for level, h in zip(article.headline_levels, article.headlines, strict=True)
             if level == 0 and not SUBTITLE.search(h)]
    if plain:
        return plain[-1]
    first = re.split(r"[。！？]", article.body[0])[0]
    return first[:TITLE_FALLBACK_MAX] + ("…" if len(first) > TITLE_FALLBACK_MAX else "")
