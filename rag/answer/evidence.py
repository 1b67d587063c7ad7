"""For each part of a question: the clause and sentences that answer it, or why none does.

Sentences are chosen by meaning (the embedding model's cosine between the part and each sentence,
precomputed at ingest) together with lexical overlap (IDF-weighted share of the part's words the
sentence contains). A part is answered when one of the top clauses speaks of the same place and
year, is close enough in meaning, and, when the part asks for a kind of fact (an amount, a date, a
department …), has a sentence that states that kind of fact.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import jieba
import numpy as np

from rag.answer.citation import short_reference
from rag.answer.facts import (
    ASKS_SUM,
    ASKS_TOTAL,
    ASKS_WHETHER,
    FACT_NAMES,
    PLACE_KIND,
    WHO_QUALIFIES,
    YEAR,
    Asks,
    asks,
    gives_no_sum,
    only_base_of,
    other_rank,
    restates,
    sentence_years,
    speaks_of_year,
    states,
    states_figure,
    table_units,
    totals_only,
    unconfirmed_figures,
    years_in,
)
from rag.answer.question import QuestionPart
from rag.answer.references import asked_besides_references
from rag.answer.terms import TermCheck, asked_terms, undistinguished_scope
from rag.documents.gazette import SIGNATURE_LINE
from rag.documents.model import IN_FORCE, NATIONAL_PREFIX
from rag.documents.normalize import compact
from rag.index.chunk import Chunk, ClauseMeta
from rag.index.holdings import clause_key
from rag.index.lexical import tokenize
from rag.index.sentences import asked_columns, row_cells, table_caption, table_header
from rag.search.places import Gazetteer, Place
from rag.search.retrieve import Hit, Retriever, normalized_question

EVIDENCE_DEPTH = 3  # the gate reads this many top clauses of each part
LEXICAL_WEIGHT = 0.3  # how much word overlap adds to a sentence's cosine when choosing evidence
# a clause whose best sentence is less similar than this is not about the question (off-topic):
# far below answerable questions' values; like the two below, chosen by `python -m eval.calibrate`
MIN_SIMILARITY = 0.20
# a sentence stating the asked kind of fact must also be about the part's subject: nearly as close in
# meaning as the closest sentence of the top clauses (relative, so it holds for any model's scale),
# or sharing most of the part's (IDF-weighted) words with the sentence and its clause's breadcrumb
STATING_MARGIN = 0.05
MIN_SUBJECT_OVERLAP = 0.6
# a figure comes from a clause about the part's subject: the clause (its breadcrumb and text as a whole)
# is nearly as close in meaning to the part as the closest top clause (低保 is not answered by a
# 高龄津贴 amount from a clause about elderly care)
CLAUSE_MARGIN = 0.03
ALSO_MARGIN = 0.03  # a second clause is shown as 「另见」 only when nearly as close as the first
URBAN_SCOPE = re.compile(r"(?:中心城区|市区)")
# a sentence opening with a short condition (拒不改正的，/ 情节严重的，/ 逾期未缴纳的，) continues the situation
# of the sentence before it, as Chinese legal text writes consequences; so does any condition (…的，) after a
# semicolon, which joins the parts of one sentence: 「…违法所得超过2万元的，处…；没有违法所得的，处…」
# 「其中，…」 divides what the sentence before it states, and means nothing without it
DEPENDENT = re.compile(r"^(?:[\u4e00-\u9fff]{2,8}的[，,]|其中[，,])")
CONDITION_AFTER_SEMICOLON = re.compile(r"^[^，,。；：:]+的[，,]")
# 「低保申请条件是什么？」「谁可以申请」「怎样才能申请低保」 (才能: what it takes): who qualifies, which the
# clause titled with the thing defines. So does a yes/no question whether one counts as or belongs to a category
# (「能算低保边缘家庭吗」「算不算」「属于特困人员吗」「符不符合」): Chinese asks eligibility this way as often as by 条件.
# So does asking whether one can get it, in the yes/no forms (「能吃低保吗」「…能吃低保不？」「能不能享受」), not
# 「能享受什么优惠」.
# Only the order of clauses changes (the one titled with the asked term first), so a stray match (「…算是违法吗」)
# costs little
RECEIVING = "(?:吃上?|享受|领取?|拿到?|申请|申领|纳入|评上?|获得)"  # getting a kind of help: 吃低保, 享受补贴, 领救助金
ASKS_CONDITIONS = re.compile(
    rf"条件|资格|(?:怎么|怎样|如何|咋)才能|{WHO_QUALIFIES.pattern}"
    r"|(?:能|可以|可)算|算不算|算是|属不属于|(?:^|[，,])(?:我|他|她|我们|我家|家里|孩子|老人)?(?:是否)?属于|符不符合|够不够"
    rf"|(?:能不能|可不可以){RECEIVING}|(?:能|可以){RECEIVING}[^，。？?什哪]{{0,12}}[吗么不][？?]?$")
# the headings under which a policy document says who is covered (范围, 认定, 对象, 条件, 资格), apart from the
# help they receive: the words of Chinese social-policy documents for eligibility, not of any question
ELIGIBILITY_HEADING = re.compile(r"范围|认定|对象|条件|资格")
# who takes an application, in the documents' words: 乡镇（街道）负责申请受理, 由…受理, 受理窗口 (not 先行受理 or
# 一窗受理, which say how, not where)
RECEIVING_APPLICATIONS = re.compile(r"(?:负责|由)[^，。；]{0,16}受理|受理[^，。；]{0,4}(?:窗口|中心|大厅)")
# a question of where to apply for help (去哪申请, 在哪办), not where to sign up for a course (在哪报名)
APPLYING = re.compile(r"申请|申领|办理|办(?![法公])|受理")
# the titles under which a plan says who leads it as a whole (「（一）加强组织领导」「（十三）实施专班推进」): the
# boilerplate of Chinese government plans' 保障措施
LEADING_THE_PLAN = re.compile(r"组织(?:领导|保障|实施)|专班")
# the formula of a notice issuing a plan (「现将《…方案》印发给你们，请认真贯彻落实。」): its preamble says what is issued,
# no rule of it; the plan's clauses do
TRANSMITTAL = re.compile(r"现将.{0,80}印发给你们")
# a name the person puts in quotes (「“许科贷”」) is what they ask about, word for word
QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,16})[”\"」』]")


@dataclass(frozen=True)
class Sentence:
    text: str
    similarity: float  # cosine to the part
    overlap: float  # IDF-weighted share of the part's words it contains
    subject_overlap: float  # the same share in the sentence with its clause's breadcrumb
    states_fact: bool
    continues: bool = False  # about the situation of the sentence before it (see DEPENDENT)
    other_category: bool = False  # names the asked category only with a modifier the question lacks

    def about_subject(self, closest: float) -> bool:
        """closest: the best sentence score among the top clauses."""
        return self.score >= closest - STATING_MARGIN or self.subject_overlap >= MIN_SUBJECT_OVERLAP

    @property
    def score(self) -> float:
        return self.similarity + LEXICAL_WEIGHT * self.overlap


@dataclass(frozen=True)
class ClauseEvidence:
    hit: Hit
    sentences: list[Sentence]  # the sentences that answer the part, in the clause's order
    best: float  # the best sentence's similarity


@dataclass
class PartEvidence:
    part: QuestionPart
    asks: Asks
    hits: list[Hit]
    clauses: list[ClauseEvidence] = field(default_factory=list)  # first: the answer; more: 另见
    missing: str = ""  # why the documents do not answer this part
    missing_terms: list[str] = field(default_factory=list)  # asked terms the cited clause does not contain
    same_rule_for: str = ""  # an urban or rural scope asked about that the clause does not distinguish
    whether_eligible: bool = False  # 「能吃低保吗」: whether one qualifies, which the cited conditions decide
    # (a word of the question the documents never use, the cited clause's word for it): 暖气 → 取暖
    documents_words: list[tuple[str, str]] = field(default_factory=list)
    # the parts of the document when the answer is its preamble announcing them (「现提出如下工作措施。」), or the
    # sections of the part the question named when it asked what that part holds
    outline: tuple[str, ...] = ()
    outline_of: str = ""  # that part with its title (二、（一）低收入人口范围); "": the document

    @property
    def answered(self) -> bool:
        return bool(self.clauses)


class EvidenceFinder:
    def __init__(self, retriever: Retriever, gazetteer: Gazetteer, home: Sequence[Place]):
        self.retriever = retriever
        self.gazetteer = gazetteer
        self.home = list(home)  # the places the corpus speaks for (its issuing bodies), with their parts
        self._document_places: dict[str, list[Place]] = {}
        self._definitions_of: dict[tuple[str, ...], list[Hit]] = {}
        self._titles_of: dict[tuple[str, ...], set[str]] = {}
        self._captions: dict[str, dict[str, str]] = {}
        self.corpus_text = retriever.holdings.text
        lexical = retriever.lexical
        self.terms = TermCheck(self.corpus_text,
                               lambda term: lexical.document_frequency.get(term, 0) / max(len(lexical.ids), 1),
                               retriever.documents_words if retriever.vocabulary is not None else None)

    def document_places(self, metadata: ClauseMeta) -> list[Place]:
        """The places a document speaks for, from its title's issuer (or its publication); [] for a
        national law or a document that names none (then the corpus's places apply)."""
        title = metadata.doc_title
        if title.startswith(NATIONAL_PREFIX):
            return []
        cached = self._document_places.get(title)
        if cached is None:
            issuer = title.split("关于")[0] if "关于" in title else title
            cached = self.gazetteer.find_in(issuer) or self.gazetteer.find_in(metadata.issue)
            self._document_places[title] = cached
        return cached

    def places_named(self, text: str) -> list[Place]:
        named = self.gazetteer.find(jieba.lcut(text))
        # 「浙江丽水」: the province only locates the city; the most specific place named decides
        return [p for p in named if not any(p != q and p.contains(q) for q in named)]

    def elsewhere(self, named: list[Place]) -> list[Place]:
        """The places named that the corpus does not speak for (郑州 for a library of 许昌's documents)."""
        return [p for p in named if not any(h.contains(p) for h in self.home)]

    def not_covered(self, places: list[Place]) -> str:
        return f"现有文件是{'、'.join(h.name for h in self.home)}的政策，没有关于{'、'.join(p.name for p in places)}的规定。"

    def find(self, part: QuestionPart, hits: list[Hit]) -> PartEvidence:
        evidence = PartEvidence(part, asks(part.text), hits)  # what this part asks, not the text it borrows
        vector = self.retriever.query_vector(part.query)
        words = self.retriever.lexical.weighted_words(part.query)
        named = self.places_named(part.text)
        places = self.elsewhere(named)
        # a county or county-level city of the corpus's own area: covered by city-wide documents, but not by
        # one whose title limits it to the city's urban districts (市区 / 中心城区)
        counties = [p for p in named if any(h.contains(p) for h in self.home) and len(p.code) == 6
                    and p.name.endswith(("县", "市"))]
        # read after the 文号 are made canonical: the 2024年 of 「许政2024年13号」 is its number, not a year asked about
        years = sorted({int(y) for y in YEAR.findall(normalized_question(part.text))})
        unknown = [name for name in QUOTED.findall(part.text) if compact(name) not in self.corpus_text]
        if unknown:  # no document names it: whatever clause comes closest is about something else
            evidence.missing = f"现有文件中没有提到{'、'.join(f'「{name}」' for name in unknown)}。"
            return evidence
        reasons: list[str] = []
        qualifying: list[ClauseEvidence] = []
        # a clause the question names (with its sub-clauses) is the only place its answer may come from; an issuing
        # notice's preamble answers only when named
        pool = [h for h in hits if h.named] or [h for h in hits if not issues_only(h)]
        candidates = pool[:EVIDENCE_DEPTH]
        # the other parts of a long clause indexed in parts come with it (which part answers, its sentences tell:
        # _best_part_first), as does a clause whose title names all the question asks the conditions of
        # (「1.最低生活保障对象」 for 「能吃低保吗？」, not for 「…生活费算不算他收入？」: _defining_first)
        keys = {clause_key(h.metadata) for h in candidates}
        conditions = not evidence.asks.needs_figure and bool(ASKS_CONDITIONS.search(part.text))
        terms = self._defining_terms(part)
        candidates += [h for h in pool[EVIDENCE_DEPTH:] if clause_key(h.metadata) in keys
                       or (conditions and terms and all(self._forms_in(t, h.metadata.title) for t in terms))]
        if conditions and terms and not any(h.named for h in hits):
            # the clause that defines who qualifies, wherever retrieval ranked it: a person describing their
            # situation (「我妈七十多了没退休金」) draws clauses about it, not the conditions they ask for
            shown = {h.chunk_id for h in candidates}
            candidates += [h for h in self._definitions(tuple(terms)) if h.chunk_id not in shown]
        receiving: list[Hit] = []
        if (evidence.asks.kinds == ("place",) and APPLYING.search(part.text) and candidates
                and not any(h.named for h in hits)):
            # where to apply: the clause of the document retrieval put first that says who takes applications
            # (「乡镇（街道）负责申请受理…」), wherever it ranked: it sits under 保障措施 or 认定机制, far from the words
            # of the help asked about
            shown = {h.chunk_id for h in candidates}
            receiving = [h for h in self._receiving(candidates[0].metadata) if h.chunk_id not in shown]
            candidates += receiving
        receiving_ids = {h.chunk_id for h in receiving}
        leading_ids: set[str] = set()
        if "department" in evidence.asks.kinds and candidates and not any(h.named for h in hits):
            # who leads a plan asked of the plan as a whole (every asked term is in its title: 「设备更新找哪个部门」
            # of 「…推动大规模设备更新和消费品以旧换新行动方案」): its clause on leading it (「加强组织领导」「实施专班
            # 推进」), before the clauses on one field of it, each with its own 责任单位
            title = candidates[0].metadata.doc_title
            asked_words = [t.word for t in asked_terms(part.text)]
            if asked_words and all(self._forms_in(w, title) for w in asked_words):
                leading = self._leading(candidates[0].metadata)
                leading_ids = {h.chunk_id for h in leading}
                candidates = [*leading, *(h for h in candidates if h.chunk_id not in leading_ids)]
        # the question's words and the documents' full forms of them (低保 → 最低生活保障): the categories it asks about
        categories = [form for word in tokenize(part.query) if len(word) >= 2 and word not in HEAD_NOUNS
                      for form in (word, *self.retriever.lexical.full_forms(word))]
        # the 3 of 「许政办〔2024〕3号」 is no figure the person gave: 「3个工作日」 still answers
        asked = asked_besides_references(part.query)
        top = {hit.chunk_id: self._sentences(hit, vector, words, evidence.asks, asked, years, categories)
               for hit in candidates}
        # another category's sentence (最低生活保障边缘家庭's amount for 低保家庭) sets no bar for a figure
        comparable = {chunk_id: [s for s in scored if not (evidence.asks.needs_figure and s.other_category)]
                      for chunk_id, scored in top.items()}
        closest_meaning = max((s.similarity for scored in comparable.values() for s in scored), default=0.0)
        dense = [h.dense_similarity for h in candidates if h.dense_similarity is not None]
        closest_clause = max(dense, default=0.0)

        def off_subject(hit: Hit) -> bool:
            """A clause the question does not name, less close as a whole than the closest by a margin, and
            without the sentence closest in meaning of all: about something else (「窗外」 of a clause on
            balconies is no 车窗), whatever words its sentences share with the question."""
            return (not hit.named and hit.dense_similarity is not None
                    and hit.dense_similarity < closest_clause - CLAUSE_MARGIN
                    and max((s.similarity for s in top[hit.chunk_id]), default=0.0) < closest_meaning)
        # the bar a sentence must come near is set by clauses on the subject: a sentence of a clause on 企业注销
        # sharing 企业 with 「…欠我们企业的货款啥时候能还清」 does not raise it above the 拖欠账款 sentence
        closest = max((s.score for hit in candidates if not off_subject(hit) for s in comparable[hit.chunk_id]),
                      default=0.0)
        for hit in candidates:
            context = f"{hit.metadata.doc_title} {hit.metadata.breadcrumb} {hit.text}"
            if any(place.name not in context and place.short not in context for place in places):
                reasons.append(self.not_covered(places))
                continue
            scope = self.document_places(hit.metadata)
            elsewhere = [p for p in named if scope and not any(d.contains(p) for d in scope)
                         and p.name not in context and p.short not in context]
            if elsewhere:  # 「山东养狗」 answered from a 浙江 regulation would be another province's rule
                reasons.append(f"相关文件是{'、'.join(d.name for d in scope)}的规定，没有关于{'、'.join(p.name for p in elsewhere)}的规定。")
                continue
            urban = URBAN_SCOPE.search(hit.metadata.doc_title)
            outside = [p.name for p in counties if urban and p.name not in context and p.short not in context]
            if outside:
                reasons.append(f"相关文件只适用于{urban.group()}，没有关于{'、'.join(outside)}的规定。")
                continue
            document_year = hit.metadata.year
            # a long clause is indexed in parts: a year another part names is also the year of this one
            other_parts = (years_in(self.retriever.holdings.full_text(hit.metadata))
                           if years and hit.metadata.parts > 1 else set())
            # 「2022年版」「2023年再改之前那版」 choose a version of a document with several (the retriever reads it),
            # they ask nothing of its text
            chooses = self.retriever.versions.chooses_version
            if any(not speaks_of_year(year, context, document_year) and year not in other_parts
                   and not chooses(hit.metadata.doc_title, year) for year in years):
                reasons.append(f"相关条款没有关于{'、'.join(f'{y}年' for y in years)}的内容。")
                continue
            scored = top[hit.chunk_id]
            best = max((s.similarity for s in scored), default=0.0)
            if best < MIN_SIMILARITY:
                reasons.append("检索到的条款与问题关联不大。")
                continue
            if hit.chunk_id in receiving_ids:  # it holds for every kind of help the document gives: its 受理 sentence
                chosen = self._choose([s for s in scored if RECEIVING_APPLICATIONS.search(s.text)], evidence.asks,
                                      float("-inf"), hit.text)
            else:
                chosen = ([] if off_subject(hit) and evidence.asks.needs_figure
                          else self._choose(scored, evidence.asks, float("-inf") if hit.named else closest, hit.text))
            if not chosen:
                wanted = [FACT_NAMES[k] for k in evidence.asks.kinds if k in FACT_NAMES] or ["具体数字"]
                where = short_reference(hit.metadata) + " " if hit.named else "相关条款"
                reasons.append(f"{where}没有写明{'、'.join(wanted)}。")
                continue
            qualifying.append(ClauseEvidence(hit, chosen, best))
        if qualifying:  # retrieval's order (re-ranking by the answering sentence did worse on the tuning set)
            if conditions:
                qualifying = self._defining_first(qualifying, terms)
            qualifying = _best_part_first(qualifying)
            main = qualifying[0]
            # another clause is shown 另见 only on the same subject: as close in meaning, and leaving out no
            # asked term (a 住院护理补贴 is not 另见 for 个体工商户's 社保补贴). Also requiring the same document
            # cost tuning key facts 0.897 → 0.891, so it is not required.
            also = [] if main.hit.named or main.hit.chunk_id in leading_ids else [
                c for c in qualifying[1:] if _same_subject(c, main)
                and not self.terms.missing(part.text, clause_context(c.hit))][:1]
            evidence.clauses = [main, *also]
            context = clause_context(main.hit)
            if main.hit.chunk_id in receiving_ids:  # who takes applications for every kind of help the document names
                context += " ".join(c.text for c in self.retriever.chunks.values()
                                    if c.metadata.doc_title == main.hit.metadata.doc_title
                                    and c.metadata.date == main.hit.metadata.date)
            # a part leaning on text before it, or on a clause named or pinned for it, has its subject there
            evidence.missing_terms = self.terms.missing(part.text, context,
                                                        own_subject=part.query == part.text and not main.hit.named)
            stated = [s.text for s in main.sentences]
            # 「最低工资标准是多少」 is not answered by 「不低于最低工资标准1/10」: that is 照料护理标准's value
            base = next((name for phrase in dict.fromkeys(t.phrase for t in asked_terms(part.text))
                         if (name := only_base_of(stated, part.text, phrase))), "")
            if evidence.asks.needs_figure and base:
                evidence.missing_terms.append(f"{base}的数额")
            elif ("money" in evidence.asks.kinds and ASKS_SUM.search(part.text)
                  and gives_no_sum(stated, table_units(main.hit.text))):
                evidence.missing_terms.append(FACT_NAMES["money"])  # 低保标准的1.3倍 says how much, but in no sum
            evidence.missing_terms += [t for t in [*other_rank(part.text, stated), *unconfirmed_figures(part.text, stated)]
                                       if t not in evidence.missing_terms]
            evidence.same_rule_for = undistinguished_scope(part.text, context)
            evidence.whether_eligible = conditions and bool(ASKS_WHETHER.search(part.text))
            evidence.documents_words = self.terms.documents_words(part.text, context)
        else:
            evidence.missing = reasons[0] if reasons else "没有检索到相关条款。"
        return evidence

    def _defining_first(self, qualifying: list[ClauseEvidence], terms: list[str]) -> list[ClauseEvidence]:
        """A clause whose own title names what is asked defines it (「1.最低生活保障对象」 for 「低保申请条件是
        什么？」): it answers who qualifies or what a thing is before a clause that only mentions it."""
        if qualifying[0].hit.named:
            return qualifying
        defines = {id(c): self._defines(c.hit.metadata, terms) for c in qualifying}
        first = max(qualifying, key=lambda c: defines[id(c)])  # the first of the best: retrieval's order breaks ties
        return qualifying if not defines[id(first)][0] else [first, *(c for c in qualifying if c is not first)]

    def _definitions(self, terms: tuple[str, ...]) -> list[Hit]:
        """The opening parts of the clauses in force whose title holds every term, under a heading about who is
        covered (「二、（一）低收入人口范围」 → 「1.最低生活保障对象」)."""
        found = self._definitions_of.get(terms)
        if found is None:
            if len(self._definitions_of) > 256:  # one entry per set of terms asked: bounded, as query vectors are
                self._definitions_of.clear()
            found = [Hit(rank=0, score=0.0, chunk_id=chunk_id, text=chunk.text, metadata=chunk.metadata,
                         dense_similarity=None)
                     for chunk_id, chunk in self.retriever.chunks.items()
                     if chunk.metadata.part == 0 and chunk.metadata.status in IN_FORCE
                     and self._defines(chunk.metadata, list(terms))[1]]  # titled with the terms, under such a heading
            self._definitions_of[terms] = found = found[:EVIDENCE_DEPTH]
        return found

    def _leading(self, meta: ClauseMeta) -> list[Hit]:
        """The clause of a document on who leads it as a whole (titled 组织领导, 组织保障, 组织实施, 专班), stating a unit."""
        return self._clauses_of(meta, lambda c: bool(LEADING_THE_PLAN.search(c.metadata.title)
                                                     and c.metadata.responsible_units))[:1]

    def _receiving(self, meta: ClauseMeta) -> list[Hit]:
        """The clauses of a document that say who takes applications (受理)."""
        return self._clauses_of(meta, lambda c: bool(RECEIVING_APPLICATIONS.search(c.text)))[:EVIDENCE_DEPTH]

    def _clauses_of(self, meta: ClauseMeta, wanted: Callable[[Chunk], bool]) -> list[Hit]:
        """The clauses in force of a clause's document (that version of it) that are wanted, as hits."""
        return [Hit(rank=0, score=0.0, chunk_id=chunk_id, text=chunk.text, metadata=chunk.metadata, dense_similarity=None)
                for chunk_id, chunk in self.retriever.chunks.items()
                if chunk.metadata.doc_title == meta.doc_title and chunk.metadata.date == meta.date
                and chunk.metadata.status in IN_FORCE and wanted(chunk)]

    def _defines(self, meta: ClauseMeta, terms: list[str]) -> tuple[int, bool]:
        """2: the clause's title is a term as asked (「2.特困人员」); 1: it holds it or its full form (「2.特困人员救助
        供养」 is about what 特困人员 receive; 低保 may be 最低生活保障 or 最低生活保障对象); 0: neither. Then
        whether the headings above it are about who is covered (「（一）低收入人口范围」, 认定, 条件), as a
        document puts who qualifies apart from what they receive (「（一）基本生活救助」)."""
        # every term asked: a title sharing one common word (救助 of 医疗救助, for 康复救助) defines no more than another
        named = 2 if meta.title in terms else int(bool(terms) and all(self._forms_in(t, meta.title) for t in terms))
        covered = bool(ELIGIBILITY_HEADING.search(" ".join(meta.parents)))
        if not named and covered and len(terms) == 1 and len(meta.title) >= 2 and any(
                title.startswith(meta.title) and title[0] == terms[0][0] and title[-1] == terms[0][-1]
                for title in self._titles_holding(tuple(terms))):
            # the people a help is named after: 「2.特困人员」 under 低收入人口范围 says who gets 「特困人员救助供养」,
            # which 特困供养 abbreviates (first and last characters: a word inside it, 救助, names no one help)
            named = 1
        return named, bool(named) and covered

    def _titles_holding(self, terms: tuple[str, ...]) -> set[str]:
        """The titles of clauses in force that hold every term (or its full form)."""
        found = self._titles_of.get(terms)
        if found is None:
            if len(self._titles_of) > 256:  # one entry per set of terms asked, as for _definitions
                self._titles_of.clear()
            titles = {c.metadata.title for c in self.retriever.chunks.values() if c.metadata.status in IN_FORCE}
            self._titles_of[terms] = found = {t for t in titles if terms and all(self._forms_in(w, t) for w in terms)}
        return found

    def _defining_terms(self, part: QuestionPart) -> list[str]:
        """The asked terms a defining clause's title must hold (a part without a subject of its own, 「需要什么条件？」,
        takes those of the text it borrows). Only terms the library uses: 退休金, a person's own word, is in no
        title. A term the question narrows with a word before it (康复救助) is asked as narrowed: 「1.医疗救助」 is
        another kind of 救助; a place before it (许昌低保) narrows nothing."""
        share = self.terms.document_frequency
        asked = asked_terms(part.text) or [t for piece in re.split(r"[？?]", part.query) for t in asked_terms(piece)]
        terms = []
        for term in asked:
            if (not share(term.word) and not self.retriever.lexical.full_forms(term.word)
                    and not self._titles_holding((term.word,))):  # 特困供养: 特困人员救助供养, a title
                continue
            at = term.phrase.index(term.word) if term.word in term.phrase else 0
            modifier = term.phrase[at - 1] if at else ""
            narrowed = bool(modifier) and share(modifier) > 0 and not self.gazetteer.find([modifier])
            terms.append(modifier + term.word if narrowed else term.word)
        return list(dict.fromkeys(terms))

    def _forms_in(self, term: str, title: str) -> bool:
        """Whether a title holds the term, a full form of it, or of each word it is made of (低保边缘 is in
        「最低生活保障边缘家庭成员」: 低保 → 最低生活保障, then 边缘)."""
        if not title:
            return False
        if any(form in title for form in (term, *self.retriever.lexical.full_forms(term))):
            return True
        pieces = _tiling(term)
        return len(pieces) > 1 and all(self._forms_in(piece, title) for piece in pieces)

    def _sentences(self, hit: Hit, vector: np.ndarray, words: dict[str, float], part_asks: Asks,
                   question: str, years: list[int], categories: list[str]) -> list[Sentence]:
        texts, vectors = self.retriever.sentences.of(hit.chunk_id)
        similarities = vectors @ vector if len(texts) else np.zeros(0)
        units = table_units(hit.text)
        header = table_header(hit.text)
        department = "department" in part_asks.kinds and bool(hit.metadata.responsible_units)
        breadcrumb = f"{hit.metadata.breadcrumb} {table_caption(hit.text) if header else ''}"
        rows = [line for line in hit.text.split("\n") if header and "\t" in line and line != header]
        other_table = bool(header) and self._names_another_table(hit.metadata, hit.text, question)
        named_rows = _named(question, [_label(header, row) for row in rows])
        share = lambda text: self.retriever.lexical.share_in(words, text)  # noqa: E731
        scored = []
        previous: Sentence | None = None
        for text, similarity in zip(texts, similarities, strict=True):
            if text == header or SIGNATURE_LINE.match(text):
                continue  # a table's header row names the columns, the rows hold the facts; a signature says nothing
            if part_asks.kinds:
                stated = department or any(states(text, kind, units) for kind in part_asks.kinds)
            else:
                stated = states_figure(text) if part_asks.quantity else True
            if other_table and "\t" in text:
                stated = False  # a 划拨 price is not answered from the 出让 table
            if stated and part_asks.needs_figure:
                stated = self._gives_new_figure(text, header, part_asks, question, years, named_rows)
            subject = share(f"{breadcrumb} {header} {text}")
            if not self.retriever.semantic:  # no vectors yet: the words shared with the sentence and its headings
                similarity = subject
            sentence = Sentence(text, float(similarity), share(text), subject, stated,
                                other_category=narrower_category(text, question, categories))
            if previous is not None and _depends_on(text, previous.text, hit.text):
                # 「拒不改正的，处…罚款」 is about the situation of the sentence before it
                sentence = replace(sentence, similarity=max(sentence.similarity, previous.similarity),
                                   overlap=max(sentence.overlap, previous.overlap),
                                   subject_overlap=max(sentence.subject_overlap, previous.subject_overlap),
                                   continues=True)
            scored.append(sentence)
            previous = sentence
        return _items_lend_to_lead(scored, share, breadcrumb)

    def _names_another_table(self, meta: ClauseMeta, text: str, question: str) -> bool:
        """Whether the question names another table of the document by a word of its caption that this table
        (caption and rows) lacks: 「划拨的商业用地七级地基准地价」 names 附件2 (…划拨基准地价), not 附件1 (…出让基准地价)."""
        captions = self._table_captions(meta.doc_title)
        own = captions.get(meta.clause_path, "")
        others = [caption for path, caption in captions.items() if path != meta.clause_path]
        words = {w for w in jieba.lcut(question) if len(w) >= 2}
        return bool(own) and any(w in other and w not in own and w not in text for w in words for other in others)

    def _table_captions(self, doc_title: str) -> dict[str, str]:
        """A document's table captions by clause path (a table's later parts repeat none)."""
        captions = self._captions.get(doc_title)
        if captions is None:
            captions = self._captions[doc_title] = {}
            for chunk in self.retriever.chunks.values():
                if chunk.metadata.doc_title == doc_title and table_header(chunk.text):
                    captions[chunk.metadata.clause_path] = captions.get(chunk.metadata.clause_path, "") + table_caption(chunk.text)
        return captions

    @staticmethod
    def _gives_new_figure(text: str, header: str, part_asks: Asks, question: str, years: list[int],
                          named_rows: list[str]) -> bool:
        """A figure sentence answers only with a figure the question did not give, for the year asked, and
        (a table row) the row and column asked when the question names them and the cell is not blank."""
        if restates(text, part_asks.kinds, question):
            return False
        if part_asks.kinds == ("money",) and totals_only(text) and not ASKS_TOTAL.search(question):
            return False  # 「共3家企业，奖励资金共30万元」 is what a group got, not what one of them gets
        kind_of_place = PLACE_KIND.search(question) if part_asks.kinds == ("place",) else None
        if kind_of_place and kind_of_place[1] not in text:
            return False
        named_years = sentence_years(text)
        if years and named_years and not named_years & set(years):
            return False  # 「2023年，全市地区生产总值…」 does not say what 2024 came to
        if "\t" in text and header:
            if named_rows and _label(header, text) not in named_rows:
                return False  # 「工矿仓储用地六级地」 is not answered from another row that has a 六级地 cell
            columns = asked_columns(header, question)
            cells = dict(row_cells(header, text)[1:])
            if columns and not any(cells.get(column) for column in columns):
                return False  # the table leaves that cell blank
        return True

    def _choose(self, scored: list[Sentence], part_asks: Asks, closest: float, clause_text: str,
                limit: int = 3) -> list[Sentence]:
        """The best sentences that state what was asked, in the clause's order (two figures whose scores nearly
        tie are both shown: which one is asked for, the scores cannot tell)."""
        candidates = [s for s in scored if s.states_fact and len(s.text) > 4
                      and (s.about_subject(closest) or not part_asks.needs_figure)]
        if part_asks.needs_figure:  # 低保家庭's amount is not that of 最低生活保障边缘家庭 in the next sentence
            candidates = [s for s in candidates if not s.other_category]
        if not candidates:
            return []
        ranked = sorted(candidates, key=lambda s: -s.score)
        keep = ranked[:1] if part_asks.needs_figure else ranked[:limit]
        if part_asks.needs_figure:  # a figure's sentence, plus the next-best if it is nearly as close
            keep += [s for s in ranked[1:2] if s.score >= ranked[0].score - ALSO_MARGIN]
        order = {id(s): i for i, s in enumerate(scored)}
        # a dependent sentence is shown with the one it depends on: 「…责令改正；拒不改正的，处…罚款」
        keep += [scored[order[id(s)] - 1] for s in keep if s.continues]
        # a list's lead is shown with the item closest to the question: the act its penalty is for. The lead may
        # end sentences after the one kept: 「…处1000元以上3000元以下的罚款；情节严重的，…吊销…：（一）…」
        for sentence in list(keep):
            end = order[id(sentence)]
            while (not LIST_LEAD_END.search(scored[end].text.strip()) and end + 1 < len(scored)
                   and scored[end + 1].continues):
                end += 1
            items = _items_of(scored, end)
            keep += [*scored[order[id(sentence)]:end + 1], max(items, key=lambda s: s.score)] if items else []
        # a sentence cut at 「；」 goes on to its end when what follows states the same kind of fact:
        # 「无分歧欠款6月底前应清尽清；有分歧欠款…10月底前…。」 is one answer, not its first half
        for sentence in list(keep):
            at = order[id(sentence)]
            while (scored[at].text.endswith("；") and at + 1 < len(scored) and scored[at + 1].states_fact
                   and scored[at].text + scored[at + 1].text in clause_text and at - order[id(sentence)] < 3):
                at += 1
                keep.append(scored[at])
        return sorted(dict.fromkeys(keep), key=lambda s: order[id(s)])


def issues_only(hit: Hit) -> bool:
    """A preamble that only issues the document it precedes."""
    return not hit.metadata.clause_path and bool(TRANSMITTAL.search(hit.text))


def _tiling(word: str) -> list[str]:
    """The dictionary words of two or more characters that make up a word end to end (低保边缘 → 低保, 边缘), or []."""
    pieces, position = [], 0
    for piece in sorted(set(jieba.lcut_for_search(word)) - {word}, key=word.find):
        if len(piece) >= 2 and word.startswith(piece, position):
            pieces.append(piece)
            position += len(piece)
    return pieces if position == len(word) else []


def _best_part_first(qualifying: list[ClauseEvidence]) -> list[ClauseEvidence]:
    """Of a long clause indexed in parts (a table in many), the part whose sentence answers best leads: retrieval
    ranks a part by all its rows, the question asks for one (「首次认定…」 is in another part than 「重新认定…」)."""
    lead = qualifying[0]
    parts = [c for c in qualifying if clause_key(c.hit.metadata) == clause_key(lead.hit.metadata)]
    best = max(parts, key=lambda c: max(s.score for s in c.sentences))
    return qualifying if best is lead else [best, *(c for c in qualifying if c is not best)]


# the head nouns of the people and households policies name, and a category named with a short modifier before
# one (最低生活保障「边缘」家庭, 特困「供养」人员): the documents' grammar for a narrower category than the word alone
HEAD_NOUNS = ("家庭成员", "家庭", "对象", "人员", "户", "成员", "人口")
MODIFIED_HEAD = re.compile(rf"([^\W\d的和、及与或]{{0,2}}?)(?:{'|'.join(HEAD_NOUNS)})")


def narrower_category(sentence: str, question: str, categories: list[str]) -> bool:
    """Whether a sentence names the category asked about (低保 → 最低生活保障) only with a modifier the question
    does not have: 「最低生活保障边缘家庭每户300元」 is another category's amount than 低保家庭's."""
    narrower = False
    for category in categories:
        for found in re.finditer(re.escape(category), sentence):
            head = MODIFIED_HEAD.match(sentence, found.end())
            if not head:
                continue
            if head.group(1) and not all(char in question for char in head.group(1)):
                narrower = True
            else:
                return False  # named as asked somewhere in the sentence
    return narrower


def clause_context(hit: Hit) -> str:
    """What a clause speaks of: its document's title, the headings it sits under and its text."""
    meta = hit.metadata
    return f"{meta.doc_title} {meta.breadcrumb} {' '.join(meta.parents)} {hit.text}"


# an item of a list (「（四）违反本规定…的。」) and what introduces the list (「…有下列行为之一的，…处一万元以上十万元以下罚款：」)
LIST_ITEM = re.compile(r"^[（(][一二三四五六七八九十\d]{1,3}[）)]")
LIST_LEAD_END = re.compile(r"[：:]$")


def _items_of(scored: list[Sentence], at: int) -> list[Sentence]:
    """The items of the list scored[at] introduces, when it is a lead 「…：」 stating the asked fact for all of them
    (a penalty, a time limit) and none of them states it. A list of rules each complete in itself (「遵守下列规定：
    （一）…（八）…」) lends nothing: its closest item in this chunk may not be the one asked, and an item cited is a
    clause number said."""
    if not LIST_LEAD_END.search(scored[at].text.strip()):
        return []
    # the lead is its last sentence with those it continues: 「…处1000元以上3000元以下的罚款；情节严重的，…吊销…：」
    # states the fine before the clause that opens the list
    if not any(s.states_fact for s in scored[_lead_start(scored, at):at + 1]):
        return []
    items = list(itertools.takewhile(lambda s: bool(LIST_ITEM.match(s.text.strip())), scored[at + 1:]))
    return [] if any(item.states_fact for item in items) else items


def _lead_start(scored: list[Sentence], at: int) -> int:
    first = at
    while first and scored[first].continues:
        first -= 1
    return first


def _items_lend_to_lead(scored: list[Sentence], share: Callable[[str], float], breadcrumb: str) -> list[Sentence]:
    """A lead that ends in 「：」 states what holds for each item under it: a regulation's penalty is written once
    before the acts it punishes. Lead and item are one statement to the reader: the lead, with the sentences it
    continues, is as close to the question as its closest item, and shares the words of both."""
    lent = list(scored)
    for at in range(len(scored)):
        items = _items_of(scored, at)
        if not items:
            continue
        first = _lead_start(scored, at)
        statement = "".join(s.text for s in scored[first:at + 1]) + max(items, key=lambda s: s.score).text
        similarity = max(s.similarity for s in [*items, *scored[first:at + 1]])
        for index in range(first, at + 1):
            lent[index] = replace(lent[index], similarity=similarity, overlap=share(statement),
                                  subject_overlap=share(f"{breadcrumb} {statement}"))
    return lent


def _depends_on(text: str, previous: str, clause_text: str) -> bool:
    """A short condition continues any sentence; a longer one only the sentence it follows after a semicolon
    on the same line (a new line is a new 款 or 项)."""
    return bool(DEPENDENT.match(text) or (previous.endswith("；") and CONDITION_AFTER_SEMICOLON.match(text)
                                          and previous + text in clause_text))


def _same_subject(extra: ClauseEvidence, main: ClauseEvidence) -> bool:
    return extra.best >= main.best - ALSO_MARGIN


def _named(question: str, labels: list[str]) -> list[str]:
    """The row labels a question names; 「地下空间（商业用地）」 names that row, not also 「商业用地」."""
    width = lambda text: unicodedata.normalize("NFKC", compact(text))  # noqa: E731  （） = ()
    named = [label for label in labels if label and width(label) in width(question)]
    return [label for label in named if not any(width(label) in width(other) and label != other for other in named)]


def _label(header: str, row: str) -> str:
    cells = row_cells(header, row)
    return cells[0][1] if cells else ""
