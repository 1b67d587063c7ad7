"""The web app's logins: a constant-time check, and failed attempts slowed down; and the middleware around
each Gradio app (its page in Chinese and, before a login, without the API description; a full queue said
in Chinese). Which login guards what is rag.app.access's decision.

Gradio calls this on every POST /login. Wrong passwords are counted per client address and name: after
FREE_FAILURES of them, each further attempt from that address for that name first waits 1, 2, 4 … up to
MAX_DELAY seconds, until a right one. So guessing is slowed, and the right password from another address
is never kept waiting by someone else's guesses. Names other than the configured user share one count
per address (they can never succeed); an IPv6 client counts by its /64, the block one host is given; at
most MAX_TRACKED address-name pairs are remembered, the longest unused forgotten first. Attempts for one
pair take turns, waits included, so guessing in parallel is no faster.

Gradio passes auth only the name and password: the address comes from the request, noted by the
middleware below (uvicorn has already taken it from X-Forwarded-For when a local proxy sent it).
"""

from __future__ import annotations

import asyncio
import contextvars
import hmac
import ipaddress
import json
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from rag.app.access import signed_in

FREE_FAILURES = 10
MAX_DELAY = 30.0
MAX_TRACKED = 10_000
OTHER_NAMES = ""
CLIENT = contextvars.ContextVar("client", default="")  # the address of the request being served


def client_key(host: str) -> str:
    """The address a count is kept for: an IPv6 address by its /64, anything else as it is."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:  # ::ffff:203.0.113.5 is an IPv4 client
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))


class LoginGuard:
    def __init__(self, login: tuple[str, str], sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self.user, self.password = login
        self.sleep = sleep  # awaited, not time.sleep: the login route runs on the server's event loop
        self.failures: OrderedDict[tuple[str, str], int] = OrderedDict()  # (address, name) → wrong passwords
        # one attempt at a time per pair, its wait included: parallel guesses queue up behind each other's waits
        self.turns: dict[tuple[str, str], asyncio.Lock] = {}

    def _key(self, user: str, client: str | None = None) -> tuple[str, str]:
        return client_key(CLIENT.get() if client is None else client), user if user == self.user else OTHER_NAMES

    def delay(self, user: str, client: str | None = None) -> float:
        """Seconds the next attempt for this name from this address (default: the request's) waits."""
        over = self.failures.get(self._key(user, client), 0) - FREE_FAILURES
        return 0.0 if over < 0 else min(MAX_DELAY, 2.0 ** over)

    async def check(self, user: str, password: str) -> bool:
        key = self._key(user)
        turn = self.turns.setdefault(key, asyncio.Lock())
        async with turn:
            wait = self.delay(user)
            if wait:
                await self.sleep(wait)
            right = hmac.compare_digest(user.encode(), self.user.encode()) & hmac.compare_digest(
                password.encode(), self.password.encode())
            if right:
                self.failures.pop(key, None)
            else:
                self.failures[key] = self.failures.get(key, 0) + 1
                self.failures.move_to_end(key)
                while len(self.failures) > MAX_TRACKED:
                    self._forget(self.failures.popitem(last=False)[0])
        if key not in self.failures:
            self._forget(key)
        return right

    def _forget(self, key: tuple[str, str]) -> None:
        turn = self.turns.get(key)
        if turn is not None and not turn.locked():
            del self.turns[key]


# Gradio renders its page with the API description in it even before a login (routes.py); the page a
# visitor who has not logged in gets keeps an empty one instead.
API_DESCRIPTION = re.compile(rb"<script>window\.gradio_api_info = .*?;</script>", re.S)
NO_API_DESCRIPTION = b'<script>window.gradio_api_info = {"named_endpoints": {}, "unnamed_endpoints": {}};</script>'
# Gradio's own words (its login form, 「Drop File Here」 …) follow the browser's language, English where that is
# not Chinese; run before Gradio's scripts, this makes them its own 简体中文 for every visitor. Not in the
# app's `head`: Gradio adds that only after a login, and its login form must be Chinese too.
CHINESE = b"<head><script>for (const key of ['language', 'languages']) Object.defineProperty(navigator, key, " \
          b"{get: () => key === 'language' ? 'zh-CN' : ['zh-CN']});</script>"


class GradioPage:
    """ASGI middleware around a Gradio app (FastAPI's `middleware=`): its page in Chinese, without the API
    description for a visitor not logged in; it also notes each request's client address for LoginGuard."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":  # for LoginGuard: whose attempt this is
            CLIENT.set((scope.get("client") or ("",))[0])
        if scope["type"] != "http" or scope["method"] != "GET":
            return await self.app(scope, receive, send)
        gradio = scope.get("app")  # Starlette sets it before running its middleware
        hide_api = getattr(gradio, "auth", None) is not None and not signed_in(_cookies(scope), gradio)
        start, body, html = None, b"", False

        async def rewrite(message):
            nonlocal start, body, html
            if message["type"] == "http.response.start":
                start = message
                html = b"text/html" in dict(message["headers"]).get(b"content-type", b"")
                if not html:  # streams (heartbeats, events), files: passed through as they come
                    await send(message)
                return
            if not html or message["type"] != "http.response.body":
                await send(message)
                return
            body += message.get("body", b"")
            if message.get("more_body"):
                return
            body = body.replace(b"<head>", CHINESE, 1)
            if hide_api:
                body = API_DESCRIPTION.sub(lambda _: NO_API_DESCRIPTION, body)
            headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
            await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewrite)


def _cookies(scope) -> dict[str, str]:
    cookies = {}
    for name, value in scope["headers"]:
        if name == b"cookie":
            for pair in value.decode("latin-1").split(";"):
                key, _, token = pair.strip().partition("=")
                cookies[key] = token
    return cookies


QUEUE_FULL = "现在提问的人较多，请稍候再试。"  # what the page's script says for Gradio's English notice too
WRONG_LOGIN = "账号或密码不正确。"  # the page's login form and the staff page's admin unlock say it alike


# Gradio's own English error details, as the person reads them (the login form shows `detail` as it is).
# Its 401 {"detail": {"error": "Not authenticated", "auth_message": …}} is left alone: the page reads that key
# to show the login form, with our Chinese auth_message
GRADIO_DETAILS_IN_CHINESE = {
    "Queue is full": QUEUE_FULL,
    "Incorrect credentials": WRONG_LOGIN,
    "File not allowed": "不能读取这个文件。",
    "Invalid JSON body": "请求内容不是有效的 JSON。",
    "Not found": "没有找到。",
}


class GradioErrorsInChinese:
    """ASGI middleware around a Gradio app: its errors come as English JSON ({"detail": "Incorrect
    credentials."}, "Queue is full. Max size is 64 …", "File not allowed: …"); the same status, said in
    Chinese. A detail not listed passes as it is."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start, body = None, b""

        async def rewrite(message):
            nonlocal start, body
            if message["type"] == "http.response.start" and message["status"] >= 400:
                start = message  # held until its body is read
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            body += message.get("body", b"")
            if message.get("more_body"):
                return
            try:
                detail = json.loads(body).get("detail")
            except (ValueError, AttributeError):
                detail = None
            said = next((chinese for english, chinese in GRADIO_DETAILS_IN_CHINESE.items()
                         if isinstance(detail, str) and detail.startswith(english)), None)
            if said is not None:
                body = json.dumps({"detail": said}, ensure_ascii=False).encode()
            headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
            await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewrite)
