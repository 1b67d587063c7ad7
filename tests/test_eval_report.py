"""The evaluation report: both gold sets, every system side by side, floors enforced, chart written,
and the blind set's misses counted but never listed."""

from eval.gold import GoldPart, GoldQuestion
from eval.report import check_floors, write_report
from eval.runner import AnswerResult, RetrievalResult

CARE = GoldPart(asks="照料护理标准", answerable=True, doc_number="许政办〔2024〕3号", clause_path="四、（四）1.",
                quote="1/10、1/6、1/3", key_facts=("1/10",))
ANSWERABLE = GoldQuestion(id="q1", persona="citizen", question="特困人员的照料护理标准是多少？", type="number",
                          parts=(CARE,))
UNANSWERABLE = GoldQuestion(id="q2", persona="citizen", question="许昌低保每月发多少钱？", type="unanswerable",
                            parts=(GoldPart(asks="低保金额", answerable=False),))
BLIND_MISS = GoldQuestion(id="b7", persona="citizen", question="盲测集里没答对的问题？", type="number", parts=(CARE,))


def test_floors_name_each_metric_below_its_floor():
    good_retrieval = {"evidence@5": 0.95, "clause@5": 0.97}
    good_answers = {"citation_acc": 0.9, "key_facts": 0.9, "refusal_unans": 0.9, "unans_honest": 0.9, "false_refusal": 0.02}
    assert check_floors("tuning", good_retrieval, good_answers) == []
    assert check_floors("blind", good_retrieval, good_answers) == []
    failures = check_floors("tuning", {"evidence@5": 0.89, "clause@5": 0.97}, {**good_answers, "false_refusal": 0.11})
    assert failures == ["tuning evidence@5 = 0.890，要求 >= 0.9", "tuning false_refusal = 0.110，要求 <= 0.1"]
    assert check_floors("blind", good_retrieval, {**good_answers, "refusal_unans": 0.5}) == [
        "blind refusal_unans = 0.500，要求 >= 0.55"]


def test_report_shows_both_sets_and_lists_only_the_tuning_misses(tmp_path):
    hit = RetrievalResult(ANSWERABLE, evidence_rank=1, clause_rank=1, top=[])
    miss = RetrievalResult(ANSWERABLE, evidence_rank=None, clause_rank=None, top=[])
    answered = [AnswerResult(ANSWERABLE, False, True, True, 0.1, "许政办〔2024〕3号 四、（四）1.", (True,), (True,)),
                AnswerResult(UNANSWERABLE, True, False, False, 0.1, "")]
    naive = [AnswerResult(ANSWERABLE, False, False, False, 0.1, "x.txt"),
             AnswerResult(UNANSWERABLE, False, False, False, 0.1, "x.txt")]
    blind = [AnswerResult(BLIND_MISS, True, False, False, 0.1, "")]
    runs = {"tuning": ({"ours": [hit], "naive": [miss]}, {"ours": answered, "naive": naive}),
            "blind": ({"ours": [miss]}, {"ours": blind})}
    text = write_report(runs, folder=tmp_path)
    assert "| ours | 1 | 1.000 |" in text and "| naive | 1 | 0.000 |" in text
    assert "| 调参集 eval/questions.jsonl | 125" not in text and "| 盲测集一 eval/blind.jsonl | 1 | 0.000 |" in text
    assert "本次全部达到" in text  # the tuning set
    assert "未达到：blind citation_acc = 0.000" in text
    assert "误拒 1" in text and "盲测集里没答对的问题" not in text  # counted, never listed
    assert (tmp_path / "report.md").read_text(encoding="utf-8") == text
    assert (tmp_path / "hitk.png").stat().st_size > 5000
