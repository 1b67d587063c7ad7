"""Choose fusion weights and the evidence thresholds on the tuning set only, by cross-validation.

    python -m eval.calibrate

For each setting on a small grid, 5-fold cross-validation on eval/questions.jsonl: the setting that
does best on four folds is scored on the fifth. Prints the grid, the chosen setting on all folds,
and the cross-validated estimate. The blind set is never read here.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from eval.gold import load_gold
from eval.runner import answer_metrics, retrieval_metrics, run_answers, run_retrieval
from rag.answer import evidence
from rag.app.pipeline import Pipeline
from rag.config import Settings

FOLDS = 5
LEXICAL_WEIGHTS = (0.5, 0.75, 1.0)
SENTENCE_WEIGHTS = (0.0, 0.5, 1.0, 1.5)
CLAUSE_MARGINS = (0.03, 0.05, 0.08, 0.12, 10.0)  # CLAUSE_MARGIN (10: off)
STATING_MARGINS = (0.05, 0.1, 0.2)  # STATING_MARGIN
SUBJECT_OVERLAPS = (0.5, 0.6, 0.7)  # MIN_SUBJECT_OVERLAP


def cross_validate(results: dict, score: Callable[[list], float], count: int) -> tuple[object, float]:
    """results: setting → one result per question (computed once). Returns the setting best on all
    questions and the mean held-out score of choosing the best on the other folds."""
    def on(setting, rows: list[int]) -> float:
        return score([results[setting][i] for i in rows])

    held_out = []
    for fold in range(FOLDS):
        train = [i for i in range(count) if i % FOLDS != fold]
        test = [i for i in range(count) if i % FOLDS == fold]
        best = max(results, key=lambda s: on(s, train))
        held_out.append(on(best, test))
    everything = list(range(count))
    return max(results, key=lambda s: on(s, everything)), sum(held_out) / len(held_out)


def retrieval_value(rows: list) -> float:
    metrics = retrieval_metrics(rows)
    return metrics["clause@1"] + 0.5 * metrics["MRR@10"]


def answer_value(rows: list) -> float:
    metrics = answer_metrics(rows)
    # a false refusal costs as much as a wrong citation or an unanswerable question answered
    return metrics["citation_acc"] + metrics["key_facts"] + metrics["refusal_unans"] - 2 * metrics["false_refusal"]


def main() -> None:
    pipeline = Pipeline(Settings.from_env())
    questions = load_gold()
    answerable = [q for q in questions if q.answerable]
    retriever = pipeline.retriever
    retrieval = {}
    for lexical, sentence in itertools.product(LEXICAL_WEIGHTS, SENTENCE_WEIGHTS):
        retrieval[(lexical, sentence)] = run_retrieval(retriever.with_weights(1.0, lexical, sentence), answerable)
        print(f"lexical {lexical:.2f} sentence {sentence:.2f}: clause@1+MRR/2 {retrieval_value(retrieval[(lexical, sentence)]):.3f}")
    best, estimate = cross_validate(retrieval, retrieval_value, len(answerable))
    print(f"chosen weights (lexical, sentence) {best}; cross-validated clause@1+MRR/2 {estimate:.3f}")

    answers = {}
    for setting in itertools.product(CLAUSE_MARGINS, STATING_MARGINS, SUBJECT_OVERLAPS):
        evidence.CLAUSE_MARGIN, evidence.STATING_MARGIN, evidence.MIN_SUBJECT_OVERLAP = setting
        answers[setting] = run_answers(pipeline.answerer, questions)
        metrics = answer_metrics(answers[setting])
        print(f"thresholds {setting}: {answer_value(answers[setting]):.3f} "
              f"(citation {metrics['citation_acc']:.3f}, facts {metrics['key_facts']:.3f}, "
              f"refused unanswerable {metrics['refusal_unans']:.3f}, false refusals {metrics['false_refusal']:.3f})")
    best, estimate = cross_validate(answers, answer_value, len(questions))
    print(f"chosen (clause margin, stating margin, subject overlap) {best}; cross-validated score {estimate:.3f}")


if __name__ == "__main__":
    main()
