"""Metrics that match retrieved chunks to gold clauses by metadata and text."""

from __future__ import annotations

from collections.abc import Sequence

from eval.gold import ClauseRef, GoldQuestion
from rag.answer.citation import Citation
from rag.documents.normalize import compact
from rag.index.chunk import ClauseMeta


def same_clause(clause: ClauseMeta | Citation, ref: ClauseRef) -> bool:
    """Same document, and the chunk's (or citation's) clause is the gold clause or inside it (its branch)."""
    if ref.doc_number:
        if clause.doc_number != ref.doc_number:
            return False
    elif clause.doc_title != ref.doc_title or clause.doc_number:
        return False
    path = clause.clause_path
    return path == ref.clause_path or (bool(ref.clause_path) and path.startswith(ref.clause_path))


def is_clause_hit(clause: ClauseMeta | Citation, gold: GoldQuestion) -> bool:
    return any(same_clause(clause, ref) for ref in gold.clauses)


def is_evidence_hit(text: str, gold: GoldQuestion) -> bool:
    return bool(gold.quote) and compact(gold.quote) in compact(text)


def first_rank(flags: Sequence[bool]) -> int | None:
    """1-based rank of the first True, or None."""
    return next((rank for rank, flag in enumerate(flags, 1) if flag), None)


def hit_at(rank: int | None, k: int) -> float:
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None, k: int = 10) -> float:
    return 1.0 / rank if rank is not None and rank <= k else 0.0
