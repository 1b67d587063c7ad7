"""Index generations on a full disk and on a shared Chroma: a generation that has no room is refused before
anything is written, a failed one is removed, and a pointer never names a collection that is gone (two data
dirs ingesting into one Chroma, as two machines against one `chroma run` server)."""

import errno
import logging
import threading
from collections import namedtuple
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings

import rag.app.cli
import rag.index.ingest
from rag.app.pipeline import Pipeline
from rag.index.ingest import SPACE_HEADROOM, folder_bytes
from rag.index.sentences import SentenceIndex
from rag.index.store import ChromaStore
from tests.fakes import HashingEmbedder
from tests.helpers import copy_corpus, make_settings

MB = 2**20
NEWS = "许昌日报-2023-08-头版.txt"
OLD, NEW = "计划总投资8亿元", "计划总投资9亿元"
DOG_PDF = Path(__file__).resolve().parent / "data" / "formats" / "丽水市城市养犬管理规定(2020-08-14).pdf"
DiskUsage = namedtuple("DiskUsage", "total used free")


def _pipeline(root: Path, corpus: Path, client=None) -> Pipeline:
    return Pipeline(make_settings(root, corpus), embedder=HashingEmbedder(), client=client)


@pytest.fixture
def news(tmp_path, monkeypatch) -> Pipeline:
    """One newspaper page indexed; the CLI works on it."""
    pipeline = _pipeline(tmp_path, copy_corpus(tmp_path / "corpus", (NEWS,)))
    pipeline.ingest()
    monkeypatch.setenv("RAG_CORPUS_DIR", str(pipeline.settings.corpus_dir))
    monkeypatch.setattr(rag.app.cli, "_pipeline", lambda settings: pipeline)
    return pipeline


def _edit(pipeline: Pipeline) -> None:
    page = pipeline.settings.corpus_dir / "news" / NEWS
    page.write_text(page.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")


def _generations(pipeline: Pipeline) -> list[str]:
    return sorted(c.name for c in pipeline.store.client.list_collections() if c.name.startswith("clauses_"))


def _lexical(pipeline: Pipeline) -> list[str]:
    return sorted(p.name for p in (pipeline.settings.data_dir / "lexical").iterdir())


def _served_text(pipeline: Pipeline) -> str:
    return "\n".join(c.text for c in pipeline.store.chunks().values())


def _said(caplog) -> list[str]:
    """What the store said in the log."""
    return [record.getMessage() for record in caplog.records if record.name == "rag.index.store"]


def _errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("错误")]


def test_an_ingest_without_room_for_a_second_index_is_refused_and_the_live_one_keeps_serving(news, monkeypatch,
                                                                                            capsys):
    """The probe's case: with room for one index but not two, ingest filled the disk with a half-written
    generation and tracebacked; afterwards everything failed with 「database or disk is full」."""
    live = news.store.live_name()
    _edit(news)
    # the live generation measures 2 MB of BM25 and sentence files and 6 MB in Chroma; 20 MB are free
    monkeypatch.setattr(rag.index.ingest, "folder_bytes", lambda folder: 6 * MB if folder.name == "chroma" else 2 * MB)
    monkeypatch.setattr(rag.index.ingest, "unused_sqlite_bytes", lambda database: 0)
    monkeypatch.setattr(rag.index.ingest.shutil, "disk_usage", lambda path: DiskUsage(100 * MB, 80 * MB, 20 * MB))
    assert rag.app.cli.main(["ingest"]) == 1
    assert capsys.readouterr().err == (
        f"错误：磁盘空间不足：新的索引约需 26.0 MB，数据目录 {news.settings.data_dir} 所在磁盘只有 20.0 MB 可用；"
        "现有索引继续服务，未做任何改动。请清理磁盘后重试。\n")
    assert news.store.live_name() == live and _generations(news) == [live] and _lexical(news) == [live]
    assert OLD in _served_text(news)
    monkeypatch.setattr(rag.index.ingest.shutil, "disk_usage", lambda path: DiskUsage(100 * MB, 70 * MB, 30 * MB))
    assert rag.app.cli.main(["ingest"]) == 0
    assert NEW in _served_text(news) and _generations(news) == [news.store.live_name()] != [live]


