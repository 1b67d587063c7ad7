"""question (+ conversation) → Answer: one path for `run` and `stream`, shared by CLI, UI and eval.

clean up → split into parts → retrieve per part → evidence per part → extractive answer, or the
LLM's answer when one is configured and its reply passes the checks (else the extractive one).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from rag.answer.citation import CITATION_MARK, Citation, numbered_list
from rag.answer.compose import (
    ANSWERED,
    Composition,
    PartAnswer,
    compose_absent,
    compose_answer,
    compose_refusal,
    render,
)
from rag.answer.evidence import ClauseEvidence, EvidenceFinder, PartEvidence, Sentence, clause_context
from rag.answer.facts import asks
from rag.answer.llm import LLMBackend, ReplyCutOff, verify
from rag.answer.question import (
    BadQuestion,
    QuestionPart,
    asks_only_scope,
    clean_question,
    each_coordinate,
    follow_up_context,
    has_subject,
    leans_on_previous,
    names_anything,
    question_parts,
    resolve_follow_up,
    without_asking_who,
)
from rag.answer.references import NamedReference, asked_besides_references, missing_path, named_references
from rag.answer.terms import covers, speaks_of_scope
from rag.documents.model import EXPIRED, IN_FORCE, NATIONAL_PREFIX
from rag.documents.normalize import compact
from rag.documents.regulation import ARTICLE
from rag.index.chunk import ClauseMeta
from rag.index.sentences import sentences
from rag.index.versions import format_date
from rag.search.places import Gazetteer, Place
from rag.search.retrieve import (
    Hit,
    Retriever,
    SearchFilters,
    mentioned_doc_number,
    normalized_question,
)

LLM_ANSWER_REJECTED = "大模型的回答未通过引用和数字核对，已改用原文摘录回答。"
KEYWORD_ONLY = "语义检索尚未就绪，本次按关键词检索，结果可能不全。"
TRAILING = {KEYWORD_ONLY}
LLM_UNAVAILABLE = "大模型服务暂不可用（{}）。"
LLM_BROKE_OFF = "大模型的回答中途中断（{}），已改用原文摘录回答。"
NO_SUBJECT = "请说明想了解哪项政策或哪类事项，例如：特困人员的照料护理标准是多少？拖欠企业账款什么时候还清？"


@dataclass
class Turn:
    question: str  # as searched (a follow-up already joined with what it continues)
    answer: str = ""


@dataclass
class Answer:
    question: str
    answer: str
    refused: bool  # true only when nothing asked is answered
    citations: list[Citation]
    hits: list[Hit]
    notices: list[str] = field(default_factory=list)
    backend: str = "extractive"
    search_question: str = ""  # the question as searched (after follow-up resolution)
    unanswered_parts: list[str] = field(default_factory=list)
    parts: list[PartAnswer] = field(default_factory=list)  # one per part of the question, as answered
    related: list[Hit] = field(default_factory=list)  # 可能相关: retrieved and shown, not cited
    composition: Composition | None = field(default=None, repr=False)  # what the extractive text renders

    def text(self, page: bool = False) -> str:
        """The answer's text; for the page without the 依据 and 可能相关 lists, which it shows folded."""
        if not page:
            return self.answer
        if self.composition is None:  # a model's answer: its 依据 lines as _from_llm appended them
            return self.answer.replace(f"\n依据：\n{numbered_list(self.citations)}", "")
        return _with_notices(render(self.composition, page=True), self.notices)

    @classmethod
    def composed(cls, question: str, composition: Composition, plan_notices: list[str], hits: list[Hit],
                 searched: str) -> Answer:
        """The answer whose text is `composition` rendered: the text, the JSON and the page read one value."""
        return cls(question=question, answer=_with_notices(render(composition), plan_notices),
                   refused=not composition.answered, citations=composition.citations, hits=hits,
                   notices=plan_notices, search_question=searched,
                   unanswered_parts=[p.question for p in composition.parts if p.status != ANSWERED],
                   parts=composition.parts, related=composition.related, composition=composition)

    def to_json(self) -> dict:
        return {"question": self.question, "answer": self.answer, "refused": self.refused,
                "citations": [c.to_json() for c in self.citations], "hits": [h.to_json() for h in self.hits],
                "unanswered_parts": self.unanswered_parts, "parts": [p.to_json() for p in self.parts]}


