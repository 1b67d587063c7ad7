"""The LLM backend over real HTTP with a scripted OpenAI-compatible server (a real one: test_llm_server.py)."""

import pytest

from rag.answer import Answerer
from rag.answer.llm import make_llm, verify
from rag.app.pipeline import Pipeline
from rag.config import Settings, SettingsError
from rag.index.chunk import ClauseMeta
from rag.search.retrieve import Hit
from tests.fakes import HashingEmbedder
from tests.helpers import copy_corpus, make_settings
from tests.scripted_llm import ScriptedLLM

GOOD = "特困人员的照料护理标准是多少"
BOGUS = "照料护理标准分几档"
INVENTED = "照料护理费怎么定标准"
MIXED = "照料护理标准按什么定"
CUT = "照料护理标准分哪几档"
CAPPED = "照料护理标准是怎样分档的"
INTERRUPTED = "照料护理标准如何分档"
REPLIES = {
    GOOD: "特困人员照料护理标准分全自理、半自理、全护理三档，分别不低于当地上年度最低工资标准的1/10、1/6、1/3[1]。",
    BOGUS: "分为三档[9]。",
    INVENTED: "照料护理费为每人每月800元[1]。",
    MIXED: "分别不低于当地上年度最低工资标准的1/10、1/6、1/3[1][7]。",
    CUT: "分全自理、半自理、全护理三档[1]。分别不低于当地上年度最低工资标准的1/10、1/6、1/3[1]。",
    CAPPED: "分全自理、半自理、全护理三档[1]。",
    INTERRUPTED: "分全自理、半自理、全护理三档[1]。",
}


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    root = tmp_path_factory.mktemp("llm")
    corpus = copy_corpus(root / "corpus", ("许昌市人民政府公报-2024-02.txt",))
    pipeline = Pipeline(make_settings(root, corpus), embedder=HashingEmbedder())
    pipeline.ingest()
    return pipeline.retriever


@pytest.fixture(scope="module")
def scripted():
    with ScriptedLLM(REPLIES, broken=(CUT,), finish={CAPPED: "length", INTERRUPTED: None}) as server:
        yield server


def _answerer(retriever, server) -> Answerer:
    return Answerer(retriever, llm=make_llm(server.url, "scripted", "test-key"))


def test_a_grounded_reply_is_shown_with_citations_from_metadata(retriever, scripted):
    answer = _answerer(retriever, scripted).run(GOOD + "？")
    assert answer.backend == "llm" and not answer.refused
    assert answer.answer.startswith("特困人员照料护理标准分全自理、半自理、全护理三档")
    assert [(c.doc_number, c.clause_path) for c in answer.citations] == [("许政办〔2024〕3号", "四、（四）1.")]
    assert "1/10、1/6、1/3" in answer.citations[0].quote
    sent = scripted.requests[-1]["messages"]
    assert sent[0]["role"] == "system" and "[1] 《许昌市人民政府办公室关于" in sent[1]["content"]


def test_a_fabricated_citation_number_never_reaches_the_user(retriever, scripted):
    answer = _answerer(retriever, scripted).run(BOGUS + "？")
    assert answer.backend == "extractive"
    assert "[9]" not in answer.answer
    assert answer.answer.startswith("（大模型的回答未通过引用和数字核对，已改用原文摘录回答。）")
    assert answer.citations[0].clause_path == "四、（四）1."


def test_an_invented_amount_is_caught(retriever, scripted):
    answer = _answerer(retriever, scripted).run(INVENTED + "？")
    assert answer.backend == "extractive"
    assert "800元" not in answer.answer


def test_invalid_marks_are_dropped_and_valid_ones_kept(retriever, scripted):
    answer = _answerer(retriever, scripted).run(MIXED + "？")
    assert answer.backend == "llm"
    assert "[7]" not in answer.answer and "[1]" in answer.answer
    assert len(answer.citations) == 1


def test_streaming_yields_text_pieces_then_the_checked_answer(retriever, scripted):
    pieces = list(_answerer(retriever, scripted).stream(GOOD + "？"))
    *text, final = pieces
    assert len(text) > 3 and "".join(text) == REPLIES[GOOD]
    assert final.backend == "llm" and final.citations[0].clause_path == "四、（四）1."
    assert scripted.requests[-1]["stream"] is True
    # the cap as every OpenAI-compatible server reads it (llama-cpp-python's ignores max_completion_tokens)
    assert scripted.requests[-1]["max_tokens"] == 1024 and "max_completion_tokens" not in scripted.requests[-1]


