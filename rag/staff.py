"""The app's 工作人员 tab: the feedback people left, and, unlocked by RAG_ADMIN_AUTH, adding and removing
documents through the same steps as `rag add` / `rag remove` (rag.library, then an ingest).

Shown only when the app has a login (RAG_UI_AUTH): without one, anyone could read what people asked.
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import gradio as gr

from rag.corpus import KIND_NAMES, CorpusError
from rag.feedback import FeedbackLog
from rag.library import Library
from rag.login import LoginGuard
from rag.pipeline import Pipeline

RATINGS = {"up": "👍", "down": "👎"}
COLUMNS = ["时间", "评价", "问题", "回答", "依据", "意见"]
UPLOAD_TYPES = [".pdf", ".docx", ".html", ".htm", ".md", ".txt"]
AUTO_KIND = "自动识别"
LOCKED = "请先用管理员账号解锁。"
LOG = logging.getLogger(__name__)


def ingest_failure(error: Exception) -> str:
    """Why an ingest failed, said to staff in one line (the details go to the log)."""
    from rag.cli import disk_full
    from rag.store import NotPublished

    if isinstance(error, NotPublished):  # no room for the new index, or it was lost: its message says so
        return str(error).rstrip("。")
    return "服务器磁盘空间不足" if disk_full(error) else "建立索引出错（详情已记入服务端日志）"


def feedback_rows(entries: list[dict], only_down: bool = False) -> list[list[str]]:
    """Newest first; the answer and its citations as they were shown."""
    return [[e["time"], RATINGS.get(e["rating"], e["rating"]), e["question"], e["answer"], "\n".join(e["citations"]),
             e.get("comment", "")]
            for e in reversed(entries) if not only_down or e["rating"] == "down"]


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


def staff_tab(pipeline: Pipeline, feedback: FeedbackLog) -> None:
    """Build the tab inside the app's Blocks."""
    settings = pipeline.settings
    library = Library(settings.corpus_dir, indexed=lambda sha256: pipeline.store.has_file(sha256),
                      trash_dir=settings.data_dir / "trash")
    kinds = [(AUTO_KIND, ""), *((name, code) for code, name in KIND_NAMES.items())]

    def show_feedback(only_down: bool) -> tuple:
        rows = feedback_rows(feedback.entries(), only_down)
        return rows, gr.update(value=feedback_csv(rows, settings.data_dir / "feedback-export.csv"))

    with gr.Tab("工作人员", id="staff") as tab:
        gr.Markdown("### 用户反馈")
        with gr.Row():
            only_down = gr.Checkbox(label="只看 👎", value=False, elem_id="only-down")
            refresh = gr.Button("刷新", size="sm", elem_id="feedback-refresh")
            export = gr.DownloadButton("导出 CSV", size="sm", elem_id="feedback-export")
        table = gr.Dataframe(headers=COLUMNS, interactive=False, wrap=True, elem_id="feedback-table")
        tab.select(show_feedback, only_down, [table, export], api_visibility="private")
        refresh.click(show_feedback, only_down, [table, export], api_visibility="private")
        only_down.change(show_feedback, only_down, [table, export], api_visibility="private")

        gr.Markdown("### 管理文件")
        if settings.admin_login is None:
            gr.Markdown("未设置 RAG_ADMIN_AUTH：请在服务器上用 `rag add` / `rag remove` 管理文件。")
            return
        guard = LoginGuard(settings.admin_login)
        unlocked = gr.State(False)  # server-side, per browser tab: a client cannot set it
        with gr.Group() as lock:
            admin_user = gr.Textbox(label="管理员账号", elem_id="admin-user")
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
            reference = gr.Textbox(label="删除：文号、标题或语料中的文件名", elem_id="doc-remove-reference")
            remove = gr.Button("删除", elem_id="doc-remove")
            confirm = gr.Button("确认删除", variant="stop", elem_id="doc-remove-confirm")
            pending = gr.State("")  # the reference whose removal was shown and awaits 确认删除
            outcome = gr.Textbox(label="结果", lines=4, interactive=False, elem_id="doc-result")

        async def try_unlock(user: str, password: str) -> tuple:
            if await guard.check(user or "", password or ""):
                return True, gr.update(visible=False), gr.update(visible=True), ""
            return False, gr.update(), gr.update(), "账号或密码不对。"

        def not_ready(file: str | None, is_unlocked: bool) -> str:
            """Why an upload cannot go on yet ("" when it can)."""
            return LOCKED if not is_unlocked else "" if file else "请先选择要上传的文件。"

        def recognise(file: str | None, kind_code: str, is_unlocked: bool) -> str:
            if reason := not_ready(file, is_unlocked):
                return reason
            try:
                return library.recognise(Path(file), kind_code or None).summary()
            except CorpusError as error:
                return f"无法识别：{error}"

        def add(file: str | None, kind_code: str, is_unlocked: bool) -> str:
            if reason := not_ready(file, is_unlocked):
                return reason
            try:
                added = library.add(Path(file), kind_code or None)
            except CorpusError as error:
                return f"未发布：{error}"
            try:
                report = pipeline.ingest([settings.corpus_dir / added.key])
            except Exception as error:  # a full disk, the store …: nothing of this file may stay behind
                LOG.exception("发布失败：%s", added.key)
                report, failure = None, ingest_failure(error)
            if library.keep_indexed([added]):  # one transaction, as `rag add`: not indexed, not added
                reason = "；".join(report.errors) if report else failure
                return f"未发布：{Path(file).name} 未能建立索引，已撤销（{reason}），可以重新发布。"
            if report is None:  # it failed after the new index was published: the file is served
                return f"已发布 {added.summary()}\n索引：{failure}"
            failed = "".join(f"\n错误：{e}" for e in report.errors)
            return f"已发布 {added.summary()}\n索引：{report.summary()}{failed}"

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
            return f"{done}\n索引：{report.summary()}", ""

        unlock.click(try_unlock, [admin_user, admin_password], [unlocked, lock, manage, refused],
                     api_visibility="private")
        preview.click(recognise, [upload, kind, unlocked], recognised, api_visibility="private")
        publish.click(add, [upload, kind, unlocked], outcome, api_visibility="private")
        remove.click(ask_to_remove, [reference, unlocked], [outcome, pending], api_visibility="private")
        confirm.click(take_out, [pending, unlocked], [outcome, pending], api_visibility="private")
