"""The web app's login: a constant-time check, and failed attempts slowed down.

Gradio calls this on every POST /login. After FREE_FAILURES wrong passwords for a name, each further
attempt for it first waits 1, 2, 4 … up to MAX_DELAY seconds, until a right one. Names other than the
configured user share one count: they can never succeed, and the counts stay bounded however many
names an attacker tries.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable, Callable

FREE_FAILURES = 10
MAX_DELAY = 30.0
OTHER_NAMES = ""


class LoginGuard:
    def __init__(self, login: tuple[str, str], sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self.user, self.password = login
        self.sleep = sleep  # an event, not a blocking sleep: the login route runs on the server's event loop
        self.failures: dict[str, int] = {}

    def _key(self, user: str) -> str:
        return user if user == self.user else OTHER_NAMES

    def delay(self, user: str) -> float:
        """Seconds the next attempt for this name waits before it is checked."""
        over = self.failures.get(self._key(user), 0) - FREE_FAILURES
        return 0.0 if over < 0 else min(MAX_DELAY, 2.0 ** over)

    async def check(self, user: str, password: str) -> bool:
        wait = self.delay(user)
        if wait:
            await self.sleep(wait)
        right = hmac.compare_digest(user.encode(), self.user.encode()) & hmac.compare_digest(
            password.encode(), self.password.encode())
        key = self._key(user)
        if right:
            self.failures.pop(key, None)
        else:
            self.failures[key] = self.failures.get(key, 0) + 1
        return right
