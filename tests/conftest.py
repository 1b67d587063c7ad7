from pathlib import Path

import pytest


@pytest.fixture
def tmp_corpus(tmp_path: Path) -> Path:
    """An empty corpus folder with its own manifest, for bad-input tests."""
    (tmp_path / "sources.toml").write_text("", encoding="utf-8")
    return tmp_path


@pytest.fixture(scope="session")
def real_pipeline(tmp_path_factory):
    """The whole corpus indexed with the real embedding model, shared by the real-model tests."""
    from rag.app.pipeline import Pipeline
    from tests.helpers import real_settings

    pipeline = Pipeline(real_settings(tmp_path_factory.mktemp("real")))
    report = pipeline.ingest()
    assert report.errors == [] and report.total > 900
    return pipeline


@pytest.fixture(scope="session")
def llama_server():
    """The real local LLM server of ./scripts/setup-llm (scripts/test runs it first), started once per session.
    Not installed is a failure, never a skip: the real-server tests are part of the suite."""
    from tests.llama_server import NOT_INSTALLED, LlamaServer, missing, server_dir

    directory = server_dir()
    if missing(directory):
        pytest.fail(NOT_INSTALLED.format(missing(directory)), pytrace=False)
    server = LlamaServer(directory)
    server.start()
    yield server
    server.kill()
