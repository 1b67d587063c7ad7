"""The staff tab's feedback table and its CSV export (the browser tests cover the tab itself)."""

import csv

from rag.feedback import FeedbackLog
from rag.staff import COLUMNS, feedback_csv, feedback_rows


def test_feedback_rows_newest_first_and_the_thumbs_down_filter(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.sqlite3")
    log.record("up", "低保怎么申请？", "答一", ["《甲》（许政〔2024〕1号）一、"])
    log.record("down", "特困标准？", "答二", ["《乙》（许政办〔2024〕3号）四、（四）1.", "《丙》二、"], "  不清楚 ")
    rows = feedback_rows(log.entries())
    assert [r[1:] for r in rows] == [
        ["👎", "特困标准？", "答二", "《乙》（许政办〔2024〕3号）四、（四）1.\n《丙》二、", "不清楚"],
        ["👍", "低保怎么申请？", "答一", "《甲》（许政〔2024〕1号）一、", ""]]
    assert [r[2] for r in feedback_rows(log.entries(), only_down=True)] == ["特困标准？"]


def test_the_csv_export_opens_as_utf8_with_a_header_and_runs_no_formula(tmp_path):
    rows = [["2026-11-24T07:00:00+0000", "👎", "=HYPERLINK(\"http://x\")", "答二", "《乙》四、（四）1.", "-1也行？"]]
    path = feedback_csv(rows, tmp_path / "export.csv")
    with open(path, encoding="utf-8-sig", newline="") as exported:
        assert list(csv.reader(exported)) == [COLUMNS, ["2026-11-24T07:00:00+0000", "👎", "'=HYPERLINK(\"http://x\")",
                                                        "答二", "《乙》四、（四）1.", "'-1也行？"]]
    with open(path, "rb") as raw:
        assert raw.read(3) == b"\xef\xbb\xbf"  # the BOM that makes Excel read UTF-8
