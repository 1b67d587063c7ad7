"""Feedback in SQLite (WAL): votes survive a torn write, the old JSONL log is read once, and a vote that
cannot be stored is said to the person in Chinese."""

import json
import sqlite3

import pytest

from rag.app.feedback import INSERT, FeedbackError, FeedbackLog
from rag.app.staff import feedback_rows

OLD_LOG = [
    {"time": "2026-11-20T09:00:00+0800", "rating": "up", "question": "低保怎么申请？", "answer": "答一",
     "citations": ["《甲》（许政〔2024〕1号）一、"], "comment": ""},
    {"time": "2026-11-21T09:00:00+0800", "rating": "down", "question": "特困标准？", "answer": "答二",
     "citations": ["《乙》四、（四）1."], "comment": "不清楚"},
]
FULL = "⚠️ 反馈未能保存（服务器磁盘空间不足），请稍后再试；如一直出现，请联系管理员。"


def test_votes_are_kept_in_sqlite_in_wal_mode_and_read_back_by_a_new_process(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    FeedbackLog(path).record("up", "低保怎么申请？", "答一", ["《甲》一、"], "  很清楚 ")
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    [entry] = FeedbackLog(path).entries()
    assert {k: v for k, v in entry.items() if k != "time"} == {
        "rating": "up", "question": "低保怎么申请？", "answer": "答一", "citations": ["《甲》一、"], "comment": "很清楚"}


def test_an_old_jsonl_log_with_a_torn_last_line_is_read_once_and_the_staff_view_shows_it(tmp_path):
    old = tmp_path / "feedback.jsonl"
    lines = [json.dumps(e, ensure_ascii=False) for e in OLD_LOG]
    old.write_text("\n".join(lines) + '\n{"time": "2026-11-22T09:', encoding="utf-8")  # killed mid-write
    log = FeedbackLog(tmp_path / "feedback.sqlite3")
    assert log.entries() == OLD_LOG
    assert [r[1:] for r in feedback_rows(log.entries())] == [
        ["没用", "特困标准？", "答二", "《乙》四、（四）1.", "不清楚"], ["有用", "低保怎么申请？", "答一", "《甲》（许政〔2024〕1号）一、", ""]]
    assert not old.exists() and (tmp_path / "feedback.jsonl.imported").is_file()
    old.write_text("\n".join(lines) + "\n", encoding="utf-8")  # put back by hand: not read twice
    log.record("up", "新问题", "答三", [])
    assert [e["question"] for e in FeedbackLog(tmp_path / "feedback.sqlite3").entries()] == [
        "低保怎么申请？", "特困标准？", "新问题"]


def _full(log: FeedbackLog) -> FeedbackLog:
    """The database can grow no more: SQLite's own 「database or disk is full」, as on a full disk."""
    log.record("up", "第一个问题", "答一", [])
    db = log._connection()
    db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")
    with pytest.raises(sqlite3.OperationalError, match="database or disk is full"):
        while True:  # fill the last page with the smallest rows
            db.execute(INSERT, ("", "", "", "", "[]", ""))
    return log


def test_a_vote_that_cannot_be_stored_raises_a_clear_error(tmp_path):
    log = _full(FeedbackLog(tmp_path / "feedback.sqlite3"))
    with pytest.raises(FeedbackError) as raised:
        log.record("down", "问题", "答", [])
    assert f"⚠️ {raised.value}" == FULL
    assert [e["rating"] for e in log.entries() if e["question"]] == ["up"]


def test_the_app_says_a_lost_vote_in_chinese_and_keeps_the_comment(tmp_path):
    from rag.app.pipeline import Pipeline
    from rag.app.webui import Session, build_app
    from tests.fakes import HashingEmbedder
    from tests.helpers import copy_corpus, make_settings

    corpus = copy_corpus(tmp_path / "corpus", ("许昌日报-2022-09-27-04.txt",))
    pipeline = Pipeline(make_settings(tmp_path, corpus), embedder=HashingEmbedder())
    pipeline.ingest()
    app = build_app(pipeline, _full(FeedbackLog(tmp_path / "feedback.sqlite3")))
    down = next(f.fn for f in app.fns.values()
                if getattr(f.fn, "__code__", None) and f.fn.__code__.co_freevars == ("vote",)
                and "down" in f.fn.__code__.co_consts)
    answer = pipeline.answerer.run("产业发展大事记有哪些内容？")
    assert down("说得不对", Session(turns=[], chat=[], last=answer)) == (FULL, "说得不对")
