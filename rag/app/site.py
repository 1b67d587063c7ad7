"""The web server: the chat and the library at /, their JSON API at /api, the staff area at /staff behind
its own login (who may see what is rag.app.access's decision). Two Gradio apps on one FastAPI server, so the
public one's page, config and API description hold nothing of the staff area."""

from __future__ import annotations

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from starlette.middleware import Middleware

from rag.app.access import STAFF_PATH, ChatDoor, StaffDoor, chat_login, staff_login
from rag.app.api import api_router
from rag.app.login import GradioErrorsInChinese, GradioPage, LoginGuard
from rag.app.pipeline import Pipeline
from rag.app.staff import CSS as STAFF_CSS
from rag.app.webui import CSS, HEAD, LANDING
from rag.config import Settings

HOST = "127.0.0.1"
CHAT_LOGIN_MESSAGE = "本系统仅供内部使用：请输入账号和密码。"
STAFF_LOGIN_MESSAGE = "工作人员页：请输入工作人员账号和密码。"


# the largest upload each app takes: the chat has no upload field, so anything sent to its upload route is
# a stranger filling the disk; the staff area takes what `rag add` takes (rag.documents.formats)
CHAT_MAX_UPLOAD = "1kb"
STAFF_MAX_UPLOAD = "50mb"


def _mount(server: FastAPI, blocks: gr.Blocks, path: str, login: tuple[str, str] | None, message: str,
           css: str, head: str = HEAD, max_upload: str = CHAT_MAX_UPLOAD) -> None:
    gr.mount_gradio_app(
        server, blocks, path, server_name=HOST,
        auth=LoginGuard(login).check if login else None, auth_message=message,
        # FastAPI's description of every route, served to anyone: nothing here needs it
        app_kwargs={"openapi_url": None, "docs_url": None, "redoc_url": None,
                    "middleware": [Middleware(GradioPage), Middleware(GradioErrorsInChinese)]},
        css=css, head=head,
        ssr_mode=False,  # the page from Python's template, which GradioPage rewrites
        footer_links=[], show_error=False, max_file_size=max_upload,
        # Gradio would keep every call's inputs and outputs in the browser (what people asked, on a shared
        # office computer; the staff area's feedback) and offer a route to copy them to a Hugging Face bucket
        run_history=False)


def web_server(settings: Settings, chat: gr.Blocks, staff: gr.Blocks | None,
               door: StaffDoor | None = None, api: Pipeline | None = None) -> FastAPI:
    """The server to run (uvicorn); `staff`: the staff area's page, None when there is no staff login.
    `door` learns the mounted staff app, to answer whether a request may see staff things. `api`: the
    pipeline the JSON API answers from (rag.app.api), limited like `chat` and behind its login; None: no API."""
    server = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    staff_app = None
    if staff is not None:  # before "/", which would otherwise take its paths
        # the address as people type it, without the slash: the chat mounted at "/" would answer it with a 404
        server.add_api_route(STAFF_PATH, lambda: RedirectResponse(f"{STAFF_PATH}/"), include_in_schema=False)
        _mount(server, staff, STAFF_PATH, staff_login(settings), STAFF_LOGIN_MESSAGE, CSS + STAFF_CSS,
               max_upload=STAFF_MAX_UPLOAD)
        staff_app = server.routes[-1].app
        if door is not None:
            door.app = staff_app
    chat_door = ChatDoor(settings)
    if api is not None:  # before "/" too
        server.include_router(api_router(api, chat, chat_door))
    # LANDING: a link to a clause scrolls the library to it
    _mount(server, chat, "/", chat_login(settings), CHAT_LOGIN_MESSAGE, CSS, HEAD + LANDING)
    chat_app = chat_door.app = server.routes[-1].app
    if staff_app is not None and staff_login(settings) == chat_login(settings):
        # one login for both (RAG_UI_AUTH alone): the chat's session opens the staff area too, not a second form
        staff_app.cookie_id, staff_app.tokens = chat_app.cookie_id, chat_app.tokens
    return server
