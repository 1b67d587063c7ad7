"""The Gradio app: chat with answers whose sources people can open and check."""

from __future__ import annotations

import html
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import gradio as gr

from rag.answer import Answer, Turn
from rag.citation import Citation, short_reference
from rag.config import Settings
from rag.feedback import FeedbackLog
from rag.login import LoginGuard
from rag.pipeline import Pipeline
from rag.retrieve import Hit, SearchFilters

EXAMPLES = {
    "居民": ["家里老人看病花了一大半收入，能申请救助吗？", "五保老人的照料护理费按什么标准发？",
            "困难家庭冬天烧暖气有没有补贴？", "许昌低保每月发多少钱？"],
    "企业": ["企业设备更新到2027年要达到什么目标？", "拖欠企业的账款什么时候要还清？",
            "许昌市区一级土地的城镇土地使用税每平方米多少钱？", "首次认定的高新技术企业能拿多少奖励？"],
    "工作人员": ["许政办〔2024〕3号 四、（四）1. 的照料护理标准怎么定的？", "中原电气实验室建设这项任务谁负责？",
              "各责任单位什么时候向市政府报告重点工作季度进展？", "就业救助由哪些单位负责？"],
}
KIND_CHOICES = {"全部": None, "公报": "gazette", "报纸": "newspaper"}
ALL = "全部"
UNAVAILABLE = "暂时无法回答：检索服务出错（详情已记入服务端日志）。请稍后重试；如一直出现，请联系管理员。"
LOG = logging.getLogger(__name__)
CSS = """
.source-card .quote {margin:4px 0; color:#1f2328}
.source-card .crumb {color:#57606a; font-size:0.9em; margin:6px 0}
.source-card .meta {color:#57606a; font-size:0.85em}
.source-card .clause {white-space:pre-wrap; margin-top:8px; line-height:1.7}
.source-card mark {background:#fff3b0}
.tree {white-space:pre-wrap; font-size:0.92em; line-height:1.6}
/* a long 文号 line or URL wraps instead of widening a phone's page */
#chat .message, .source-card, .tree {overflow-wrap:anywhere}
"""


@dataclass
class Session:
    """One browser tab's conversation: what was asked and the last answer (for feedback)."""

    turns: list[Turn]
    chat: list[dict]  # what the chat shows; kept server-side so a client cannot rewrite the history
    last: Answer | None = None


class FilterError(ValueError):
    """A filter value the page never offers (an API caller's typo): said plainly, not a server error."""


def _filters(kind: str, year: str, document: str) -> SearchFilters:
    kind, year = kind or ALL, str(year or ALL)
    if kind not in KIND_CHOICES:
        raise FilterError(f"筛选条件无效：来源应为 {' / '.join(KIND_CHOICES)} 之一，而不是 {kind!r}")
    if year != ALL and not (year.isdigit() and len(year) == 4):
        raise FilterError(f"筛选条件无效：年份应为四位数字或“{ALL}”，而不是 {year!r}")
    return SearchFilters(kind=KIND_CHOICES[kind], year=int(year) if year != ALL else None,
                         doc_number=document.split(" ", 1)[0] if document and document != ALL else None)


def _format_date(value: int) -> str:
    text = str(value)
    return f"{text[:4]}年{int(text[4:6])}月{int(text[6:])}日" if value else "未印日期"


def clause_card(hit: Hit, quote: str = "") -> str:
    """A clause as it opens under an answer: the quoted sentence, where the clause sits, its full text."""
    meta = hit.metadata
    text = html.escape(hit.text)
    if quote:
        text = text.replace(html.escape(quote), f"<mark>{html.escape(quote)}</mark>", 1)
    units = f"<div class='meta'>责任单位：{html.escape(meta.units_label)}</div>" if meta.responsible_units else ""
    quote_line = f"<div class='quote'>“{html.escape(quote)}”</div>" if quote else ""
    return (f"<div class='source-card'>{quote_line}<div class='crumb'>{html.escape(meta.breadcrumb)}</div>"
            f"<div class='meta'>{html.escape(Citation.from_hit(hit, '').display())} · {_format_date(meta.date)}</div>"
            f"{units}<div class='clause'>{text}</div></div>")


def _folded(title: str, content: str) -> dict:
    return {"role": "assistant", "content": content, "metadata": {"title": title, "status": "done"}}