def test_rag_add_on_a_disk_without_room_is_refused_and_taken_back(news, monkeypatch, capsys):
    corpus = news.settings.corpus_dir
    files = sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if p.is_file())
    live = news.store.live_name()
    # nothing measurable: the sizes per chunk of an EmbeddingGemma index are assumed (12 + 20 KB, × 1.25)
    monkeypatch.setattr(rag.index.ingest, "folder_bytes", lambda folder: 0)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rag.index.ingest.shutil, "disk_usage", lambda path: DiskUsage(100 * MB, 99 * MB, MB))
        assert rag.app.cli.main(["add", str(DOG_PDF)]) == 1
    refused = _errors(capsys.readouterr().err)
    assert sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if p.is_file()) == files
    assert news.store.live_name() == live and _generations(news) == [live]
    assert rag.app.cli.main(["add", str(DOG_PDF)]) == 0  # with room, the retry goes in
    need = 40 * 1024 * len(news.store.chunks()) + SPACE_HEADROOM
    assert refused == [
        f"错误：磁盘空间不足：新的索引约需 {need / MB:.1f} MB，数据目录 {news.settings.data_dir} 所在磁盘只有 1.0 MB 可用；"
        "现有索引继续服务，未做任何改动。请清理磁盘后重试。",
        f"错误：{DOG_PDF}: 未能建立索引，本次收录已撤销，可以重新添加"]


def test_the_space_estimate_covers_what_a_new_generation_takes(tmp_path, monkeypatch):
    corpus = copy_corpus(tmp_path / "corpus", ("许昌市人民政府公报-2024-02.txt", NEWS))
    pipeline = _pipeline(tmp_path, corpus)
    pipeline.ingest()
    estimate = pipeline.indexer().space_needed(len(pipeline.store.chunks()))
    data = pipeline.settings.data_dir
    before = folder_bytes(data)
    with_both = []  # the data dir once the new generation is written, the old one not yet dropped
    publish = ChromaStore.publish

    def measured(self, generation):
        with_both.append(folder_bytes(data))
        publish(self, generation)

    monkeypatch.setattr(ChromaStore, "publish", measured)
    _edit(pipeline)
    pipeline.ingest()
    needed = with_both[0] - before
    assert needed <= estimate - SPACE_HEADROOM <= 2 * needed


def test_a_generation_that_fails_halfway_is_removed_with_its_files(news, monkeypatch, capsys):
    live = news.store.live_name()
    _edit(news)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(SentenceIndex, "save", full)  # the disk fills after Chroma and BM25 were written
    assert rag.app.cli.main(["ingest"]) == 1
    assert _errors(capsys.readouterr().err) == ["错误：磁盘空间不足，本次操作未完成；已有的索引保持不变。请清理磁盘后重试。"]
    assert news.store.live_name() == live and _generations(news) == [live] and _lexical(news) == [live]
    assert OLD in _served_text(news)


def test_a_pointer_to_a_deleted_collection_falls_back_to_the_newest_complete_one_and_ingest_repairs_it(
        news, monkeypatch, caplog, capsys):
    older = news.store.live_name()
    _edit(news)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ChromaStore, "drop_unused", lambda self: [])  # both generations stay, as on a shared server
        news.ingest()
    newer = news.store.live_name()
    news.store.client.delete_collection(newer)  # what another machine's ingest did
    caplog.set_level(logging.WARNING, logger="rag.index.store")
    restarted = _pipeline(news.settings.data_dir.parent, news.settings.corpus_dir)
    monkeypatch.setattr(rag.app.cli, "_pipeline", lambda settings: restarted)
    assert rag.app.cli.main(["search", "禹州高性能科技材料项目投资多少", "--json"]) == 0
    assert rag.app.cli.main(["search", "计划总投资", "--json"]) == 0
    assert _said(caplog) == [
        f"注意：索引指针指向的 {newer} 已不存在（可能被共用同一 Chroma 服务的另一次建索引删除），"
        f"改用最新的完整索引 {older}；运行 rag ingest 可修复。"]
    assert OLD in _served_text(restarted)
    capsys.readouterr()
    assert rag.app.cli.main(["ingest"]) == 0  # repaired: published anew, from the vectors it has
    repaired = restarted.store.live_name()
    assert repaired == restarted.store.pointer_name() not in (older, newer) and _generations(restarted) == [repaired]
    assert NEW in _served_text(restarted) and len(_said(caplog)) == 1