@dataclass
class Plan:
    """Everything decided before the answer is written."""

    question: str  # as typed
    text: str  # cleaned
    searched: str  # with the conversation it continues
    parts: list[PartEvidence]
    notices: list[str]

    @property
    def hits(self) -> list[Hit]:
        seen: dict[str, Hit] = {}
        for part in self.parts:
            for hit in part.hits:
                seen.setdefault(hit.chunk_id, hit)
        return list(seen.values())

    @property
    def unanswered(self) -> list[str]:
        return [p.part.text for p in self.parts if not p.answered or p.missing_terms]


def home_places(metadatas: Sequence[ClauseMeta], gazetteer: Gazetteer) -> list[Place]:
    """The places the corpus speaks for: those named by its publishers and issuing bodies (the title up to
    关于, or a regulation's whole title: 浙江省道路运输条例); all of China once a national law is in."""
    titles = {m.doc_title for m in metadatas}
    if any(title.startswith(NATIONAL_PREFIX) for title in titles):
        return [Place(NATIONAL_PREFIX, "")]
    regulations = {m.doc_title for m in metadatas if m.kind == "regulation"}
    issuers = {m.issue for m in metadatas} | regulations
    issuers |= {title.split("关于")[0] for title in titles if "关于" in title}
    return list(dict.fromkeys(p for text in sorted(issuers) for p in gazetteer.find_in(text)))


# a preamble's last sentence announcing the parts that follow: 「现提出如下工作措施。」「特制定以下实施意见：」
ANNOUNCES = re.compile(r"(?:如下|以下)[\u4e00-\u9fff]{0,10}[。：:]?\s*$")


