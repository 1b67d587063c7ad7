"""The LLM path against a real OpenAI-compatible server: llama-cpp-python's llama_cpp.server with Gemma 3 270M, as
./scripts/setup-llm installs it. A test of the plumbing, not of answer quality: the model is the base model, whose
replies are greedy (temperature 0) and never end by themselves within a short cap, so which fallback each test
sees is fixed."""

from dataclasses import replace

import pytest
from gradio_client import Client

from rag.answer import Answerer
from rag.answer.answerer import LLM_ANSWER_REJECTED, LLM_BROKE_OFF, LLM_UNAVAILABLE
from rag.answer.llm import make_llm
from rag.app.pipeline import Pipeline
from tests.fakes import HashingEmbedder
from tests.helpers import copy_corpus, make_settings
from tests.ui_server import SMALL_CORPUS, start_app

CARE = "特困人员的照料护理标准是多少？"
CARE_ANSWER = ("照料护理标准依据特困人员生活自理能力和服务需求分档制定，分为全自理标准、半自理标准和全护理标准三档，"
               "分别为不低于当地上年度最低工资标准1/10、1/6、1/3。 [1]")
CARE_CLAUSE = ("许政办〔2024〕3号", "四、（四）1.")
LAND_TAX = "一级土地年税额标准为每平方米多少元？"
LAND_TAX_CLAUSE = ("许政〔2024〕15号", "二、")
UNSEEN = "申请刚性支出困难家庭不予认定的多久书面告知？"  # asked by the timeout test alone: a prompt new to the server
UNSEEN_CLAUSE = ("许政办〔2024〕3号", "二、（二）2.")


@pytest.fixture(scope="module")
def settings(tmp_path_factory, llama_server):
    """The two-file corpus indexed once, pointed at the real server."""
    root = tmp_path_factory.mktemp("llm-server")
    settings = replace(make_settings(root, copy_corpus(root / "corpus", SMALL_CORPUS)), llm_base_url=llama_server.url,
                       llm_model="gemma-3-270m")
    Pipeline(settings, embedder=HashingEmbedder()).ingest()
    return settings


def _answerer(settings, **llm) -> Answerer:
    """The app's answerer over the indexed corpus, with these LLM settings (llm_timeout, llm_max_tokens)."""
    return Pipeline(replace(settings, **llm), embedder=HashingEmbedder()).answerer


def _first_line(answer) -> str:
    return answer.answer.split("\n")[0]


def test_the_page_streams_the_real_reply_then_shows_the_extractive_answer(tmp_path, llama_server):
    """32 tokens are never a whole reply from this model: the server stops it at the cap, so the page shows the
    reply as it streams and then the extractive answer with the cut-off notice, never the half reply."""
    app, url, _feedback = start_app(tmp_path, llm_url=llama_server.url, llm_max_tokens=32)
    try:
        job = Client(url, verbose=False).submit(CARE, "全部", "全部", "全部", api_name="/respond")
        updates = [chat for chat, _box in job]  # every update the page received, in order
    finally:
        app.close()
    bubbles = [chat[1]["content"][0]["text"] for chat in updates]  # the answer's bubble, after the question
    final = updates[-1][1:]  # the answer, then its citations folded
    streamed = bubbles[1:-1]  # after 「正在检索相关条款…」 and before the answer: the model's text as it came
    assert bubbles[0] == "正在检索相关条款…" and len(streamed) > 1
    assert bubbles[-1].split("  \n")[:2] == [f"（{LLM_BROKE_OFF.format('达到长度上限')}）", CARE_ANSWER]
    assert streamed[-1] not in bubbles[-1]  # the half reply is gone
    assert final[1]["metadata"]["title"] == f"[1] {' '.join(CARE_CLAUSE)}"


def test_a_reply_that_fails_the_checks_is_replaced_by_the_extractive_answer(settings, llama_server):
    """Ended at its first line break (a stop, as an instruction model's end of turn would end it), the reply is
    「[1] 1.000元/平方米」: an amount the cited clause does not hold."""
    llm = make_llm(llama_server.url, "gemma-3-270m", "", max_tokens=64).bind(stop=["\n"])
    answerer = Answerer(_answerer(settings).retriever, llm=llm)
    *pieces, answer = answerer.stream(LAND_TAX)
    assert pieces and "".join(pieces) not in answer.answer
    assert answer.backend == "extractive" and _first_line(answer) == f"（{LLM_ANSWER_REJECTED}）"
    assert [(c.doc_number, c.clause_path) for c in answer.citations][:1] == [LAND_TAX_CLAUSE]


def test_the_server_going_away_mid_answer_leaves_the_extractive_answer(settings, llama_server):
    """Killed at the first streamed piece of a reply that would run on for a thousand tokens; restarted after."""
    stream = _answerer(settings, llm_max_tokens=1000).stream(CARE)
    try:
        first = next(stream)
        llama_server.kill()
        *_rest, answer = stream  # no exception reaches the caller
    finally:
        llama_server.start()
    assert isinstance(first, str) and first
    assert answer.backend == "extractive"
    assert answer.answer.split("\n")[:2] == [f"（{LLM_BROKE_OFF.format('OpenAIConnectionError')}）", CARE_ANSWER]
    assert [(c.doc_number, c.clause_path) for c in answer.citations] == [CARE_CLAUSE]


def test_a_server_slower_than_the_timeout_leaves_the_extractive_answer(settings):
    """RAG_LLM_TIMEOUT 0.05 s against a prompt the server has not seen: it needs seconds before its first token."""
    *pieces, answer = _answerer(settings, llm_timeout=0.05).stream(UNSEEN)
    assert answer.backend == "extractive"
    assert pieces == [answer.answer]  # no model text came: the extractive answer is the one piece
    assert _first_line(answer) == f"（{LLM_UNAVAILABLE.format('OpenAITimeoutError')}）"
    assert [(c.doc_number, c.clause_path) for c in answer.citations][:1] == [UNSEEN_CLAUSE]
