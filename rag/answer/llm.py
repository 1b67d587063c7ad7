"""The optional LLM backend: any OpenAI-compatible chat endpoint, checked before it is shown.

The model sees numbered clauses and must cite them by number. Citations to numbers that were not
given are dropped; an answer that cites nothing valid, or states a figure (amount, ratio, date)
that its cited clauses do not contain, is replaced by the extractive answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from langchain_core.messages import HumanMessage, SystemMessage

from rag.citation import CITATION_MARK, Citation, numbered_list
from rag.intent import sentences
from rag.normalize import compact
from rag.retrieve import Hit

if TYPE_CHECKING:
    from rag.answer import Answer, Answerer

FIGURE = re.compile(r"\d+(?:\.\d+)?(?:/\d+)?")
LLM_ANSWER_REJECTED = "大模型的回答未通过引用和数字核对，已改用原文摘录回答。"


def make_llm(base_url: str, model: str, api_key: str, timeout: float = 60.0):
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(base_url=base_url, model=model, api_key=api_key or "not-needed", timeout=timeout,
                      max_retries=1, temperature=0)


def numbered_clauses(state: dict) -> list[Hit]:
    """Evidence first, then the other hits: what the model may cite, in citation-number order."""
    first = [e.hit for e in state["evidence"]]
    rest = [h for h in state["hits"] if h.chunk_id not in {f.chunk_id for f in first}]
    return first + rest


def messages(state: dict, clauses: list[Hit]) -> list:
    from rag.answer import template

    blocks = "\n\n".join(
        template("clause_for_llm.txt").format(number=i, doc_title=h.metadata["doc_title"],
                                              doc_number=h.metadata["doc_number"], clause_path=h.metadata["clause_path"],
                                              issue=h.metadata["issue"], text=h.text)
        for i, h in enumerate(clauses, 1))
    system = template("llm_system.txt").format()
    return [SystemMessage(system), HumanMessage(template("llm_user.txt").format(clauses=blocks, question=state["text"]))]


def verify(text: str, clauses: list[Hit], question: str) -> tuple[str, list[Hit]] | None:
    """The answer with invalid citation marks removed and the clauses it cites, or None if unusable."""
    cited_numbers = [int(n) for n in CITATION_MARK.findall(text)]
    valid = [n for n in dict.fromkeys(cited_numbers) if 1 <= n <= len(clauses)]
    cleaned = CITATION_MARK.sub(lambda m: m.group(0) if 1 <= int(m.group(1)) <= len(clauses) else "", text)
    if not valid:
        return None
    cited = [clauses[n - 1] for n in valid]
    support = compact("".join(h.text for h in cited) + question)
    figures = FIGURE.findall(CITATION_MARK.sub("", cleaned))
    if any(figure not in support for figure in figures):
        return None  # a figure the cited clauses do not contain: invented or mis-cited
    return cleaned.strip(), cited


def _citations(cited: list[Hit], answer_text: str) -> list[Citation]:
    """Each cited clause with the sentence that shares the most figures and words with the answer."""
    figures = FIGURE.findall(CITATION_MARK.sub("", answer_text))
    answer_chars = set(answer_text)

    def overlap(sentence: str) -> tuple[int, int]:
        return sum(f in sentence for f in figures), len(set(sentence) & answer_chars)

    return [Citation.from_hit(hit, max(sentences(hit.text), key=overlap, default="")) for hit in cited]


def _answer_from(text: str, state: dict, clauses: list[Hit]) -> Answer | None:
    from rag.answer import Answer, _with_notices

    checked = verify(text, clauses, state["text"])
    if checked is None:
        return None
    cleaned, cited = checked
    citations = _citations(cited, cleaned)
    # renumber the marks to the order of the 依据 list
    order = {clauses.index(h) + 1: i for i, h in enumerate(cited, 1)}
    body = CITATION_MARK.sub(lambda m: f"[{order[int(m.group(1))]}]", cleaned)
    return Answer(question=state["question"], answer=_with_notices(f"{body}\n依据：\n{numbered_list(citations)}", state["notices"]),
                  refused=False, citations=citations, hits=state["hits"], notices=state["notices"], backend="llm",
                  search_question=state["searched"])


def _unavailable(state: dict, error: Exception) -> None:
    state["notices"].append(f"大模型服务暂不可用（{type(error).__name__}）。")


def llm_answer(answerer: Answerer, state: dict) -> Answer | None:
    clauses = numbered_clauses(state)
    try:
        reply = answerer.llm.invoke(messages(state, clauses))
    except Exception as error:  # network, auth, timeout: the extractive answer still serves
        _unavailable(state, error)
        return None
    return _answer_from(str(reply.content), state, clauses)


def stream_llm_answer(answerer: Answerer, state: dict) -> Iterator[str | Answer]:
    from rag.answer import Answer

    clauses = numbered_clauses(state)
    pieces: list[str] = []
    try:
        for chunk in answerer.llm.stream(messages(state, clauses)):
            if chunk.content:
                pieces.append(str(chunk.content))
                yield str(chunk.content)
    except Exception as error:
        _unavailable(state, error)
    answer = _answer_from("".join(pieces), state, clauses) if pieces else None
    if answer is None:
        state["notices"].append(LLM_ANSWER_REJECTED)
        answer = answerer._answer(state, use_llm=False)  # no shared state touched: other requests keep the LLM
    assert isinstance(answer, Answer)
    yield answer