def test_a_pointer_to_a_deleted_collection_with_nothing_to_fall_back_on_says_so_and_ingest_rebuilds(
        news, monkeypatch, caplog, capsys):
    live = news.store.live_name()
    news.store.client.delete_collection(live)
    caplog.set_level(logging.WARNING, logger="rag.index.store")
    restarted = _pipeline(news.settings.data_dir.parent, news.settings.corpus_dir)
    monkeypatch.setattr(rag.app.cli, "_pipeline", lambda settings: restarted)
    assert rag.app.cli.main(["search", "计划总投资"]) == 2
    assert capsys.readouterr().err == "错误：索引尚未建立：请先运行 `rag ingest`\n"
    assert _said(caplog) == [f"注意：索引指针指向的 {live} 已不存在（可能被共用同一 Chroma 服务的另一次建索引删除），"
                               "也没有其他完整的索引；请运行 rag ingest 重建。"]
    assert rag.app.cli.main(["ingest"]) == 0
    assert restarted.has_index() and OLD in _served_text(restarted)


def test_a_generation_deleted_before_its_pointer_flip_is_not_published(news, monkeypatch, capsys):
    live = news.store.live_name()
    _edit(news)
    publish, lost = ChromaStore.publish, []

    def deleted_first(self, generation):
        self.client.delete_collection(generation.name)  # another machine's clean-up, just before the flip
        lost.append(generation.name)
        publish(self, generation)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ChromaStore, "publish", deleted_first)
        assert rag.app.cli.main(["ingest"]) == 1
    assert _errors(capsys.readouterr().err) == [
        f"错误：本次建好的索引 {lost[0]} 在发布前被删除（可能是共用同一 Chroma 服务的另一次建索引）；现有索引继续服务，"
        "请重新运行 rag ingest。"]
    assert news.store.pointer_name() == live and _generations(news) == [live] and _lexical(news) == [live]
    assert rag.app.cli.main(["ingest"]) == 0 and NEW in _served_text(news)


def test_two_data_dirs_ingesting_into_one_chroma_leave_the_pointer_on_an_existing_collection(tmp_path):
    """The probe's case (two ingests from two data dirs against one `chroma run` server): an ingest's
    clean-up deleted the other's unpublished generation, whose pointer then named a deleted collection and
    whose own clean-up deleted the rest; every client failed with NotFoundError. Here the two data dirs share
    one embedded Chroma folder, as a server's would be (tests/test_chroma_server.py: the same with a server)."""
    shared = chromadb.PersistentClient(path=str(tmp_path / "shared"), settings=ChromaSettings(anonymized_telemetry=False))
    two_machines_ingest_at_once(tmp_path, shared, shared)


def two_machines_ingest_at_once(root: Path, client_a, client_b) -> None:
    """While the second machine's ingest has written its generation and is about to publish it, the first
    machine ingests again (its clean-up runs before and after); both go through, and the pointer names a
    collection that exists, which every client reads."""
    first = _pipeline(root / "a", copy_corpus(root / "a" / "corpus", (NEWS,)), client_a)
    second = _pipeline(root / "b", copy_corpus(root / "b" / "corpus", (NEWS,)), client_b)
    first.ingest()
    ready, go, outcome = threading.Event(), threading.Event(), {}
    publish = second.store.publish

    def held(generation):
        ready.set()
        assert go.wait(timeout=60)
        publish(generation)

    second.store.publish = held

    def ingest_second() -> None:
        try:
            outcome["report"] = second.ingest()
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            outcome["error"] = error

    thread = threading.Thread(target=ingest_second)
    thread.start()
    assert ready.wait(timeout=60)
    _edit(first)
    first.ingest()
    go.set()
    thread.join(timeout=60)
    assert "error" not in outcome and outcome["report"].changed
    pointer = first.store._pointer.get(ids=["clauses:live"], include=["metadatas"])["metadatas"][0]["collection"]
    assert pointer in _generations(first) and pointer == second.store.live_name()  # the later publish wins
    for pipeline in (first, second, _pipeline(root / "a", first.settings.corpus_dir, client_a)):
        hits = pipeline.current_answerer().retriever.search("禹州高性能科技材料项目投资多少", k=3)
        assert hits and hits[0].metadata.source == f"news/{NEWS}"


