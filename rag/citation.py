"""Citations built from a retrieved chunk's metadata only — never from generated text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from rag.retrieve import Hit

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

    @classmethod
    def from_hit(cls, hit: Hit, quote: str) -> Citation:
        meta = hit.metadata
        return cls(doc_number=meta["doc_number"], doc_title=meta["doc_title"], clause_path=meta["clause_path"],
                   issue=meta["issue"], page=int(meta["page"]) or None, quote=quote, kind=meta["kind"],
                   chunk_id=hit.chunk_id)

    def display(self) -> str:
        """The canonical form: 《标题》（文号）条款，载《公报》期号 第N页 — or 《许昌日报》日期 版次《标题》."""
        if self.kind == "newspaper":
            return f"{self.issue}《{self.doc_title}》"
        number = f"（{self.doc_number}）" if self.doc_number else ""
        clause = f"{self.clause_path}，" if self.clause_path else "，"
        page = f" 第{self.page}页" if self.page else ""
        return f"《{self.doc_title}》{number}{clause}载{self.issue}{page}"

    def to_json(self) -> dict:
        data = asdict(self)
        return {key: data[key] for key in ("doc_number", "doc_title", "clause_path", "issue", "page", "quote")}


def numbered_list(citations: Sequence[Citation]) -> str:
    """The 依据 lines an answer's [n] marks point at."""
    return "\n".join(f"[{i}] {c.display()}" for i, c in enumerate(citations, 1))
