"""The answer layer: question handling (question), evidence (facts, evidence), composition (compose),
the optional LLM backend (llm) and the one path that runs them (answerer)."""

from rag.answer.answerer import Answer, Answerer, Turn

__all__ = ["Answer", "Answerer", "Turn"]