def _restarted(pipeline: Pipeline, monkeypatch) -> Pipeline:
    """The same data dir opened by a new process (Chroma keeps one open system per path in a process), with an
    embedder that counts what it computes; the CLI works on it."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    restarted = _pipeline(pipeline.settings.data_dir.parent, pipeline.settings.corpus_dir)
    monkeypatch.setattr(rag.app.cli, "_pipeline", lambda settings: restarted)
    return restarted


def _truncated(database: Path) -> None:
    with database.open("r+b") as handle:
        handle.truncate(database.stat().st_size // 2)


def _header_overwritten(database: Path) -> None:
    with database.open("r+b") as handle:
        handle.write(bytes(100))


@pytest.mark.parametrize(("damage", "problem"), [
    (_truncated, "数据页损坏或文件不完整"), (_header_overwritten, "文件头已被改写，不是有效的 SQLite 文件")])
@pytest.mark.parametrize("command", [["search", "计划总投资", "--json"], ["ingest"]])
def test_a_damaged_chroma_database_is_set_aside_and_rebuilt_without_embedding(news, monkeypatch, caplog, capsys,
                                                                             damage, problem, command):
    data = news.settings.data_dir
    served = _served_text(news)
    damage(data / "chroma" / "chroma.sqlite3")
    restarted = _restarted(news, monkeypatch)
    caplog.set_level(logging.WARNING, logger="rag.app.pipeline")
    assert rag.app.cli.main(command) == 0
    assert "Traceback" not in capsys.readouterr().err
    aside = next(data.glob("chroma.damaged-*"))
    assert [r.getMessage() for r in caplog.records if r.name == "rag.app.pipeline"] == [
        f"注意：索引数据库 {data / 'chroma' / 'chroma.sqlite3'} 已损坏（{problem}），已移到 {aside}；"
        "索引已用语料和嵌入缓存重建，无需重新计算向量"]
    assert _served_text(restarted) == served and restarted.embedder.embedded == 0
    assert (aside / "chroma.sqlite3").is_file()  # kept, not deleted


@pytest.mark.parametrize("name", ["sentences.npy", "data.csc.index.npy"])
@pytest.mark.parametrize("command", [["search", "计划总投资", "--json"], ["ingest"]])
def test_zeroed_bytes_in_an_index_file_are_found_and_the_file_rebuilt_from_the_embedding_cache(
        news, monkeypatch, caplog, capsys, name, command):
    folder = news.settings.data_dir / "lexical" / news.store.live_name()
    vectors = SentenceIndex.load(folder).vectors
    damaged = folder / name
    with damaged.open("r+b") as handle:  # what a disk error leaves: the file's size and format intact
        handle.seek(damaged.stat().st_size // 2)
        handle.write(bytes(256))
    restarted = _restarted(news, monkeypatch)
    caplog.set_level(logging.WARNING)
    assert rag.app.cli.main(command) == 0
    assert "索引已是最新" not in capsys.readouterr().out
    assert [r.getMessage() for r in caplog.records if r.name.startswith("rag.")] == [
        f"注意：索引文件 {damaged} 已损坏（与写入时的校验值不符），已用语料和嵌入缓存重建，无需重新计算向量"]
    live = news.settings.data_dir / "lexical" / restarted.store.live_name()
    assert (SentenceIndex.load(live).vectors == vectors).all() and restarted.embedder.embedded == 0
    assert rag.app.cli.main(["ingest"]) == 0
    assert capsys.readouterr().out.startswith("索引已是最新")
