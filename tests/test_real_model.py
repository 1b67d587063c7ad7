"""End to end with the real embedding model (EmbeddingGemma, assembled by `rag models fetch`)."""

import pytest

from rag.config import Settings
from rag.pipeline import Pipeline
from tests.helpers import CORPUS, make_settings

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def real_pipeline(tmp_path_factory):
    # the shared cache dir holds the fetched model and the embedding cache, so reruns embed nothing
    shared = Settings.from_env()
    settings = make_settings(tmp_path_factory.mktemp("real"), CORPUS)
    settings = type(settings)(**{**settings.__dict__, "cache_dir": shared.cache_dir})
    pipeline = Pipeline(settings)
    report = pipeline.ingest()
    assert report.errors == [] and report.total > 900
    return pipeline


def test_care_standard_question_returns_its_clause_first(real_pipeline):
    top = real_pipeline.retriever.search("特困人员照料护理标准是多少", k=5)[0]
    assert (top.metadata["doc_number"], top.metadata["clause_path"]) == ("许政办〔2024〕3号", "四、（四）1.")
    assert "1/10、1/6、1/3" in top.text


@pytest.mark.parametrize(("question", "doc_number", "clause_path"), [
    ("五保老人的照料护理费按什么标准发？", "许政办〔2024〕3号", "四、（四）1."),  # 五保老人 is not the document's word
    ("困难家庭冬天烧暖气有没有补贴？", "许政办〔2024〕3号", "四、（六）1."),  # 取暖补贴 in the document
    ("拖欠企业的账款什么时候要还清？", "许政办〔2024〕4号", "六、22."),
])
def test_everyday_words_find_the_clause_first(real_pipeline, question, doc_number, clause_path):
    top = real_pipeline.retriever.search(question, k=5)[0]
    assert (top.metadata["doc_number"], top.metadata["clause_path"]) == (doc_number, clause_path)


def test_the_care_answer_and_the_dibao_refusal_with_the_real_model(real_pipeline):
    care = real_pipeline.answerer.run("特困人员的照料护理标准是多少？")
    assert "1/10、1/6、1/3" in care.answer
    assert (care.citations[0].doc_number, care.citations[0].clause_path) == ("许政办〔2024〕3号", "四、（四）1.")
    dibao = real_pipeline.answerer.run("许昌低保每月发多少钱？")
    assert dibao.refused
    assert "可能相关：\n- 许政办〔2024〕3号 四、（一）1.：" in dibao.answer
    assert "建议咨询：市民政局、市财政局。" in dibao.answer
