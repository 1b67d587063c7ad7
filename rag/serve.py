"""Start the web app: build the index on first run, load the model in a child process, serve.

The child is started before anything heavy is imported, so loading the model (~10 s) runs on the
second core while this process imports Chroma and Gradio and reads the index.
"""

from __future__ import annotations

import sys
from functools import partial

from rag.config import Settings, SettingsError
from rag.embed import model_embedder
from rag.embed_process import ProcessEmbedder
from rag.store import StoreUnavailable


def main(settings: Settings | None = None) -> None:
    """Serve with these settings (the CLI's, with its --port), else the environment's (ui.py)."""
    try:
        settings = settings or Settings.from_env()
    except SettingsError as error:
        raise SystemExit(f"错误：{error}") from None
    try:
        embedder = ProcessEmbedder(partial(model_embedder, settings))
    except FileNotFoundError as error:
        raise SystemExit(f"错误：{error}") from None
    try:
        serve(settings, embedder)
    except StoreUnavailable as error:
        raise SystemExit(f"错误：{error}") from None
    finally:
        embedder.close()


def serve(settings: Settings, embedder: ProcessEmbedder) -> None:
    from rag.pipeline import Pipeline
    from rag.progress import ingest_with_progress

    pipeline = Pipeline(settings, embedder=embedder)
    if not pipeline.has_index():
        print("首次启动：正在建立索引（只需一次）…", file=sys.stderr)
        ingest_with_progress(pipeline)
        if not pipeline.has_index():
            raise SystemExit("错误：索引未能建立，原因见上方信息")
    pipeline.answerer  # noqa: B018 — read the index now, not when the first question arrives
    from rag.api import api_router, with_api
    from rag.feedback import FeedbackLog
    from rag.webui import build_app, launch_settings

    app = build_app(pipeline, FeedbackLog(settings.data_dir / "feedback.sqlite3"))
    app.launch(**with_api(launch_settings(settings), api_router(pipeline, app)))
