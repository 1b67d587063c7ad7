"""Start the real web server (the Gradio apps on uvicorn) on a free 127.0.0.1 port over a fake-embedder
index (shared by UI tests)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

import gradio as gr
import uvicorn

from rag.app.access import StaffDoor, staff_login
from rag.app.background import Builds
from rag.app.feedback import FeedbackLog
from rag.app.pipeline import Pipeline
from rag.app.site import HOST, web_server
from rag.app.staff import staff_app
from rag.app.webui import build_app
from rag.documents.library import Library
from tests.fakes import HashingEmbedder
from tests.helpers import copy_corpus, make_settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


SMALL_CORPUS = ("许昌市人民政府公报-2024-02.txt", "许昌日报-2022-09-27-04.txt")


@dataclass
class RunningApp:
    chat: gr.Blocks
    staff: gr.Blocks | None
    door: StaffDoor
    server: uvicorn.Server
    thread: threading.Thread

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def start_app(root: Path, embedder: HashingEmbedder | None = None, login: tuple[str, str] | None = None,
              files: tuple[str, ...] = SMALL_CORPUS, admin: tuple[str, str] | None = None, concurrency: int = 4,
              queue_size: int = 64, staff: tuple[str, str] | None = None, added: tuple[Path, ...] = (),
              api_keys: tuple[str, ...] = (), llm_url: str = "", llm_max_tokens: int = 1024):
    """files: the corpus files to copy, () for the whole corpus; added: more files put in as `rag add` does;
    login: RAG_UI_AUTH's; staff: RAG_STAFF_AUTH's; admin: RAG_ADMIN_AUTH's; api_keys: RAG_API_KEYS';
    llm_url, llm_max_tokens: RAG_LLM_BASE_URL's and RAG_LLM_MAX_TOKENS'. Returns the running app (with its JSON
    API), its URL and the feedback log."""
    corpus = copy_corpus(root / "corpus", files)
    for path in added:
        Library(corpus).add(path)
    settings = replace(make_settings(root, corpus), ui_login=login, staff_login=staff, admin_login=admin,
                       api_keys=api_keys, llm_base_url=llm_url, llm_max_tokens=llm_max_tokens)
    pipeline = Pipeline(settings, embedder=embedder or HashingEmbedder())
    pipeline.ingest()
    feedback = FeedbackLog(root / "feedback.sqlite3")
    builds = Builds(pipeline, HashingEmbedder)  # as `rag serve`: a publication's progress is on the chat page too
    chat = build_app(pipeline, feedback, concurrency=concurrency, queue_size=queue_size, status=builds.notice)
    staff_page = staff_app(pipeline, feedback, builds) if staff_login(settings) else None
    running, url = serve_apps(settings, chat, staff_page, api=pipeline)
    return running, url, feedback


def serve_apps(settings, chat: gr.Blocks, staff_page: gr.Blocks | None = None,
               api: Pipeline | None = None) -> tuple[RunningApp, str]:
    """Serve built apps as `rag serve` does, on a free port, without blocking (api: the pipeline of the JSON
    API, None for none); the running server and its URL."""
    door = StaffDoor()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(web_server(settings, chat, staff_page, door, api), host=HOST, port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:  # uvicorn sets it once it listens (and the apps' startup has run)
        if not thread.is_alive():
            raise RuntimeError("测试服务器未能启动")
        time.sleep(0.01)
    return RunningApp(chat, staff_page, door, server, thread), f"http://{HOST}:{port}/"