def split_related(text: str) -> tuple[str, list[str]]:
    """An answer's text without its 可能相关 list, and that list's clause references (the page folds them)."""
    kept: list[str] = []
    related: list[str] = []
    listing = False
    for line in text.split("\n"):
        if line == "可能相关：":
            listing = True
        elif listing and line.startswith("- "):
            related.append(line[2:].split("：", 1)[0])
        else:
            listing = False
            kept.append(line)
    return "\n".join(kept), related


def answer_messages(answer: Answer) -> list[dict]:
    """The answer as the chat shows it: the answer itself (a refusal or a partial answer marked at its
    start), then each citation folded under it as a chip (文号 + clause) that opens the clause, then the
    可能相关 clauses, folded too."""
    text, related = split_related(answer.answer)
    if answer.refused:
        text = "**⚠️ 未找到明确答案**\n\n" + text
    elif answer.unanswered_parts:
        text = "**◐ 部分问题未找到明确规定**\n\n" + text
    messages = [{"role": "assistant", "content": text.replace("\n", "  \n")}]
    by_id = {hit.chunk_id: hit for hit in answer.hits}
    for number, citation in enumerate(answer.citations, 1):
        hit = by_id.get(citation.chunk_id)
        if hit is not None:
            messages.append(_folded(f"[{number}] {short_reference(hit.metadata)}", clause_card(hit, citation.quote)))
    by_reference = {short_reference(hit.metadata): hit for hit in reversed(answer.hits)}
    messages += [_folded(f"可能相关：{reference}", clause_card(by_reference[reference]))
                 for reference in related if reference in by_reference]
    return messages


def document_tree(pipeline: Pipeline, document: str) -> str:
    """The whole document's clause tree, built from the indexed chunks."""
    if not document or document == ALL:
        return "<p>选择一个文件查看其全部条款结构。</p>"
    number = document.split(" ", 1)[0]
    chunks = [c for c in pipeline.retriever.chunks.values()
              if c.metadata.doc_number == number and c.metadata.part == 0]
    chunks.sort(key=lambda c: c.metadata.order)
    if not chunks:
        return "<p>没有找到该文件。</p>"
    lines = [f"《{chunks[0].metadata.doc_title}》（{number}）"]
    for chunk in chunks:
        lines.append("  " * (len(chunk.metadata.parents) + 1) + (chunk.metadata.heading or "（正文）"))
    return f"<div class='tree'>{html.escape(chr(10).join(lines))}</div>"


def document_choices(pipeline: Pipeline) -> list[str]:
    documents = {(c.metadata.doc_number, c.metadata.doc_title) for c in pipeline.retriever.chunks.values()
                 if c.metadata.doc_number}
    return [ALL, *[f"{number} {title}" for number, title in sorted(documents)]]


def year_choices(pipeline: Pipeline) -> list[str]:
    years = {c.metadata.year for c in pipeline.retriever.chunks.values() if c.metadata.year}
    return [ALL, *[str(y) for y in sorted(years)]]