def test_streaming_falls_back_when_the_reply_fails_the_check(retriever, scripted):
    *pieces, final = _answerer(retriever, scripted).stream(INVENTED + "？")
    assert final.backend == "extractive" and "800元" not in final.answer
    # the page appends pieces: the extractive text replaces the streamed reply, it is not appended to it
    assert "".join(pieces) == REPLIES[INVENTED]


@pytest.mark.parametrize(("question", "reason"), [(CAPPED, "达到长度上限"), (INTERRUPTED, "结束原因：服务器未说明")])
def test_a_reply_the_server_ended_is_never_shown_as_the_answer(retriever, scripted, question, reason):
    """It would pass the checks, but the server, not the model, ended it: at max_tokens ("length"), or with no
    reason, as llama-cpp-python's server ends a stream when another request arrives."""
    *pieces, final = _answerer(retriever, scripted).stream(question + "？")
    assert "".join(pieces) == REPLIES[question]
    assert final.backend == "extractive"
    assert final.answer.split("\n")[0] == f"（大模型的回答中途中断（{reason}），已改用原文摘录回答。）"
    assert final.citations[0].clause_path == "四、（四）1."


def test_a_reply_cut_off_mid_way_is_never_shown_as_the_answer(retriever, scripted):
    """Its first piece alone (「分全自理、半自理」…) would pass no check, but a half answer is not shown even if it did."""
    *pieces, final = _answerer(retriever, scripted).stream(CUT + "？")
    assert pieces == [REPLIES[CUT][:8]]  # streamed to the page as it came
    assert final.backend == "extractive"
    assert final.answer.split("\n")[0] == "（大模型的回答中途中断（OpenAIConnectionError），已改用原文摘录回答。）"
    assert "未通过引用和数字核对" not in final.answer
    assert final.citations[0].clause_path == "四、（四）1."


def test_refusals_do_not_ask_the_model(retriever, scripted):
    before = len(scripted.requests)
    answer = _answerer(retriever, scripted).run("上海市的最低工资是多少？")
    assert answer.refused and len(scripted.requests) == before


def test_an_unreachable_endpoint_falls_back_to_the_extractive_answer(retriever):
    answer = Answerer(retriever, llm=make_llm("http://127.0.0.1:9/v1", "none", "", timeout=2)).run(GOOD + "？")
    assert answer.backend == "extractive" and answer.citations[0].clause_path == "四、（四）1."
    assert "大模型服务暂不可用" in answer.answer


def _hit(number: int, text: str) -> Hit:
    return Hit(rank=number, score=0.0, chunk_id=f"c{number}", text=text, metadata=ClauseMeta(source="s.txt", kind="gazette", doc_title="t"),
               dense_similarity=None)


def test_each_sentence_is_checked_against_its_own_cited_clauses():
    clauses = [_hit(1, "照料护理标准分别为不低于当地上年度最低工资标准1/10、1/6、1/3。"),
               _hit(2, "特困人员基本生活标准按照不低于当地低保标准的1.3倍制定。")]
    right = "照料护理标准为1/10、1/6、1/3[1]。基本生活标准是低保标准的1.3倍[2]。"
    crossed = "照料护理标准为1/10、1/6、1/3[1]。基本生活标准是低保标准的1.3倍[1]。另见[2]。"
    assert verify(right, clauses, "特困人员标准？").cited == clauses
    assert verify(crossed, clauses, "特困人员标准？") is None  # 1.3 is in [2], but this sentence cites [1]
    assert verify("标准为1/10、1/6、1/3。[1]", clauses, "？").text == "标准为1/10、1/6、1/3[1]。"


def test_the_wait_and_the_length_cap_are_set_from_the_environment(monkeypatch):
    monkeypatch.setenv("RAG_LLM_TIMEOUT", "2.5")
    monkeypatch.setenv("RAG_LLM_MAX_TOKENS", "400")
    assert (Settings.from_env().llm_timeout, Settings.from_env().llm_max_tokens) == (2.5, 400)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("RAG_LLM_TIMEOUT", "0", "RAG_LLM_TIMEOUT='0' 无效：应为大于 0 的数"),
    ("RAG_LLM_TIMEOUT", "半分钟", "RAG_LLM_TIMEOUT='半分钟' 无效：应为大于 0 的数"),
    ("RAG_LLM_MAX_TOKENS", "1.5", "RAG_LLM_MAX_TOKENS='1.5' 无效：应为大于 0 的整数"),
    ("RAG_LLM_MAX_TOKENS", "-3", "RAG_LLM_MAX_TOKENS='-3' 无效：应为大于 0 的整数"),
])
def test_a_bad_wait_or_length_cap_is_refused_not_ignored(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        Settings.from_env()
    assert str(error.value) == message
