"""Ingest into a real embedded Chroma: incremental, idempotent, and safe to kill."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.app.pipeline import Pipeline
from tests.fakes import HashingEmbedder
from tests.helpers import copy_corpus, make_settings

NEWS = ("许昌日报-2023-04-头版.txt", "许昌日报-2023-08-头版.txt", "许昌日报-2022-09-27-04.txt")
CARE = "特困人员照料护理标准是多少"


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    return copy_corpus(tmp_path / "corpus", NEWS + ("许昌市人民政府公报-2024-02.txt",))


def _pipeline(tmp_path: Path, corpus: Path, embedder=None) -> Pipeline:
    return Pipeline(make_settings(tmp_path, corpus), embedder=embedder or HashingEmbedder())


def test_first_ingest_indexes_every_chunk_and_search_finds_the_clause(tmp_path, small_corpus):
    pipeline = _pipeline(tmp_path, small_corpus)
    report = pipeline.ingest()
    assert report.errors == []
    assert report.added == report.total == report.embedded > 400
    assert (report.unchanged, report.removed) == (0, 0)
    top = pipeline.retriever.search(CARE, k=3)[0]
    assert (top.metadata.doc_number, top.metadata.clause_path) == ("许政办〔2024〕3号", "四、（四）1.")


def test_rerun_without_changes_embeds_nothing_and_keeps_the_generation(tmp_path, small_corpus):
    pipeline = _pipeline(tmp_path, small_corpus)
    first = pipeline.ingest()
    live = pipeline.store.live_name()
    embedder = HashingEmbedder()
    again = _pipeline(tmp_path, small_corpus, embedder).ingest()
    assert (again.added, again.removed, again.embedded, again.changed) == (0, 0, 0, False)
    assert again.unchanged == first.total
    assert embedder.embedded == 0
    assert pipeline.store.live_name() == live
    assert again.summary().startswith(f"新增 0，未变 {first.total}，删除 0")


def test_a_corrected_issue_in_the_manifest_relabels_its_chunks_without_embedding_them(tmp_path, small_corpus):
    pipeline = _pipeline(tmp_path, small_corpus)
    first = pipeline.ingest()
    gazette = sum(c.metadata.source.startswith("gazette/") for c in pipeline.store.chunks().values())
    manifest = small_corpus / "sources.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("2024年第2期", "2024年第3期"), encoding="utf-8")
    embedder = HashingEmbedder()
    corrected = _pipeline(tmp_path, small_corpus, embedder)
    report = corrected.ingest()
    assert report.summary().startswith(f"新增 0，未变 {first.total - gazette}，更新标注 {gazette}，删除 0（计算向量 0，句子向量 0，")
    assert embedder.embedded == 0
    citation = corrected.answerer.run(CARE).citations[0]
    assert citation.display().endswith("，载《许昌市人民政府公报》2024年第3期 第72页")


def test_a_corrected_date_in_the_manifest_relabels_its_chunks_without_embedding_them(tmp_path, small_corpus):
    pipeline = _pipeline(tmp_path, small_corpus)
    pipeline.ingest()
    page = "news/许昌日报-2022-09-27-04.txt"
    articles = sum(c.metadata.source == page for c in pipeline.store.chunks().values())
    manifest = small_corpus / "sources.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('date = "2022-09-27"', 'date = "2022-09-28"'),
                        encoding="utf-8")
    embedder = HashingEmbedder()
    corrected = _pipeline(tmp_path, small_corpus, embedder)
    assert corrected.ingest().relabelled == articles
    assert embedder.embedded == 0
    assert {c.metadata.date for c in corrected.store.chunks().values() if c.metadata.source == page} == {20220928}


def test_an_index_built_with_older_hnsw_settings_is_rebuilt_from_its_own_vectors(tmp_path, small_corpus,
                                                                               monkeypatch):
    import rag.index.store

    monkeypatch.setattr(rag.index.store, "HNSW_LABEL", '{"ef_search": 200, "space": "cosine"}')  # as written before
    pipeline = _pipeline(tmp_path, small_corpus)
    first = pipeline.ingest()
    old = pipeline.store.live_name()
    monkeypatch.undo()
    embedder = HashingEmbedder()
    again = _pipeline(tmp_path, small_corpus, embedder).ingest()
    assert (again.added, again.removed, again.unchanged, again.changed) == (0, 0, first.total, True)
    assert embedder.embedded == 0  # vectors come from the old generation, not the model
    assert pipeline.store.live_name() != old and pipeline.store.live_has_current_hnsw()
    assert _pipeline(tmp_path, small_corpus).ingest().changed is False


def test_editing_one_file_replaces_exactly_its_changed_chunks(tmp_path, small_corpus):
    pipeline = _pipeline(tmp_path, small_corpus)
    first = pipeline.ingest()
    page = small_corpus / "news" / "许昌日报-2023-08-头版.txt"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("计划总投资8亿元", "计划总投资9亿元"), encoding="utf-8")
    embedder = HashingEmbedder()
    second = _pipeline(tmp_path, small_corpus, embedder).ingest()
    # one chunk and its one changed sentence are embedded; everything else comes from the cache
    assert (second.added, second.removed, second.embedded, second.embedded_sentences) == (1, 1, 1, 1)
    assert embedder.embedded == 2
    assert second.unchanged == first.total - 1
    texts = [c.text for c in pipeline.store.chunks().values() if c.metadata.source == "news/许昌日报-2023-08-头版.txt"]
    assert any("计划总投资9亿元" in t for t in texts)
    assert not any("计划总投资8亿元" in t for t in texts)


def test_removing_a_file_removes_its_chunks(tmp_path, small_corpus):
    pipeline = _pipeline(tmp_path, small_corpus)
    first = pipeline.ingest()
    gone = small_corpus / "news" / "许昌日报-2022-09-27-04.txt"
    own = sum(c.metadata.source == gone.relative_to(small_corpus).as_posix() for c in pipeline.store.chunks().values())
    gone.unlink()
    report = pipeline.ingest()
    assert (report.removed, report.added, report.total) == (own, 0, first.total - own)
    assert all(c.metadata.source != gone.relative_to(small_corpus).as_posix() for c in pipeline.store.chunks().values())
    assert all(h.metadata.source != gone.relative_to(small_corpus).as_posix() for h in pipeline.retriever.search("许昌绿色工厂数量全省第1位", k=10))


def test_a_file_that_turns_unreadable_keeps_its_old_chunks_serving(tmp_path, small_corpus):
    pipeline = _pipeline(tmp_path, small_corpus)
    first = pipeline.ingest()
    broken = small_corpus / "news" / "许昌日报-2023-04-头版.txt"
    broken.write_bytes(broken.read_text(encoding="utf-8").encode("gbk", errors="replace"))
    report = pipeline.ingest()
    assert len(report.errors) == 1 and broken.name in report.errors[0] and "不是 UTF-8 编码" in report.errors[0]
    assert (report.total, report.removed) == (first.total, 0)


def test_a_killed_ingest_leaves_the_previous_index_answering_and_the_next_run_finishes(tmp_path, small_corpus):
    settings_dir = tmp_path
    pipeline = _pipeline(settings_dir, small_corpus)
    pipeline.ingest()
    before = [(h.chunk_id, h.rank) for h in pipeline.retriever.search(CARE, k=5)]
    live = pipeline.store.live_name()
    del pipeline

    # add a gazette issue: hundreds of new chunks, embedded slowly by a child process we then kill
    copy_corpus(tmp_path / "other", ("许昌市人民政府公报-2020-02.txt",))
    (tmp_path / "other" / "gazette" / "许昌市人民政府公报-2020-02.txt").rename(
        small_corpus / "gazette" / "许昌市人民政府公报-2020-02.txt")
    child = subprocess.Popen([sys.executable, "-m", "tests.ingest_child", str(settings_dir), str(small_corpus)],
                             cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "embedding"
    time.sleep(1.0)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()

    survivor = _pipeline(settings_dir, small_corpus)
    assert survivor.store.live_name() == live
    assert [(h.chunk_id, h.rank) for h in survivor.retriever.search(CARE, k=5)] == before
    embedder = HashingEmbedder()
    finished = _pipeline(settings_dir, small_corpus, embedder).ingest()
    assert finished.added > 400 and finished.errors == []
    assert finished.embedded < finished.added  # the killed run's committed batches were kept
    names = [c.name for c in survivor.store.client.list_collections() if c.name.startswith("clauses_")]
    assert names == [survivor.store.live_name()]  # the half-built generation was dropped


def test_search_filters_by_kind_year_and_document(tmp_path, small_corpus):
    from rag.search.retrieve import SearchFilters

    pipeline = _pipeline(tmp_path, small_corpus)
    pipeline.ingest()
    retriever = pipeline.retriever
    news = retriever.search("许昌制造业", k=5, filters=SearchFilters(kind="newspaper"))
    assert news and {h.metadata.kind for h in news} == {"newspaper"}
    dated = retriever.search("产业升级", k=5, filters=SearchFilters(year=2022))
    assert dated and {h.metadata.year for h in dated} == {2022}
    one = retriever.search("救助", k=5, filters=SearchFilters(doc_number="许政办〔2024〕3号"))
    assert {h.metadata.doc_number for h in one} == {"许政办〔2024〕3号"}


def test_a_named_document_and_clause_come_first(tmp_path, small_corpus):
    pipeline = _pipeline(tmp_path, small_corpus)
    pipeline.ingest()
    hits = pipeline.retriever.search("许政办〔2024〕3号 四、（二）3. 讲的是什么", k=5)
    assert (hits[0].metadata.doc_number, hits[0].metadata.clause_path) == ("许政办〔2024〕3号", "四、（二）3.")
    assert {h.metadata.doc_number for h in hits} == {"许政办〔2024〕3号"}
    spaced = pipeline.retriever.search("许政〔2024〕11 号 有哪些措施", k=3)
    assert {h.metadata.doc_number for h in spaced} == {"许政〔2024〕11号"}


def test_a_running_app_reads_an_index_published_by_another_process_on_the_next_question(tmp_path, small_corpus):
    serving = _pipeline(tmp_path, small_corpus)
    serving.ingest()
    question = "冬季供暖期从哪天开始？"
    before = serving.current_answerer().run(question)
    assert all(h.metadata.doc_number != "许政〔2025〕3号" for h in before.hits)
    (small_corpus / "policy").mkdir()
    (small_corpus / "policy" / "供暖.txt").write_text(
        "许昌市人民政府关于做好冬季供暖工作的通知\n许政〔2025〕3号\n一、冬季供暖期从11月15日开始，至次年3月15日结束。\n",
        encoding="utf-8")
    _pipeline(tmp_path, small_corpus).ingest()  # `rag add` / `rag ingest` run elsewhere
    after = serving.current_answerer().run(question)
    assert after.citations[0].doc_number == "许政〔2025〕3号"


def test_a_damaged_bm25_folder_is_detected_and_rebuilt_by_ingest(tmp_path, small_corpus):
    from rag.index.ingest import lexical_dir
    from rag.index.lexical import LexicalIndex

    pipeline = _pipeline(tmp_path, small_corpus)
    pipeline.ingest()
    folder = lexical_dir(pipeline.settings.data_dir, pipeline.store.live_name())
    (folder / "vocab.index.json").write_text('{"truncated', encoding="utf-8")
    assert LexicalIndex.load(folder) is None
    report = _pipeline(tmp_path, small_corpus).ingest()
    assert report.changed and report.added == 0  # nothing to embed, but the index files are written anew
    folder = lexical_dir(pipeline.settings.data_dir, pipeline.store.live_name())
    assert LexicalIndex.load(folder) is not None
    (folder / "ids.json").write_bytes(b"\x00garbage")
    # an app started on a damaged folder rebuilds BM25 from the store instead of crashing
    assert _pipeline(tmp_path, small_corpus).retriever.search(CARE, k=1)[0].metadata.clause_path == "四、（四）1."
    assert LexicalIndex.load(folder) is not None


def test_a_text_repeated_in_one_run_is_embedded_once(tmp_path):
    from rag.index.embed import EmbeddingCache, embed_with_cache

    embedder = HashingEmbedder()
    texts = ["特困人员照料护理标准", "低保标准", "特困人员照料护理标准", "低保标准", "临时救助"]
    vectors, computed = embed_with_cache(embedder, EmbeddingCache(tmp_path / "cache.sqlite"), texts)
    assert (computed, embedder.embedded) == (3, 3)
    assert vectors.shape[0] == 5 and (vectors[0] == vectors[2]).all()


def test_short_texts_go_to_the_embedder_many_at_a_time_long_ones_few(tmp_path):
    """The documents' words (2–4 characters) fill a batch by the hundred; clauses, a dozen or so."""
    from rag.index.embed import EmbeddingCache, embed_with_cache

    batches = []

    class Recording(HashingEmbedder):
        def embed_documents(self, texts):
            batches.append(len(texts))
            return super().embed_documents(texts)

    words = [f"词{i:02d}" for i in range(10)]  # 3 characters each
    clauses = [f"第{i}条" + "规" * 96 for i in range(3)]  # 100 characters each
    vectors, computed = embed_with_cache(Recording(), EmbeddingCache(tmp_path / "cache.sqlite"), clauses + words,
                                         batch_chars=120)
    assert (batches, computed, vectors.shape[0]) == ([10, 1, 1, 1], 13, 13)


def testpadded_batches_keep_rows_times_the_longest_within_the_budget():
    from rag.index.embed import padded_batches

    lengths = [10, 200, 10, 200, 10, 300]
    order = sorted(range(6), key=lambda i: lengths[i])
    assert padded_batches(order, lengths, 400) == [[0, 2, 4], [1, 3], [5]]
