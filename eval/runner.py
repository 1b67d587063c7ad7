"""`rag eval`: run the gold questions through the pipeline and report retrieval metrics."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from eval.gold import GoldQuestion
from eval.metrics import first_rank, hit_at, is_clause_hit, is_evidence_hit, reciprocal_rank, same_clause
from rag.answer.question import clean_question, resolve_follow_up
from rag.documents.normalize import compact
from rag.search.retrieve import Retriever

KS = (1, 3, 5, 10)
RETRIEVAL_COLUMNS = ["n", "evidence@1", "evidence@3", "evidence@5", "evidence@10", "clause@1", "clause@5", "MRR@10"]
ANSWER_COLUMNS = ["citation_acc", "key_facts", "refusal_unans", "unans_honest", "false_refusal", "part_citation",
                  "part_facts", "partly_named", "absent_first_line", "p50_seconds"]
# how results are split in the terminal report and in eval/report.md
GROUPINGS = {"按用户类型": lambda gold: gold.persona, "按问题类型": lambda gold: gold.type}


@dataclass(frozen=True)
class RetrievalResult:
    gold: GoldQuestion
    evidence_rank: int | None
    clause_rank: int | None
    top: list[tuple[str, str]]  # (doc_number or title, clause_path) of the first hits, for the miss list


def searched_question(gold: GoldQuestion) -> str:
    """The question as the answerer searches it: cleaned (traditional → simplified), and a follow-up
    joined with the turn it continues."""
    earlier: list[str] = []
    for previous in gold.previous:
        earlier.append(resolve_follow_up(clean_question(previous).text, earlier))
    return resolve_follow_up(clean_question(gold.question).text, earlier)


def run_retrieval(retriever: Retriever, questions: list[GoldQuestion], k: int = 10,
                  clause_match=None) -> list[RetrievalResult]:
    """clause_match(hit, gold): whether a hit is the gold clause; by metadata unless a baseline has none."""
    clause_match = clause_match or (lambda hit, gold: is_clause_hit(hit.metadata, gold))
    results = []
    for gold in questions:
        if not gold.answerable:
            continue
        hits = retriever.search(searched_question(gold), k=k)
        results.append(RetrievalResult(
            gold=gold,
            evidence_rank=first_rank([is_evidence_hit(h.text, gold) for h in hits]),
            clause_rank=first_rank([clause_match(h, gold) for h in hits]),
            top=[(h.metadata.doc_number or h.metadata.doc_title, h.metadata.clause_path) for h in hits[:3]],
        ))
    return results


def retrieval_metrics(results: list[RetrievalResult]) -> dict[str, float]:
    count = len(results) or 1
    metrics = {}
    for k in KS:
        metrics[f"evidence@{k}"] = sum(hit_at(r.evidence_rank, k) for r in results) / count
    for k in KS:
        metrics[f"clause@{k}"] = sum(hit_at(r.clause_rank, k) for r in results) / count
    metrics["MRR@10"] = sum(reciprocal_rank(r.clause_rank) for r in results) / count
    metrics["n"] = len(results)
    return metrics


def by_group(results: list[RetrievalResult], key) -> dict[str, dict[str, float]]:
    groups: dict[str, list[RetrievalResult]] = defaultdict(list)
    for result in results:
        groups[key(result.gold)].append(result)
    return {name: retrieval_metrics(group) for name, group in sorted(groups.items())}


def format_table(rows: dict[str, dict[str, float]], columns: list[str]) -> str:
    width = max(len(name) for name in rows) + 2
    lines = ["".ljust(width) + "".join(c.rjust(12) for c in columns)]
    for name, metrics in rows.items():
        cells = []
        for column in columns:
            value = metrics.get(column, 0.0)
            cells.append(f"{int(value)}".rjust(12) if column == "n" else f"{value:.3f}".rjust(12))
        lines.append(name.ljust(width) + "".join(cells))
    return "\n".join(lines)


def retrieval_report(results: list[RetrievalResult], list_misses: bool = True) -> str:
    sections = ["检索指标（可回答问题）", format_table({"overall": retrieval_metrics(results)}, RETRIEVAL_COLUMNS)]
    for title, key in GROUPINGS.items():
        sections += ["", title, format_table(by_group(results, key), RETRIEVAL_COLUMNS)]
    misses = [r for r in results if r.clause_rank is None or r.clause_rank > 5]
    if misses and not list_misses:
        sections += ["", f"前 5 条未命中条款的问题：{len(misses)} 个"]
    elif misses:
        sections += ["", f"前 5 条未命中条款的问题（{len(misses)}）"]
        for r in misses:
            got = "；".join(f"{d} {p}".strip() for d, p in r.top)
            sections.append(f"  {r.gold.id} {r.gold.question}  应为 {r.gold.expected}  实得 {got}")
    return "\n".join(sections)


@dataclass(frozen=True)
class AnswerResult:
    gold: GoldQuestion
    refused: bool
    citation_correct: bool  # the first citation is the (first answerable part's) gold clause
    facts_covered: bool  # every key fact of every answerable part is in the answer
    seconds: float
    first_citation: str
    parts_cited: tuple[bool, ...] = ()  # per answerable part: its gold clause is among the citations
    parts_facts: tuple[bool, ...] = ()  # per answerable part: its key facts are in the answer
    unanswered_named: bool = False  # the answer names at least one part as not answered
    absent_said: bool = False  # a named reference the library lacks is said on the answer's first line

    @property
    def problem(self) -> str:
        """What went wrong for the user, or "" when the answer was right."""
        if not self.gold.answerable:
            return "" if self.refused else "应拒答却回答了"
        if self.refused:
            return "误拒"
        if not self.citation_correct:
            return "引用不对"
        return "" if self.facts_covered else "缺关键事实"


def run_naive_answers(naive, questions: list[GoldQuestion]) -> list[AnswerResult]:
    """The naive system answers with its top chunk and never refuses; its citation is that chunk."""
    import time

    results = []
    for gold in questions:
        started = time.perf_counter()
        top = naive.search(gold.question, k=1)[0]
        seconds = time.perf_counter() - started
        results.append(AnswerResult(
            gold=gold, refused=False, seconds=seconds,
            citation_correct=gold.answerable and is_evidence_hit(top.text, gold),
            facts_covered=gold.answerable and all(compact(f) in compact(top.text) for f in gold.key_facts),
            first_citation=top.metadata.source))
    return results


def answer_body(text: str) -> str:
    """What the answer states, as the reader sees it: before 「依据」 and the related clauses, no bold marks."""
    return compact(text.split("依据：")[0].replace("**", ""))


def absent_said(text: str, reference: str) -> bool:
    """The answer's first line (after any notice) says the library lacks the reference: it names the 文号 or
    title (spaces, brackets and traditional forms as the answerer normalizes them) and says 没有."""
    from rag.answer.question import to_simplified
    from rag.search.retrieve import normalized_question

    lines = [line for line in text.splitlines() if not line.startswith("（")]
    first = normalized_question(lines[0]) if lines else ""
    named = normalized_question(to_simplified(reference))
    document = re.split(r"(?<=号)|(?<=》)", named)[0]
    return "没有" in first and document in first


def run_answers(answerer, questions: list[GoldQuestion]) -> list[AnswerResult]:
    import time

    from rag.answer import Turn

    results = []
    for gold in questions:
        started = time.perf_counter()
        answer = answerer.run(gold.question, history=[Turn(q) for q in gold.previous])
        seconds = time.perf_counter() - started
        cited = answer.citations
        first = answer.citations[0] if answer.citations else None
        body = answer_body(answer.answer) if not answer.refused else ""
        answerable = [p for p in gold.parts if p.answerable]
        parts_facts = tuple(all(compact(f) in body for f in p.key_facts) for p in answerable)
        results.append(AnswerResult(
            gold=gold, refused=answer.refused, seconds=seconds,
            citation_correct=bool(cited) and gold.answerable and is_clause_hit(cited[0], gold),
            facts_covered=gold.answerable and not answer.refused and all(parts_facts),
            first_citation=f"{first.doc_number or first.doc_title} {first.clause_path}".strip() if first else "",
            parts_cited=tuple(any(any(same_clause(c, ref) for ref in p.clauses) for c in cited) for p in answerable),
            parts_facts=parts_facts,
            unanswered_named=bool(answer.unanswered_parts) and not answer.refused,
            absent_said=bool(gold.absent) and absent_said(answer.answer, gold.absent),
        ))
    return results


def answer_metrics(results: list[AnswerResult]) -> dict[str, float]:
    answerable = [r for r in results if r.gold.answerable]
    unanswerable = [r for r in results if not r.gold.answerable]
    partly = [r for r in results if r.gold.partly]
    share = lambda rows, test: sum(test(r) for r in rows) / len(rows) if rows else 0.0  # noqa: E731
    parts_cited = [flag for r in answerable for flag in r.parts_cited]
    parts_facts = [flag for r in answerable for flag in r.parts_facts]
    seconds = sorted(r.seconds for r in results)
    return {
        "n": len(results),
        "citation_acc": share(answerable, lambda r: r.citation_correct),
        "key_facts": share(answerable, lambda r: r.facts_covered),
        "refusal_unans": share(unanswerable, lambda r: r.refused),
        # refused, or the part not answered named (unanswered_parts): the user is not misled
        "unans_honest": share(unanswerable, lambda r: r.refused or r.unanswered_named),
        "false_refusal": share(answerable, lambda r: r.refused),
        "part_citation": sum(parts_cited) / len(parts_cited) if parts_cited else 0.0,
        "part_facts": sum(parts_facts) / len(parts_facts) if parts_facts else 0.0,
        "partly_named": share(partly, lambda r: r.unanswered_named),
        "absent_first_line": share([r for r in results if r.gold.absent], lambda r: r.absent_said),
        "p50_seconds": seconds[len(seconds) // 2] if seconds else 0.0,
    }


def answers_by_persona(results: list[AnswerResult]) -> dict[str, dict[str, float]]:
    groups: dict[str, list[AnswerResult]] = defaultdict(list)
    for result in results:
        groups[result.gold.persona].append(result)
    return {name: answer_metrics(rows) for name, rows in sorted(groups.items())}


def answer_report(results: list[AnswerResult], list_wrong: bool = True) -> str:
    columns = ["n", *ANSWER_COLUMNS]
    sections = [
        "回答指标（引用准确率、关键事实覆盖率：可回答问题；拒答率：不可回答问题；误拒率：可回答问题）",
        format_table({"overall": answer_metrics(results)}, columns),
        "",
        "按用户类型",
        format_table(answers_by_persona(results), columns),
    ]
    wrong = [r for r in results if r.problem]
    if wrong and not list_wrong:
        counts = {p: sum(r.problem == p for r in wrong) for p in dict.fromkeys(r.problem for r in wrong)}
        sections += ["", f"未答对的问题：{len(wrong)} 个（" + "，".join(f"{p} {n}" for p, n in counts.items()) + "）"]
    elif wrong:
        sections += ["", f"未答对的问题（{len(wrong)}）"]
        for r in wrong:
            sections.append(f"  {r.gold.id} [{r.problem}] {r.gold.question}  应为 {r.gold.expected or '拒答'}  "
                            f"引用 {r.first_citation or '无'}")
    return "\n".join(sections)
