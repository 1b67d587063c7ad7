"""The app's embedder in a child process: same vectors, many callers, a dead child replaced, never left behind."""

import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from eval.measure import child_pids, is_running
from rag.index.embed import SentenceTransformerEmbedder
from rag.index.embed_process import ProcessEmbedder
from tests.fakes import HashingEmbedder
from tests.helpers import all_exited

QUESTIONS = [f"第{n}个问题：特困人员照料护理标准是多少" for n in range(10)]


@pytest.fixture
def embedder():
    import rag.documents.read

    rag.documents.read.SANDBOX.close()  # the child that parses files is a spawned child of this process too
    embedder = ProcessEmbedder(HashingEmbedder)
    yield embedder
    embedder.close()


def test_the_child_computes_the_same_name_and_vectors_as_in_process(embedder):
    local = HashingEmbedder()
    assert embedder.name == "fake-hash-256"
    assert np.array_equal(embedder.embed_query("特困人员照料护理标准"), local.embed_query("特困人员照料护理标准"))
    assert np.array_equal(embedder.embed_documents(QUESTIONS[:3]), local.embed_documents(QUESTIONS[:3]))


def test_ten_threads_at_once_each_get_their_own_question_s_vector(embedder):
    with ThreadPoolExecutor(10) as pool:
        vectors = list(pool.map(embedder.embed_query, QUESTIONS))
    local = HashingEmbedder()
    assert all(np.array_equal(v, local.embed_query(q)) for q, v in zip(QUESTIONS, vectors, strict=True))


def _embedding_children() -> set[int]:
    # spawned pool workers, not multiprocessing's resource tracker
    return {pid for pid in child_pids(os.getpid())
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()}


def test_a_killed_child_is_replaced_and_the_question_still_answered(embedder):
    embedder.embed_query("预热")
    (child,) = _embedding_children()
    os.kill(child, signal.SIGKILL)
    assert np.array_equal(embedder.embed_query("低保边缘家庭"), HashingEmbedder().embed_query("低保边缘家庭"))
    (replacement,) = _embedding_children()
    assert replacement != child and not is_running(child)


def test_a_bad_model_folder_is_reported_at_start_and_to_the_caller(tmp_path: Path, capsys):
    embedder = ProcessEmbedder(partial(SentenceTransformerEmbedder, tmp_path))
    try:
        with pytest.raises(FileNotFoundError, match="不是 sentence-transformers 模型目录；请先运行 `rag models fetch`"):
            embedder.embed_query("特困人员")
    finally:
        embedder.close()
    assert f"错误：嵌入模型加载失败：{tmp_path} 不是 sentence-transformers 模型目录" in capsys.readouterr().err


def test_the_child_exits_when_the_app_is_killed():
    app = subprocess.Popen(
        [sys.executable, "-c", "import time\nfrom rag.index.embed_process import ProcessEmbedder\n"
         "from tests.fakes import HashingEmbedder\nProcessEmbedder(HashingEmbedder).embed_query('x')\n"
         "print('ready', flush=True)\ntime.sleep(120)"],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent)
    assert app.stdout.readline() == "ready\n"
    children = child_pids(app.pid)
    assert children  # the embedding child (and multiprocessing's resource tracker)
    app.kill()  # SIGKILL: no atexit, no cleanup in the app
    app.wait()
    assert all_exited(children)
