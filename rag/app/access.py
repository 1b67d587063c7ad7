"""Who may see what, decided here only.

The chat and the library are public, unless RAG_UI_AUTH puts the whole app behind a login (an
internal-only deployment). The staff area (/staff: what people asked and how they rated it, managing
documents) is a Gradio app of its own behind a login of its own: RAG_STAFF_AUTH's, else RAG_UI_AUTH's;
with neither there is no staff area at all. RAG_ADMIN_AUTH unlocks managing documents inside it.

A login is Gradio's: POST {path}/login hands out a token in a cookie named after that app.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from rag.config import Settings

STAFF_PATH = "/staff"


class LoginTokens(Protocol):
    """What a mounted Gradio app (gradio.routes.App) keeps of its logins."""

    cookie_id: str
    tokens: dict[str, str]


def chat_login(settings: Settings) -> tuple[str, str] | None:
    """The login in front of the chat and the library; None: they are open to anyone."""
    return settings.ui_login


def staff_login(settings: Settings) -> tuple[str, str] | None:
    """The login in front of the staff area; None: there is no staff area."""
    return settings.staff_login or settings.ui_login


def signed_in(cookies: Mapping[str, str], app: LoginTokens) -> bool:
    """Whether these cookies carry a token `app` handed out at a login (and has not forgotten)."""
    token = cookies.get(f"access-token-{app.cookie_id}") or cookies.get(f"access-token-unsecure-{app.cookie_id}")
    return token is not None and token in app.tokens


class Door:
    """Whether a request carries a login of one mounted app; the app is known once it is mounted
    (site.web_server)."""

    def __init__(self) -> None:
        self.app: LoginTokens | None = None

    def allows(self, cookies: Mapping[str, str]) -> bool:
        return self.app is not None and signed_in(cookies, self.app)


class StaffDoor(Door):
    """The answer to "may this request see staff things?": only with the staff area's own login. Its cookie
    is set by POST /staff/login, so a browser sends it to paths under /staff only."""


class ChatDoor(Door):
    """The chat's login, for the JSON API beside it: its cookie is set by POST /login, so a browser sends it
    to /api too. `required`: RAG_UI_AUTH is set, the API is not open to anyone."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.required = chat_login(settings) is not None
