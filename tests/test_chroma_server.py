"""The same index through a real `chroma run` server on 127.0.0.1 answers like the embedded store."""

import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from rag.app.pipeline import Pipeline
from tests.fakes import HashingEmbedder
from tests.helpers import copy_corpus, make_settings

QUESTIONS = ("特困人员照料护理标准是多少", "拖欠企业账款什么时候清偿", "城镇土地使用税一级土地税额", "绿色工厂数量全省第一")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path: Path):
    port = _free_port()
    chroma = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "chroma"
    server = subprocess.Popen([str(chroma), "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1",
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("chroma run exited") from None
            time.sleep(0.3)
    else:
        server.kill()
        raise RuntimeError("chroma run did not start within 60 s")
    yield url
    server.terminate()
    server.wait(timeout=20)


def test_server_and_embedded_stores_return_the_same_top_results(tmp_path, chroma_server):
    corpus = copy_corpus(tmp_path / "corpus", ("许昌市人民政府公报-2024-02.txt", "许昌日报-2022-09-27-04.txt"))
    embedded = Pipeline(make_settings(tmp_path / "embedded", corpus), embedder=HashingEmbedder())
    served = Pipeline(make_settings(tmp_path / "served", corpus, chroma_url=chroma_server), embedder=HashingEmbedder())
    assert embedded.ingest().total == served.ingest().total
    assert served.store.client.heartbeat() > 0  # really talking to the server
    for question in QUESTIONS:
        local = [h.chunk_id for h in embedded.retriever.search(question, k=5)]
        remote = [h.chunk_id for h in served.retriever.search(question, k=5)]
        assert remote == local, question


def test_two_machines_ingesting_into_one_server_leave_the_pointer_on_an_existing_collection(tmp_path, chroma_server):
    """The probe's case with a real server: two data dirs (two machines), each with its own client."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from tests.test_generations import two_machines_ingest_at_once

    port = int(chroma_server.rsplit(":", 1)[1])
    clients = [chromadb.HttpClient(host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False))
               for _ in range(2)]
    two_machines_ingest_at_once(tmp_path, *clients)
