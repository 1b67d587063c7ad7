"""The project as LangChain components: a retriever whose Documents carry the citation fields, and a Runnable
that answers as `rag ask --json` does, so a LangChain application composes them like any other.

Both wrap what they are given (the hybrid Retriever, the Answerer): nothing is loaded or indexed here.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import ConfigDict

from rag.answer import Answerer, Turn
from rag.answer.citation import Citation
from rag.app.catalogue import clause_link
from rag.search.retrieve import Hit, Retriever, SearchFilters


def hit_document(hit: Hit, base_url: str = "") -> Document:
    """A retrieved clause as a Document: its text, and in its metadata the fields of `rag search --json`
    (doc_number, doc_title, clause_path, issue, page, status …), the canonical citation and the clause's link."""
    fields = {key: value for key, value in hit.to_json().items() if key != "text"}
    return Document(page_content=hit.text, id=hit.chunk_id,
                    metadata={**fields, "citation": Citation.from_hit(hit, "").display(),
                              "link": f"{base_url.rstrip('/')}/{clause_link(hit.metadata)}"})


class PolicyRetriever(BaseRetriever):
    """The project's hybrid retrieval (dense + BM25 + best sentence) as a LangChain retriever."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Retriever
    k: int = 5
    filters: SearchFilters | None = None
    base_url: str = ""  # the app's address (http://127.0.0.1:7860), so that each link opens the clause

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [hit_document(hit, self.base_url) for hit in self.retriever.search(query, k=self.k, filters=self.filters)]


def ask_runnable(answerer: Answerer, filters: SearchFilters | None = None) -> Runnable[str | dict, dict[str, Any]]:
    """A Runnable from a question (or {"question": …, "previous": [earlier questions]}) to the answer JSON of
    `rag ask --json`: answer, refused, citations, hits, unanswered_parts, parts."""

    def ask(question: str | dict) -> dict[str, Any]:
        asked = question if isinstance(question, dict) else {"question": question}
        history = [Turn(q) for q in asked.get("previous", [])]
        return answerer.run(asked["question"], history, filters).to_json()

    return RunnableLambda(ask, name="policy_ask")
