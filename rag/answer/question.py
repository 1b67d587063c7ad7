"""What a user typed → a question we can search with, or a clear refusal of the input."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_QUESTION_CHARS = 500


class BadQuestion(ValueError):
    """Input that is not a question we can search for; the message is for the user."""


@dataclass(frozen=True)
class Question:
    text: str
    notice: str = ""  # e.g. that the question was shortened


def clean_question(raw: str | None) -> Question:
    text = unicodedata.normalize("NFC", raw or "")
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f\u200b\ufeff]", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise BadQuestion("问题不能为空，请输入想了解的政策问题，例如：特困人员的照料护理标准是多少？")
    if not re.search(r"[\w\u4e00-\u9fff]", text):
        raise BadQuestion("没有识别到文字内容，请用中文描述想了解的政策问题。")
    if len(text) > MAX_QUESTION_CHARS:
        return Question(text[:MAX_QUESTION_CHARS],
                        f"问题超过 {MAX_QUESTION_CHARS} 字，已按前 {MAX_QUESTION_CHARS} 字检索；请尽量精简提问。")
    return Question(text)
