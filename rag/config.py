"""Settings from the environment, with defaults that work from a fresh clone."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else default


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path
    data_dir: Path  # index, caches, feedback: never committed
    model_cache: Path  # assembled embedding models, outside the git tree
    model_path: Path | None  # any local sentence-transformers folder; None: the fetched default
    chroma_url: str  # empty: embedded PersistentClient under data_dir

    @classmethod
    def from_env(cls) -> Settings:
        model = os.environ.get("RAG_MODEL_PATH")
        return cls(
            corpus_dir=_path("RAG_CORPUS_DIR", PROJECT_ROOT / "corpus"),
            data_dir=_path("RAG_DATA_DIR", PROJECT_ROOT / "data"),
            model_cache=_path("RAG_MODEL_CACHE", Path.home() / ".cache" / "zhengce-wenda" / "models"),
            model_path=Path(model).expanduser() if model else None,
            chroma_url=os.environ.get("RAG_CHROMA_URL", ""),
        )
