"""An OpenAI-compatible chat server on 127.0.0.1 that replies from a script (streaming or not)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ScriptedLLM:
    """replies: {marker in the user's question: reply text}; unmatched questions get `default`; a streamed reply
    to a question holding a `broken` marker stops after its first piece, the connection closed mid-body; one to a
    question holding a `finish` marker ends with that finish_reason instead of "stop" (None: with none)."""

    def __init__(self, replies: dict[str, str], default: str = "文件中没有写明。", broken: tuple[str, ...] = (),
                 finish: dict[str, str | None] | None = None):
        self.replies = replies
        self.default = default
        self.broken = broken
        self.finish = finish or {}
        self.requests: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> ScriptedLLM:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reply_for(self, body: dict) -> str:
        question = body["messages"][-1]["content"].rsplit("问题：", 1)[-1]
        return next((reply for marker, reply in self.replies.items() if marker in question), self.default)

    def _handler(self):
        script = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                script.requests.append(body)
                text = script.reply_for(body)
                created = int(time.time())
                if body.get("stream"):
                    cut = any(marker in body["messages"][-1]["content"].rsplit("问题：", 1)[-1] for marker in script.broken)
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    if cut:  # promises more than it sends: the client sees the body end early, as when a server dies
                        self.send_header("Content-Length", "1000000")
                    self.end_headers()
                    for start in range(0, len(text), 8):
                        chunk = {"id": "s", "object": "chat.completion.chunk", "created": created, "model": body["model"],
                                 "choices": [{"index": 0, "delta": {"content": text[start:start + 8]}, "finish_reason": None}]}
                        self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                        if cut:
                            self.wfile.flush()
                            self.close_connection = True
                            return
                    question = body["messages"][-1]["content"].rsplit("问题：", 1)[-1]
                    reason = next((r for marker, r in script.finish.items() if marker in question), "stop")
                    end = {"id": "s", "object": "chat.completion.chunk", "created": created, "model": body["model"],
                           "choices": [{"index": 0, "delta": {}, "finish_reason": reason}]}
                    self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())
                    return
                payload = {"id": "c", "object": "chat.completion", "created": created, "model": body["model"],
                           "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                        "finish_reason": "stop"}],
                           "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
