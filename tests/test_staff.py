"""The staff page's feedback cards and its CSV export, and its document handlers (the browser tests cover the page)."""

import csv
import errno
from pathlib import Path

import pytest

from rag.app.feedback import FeedbackLog
from rag.app.staff import COLUMNS, INDEXED, PENDING, feedback_cards, feedback_csv, feedback_rows, local_time
from tests.helpers import as_uploaded

UPLOAD = Path(__file__).resolve().parent / "data" / "formats" / "丽水市城市养犬管理规定(2020-08-14).pdf"


def test_feedback_rows_newest_first_in_plain_words_and_the_thumbs_down_filter(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.sqlite3")
    log.record("up", "低保怎么申请？", "答一", ["《甲》（许政〔2024〕1号）一、"])
    log.record("down", "特困标准？", "按**1/10**确定", ["《乙》（许政办〔2024〕3号）四、（四）1.", "《丙》二、"], "  不清楚 ")
    rows = feedback_rows(log.entries())
    assert [r[1:] for r in rows] == [
        ["没用", "特困标准？", "按1/10确定", "《乙》（许政办〔2024〕3号）四、（四）1.\n《丙》二、", "不清楚"],
        ["有用", "低保怎么申请？", "答一", "《甲》（许政〔2024〕1号）一、", ""]]
    assert [r[2] for r in feedback_rows(log.entries(), only_down=True)] == ["特困标准？"]


@pytest.mark.parametrize(("stamp", "shown"), [
    ("2026-12-06T03:46:10+0000", "2026-12-06 11:46"),  # a server on UTC
    ("2026-12-31T20:05:00-0500", "2027-01-01 09:05"),  # another offset, across a year's end
    ("2026-12-06T11:46:10+0800", "2026-12-06 11:46"),
    ("2026-12-06T11:46:10", "2026-12-06 11:46"),  # no offset written: shown as it was
    ("昨天", "昨天"),
])
def test_feedback_times_are_shown_in_local_time(stamp, shown):
    assert local_time(stamp) == shown


def test_feedback_cards_show_the_comment_and_escape_what_people_typed():
    cards = feedback_cards([["2026-12-06 11:46", "没用", "<b>低保</b>？", "答", "《甲》一、\n《乙》二、", "看不懂"]])
    assert "<div>意见：<span class='comment'>看不懂</span></div><div>问题：&lt;b&gt;低保&lt;/b&gt;？</div>" in cards
    assert "<span class='down'>没用</span>" in cards and "《甲》一、<br>《乙》二、" in cards
    assert feedback_cards([]) == "<p>还没有反馈。</p>"


def test_the_csv_export_opens_as_utf8_with_a_header_and_runs_no_formula(tmp_path):
    rows = [["2026-11-24 15:00", "没用", "=HYPERLINK(\"http://x\")", "答二", "《乙》四、（四）1.", "-1也行？"]]
    path = feedback_csv(rows, tmp_path / "export.csv")
    with open(path, encoding="utf-8-sig", newline="") as exported:
        assert list(csv.reader(exported)) == [COLUMNS, ["2026-11-24 15:00", "没用", "'=HYPERLINK(\"http://x\")",
                                                        "答二", "《乙》四、（四）1.", "'-1也行？"]]
    with open(path, "rb") as raw:
        assert raw.read(3) == b"\xef\xbb\xbf"  # the BOM that makes Excel read UTF-8


def staff_handlers(tmp_path, files=("许昌日报-2022-09-27-04.txt",), builder=None):
    """The staff page's handlers (unlocked through their argument) over an indexed private corpus, and its builds
    (`builder`: the embedder a publication's build computes its vectors with)."""
    from dataclasses import replace

    from rag.app.background import Builds
    from rag.app.pipeline import Pipeline
    from rag.app.staff import staff_app
    from tests.fakes import HashingEmbedder
    from tests.helpers import copy_corpus, make_settings

    corpus = copy_corpus(tmp_path / "corpus", files)
    pipeline = Pipeline(replace(make_settings(tmp_path, corpus), staff_login=("staff", "pw"), admin_login=("a", "b")),
                        embedder=HashingEmbedder())
    pipeline.ingest()
    builds = Builds(pipeline, lambda: builder or HashingEmbedder())
    app = staff_app(pipeline, FeedbackLog(tmp_path / "feedback.sqlite3"), builds)
    return pipeline, {f.fn.__name__: f.fn for f in app.fns.values() if hasattr(f.fn, "__name__")}, builds


def test_publishing_is_one_transaction_a_failed_ingest_leaves_nothing_and_a_retry_publishes(tmp_path):
    from rag.index.store import ChromaStore

    pipeline, handlers, builds = staff_handlers(tmp_path)
    corpus = pipeline.settings.corpus_dir
    before = sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if p.is_file())
    manifest = (corpus / "sources.toml").read_text(encoding="utf-8")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ChromaStore, "add", staticmethod(full))
        shown, _follow = handlers["publish_file"](str(as_uploaded(UPLOAD)), "", True)
        assert PENDING in shown  # indexed in the background
        assert builds.current.done.wait(timeout=600)
    assert handlers["publication"](shown)[0] == f"未发布：{UPLOAD.name} 未能建立索引，已撤销（服务器磁盘空间不足），可以重新发布。"
    assert sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if p.is_file()) == before
    assert (corpus / "sources.toml").read_text(encoding="utf-8") == manifest
    assert pipeline.current_answerer().retriever.semantic  # the index live before serves again, not keyword answers
    shown, _follow = handlers["publish_file"](str(as_uploaded(UPLOAD)), "", True)
    assert shown.startswith("已发布 regulation/丽水市城市养犬管理规定-2020-08-14.pdf：法规规章，1 个文件，39 个条款")
    assert builds.current.done.wait(timeout=600)
    assert handlers["publication"](shown)[0].startswith(
        "已发布 regulation/丽水市城市养犬管理规定-2020-08-14.pdf：法规规章，1 个文件，39 个条款")


