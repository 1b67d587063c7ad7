"""Start the real Gradio app on a free 127.0.0.1 port over a fake-embedder index (shared by UI tests)."""

from __future__ import annotations

import socket
from dataclasses import replace
from pathlib import Path

from rag.api import api_router, with_api
from rag.feedback import FeedbackLog
from rag.pipeline import Pipeline
from rag.webui import build_app, launch_settings
from tests.fakes import HashingEmbedder
from tests.helpers import copy_corpus, make_settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SMALL_CORPUS = ("许昌市人民政府公报-2024-02.txt", "许昌日报-2022-09-27-04.txt")


def start_app(root: Path, embedder: HashingEmbedder | None = None, login: tuple[str, str] | None = None,
              files: tuple[str, ...] = SMALL_CORPUS, admin: tuple[str, str] | None = None, concurrency: int = 4,
              queue_size: int = 64, api_keys: tuple[str, ...] = ()):
    """files: the corpus files to copy, () for the whole corpus; login: RAG_UI_AUTH's; admin: RAG_ADMIN_AUTH's;
    api_keys: RAG_API_KEYS'."""
    corpus = copy_corpus(root / "corpus", files)
    settings = replace(make_settings(root, corpus), ui_login=login, admin_login=admin, api_keys=api_keys)
    pipeline = Pipeline(settings, embedder=embedder or HashingEmbedder())
    pipeline.ingest()
    feedback = FeedbackLog(root / "feedback.sqlite3")
    app = build_app(pipeline, feedback, concurrency=concurrency, queue_size=queue_size)
    launch = {**with_api(launch_settings(settings), api_router(pipeline, app)), "server_port": free_port(), "prevent_thread_lock": True, "quiet": True,
              "show_error": True}
    app.launch(**launch)
    return app, f"http://127.0.0.1:{launch['server_port']}/", feedback