class Answerer:
    def __init__(self, retriever: Retriever, llm=None, k: int = 5, gazetteer: Gazetteer | None = None):
        self.retriever = retriever
        self.k = k
        gazetteer = gazetteer or Gazetteer.load()
        home = home_places(retriever.holdings.documents, gazetteer)
        self.evidence = EvidenceFinder(retriever, gazetteer, home)
        self.shelf = retriever.holdings.shelf
        self.backend = LLMBackend(llm) if llm is not None else None

    def run(self, question: str, history: Sequence[Turn] = (), filters: SearchFilters | None = None) -> Answer:
        *_, answer = self.stream(question, history, filters)
        assert isinstance(answer, Answer)
        return answer

    def stream(self, question: str, history: Sequence[Turn] = (),
               filters: SearchFilters | None = None) -> Iterator[str | Answer]:
        """Text pieces as they come (LLM backend), then the final Answer; the extractive answer's text is a
        piece only when no model text came before it (the page appends pieces: the answer replaces a reply)."""
        plan = self.plan(question, history, filters)
        if isinstance(plan, Answer):
            yield plan.answer
            yield plan
            return
        answered = any(p.answered for p in plan.parts)
        pieces: list[str] = []
        if self.backend is not None and answered:
            cut = False
            try:
                for piece in self.backend.stream(plan.text, [p.part.text for p in plan.parts], _clauses(plan)):
                    pieces.append(piece)
                    yield piece
            except Exception as error:  # network, auth, timeout, the length cap: the extractive answer still serves
                reason = str(error) if isinstance(error, ReplyCutOff) else type(error).__name__
                plan.notices.append((LLM_BROKE_OFF if pieces else LLM_UNAVAILABLE).format(reason))
                cut = True  # a reply cut off mid-way is never shown as the answer, checked or not
            generated = self._from_llm("".join(pieces), plan) if pieces and not cut else None
            if generated is not None:
                yield generated
                return
            if pieces and not cut:
                plan.notices.append(LLM_ANSWER_REJECTED)
        answer = self._extractive(plan)
        if not pieces:
            yield answer.answer
        yield answer

    def plan(self, question: str, history: Sequence[Turn] = (), filters: SearchFilters | None = None) -> Plan | Answer:
        try:
            cleaned = clean_question(question)
        except BadQuestion as error:
            return Answer(question=question or "", answer=str(error), refused=True, citations=[], hits=[],
                          notices=[str(error)])
        # no filter on words such as 忽略 or 忘记: the extractive answer only quotes clauses, whatever the
        # question says, and the LLM's reply is checked sentence by sentence (rag.answer.llm.verify)
        notices = [cleaned.notice] if cleaned.notice else []
        if not self.retriever.semantic:
            notices.append(KEYWORD_ONLY)
        earlier: list[str] = []
        for turn in history:  # each earlier turn read with the ones before it, as it was when asked
            earlier.append(resolve_follow_up(turn.question, earlier))
        context = follow_up_context(cleaned.text, earlier)
        searched = f"{context} {cleaned.text}" if context else cleaned.text
        if not names_anything(searched) and not mentioned_doc_number(searched):
            # 「多少钱？」 with nothing before it: any clause would do, so ask instead of guessing
            return Answer(question=question, answer=_with_notices(NO_SUBJECT, notices), refused=True, citations=[],
                          hits=[], notices=notices, search_question=searched, unanswered_parts=[cleaned.text])
        references = self.references(searched)
        absent = [r for r in references if not r.found]
        if absent:  # said first, and nothing answered from another document or clause
            # 「许政〔2024〕88号讲了什么？」 names no subject, only a number the library lacks: a clause matched on the
            # number would be closest to nothing, and its units no one to ask. A title names its subject (《…养老服务
            # 条例》), and a part missing from a document the library has is shown with that document's clauses.
            closest = (names_anything(asked_besides_references(cleaned.text))
                       or any(r.doc_title or not r.doc_number for r in absent))
            hits = self.retriever.search(searched, k=self.k, filters=filters) if closest else []
            composition = compose_absent([r.problem for r in absent], hits, cleaned.text)
            return Answer.composed(question, composition, notices, hits, searched)
        hits_by_query: dict[str, list[Hit]] = {}

        def search(part: QuestionPart) -> list[Hit]:
            if part.query not in hits_by_query:
                hits_by_query[part.query] = self.retriever.search(part.query, k=self.k, filters=filters)
            return hits_by_query[part.query]

        # 「那农村的呢？」 asks the question before for the countryside: its clause says whether the rule differs; so
        # does 「郑州也是这样弄的吗？」 for another place: the clause says whether it speaks of that place
        place_only = bool(context) and self._asks_only_place(cleaned.text)
        again = (self._previous_clause(history, filters, cleaned.text)
                 if context and (asks_only_scope(cleaned.text) or place_only) else None)
        parts: list[PartEvidence] = []
        for index, part in enumerate(self._scoped(question_parts(cleaned.text, context), references)):
            hits = search(part)
            if again is not None and not index:
                hits = [again, *(h for h in hits if h.chunk_id != again.chunk_id)]
            earlier = parts[-1] if parts and parts[-1].answered else None
            leaning = bool(index and earlier is not None and leans_on_previous(part.text))
            if leaning:
                # 「…控制在几天以内？由谁牵头？」: the second part asks about the first one's clause
                pinned = replace(earlier.clauses[0].hit, named=True)
                hits = [pinned, *(h for h in hits if h.chunk_id != pinned.chunk_id)]
            elsewhere = self.evidence.elsewhere(self.evidence.places_named(part.text)) if place_only else []
            if elsewhere and again is None:
                # the turn before was not answered: no clause of this library is that place's rule (a Xuchang plan
                # that mentions 郑州都市圈 says nothing of what 郑州 does)
                evidence = PartEvidence(part, asks(part.text), hits, missing=self.evidence.not_covered(elsewhere))
            else:
                evidence = self.evidence.find(part, hits)
            if leaning and not evidence.answered:
                # that clause does not say it, and the person named no clause: another of the same subject may
                # (「一级土地…多少钱？什么时候开始执行？」: the date is in the document's 执行时间 part)
                unpinned = self.evidence.find(part, search(part))
                evidence = unpinned if unpinned.answered else evidence
            own = [t for t in evidence.missing_terms if t in cleaned.text] if context and again is None else []
            if own:
                # 「那用水报装呢？」 after a question on 高压用电: the follow-up's own word is what changed; the clause of
                # the question before lacks it, one holding it among the hits answers this turn
                holding = [h for h in hits if all(covers(compact(clause_context(h)), t) for t in own)]
                other = self.evidence.find(part, holding) if holding else None
                evidence = other if other is not None and other.answered and not other.missing_terms else evidence
            # one clause for 「临时救助和医疗救助」 that covers only the first: each is asked on its own
            alone = next((split for term in evidence.missing_terms if (split := each_coordinate(part, term))), [])
            parts += [self.evidence.find(p, search(p)) for p in alone] or [evidence]
        parts = [self._contents(evidence, references) or evidence for evidence in parts]
        for evidence in parts:
            evidence.outline = evidence.outline or self._announced(evidence)
        return Plan(question, cleaned.text, searched, parts, notices)

    def _contents(self, evidence: PartEvidence, references: list[NamedReference]) -> PartEvidence | None:
        """「许政办〔2024〕3号第二部分讲什么」: a part that names a part of a document (or a document) and nothing
        to look for in it asks what that part holds. Its sections answer, cited from the part's own clause (a
        document's: its preamble); a sentence picked from one of them would answer something else. Asked who is
        responsible (「三、（五）由谁负责？」), each section is given with its own 责任单位: one section's units are
        not the part's."""
        named = [r for r in references if r.found]
        units_asked = evidence.asks.kinds == ("department",)
        asked = asked_besides_references(evidence.part.text)
        # another kind of fact (多少钱, 什么时候) is looked for in the part's clauses, not outlined
        if not named or (evidence.asks.needs_figure and not units_asked) or names_anything(
                without_asking_who(asked) if units_asked else asked):
            return None
        reference = named[-1]
        key = reference.doc_number or reference.doc_title
        path = reference.clause_path
        if path:
            sections = self.shelf.children(key, path)
            if units_asked:
                sections = self._with_units(key, sections)
            listed = tuple(label for _, label in sections)
        else:
            listed = () if units_asked else self.shelf.outline(key)
        # a clause without sections (「四、（四）1. 规定了什么」) holds its own sentences: all of them, in its order,
        # not the one closest to a question that names nothing
        leaf = bool(path) and not listed and not units_asked
        chunk = self.retriever.holdings.first_chunk(key, path) if listed or leaf else None
        if chunk is None:
            return None
        hit = next((h for h in evidence.hits if h.chunk_id == chunk.chunk_id), None) or Hit(
            rank=0, score=0.0, chunk_id=chunk.chunk_id, text=chunk.text, metadata=chunk.metadata,
            dense_similarity=None, named=True)
        quoted = [Sentence(text, 0.0, 0.0, 0.0, False) for text in sentences(chunk.text)]
        # the part's clause among the hits too: the page opens a citation from them
        hits = [hit, *(h for h in evidence.hits if h.chunk_id != hit.chunk_id)]
        return replace(evidence, hits=hits, clauses=[ClauseEvidence(hit, quoted, 0.0)], missing="", missing_terms=[],
                       same_rule_for="", outline=listed, outline_of=self.shelf.label(key, path) if path else "")

    def _with_units(self, key: str, sections: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        """Each section with its 责任单位 (「1.全面落实…：市发改委、市商务局」); none when no section names any."""
        holdings = self.retriever.holdings
        units = [chunk.metadata.units_label if (chunk := holdings.first_chunk(key, p)) else "" for p, _ in sections]
        if not any(units):
            return ()
        return tuple((p, f"{label}：{named or '（未写明）'}") for (p, label), named in zip(sections, units, strict=True))

    def _announced(self, evidence: PartEvidence) -> tuple[str, ...]:
        """The document's parts, when the clause answering is its preamble ending in what it announces
        (「现提出如下工作措施。」): the measures are what follows, not the preamble."""
        if not evidence.answered:
            return ()
        hit = evidence.clauses[0].hit
        if hit.metadata.clause_path or not ANNOUNCES.search(hit.text):
            return ()
        return self.shelf.outline(hit.metadata.doc_number or hit.metadata.doc_title)

    def _asks_only_place(self, text: str) -> bool:
        """「郑州也是这样弄的吗？」「那禹州呢？」: a place and nothing else to look for."""
        places = self.evidence.places_named(text)
        names = sorted({n for p in places for n in (p.name, p.short)}, key=len, reverse=True)
        rest = re.sub("|".join(map(re.escape, names)), " ", text) if names else text
        return bool(places) and not has_subject(rest)

    def _previous_clause(self, history: Sequence[Turn], filters: SearchFilters | None, scope: str) -> Hit | None:
        """The clause that answered the last turn, as the only place to answer from (named); none when that
        clause left out an asked term (it was the closest, not the answer). Of the clauses that answer (the
        first and its 另见), the one that names the scope asked about (「那乡村的呢？」: 农村), else one that says
        城乡: the rule the documents give for it, rather than 「not distinguished」 said of a clause that does not
        speak of it."""
        previous = self.plan(history[-1].question, history[:-1], filters)
        answered = (next((p for p in previous.parts if p.answered and not p.missing_terms), None)
                    if isinstance(previous, Plan) else None)
        if answered is None:
            return None
        # the first of the best: the main clause unless another speaks of the scope more directly
        speaking = max(answered.clauses, key=lambda c: speaks_of_scope(scope, clause_context(c.hit)))
        return replace(speaking.hit, named=True)

    def departments_named(self, question: str) -> list[str]:
        """The departments among the documents' 责任单位 that a question names, in its order: as the documents name
        them (「民政局的电话」 → 市民政局: the documents' units are the city's), or, after a place other than the
        library's own, as the question does (长葛市民政局 is the county-level city's bureau, not 市民政局); not a
        name inside a longer one found (市卫生健康委 in 卫生健康委员会)."""
        spans = []
        for unit in self.retriever.holdings.departments:
            short = unit.removeprefix("市")
            at = question.find(short)
            if len(short) < 3 or at < 0:
                continue
            before = question[:at]
            places = [p for p in self.evidence.gazetteer.find_in(before[-8:])
                      if before.endswith((p.name, p.short))]
            elsewhere = [p for p in places if p not in self.evidence.home]
            spans.append((at, at + len(short), elsewhere[0].name + short if elsewhere else unit))
        return [unit for start, end, unit in sorted(spans)
                if not any(s <= start and end <= e and e - s > end - start for s, e, _ in spans)]

    def references(self, question: str) -> list[NamedReference]:
        """The 文号, titles and clause paths the question names, checked against the library; a title named
        without 《》 (「道路运输条例第九十条」) is found as the retriever finds it."""
        found = named_references(question, self.shelf)
        title = self.retriever.mentioned_title(question)
        if title and not any(r.doc_title == title for r in found):
            path = self.retriever.mentioned_title_path(question)
            found.append(NamedReference(f"《{title}》{path}", doc_title=title, clause_path=path,
                                        problem=missing_path(title, path, self.shelf.paths[title]) if path else ""))
        return found

    def _scoped(self, parts: list[QuestionPart], references: list[NamedReference]) -> list[QuestionPart]:
        """A document or clause named once holds for every part of the message: in 「许政〔2020〕8号 三、（三）4.
        时限是多少？牵头单位是谁？」 the second part asks about that clause too, not about the whole library."""
        named = [r for r in references if r.clause_path] or references
        if not named:
            return parts
        reference = named[-1]

        def scoped(part: QuestionPart) -> QuestionPart:
            names = mentioned_doc_number(part.query) or self.retriever.mentioned_title(part.query)
            # a path the question wrote its own way (「第二十项」 is 五、20.) is given to the retriever as the
            # document numbers it
            as_written = not reference.clause_path or reference.clause_path in normalized_question(part.query)
            return part if names and as_written else QuestionPart(part.text, f"{reference.scope} {part.query}")

        return [scoped(part) for part in parts]

    def _extractive(self, plan: Plan) -> Answer:
        if not any(p.answered for p in plan.parts):
            elsewhere = bool(self.evidence.elsewhere(self.evidence.places_named(plan.text)))
            composition = compose_refusal(plan.text, plan.parts[0], self.departments_named(plan.text), elsewhere)
        else:
            composition = compose_answer(plan.parts)
            # what the parts quote, with their supporting sentences: a note never repeats a quoted sentence
            text = "".join(p.answer + p.support for p in composition.parts).replace("**", "")
            notes = [self.version_note(c) for c in composition.citations]
            notes += [self.validity_note(c, text) for c in composition.citations]
            composition.notes = [n for n in dict.fromkeys([*composition.notes, *notes]) if n]
        return Answer.composed(plan.question, composition, plan.notices, plan.hits, plan.searched)

    def version_note(self, citation: Citation) -> str:
        """For a clause of a document with several versions: that an old one is cited, or that it changed."""
        article = ARTICLE.match(citation.clause_path)
        if citation.kind != "regulation" or not article or not citation.version_date:
            return ""
        return self.retriever.versions.note(citation.doc_title, citation.version_date, article.group(0))

    def validity_note(self, citation: Citation, answer: str) -> str:
        """The cited document's own statements of when it applies and what it repeals (a regulation's 施行
        date is in its citation already), with its status when that is not 现行有效."""
        said = self.retriever.versions.validity(citation.doc_title, citation.version_date or 0)
        if citation.kind == "regulation":
            said = [s for s in said if "有效期" in s or "废止" in s]
        said = [s for s in said if s not in answer]  # not when the answer quotes it
        end = self.retriever.versions.expiry(citation.doc_title, citation.version_date or 0)
        if citation.status == EXPIRED and not any("有效期" in s for s in said):  # the period its title gives
            said.append(f"标题所定期限已于{format_date(end)}届满。")
        status = f"（{citation.status}）" if citation.status not in IN_FORCE else ""
        return f"《{citation.doc_title}》{status}：{''.join(said)}" if said else ""

    def _from_llm(self, text: str, plan: Plan) -> Answer | None:
        clauses = _clauses(plan)
        reply = verify(text, clauses, plan.text)
        if reply is None:
            return None
        citations = [Citation.from_hit(hit, _closest_sentence(hit, reply.text)) for hit in reply.cited]
        order = {clauses.index(h) + 1: i for i, h in enumerate(reply.cited, 1)}  # renumber as the 依据 list
        body = CITATION_MARK.sub(lambda m: f"[{order[int(m.group(1))]}]", reply.text)
        return Answer(question=plan.question, answer=_with_notices(f"{body}\n依据：\n{numbered_list(citations)}", plan.notices),
                      refused=False, citations=citations, hits=plan.hits, notices=plan.notices, backend="llm",
                      search_question=plan.searched, unanswered_parts=plan.unanswered)


def _clauses(plan: Plan) -> list[Hit]:
    """What the model may cite, in citation-number order: each part's evidence first, then the other hits."""
    first = [c.hit for p in plan.parts for c in p.clauses]
    ordered = list({h.chunk_id: h for h in first + plan.hits}.values())
    return ordered


def _closest_sentence(hit: Hit, answer_text: str) -> str:
    """The clause's sentence sharing the most characters with the answer: the quote shown for it."""
    chars = set(answer_text)
    return max(sentences(hit.text), key=lambda s: len(set(s) & chars), default="")


def _with_notices(text: str, notices: list[str]) -> str:
    """Notices about the answer go before it; the one about the search mode after it, so that the answer stays the
    first line on a phone (the page says the index is being built in its header as well)."""
    leading = [f"（{n}）" for n in notices if n not in TRAILING]
    return "\n".join([*leading, text, *(f"（{n}）" for n in notices if n in TRAILING)])
