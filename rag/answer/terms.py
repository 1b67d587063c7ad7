"""The terms a question asks about that the cited text does not contain: "Missing: 利率", as search engines
show it, so a neighbouring figure (the 公积金 缴存比例) is never presented as the answer to 贷款利率.

A term counts as covered when the cited clause (its document title, breadcrumb and text) contains it, or
contains it the way the documents abbreviate (低保 in 最低生活保障: its characters in order, close
together). A term the library never uses anywhere is the person's own word (五保老人 for 特困人员): the
documents cannot cover it word for word, so the retriever's sense of meaning is trusted there. A term the
library does use, but not in the cited clause, is named as missing: the documents have a word for it, and this
clause does not use it. So is the person's own word when the clause neither has one of the library's words
close to it in meaning (护照, 户口: there are none; 火化: 焚烧, 燃烧) nor shares an asked term or a name with the
question: the clause is then not about it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import jieba.posseg

from rag.answer.facts import ASKED_BY
from rag.answer.question import FRAME_NOUNS, INTERROGATIVE, LIGHT_VERBS, RURAL, URBAN
from rag.documents.normalize import compact
from rag.search.retrieve import DOC_NUMBER_IN_QUERY, PATH_LEVEL, normalized_question

# parts of speech that name a thing asked about: nouns (not places: the gazetteer decides places), verbal
# nouns, English; not jieba's 'j' (abbreviation), which it gives to 一共 as readily as to a real abbreviation.
# jieba tags people's names 'nr', and words too (养老金): such a word is a term only where the library uses it
TERM_FLAGS = ("n", "vn", "eng")
NOT_TERM_FLAGS = ("ns",)
NAME_FLAG = "nr"
MAX_GAP = 4  # characters another word may put between an abbreviation's characters (最低生活保障, 特困人员救助供养)
REFERENCE = re.compile(rf"{DOC_NUMBER_IN_QUERY.pattern}|《[^《》]*》|(?:{PATH_LEVEL.pattern})+")
# a word that many clauses use (全市, 计划, 检查) says little about what one clause leaves out: only words
# used by at most this share of the clauses are named as missing (chosen on the tuning set)
MAX_MISSING_SHARE = 0.05
NAME_RUN = 3
HAN = re.compile(r"[\u4e00-\u9fff]+")
PUNCTUATION = "，。；：、！？（）()《》“”\n\t "


@dataclass(frozen=True)
class AskedTerm:
    word: str
    start: int  # where it stands in the question part (adjacent missing terms are named together)
    phrase: tuple[str, ...] = ()  # the run of nouns it stands in: 五保 老人, 住房 公积金 贷款 利率
    name: bool = False  # tagged as a person's name: a term only if the library uses it


def asked_terms(part: str, names: bool = False) -> list[AskedTerm]:
    """The terms of the clause of the question that asks (the comma-separated piece holding the
    interrogative; earlier pieces describe the person's situation): 「许昌的住房公积金贷款利率是多少？」 →
    住房, 公积金, 贷款, 利率. Only words of the dictionary count: a pair the segmenter guessed across a word
    boundary (能领, 前报) is no term. names: also the words jieba tags as people's names (养老金 among them),
    which only the library's use of them makes terms."""
    part, piece = _asking_piece(part)
    offset = part.rfind(piece)
    tagged: list[tuple[str, str, int]] = []
    position = 0
    for word, flag in _tagged(piece):
        start = piece.find(word, position)
        position = start + len(word) if start >= 0 else position
        tagged.append((word, flag, offset + start))
    phrases = _noun_phrases(tagged)
    return [AskedTerm(word, start, phrases[start], flag.startswith(NAME_FLAG)) for word, flag, start in tagged
            if len(word) >= 2 and _is_noun(flag) and not flag.startswith(NOT_TERM_FLAGS) and jieba.dt.FREQ.get(word)
            and (names or not flag.startswith(NAME_FLAG))
            and word not in FRAME_NOUNS and word not in LIGHT_VERBS and not INTERROGATIVE.search(word)
            # the name of the kind of fact asked (时限, 金额, 电话): whether the clause states one is the fact check's
            and not ASKED_BY.fullmatch(word)
            and not re.search(r"\d|〔", word)]


def _asking_piece(part: str) -> tuple[str, str]:
    """The part as read (references blanked) and its comma-separated piece that holds the interrogative."""
    # a 文号, a title or a clause path says where to look, not what is asked; a space between words ends a phrase
    # (「家里是低保户 护理费咋算」: 护理费 is no part of 低保户), though not the asking piece: a phone's space is as
    # often a pause inside the question as a comma before it
    part = REFERENCE.sub("，", normalized_question(re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "、", part)))
    # 时间节点 is a time, asked as 时间 is (the segmenter splits it, and 节点 alone would be a term)
    part = part.replace("时间节点", "时间")
    # 不起/得起 completes the verb before it (租不起, 看不起病): the segmenter otherwise reads 起房子 as a word
    part = re.sub(r"(?<=[\u4e00-\u9fff][不得]起)(?=[\u4e00-\u9fff])", "、", part)
    pieces = [p for p in re.split(r"(?<=[，,；;：:])", part) if p.strip(" ，")]
    asking = [i for i, p in enumerate(pieces) if INTERROGATIVE.search(p)]
    if not asking:
        return part, part
    at = asking[-1]
    # 「是商场当场减，还是回头打到卡上？」: a choice is asked between both sides of the comma
    start = at - 1 if at and pieces[at].lstrip().startswith("还是") else at
    return part, "".join(pieces[start:at + 1])


