"""`rag serve` on a data dir without an index: keyword answers at once, the vectors built in the background,
then answers from the complete index without a restart."""

import json
import urllib.request

import pytest
from gradio_client import Client

from rag.answer.answerer import KEYWORD_ONLY
from rag.background import BackgroundIndex, BuildProgress, texts_to_embed
from rag.feedback import FeedbackLog
from rag.pipeline import Pipeline
from rag.webui import build_app
from tests.fakes import GatedEmbedder, HashingEmbedder
from tests.helpers import copy_corpus, make_settings
from tests.ui_server import SMALL_CORPUS, serve_apps

CARE = "特困人员的照料护理标准是多少？"


def _cited(result: dict) -> tuple[str, str]:
    return result["citations"][0]["doc_number"], result["citations"][0]["clause_path"]


def test_a_served_app_answers_by_keyword_while_vectors_are_built_then_from_the_complete_index(tmp_path):
    settings = make_settings(tmp_path, copy_corpus(tmp_path / "corpus", SMALL_CORPUS))
    pipeline = Pipeline(settings, embedder=HashingEmbedder())
    builder = GatedEmbedder()  # holds the build at its first batch until released
    build = BackgroundIndex(pipeline, builder)
    build.start()
    running, url = serve_apps(settings, build_app(pipeline, FeedbackLog(tmp_path / "feedback.sqlite3"),
                                                  status=build.notice))
    try:
        client = Client(url, verbose=False)
        during = client.predict(CARE, api_name="/ask")
        assert during["answer"].startswith(f"（{KEYWORD_ONLY}）\n照料护理标准依据特困人员生活自理能力")
        assert _cited(during) == ("许政办〔2024〕3号", "四、（四）1.")
        assert pipeline.store.live_name() is None and builder.embedded == 0
        assert build.notice() == "正在建立语义索引 0%，正在估算剩余时间；目前按关键词检索"
        assert _status_line(url) == build.notice()  # on the page, under its title

        builder.release.set()
        assert build.done.wait(timeout=600)
        after = client.predict(CARE, api_name="/ask")
        assert after["answer"].startswith("照料护理标准依据特困人员生活自理能力")
        assert _cited(after) == ("许政办〔2024〕3号", "四、（四）1.")
        assert pipeline.store.live_name() is not None and build.progress.failure == ""
        assert build.notice() == ""
    finally:
        running.close()


def test_a_build_that_stops_keeps_keyword_answers_and_the_next_start_continues_where_it_stopped(tmp_path):
    settings = make_settings(tmp_path, copy_corpus(tmp_path / "corpus", SMALL_CORPUS))
    stopping = GatedEmbedder(fail_after=2)
    stopping.release.set()
    first = BackgroundIndex(Pipeline(settings, embedder=HashingEmbedder()), stopping)
    first.start()
    assert first.done.wait(timeout=600)
    assert first.notice() == "语义索引未能建立（嵌入进程已退出）；目前按关键词检索，重启应用会继续建立。"
    assert first.pipeline.current_answerer().run(CARE).answer.startswith(f"（{KEYWORD_ONLY}）")

    again = GatedEmbedder()
    again.release.set()
    second = BackgroundIndex(Pipeline(settings, embedder=HashingEmbedder()), again)
    second.start()
    assert second.done.wait(timeout=600) and second.progress.failure == ""
    assert second.progress.total < first.progress.total  # the two batches the first run committed are kept
    chunks = second.pipeline.current_answerer().retriever.chunks
    assert stopping.embedded + again.embedded == len(set(texts_to_embed(list(chunks.values()))))  # each text once
    assert second.pipeline.current_answerer().run(CARE).citations[0].clause_path == "四、（四）1."


def _status_line(url: str) -> str:
    with urllib.request.urlopen(f"{url}config") as response:
        config = json.load(response)
    return next(c["props"]["value"] for c in config["components"] if c["props"].get("elem_id") == "index-status")


@pytest.mark.parametrize(("done", "now", "said"), [
    (0, 30.0, "正在建立语义索引 0%，正在估算剩余时间；目前按关键词检索"),
    (450, 120.0, "正在建立语义索引 45%，约 2 分钟；目前按关键词检索"),  # 550 left at 3.75 a second: 147 s
    (900, 120.0, "正在建立语义索引 90%，不到 1 分钟；目前按关键词检索"),
])
def test_the_page_says_how_far_the_build_is_and_the_time_left_at_its_pace_so_far(done, now, said):
    assert BuildProgress(total=1000, done=done, started=0.0).notice(now=now) == said
