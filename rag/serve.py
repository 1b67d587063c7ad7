"""Start the web app: build the index on first run, load the model while Gradio starts, serve.

Kept apart from rag.webui so that importing Gradio (seconds) overlaps with loading the model.
"""

from __future__ import annotations

import sys
import threading

from rag.config import Settings
from rag.pipeline import Pipeline


def main() -> None:
    settings = Settings.from_env()
    pipeline = Pipeline(settings)
    if not pipeline.has_index():
        print("首次启动：正在建立索引（只需一次）…", file=sys.stderr)
        from rag.cli import main as cli_main

        if cli_main(["ingest"]) not in (0, 1):
            raise SystemExit("建立索引失败")
        pipeline = Pipeline(settings)
    # the first visitor should not wait for the model: load it while Gradio is imported and starts
    threading.Thread(target=lambda: pipeline.retriever.search("预热", k=1), daemon=True).start()
    from rag.feedback import FeedbackLog
    from rag.webui import build_app, launch_settings

    app = build_app(pipeline, FeedbackLog(settings.data_dir / "feedback.jsonl"))
    app.queue(default_concurrency_limit=4, max_size=64)
    app.launch(**launch_settings())