def build_app(pipeline: Pipeline, feedback: FeedbackLog) -> gr.Blocks:
    def respond(message: str, session: Session | None, kind: str, year: str, document: str) -> Iterator[tuple]:
        session = session or Session(turns=[], chat=[])
        chat = session.chat
        question = message or ""
        chat.append({"role": "user", "content": question if question.strip() else "（空白问题）"})
        chat.append({"role": "assistant", "content": "正在检索相关条款…"})
        yield chat, gr.update(open=False), session, ""  # the examples fold away once a conversation starts
        final: Answer | None = None
        shown = ""
        try:
            filters = _filters(kind, year, document)
        except FilterError as error:
            chat[-1] = {"role": "assistant", "content": f"⚠️ {error}"}
            yield chat, gr.update(), session, question
            return
        try:
            for piece in pipeline.current_answerer().stream(question, history=session.turns, filters=filters):
                if isinstance(piece, Answer):
                    final = piece
                else:
                    shown += piece
                    chat[-1] = {"role": "assistant", "content": shown}
                    yield chat, gr.update(), session, ""
        except Exception:  # the model process or the store failed: say so, keep the conversation
            LOG.exception("回答失败：%s", question)
            chat[-1] = {"role": "assistant", "content": f"⚠️ {UNAVAILABLE}"}
            yield chat, gr.update(), session, ""
            return
        assert final is not None
        chat[-1:] = answer_messages(final)
        if final.hits:  # a real question (not empty input): remember it for follow-ups
            session.turns.append(Turn(final.search_question or question, final.answer))
        session.last = final
        yield chat, gr.update(), session, ""

    def ask_api(question: str, kind: str = ALL, year: str = ALL, document: str = ALL) -> dict:
        """One question, no conversation: the answer JSON of the CLI contract."""
        try:
            filters = _filters(kind, year, document)
        except FilterError as error:
            raise gr.Error(str(error)) from None
        try:
            return pipeline.current_answerer().run(question, filters=filters).to_json()
        except Exception:
            LOG.exception("回答失败：%s", question)
            raise gr.Error(UNAVAILABLE) from None

    def vote(rating: str, comment: str, session: Session | None) -> tuple[str, str]:
        if session is None or session.last is None:
            return "请先提问，再评价回答。", comment
        last = session.last
        feedback.record(rating, last.question, last.answer, [c.display() for c in last.citations], comment)
        return "感谢反馈，已记录。", ""

    def clear() -> tuple:
        return [], gr.update(open=True), Session(turns=[], chat=[]), ""

    with gr.Blocks(title="政策问答", analytics_enabled=False) as app:
        gr.Markdown("# 政策问答\n根据许昌市政府公报和《许昌日报》原文回答政策问题，每个结论都附条款出处，可点开核对原文。")
        session = gr.State(None)
        with gr.Column():  # one column at every width: on a phone the clauses open right under the answer
                chatbot = gr.Chatbot(label="对话", height="65vh", sanitize_html=True, render_markdown=True, buttons=["copy"],
                                     feedback_options=None, elem_id="chat")
                with gr.Row():
                    box = gr.Textbox(label="问题", placeholder="例如：特困人员的照料护理标准是多少？", lines=1,
                                     max_lines=6, scale=5, elem_id="question")  # one line: Enter sends, Shift+Enter breaks the line
                    send = gr.Button("提问", variant="primary", scale=1, elem_id="send")
                with gr.Row():
                    clear_button = gr.Button("新对话", size="sm")
                with gr.Accordion("示例问题", open=True) as examples:
                    for group, questions in EXAMPLES.items():
                        gr.Examples(questions, inputs=box, label=group)
                with gr.Accordion("筛选", open=False):
                    kind = gr.Radio(list(KIND_CHOICES), value=ALL, label="来源")
                    # choices filled when the page loads (below): the page served before a login, and the API
                    # description in it, must not list the corpus; a typed value gets rag's own message
                    year = gr.Dropdown([ALL], value=ALL, label="年份", allow_custom_value=True)
                    document = gr.Dropdown([ALL], value=ALL, label="文件", allow_custom_value=True)
                with gr.Accordion("评价这条回答", open=False):
                    comment = gr.Textbox(label="意见（可选）", lines=2, max_lines=4)
                    with gr.Row():
                        up = gr.Button("👍 有帮助", size="sm", elem_id="vote-up")
                        down = gr.Button("👎 没帮助", size="sm", elem_id="vote-down")
                    thanks = gr.Markdown("")
                with gr.Accordion("查看整个文件的条款结构", open=False):
                    tree_doc = gr.Dropdown([ALL], value=ALL, label="文件")
                    tree = gr.HTML(document_tree(pipeline, ALL))

        inputs = [box, session, kind, year, document]
        outputs = [chatbot, examples, session, box]
        send.click(respond, inputs, outputs, api_name="respond")
        box.submit(respond, inputs, outputs, api_visibility="private")
        clear_button.click(clear, None, outputs[:4], api_visibility="private")
        up.click(lambda c, s: vote("up", c, s), [comment, session], [thanks, comment], api_visibility="private")
        down.click(lambda c, s: vote("down", c, s), [comment, session], [thanks, comment], api_visibility="private")
        tree_doc.change(lambda d: document_tree(pipeline, d), tree_doc, tree, api_visibility="private")
        gr.api(ask_api, api_name="ask")

        def fill_choices() -> tuple:
            documents = document_choices(pipeline)
            return (gr.update(choices=year_choices(pipeline)), gr.update(choices=documents),
                    gr.update(choices=documents))

        app.load(fill_choices, None, [year, document, tree_doc], api_visibility="private")
    return app


def launch_settings(settings: Settings) -> dict:
    return {
        "server_name": "127.0.0.1",
        "server_port": settings.ui_port,
        "share": False,
        "auth": LoginGuard(settings.ui_login).check if settings.ui_login else None,
        "auth_message": "请输入工作人员账号和密码。",
        # FastAPI's description of every route, served to anyone: nothing here needs it
        "app_kwargs": {"openapi_url": None},
        "css": CSS,
        "footer_links": [],
    }
