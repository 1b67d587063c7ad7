"""Measurement helpers shared by the benchmark and the scale run."""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rag.config import Settings


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timed(function, questions) -> tuple[float, float]:
    """p50 and p95 milliseconds of function(question) over the questions."""
    latencies = []
    for question in questions:
        started = time.perf_counter()
        function(question)
        latencies.append(time.perf_counter() - started)
    return statistics.median(latencies) * 1000, percentile(latencies, 0.95) * 1000


def peak_rss_mib() -> int:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not inherited across exec from the parent)."""
    status = Path("/proc/self/status").read_text()
    return round(int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024)


def rss_mib(pid: int) -> int:
    """A running process's current RSS."""
    status = Path(f"/proc/{pid}/status").read_text()
    return round(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)


def _state_and_parent(stat: Path) -> tuple[str, int] | None:
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except OSError:  # exited while we looked
        return None
    return fields[0], int(fields[1])


def child_pids(parent: int) -> set[int]:
    """Live (not zombie) processes whose parent is `parent`, read from /proc."""
    return {int(stat.parent.name) for stat in Path("/proc").glob("[0-9]*/stat")
            if (found := _state_and_parent(stat)) and found[0] != "Z" and found[1] == parent}


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used so far (user and system), with its children it has reaped; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def is_running(pid: int) -> bool:
    found = _state_and_parent(Path(f"/proc/{pid}/stat"))
    return found is not None and found[0] != "Z"


@dataclass(frozen=True)
class RunningApp:
    process: subprocess.Popen
    url: str
    started: float  # time.perf_counter() when the command ran
    page_seconds: float  # from then to the page answering
    log: Path  # the app's terminal output (stdout and stderr)


@contextmanager
def running_app(settings: Settings, timeout: float = 600) -> Iterator[RunningApp]:
    """`rag serve` as a subprocess on a free port over these settings' folders, until its page answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "RAG_DATA_DIR": str(settings.data_dir), "RAG_CORPUS_DIR": str(settings.corpus_dir),
           "RAG_CACHE_DIR": str(settings.cache_dir), "RAG_EMBED_BACKEND": settings.embed_backend,
           "RAG_EMBED_DTYPE": settings.embed_dtype}
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "serve.log"
        with log.open("w") as output:
            started = time.perf_counter()
            process = subprocess.Popen([sys.executable, "-m", "rag.app.cli", "serve", "--port", str(port)], env=env,
                                       stdout=output, stderr=subprocess.STDOUT)
        try:
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                    break
                except OSError:
                    if process.poll() is not None or time.perf_counter() - started > timeout:
                        raise RuntimeError(f"rag serve 未能启动：\n{log.read_text()}") from None
                    time.sleep(0.2)
            yield RunningApp(process, f"http://127.0.0.1:{port}/", started, time.perf_counter() - started, log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a 10× index still being read on a busy machine: its result stands
                process.kill()
                process.wait()


@dataclass(frozen=True)
class AppStart:
    page_seconds: float
    answer_seconds: float
    cited: str  # the first answer's first citation, to show it was a real answer
    app_mib: int  # the app process's RSS after the first answer
    model_mib: int  # its child processes' (the embedding model)
    keyword: bool  # the first answer came from keyword retrieval (the complete index was not serving yet)
    complete_seconds: float | None  # to the first answer from the complete index (None: not waited for)
    app_cpu: float  # CPU seconds the app process had used at the first answer
    model_cpu: float  # and its child processes (the embedding model)
    load: float  # the 1-minute load average when the app was started: the machine is shared


QUESTION = "特困人员的照料护理标准是多少？"


RESTART_WITHIN = 600  # seconds a restart may take to serve from the complete index


def app_start(settings: Settings, wait_complete: bool = True, complete_within: float = RESTART_WITHIN,
              probe_every: float = 0.1) -> AppStart:
    """`rag serve`: seconds to the page, to the first cited answer through the API and, with `wait_complete`, to the
    first answer from the complete index (a restart answers by keyword until the index is read and the model
    loaded; a first start until its vectors are built), and the CPU seconds spent by the first answer."""
    from gradio_client import Client

    from rag.answer.answerer import KEYWORD_ONLY

    load = os.getloadavg()[0]
    with running_app(settings) as app:
        client = Client(app.url, verbose=False)
        answer = client.predict(QUESTION, api_name="/ask")
        seconds = time.perf_counter() - app.started
        app_cpu = cpu_seconds(app.process.pid)
        children = child_pids(app.process.pid)
        model_cpu = sum(cpu_seconds(pid) for pid in children)
        # read now: a first start's embedding child exits once the vectors are built
        app_mib, model_mib = rss_mib(app.process.pid), sum(rss_mib(pid) for pid in children)
        first = answer["citations"][0] if answer["citations"] else {"doc_number": "（拒答）", "clause_path": ""}
        keyword = KEYWORD_ONLY in answer["answer"]
        complete: float | None = seconds if wait_complete else None
        waiting = keyword and wait_complete
        while waiting:
            if time.perf_counter() - app.started > complete_within:
                raise RuntimeError(f"启动后 {complete_within:.0f} 秒仍按关键词检索")
            time.sleep(probe_every)
            waiting = KEYWORD_ONLY in client.predict(QUESTION, api_name="/ask")["answer"]
            complete = time.perf_counter() - app.started
        return AppStart(app.page_seconds, seconds, f"{first['doc_number']} {first['clause_path']}",
                        app_mib, model_mib, keyword, complete, app_cpu, model_cpu, load)
