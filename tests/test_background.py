"""`rag serve` on a data dir without an index, a restart and a staff publication: keyword answers at once, the
vectors built (or the index read and the model loaded) in the background, then answers from the complete index
without a restart."""

import json
import threading
import urllib.request

import pytest
from gradio_client import Client

from rag.answer.answerer import KEYWORD_ONLY
from rag.app.background import BackgroundIndex, BuildProgress, Restart, texts_to_embed
from rag.app.feedback import FeedbackLog
from rag.app.pipeline import Pipeline
from rag.app.webui import build_app
from rag.index.chunkfile import CHUNKS_FILE, load_chunks
from rag.index.ingest import lexical_dir
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
        assert during["answer"].startswith("照料护理标准依据特困人员生活自理能力")
        assert during["answer"].endswith(f"\n（{KEYWORD_ONLY}）")  # after the answer: its first line stays the answer
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
    assert first.pipeline.current_answerer().run(CARE).answer.endswith(f"（{KEYWORD_ONLY}）")

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


def test_a_restart_answers_by_keyword_from_the_saved_files_until_the_index_is_read_and_the_model_loaded(tmp_path):
    settings = make_settings(tmp_path, copy_corpus(tmp_path / "corpus", SMALL_CORPUS))
    complete = Pipeline(settings, embedder=HashingEmbedder())
    complete.ingest()
    pipeline = Pipeline(settings, embedder=HashingEmbedder())
    model_loaded, page_built = threading.Event(), threading.Event()
    restart = Restart(pipeline, model_loaded)
    assert restart.start(page_built)
    early = pipeline.current_answerer().run(CARE)
    assert early.answer.startswith("照料护理标准依据特困人员生活自理能力")
    assert early.answer.endswith(f"\n（{KEYWORD_ONLY}）")
    assert (early.citations[0].doc_number, early.citations[0].clause_path) == ("许政办〔2024〕3号", "四、（四）1.")
    assert "store" not in pipeline.__dict__  # Chroma is opened once the page is built, not before

    page_built.set()
    assert pipeline.current_answerer().run(CARE).answer.endswith(f"（{KEYWORD_ONLY}）")  # the model still loads
    model_loaded.set()
    assert restart.ready.wait(timeout=600)
    full = pipeline.current_answerer().run(CARE)
    assert full.answer.startswith("照料护理标准依据特困人员生活自理能力")
    assert full.to_json() == complete.answerer.run(CARE).to_json()  # what the pipeline that built the index answers


def test_a_restart_without_intact_saved_chunks_reads_the_store_first_and_saves_them_again(tmp_path):
    settings = make_settings(tmp_path, copy_corpus(tmp_path / "corpus", SMALL_CORPUS))
    built = Pipeline(settings, embedder=HashingEmbedder())
    built.ingest()
    folder = lexical_dir(settings.data_dir, built.store.live_name())
    saved = (folder / CHUNKS_FILE).read_text(encoding="utf-8")
    (folder / CHUNKS_FILE).write_text(saved.replace("照料护理", "照料护埋", 1), encoding="utf-8")  # a stray write

    pipeline = Pipeline(settings, embedder=HashingEmbedder())
    assert not Restart(pipeline, threading.Event()).start(threading.Event())  # `rag serve` reads Chroma instead
    assert pipeline.current_answerer().run(CARE).answer.startswith("照料护理标准依据特困人员生活自理能力")
    assert (folder / CHUNKS_FILE).read_text(encoding="utf-8") == saved
    assert load_chunks(folder) == built.store.chunks()


DOG_QUESTION = "丽水市养犬需要办理登记吗？"
PUBLISHED = ("regulation/丽水市城市养犬管理规定-2020-08-14.pdf：法规规章，1 个文件，39 个条款\n"
             "  《丽水市城市养犬管理规定》 日期 2020-08-14，施行 2020-11-01")


def test_a_published_document_is_answered_by_keyword_at_once_and_from_the_complete_index_once_its_vectors_are_in(
        tmp_path):
    from rag.app.staff import INDEXED, PENDING
    from tests.helpers import as_uploaded
    from tests.test_staff import UPLOAD, staff_handlers

    builder = GatedEmbedder()  # holds the publication's build at its first batch until released
    pipeline, handlers, builds = staff_handlers(tmp_path, builder=builder)
    before = pipeline.store.live_name()
    shown, _follow = handlers["publish_file"](str(as_uploaded(UPLOAD)), "", True)
    progress = "正在建立语义索引 0%，正在估算剩余时间；目前按关键词检索"
    assert shown == f"已发布 {PUBLISHED}\n{PENDING}\n{progress}"
    during = pipeline.current_answerer().run(DOG_QUESTION)
    assert during.answer.endswith(f"（{KEYWORD_ONLY}）")
    assert during.citations[0].doc_title == "丽水市城市养犬管理规定"
    assert pipeline.store.live_name() == before and builder.embedded == 0  # no vector of it yet
    assert handlers["publication"](shown)[0] == shown and builds.notice() == progress
    heating = tmp_path / "供暖补贴.md"  # one build at a time: a second publication waits for this one
    heating.write_text("# 许昌市供暖补贴办法\n\n## 一、补贴标准\n\n供暖补贴每户每年500元。\n", encoding="utf-8")
    assert handlers["publish_file"](str(as_uploaded(heating)), "", True)[0] == "未发布：正在后台建立语义索引，请在完成后再发布。"
    assert not any("供暖补贴" in p.name for p in pipeline.settings.corpus_dir.rglob("*"))

    builder.release.set()
    assert builds.current.done.wait(timeout=600)
    after = pipeline.current_answerer().run(DOG_QUESTION)
    assert KEYWORD_ONLY not in after.answer and after.citations[0].doc_title == "丽水市城市养犬管理规定"
    assert pipeline.store.live_name() != before and builds.notice() == ""
    assert handlers["publication"](shown)[0].startswith(f"已发布 {PUBLISHED}\n{INDEXED}新增 40，未变 9，删除 0（共 49 条，")
