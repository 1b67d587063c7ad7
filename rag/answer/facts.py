"""What a question asks for, and whether a retrieved clause states that kind of fact about it.

Similarity scores barely separate answerable from near-miss questions on this corpus, so the
refusal gate looks at the evidence instead: a question asking for an amount needs a sentence with
an amount about the same subject, one asking for a deadline needs a date, and so on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import jieba.posseg

from rag.config import PROMPTS_DIR
from rag.lexical import STOPWORDS, tokenize
from rag.normalize import normalize_doc_number

# kind of fact → (how a question asks for it, how a sentence states it)
FACT_KINDS: dict[str, tuple[str, str]] = {
    "phone": (r"电话|热线|联系方式", r"\d{3,4}-?\d{7,8}|12345|\d{7,}"),
    "materials": (r"材料|证件|证明|手续|带什么|准备什么", r"材料|证明|证件|身份证|户口簿|申请书"),
    "money": (r"多少钱|多少元|几元|多少块|金额|钱数|报销多少|租金是多少|多少万|"
              r"多少.{0,6}(补贴|津贴|补助|奖励|奖金|资金|费用|钱)|(补贴|津贴|补助|奖励|奖金|资金|费用|租金)[^，。？]{0,8}多少",
              r"\d+(?:\.\d+)?\s*(?:元|万元|亿元)|(?:金额|万元）?)\t\d+|\d+(?:\.\d+)?\s*(?:万元|元)"),
    "date": (r"什么时候|何时|哪天|哪一天|几号|截止|期限|多久|多长时间|几天|多少天|几个工作日|啥时候|哪年|什么时间",
             r"\d{1,2}月(?:\d{1,2}日)?|月底|年底|年内|\d+个?工作日|\d+天|\d{4}年|即日起|上半年|下半年|季度|"
             r"每月|每年|每季度|每周|每天|定期|年度"),
    "ratio": (r"比例|百分之|多少%|占比|几成|增速|增幅|几倍|多少倍|率是多少|率要达到",
              r"\d+(?:\.\d+)?\s*%|百分之|\d+(?:\.\d+)?倍|\d+/\d+|[一二三四五六七八九十]成"),
    "count": (r"多少个|多少家|多少户|多少人|多少名|几个|几家|几户|多少所|多少张|多少项|多少条|多少座|多少公里|多少亩|多少吨|多少辆|多少场|排第几|第几",
              r"\d+(?:\.\d+)?\s*(?:万|千|百)?\s*(?:个|家|户|人|名|所|张|项|条|座|公里|亩|万亩|吨|万吨|辆|场|次|位|批|处|千瓦)|第\d+位"),
    "department": (r"谁|哪个部门|哪些部门|哪个单位|哪些单位|牵头|负责|责任单位|找谁|问谁|主管",
                   r"责任单位|牵头单位|按职责分工负责|负责|市\S{1,10}局|委员会|管委会"),
}
# 标准是多少 / 多少: some quantity, whichever kind
GENERIC_QUANTITY = r"是多少|有多少|多少|几|标准"
ANY_QUANTITY = r"\d"
ELIGIBILITY = r"能不能|能否|可以|可不可以|能申请|能享受|有没有|算不算|符合|条件|资格|吗[？?]?$"
INTENT_WORDS = re.compile(
    r"多少钱|多少元|多少|几个|几家|几天|几年|多久|多长时间|什么时候|何时|哪天|谁|哪个|哪些|怎么|如何|是否|能不能|能否|可以|"
    r"有没有|算不算|标准|要求|规定|政策|请问|一下|现在|目前|今年|具体|一般|情况|问题|什么|这项|这个|任务|工作|负责|"
    r"一点|稍高|一些|哪一类|一类|以后|还要|吗|呢|啊|的|了")
GENERIC_SUBJECTS = frozenset("许昌 许昌市 我市 市里 全市 市区 我们 我 家里 家 要 能 有 会 是 给 发 做 办 达到 一个 每月 每年 每人 "
                             "政府 突然 没钱 出了 自己 单独 拿到 拿 得到 一次 要建 评上 总共 一共".split())
NOUN_FLAGS = ("n", "nz", "nt", "ns", "vn", "eng")
# Places the corpus speaks for; other place names mean the question is about somewhere else.
HOME_PLACES = ("许昌", "禹州", "长葛", "鄢陵", "襄城", "魏都", "建安", "东城", "河南", "中原", "神垕", "许州")


@cache
def synonyms() -> dict[str, tuple[str, ...]]:
    mapping = {}
    for line in (PROMPTS_DIR / "synonyms.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, _, targets = line.partition("\t")
            mapping[word.strip()] = tuple(targets.split())
    return mapping


@dataclass(frozen=True)
class SubjectTerm:
    word: str
    synonyms: tuple[str, ...]  # the documents' wording for an everyday word (五保 → 特困人员)
    noun: bool

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.word, *self.synonyms)


@dataclass(frozen=True)
class QuestionIntent:
    asks: tuple[str, ...]  # fact kinds the question asks for (empty: a lookup or eligibility question)
    generic_quantity: bool  # 是多少 / 标准: some number, any kind
    eligibility: bool
    subject_terms: tuple[SubjectTerm, ...]  # what the question is about
    places: tuple[str, ...]  # place names other than the corpus's own
    years: tuple[str, ...]  # 2025年 …


def analyse(question: str) -> QuestionIntent:
    # a document number or clause number names where to look, not what the question is about
    question = re.sub(r"[\u4e00-\u9fff]{1,8}〔\d{4}〕\d{1,4}号|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d{1,3}\.(?!\d)",
                      " ", normalize_doc_number(question))
    asks = tuple(kind for kind, (ask, _) in FACT_KINDS.items() if re.search(ask, question))
    if "money" in asks and "count" in asks and not re.search(FACT_KINDS["count"][0].replace("|第几", ""), question):
        asks = tuple(a for a in asks if a != "count")
    stripped = INTENT_WORDS.sub(" ", question)
    nouns = {word for word, flag in jieba.posseg.lcut(stripped) if flag.startswith(NOUN_FLAGS)}
    terms = []
    for token in dict.fromkeys(tokenize(stripped)):
        if token in GENERIC_SUBJECTS or token in STOPWORDS or len(token) < 2 or token.isdigit():
            continue
        terms.append(SubjectTerm(token, synonyms().get(token, ()), token in nouns))
    # subsumed tokens (特困 inside 特困人员) add nothing: keep the longest
    terms = [t for t in terms if not any(t.word != o.word and t.word in o.word for o in terms)]
    places = tuple(dict.fromkeys(
        word for word, flag in jieba.posseg.lcut(question)
        if flag == "ns" and len(word) >= 2 and not word.startswith(HOME_PLACES)))
    return QuestionIntent(
        asks=asks,
        generic_quantity=bool(re.search(GENERIC_QUANTITY, question)),
        eligibility=bool(re.search(ELIGIBILITY, question)),
        subject_terms=tuple(terms),
        places=places,
        years=tuple(dict.fromkeys(re.findall(r"20\d{2}年", question))),
    )


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[。；！？\n])", text) if s.strip()]


def states_fact(sentence: str, kind: str) -> bool:
    return bool(re.search(FACT_KINDS[kind][1], sentence))


def subject_coverage(intent: QuestionIntent, text: str, weight=lambda term: 1.0) -> float:
    """Weighted share of the question's subject terms (or a synonym) that the text mentions."""
    if not intent.subject_terms:
        return 1.0
    weights = [weight(term) for term in intent.subject_terms]
    total = sum(weights)
    found = sum(w for w, term in zip(weights, intent.subject_terms, strict=True)
                if any(form in text for form in term.forms))
    return found / total if total else 1.0
