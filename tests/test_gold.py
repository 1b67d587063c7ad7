"""The gold set is checkable: every quote and key fact stands in the clause it cites."""

from collections import Counter

import pytest

from eval.gold import BLIND_FILES, TUNING_FILES, load_blind, load_gold, load_set
from rag.documents.normalize import compact
from tests.helpers import GAZETTE_2020, GAZETTE_2024, NEWS_2022_09_27, NEWS_2023_04, NEWS_2023_08, parsed

GOLD = load_gold()
BLIND_SETS = {name: load_blind(name) for name in BLIND_FILES}
DOCUMENTS = [d for p in (GAZETTE_2024, GAZETTE_2020, NEWS_2023_04, NEWS_2023_08, NEWS_2022_09_27) for d in parsed(p)]


def _clause_text(doc_number: str, doc_title: str, clause_path: str) -> str:
    for document in DOCUMENTS:
        if (document.doc_number == doc_number) if doc_number else (document.title == doc_title):
            return "\n".join(c.text for c in document.clauses if c.clause_path.startswith(clause_path))
    return ""


def test_the_set_covers_every_gazette_document_and_all_personas():
    cited = {g.primary.doc_number for g in GOLD if g.answerable}
    assert {d.doc_number for d in DOCUMENTS if d.doc_number} <= cited
    assert {g.primary.doc_title for g in GOLD if g.type == "news"} >= {"产业发展大事记", "助力许昌制造业做大做强做优"}
    assert set(Counter(g.persona for g in GOLD)) == {"citizen", "business", "staff"}
    assert len(GOLD) >= 60 and sum(not g.answerable for g in GOLD) >= 15
    assert len({g.id for g in GOLD}) == len(GOLD)


@pytest.mark.parametrize("name", [*TUNING_FILES, *BLIND_FILES])
def test_every_part_cites_clauses_that_hold_its_quote_and_key_facts(name):
    problems = []
    for gold in load_set(name):
        for number, part in enumerate(gold.parts, 1):
            if not part.answerable:
                continue
            text = compact(_clause_text(part.doc_number, part.doc_title, part.clause_path))
            if not text or compact(part.quote) not in text:
                problems.append(f"{gold.id} part {number} quote")
            problems += [f"{gold.id} part {number} fact {f}" for f in part.key_facts if compact(f) not in text]
            problems += [f"{gold.id} part {number} alt {ref.clause_path}" for ref in part.alt_clauses
                         if not _clause_text(ref.doc_number, ref.doc_title, ref.clause_path)]
    assert problems == []


@pytest.mark.parametrize("name", ["blind", "blind2"])
def test_each_blind_set_has_the_make_up_issue_10_asks_for(name):
    blind = BLIND_SETS[name]
    assert len(blind) >= 150 and len({g.id for g in blind}) == len(blind)
    assert sum(not g.answerable for g in blind) >= 30
    assert sum(len(g.parts) >= 2 for g in blind) >= 25
    assert sum("table" in g.tags for g in blind) >= 10
    assert sum("everyday" in g.tags for g in blind) >= 0.6 * len(blind)
    assert sum("traditional" in g.tags for g in blind) >= 5
    turns = Counter(g.conversation for g in blind if g.conversation)
    assert sum(count >= 2 for count in turns.values()) >= 12
    # a later turn carries the earlier questions of its conversation, in order
    later = next(g for g in blind if g.turn == 2)
    assert later.previous == tuple(g.question for g in blind if g.conversation == later.conversation and g.turn == 1)


def test_blind_set_three_has_the_make_up_issue_20_asks_for():
    blind = BLIND_SETS["blind3"]
    assert len(blind) >= 90 and len({g.id for g in blind}) == len(blind)
    tags = Counter(tag for g in blind for tag in g.tags)
    assert tags["absent_reference"] >= 10 and tags["near_miss"] >= 10 and tags["named"] >= 8
    assert tags["everyday"] >= 20 and tags["follow_up"] >= 5 and tags["news"] >= 5
    # every question naming what the library lacks says what, and is unanswerable
    absent = [g for g in blind if "absent_reference" in g.tags]
    assert all(g.absent and not g.answerable for g in absent)


@pytest.mark.parametrize(("name", "size"), [("blind_named", 30), ("blind_named2", 30), ("blind_named3", 30), ("named_tuning", 40)])
def test_the_named_reference_set_holds_what_it_names_and_lacks_what_it_says_is_absent(name, size):
    """A present question's clause holds its key facts; an absent reference is no document or clause of the library."""
    import json

    from eval.named import SET_FILES

    rows = [json.loads(line) for line in SET_FILES[name].read_text(encoding="utf-8").splitlines() if line.strip()]
    assert (sum(r["present"] for r in rows), sum(not r["present"] for r in rows)) == (size, size)
    numbers = {d.doc_number for d in DOCUMENTS}
    problems = []
    for row in rows:
        if row["present"]:
            text = compact(_clause_text(row["doc_number"], row["doc_title"], row["clause_path"]) if row["clause_path"]
                           else "\n".join(c.text for d in DOCUMENTS if d.doc_number == row["doc_number"]
                                          for c in d.clauses))
            problems += [f"{row['id']} fact {f}" for f in row["key_facts"] if compact(f) not in text]
        elif row["doc_number"] in numbers - {""} and (
                row["absent_what"] == "document" if "absent_what" in row  # blind_named says what is absent
                else not row["clause_path"] or _clause_text(row["doc_number"], "", row["clause_path"])):
            problems.append(f"{row['id']} is held")
    assert problems == []
