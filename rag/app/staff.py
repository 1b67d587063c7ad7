"""The staff area (/staff, behind its own login: see rag.app.access): the feedback people left, and, unlocked by
RAG_ADMIN_AUTH, adding and removing documents through the same steps as `rag add` / `rag remove`
(rag.documents.library, then an ingest). A published document's ingest runs in the background (rag.app.background): the
chat answers it by keyword at once, and from the complete index once its vectors are in.

A Gradio app of its own, not a tab of the public one: nothing of it (no component, no event, no feedback)
is in what the public app serves.
"""

from __future__ import annotations

import csv
import html
import logging
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import gradio as gr
from gradio.utils import get_upload_folder

from rag.app.background import BackgroundIndex, BuildRunning, Builds
from rag.app.feedback import FeedbackLog
from rag.app.login import WRONG_LOGIN, LoginGuard
from rag.app.pipeline import Pipeline
from rag.documents.corpus import KIND_NAMES, CorpusError
from rag.documents.library import Library

# words, not 👍/👎: a machine without an emoji font draws those as empty boxes
RATINGS = {"up": "有用", "down": "没用"}
COLUMNS = ["时间", "评价", "问题", "回答", "依据", "意见"]
UPLOAD_TYPES = [".pdf", ".docx", ".html", ".htm", ".md", ".txt"]
AUTO_KIND = "自动识别"
LOCKED = "请先用管理员账号解锁。"
NOT_UPLOADED = "只能识别和发布从本页上传的文件。"
# a publication's line while its vectors are computed; its progress follows (rag.app.background.BuildProgress)
PENDING = "已可按关键词检索；语义索引建立完成后，问答自动改用完整检索。"
PUBLISHING = "正在发布：读取文件、建立关键词索引…"
# how a publication whose vectors are all in ends, before the ingest's figures
INDEXED = "索引已建立完成，问答已改用完整检索。"
PUBLICATION_SECONDS = 2  # a small file's vectors take seconds: its end is shown while the person still looks
LOCAL_TIME = ZoneInfo("Asia/Shanghai")  # the offices this serves; the log keeps the server's time and offset
LOG = logging.getLogger(__name__)
CSS = """
.feedback {list-style:none; padding-left:0; margin:0}
.feedback li {border:1px solid #d0d7de; border-radius:6px; padding:8px 12px; margin-bottom:8px;
              overflow-wrap:anywhere; line-height:1.6}
.feedback .meta {color:#57606a; font-size:0.9em}
.feedback .down {color:#b42318; font-weight:600}
.feedback .up {color:#1a7f37; font-weight:600}
.feedback .comment {background:#fff8c5; padding:2px 6px; border-radius:4px}
.feedback .answer {white-space:pre-wrap}
"""
def ingest_failure(error: Exception | None) -> str:
    """Why an ingest failed, said to staff in one line (the details go to the log)."""
    from rag.app.cli import disk_full
    from rag.index.store import NotPublished

    if isinstance(error, NotPublished):  # no room for the new index, or it was lost: its message says so
        return str(error).rstrip("。")
    return "服务器磁盘空间不足" if disk_full(error) else "建立索引出错（详情已记入服务端日志）"


def _named(error: CorpusError, file: str) -> str:
    """The error with the uploaded file called by its name: the server's upload folder means nothing to staff."""
    return str(error).replace(file, Path(file).name)


def uploaded(path: Path) -> bool:
    """Whether a file came through the page's upload: the handlers' API takes any path the caller names, and
    without this an admin session could publish any file the server can read (a probe published one)."""
    return path.resolve().is_relative_to(Path(get_upload_folder()).resolve())


def local_time(stamp: str) -> str:
    """A logged time as people at the office read it: 「2026-12-06 11:46」 (Asia/Shanghai); a time logged
    without an offset is shown as it was written."""
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return (when.astimezone(LOCAL_TIME) if when.tzinfo else when).strftime("%Y-%m-%d %H:%M")


