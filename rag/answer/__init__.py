"""Answer: in come a question, its conversation and the search's `Hit`s; out goes an `Answer`, a typed value with
its parts, `Citation`s and notes (answerer; question, evidence, compose, citation; the optional LLM in llm)."""

from rag.answer.answerer import Answer, Answerer, Turn

__all__ = ["Answer", "Answerer", "Turn"]
