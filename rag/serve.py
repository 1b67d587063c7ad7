"""Start the web app: load the model in a child process, serve; on a first run, serve by keyword at once
while the index's vectors are computed in the background (rag.background), or, with --wait-index, build the
whole index first.

The child is started before anything heavy is imported, so loading the model (~10 s) runs on the
second core while this process imports Chroma and Gradio and reads the index.
"""

from __future__ import annotations

import sys
import threading
from functools import partial

from rag.config import Settings, SettingsError
from rag.embed import model_embedder
from rag.embed_process import ProcessEmbedder
from rag.store import StoreUnavailable


def main(settings: Settings | None = None, wait_index: bool = False) -> None:
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
        serve(settings, embedder, wait_index)
    except StoreUnavailable as error:
        raise SystemExit(f"错误：{error}") from None
    finally:
        embedder.close()


def serve(settings: Settings, embedder: ProcessEmbedder, wait_index: bool = False) -> None:
    from rag.pipeline import Pipeline
    from rag.progress import ingest_with_progress

    pipeline = Pipeline(settings, embedder=embedder)
    status = None
    if pipeline.has_index():
        # read the index now, not at the first question, while this thread imports Gradio and builds the page:
        # Chroma's reads and numpy's loads release the interpreter lock, so the two overlap
        threading.Thread(target=pipeline.current_answerer, name="read-index", daemon=True).start()
    elif wait_index:
        print("首次启动：正在建立索引（只需一次）…", file=sys.stderr)
        ingest_with_progress(pipeline)
        if not pipeline.has_index():
            raise SystemExit("错误：索引未能建立，原因见上方信息")
        pipeline.answerer  # noqa: B018
    else:
        status = build_in_background(pipeline, settings)
    import uvicorn

    from rag.access import STAFF_PATH, staff_login
    from rag.feedback import FeedbackLog
    from rag.site import HOST, web_server
    from rag.staff import staff_app
    from rag.webui import build_app

    feedback = FeedbackLog(settings.data_dir / "feedback.sqlite3")
    staff = staff_app(pipeline, feedback) if staff_login(settings) else None
    server = web_server(settings, build_app(pipeline, feedback, status=status), staff, api=pipeline)
    address = f"http://{HOST}:{settings.ui_port}"
    print(f"网页：{address}/" + (f"  工作人员页：{address}{STAFF_PATH}/" if staff else ""), file=sys.stderr)
    uvicorn.run(server, host=HOST, port=settings.ui_port, log_level="warning")


def build_in_background(pipeline, settings: Settings):
    """Serve by keyword once the corpus is parsed; the vectors come from a niced child of their own, which
    leaves the CPU to the app. Returns what the page shows of the build's progress."""
    from rag.background import BACKGROUND_NICENESS, BackgroundIndex

    print("首次启动：先按关键词检索提供服务，语义索引在后台建立（进度见网页）…", file=sys.stderr)
    build = BackgroundIndex(pipeline, ProcessEmbedder(partial(model_embedder, settings), niceness=BACKGROUND_NICENESS))
    build.start()
    if not build.serving:
        raise SystemExit(f"错误：索引未能建立：{build.progress.failure}")
    return build.notice
