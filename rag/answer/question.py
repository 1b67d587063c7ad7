"""What a user typed → a clean question, its parts, and the conversation it continues.

Everything here reads the structure of Chinese questions (punctuation, interrogatives, pronouns,
continuation words), never the vocabulary of a particular set of questions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import jieba.posseg

from rag.answer.facts import FACT_KINDS
from rag.documents.normalize import compact, half_width_digits
from rag.index.lexical import DOMAIN_WORDS

MAX_QUESTION_CHARS = 500
REPEATED_SENTENCE = re.compile(r"([^。！？；]{2,}[。！？；])\1+")
# a clause that asks something (Chinese interrogatives and question particles; not the 几 of 十几年, see APPROXIMATE)
# 多 before an adjective asks its degree (多久, 多长时间, 多大), unless it is the 多 of 许多/很多/更多; a closing 不
# asks as 吗 does (spoken 「还用自己交钱不」「还作数不」)
INTERROGATIVE = re.compile(r"多少|(?<![十百千万两二三四五六七八九好\d])几(?![十百千万])|什么|啥|哪|谁|怎么|怎样|咋|如何|(?<!任)何(?:时|处|地|种)|为何|吗|呢|是否|能否|能不能|可不可以|有没有|是不是|算不算|"
                           r"要不要|会不会|(?<=[\u4e00-\u9fff])不[？?，,]?$|(?<![许很好太诸众较更最繁差])多(?:久|长|大|远|高|重)|[？?]|"
                           # 「有补贴没有，一户给多少」: spoken A-not-A, 有X没有 closing its piece
                           r"有[\u4e00-\u9fff]{1,8}没有?(?=[，,\s]|$)")
SENTENCE_BREAK = re.compile(r"(?<=[？?！!。；;\n])")
# a turn that continues the previous one: 「那农村的呢？」「要是全护理呢？」
CONTINUATION = re.compile(r"^(那|那么|如果是|要是|假如|换成|改成|还有)")
REFERENCE = re.compile(r"这个|这项|这些|这种|这样|那个|那些|那种|那样|上述|上面|刚才|前面|(?<!应)该")
# 「也行吗」「也可以吗」「也能领吗」: whether what was just asked holds in another case too
SAME_HOLDS = re.compile(r"也(?:行|可以|能|算|适用|一样)")
SHORT_TURN = 12  # characters: a continuation or a pronoun this short leans on the previous turn
# a turn opening with he/she/it (「那她一个月生活费能给多少？」) speaks of someone named before it, however long
LEADING_PRONOUN = re.compile(r"^(?:那么|那|要是|如果)?[他她它](?![人])")
MAX_PARTS = 4  # each part costs a search; more questions in one message are answered as the last part
# nouns that name the kind of fact asked, not what it is about (找哪个部门 / 什么时间 / 什么条件)
FRAME_NOUNS = frozenset("部门 单位 时间 时候 日期 期限 标准 条件 材料 手续 流程 金额 数额 比例 数量 电话 地址 地方 要求 "
                        "规定 政策 文件 情况 问题 办法 东西 事情 内容 方面 目标 指标 任务 水平 数字 原因 理由 类型 种类 规模".split())
NOUN_FLAGS = ("n", "vn", "eng")
# parts of speech that can name a topic: nouns, verbs, adjectives, time and place words, English
CONTENT_FLAGS = frozenset("n v a t s f".split())
# a modal before a one-character verb (能领, 可办, 要交) adds no topic of its own
MODAL = re.compile(r"^(能|可|要|会|该|得|去|来)(?=.$)")
# verbs that say what one does about any topic, not which topic: 申请, 办理, 领取 …
LIGHT_VERBS = frozenset("申请 办理 开始 结束 需要 负责 要求 进行 提供 享受 领取 发放 获得 可以 能够 应该 应当 知道 了解 咨询 "
                        "查询 规定 有没有 还有 还是 能算 算是 属于 包括 需不需要 是不是 怎么办 咋办 办法".split())


class BadQuestion(ValueError):
    """Input that is not a question we can search for; the message is for the user."""


@dataclass(frozen=True)
class Question:
    text: str
    notice: str = ""  # e.g. that the question was shortened


@dataclass(frozen=True)
class QuestionPart:
    text: str  # what this part asks, as typed
    query: str  # what is searched for it: the part with the context it leans on


@cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional characters → simplified, before anything else reads the question."""
    return _converter().convert(text)


