"""The Gradio app: chat with answers whose sources people can open and check."""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import gradio as gr

from rag.answer import Answer, Answerer, Turn
from rag.answer.citation import Citation, numbered_list, short_reference
from rag.answer.compose import ANSWERED
from rag.answer.facts import fact_spans
from rag.app.catalogue import Catalogue, clause_link, comparison_link
from rag.app.feedback import FeedbackError, FeedbackLog
from rag.app.login import QUEUE_FULL
from rag.app.pipeline import Pipeline
from rag.documents.compare import ADDED, CHANGED, REMOVED, ArticleChange, Segment, compare_versions
from rag.documents.corpus import KIND_NAMES
from rag.documents.regulation import ARTICLE
from rag.index.chunk import Chunk, ClauseMeta
from rag.index.versions import format_date
from rag.search.retrieve import DOC_NUMBER_IN_QUERY, Hit, SearchFilters

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
.tree, .library {list-style:none; padding-left:0; line-height:1.7}
.library li {margin-bottom:8px}
.meta {color:#57606a; font-size:0.85em}
#chat .basis {color:#57606a; font-size:0.85em; margin-top:4px}
/* a clause a link opened, and its line in the tree */
.opened .source-card {border-left:4px solid #f59e0b; background:#fffbeb; padding:6px 10px; scroll-margin-top:8px}
.tree li.current > a {font-weight:bold}
.doc-view {scroll-margin-top:8px}
.doc-view .back {display:inline-block; margin-bottom:4px}
/* what changed between two versions */
.changes {list-style:none; padding-left:0}
.changes li {margin:12px 0; padding:6px 10px; border-left:4px solid #d0d7de}
.changes li.focus {border-left-color:#f59e0b; background:#fffbeb}
.changes .clause {white-space:pre-wrap; line-height:1.7}
.changes ins, .legend ins {background:#d1f4d9; text-decoration:none}
.changes del, .legend del {background:#ffd8d3; color:#82071e}
/* a long 文号 line or URL wraps instead of widening a phone's page */
#chat .message, .source-card, .tree, .library, .changes {overflow-wrap:anywhere}
"""
# Gradio's frontend says a few things in English only (its full-queue notice is hard-coded), and its screen-reader
# status line reads out a translation key its Chinese strings lack (「common.complete」): said in Chinese
GRADIO_MESSAGES = {
    "This application is currently busy. Please try again.": QUEUE_FULL,
    "Connection errored out.": "连接中断，请刷新页面后重试。",
    "common.complete": "已完成",
    "Loading content": "正在加载",
    "common.error": "出错了",
}
HEAD = "<script>\nconst TRANSLATED = " + json.dumps(GRADIO_MESSAGES, ensure_ascii=False) + """;
function translate(root) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue.trim();
    if (text in TRANSLATED) node.nodeValue = TRANSLATED[text];
  }
}
// new text, and text changed in place (the status line's words are set on its text node)
new MutationObserver(records => records.forEach(r => r.type === "characterData"
    ? r.target.isConnected && translate(r.target.parentNode)  // a node removed in the same batch has no parent
    : r.addedNodes.forEach(n => translate(n.parentNode || n))))
  .observe(document.documentElement, {childList: true, subtree: true, characterData: true});
</script>"""


# Two scrolls the page does itself. A link to a clause lands on it: the way back to the list and its document's
# title at the top of the screen, the clause under them (the clause alone when all do not fit), once the
# library tab shows it. A question asked is put at the top of the chat, the answer's first line under it;
# Gradio's own autoscroll would follow the answer to its end. Only a new question scrolls: a reader
# scrolling through a long answer is left alone.
LANDING = """<script>
function shown(el, then, frames = 120) {
  if (el.getClientRects().length) then(); else if (frames) requestAnimationFrame(() => shown(el, then, frames - 1));
}
function land(clause) {
  shown(clause, () => {
    (clause.closest('.doc-view') || clause).scrollIntoView({block: 'start'});
    if (clause.getBoundingClientRect().bottom > window.innerHeight) clause.scrollIntoView({block: 'start'});
  });
}
const BELOW_LABEL = 40;  // px: the chat's label 「对话」 sits over the top of its scrolled content
let asked = 0, pending = -1;  // the question still to bring to the top (its answer may be too short yet)
function toQuestion(chat) {
  const questions = chat.querySelectorAll("[data-testid='user']");
  if (questions.length > asked) {
    pending = questions.length - 1;
    if (chat.getBoundingClientRect().top < 0) chat.scrollIntoView({block: 'start'});
    if (!chat.dataset.reading) {  // once the reader scrolls, the chat is theirs
      chat.dataset.reading = '1';
      for (const event of ['wheel', 'touchmove', 'keydown']) chat.addEventListener(event, () => { pending = -1; });
    }
  }
  asked = questions.length;
  const question = questions[pending];
  if (!question) return;
  // the element that scrolls: the chat itself once it has grown to its maximum height (an inner box may be
  // styled to scroll yet be as tall as its content)
  let box = question.parentElement;
  while (box && !(/auto|scroll/.test(getComputedStyle(box).overflowY) && box.scrollHeight > box.clientHeight)) {
    box = box === chat ? null : box.parentElement;
  }
  if (!box) return;
  box.scrollTop += question.getBoundingClientRect().top - box.getBoundingClientRect().top - BELOW_LABEL;
  if (Math.abs(question.getBoundingClientRect().top - box.getBoundingClientRect().top - BELOW_LABEL) < 2) pending = -1;
}
new MutationObserver(records => {
  const chat = document.getElementById('chat');
  if (chat && records.some(record => chat.contains(record.target))) toQuestion(chat);
  for (const record of records) for (const node of record.addedNodes) {
    const clause = node instanceof Element && (node.id === 'opened-clause' ? node : node.querySelector('#opened-clause'));
    if (clause) land(clause);
  }
}).observe(document.documentElement, {childList: true, subtree: true, characterData: true});
</script>"""


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
    if year != ALL and not (year.isascii() and year.isdigit() and len(year) == 4):
        raise FilterError(f"筛选条件无效：年份应为四位数字或“{ALL}”，而不是 {year!r}")
    return SearchFilters(kind=KIND_CHOICES[kind], year=int(year) if year != ALL else None,
                         doc_number=document.split(" ", 1)[0] if document and document != ALL else None)


def _format_date(value: int) -> str:
    return format_date(value) if value else "未印日期"


def _new_date(value: int, issue: str) -> str:
    """The date, unless the issue's label already says it (「《许昌日报》2023年8月 头版」): said once."""
    dated = _format_date(value)
    return "" if dated in issue else dated


def clause_card(hit: Hit | Chunk, quote: str = "", text: str = "", linked: bool = True) -> str:
    """A clause as it opens under an answer or in the library: the quoted sentence, where the clause sits,
    its text, and (linked: under an answer) its stable link, opened in a new tab so a conversation is never
    lost; in the library the page is that link already."""
    meta = hit.metadata
    text = html.escape(text or hit.text)
    if quote:
        text = text.replace(html.escape(quote), f"<mark>{html.escape(quote)}</mark>", 1)
    units = (f"<div class='meta'>{meta.units_named_as}：{html.escape(meta.units_label)}</div>"
             if meta.responsible_units else "")
    quote_line = f"<div class='quote'>“{html.escape(quote)}”</div>" if quote else ""
    return (f"<div class='source-card'>{quote_line}<div class='crumb'>{html.escape(meta.breadcrumb)}</div>"
            f"<div class='meta'>{html.escape(' · '.join(f for f in (Citation.from_hit(hit, '').display(), _new_date(meta.date, meta.issue)) if f))}</div>"
            f"{units}<div class='clause'>{text}</div>"
            + (f"<div class='meta'><a href='{html.escape(clause_link(meta))}' target='_blank'>在文件库中打开此条</a></div>"
               if linked else "") + "</div>")


def _folded(title: str, content: str) -> dict:
    return {"role": "assistant", "content": content, "metadata": {"title": title, "status": "done"}}


FIGURE_KINDS = ("money", "date", "ratio", "count")


def figures_in_bold(text: str) -> str:
    """The answer's first line with its figures in bold when the answer marked no fact there: a question
    that names no kind of fact (「按什么标准发？」) still gets its figures (1/10、1/6、1/3) picked out."""
    first, _, rest = text.partition("\n")
    if "**" in first or first.startswith("1. "):  # the asked fact is marked already, or one part of several
        return text
    for start, end in reversed(fact_spans(first, FIGURE_KINDS)):
        first = f"{first[:start]}**{first[start:end]}**{first[end:]}"
    return f"{first}\n{rest}" if rest else first


# every [ and ] but a citation mark [1] that opens nothing: [text](url), ![alt](url), [text][ref], [ref]: url
_LINK_BRACKET = re.compile(r"\[\d+\](?![(\[:])|[\[\]]")


def as_text(markdown: str) -> str:
    """The answer bubble's Markdown with what it quotes from documents shown as written: no HTML tag is live
    (a document's <img src=…> would fetch a remote image) and no Markdown link or image is made
    ([许昌市政务服务网](http://…) would hide where it leads); the answer's own **bold** and [1] marks stay.
    Bold is written as <strong>: Markdown does not close 「**5%—12%**区间」 (a closing ** after punctuation
    and before a character), and the reader would see the stars."""
    shown = _LINK_BRACKET.sub(lambda m: m[0] if len(m[0]) > 1 else "\\" + m[0], markdown.replace("<", "&lt;"))
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", shown)


def comparison_links(answerer: Answerer, answer: Answer) -> dict[str, str]:
    """Each version note of an answer (「第六十三条在2023年7月20日修订时有改动」) → the comparison of the two
    versions it speaks of, at that article."""
    links = {}
    for citation in answer.citations:
        note = answerer.version_note(citation)
        pair = answerer.retriever.versions.compared(citation.doc_title, citation.version_date or 0)
        if note and pair:
            article = ARTICLE.match(citation.clause_path)
            links[note] = comparison_link(citation.doc_title, *pair, article.group(0) if article else "")
    return links


def answer_messages(answer: Answer, links: Mapping[str, str] | None = None) -> list[dict]:
    """The answer as the chat shows it: the answer itself (a refusal or a partial answer marked at its
    start), with a version note's link to what changed (`links`, see comparison_links), then each citation
    folded under it as a one-line chip (文号 + clause) that opens the clause, then the 可能相关 clauses,
    folded too."""
    text = answer.text(page=True)
    if answer.refused:
        text = "**⚠️ 未找到明确答案**\n\n" + text
    else:
        # a part left partly answered leads with the closest rule's figure (a 缴存比例 for 贷款利率): no figure in
        # bold there, it is not the one asked for
        text = figures_in_bold(text) if answer.parts and answer.parts[0].status == ANSWERED else text
        if answer.unanswered_parts and len(answer.unanswered_parts) == len(answer.parts):  # none fully answered
            text = "**◐ 没有找到完全对应的规定，以下是最接近的内容**\n\n" + text
        elif answer.unanswered_parts:
            text = "**◐ 部分问题未找到明确规定**\n\n" + text
    shown = as_text(text)
    for note, link in (links or {}).items():
        shown = shown.replace(as_text(note), f"{as_text(note)} <a href='{html.escape(link)}' target='_blank'>查看两版对比</a>")
    shown = shown.replace("\n", "  \n")
    if answer.citations:  # the canonical citations, folded to one line: what staff copy (the copy button copies them)
        lines = "<br>".join(html.escape(line) for line in numbered_list(answer.citations).splitlines())
        shown += f"\n\n<details class='basis'><summary>依据（完整出处）</summary>{lines}</details>"
    messages = [{"role": "assistant", "content": shown}]
    by_id = {hit.chunk_id: hit for hit in answer.hits}
    for number, citation in enumerate(answer.citations, 1):
        hit = by_id.get(citation.chunk_id)
        if hit is not None:
            messages.append(_folded(f"[{number}] {short_reference(hit.metadata)}", clause_card(hit, citation.quote)))
    messages += [_folded(f"可能相关：{short_reference(hit.metadata)}", clause_card(hit)) for hit in answer.related]
    return messages


def library_list(catalogue: Catalogue, search: str = "") -> str:
    """Every document as a line to tap (no table: nothing wider than a phone)."""
    entries = catalogue.entries(search)
    if not entries:
        return f"<p>没有标题或文号包含“{html.escape(search)}”的文件。</p>"
    items = []
    for entry in entries:
        query = {"doc": entry.key, **({"version": str(entry.version)} if entry.version else {})}
        # a key that is not a 文号 (a newspaper article's issue and title) is on the line already
        number = f"（{html.escape(entry.key)}）" if DOC_NUMBER_IN_QUERY.fullmatch(entry.key) else ""
        version = f"（{_format_date(entry.version)}版）" if entry.version else ""
        dated = _new_date(entry.date, entry.issue)
        facts = [KIND_NAMES.get(entry.kind, entry.kind), entry.issue, dated + version if dated else "",
                 entry.status, f"{entry.clauses} 条"]
        items.append(f"<li><a href='?{html.escape(urlencode(query))}'>{html.escape(entry.title)}</a>{number}"
                     f"<div class='meta'>{html.escape(' · '.join(f for f in facts if f))}</div></li>")
    return f"<p>共 {len(entries)} 个文件</p><ul class='library'>{''.join(items)}</ul>"


def library_document(catalogue: Catalogue, key: str, clause_path: str = "", version: int | None = None) -> str:
    """One document: a way back to the list, its title and status, the clause a link names (if any) right
    under them, highlighted, then the whole clause tree, each clause with its 责任单位 and its own stable link."""
    clauses = catalogue.clauses(key, version)
    if not clauses:
        return f"{BACK}<p>没有找到文件“{html.escape(key)}”。</p>" if key else ""
    meta = clauses[0].metadata
    facts = [KIND_NAMES.get(meta.kind, meta.kind), meta.issue, _new_date(meta.date, meta.issue), meta.status,
             f"{len(clauses)} 条"]
    opened = ""
    if version is not None and not catalogue.has_version(key, version):
        opened = f"<p class='notice'>该文件 {_format_date(version)} 的版本已不在库中，下面是库中最新的版本。</p>"
        version = None
    clause = catalogue.clause(key, clause_path, version) if clause_path else None
    if clause:
        opened += f"<div id='opened-clause' class='opened'>{clause_card(clause, text=catalogue.full_text(clause), linked=False)}</div>"
    elif clause_path:
        opened += f"<p class='notice'>该文件中没有条款“{html.escape(clause_path)}”。</p>"
    lines = []
    for chunk in clauses:
        m = chunk.metadata
        units = f" <span class='meta'>{m.units_named_as}：{html.escape(m.units_label)}</span>" if m.responsible_units else ""
        name = html.escape(m.heading or m.clause_path or '（正文）')
        # the clause open above is marked in the tree, not linked to the page already showing it
        entry = (f"<strong aria-current='true'>{name}</strong>" if chunk is clause
                 else f"<a href='{html.escape(clause_link(m))}'>{name}</a>")
        current = " class='current'" if chunk is clause else ""
        lines.append(f"<li{current} style='margin-left:{len(m.parents)}em'>{entry}{units}</li>")
    return (f"<div class='doc-view'>{BACK}{_document_heading(meta)}"
            f"<div class='meta'>{html.escape(' · '.join(f for f in facts if f))}</div>"
            f"{_version_links(catalogue, key, meta.date)}{opened}<ul class='tree'>{''.join(lines)}</ul></div>")


BACK = "<a class='back' href='?library=1'>← 返回文件列表</a>"


def _document_heading(meta: ClauseMeta) -> str:
    number = html.escape("（" + meta.doc_number + "）" if meta.doc_number else "")
    return f"<h3 id='library-doc-title'>《{html.escape(meta.doc_title)}》{number}</h3>"


def _version_links(catalogue: Catalogue, key: str, shown: int) -> str:
    """A regulation's other versions, and what changed from the version before the one shown."""
    versions = catalogue.versions(key)
    if shown not in versions:
        return ""
    others = [f"<a href='?{html.escape(urlencode({'doc': key, 'version': str(v)}))}'>{_format_date(v)}版</a>"
              for v in versions if v != shown]
    at = versions.index(shown)
    compare = (f" · <a href='{html.escape(comparison_link(key, versions[at - 1], shown))}'>与上一版"
               f"（{_format_date(versions[at - 1])}）比较</a>") if at else ""
    return f"<div class='meta'>其他版本：{'、'.join(others)}{compare}</div>"


def version_comparison(catalogue: Catalogue, key: str, old: int, new: int | None, clause_path: str = "") -> str:
    """What changed from version `old` to `new` (the latest when None), article by article: changed, added and
    removed articles with the removed words struck and the added ones marked; the article a link names first
    in view, highlighted."""
    versions = catalogue.versions(key)
    new = new if new is not None else (versions[-1] if versions else None)
    if old not in versions or new not in versions or old >= new:
        known = "、".join(_format_date(v) for v in versions) or "无"
        return f"{BACK}<p class='notice'>无法比较：“{html.escape(key)}”在库中的版本为 {known}。</p>"
    comparison = compare_versions(catalogue.articles(key, old), catalogue.articles(key, new))
    changes = comparison.changes
    counts = [f"{label} {n} 条" for label, n in (
        ("改动", sum(c.change == CHANGED for c in changes)), ("新增", sum(c.change == ADDED for c in changes)),
        ("删除", sum(c.change == REMOVED for c in changes)), ("仅条号变化", comparison.renumbered),
        ("未改动", comparison.unchanged)) if n]
    items = []
    # the article a link names is the new version's (old numbers were shifted), else a removed one
    named = [c for c in changes if c.new and c.new.path == clause_path] or [c for c in changes if c.path == clause_path]
    focused = named[0] if clause_path and named else None
    for change in changes:
        focus, landing = (" focus", " id='opened-clause'") if change is focused else ("", "")
        items.append(f"<li class='change {change.change}{focus}'{landing}><div class='crumb'>{html.escape(_change_heading(change))}"
                     f"</div><div class='clause'>{''.join(_marked(s) for s in change.segments)}</div></li>")
    notice = (f"<p class='notice' id='opened-clause'>{html.escape(clause_path)}在两版之间没有改动。</p>"
              if clause_path and focused is None else "")
    return (f"<div class='doc-view'>{BACK}{_document_heading(catalogue.clauses(key, new)[0].metadata)}"
            f"<div class='meta'>{_format_date(old)}版 → {_format_date(new)}版：{' · '.join(counts)}</div>"
            f"<div class='meta legend'><del>删去的文字</del> <ins>新增的文字</ins></div>{notice}"
            f"<ol class='changes'>{''.join(items)}</ol></div>")


CHANGE_NAMES = {CHANGED: "改动", ADDED: "新增", REMOVED: "删除"}


def _change_heading(change: ArticleChange) -> str:
    """第六十八条（原第六十九条，改动）; 第六十八条（删除）, a removed article by its old number."""
    was = f"原{change.old.path}，" if change.old and change.new and change.old.path != change.new.path else ""
    return f"{change.path}（{was}{CHANGE_NAMES[change.change]}）"


def _marked(segment: Segment) -> str:
    text = html.escape(segment.text)
    return {ADDED: f"<ins>{text}</ins>", REMOVED: f"<del>{text}</del>"}.get(segment.change, text)


def _date_param(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() else None


STATUS_SECONDS = 10  # how often the page reads the background build's progress


SHOWN_QUESTION_CHARS = 200


def _as_asked(question: str) -> str:
    """The person's message in the conversation: a long paste is shown by its start and its end (where people ask),
    so the answer under it stays on a phone's first screens."""
    if not question.strip():
        return "（空白问题）"
    if len(question) <= SHOWN_QUESTION_CHARS:
        return question
    half = SHOWN_QUESTION_CHARS // 2
    return f"{question[:half]}……（共 {len(question)} 字，中间从略）……{question[-half:]}"


def build_app(pipeline: Pipeline, feedback: FeedbackLog, concurrency: int = 4, queue_size: int = 64,
              status: Callable[[], str] | None = None) -> gr.Blocks:
    """The app, its queue set: `concurrency` answers at once, up to `queue_size` waiting. status: a background
    build's progress in one line (a first start's, a staff publication's), "" when none runs (rag.app.background)."""
    def respond(message: str, session: Session | None, kind: str, year: str, document: str) -> Iterator[tuple]:
        session = session or Session(turns=[], chat=[])
        chat = session.chat
        question = message or ""
        chat.append({"role": "user", "content": _as_asked(question)})
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
                    chat[-1] = {"role": "assistant", "content": as_text(shown)}
                    yield chat, gr.update(), session, gr.update()
        except Exception:  # the model process or the store failed: say so, keep the conversation
            LOG.exception("回答失败：%s", question)
            chat[-1] = {"role": "assistant", "content": f"⚠️ {UNAVAILABLE}"}
            yield chat, gr.update(), session, gr.update()
            return
        assert final is not None
        chat[-1:] = answer_messages(final, comparison_links(pipeline.current_answerer(), final))
        if final.hits:  # a real question (not empty input): remember it for follow-ups
            session.turns.append(Turn(final.search_question or question, final.answer))
        session.last = final
        # the box was emptied when the question went out: what the person types meanwhile stays. The examples are
        # folded again: under load Gradio may pass on only the generator's latest update, not the first one's
        yield chat, gr.update(open=False), session, gr.update()

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
        try:
            feedback.record(rating, last.question, last.answer, [c.display() for c in last.citations], comment)
        except FeedbackError as error:  # said to the person; the comment stays in its box to send again
            LOG.exception("反馈未能保存")
            return f"⚠️ {error}", comment
        return "感谢反馈，已记录。", ""

    def clear() -> tuple:
        return [], gr.update(open=True), Session(turns=[], chat=[]), ""

    catalogue = pipeline.catalogue

    def on_load(request: gr.Request) -> tuple:
        """Fill the lists the page was served without, and open the clause a link names."""
        query = request.query_params
        key, clause = query.get("doc", ""), query.get("clause", "")
        version, compare = _date_param(query.get("version", "")), _date_param(query.get("compare", ""))
        library = catalogue()
        if compare is not None:
            opened = version_comparison(library, key, compare, version, clause)
        else:
            opened = library_document(library, key, clause, version)
        # a link to a document opens it alone, the list a tap away (← 返回文件列表: ?library=1)
        return (gr.update(choices=[ALL, *map(str, library.years)]), gr.update(choices=[ALL, *library.numbered_documents]),
                "" if key else library_list(library), opened,
                gr.Tabs(selected="library") if key or "library" in query else gr.update())

    with gr.Blocks(title="政策问答", analytics_enabled=False) as app:
        gr.Markdown("# 政策问答\n根据许昌市政府公报和《许昌日报》原文回答政策问题，每个结论都附条款出处，可点开核对原文。")
        if status is not None:  # refreshed while a build runs (shown then only); the timer stops once it is complete
            building = gr.Markdown(status(), elem_id="index-status", visible=bool(status()))
            timer = gr.Timer(STATUS_SECONDS)

            def refresh() -> tuple:
                line = status()
                return gr.update(value=line, visible=bool(line)), gr.Timer(active=bool(line))

            timer.tick(refresh, None, [building, timer], api_visibility="private")
            app.load(refresh, None, [building, timer], api_visibility="private")
        session = gr.State(None)
        with gr.Tabs() as tabs:
            # one column at every width: on a phone the clauses open right under the answer
            with gr.Tab("问答", id="ask"):
                # grows with the conversation up to 60vh: on a phone the question box and its button stay on the first
                # screen under the answer, and before the first question the examples are on it too
                chatbot = gr.Chatbot(label="对话", height=None, min_height="8em", max_height="60vh", sanitize_html=True,
                                     render_markdown=True, autoscroll=False,
                                     buttons=["copy"], feedback_options=None, elem_id="chat")
                with gr.Row():
                    # one line: Enter sends, Shift+Enter breaks the line
                    box = gr.Textbox(label="问题", placeholder="例如：特困人员的照料护理标准是多少？", lines=1,
                                     max_lines=6, scale=5, elem_id="question")
                    send = gr.Button("提问", variant="primary", scale=1, elem_id="send")
                with gr.Row():
                    clear_button = gr.Button("新对话", size="sm")
                with gr.Accordion("示例问题", open=True) as examples:
                    example_sets = [gr.Examples(questions, inputs=box, label=group)
                                    for group, questions in EXAMPLES.items()]
                with gr.Accordion("筛选", open=False):
                    kind = gr.Radio(list(KIND_CHOICES), value=ALL, label="来源")
                    # choices filled when the page loads (on_load): the page served before a login, and the API
                    # description in it, must not list the corpus; a typed value gets rag's own message
                    year = gr.Dropdown([ALL], value=ALL, label="年份", allow_custom_value=True)
                    document = gr.Dropdown([ALL], value=ALL, label="文件", allow_custom_value=True)
                with gr.Accordion("评价这条回答", open=False):
                    comment = gr.Textbox(label="意见（可选）", lines=2, max_lines=4)
                    with gr.Row():
                        # words, not 👍/👎: a machine without an emoji font draws those as empty boxes
                        up = gr.Button("有用", size="sm", elem_id="vote-up")
                        down = gr.Button("没用", size="sm", elem_id="vote-down")
                    thanks = gr.Markdown("")
            with gr.Tab("文件库", id="library"):
                search = gr.Textbox(label="按标题或文号查找", placeholder="例如：许政办〔2024〕3号 或 社会救助",
                                    elem_id="library-search")
                listing = gr.HTML(elem_id="library-list")
                opened = gr.HTML(elem_id="library-doc")

        inputs = [box, session, kind, year, document]
        outputs = [chatbot, examples, session, box]
        # a question sent while the last answer is still finishing runs right after it, never dropped (Gradio's
        # default for a click ignores it until the pending one completes)
        send.click(respond, inputs, outputs, api_name="respond", trigger_mode="always_last")
        box.submit(respond, inputs, outputs, api_visibility="private", trigger_mode="always_last")
        # a tapped example is asked at once, as a person expects of a suggestion: chained to the event that fills the
        # box, since gr.Examples(run_on_click=True) would pass respond the box alone, not the session and filters.
        # While an answer runs the examples are folded away (respond closes their accordion), so a tap rarely races it
        for example_set in example_sets:
            example_set.load_input_event.then(respond, inputs, outputs, api_visibility="private",
                                              trigger_mode="always_last")
        clear_button.click(clear, None, outputs[:4], api_visibility="private")
        up.click(lambda c, s: vote("up", c, s), [comment, session], [thanks, comment], api_visibility="private")
        down.click(lambda c, s: vote("down", c, s), [comment, session], [thanks, comment], api_visibility="private")
        search.change(lambda text: library_list(catalogue(), text), search, listing, api_visibility="private")
        gr.api(ask_api, api_name="ask")
        app.load(on_load, None, [year, document, listing, opened, tabs], api_visibility="private")
    return app.queue(default_concurrency_limit=concurrency, max_size=queue_size)
