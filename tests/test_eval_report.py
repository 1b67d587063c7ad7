"""The evaluation report: every system side by side, floors enforced, chart written."""

from eval.gold import GoldQuestion
from eval.report import check_floors, write_report
from eval.runner import AnswerResult, RetrievalResult

ANSWERABLE = GoldQuestion(id="q1", persona="citizen", question="特困人员的照料护理标准是多少？", answerable=True,
                          type="number", doc_number="许政办〔2024〕3号", clause_path="四、（四）1.",
                          quote="1/10、1/6、1/3", key_facts=("1/10",))
UNANSWERABLE = GoldQuestion(id="q2", persona="citizen", question="许昌低保每月发多少钱？", answerable=False,
                            type="unanswerable")


def test_floors_name_each_metric_below_its_floor():
    good_retrieval = {"evidence@5": 0.95, "clause@5": 0.97}
    good_answers = {"citation_acc": 0.9, "refusal_unans": 0.9, "false_refusal": 0.02}
    assert check_floors(good_retrieval, good_answers) == []
    failures = check_floors({"evidence@5": 0.89, "clause@5": 0.97}, {**good_answers, "false_refusal": 0.11})
    assert failures == ["evidence@5 = 0.890，要求 >= 0.9", "false_refusal = 0.110，要求 <= 0.1"]


def test_report_lists_every_system_and_the_misses(tmp_path):
    hit = RetrievalResult(ANSWERABLE, evidence_rank=1, clause_rank=1, top=[])
    miss = RetrievalResult(ANSWERABLE, evidence_rank=None, clause_rank=None, top=[])
    answered = [AnswerResult(ANSWERABLE, False, True, True, 0.1, "许政办〔2024〕3号 四、（四）1."),
                AnswerResult(UNANSWERABLE, True, False, False, 0.1, "")]
    naive = [AnswerResult(ANSWERABLE, False, False, False, 0.1, "x.txt"),
             AnswerResult(UNANSWERABLE, False, False, False, 0.1, "x.txt")]
    text = write_report({"ours": [hit], "naive": [miss]}, {"ours": answered, "naive": naive}, folder=tmp_path)
    assert "| ours | 1 | 1.000 |" in text and "| naive | 1 | 0.000 |" in text
    assert "本次全部达到" in text
    assert (tmp_path / "report.md").read_text(encoding="utf-8") == text
    assert (tmp_path / "hitk.png").stat().st_size > 5000
