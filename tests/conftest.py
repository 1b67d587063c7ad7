from pathlib import Path

import pytest


@pytest.fixture
def tmp_corpus(tmp_path: Path) -> Path:
    """An empty corpus folder with its own manifest, for bad-input tests."""
    (tmp_path / "sources.toml").write_text("", encoding="utf-8")
    return tmp_path
