"""The web app's login: a constant-time check, and failed attempts slowed down.

Gradio calls this on every POST /login. After FREE_FAILURES wrong passwords for a name, each further
attempt for it first waits 1, 2, 4 … up to MAX_DELAY seconds, until a right one. Names other than the
configured user share one count: they can never succeed, and the counts stay bounded however many
names an attacker tries. Attempts for one name take turns, waits included, so guessing in parallel is
no faster. (Anyone who knows the staff name can make its login wait too: the price of a shared name.)
"""

from __future__ import annotations

import asyncio
import hmac
import re
from collections.abc import Awaitable, Callable

FREE_FAILURES = 10
MAX_DELAY = 30.0
OTHER_NAMES = ""


class LoginGuard:
    def __init__(self, login: tuple[str, str], sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self.user, self.password = login
        self.sleep = sleep  # awaited, not time.sleep: the login route runs on the server's event loop
        self.failures: dict[str, int] = {}
        # one attempt at a time per name, its wait included: parallel guesses queue up behind each other's waits
        self.turns: dict[str, asyncio.Lock] = {}

    def _key(self, user: str) -> str:
        return user if user == self.user else OTHER_NAMES

    def delay(self, user: str) -> float:
        """Seconds the next attempt for this name waits before it is checked."""
        over = self.failures.get(self._key(user), 0) - FREE_FAILURES
        return 0.0 if over < 0 else min(MAX_DELAY, 2.0 ** over)

    async def check(self, user: str, password: str) -> bool:
        key = self._key(user)
        async with self.turns.setdefault(key, asyncio.Lock()):
            wait = self.delay(user)
            if wait:
                await self.sleep(wait)
            right = hmac.compare_digest(user.encode(), self.user.encode()) & hmac.compare_digest(
                password.encode(), self.password.encode())
            if right:
                self.failures.pop(key, None)
            else:
                self.failures[key] = self.failures.get(key, 0) + 1
            return right


# Gradio renders its page with the API description in it even before a login (routes.py); the page a
# visitor who has not logged in gets keeps an empty one instead.
API_DESCRIPTION = re.compile(rb"<script>window\.gradio_api_info = .*?;</script>", re.S)
NO_API_DESCRIPTION = b'<script>window.gradio_api_info = {"named_endpoints": {}, "unnamed_endpoints": {}};</script>'


class PageWithoutApiBeforeLogin:
    """ASGI middleware around the Gradio app (FastAPI's `middleware=`)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        gradio = scope.get("app")  # Starlette sets it before running its middleware
        if (scope["type"] != "http" or scope["method"] != "GET" or getattr(gradio, "auth", None) is None
                or self._logged_in(scope, gradio)):
            return await self.app(scope, receive, send)
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
            body = API_DESCRIPTION.sub(lambda _: NO_API_DESCRIPTION, body)
            headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
            await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewrite)

    @staticmethod
    def _logged_in(scope, gradio) -> bool:
        cookies = {}
        for name, value in scope["headers"]:
            if name == b"cookie":
                for pair in value.decode("latin-1").split(";"):
                    key, _, token = pair.strip().partition("=")
                    cookies[key] = token
        token = cookies.get(f"access-token-{gradio.cookie_id}") or cookies.get(f"access-token-unsecure-{gradio.cookie_id}")
        return token is not None and token in gradio.tokens