def _is_noun(flag: str) -> bool:
    return flag.startswith(TERM_FLAGS)


def _noun_phrases(tagged: list[tuple[str, str, int]]) -> dict[int, tuple[str, ...]]:
    """For each token's start: the run of adjacent nouns it belongs to (a word of another kind: itself)."""
    phrases: dict[int, tuple[str, ...]] = {}
    run: list[tuple[str, int]] = []
    for word, flag, start in [*tagged, ("", "x", -1)]:
        if _is_noun(flag) and run and run[-1][1] + len(run[-1][0]) == start:
            run.append((word, start))
            continue
        phrases.update({at: tuple(w for w, _ in run) for _, at in run})
        run = [(word, start)] if _is_noun(flag) else []
        phrases.setdefault(start, (word,))
    return phrases


@cache
def _tagged(text: str) -> tuple[tuple[str, str], ...]:
    return tuple((w.word, w.flag) for w in jieba.posseg.lcut(text))


def abbreviation_pattern(term: str) -> re.Pattern[str]:
    """The term's characters in order, each within MAX_GAP characters of the one before, in one phrase."""
    gap = f"[^{re.escape(PUNCTUATION)}]{{0,{MAX_GAP}}}"
    return re.compile(gap.join(re.escape(c) for c in term))


def covers(text: str, term: str) -> bool:
    return term in text or bool(abbreviation_pattern(term).search(text))


