"""Failures outside the corpus get one line from the CLI, not a traceback; long work shows progress in logs."""

import errno

import pytest
from chromadb.errors import InternalError

import rag.app.cli
from rag.app.pipeline import Pipeline
from tests.fakes import HashingEmbedder
from tests.helpers import copy_corpus, make_settings


def test_an_unreachable_chroma_server_gets_one_line(monkeypatch, capsys):
    monkeypatch.setenv("RAG_CHROMA_URL", "http://127.0.0.1:9")
    assert rag.app.cli.main(["search", "低保标准"]) == 1
    assert capsys.readouterr().err == (
        "错误：无法连接 Chroma 服务 http://127.0.0.1:9：请确认服务已启动（chroma run --path 目录 --port 端口），"
        "或取消 RAG_CHROMA_URL 使用内置存储\n")


def test_an_unknown_embedder_backend_gets_one_line(monkeypatch, capsys):
    monkeypatch.setenv("RAG_EMBED_BACKEND", "gpu")
    assert rag.app.cli.main(["search", "低保标准"]) == 1
    assert capsys.readouterr().err == "错误：RAG_EMBED_BACKEND='gpu' 无效：可选 onnx / torch\n"


def test_an_unknown_embedding_precision_gets_one_line(monkeypatch, capsys):
    monkeypatch.setenv("RAG_EMBED_DTYPE", "fp8")
    assert rag.app.cli.main(["search", "低保标准"]) == 1
    assert capsys.readouterr().err == "错误：RAG_EMBED_DTYPE='fp8' 无效：可选 float32 / bfloat16 / bf16-matmul\n"


@pytest.fixture
def small(tmp_path, monkeypatch) -> Pipeline:
    corpus = copy_corpus(tmp_path / "corpus", ("许昌日报-2022-09-27-04.txt",))
    pipeline = Pipeline(make_settings(tmp_path, corpus), embedder=HashingEmbedder())
    monkeypatch.setattr(rag.app.cli, "_pipeline", lambda settings: pipeline)
    return pipeline


@pytest.mark.parametrize("error", [
    OSError(errno.ENOSPC, "No space left on device"),
    # Chroma's own error around SQLite's, as a probe got it from a disk that filled during `rag add`
    InternalError("Database error: error returned from database: (code: 13) database or disk is full"),
])
def test_a_full_disk_during_ingest_gets_one_line(small, monkeypatch, capsys, error):
    def full(*args, **kwargs):
        raise error

    monkeypatch.setattr(small, "ingest", full)
    assert rag.app.cli.main(["ingest"]) == 1
    assert capsys.readouterr().err == "错误：磁盘空间不足，本次操作未完成；已有的索引保持不变。请清理磁盘后重试。\n"


def test_ingest_into_a_log_prints_progress_lines(small, capsys):
    assert rag.app.cli.main(["ingest"]) == 0
    err = capsys.readouterr().err.splitlines()
    total = len(small.store.chunks())
    assert err[0].startswith("计算向量 ") and err[0].endswith("秒）")
    assert any(line.startswith(f"计算向量 {total}/{total}（100%，预计还需 0 秒）") for line in err)
