"""Which version of a document is in force: status from the corpus as a whole, worked out when the
index is loaded (so adding a new version re-marks the old one without rewriting its chunks).

- Documents with the same title and different dates are versions: the newest is 现行有效, older
  ones 已修订.
- A statement in a newer document that names another by title and says 废止 (「《X》同时废止」)
  marks X 已废止 when X is in the corpus.
- A version whose stated 施行 date is still to come is 尚未施行.
- A document whose stated 有效期 (「有效期至2025年12月31日」「有效期5年」) or the period its title gives
  (「行动方案（2020—2022年）」: to the end of 2022) has run out is 已到期.
- A newspaper article reports on policies: it has no status of its own ("").
- Each document's own statements of validity (自…起施行/执行, 有效期…, …同时废止) are kept, to be shown
  with answers from it whether or not the documents they name are in the corpus.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from rag.documents.compare import article_body
from rag.documents.model import AMENDED, CURRENT, EXPIRED, NO_VALIDITY, PENDING, REPEALED
from rag.documents.regulation import ARTICLE, yyyymmdd
from rag.index.chunk import Chunk
from rag.index.sentences import sentences

REPEAL = re.compile(r"《([^》]{4,60})》(?:（[^）]{0,40}）)?[^。；《》]{0,12}?(?:同时|予以|即行)?废止")
YEAR_ASKED = re.compile(r"((?:19|20)\d{2})\s*年")
# a document's statement of its own validity: when it takes effect, until when, what it repeals
STARTS = r"(?:自|从)[^。；]{1,24}起(?:施行|执行|实施|生效)"
# a repeal the document makes, not a duty it sets (「…文件及时修改或者废止」)
REPEALS = r"(?:同时|即行|自行)废止|[》）][^。；]{0,30}废止"
VALIDITY = re.compile(rf"{STARTS}|有效期|{REPEALS}")
# a sentence where the document speaks of itself: it opens with 本办法… or 自…起施行 (「本办法自…起施行，有效期
# 至…」), unlike one about a licence it regulates (「依照本条例取得的许可证有效期为三年」)
ITSELF = re.compile(rf"本(?:[\u4e00-\u9fff]{{0,8}}?)(?:办法|规定|通知|意见|细则|方案|条例|决定|标准|措施|规则|政策|文件)|{STARTS}")
VALID_UNTIL = re.compile(r"有效期(?:至|到|截至)\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)")
VALID_YEARS = re.compile(r"有效期(?:为)?\s*([1-9]\d?|[一二三四五六七八九十])\s*年")
# the years a document's title says it covers: 行动方案（2020—2022年）, 2021年—2025年
TITLE_PERIOD = re.compile(r"(?:19|20)\d{2}\s*年?\s*[—–\-－~～至到]\s*((?:19|20)\d{2})\s*年")
CN_YEARS = {c: i for i, c in enumerate("一二三四五六七八九十", 1)}
MAX_STATEMENTS = 2


def today() -> int:
    return int(datetime.date.today().strftime("%Y%m%d"))


def format_date(yyyymmdd: int) -> str:
    """20240315 → 2024年3月15日; a date known to the month only (day 00: 20230400) → 2023年4月."""
    day = f"{yyyymmdd % 100}日" if yyyymmdd % 100 else ""
    return f"{yyyymmdd // 10000}年{yyyymmdd // 100 % 100}月{day}"


@dataclass
class VersionTable:
    dates: dict[str, list[int]] = field(default_factory=dict)  # title → its versions' dates, oldest first
    repealed_by: dict[str, str] = field(default_factory=dict)  # title → title of the document repealing it
    # (title, version date) → clause path → text, for documents with more than one version
    articles: dict[tuple[str, int], dict[str, str]] = field(default_factory=dict)
    statements: dict[tuple[str, int], list[str]] = field(default_factory=dict)  # its validity sentences
    expires: dict[tuple[str, int], int] = field(default_factory=dict)  # the end of its 有效期, yyyymmdd

    @classmethod
    def build(cls, chunks: Iterable[Chunk]) -> VersionTable:
        dates: dict[str, set[int]] = defaultdict(set)
        chunks = list(chunks)
        for chunk in chunks:
            if chunk.metadata.kind != "newspaper" and chunk.metadata.doc_title:
                dates[chunk.metadata.doc_title].add(chunk.metadata.date)
        table = cls({title: sorted(found) for title, found in dates.items()})
        parts = sorted((c.metadata.part, i) for i, c in enumerate(chunks)
                       if table.has_versions(c.metadata.doc_title) and c.metadata.clause_path)
        for _, i in parts:  # a clause split into parts is put back together in order
            meta, text = chunks[i].metadata, chunks[i].text
            version = table.articles.setdefault((meta.doc_title, meta.date), {})
            path = meta.clause_path
            version[path] = f"{version[path]}\n{text}" if path in version else text
        for chunk in chunks:
            table._read_validity(chunk)
            for named in REPEAL.findall(chunk.text):
                title = named.strip()
                if title in table.dates and title != chunk.metadata.doc_title and \
                        chunk.metadata.date >= table.dates[title][-1]:
                    table.repealed_by[title] = chunk.metadata.doc_title
        return table

    def _read_validity(self, chunk: Chunk) -> None:
        meta = chunk.metadata
        if meta.kind == "newspaper" or meta.clause_path.startswith("附件"):
            return  # a report about a policy, or an annex's table: not the document speaking of itself
        key = (meta.doc_title, meta.date)
        period = TITLE_PERIOD.search(meta.doc_title)
        if period:  # a stated 有效期 (read below) says more than the title
            self.expires.setdefault(key, int(period.group(1)) * 10000 + 1231)
        for sentence in sentences(chunk.text):
            text = ARTICLE.sub("", sentence).strip()
            if not VALIDITY.search(text) or ("有效期" in text and not ITSELF.match(text)):
                continue
            said = self.statements.setdefault(key, [])
            if text not in said and len(said) < MAX_STATEMENTS:
                said.append(text)
            until = VALID_UNTIL.search(sentence)
            years = VALID_YEARS.search(sentence)
            if until:
                self.expires[key] = yyyymmdd(until.group(1)) or 0
            elif years and (meta.effective or meta.date):  # counted from its 施行 date, else its own date
                count = CN_YEARS.get(years.group(1)) or int(years.group(1))
                # N years on, less a day (yyyymmdd: 20250100 sorts just before 20250101)
                self.expires[key] = (meta.effective or meta.date) + count * 10000 - 1

    def status(self, title: str, date: int, effective: int = 0, on: int | None = None) -> str:
        if title in self.repealed_by:
            return REPEALED
        versions = self.dates.get(title, [date])
        if date < versions[-1]:
            return AMENDED
        if effective and effective > (on or today()):
            return PENDING
        expires = self.expires.get((title, date))
        return EXPIRED if expires and expires < (on or today()) else CURRENT

    def expiry(self, title: str, date: int) -> int:
        """The last day of the period the document gives itself (yyyymmdd), 0 when it gives none."""
        return self.expires.get((title, date), 0)

    def validity(self, title: str, date: int) -> list[str]:
        """The document's own statements of when it applies and what it repeals, as written."""
        return self.statements.get((title, date), [])

    def annotate(self, chunks: Mapping[str, Chunk], on: int | None = None) -> dict[str, Chunk]:
        """The chunks with each one's `status` set (none for a newspaper article)."""
        return {chunk_id: replace(chunk, metadata=replace(
                    chunk.metadata, status=NO_VALIDITY if chunk.metadata.kind == "newspaper" else self.status(
                        chunk.metadata.doc_title, chunk.metadata.date, chunk.metadata.effective, on)))
                for chunk_id, chunk in chunks.items()}

    def has_versions(self, title: str) -> bool:
        return len(self.dates.get(title, ())) > 1

    def chooses_version(self, title: str, year: int) -> bool:
        """Whether a year a question names chooses among a document's versions (the one in force that year): 2024年
        of 「2024年行政复议法」 is the 2023 revision, in force since 2024-01-01."""
        return self.has_versions(title) and bool(self._in_force(title, year))

    def version_for(self, title: str, question: str) -> int | None:
        """The version a question is about: the one in force in the year it names, else the newest."""
        versions = self.dates.get(title)
        if not versions:
            return None
        for year in (int(y) for y in YEAR_ASKED.findall(question)):
            if in_force := self._in_force(title, year):
                return in_force[-1]
        return versions[-1]

    def _in_force(self, title: str, year: int) -> list[int]:
        """The versions of a document dated by the end of a year, oldest first."""
        return [d for d in self.dates.get(title, ()) if d and d <= year * 10000 + 1231]

    def compared(self, title: str, date: int) -> tuple[int, int] | None:
        """The two versions (older, newer) a note on this one speaks of: an old version and the one in force,
        or the one in force and the version before it; None for a document with one version."""
        versions = [d for d in self.dates.get(title, []) if d]
        if len(versions) < 2 or date not in versions:
            return None
        return (date, versions[-1]) if date < versions[-1] else (versions[-2], date)

    def note(self, title: str, date: int, clause_path: str) -> str:
        """What a reader of a cited clause should know about the document's other versions, or "":
        that an older version was cited, or that the clause in force changed at its last revision."""
        pair = self.compared(title, date)
        if pair is None:
            return ""
        previous, newest = pair
        if date < newest:
            return (f"注意：《{title}》{clause_path}引自{format_date(date)}的版本（{AMENDED}）；"
                    f"现行有效的是{format_date(newest)}修订的版本。")
        text = self.articles.get((title, newest), {}).get(clause_path, "")
        before = self.articles.get((title, previous), {})
        if not text or not before:
            return ""
        likely = sorted(before.values(), key=lambda old: _similarity(old, text, quick=True))[-3:]
        closest = max(likely, key=lambda old: _similarity(old, text))
        if article_body(closest) == article_body(text):
            return ""
        return f"《{title}》{clause_path}在{format_date(newest)}修订时有改动，以上依据现行有效的版本。"


def _similarity(old: str, new: str, quick: bool = False) -> float:
    matcher = difflib.SequenceMatcher(None, article_body(old), article_body(new), autojunk=False)
    return matcher.quick_ratio() if quick else matcher.ratio()
