"""The domain objects every stage shares: a source file, its documents, their clauses."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# a document's validity (worked out over the whole corpus by rag.index.versions)
CURRENT = "现行有效"
AMENDED = "已修订"
REPEALED = "已废止"
PENDING = "尚未施行"
EXPIRED = "已到期"  # the period it gives itself (有效期至…, （2020—2022年） in its title) has run out
NO_VALIDITY = ""  # a newspaper article reports on policies: in force or not does not apply to it
IN_FORCE = (CURRENT, NO_VALIDITY)  # what `--current` keeps: nothing superseded, expired or still to come
# how a national law's title begins; people often leave it out (行政复议法)
NATIONAL_PREFIX = "中华人民共和国"


@dataclass(frozen=True)
class Source:
    """One corpus file and what its manifest entry says about it."""

    path: Path
    kind: str  # see rag.kinds.KINDS
    publisher: str
    issue: str  # e.g. 2024年第2期, 2022年9月27日 第04版; "" for a document published on its own
    date: int | None  # publication date as yyyymmdd when printed on the page
    note: str = ""
    key: str = ""  # the file's path inside the corpus folder: what its chunks are keyed by
    file_hash: str = ""  # sha256 of the file's bytes: an exact duplicate is not indexed twice
    # 文号 or titles of documents in the file that were taken out (`rag remove --document-only`): not indexed
    excluded: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.key or self.path.name


@dataclass
class Clause:
    """One numbered clause (or a document's unnumbered body) with its own text, not its children's."""

    clause_path: str  # 四、（四）1. ; 附件1 ; "" for a clause-less body
    heading: str  # own heading as written, e.g. 1. 特困人员照料护理
    parents: list[str]  # headings of the enclosing clauses, outermost first
    text: str  # the clause as written, with its number
    responsible_units: list[str] = field(default_factory=list)
    table_header: str = ""  # header row when the clause holds a table
    page: int | None = None  # the page the clause starts on, when the source has pages (PDF)


@dataclass
class Document:
    """A gazette document (通知, 决定, 实施意见 …), a regulation, or a newspaper article."""

    source: Source
    title: str
    printed_title: str = ""  # the heading as printed; title prefers the table of contents' wording
    doc_number: str = ""
    issuer: str = ""
    date: int | None = None  # signing date (gazette) or printed date (newspaper), yyyymmdd
    page: int | None = None  # start page from the table of contents
    annexes: list[str] = field(default_factory=list)
    byline: str = ""
    clauses: list[Clause] = field(default_factory=list)
    history: list[str] = field(default_factory=list)  # a regulation's promulgation and amendment lines
    effective: int | None = None  # 施行 date, yyyymmdd, when the text states one

    @property
    def excluded(self) -> bool:
        """Taken out of its file by staff (its 文号 or title is in the manifest entry's `exclude`)."""
        return bool({self.doc_number, self.title} & set(self.source.excluded) - {""})

    @property
    def body_text(self) -> str:
        return "\n".join(clause.text for clause in self.clauses)
