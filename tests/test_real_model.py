"""End to end with the real embedding model (EmbeddingGemma, assembled by `rag models fetch`)."""

import pytest
from gradio_client import Client

from eval.measure import child_pids, running_app
from rag.config import Settings
from tests.helpers import all_exited, real_settings, wait_for_line

pytestmark = pytest.mark.model


def test_care_standard_question_returns_its_clause_first(real_pipeline):
    top = real_pipeline.retriever.search("特困人员照料护理标准是多少", k=5)[0]
    assert (top.metadata.doc_number, top.metadata.clause_path) == ("许政办〔2024〕3号", "四、（四）1.")
    assert "1/10、1/6、1/3" in top.text


@pytest.mark.parametrize(("question", "doc_number", "clause_path"), [
    ("五保老人的照料护理费按什么标准发？", "许政办〔2024〕3号", "四、（四）1."),  # 五保老人 is not the document's word
    ("困难家庭冬天烧暖气有没有补贴？", "许政办〔2024〕3号", "四、（六）1."),  # 取暖补贴 in the document
    ("拖欠企业的账款什么时候要还清？", "许政办〔2024〕4号", "六、22."),
])
def test_everyday_words_find_the_clause_first(real_pipeline, question, doc_number, clause_path):
    top = real_pipeline.retriever.search(question, k=5)[0]
    assert (top.metadata.doc_number, top.metadata.clause_path) == (doc_number, clause_path)


def test_the_onnx_backend_gives_the_torch_backends_vectors_and_rankings(real_pipeline):
    """Why the two backends share one model name, embedding cache and index (rag.index.embed.OnnxEmbedder)."""
    from dataclasses import replace

    import numpy as np

    from rag.index.embed import OnnxEmbedder, SentenceTransformerEmbedder, model_embedder

    settings = real_pipeline.settings
    onnx = model_embedder(replace(settings, embed_backend="onnx"))
    torch = model_embedder(replace(settings, embed_backend="torch"))
    assert (type(onnx), type(torch)) == (OnnxEmbedder, SentenceTransformerEmbedder) and onnx.name == torch.name
    chunks = sorted(real_pipeline.retriever.chunks.values(), key=lambda c: c.chunk_id)[:48]
    texts = [c.embed_text for c in chunks]
    questions = ["特困人员照料护理标准是多少", "困难家庭冬天烧暖气有没有补贴？", "企业上市有什么奖励"]
    documents = [onnx.embed_documents(texts), torch.embed_documents(texts)]
    queries = [np.stack([e.embed_query(q) for q in questions]) for e in (onnx, torch)]
    assert float((documents[0] * documents[1]).sum(axis=1).min()) > 0.99999
    assert float((queries[0] * queries[1]).sum(axis=1).min()) > 0.99999
    # batched by tokens, in any order of length, a text gets the vector it gets alone
    alone = np.stack([onnx.embed_documents([t])[0] for t in texts[:12]])
    assert float((documents[0][:12] * alone).sum(axis=1).min()) > 0.99999
    rankings = [np.argsort(-(q @ d.T), axis=1)[:, :5] for q, d in zip(queries, documents, strict=True)]
    assert (rankings[0] == rankings[1]).all()


def test_bf16_matrix_products_keep_float32s_vectors_under_a_name_of_their_own(real_pipeline):
    """bf16-matmul (RAG_EMBED_DTYPE) is float32 up to the fifth decimal of a cosine, yet its vectors are kept apart."""
    from dataclasses import replace

    import numpy as np

    from rag.index.embed import model_embedder

    settings = real_pipeline.settings
    float32 = model_embedder(settings)
    matmul = model_embedder(replace(settings, embed_dtype="bf16-matmul"))
    assert (float32.name, matmul.name) == ("embeddinggemma-300m", "embeddinggemma-300m-bf16mm")
    texts = [c.embed_text for c in sorted(real_pipeline.retriever.chunks.values(), key=lambda c: c.chunk_id)[:16]]
    cosines = (float32.embed_documents(texts) * matmul.embed_documents(texts)).sum(axis=1)
    assert float(cosines.min()) > 0.9999 and float(np.abs(cosines).max()) < 1.0001
    question = "特困人员照料护理标准是多少"
    assert float(float32.embed_query(question) @ matmul.embed_query(question)) > 0.9999


def test_the_care_answer_and_the_dibao_refusal_with_the_real_model(real_pipeline):
    care = real_pipeline.answerer.run("特困人员的照料护理标准是多少？")
    assert "1/10、1/6、1/3" in care.answer
    assert (care.citations[0].doc_number, care.citations[0].clause_path) == ("许政办〔2024〕3号", "四、（四）1.")
    dibao = real_pipeline.answerer.run("许昌低保每月发多少钱？")
    assert dibao.refused
    assert "可能相关：\n- 许政办〔2024〕3号 四、（一）1.：" in dibao.answer
    assert "建议咨询：市民政局" in dibao.answer


def _serve_and_ask(settings: Settings, question: str, complete: bool = False) -> tuple[dict, str, set[int]]:
    """Start `rag serve`, ask once through the API, stop it: (result, its terminal output, its child processes).
    complete: ask once a restart has read the complete index (it answers by keyword until then)."""
    with running_app(settings) as app:
        if complete:
            assert wait_for_line(app.log, "已读入完整索引，问答改用完整检索。")
        result = Client(app.url, verbose=False).predict(question, api_name="/ask")
        children = child_pids(app.process.pid)
        output = app.log.read_text()
    return result, output, children


def test_rag_serve_answers_at_once_builds_the_index_in_the_background_then_reuses_it(tmp_path, real_pipeline):
    """The README's run command: the first start answers by keyword while it builds the index, later starts
    reuse it; no process is left behind.

    Runs after real_pipeline has filled the embedding cache, so the first start embeds nothing new.
    """
    settings = real_settings(tmp_path)
    with running_app(settings) as app:
        result = Client(app.url, verbose=False).predict("特困人员的照料护理标准是多少？", api_name="/ask")
        assert "1/10、1/6、1/3" in result["answer"]
        assert (result["citations"][0]["doc_number"], result["citations"][0]["clause_path"]) == (
            "许政办〔2024〕3号", "四、（四）1.")
        assert wait_for_line(app.log, "语义索引已建立，已切换到完整检索。")
        output = app.log.read_text()
        assert "首次启动：先按关键词检索提供服务" in output, output
        first_children = child_pids(app.process.pid)
    assert first_children and all_exited(first_children)
    result, output, children = _serve_and_ask(settings, "特困人员的照料护理标准是多少？", complete=True)
    assert result["answer"].startswith("照料护理标准依据特困人员生活自理能力")  # no keyword-only notice
    assert "首次启动" not in output, output
    assert children and all_exited(children)  # the model's child process goes with the app