def test_a_publication_shows_its_progress_under_publish_then_how_it_ended(tmp_path):
    from tests.fakes import GatedEmbedder

    gate = GatedEmbedder()
    _pipeline, handlers, builds = staff_handlers(tmp_path, builder=gate)
    shown, _follow = handlers["publish_file"](str(as_uploaded(UPLOAD)), "", True)
    summary = ("已发布 regulation/丽水市城市养犬管理规定-2020-08-14.pdf：法规规章，1 个文件，39 个条款\n"
               "  《丽水市城市养犬管理规定》 日期 2020-08-14，施行 2020-11-01\n")
    assert shown == f"{summary}{PENDING}\n正在建立语义索引 0%，正在估算剩余时间；目前按关键词检索"
    following, timer = handlers["publication"](shown)  # vectors held: the same lines, still following
    assert following == shown and timer.active
    gate.release.set()
    assert builds.current.done.wait(timeout=600)
    ended, timer = handlers["publication"](following)
    assert ended.startswith(summary + INDEXED + "新增 40，") and not timer.active
    # a tab showing something else (another result, an error) is not written over
    assert handlers["publication"]("未发布：请先选择要上传的文件。")[0] == {"__type__": "update"}


def test_the_staff_tab_removes_a_whole_issue_only_after_showing_it_and_into_the_trash(tmp_path):
    pipeline, handlers, _builds = staff_handlers(tmp_path, ("许昌市人民政府公报-2024-02.txt", "许昌日报-2022-09-27-04.txt"))
    gazette = "gazette/许昌市人民政府公报-2024-02.txt"
    assert handlers["ask_to_remove"]("许政〔2024〕8号", True) == (
        f"将从语料中删除：{gazette}（含 11 个文件）。确认无误请点「确认删除」。", "许政〔2024〕8号")
    shown, pending = handlers["take_out"]("许政〔2024〕8号", True)
    assert shown.splitlines()[0] == f"已删除 {gazette}（已移到回收站，可在服务器上用 rag restore 恢复）"
    assert pending == ""
    assert [p.name for p in (pipeline.settings.data_dir / "trash").glob("*/*.txt")] == ["许昌市人民政府公报-2024-02.txt"]
    assert all(c.metadata.source != gazette for c in pipeline.store.chunks().values())


def test_a_file_the_page_did_not_upload_is_never_read(tmp_path):
    """The handlers' API takes any path: a server file named by the caller is refused, not published."""
    _pipeline, handlers, _builds = staff_handlers(tmp_path)
    secret = tmp_path / "secret.md"
    secret.write_text("# 许昌市人民政府关于服务器文件的通知\n数据库口令为 hunter2。", encoding="utf-8")
    assert handlers["recognise"](str(secret), "", True) == "只能识别和发布从本页上传的文件。"
    assert handlers["publish_file"](str(secret), "", True)[0] == "只能识别和发布从本页上传的文件。"
    uploaded = as_uploaded(secret)  # the same file uploaded through the page is read (and here not recognised)
    assert handlers["recognise"](str(uploaded), "", True).startswith(f"无法识别：{uploaded.name}: 按政策文件解析")
