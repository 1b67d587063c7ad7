"""The HTTP JSON API beside the page: /api/ask and /api/search speak the CLI's --json contract, /api/documents
lists the library and opens a clause; /api/openapi.json describes these routes only (not Gradio's).

Who may call it follows the page: open when the chat is open, a logged-in session when RAG_UI_AUTH is set;
with RAG_API_KEYS a program presents a key (`Authorization: Bearer …` or `X-API-Key: …`), and then a caller
without a key or a login is refused. Wrong keys are counted and slowed like wrong passwords (rag.app.login).
Answers wait in line like the page's: at most the page's concurrency run at once, and when the page's queue
plus the API's waiting callers reach the queue's size a caller gets 503 with the page's Chinese message.
Bad input gets a 4xx whose `detail` says in Chinese what is wrong.
"""

from __future__ import annotations

import hmac
import math
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import gradio as gr
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from rag.answer import Turn
from rag.answer.question import BadQuestion, clean_question
from rag.app.access import ChatDoor
from rag.app.catalogue import Catalogue, clause_link, clause_name, document_key
from rag.app.login import QUEUE_FULL, LoginGuard
from rag.app.pipeline import Pipeline
from rag.documents.corpus import KINDS
from rag.documents.normalize import normalize_doc_number
from rag.index.chunk import Chunk
from rag.search.retrieve import SearchFilters

PREFIX = "/api"
T = TypeVar("T")
# what pydantic's error types mean, said to the caller (the field's name goes before it)
PROBLEMS = {
    "missing": "缺少此字段", "extra_forbidden": "不是可用的字段", "string_type": "应为字符串",
    "int_type": "应为整数", "int_parsing": "应为整数", "int_from_float": "应为整数", "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false", "list_type": "应为字符串列表", "greater_than_equal": "太小，最小为 {ge}",
    "less_than_equal": "太大，最大为 {le}", "model_attributes_type": "应为 JSON 对象",
}


class Filters(BaseModel):
    """The CLI's --kind, --year, --doc and --current."""

    model_config = ConfigDict(extra="forbid")  # a misspelt filter must not be ignored silently

    kind: str | None = Field(None, description=f"只检索这一类文件：{' / '.join(KINDS)}")
    year: int | None = Field(None, description="只检索该年份的文件，如 2024")
    doc: str | None = Field(None, description="只检索该文号的文件，如 许政办〔2024〕3号")
    current: bool = Field(False, description="只检索现行有效的文件")


class AskRequest(Filters):
    question: str = Field(description="问题", examples=["特困人员的照料护理标准是多少？"])
    previous: list[str] = Field([], description="同一对话中之前问过的问题，用于理解“那农村的呢？”这样的追问")


class SearchRequest(Filters):
    question: str = Field(description="问题", examples=["特困人员的照料护理标准是多少？"])
    k: int = Field(5, ge=1, le=50, description="返回条数")


class Error(BaseModel):
    detail: str = Field(description="出错原因（中文）")


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Error, "description": "缺少或无效的 API 密钥，或需要登录"},
    404: {"model": Error, "description": "所指的文件或条款不在文件库中"},
    422: {"model": Error, "description": "请求格式或取值有误"},
    503: {"model": Error, "description": "提问的人较多，队列已满，请稍候再试"},
}


def _problem(error: dict) -> str:
    if error["type"] == "json_invalid":
        return "请求体不是有效的 JSON"
    where = ".".join(str(part) for part in error["loc"][1:] if part != "body") or "请求体"
    return f"{where}：{PROBLEMS.get(error['type'], '取值无效').format(**error.get('ctx', {}))}"


