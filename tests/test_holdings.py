"""What a generation holds is worked out once, when it is read, and every reader (search, answers, the page's
catalogue) sees the same value; a newly published generation brings its own."""

import shutil

import pytest

from rag.app.pipeline import Pipeline
from rag.index import holdings as holdings_module
from tests.fakes import HashingEmbedder
from tests.helpers import CORPUS, copy_corpus, make_settings

GAZETTE_2024 = "许昌市人民政府公报-2024-02.txt"
GAZETTE_2020 = "许昌市人民政府公报-2020-02.txt"


@pytest.fixture
def indexed(tmp_path, monkeypatch):
    """The 2024 issue indexed, and the sizes of the generations summed up from then on."""
    corpus = copy_corpus(tmp_path / "corpus", (GAZETTE_2024,))
    settings = make_settings(tmp_path, corpus)
    Pipeline(settings, embedder=HashingEmbedder()).ingest()
    built = []
    original = holdings_module.Holdings.of.__func__
    monkeypatch.setattr(holdings_module.Holdings, "of",
                        classmethod(lambda cls, chunks: built.append(len(chunks)) or original(cls, chunks)))
    return settings, built


def test_a_generation_is_summed_up_once_and_a_new_one_is_read_on_the_next_question(indexed):
    settings, built = indexed
    corpus = settings.corpus_dir
    app = Pipeline(settings, embedder=HashingEmbedder())
    for _ in range(3):  # three page loads and three questions
        library = app.catalogue()
        app.current_answerer().run("许政办〔2024〕3号 的责任单位是谁？")
    assert built == [446]
    holdings = app.retriever.holdings
    assert app.answerer.shelf is holdings.shelf
    assert library is app.catalogue()
    assert library.years == holdings.years
    assert "许政办〔2024〕3号 许昌市人民政府办公室关于加强低收入人口动态监测全面构建分层分类社会救助体系的实施意见" \
        in library.numbered_documents
    assert not any(d.startswith("许政〔2020〕") for d in library.numbered_documents)
    assert app.current_answerer().run("许政〔2020〕8号 三、（三）4. 的责任单位是谁？").text().startswith(
        "文件库中没有许政〔2020〕8号。")

    # staff publish the 2020 issue from another process: the running app reads it on the next question
    shutil.copy(CORPUS / "gazette" / GAZETTE_2020, corpus / "gazette" / GAZETTE_2020)
    manifest = (CORPUS / "sources.toml").read_text(encoding="utf-8")
    (corpus / "sources.toml").write_text(manifest, encoding="utf-8")
    Pipeline(settings, embedder=HashingEmbedder()).ingest()
    answer = app.current_answerer().run("许政〔2020〕8号 三、（三）4. 的责任单位是谁？")
    assert "市供电公司" in answer.text()
    assert built == [446, 940]  # the new generation, once
    newer = app.catalogue()
    assert newer is not library and newer.years[0] == 2020
    assert any(d.startswith("许政〔2020〕8号 ") for d in newer.numbered_documents)


def test_a_restart_s_keyword_answers_and_the_complete_index_share_one_summary(indexed):
    settings, built = indexed
    restarted = Pipeline(settings, embedder=HashingEmbedder())
    keyword = restarted.saved_keyword_answerer()
    assert keyword.run("特困人员的照料护理标准是多少？").citations[0].clause_path == "四、（四）1."
    assert restarted.retriever.holdings is keyword.retriever.holdings
    assert built == [446]
