"""Settings from the environment, with defaults that work from a fresh clone."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PROMPTS_DIR = PROJECT_ROOT / "prompts"  # answer templates and LLM prompts: edited without touching code


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else default


EMBED_BACKENDS = ("onnx", "torch")
EMBED_DTYPES = ("float32", "bfloat16", "bf16-matmul")
Number = TypeVar("Number", int, float)


class SettingsError(ValueError):
    """A setting from the environment has a value the app cannot use; the message names it."""


def _port(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or not 0 < int(value) < 65536:
        raise SettingsError(f"RAG_UI_PORT={value!r} 无效：应为 1–65535 的端口号")
    return int(value)


def _login(name: str) -> tuple[str, str] | None:
    """name=user:password; empty: no login. A value without both halves is an error, not "no login":
    a typo must not leave the app open."""
    value = os.environ.get(name, "")
    if not value:
        return None
    user, _, password = value.partition(":")
    if not user or not password:
        raise SettingsError(f"{name} 格式应为 用户名:密码（两者都不能为空）")
    return user, password


def _above_zero(name: str, default: str, kind: Callable[[str], Number]) -> Number:
    """A count or a number of seconds that must be above zero: 0 would mean "no reply" or "never wait"."""
    value = os.environ.get(name, default)
    try:
        number = kind(value)
    except ValueError:
        number = None
    if number is None or not number > 0:
        raise SettingsError(f"{name}={value!r} 无效：应为大于 0 的{'整数' if kind is int else '数'}")
    return number


MIN_API_KEY = 16  # characters: a key is a program's password, and is sent on every request


def _api_keys(value: str) -> tuple[str, ...]:
    """RAG_API_KEYS: comma-separated keys for programs calling /api/…; empty: none."""
    keys = tuple(key.strip() for key in value.split(",") if key.strip())
    if any(len(key) < MIN_API_KEY for key in keys):
        raise SettingsError(f"RAG_API_KEYS 中有密钥太短：每个至少 {MIN_API_KEY} 个字符（可用 openssl rand -hex 24 生成）")
    return keys


def _choice(variable: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(variable, default)
    if value not in choices:
        raise SettingsError(f"{variable}={value!r} 无效：可选 {' / '.join(choices)}")
    return value


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path
    data_dir: Path  # index, caches, feedback: never committed
    cache_dir: Path  # assembled models and the embedding cache: outside the git tree, reused by CI
    model_path: Path | None  # any local sentence-transformers folder; None: the fetched default
    chroma_url: str  # empty: embedded PersistentClient under data_dir
    # float32; bfloat16 (the whole model in bf16); bf16-matmul (float32 weights, matrix products in bf16 under
    # torch autocast, the rest in float32). Both bf16 forms run on torch and are fast only on a CPU with bf16
    # instructions (AMX, AVX512-BF16); eval/bench.md compares them on every question set
    embed_dtype: str
    # onnx: the exported graph run by onnxruntime (faster, ~0.5 GB less memory, no torch in the app);
    # torch: sentence-transformers. Both give the same vectors, so they share the embedding cache and index.
    embed_backend: str = "onnx"
    llm_base_url: str = ""  # an OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp …); empty: extractive
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout: float = 60.0  # seconds the app waits for the model's next bytes before answering extractively
    llm_max_tokens: int = 1024  # the reply's length cap; a reply stopped by it is cut off, never shown
    ui_port: int = 7860
    ui_login: tuple[str, str] | None = None  # (user, password) for the whole web app (internal-only); None: open
    # (user, password) for the staff area (/staff: feedback, documents) while the chat stays open;
    # None: the staff area takes ui_login's, and without either there is no staff area
    staff_login: tuple[str, str] | None = None
    # (user, password) that unlocks managing documents inside the staff area (which needs a login of its own)
    admin_login: tuple[str, str] | None = None
    api_keys: tuple[str, ...] = ()  # keys a program presents to /api/… (rag.app.api); none: the API follows the page

    @property
    def model_cache(self) -> Path:
        return self.cache_dir / "models"

    @property
    def embedding_cache(self) -> Path:
        return self.cache_dir / "embeddings.sqlite"

    @classmethod
    def from_env(cls) -> Settings:
        model = os.environ.get("RAG_MODEL_PATH")
        ui_login, staff_login, admin_login = _login("RAG_UI_AUTH"), _login("RAG_STAFF_AUTH"), _login("RAG_ADMIN_AUTH")
        if admin_login and not (staff_login or ui_login):  # the staff area exists only behind a login
            raise SettingsError("设置了 RAG_ADMIN_AUTH 却没有 RAG_STAFF_AUTH（或 RAG_UI_AUTH）：管理文件在工作人员页里，"
                                "工作人员页要先登录才能打开")
        return cls(
            corpus_dir=_path("RAG_CORPUS_DIR", PROJECT_ROOT / "corpus"),
            data_dir=_path("RAG_DATA_DIR", PROJECT_ROOT / "data"),
            cache_dir=_path("RAG_CACHE_DIR", Path.home() / ".cache" / "zhengce-wenda"),
            model_path=Path(model).expanduser() if model else None,
            chroma_url=os.environ.get("RAG_CHROMA_URL", ""),
            embed_dtype=_choice("RAG_EMBED_DTYPE", "float32", EMBED_DTYPES),
            embed_backend=_choice("RAG_EMBED_BACKEND", "onnx", EMBED_BACKENDS),
            llm_base_url=os.environ.get("RAG_LLM_BASE_URL", ""),
            llm_model=os.environ.get("RAG_LLM_MODEL", ""),
            llm_api_key=os.environ.get("RAG_LLM_API_KEY", ""),
            llm_timeout=_above_zero("RAG_LLM_TIMEOUT", "60", float),
            llm_max_tokens=_above_zero("RAG_LLM_MAX_TOKENS", "1024", int),
            ui_port=_port(os.environ.get("RAG_UI_PORT", "7860")),
            ui_login=ui_login,
            staff_login=staff_login,
            admin_login=admin_login,
            api_keys=_api_keys(os.environ.get("RAG_API_KEYS", "")),
        )