class ChineseErrors(APIRoute):
    """This API's routes say what is wrong with a request in Chinese (FastAPI's own 422 is English and
    app-wide; Gradio's routes keep theirs)."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def route(request: Request):
            try:
                return await handler(request)
            except RequestValidationError as error:
                detail = "请求有误：" + "；".join(dict.fromkeys(_problem(e) for e in error.errors()))
                return JSONResponse({"detail": detail}, status_code=422)

        return route


class Gate:
    """The page's limits for API callers: its concurrency, and its queue's size shared with its waiting events."""

    def __init__(self, blocks: gr.Blocks):
        self.queue = blocks._queue  # Gradio's queue: the page's events waiting, and its limits
        self.running = anyio.CapacityLimiter(self.queue.default_concurrency_limit or math.inf)
        self.waiting = 0

    async def run(self, work: Callable[[], T]) -> T:
        if self.queue.max_size is not None and len(self.queue) + self.waiting >= self.queue.max_size:
            raise HTTPException(503, QUEUE_FULL)
        self.waiting += 1
        try:
            await self.running.acquire()
        finally:
            self.waiting -= 1
        try:
            return await anyio.to_thread.run_sync(work)
        finally:
            self.running.release()


class Keys:
    """RAG_API_KEYS checked in constant time; a wrong key counts as a wrong password for one user, "api"."""

    USER = "api"

    def __init__(self, keys: tuple[str, ...]):
        self.keys = keys
        # LoginGuard counts and slows wrong attempts per address; it is given this stand-in password for
        # any right key, since it knows one password and there may be several keys
        self.right = secrets.token_hex(16)
        self.guard = LoginGuard((self.USER, self.right))

    async def check(self, presented: str) -> bool:
        matched = False
        for key in self.keys:  # every key compared, so the time says nothing about which one nearly matched
            matched |= hmac.compare_digest(presented.encode(), key.encode())
        return await self.guard.check(self.USER, self.right if matched else presented)


def _presented_key(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.headers.get("x-api-key") or None


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})


def _clause_json(chunk: Chunk, text: str) -> dict:
    meta = chunk.metadata
    return {"doc_number": meta.doc_number, "doc_title": meta.doc_title, "clause_path": meta.clause_path,
            "clause": clause_name(meta), "heading": meta.heading, "issue": meta.issue, "page": meta.page,
            "status": meta.status, "version_date": meta.version_date,
            "responsible_units": list(meta.responsible_units), "text": text, "link": "/" + clause_link(meta)}


def api_router(pipeline: Pipeline, blocks: gr.Blocks, chat: ChatDoor) -> APIRouter:
    """The API's routes over this pipeline, limited like the page `blocks` serves and open to whom `chat`
    lets into it."""
    gate = Gate(blocks)
    keys = Keys(pipeline.settings.api_keys)
    catalogue = pipeline.catalogue

    async def authorize(request: Request) -> None:
        presented = _presented_key(request)
        if keys.keys and presented is not None:
            if not await keys.check(presented):
                raise _unauthorized("API 密钥无效")
            return
        if chat.required and chat.allows(request.cookies):
            return
        if keys.keys:
            raise _unauthorized("缺少 API 密钥：请在请求头 Authorization: Bearer <密钥> 或 X-API-Key 中提供")
        if chat.required:
            raise _unauthorized("需要登录：请先在网页登录，或由管理员设置 RAG_API_KEYS 后使用 API 密钥")

    def filters(body: Filters) -> SearchFilters:
        if body.kind is not None and body.kind not in KINDS:
            raise HTTPException(422, f"筛选条件无效：kind 应为 {' / '.join(KINDS)} 之一，而不是 {body.kind!r}")
        if body.year is not None and not 1000 <= body.year <= 9999:
            raise HTTPException(422, f"筛选条件无效：year 应为四位数的年份，而不是 {body.year}")
        library = catalogue()
        if body.year is not None and body.year not in library.years:  # else [] would read as "nothing relevant"
            raise HTTPException(404, f"文件库中没有 {body.year} 年的文件（现有 {'、'.join(map(str, library.years))} 年的文件）")
        doc = _doc_number(body.doc) if body.doc else None
        if doc and not library.clauses(doc):
            raise HTTPException(404, f"文件库中没有文号为“{doc}”的文件")
        return SearchFilters(kind=body.kind, year=body.year, doc_number=doc, current_only=body.current)

    def question(text: str) -> str:
        try:
            return clean_question(text).text
        except BadQuestion as error:
            raise HTTPException(422, str(error)) from None

    router = APIRouter(prefix=PREFIX, route_class=ChineseErrors, responses=ERRORS)

    @router.post("/ask", summary="回答问题并给出引用（与 rag ask --json 相同）")
    async def ask(body: AskRequest, request: Request) -> dict[str, Any]:
        await authorize(request)
        question(body.question)
        chosen = filters(body)
        history = [Turn(q) for q in body.previous]
        return await gate.run(lambda: pipeline.current_answerer().run(body.question, history, chosen).to_json())

    @router.post("/search", summary="检索相关条款（与 rag search --json 相同）")
    async def search(body: SearchRequest, request: Request) -> list[dict[str, Any]]:
        await authorize(request)
        text = question(body.question)
        chosen = filters(body)
        return await gate.run(lambda: [h.to_json() for h in pipeline.current_answerer().retriever.search(
            text, k=body.k, filters=chosen)])

    @router.get("/documents", summary="文件库：全部文件，新的在前")
    async def documents(request: Request, q: str = Query("", description="按标题或文号查找")) -> list[dict[str, Any]]:
        await authorize(request)
        return [{"key": e.key, "title": e.title, "kind": e.kind, "issue": e.issue, "date": e.date, "status": e.status,
                 "clauses": e.clauses, "version": e.version} for e in catalogue().entries(q)]

    @router.get("/documents/{doc}", summary="一个文件的条款目录")
    async def document(doc: str, request: Request, version: int | None = None) -> dict[str, Any]:
        await authorize(request)
        library = catalogue()
        clauses = library.clauses(_found_key(library, doc), version)
        first = clauses[0].metadata
        return {"key": document_key(first), "doc_title": first.doc_title, "doc_number": first.doc_number,
                "issue": first.issue, "status": first.status, "version_date": first.version_date,
                "clauses": [{"clause": clause_name(c.metadata), "heading": c.metadata.heading,
                             "link": "/" + clause_link(c.metadata)} for c in clauses]}

    @router.get("/documents/{doc}/clauses/{clause}", summary="一个条款的全文和引用信息")
    async def clause(doc: str, clause: str, request: Request, version: int | None = None) -> dict[str, Any]:
        await authorize(request)
        library = catalogue()
        key = _found_key(library, doc)
        found = library.clause(key, clause, version)
        if found is None:
            raise HTTPException(404, f"文件“{key}”中没有条款“{clause}”")
        return _clause_json(found, library.full_text(found))

    @router.get("/openapi.json", include_in_schema=False)
    async def openapi(request: Request) -> dict[str, Any]:
        await authorize(request)
        return get_openapi(title="政策问答 API", version="1", routes=router.routes,
                           description="与命令行 rag ask --json / rag search --json 相同的 JSON；出错时 detail 说明原因。")

    return router


def _doc_number(text: str) -> str:
    return normalize_doc_number("".join(text.split()))


def _found_key(library: Catalogue, doc: str) -> str:
    """The library's key for a document named by its title or 文号 (许政办[2024]3号 → 许政办〔2024〕3号)."""
    for key in (doc, _doc_number(doc)):
        if library.clauses(key):
            return key
    raise HTTPException(404, f"文件库中没有文件“{doc}”")

