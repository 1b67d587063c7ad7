"""Questions that name a document, title or clause, present in the library or not: the held-out
eval/blind_named.jsonl, eval/blind_named2.jsonl and eval/blind_named3.jsonl (60 questions each, written from the
corpus by helpers that read neither the code nor the other sets; the second and third in the thirteenth and fourteenth
sessions) and the tuning set eval/named_tuning.jsonl
(80, written the same way in the eleventh session, then tuned on).

    .venv/bin/python -m eval.named [--set named_tuning]   → one JSON line

Scored: for the 30 that name something the library lacks, whether the answer's first line says so; for the
30 that name something it holds, whether the first line wrongly says it lacks it, refusals, the document and
clause of the first citation, and the key facts in the answer lines. A blind set: its misses are counted,
never listed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from rag.config import Settings
from rag.documents.normalize import compact

SET_FILES = {name: Path(__file__).resolve().parent / f"{name}.jsonl" for name in ("blind_named", "blind_named2", "blind_named3", "named_tuning", "named_tuning2", "named_tuning3")}
# the first line of an answer that says the library lacks what was named (rag.answer.references)
SAYS_ABSENT = re.compile(r"文件库中没有|没有“|没有第|下没有")


def score(questions: list[dict], answers: list) -> dict[str, float]:
    present, absent = [], []
    for question, answer in zip(questions, answers, strict=True):
        first = answer.answer.splitlines()[0] if answer.answer else ""
        if not question["present"]:
            absent.append(bool(SAYS_ABSENT.search(first)))
            continue
        cited = answer.citations[0] if answer.citations else None
        document = cited is not None and cited.doc_number == question["doc_number"]
        body = compact(answer.answer.split("依据：")[0].replace("**", ""))
        present.append({"refused": answer.refused, "said_absent": bool(SAYS_ABSENT.search(first)),
                        "document": document,
                        # a citation of an item under the named clause is within it
                        "clause": document and cited.clause_path.startswith(question["clause_path"]),
                        "facts": all(compact(fact) in body for fact in question["key_facts"])})
    share = lambda key: round(sum(p[key] for p in present) / len(present), 3)  # noqa: E731
    return {"absent": len(absent), "absent_first_line": round(sum(absent) / len(absent), 3),
            "present": len(present), "present_said_absent": share("said_absent"), "present_refused": share("refused"),
            "document": share("document"), "clause": share("clause"), "key_facts": share("facts")}


def main() -> None:
    import argparse

    from rag.app.pipeline import Pipeline

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=sorted(SET_FILES), default="blind_named")
    name = parser.parse_args().set
    questions = [json.loads(line) for line in SET_FILES[name].read_text(encoding="utf-8").splitlines() if line.strip()]
    answerer = Pipeline(Settings.from_env()).answerer
    print(json.dumps({name: score(questions, [answerer.run(q["question"]) for q in questions])}, ensure_ascii=False))


if __name__ == "__main__":
    main()
