"""The gold sets: questions with the clause (per part) that answers them.

Kept apart, never mixed: `questions.jsonl`, the tuning set (weights and thresholds may be chosen on
it), and the blind sets, written by sessions that never read the code, from users' situations (only
reported, never tuned on): `blind.jsonl` (first; it informed two yes/no decisions, see its report) and
`blind2.jsonl` … `blind9.jsonl` (each written before the changes it measures; rows with
`absent` name a document or clause the library does not have). A blind row has `parts` (one per thing asked), `tags`, and a
`conversation` id with a `turn` number; a tuning row is a single part. `tuning2.jsonl` is a second tuning set in
the blind sets' form, written the same way (from the documents, by a session that did not read the code) and then
read while tuning, so that the rules are tuned on questions like the held-out ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

EVAL_DIR = Path(__file__).resolve().parent
GOLD_FILE = EVAL_DIR / "questions.jsonl"
BLIND_FILES = {"blind": EVAL_DIR / "blind.jsonl", "blind2": EVAL_DIR / "blind2.jsonl",
               "blind3": EVAL_DIR / "blind3.jsonl", "blind4": EVAL_DIR / "blind4.jsonl",
               "blind5": EVAL_DIR / "blind5.jsonl", "blind6": EVAL_DIR / "blind6.jsonl",
               "blind7": EVAL_DIR / "blind7.jsonl", "blind8": EVAL_DIR / "blind8.jsonl",
               "blind9": EVAL_DIR / "blind9.jsonl"}
TUNING_FILES = {"tuning": GOLD_FILE, "tuning2": EVAL_DIR / "tuning2.jsonl", "tuning3": EVAL_DIR / "tuning3.jsonl",
                "tuning4": EVAL_DIR / "tuning4.jsonl"}


@dataclass(frozen=True)
class ClauseRef:
    doc_number: str
    clause_path: str
    doc_title: str = ""  # identifies newspaper articles, which have no document number


@dataclass(frozen=True)
class GoldPart:
    asks: str
    answerable: bool
    doc_number: str = ""
    doc_title: str = ""
    clause_path: str = ""
    quote: str = ""
    key_facts: tuple[str, ...] = ()
    alt_clauses: tuple[ClauseRef, ...] = ()

    @property
    def clauses(self) -> tuple[ClauseRef, ...]:
        return (ClauseRef(self.doc_number, self.clause_path, self.doc_title), *self.alt_clauses)


@dataclass(frozen=True)
class GoldQuestion:
    id: str
    persona: str  # citizen | business | staff
    question: str
    type: str
    parts: tuple[GoldPart, ...]
    tags: tuple[str, ...] = ()
    conversation: str = ""
    turn: int = 1
    previous: tuple[str, ...] = field(default=())  # earlier turns of its conversation, in order
    absent: str = ""  # a document or clause the question names that the library does not hold

    @property
    def answerable(self) -> bool:
        return any(p.answerable for p in self.parts)

    @property
    def partly(self) -> bool:
        return self.answerable and not all(p.answerable for p in self.parts)

    @property
    def primary(self) -> GoldPart:
        """The first answerable part: what retrieval and the first citation are scored on."""
        return next((p for p in self.parts if p.answerable), self.parts[0])

    @property
    def quote(self) -> str:
        """The primary part's quote: what evidence@k looks for in a retrieved chunk."""
        return self.primary.quote

    @property
    def key_facts(self) -> tuple[str, ...]:
        return tuple(f for p in self.parts if p.answerable for f in p.key_facts)

    @property
    def clauses(self) -> tuple[ClauseRef, ...]:
        return self.primary.clauses

    @property
    def expected(self) -> str:
        """The gold clause as shown in reports ("" for an unanswerable question)."""
        if not self.answerable:
            return ""
        part = self.primary
        return f"{part.doc_number or part.doc_title} {part.clause_path}".strip()


def _refs(rows: list[dict]) -> tuple[ClauseRef, ...]:
    return tuple(ClauseRef(a.get("doc_number", ""), a["clause_path"], a.get("doc_title", "")) for a in rows)


def _part(row: dict) -> GoldPart:
    return GoldPart(asks=row.get("asks", ""), answerable=row["answerable"], doc_number=row.get("doc_number", ""),
                    doc_title=row.get("doc_title", ""), clause_path=row.get("clause_path", ""),
                    quote=row.get("quote", ""), key_facts=tuple(row.get("key_facts", ())),
                    alt_clauses=_refs(row.get("alt_clauses", [])))


def load_gold(path: Path = GOLD_FILE) -> list[GoldQuestion]:
    questions: list[GoldQuestion] = []
    asked: dict[str, list[str]] = {}  # conversation → its questions so far
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        parts = tuple(_part(p) for p in row["parts"]) if "parts" in row else (_part(row),)
        conversation = row.get("conversation", "")
        previous = tuple(asked.get(conversation, [])) if conversation else ()
        if conversation:
            asked.setdefault(conversation, []).append(row["question"])
        questions.append(GoldQuestion(
            id=row["id"], persona=row["persona"], question=row["question"], type=row["type"], parts=parts,
            tags=tuple(row.get("tags", ())), conversation=conversation, turn=int(row.get("turn", 1)),
            previous=previous, absent=row.get("absent", "")))
    return questions


def load_blind(name: str = "blind") -> list[GoldQuestion]:
    return load_gold(BLIND_FILES[name])


def load_set(name: str) -> list[GoldQuestion]:
    """A tuning set or a blind set by its name."""
    return load_gold(TUNING_FILES.get(name) or BLIND_FILES[name])
