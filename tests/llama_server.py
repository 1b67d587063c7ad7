"""The real OpenAI-compatible server that ./scripts/setup-llm installs (llama-cpp-python's llama_cpp.server with
Gemma 3 270M), run on a free 127.0.0.1 port for the tests that need a real one."""

from __future__ import annotations

import os
import subprocess
import threading
import urllib.request
from pathlib import Path

from tests.ui_server import free_port

MODEL = "gemma-3-270m-q4_k_m.gguf"
NOT_INSTALLED = "本地 LLM 服务器未安装（{}）：先运行 ./scripts/setup-llm"
READY = "Uvicorn running on"  # uvicorn's line once the server listens (the model is loaded before it starts)


def server_dir() -> Path:
    """Where setup-llm puts the server and the model, read from the same variables it reads."""
    if os.environ.get("RAG_LLM_SERVER_DIR"):
        return Path(os.environ["RAG_LLM_SERVER_DIR"]).expanduser()
    cache = os.environ.get("RAG_CACHE_DIR")
    return (Path(cache).expanduser() if cache else Path.home() / ".cache" / "zhengce-wenda") / "llama-cpp"


def missing(directory: Path) -> str:
    """What setup-llm has not finished there (its markers are written last), "" when both are in place."""
    wanted = [directory / "venv" / ".complete", directory / f"{MODEL}.verified"]
    return "、".join(str(path) for path in wanted if not path.exists())


class LlamaServer:
    """One llama_cpp.server process; `kill` ends it abruptly (a server going away), `start` brings it back on the
    same port, so answerers made with `url` keep working."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[str] | None = None
        self.output: list[str] = []  # everything the server printed: its last lines explain a failed start

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> None:
        # n_threads 1: on this 2-core machine shared with other jobs, two llama.cpp threads spin waiting for each
        # other (measured: 2–36 tokens/s with two, as the other jobs come and go, 15–22 with one). n_ctx 2048: the
        # app's prompt with five clauses is about 1,000 tokens.
        command = [str(self.directory / "venv" / "bin" / "python"), "-m", "llama_cpp.server",
                   "--model", str(self.directory / MODEL), "--chat_format", "gemma", "--n_ctx", "2048",
                   "--n_threads", "1", "--n_threads_batch", "1", "--host", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        env={**os.environ, "PYTHONUNBUFFERED": "1"})
        assert self.process.stdout is not None
        for line in self.process.stdout:  # each line as printed: the wait ends on the ready line, not a timer
            self.output.append(line)
            if READY in line:
                break
        else:
            raise RuntimeError(f"llama_cpp.server 未能启动（退出码 {self.process.wait()}）：\n{''.join(self.output[-20:])}")
        # the pipe is read to its end, or the server would block once it fills (it prints timings per reply)
        threading.Thread(target=self.output.extend, args=(self.process.stdout,), daemon=True).start()
        with urllib.request.urlopen(f"{self.url}/models", timeout=30) as response:  # listening: it answers now
            assert response.status == 200

    def kill(self) -> None:
        """Ends it at once, as a crash would; also the end of the session's server (it keeps nothing to save, and
        a graceful stop waits for a prompt a timed-out client left it evaluating)."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()
