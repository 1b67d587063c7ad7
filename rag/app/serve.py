"""Start the web app: load the model in a child process, serve; on a restart, serve by keyword from the saved
files while the complete index is read and the model loads (rag.app.background.Restart); on a first run, serve by
keyword at once while the index's vectors are computed in the background (rag.app.background), or, with
--wait-index, build the whole index first.

The child is started before anything heavy is imported, so loading the model runs on the second core while
this process imports Gradio and builds the page.
"""

from __future__ import annotations

import gc
import sys
import threading
from functools import partial

from rag.config import Settings, SettingsError
from rag.index.embed import model_embedder
from rag.index.embed_process import ProcessEmbedder
from rag.index.store import StoreUnavailable


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
    from rag.app.background import BACKGROUND_NICENESS, Builds, Restart
    from rag.app.pipeline import Pipeline

    # Python's cycle collector would walk the start's objects again and again while jieba's 500,000-word dictionary
    # and Gradio's ~1,800 modules load (~0.7 s of the ~4 s of CPU before the page); they live as long as the app,
    # so on a restart it is paused until the page is built and they are then frozen out of its later passes
    gc.disable()
    pipeline = Pipeline(settings, embedder=embedder)
    # a first start's vectors and each staff publication's come from a niced child of their own, which leaves the
    # CPU to the app
    builds = Builds(pipeline, partial(ProcessEmbedder, partial(model_embedder, settings), niceness=BACKGROUND_NICENESS))
    page_built = threading.Event()
    if wait_index or not Restart(pipeline, embedder.ready).start(page_built):
        gc.enable()  # an index is read or built now, maybe for minutes: its garbage is collected as it goes
        open_index(pipeline, builds, wait_index)
    import uvicorn

    from rag.app.access import STAFF_PATH, staff_login
    from rag.app.feedback import FeedbackLog
    from rag.app.site import HOST, web_server
    from rag.app.staff import staff_app
    from rag.app.webui import build_app

    feedback = FeedbackLog(settings.data_dir / "feedback.sqlite3")
    staff = staff_app(pipeline, feedback, builds) if staff_login(settings) else None
    server = web_server(settings, build_app(pipeline, feedback, status=builds.notice), staff, api=pipeline)
    address = f"http://{HOST}:{settings.ui_port}"
    print(f"网页：{address}/" + (f"  工作人员页：{address}{STAFF_PATH}/" if staff else ""), file=sys.stderr)
    gc.freeze()
    gc.enable()
    page_built.set()
    uvicorn.run(server, host=HOST, port=settings.ui_port, log_level="warning")


def open_index(pipeline, builds, wait_index: bool) -> None:
    """Without saved files to answer from at once (a first start, an index built before they were saved, a Chroma
    server): read the index behind the page, or build it, in the background unless `wait_index`."""
    from rag.app.progress import ingest_with_progress

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
        print("首次启动：先按关键词检索提供服务，语义索引在后台建立（进度见网页）…", file=sys.stderr)
        build = builds.start()
        if not build.serving:
            raise SystemExit(f"错误：索引未能建立：{build.progress.failure}")