class TermCheck:
    """Which asked terms a cited clause leaves out, against the library's own vocabulary."""

    def __init__(self, library_text: str, document_frequency: Callable[[str], float] = lambda term: 0.0,
                 library_terms: Callable[[str], list[str]] | None = None):
        self.library_text = compact(library_text)
        self.document_frequency = document_frequency  # the share of clauses that use a word
        # the documents' words closest in meaning to a person's own word (暖气 → 取暖), named in the answer.
        # Calling an own word missing when the clause has none of them was measured and left out: on the
        # tuning set 3 more unanswerable questions were flagged but 6 correct answers too (五保老人 answered
        # from the 特困人员 clause), and on blind one no unanswerable question more, only flags.
        self.library_terms = library_terms
        self._in_library: dict[str, bool] = {}

    def in_library(self, term: str) -> bool:
        known = self._in_library.get(term)
        if known is None:
            known = self._in_library[term] = covers(self.library_text, term)
        return known

    def _speaks_of(self, context: str, term: str) -> bool:
        """The context uses the term or one of the library's words closest to it in meaning (房子, which one
        news item uses, through 住房 of a 住房救助 clause)."""
        return covers(context, term) or (self.library_terms is not None
                                         and any(covers(context, word) for word in self.library_terms(term)))

    def unaccounted(self, term: str, context: str) -> bool:
        """A person's own word that the cited context neither uses nor speaks of through one of the library's
        words close in meaning (护照, 户口: none; 火化 → 焚烧, 燃烧, none of them in a clause on 涉企收费)."""
        return not self.in_library(term) and self.library_terms is not None and not self._speaks_of(context, term)

    def missing(self, part: str, cited_context: str, own_subject: bool = True) -> list[str]:
        """The asked terms the library uses but the cited context does not, adjacent ones joined as the
        question wrote them (贷款 + 利率 → 贷款利率). A scope the clause does not distinguish is not missing
        (see `undistinguished_scope`). own_subject: False for a part whose subject is in what it leans on (「不是本地户口
        也行吗？」 after a question on 临时救助, asked of that clause): its own words need not be the clause's."""
        context = compact(cited_context)
        same_rule = undistinguished_scope(part, context)
        terms = [t for t in asked_terms(part, names=True) if not t.name or self.in_library(t.word)]
        # a word tagged as a name (许昌, 养老金) may be missing, but does not tie the clause to the question
        ties = [t for t in terms if not t.name]
        absent = [t for t in terms if self.in_library(t.word) and not self._speaks_of(context, t.word)
                  and t.word != same_rule and self.document_frequency(t.word) <= MAX_MISSING_SHARE
                  # part of the person's own phrase (五保老人: 五保 is no word of the documents)
                  and all(self.in_library(w) for w in t.phrase)]
        # a word of the question that the clause does not speak of, itself or through the library's words close in
        # meaning (护照, 户口, 五保, 火化), where the clause shares no asked term outside that word's own phrase and no
        # name of the asking piece: the closest clause may be about something else, and the answer says so. 老人 in a 高龄津贴 for 80岁以上老年人 is no sign that it is the rule for 五保老人;
        # 照料护理 in a 特困人员 clause is, for 「五保老人的照料护理费按什么标准发？」
        if own_subject:
            absent = sorted({*absent, *(t for t in terms if self.unaccounted(t.word, context)
                                        and not any(covers(context, o.word) for o in ties if o.word not in t.phrase)
                                        and not shares_name(part, context))},
                            key=lambda t: t.start)
        joined: list[AskedTerm] = []
        for term in absent:
            last = joined[-1] if joined else None
            if last is not None and last.start + len(last.word) == term.start:
                joined[-1] = AskedTerm(last.word + term.word, last.start)
            else:
                joined.append(term)
        return [t.word for t in joined]

    def documents_words(self, part: str, cited_context: str) -> list[tuple[str, str]]:
        """(a word of the question the documents never use, the cited clause's word for it): 暖气 → 取暖."""
        if self.library_terms is None:
            return []
        context = compact(cited_context)
        pairs = [(t.word, next((w for w in self.library_terms(t.word) if covers(context, w)), ""))
                 for t in asked_terms(part) if not self.in_library(t.word)]
        # 「多长时间」 and 时间: the documents' word inside the person's is no other name for it
        return [(own, theirs) for own, theirs in pairs if theirs and theirs not in own]


def shares_name(part: str, context: str) -> bool:
    """Whether the clause holds a run of NAME_RUN characters of the piece that asks: a name the segmenter does
    not know (圣戈班, 许科贷) or a phrase, which ties the clause to what is asked as a shared term does."""
    return any(run[i:i + NAME_RUN] in context for run in HAN.findall(_asking_piece(part)[1])
               for i in range(len(run) - NAME_RUN + 1))


def speaks_of_scope(part: str, context: str) -> int:
    """How a clause speaks of the urban or rural scope a question asks about: 2 it names that side (农村 for
    「那乡村的呢？」), 1 it says 城乡 (one rule for both, or only a plan for both: 城乡统筹), 0 neither."""
    context = compact(context)
    side = next((s for s in (URBAN, RURAL) if any(w in part for w in s)), ())
    return 2 if any(w in context for w in side) else int("城乡" in context)


def undistinguished_scope(part: str, cited_context: str) -> str:
    """The urban or rural scope a question asks about (「那农村的呢？」) when the cited clause has one rule
    for both (it says 城乡, or names neither side): that scope word, else ""."""
    context = compact(cited_context)
    for side, other in ((URBAN, RURAL), (RURAL, URBAN)):
        asked = next((w for w in side if w in part), "")
        if asked and not any(w in context for w in side):
            return asked if "城乡" in context or not any(w in context for w in other) else ""
    return ""
