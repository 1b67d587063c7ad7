"""The gold set is checkable: every quote and key fact stands in the clause it cites."""

from collections import Counter

from eval.gold import load_gold
from rag.normalize import compact
from tests.helpers import GAZETTE_2020, GAZETTE_2024, NEWS_2022_09_27, NEWS_2023_04, NEWS_2023_08, parsed

GOLD = load_gold()
DOCUMENTS = [d for p in (GAZETTE_2024, GAZETTE_2020, NEWS_2023_04, NEWS_2023_08, NEWS_2022_09_27) for d in parsed(p)]


def _clause_text(doc_number: str, doc_title: str, clause_path: str) -> str:
    for document in DOCUMENTS:
        if (document.doc_number == doc_number) if doc_number else (document.title == doc_title):
            return "\n".join(c.text for c in document.clauses if c.clause_path == clause_path)
    return ""


def test_every_quote_and_key_fact_is_in_its_clause():
    problems = []
    for gold in GOLD:
        if not gold.answerable:
            continue
        text = compact(_clause_text(gold.doc_number, gold.doc_title, gold.clause_path))
        if compact(gold.quote) not in text:
            problems.append(f"{gold.id} quote")
        problems += [f"{gold.id} fact {fact}" for fact in gold.key_facts if compact(fact) not in text]
        for ref in gold.alt_clauses:
            if not _clause_text(ref.doc_number, "", ref.clause_path):
                problems.append(f"{gold.id} alt {ref.clause_path}")
    assert problems == []


def test_the_set_covers_every_gazette_document_and_all_personas():
    cited = {g.doc_number for g in GOLD if g.answerable}
    assert {d.doc_number for d in DOCUMENTS if d.doc_number} <= cited
    assert {g.doc_title for g in GOLD if g.type == "news"} >= {"产业发展大事记", "为强国建设民族复兴增光添彩"}
    assert set(Counter(g.persona for g in GOLD)) == {"citizen", "business", "staff"}
    assert len(GOLD) >= 60 and sum(not g.answerable for g in GOLD) >= 15
    assert len({g.id for g in GOLD}) == len(GOLD)