def feedback_rows(entries: list[dict], only_down: bool = False) -> list[list[str]]:
    """Newest first, as plain text: local time, the rating in words, the answer without its Markdown bold,
    its citations one per line."""
    return [[local_time(e["time"]), RATINGS.get(e["rating"], e["rating"]), e["question"], e["answer"].replace("**", ""),
             "\n".join(e["citations"]), e.get("comment", "")]
            for e in reversed(entries) if not only_down or e["rating"] == "down"]


def feedback_cards(rows: list[list[str]]) -> str:
    """The rows as cards, one under another (no table: its last columns fell off a 1280 px screen and a
    phone could not show it): time and rating, the comment, the question, then the answer and its citations."""
    if not rows:
        return "<p>还没有反馈。</p>"
    cards = []
    for when, rating, question, answer, citations, comment in (map(html.escape, row) for row in rows):
        tone = next((code for code, word in RATINGS.items() if word == rating), "")
        cards.append(
            f"<li><div class='meta'>{when} · <span class='{tone}'>{rating}</span></div>"
            + (f"<div>意见：<span class='comment'>{comment}</span></div>" if comment else "")
            + f"<div>问题：{question}</div>"
            f"<details><summary>回答与依据</summary><div class='answer'>{answer}</div>"
            f"<div class='meta'>{citations.replace(chr(10), '<br>')}</div></details></li>")
    return f"<p>共 {len(rows)} 条</p><ul class='feedback' id='feedback-list'>{''.join(cards)}</ul>"


def _cell(text: str) -> str:
    """A cell Excel shows as text: one starting with = + - @ would otherwise run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def feedback_csv(rows: list[list[str]], path: Path) -> str:
    """The rows as a CSV file Excel opens as UTF-8 (with a BOM); one file, rewritten at each export."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows([_cell(c) for c in row] for row in rows)
    return str(path)


def staff_app(pipeline: Pipeline, feedback: FeedbackLog, builds: Builds) -> gr.Blocks:
    """The staff area's page: the feedback, then managing documents (`builds`: where publications are indexed)."""
    settings = pipeline.settings

    def show_feedback(only_down: bool) -> tuple:
        rows = feedback_rows(feedback.entries(), only_down)
        return feedback_cards(rows), gr.update(value=feedback_csv(rows, settings.data_dir / "feedback-export.csv"))

    # delete_cache: the feedback CSV it hands out leaves Gradio's cache after an hour
    with gr.Blocks(title="政策问答 · 工作人员", analytics_enabled=False, delete_cache=(3600, 3600)) as app:
        # the documents published are listed in the library tab of the chat page: one list, not a copy here
        gr.Markdown("# 政策问答 · 工作人员\n[返回问答页](../) · [文件库（全部文件）](../?library=1)")
        gr.Markdown("### 用户反馈")
        with gr.Row():
            only_down = gr.Checkbox(label="只看“没用”", value=False, elem_id="only-down")
            refresh = gr.Button("刷新", size="sm", elem_id="feedback-refresh")
            export = gr.DownloadButton("导出 CSV", size="sm", elem_id="feedback-export")
        cards = gr.HTML(elem_id="feedback")
        app.load(show_feedback, only_down, [cards, export], api_visibility="private")
        refresh.click(show_feedback, only_down, [cards, export], api_visibility="private")
        only_down.change(show_feedback, only_down, [cards, export], api_visibility="private")

        gr.Markdown("### 管理文件")
        if settings.admin_login is None:
            gr.Markdown("未设置 RAG_ADMIN_AUTH：请在服务器上用 `rag add` / `rag remove` 管理文件。")
        else:
            _document_management(pipeline, builds)
    return app


