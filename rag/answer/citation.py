"""Citations built from a retrieved chunk's metadata only — never from generated text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from rag.documents.regulation import locate
from rag.index.chunk import ClauseMeta
from rag.index.versions import CURRENT, format_date
from rag.search.retrieve import Hit

CITATION_MARK = re.compile(r"\[(\d{1,2})\]")  # [n] in an answer: the n-th entry of its 依据 list


@dataclass(frozen=True)
class Citation:
    doc_number: str
    doc_title: str
    clause_path: str
    issue: str
    page: int | None
    quote: str  # the sentence(s) the answer used
    kind: str
    chunk_id: str
    status: str = CURRENT  # 现行有效 / 已修订 / 已废止 / 尚未施行 / 已到期; "" for a newspaper article
    version_date: int | None = None  # the date of the version cited (a regulation's latest amendment)
    amended: bool = False  # the version's history records an amendment (修订/修正)

    @classmethod
    def from_hit(cls, hit: Hit, quote: str) -> Citation:
        meta = hit.metadata
        clause_path = meta.clause_path
        if meta.kind == "regulation" and clause_path and quote:
            # narrowed to the 款 and 项 the quoted sentence stands in: 第十一条第一款第（二）项
            clause_path += locate(hit.text, quote, meta.paragraph_base, meta.shape)
        return cls(doc_number=meta.doc_number, doc_title=meta.doc_title, clause_path=clause_path,
                   issue=meta.issue, page=meta.page, quote=quote, kind=meta.kind, chunk_id=hit.chunk_id,
                   status=meta.status, version_date=meta.version_date, amended=meta.amended)

    def display(self) -> str:
        """The canonical form: 《标题》（文号）条款，载《公报》期号 第N页 — or 《许昌日报》日期 版次《标题》 — or, for a
        regulation, 《条例》第十一条第一款第（二）项（2019年3月2日修订，现行有效）."""
        if self.kind == "newspaper":
            return f"{self.issue}《{self.doc_title}》"
        if self.kind == "regulation":
            version = f"{format_date(self.version_date)}{'修订' if self.amended else '公布'}，" if self.version_date else ""
            where = f"，载{self.issue}" if self.issue else ""
            page = f" 第{self.page}页" if self.page else ""
            return f"《{self.doc_title}》{self.clause_path}（{version}{self.status}）{where}{page}"
        number = f"（{self.doc_number}）" if self.doc_number else ""
        page = f" 第{self.page}页" if self.page else ""
        if not self.issue:  # a document published on its own, not in a gazette issue
            return f"《{self.doc_title}》{number}{self.clause_path}{page}".rstrip()
        clause = f"{self.clause_path}，" if self.clause_path else "，"
        return f"《{self.doc_title}》{number}{clause}载{self.issue}{page}"

    def to_json(self) -> dict:
        data = asdict(self)
        return {key: data[key] for key in ("doc_number", "doc_title", "clause_path", "issue", "page", "quote",
                                           "status", "version_date")}


def short_reference(meta: ClauseMeta) -> str:
    """The document and clause in a few characters, for lists inside an answer: 许政办〔2024〕3号 四、（四）1.,
    《条例》第十一条, 《条例》（2019年版，已修订）第十一条, or a newspaper article by its page."""
    if meta.kind == "newspaper":
        return f"{meta.issue}《{meta.doc_title}》"
    if not meta.doc_number:  # a regulation is named by its title, an older version by its date
        version = f"（{meta.year}年版，{meta.status}）" if meta.status != CURRENT and meta.year else ""
        return f"《{meta.doc_title}》{version}{meta.clause_path}"
    return f"{meta.doc_number} {meta.clause_path}".strip()


def numbered_list(citations: Sequence[Citation]) -> str:
    """The 依据 lines an answer's [n] marks point at."""
    return "\n".join(f"[{i}] {c.display()}" for i, c in enumerate(citations, 1))
