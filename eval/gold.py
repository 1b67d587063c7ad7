"""The gold set: questions written from the corpus with the clause that answers them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

GOLD_FILE = Path(__file__).resolve().parent / "questions.jsonl"


@dataclass(frozen=True)
class ClauseRef:
    doc_number: str
    clause_path: str
    doc_title: str = ""  # identifies newspaper articles, which have no document number


@dataclass(frozen=True)
class GoldQuestion:
    id: str
    persona: str  # citizen | business | staff
    question: str
    answerable: bool
    type: str
    doc_number: str = ""
    doc_title: str = ""
    clause_path: str = ""
    quote: str = ""
    key_facts: tuple[str, ...] = ()
    alt_clauses: tuple[ClauseRef, ...] = field(default_factory=tuple)

    @property
    def expected(self) -> str:
        """The gold clause as shown in reports ("" for an unanswerable question)."""
        return f"{self.doc_number or self.doc_title} {self.clause_path}".strip()

    @property
    def clauses(self) -> tuple[ClauseRef, ...]:
        return (ClauseRef(self.doc_number, self.clause_path, self.doc_title), *self.alt_clauses)


def load_gold(path: Path = GOLD_FILE) -> list[GoldQuestion]:
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        questions.append(GoldQuestion(
            id=row["id"], persona=row["persona"], question=row["question"], answerable=row["answerable"],
            type=row["type"], doc_number=row["doc_number"], doc_title=row["doc_title"],
            clause_path=row["clause_path"], quote=row["quote"], key_facts=tuple(row["key_facts"]),
            alt_clauses=tuple(ClauseRef(a["doc_number"], a["clause_path"]) for a in row["alt_clauses"]),
        ))
    return questions