def clean_question(raw: str | None) -> Question:
    text = unicodedata.normalize("NFC", raw or "").replace("?", "？").replace("!", "！")
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f\u200b\ufeff]", "", text)
    text = half_width_digits(to_simplified(re.sub(r"\s+", " ", text).strip()))
    if not text:
        raise BadQuestion("问题不能为空，请输入想了解的政策问题，例如：特困人员的照料护理标准是多少？")
    if not re.search(r"[\u4e00-\u9fff\d]", text):
        # 「？？」, 「k」, 「secs」: the documents are Chinese and no Chinese question is in it; whatever clause shares
        # a letter with it would be quoted as an answer (a number alone, 「12345」, is asked what it is about)
        raise BadQuestion("没有识别到中文问题，请用中文描述想了解的政策问题，例如：特困人员的照料护理标准是多少？")
    notice = ""
    if len(text) > MAX_QUESTION_CHARS:
        # a sentence said again and again is said once: 「…标准是多少？」 followed by 「请详细说明。」 × 1000 is not
        # 500 characters of 请详细说明
        text = REPEATED_SENTENCE.sub(r"\1", text)
        # a long message tells the situation first and asks last: the end is kept, from a sentence's start
        if len(text) > MAX_QUESTION_CHARS:
            tail = text[-MAX_QUESTION_CHARS:]
            # (at a comma when it has no full stop: 「…标准是多少，我想问…」 must not start mid-clause)
            start = (re.search(r"[。！？；]", tail[:MAX_QUESTION_CHARS // 2])
                     or re.search(r"[，,]", tail[:MAX_QUESTION_CHARS // 2]))
            text = tail[start.end():] if start else tail
        notice = f"问题超过 {MAX_QUESTION_CHARS} 字，已按提问所在的 {len(text.strip())} 字检索；请尽量精简提问。"
    return Question(text.strip(" ，,。"), notice)


def has_subject(text: str) -> bool:
    """Whether a turn or part stands on its own: it names a thing (a noun other than the kind of fact asked,
    or the short form of a domain noun: 「能算特困吗」). 「那能报销多少？」 names an action only and
    leans on what was asked before."""
    return any(len(word) >= 2 and word not in FRAME_NOUNS
               and (flag.startswith(NOUN_FLAGS) or any(noun.startswith(word) for noun in DOMAIN_WORDS))
               for word, flag in _words(text))


# where a rule applies, as the documents say it: a clause names 城市 or 农村 when the two differ, 城乡 when
# one rule covers both, and neither when it does not distinguish them
URBAN = ("城市", "城镇", "城区")
RURAL = ("农村", "乡村")


def asks_only_scope(text: str) -> bool:
    """「那农村的呢？」「城市呢？」: the question before, asked again for the city or the countryside only."""
    scope = [w for w in (*URBAN, *RURAL) if w in text]
    return bool(scope) and not has_subject(re.sub("|".join(scope), " ", text))


def names_anything(text: str) -> bool:
    """Whether there is anything to search for: a content word (a noun, or a verb, adjective or time word
    such as 供暖 or 冬季) other than the kind of fact asked and the generic verbs of asking for something.
    「怎么申请？」 names nothing, so it is asked back; 「供暖什么时候开始？」 is searched."""
    return any(len(word) >= 2 and word not in FRAME_NOUNS and word not in LIGHT_VERBS
               and (flag[:1] in CONTENT_FLAGS or flag == "eng") for word, flag in _words(text))


def _words(text: str) -> list[tuple[str, str]]:
    """The words of a question without its interrogatives, with their parts of speech. jieba tags an
    unknown modal + verb pair (能领) as it guesses: the modal is dropped; a dictionary word (能源) is kept."""
    return [(MODAL.sub("", word) if flag.startswith("v") or not jieba.dt.FREQ.get(word) else word, flag)
            for word, flag in jieba.posseg.lcut(INTERROGATIVE.sub(" ", text))]


def without_asking_who(text: str) -> str:
    """The text without the words that ask who is responsible (由谁负责, 牵头单位是谁): what it asks about."""
    return re.sub(FACT_KINDS["department"][0], " ", text)


def leans_on_previous(part: str) -> bool:
    """Whether a later part of one message is about what the part before it asked (「由谁牵头？」
    「这项工作的责任单位有哪些？」): it names no subject of its own besides the kind of fact it asks (牵头,
    责任单位), points back (这项, 该), or asks whether the same holds in another case (「不是本地户口也行吗？」)."""
    return (not has_subject(without_asking_who(part)) or bool(REFERENCE.search(part))
            or bool(SAME_HOLDS.search(part)))


def is_follow_up(text: str) -> bool:
    short = len(compact(text)) <= SHORT_TURN
    return ((short and bool(CONTINUATION.match(text) or REFERENCE.search(text))) or not has_subject(text)
            or bool(LEADING_PRONOUN.match(text)))


def follow_up_context(text: str, previous: Sequence[str]) -> str:
    """What a turn leans on: 「那农村的呢？」 after 「城市低保家庭住房困难怎么办？」 → that question; a question
    with its own subject leans on nothing."""
    return previous[-1] if previous and is_follow_up(text) else ""


def resolve_follow_up(text: str, previous: Sequence[str]) -> str:
    context = follow_up_context(text, previous)
    return f"{context} {text}" if context else text


def split_parts(text: str) -> list[str]:
    """「特困人员护理标准是多少？找哪个部门申请？」 → two parts; statements join the part they explain."""
    pieces: list[str] = []
    for sentence in (s for s in SENTENCE_BREAK.split(text) if s.strip()):
        commas = [c for c in re.split(r"(?<=[，,])", sentence) if c.strip()]
        if len(commas) > 1 and sum(bool(INTERROGATIVE.search(c)) for c in commas) == len(commas):
            pieces += commas  # 「谁负责，什么时候完成？」: every piece asks something
        else:
            pieces.append(sentence)
    parts: list[str] = []
    context = ""
    for piece in pieces:
        if parts and not context and ALTERNATIVES.search(piece) and not INTERROGATIVE.search(re.sub(r"[？?]", "", piece)):
            parts[-1] += piece  # 「低保在哪里办？找村里还是找街道？」: the choices the question before asks between
        elif INTERROGATIVE.search(piece):
            parts.append((context + piece).strip())
            context = ""
        else:
            context += piece  # 「我家老人80岁了，」 explains the question that follows
    if context:
        if parts:
            parts[-1] += context
        else:
            parts.append(context.strip())
    parts = [d for p in parts if compact(p) for d in distributed(p.strip(" ，,"))] or [text]
    return parts[:MAX_PARTS - 1] + ["".join(parts[MAX_PARTS - 1:])] if len(parts) > MAX_PARTS else parts


# 「用水和用电分别要多长时间？」: one predicate asked of two things, each with its own answer
DISTRIBUTED = re.compile(r"^(?P<before>.*?)(?P<first>[\u4e00-\u9fff]{2,8})(?:和|与|及|、)(?P<second>[\u4e00-\u9fff]{2,8})"
                         r"(?:分别|各自|各)(?P<asked>.+)$")


# 「用电用水各要多长时间？」: two parallel words side by side, no conjunction
JUXTAPOSED = re.compile(r"^(?P<before>.*?)(?P<first>[\u4e00-\u9fff]{2})(?P<second>[\u4e00-\u9fff]{2})"
                        r"(?:分别|各自|各)(?P<asked>.+)$")
# 「…还是…？」 with no other interrogative: a choice offered for the question before it
ALTERNATIVES = re.compile(r"还是")


def distributed(part: str) -> list[str]:
    """「A和B分别…？」 (or 「用电用水各…」, two parallel words side by side) → 「A…？」「B…？」, so each gets its own answer line (or
    its own 「没有找到」)."""
    found = DISTRIBUTED.match(part)
    if not found:
        found = JUXTAPOSED.match(part)
        # two parallel words (用电用水, 供水供电: one verb, two objects), not one four-character word (特困人员)
        if found and found["first"][0] != found["second"][0]:
            found = None
    if not found or not INTERROGATIVE.search(found["asked"]):
        return [part]
    return [f"{found['before']}{found[name]}{found['asked']}" for name in ("first", "second")]


CONJUNCTION = r"以及|和|与|及|或|、"


def each_coordinate(part: QuestionPart, term: str) -> list[QuestionPart]:
    """What a question asks of two coordinated terms it asks of each: 「临时救助和医疗救助去哪里申请？」 → 「临时救助
    去哪里申请？」「医疗救助去哪里申请？」. Used when the clause found covers one of them and not `term`; [] when
    `term` is not coordinated with a word next to it."""
    at = part.text.find(term)
    if at < 0:
        return []
    before = re.search(rf"({CONJUNCTION})$", part.text[:at])
    after = re.match(CONJUNCTION, part.text[at + len(term):])
    if before:
        words = jieba.posseg.lcut(part.text[:before.start()])
        other = words[-1].word if words and words[-1].flag.startswith(NOUN_FLAGS) else ""
        pair = f"{other}{before.group(0)}{term}"
    elif after:
        words = jieba.posseg.lcut(part.text[at + len(term) + after.end():])
        other = words[0].word if words and words[0].flag.startswith(NOUN_FLAGS) else ""
        pair = f"{term}{after.group(0)}{other}"
    else:
        return []
    if not other:
        return []
    return [QuestionPart(part.text.replace(pair, alone), part.query.replace(pair, alone)) for alone in (other, term)]


def question_parts(text: str, context: str = "") -> list[QuestionPart]:
    """The parts with what each is searched with: a part without its own subject borrows the earlier text,
    and every part of a follow-up the turn it continues (context)."""
    texts = split_parts(text)
    lead = f"{context} " if context else ""
    if len(texts) == 1:
        return [QuestionPart(texts[0], lead + text)]
    parts = []
    for i, part in enumerate(texts):
        query = part if has_subject(part) or i == 0 else "".join(texts[:i + 1])
        parts.append(QuestionPart(part, lead + query))
    return parts
