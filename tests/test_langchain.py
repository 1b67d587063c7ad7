"""The README's LangChain example, run as written against the bundled corpus with the real model."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"

pytestmark = pytest.mark.model


def _block(marker: str) -> str:
    """The fenced block right after `<!-- marker -->` in the README."""
    found = re.search(rf"<!-- {marker} -->\n```[a-z]*\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert found, f"README has no {marker} block"
    return found.group(1)


def test_the_readme_langchain_example_prints_what_the_readme_says(real_pipeline):
    settings = real_pipeline.settings
    env = {**os.environ, "RAG_DATA_DIR": str(settings.data_dir), "RAG_CORPUS_DIR": str(settings.corpus_dir),
           "RAG_CACHE_DIR": str(settings.cache_dir)}
    run = subprocess.run([sys.executable, "-c", _block("langchain-example")], env=env, capture_output=True,
                         text=True, timeout=600, cwd=README.parent)
    assert run.returncode == 0, run.stderr
    assert run.stdout == _block("langchain-output")


def test_each_document_carries_the_citation_fields_of_its_clause(real_pipeline):
    from rag.app.langchain_adapter import PolicyRetriever, ask_runnable
    from rag.search.retrieve import SearchFilters

    [document] = PolicyRetriever(retriever=real_pipeline.retriever, k=1).invoke("特困人员的照料护理标准是多少？")
    title = "许昌市人民政府办公室关于加强低收入人口动态监测全面构建分层分类社会救助体系的实施意见"
    assert document.page_content.startswith("1.特困人员照料护理。")
    assert document.metadata == {
        "rank": 1, "score": document.metadata["score"], "doc_number": "许政办〔2024〕3号", "doc_title": title,
        "clause_path": "四、（四）1.", "issue": "《许昌市人民政府公报》2024年第2期",
        "source": "gazette/许昌市人民政府公报-2024-02.txt", "page": 72, "status": "现行有效", "version_date": 20240430,
        "citation": f"《{title}》（许政办〔2024〕3号）四、（四）1.，载《许昌市人民政府公报》2024年第2期 第72页",
        "link": "/?doc=%E8%AE%B8%E6%94%BF%E5%8A%9E%E3%80%942024%E3%80%953%E5%8F%B7"
                "&clause=%E5%9B%9B%E3%80%81%EF%BC%88%E5%9B%9B%EF%BC%891."}
    older = PolicyRetriever(retriever=real_pipeline.retriever, k=3, filters=SearchFilters(year=2020))
    assert {d.metadata["issue"] for d in older.invoke("养老服务由谁负责？")} == {"《许昌市人民政府公报》2020年第2期"}
    follow_up = ask_runnable(real_pipeline.answerer).invoke(
        {"question": "那农村的呢？", "previous": ["城市低保家庭住房困难怎么办？"]})
    assert [(c["doc_number"], c["clause_path"]) for c in follow_up["citations"]] == [("许政办〔2024〕3号", "四、（二）3.")]
