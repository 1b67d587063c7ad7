"""The optional LLM backend: any OpenAI-compatible chat endpoint, returning text and the clauses it cites.

The model gets the question's parts and numbered clauses (the evidence first) and must cite them by
number. `verify` checks the reply sentence by sentence: marks to numbers that were not given are
dropped, and a reply that cites nothing valid, or has a sentence stating a figure that the clauses
cited in that sentence do not contain, is rejected (the answerer then falls back to the extractive
answer). This module knows nothing of the answerer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from rag.answer.citation import CITATION_MARK
from rag.config import PROMPTS_DIR
from rag.documents.normalize import compact
from rag.index.sentences import sentences
from rag.search.retrieve import Hit

FIGURE = re.compile(r"\d+(?:\.\d+)?(?:/\d+)?")


def make_llm(base_url: str, model: str, api_key: str, timeout: float = 60.0, max_tokens: int = 1024):
    """max_tokens: an answer that quotes a few clauses needs far fewer; the cap keeps a model that rambles on
    (a small one does) from holding one of the app's few answer workers for minutes. It is sent as the body's
    `max_tokens`, which every OpenAI-compatible server reads: langchain's own parameter goes out as
    `max_completion_tokens`, which llama-cpp-python's server ignores (measured: a 1,073-token reply to a cap
    of 1024, 8 tokens asked for and some 2,000 generated)."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(base_url=base_url, model=model, api_key=api_key or "not-needed", timeout=timeout,
                      max_retries=1, temperature=0, extra_body={"max_tokens": max_tokens})


class ReplyCutOff(Exception):
    """The server ended the reply before the model did (its message says why, in words for the notice): what
    came is half an answer, as when the connection drops."""


@dataclass(frozen=True)
class LLMReply:
    text: str  # with only valid [n] marks, numbered as the clauses it was given
    cited: list[Hit]  # the clauses it cites, in order of first citation


@cache
def prompt(name: str):
    """A prompt from the prompts folder as a langchain PromptTemplate (imported here, on the LLM's path only)."""
    from langchain_core.prompts import PromptTemplate

    return PromptTemplate.from_file(PROMPTS_DIR / name, encoding="utf-8")


class LLMBackend:
    def __init__(self, chat_model):
        self.chat_model = chat_model  # a langchain chat model

    def messages(self, question: str, parts: Sequence[str], clauses: Sequence[Hit]) -> list:
        from langchain_core.messages import HumanMessage, SystemMessage

        blocks = "\n\n".join(
            prompt("clause_for_llm.txt").format(
                number=i, doc_title=h.metadata.doc_title, doc_number=h.metadata.doc_number,
                clause_path=h.metadata.clause_path, issue=h.metadata.issue, text=h.text)
            for i, h in enumerate(clauses, 1))
        listed = "\n".join(f"{i}. {p}" for i, p in enumerate(parts, 1))
        user = prompt("llm_user.txt").format(clauses=blocks, question=question, parts=listed)
        return [SystemMessage(prompt("llm_system.txt").format()), HumanMessage(user)]

    def stream(self, question: str, parts: Sequence[str], clauses: Sequence[Hit]) -> Iterator[str]:
        """The reply's pieces; ReplyCutOff after the last one unless the server says the model ended it
        (finish_reason "stop"): it stops a reply at max_tokens ("length"), and llama-cpp-python's server ends
        one stream cleanly, with no reason at all, as soon as another request arrives."""
        finish = None
        for chunk in self.chat_model.stream(self.messages(question, parts, clauses)):
            if chunk.content:
                yield str(chunk.content)
            finish = chunk.response_metadata.get("finish_reason") or finish
        if finish != "stop":
            raise ReplyCutOff("达到长度上限" if finish == "length" else f"结束原因：{finish or '服务器未说明'}")


def verify(text: str, clauses: Sequence[Hit], question: str) -> LLMReply | None:
    """The reply with invalid marks removed and the clauses it cites, or None if it cannot be shown."""
    valid = lambda n: 1 <= n <= len(clauses)  # noqa: E731
    cleaned = CITATION_MARK.sub(lambda m: m.group(0) if valid(int(m.group(1))) else "", text).strip()
    cleaned = re.sub(r"([。；！？])((?:\[\d{1,2}\])+)", r"\2\1", cleaned)  # 「…1/3。[1]」: the mark ends its sentence
    numbers = [int(n) for n in dict.fromkeys(CITATION_MARK.findall(cleaned))]
    if not numbers:
        return None
    for sentence in sentences(cleaned):
        figures = FIGURE.findall(CITATION_MARK.sub("", sentence))
        if not figures:
            continue
        own = [clauses[int(n) - 1] for n in CITATION_MARK.findall(sentence)]
        support = compact("".join(h.text for h in own) + question)
        if not own or any(figure not in support for figure in figures):
            return None  # a figure that this sentence's own clauses do not contain: invented or mis-cited
    return LLMReply(cleaned, [clauses[n - 1] for n in numbers])