def _document_management(pipeline: Pipeline, builds: Builds) -> None:
    """Upload, preview, publish and remove, behind the admin password; built inside the staff page."""
    settings = pipeline.settings
    library = Library(settings.corpus_dir, indexed=lambda sha256: pipeline.store.has_file(sha256),
                      trash_dir=settings.data_dir / "trash")
    kinds = [(AUTO_KIND, ""), *((name, code) for code, name in KIND_NAMES.items())]
    guard = LoginGuard(settings.admin_login)
    unlocked = gr.State(False)  # server-side, per browser tab: a client cannot set it
    with gr.Group() as lock:
        admin_user = gr.Textbox(label="管理员账号", max_lines=1, elem_id="admin-user")  # a name: one line
        admin_password = gr.Textbox(label="管理员密码", type="password", elem_id="admin-password")
        unlock = gr.Button("解锁", elem_id="admin-unlock")
        refused = gr.Markdown("")
    with gr.Group(visible=False) as manage:
        upload = gr.File(label="上传文件（PDF、DOCX、HTML、Markdown、文本）", file_types=UPLOAD_TYPES,
                         elem_id="doc-upload")
        kind = gr.Dropdown(kinds, value="", label="类型")
        preview = gr.Button("识别（预览，不发布）", elem_id="doc-preview-button")
        recognised = gr.Textbox(label="识别结果", lines=8, interactive=False, elem_id="doc-preview")
        publish = gr.Button("发布", variant="primary", elem_id="doc-publish")
        # each result right under the button that gave it: a publication's under 发布, a removal's under 删除
        outcome = gr.Textbox(label="发布结果", lines=3, interactive=False, elem_id="doc-result")
        reference = gr.Textbox(label="删除：文号、标题或语料中的文件名", elem_id="doc-remove-reference")
        remove = gr.Button("删除", elem_id="doc-remove")
        # shown only while a removal it would confirm is on the page
        confirm = gr.Button("确认删除", variant="stop", visible=False, elem_id="doc-remove-confirm")
        pending = gr.State("")  # the reference whose removal was shown and awaits 确认删除
        removal = gr.Textbox(label="删除结果", lines=3, interactive=False, elem_id="doc-remove-result")
        # runs while this tab's publication computes its vectors: its progress, then how it ended, under 发布
        follow = gr.Timer(PUBLICATION_SECONDS, active=False)
    last = ""  # how the last publication ended: said on the page until the next one

    async def try_unlock(user: str, password: str) -> tuple:
        if await guard.check(user or "", password or ""):
            return True, gr.update(visible=False), gr.update(visible=True), ""
        return False, gr.update(), gr.update(), WRONG_LOGIN

    def not_ready(file: str | None, is_unlocked: bool) -> str:
        """Why an upload cannot go on yet ("" when it can)."""
        if not is_unlocked:
            return LOCKED
        if not file:
            return "请先选择要上传的文件。"
        return "" if uploaded(Path(file)) else NOT_UPLOADED

    def recognise(file: str | None, kind_code: str, is_unlocked: bool) -> str:
        if reason := not_ready(file, is_unlocked):
            return reason
        try:
            return library.recognise(Path(file), kind_code or None).summary()
        except CorpusError as error:
            return f"无法识别：{_named(error, file)}"

    def add(file: str | None, kind_code: str, is_unlocked: bool) -> str:
        if reason := not_ready(file, is_unlocked):
            return reason
        try:
            added = library.add(Path(file), kind_code or None)
        except CorpusError as error:
            return f"未发布：{_named(error, file)}"
        name = Path(file).name

        def ended(build: BackgroundIndex) -> None:
            """One transaction, as `rag add`: a file the published index does not hold is taken out again."""
            nonlocal last
            report = build.report
            if library.keep_indexed([added]):
                reason = "；".join(report.errors) if report else ingest_failure(build.error)
                last = f"未发布：{name} 未能建立索引，已撤销（{reason}），可以重新发布。"
            elif report is None:  # it failed after the new index was published: the file is served
                last = f"已发布 {added.summary()}\n索引：{ingest_failure(build.error)}"
            else:
                failed = "".join(f"\n错误：{e}" for e in report.errors)
                last = f"已发布 {added.summary()}\n{INDEXED}{report.summary(vectors=False)}{failed}"

        try:
            build = builds.start([settings.corpus_dir / added.key], then=ended)
        except BuildRunning as error:
            library.undo(added)
            return f"未发布：{error}。"
        if not build.serving:  # it ended before its chunks could (a file that does not parse, a full disk): said why
            return last
        return f"已发布 {added.summary()}\n{PENDING}\n{build.notice()}"

    def publish_file(file: str | None, kind_code: str, is_unlocked: bool) -> tuple[str, gr.Timer]:
        said = add(file, kind_code, is_unlocked)
        return said, gr.Timer(active=PENDING in said)

    def publication(shown: str) -> tuple:
        """Under 发布, the publication this tab started: its progress while its vectors are computed, then how
        it ended (what `ended` said); the timer stops there. Another tab's result is not written over."""
        build = builds.current
        if build is None or PENDING not in (shown or ""):
            return gr.update(), gr.Timer(active=False)
        if not build.done.is_set():
            published = shown.partition(PENDING)[0]  # 已发布 and the file's summary
            return f"{published}{PENDING}\n{build.notice()}", gr.Timer(active=True)
        return last, gr.Timer(active=False)

    def contents(key: str) -> str:
        try:
            return f"含 {len(library.recognise(settings.corpus_dir / key).documents)} 个文件"
        except CorpusError as error:  # a damaged file can still be named and taken out
            return str(error)

    def ask_to_remove(text: str, is_unlocked: bool) -> tuple[str, str]:
        """What a removal would take out, shown first: a 文号 inside a gazette issue names the whole file."""
        if not is_unlocked:
            return LOCKED, ""
        try:
            keys = library.matching(text or "")
        except CorpusError as error:
            return f"未删除：{error}", ""
        files = [f"{key}（{contents(key)}）" for key in keys]
        return f"将从语料中删除：{'、'.join(files)}。确认无误请点「确认删除」。", text

    def take_out(pending: str, is_unlocked: bool) -> tuple[str, str]:
        if not is_unlocked:
            return LOCKED, ""
        if not pending:
            return "请先点「删除」查看将删除的文件。", ""
        try:  # what was shown, the whole file included: confirmed by 确认删除
            removed = library.remove(pending, whole_file=True)
        except CorpusError as error:
            return f"未删除：{error}", ""
        done = f"已删除 {'、'.join(removed)}（已移到回收站，可在服务器上用 rag restore 恢复）"
        try:
            report = pipeline.ingest()  # a full run drops the removed files' chunks
        except Exception as error:
            LOG.exception("删除后更新索引失败")
            return f"{done}\n索引未能更新：{ingest_failure(error)}；下次建索引时生效", ""
        return f"{done}\n索引：{report.summary(vectors=False)}", ""

    unlock.click(try_unlock, [admin_user, admin_password], [unlocked, lock, manage, refused],
                 api_visibility="private")
    preview.click(recognise, [upload, kind, unlocked], recognised, api_visibility="private")
    # Gradio's own overlay over the box would say 「processing | 0.6/8.8s」 in English: the box says it instead
    publish.click(lambda: PUBLISHING, None, outcome, show_progress="hidden", api_visibility="private").then(
        publish_file, [upload, kind, unlocked], [outcome, follow], show_progress="hidden", api_visibility="private")
    follow.tick(publication, outcome, [outcome, follow], api_visibility="private")
    remove.click(ask_to_remove, [reference, unlocked], [removal, pending], api_visibility="private")
    confirm.click(take_out, [pending, unlocked], [removal, pending], api_visibility="private")
    pending.change(lambda shown: gr.update(visible=bool(shown)), pending, confirm, api_visibility="private")
    # another name typed after 「删除」 showed one: 确认删除 would remove what is no longer in the box, so the
    # removal shown is withdrawn with the words that ask to confirm it
    reference.change(lambda shown: ("", "" if shown else gr.update()), pending, [pending, removal],
                     api_visibility="private")
