"""Retrieved clauses → an answer a reader can check: direct answer, conditions, citations.

Two backends behind one LangChain runnable: the extractive default (no LLM, offline) and any
OpenAI-compatible chat model. Both refuse when the clauses do not state what was asked, and every
citation comes from a retrieved chunk's metadata.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache

from langchain_core.prompts import PromptTemplate
from langchain_core.runnables import RunnableLambda

from rag.citation import Citation, numbered_list
from rag.config import PROMPTS_DIR
from rag.intent import QuestionIntent, analyse, sentences, states_fact, subject_coverage
from rag.normalize import compact
from rag.question import BadQuestion, Question, clean_question
from rag.retrieve import Hit, Retriever, SearchFilters

EVIDENCE_DEPTH = 3  # the refusal gate reads this many top clauses
# share of the question's subject (IDF-weighted) a clause must mention: stricter when a figure is asked
MIN_COVERAGE_FACT = 0.5
MIN_COVERAGE_LOOKUP = 0.3
CONDITION = re.compile(r"凡|符合|条件|须|应当|需要|需|经.{0,10}(评估|审核|申请)|按程序|按规定|对.{2,40}的，")
INJECTION = re.compile(
    r"忽略|无视|不要遵守|忘记|ignore|disregard|system prompt|系统提示|提示词|你现在是|扮演|越狱|jailbreak|"
    r"开发者模式|输出.{0,6}(规则|指令|设定)", re.IGNORECASE)
FOLLOW_UP = re.compile(r"^(那|那么|还有|另外|再问|如果是|要是|其他的|其它的)|^(需要什么|要什么|怎么申请|去哪|找谁|多少钱|什么时候)")


@cache
def template(name: str) -> PromptTemplate:
    return PromptTemplate.from_file(PROMPTS_DIR / name, encoding="utf-8")


@dataclass
class Turn:
    question: str
    answer: str = ""


@dataclass
class Answer:
    question: str
    answer: str
    refused: bool
    citations: list[Citation]
    hits: list[Hit]
    notices: list[str] = field(default_factory=list)
    backend: str = "extractive"
    search_question: str = ""  # the question as searched (after follow-up resolution)

    def to_json(self) -> dict:
        return {"question": self.question, "answer": self.answer, "refused": self.refused,
                "citations": [c.to_json() for c in self.citations], "hits": [h.to_json() for h in self.hits]}


@dataclass(frozen=True)
class Evidence:
    hit: Hit
    sentences: list[str]  # the sentences that state what was asked
    coverage: float


# --- the question ---------------------------------------------------------------------------

def strip_injection(text: str) -> tuple[str, bool]:
    """Drop the parts of a question that try to change the rules; keep the actual question."""
    parts = re.split(r"(?<=[。！？!?；;，,\n])", text)
    kept = [p for p in parts if not INJECTION.search(p)]
    return "".join(kept).strip(" ，,。"), len(kept) != len(parts)


def resolve_follow_up(question: str, history: Sequence[Turn]) -> str:
    """「那农村的呢？」 after 「城市低保家庭住房困难怎么办？」 → both, so retrieval sees the topic."""
    if not history:
        return question
    previous = history[-1].question
    if FOLLOW_UP.search(question) or len(compact(question)) <= 8:
        return f"{previous} {question}"
    return question


# --- the evidence gate ----------------------------------------------------------------------

def find_evidence(intent: QuestionIntent, hits: Sequence[Hit], weight: Callable[[str], float]) -> list[Evidence]:
    """Clauses among the top hits that state the kind of fact asked, about the question's subject."""
    found = []
    threshold = MIN_COVERAGE_FACT if intent.asks or intent.generic_quantity else MIN_COVERAGE_LOOKUP
    for hit in hits[:EVIDENCE_DEPTH]:
        context = f"{hit.metadata['doc_title']} {hit.metadata['breadcrumb']} {hit.text}"
        if any(place not in context for place in intent.places):
            continue  # the question is about another place
        if any(year[:-1] not in context and year[:-1] != str(hit.metadata["date"])[:4] for year in intent.years):
            continue  # a plan for another year
        coverage = subject_coverage(intent, context, weight)
        if coverage < threshold:
            continue
        candidates = sentences(hit.text)
        if intent.asks:
            stating = [s for s in candidates if any(_states(s, kind, hit) for kind in intent.asks)]
        elif intent.generic_quantity:
            stating = [s for s in candidates if re.search(r"\d|倍|分之|[一二三四五六七八九十]成", s)]
        else:
            stating = candidates
        stating = [s for s in stating if len(_readable(s)) > 12] or stating  # not the bare heading
        if stating:
            found.append(Evidence(hit, _best_sentences(stating, intent), coverage))
    return found


def _states(sentence: str, kind: str, hit: Hit) -> bool:
    if kind == "department" and hit.metadata.get("responsible_units"):
        return True
    return states_fact(sentence, kind)


def _best_sentences(candidates: list[str], intent: QuestionIntent, limit: int = 2) -> list[str]:
    def score(sentence: str) -> int:
        return sum(any(form in sentence for form in term.forms) for term in intent.subject_terms)

    ranked = sorted(range(len(candidates)), key=lambda i: (-score(candidates[i]), i))[:limit]
    return [candidates[i] for i in sorted(ranked)]


# --- composing ------------------------------------------------------------------------------

def _readable(sentence: str) -> str:
    """A sentence without its clause number or heading, ready to lead an answer."""
    sentence = re.sub(r"^(（?[一二三四五六七八九十\d]+[）、.]\s*)", "", sentence.strip())
    return sentence.replace("\t", " ").strip()


def compose_extractive(intent: QuestionIntent, evidence: list[Evidence], hits: list[Hit]) -> tuple[str, list[Citation]]:
    main = evidence[0]
    short_ref = _short_ref(main.hit)
    lead_text = "".join(_readable(s) for s in main.sentences)
    lead = f"根据{short_ref}：{lead_text}"
    details = []
    conditions = [s for s in sentences(main.hit.text) if s not in main.sentences and CONDITION.search(s)]
    if conditions and not intent.asks:
        details.append("条件与要求：" + "".join(_readable(s) for s in conditions[:2]))
    units = main.hit.metadata.get("responsible_units")
    if units:
        details.append(f"责任单位：{units}。")
    citations = [Citation.from_hit(main.hit, "".join(main.sentences))]
    for extra in evidence[1:2]:
        if extra.hit.metadata["doc_number"] != main.hit.metadata["doc_number"] or \
                extra.hit.metadata["clause_path"] != main.hit.metadata["clause_path"]:
            details.append(f"另见{_short_ref(extra.hit)}：{''.join(_readable(s) for s in extra.sentences)}")
            citations.append(Citation.from_hit(extra.hit, "".join(extra.sentences)))
    cited = {c.chunk_id for c in citations}
    related = [h for h in hits if h.chunk_id not in cited][:2]
    related_text = ("相关条款：\n" + "\n".join(f"- {_short_ref(h)}：{_snippet(h.text)}" for h in related)) if related else ""
    text = template("answer.txt").format(lead=lead, details="\n".join(details), basis=numbered_list(citations),
                                         related=related_text)
    return re.sub(r"\n{2,}", "\n", text).strip(), citations


def compose_refusal(question: str, intent: QuestionIntent, hits: list[Hit], reason: str) -> str:
    topic = f"“{question.rstrip('？?。')}”的明确规定"
    closest = "\n".join(f"- {_short_ref(h)}：{_snippet(h.text)}" for h in hits[:3]) or "- （没有检索到相关条款）"
    units = [u for h in hits[:3] for u in str(h.metadata.get("responsible_units", "")).split("、") if u]
    unique_units = list(dict.fromkeys(u for u in units if not u.startswith("各县")))[:3]
    ask = f"建议咨询：{'、'.join(unique_units)}。" if unique_units else "建议咨询当地民政、人社等主管部门或拨打12345政务服务热线。"
    text = template("refusal.txt").format(topic=topic, reason=reason, closest=closest, ask=ask)
    return text.strip()


def refusal_reason(intent: QuestionIntent, hits: list[Hit]) -> str:
    if not hits:
        return ""
    top = f"{hits[0].metadata['doc_title']} {hits[0].text}"
    if intent.places and any(place not in top for place in intent.places):
        return f"现有文件是许昌市的政策，没有关于{'、'.join(intent.places)}的规定。"
    wanted = {"money": "具体金额", "date": "具体时间或期限", "ratio": "具体比例", "count": "具体数量",
              "department": "负责部门", "phone": "联系电话"}
    kinds = [wanted[k] for k in intent.asks if k in wanted]
    if kinds:
        return f"相关条款没有写明{'、'.join(kinds)}。"
    if intent.years:
        return f"相关条款没有关于{'、'.join(intent.years)}的内容。"
    return "检索到的条款与问题关联不大。"


def _short_ref(hit: Hit) -> str:
    meta = hit.metadata
    if meta["kind"] == "newspaper":
        return f"{meta['issue']}《{meta['doc_title']}》"
    return f"{meta['doc_number']} {meta['clause_path']}".strip()


def _snippet(text: str, limit: int = 60) -> str:
    flat = text.replace("\n", " ").replace("\t", " ")
    return flat if len(flat) <= limit else flat[:limit] + "…"


# --- the chain ------------------------------------------------------------------------------

class Answerer:
    """question (+ history) → Answer, through one LangChain runnable shared by CLI, UI and eval."""

    def __init__(self, retriever: Retriever, llm=None, k: int = 5):
        self.retriever = retriever
        self.llm = llm  # an OpenAI-compatible chat model (langchain), or None for extractive
        self.k = k
        self.chain = RunnableLambda(self._prepare) | RunnableLambda(self._retrieve) | RunnableLambda(self._answer)

    def run(self, question: str, history: Sequence[Turn] = (), filters: SearchFilters | None = None) -> Answer:
        return self.chain.invoke({"question": question, "history": list(history), "filters": filters})

    def stream(self, question: str, history: Sequence[Turn] = (), filters: SearchFilters | None = None) -> Iterator[str | Answer]:
        """Text pieces as they come (LLM backend), then the final Answer."""
        state = self._retrieve(self._prepare({"question": question, "history": list(history), "filters": filters}))
        if state.get("answer") is None and self.llm is not None and state["evidence"]:
            from rag.llm import stream_llm_answer

            yield from stream_llm_answer(self, state)
            return
        answer = self._answer(state)
        yield answer.answer
        yield answer

    def term_weight(self, term) -> float:
        """IDF of a subject term; an everyday word the corpus never uses counts only if it names a thing."""
        lexical = self.retriever.lexical
        known = [form for form in term.forms if lexical.document_frequency.get(form)]
        if known:
            return max(lexical.idf(form) for form in known)
        return lexical.idf(term.word) if term.noun and len(term.word) >= 2 else 0.0

    # steps
    def _prepare(self, request: dict) -> dict:
        raw = request["question"]
        try:
            question: Question = clean_question(raw)
        except BadQuestion as error:
            return {**request, "answer": Answer(question=raw or "", answer=str(error), refused=True,
                                                citations=[], hits=[], notices=[str(error)])}
        notices = [question.notice] if question.notice else []
        text, injected = strip_injection(question.text)
        if injected:
            notices.append("问题中包含要求改变回答规则的内容，已忽略，只回答政策问题。")
            if not re.search(r"[\u4e00-\u9fff]{2}", text):
                message = "请直接提出想了解的政策问题，例如：特困人员的照料护理标准是多少？"
                return {**request, "answer": Answer(question=raw, answer=message, refused=True, citations=[],
                                                    hits=[], notices=notices)}
        searched = resolve_follow_up(text, request["history"])
        return {**request, "text": text, "searched": searched, "notices": notices, "answer": None}

    def _retrieve(self, state: dict) -> dict:
        if state.get("answer") is not None:
            return state
        hits = self.retriever.search(state["searched"], k=self.k, filters=state["filters"])
        intent = analyse(state["searched"])
        evidence = find_evidence(intent, hits, self.term_weight)
        return {**state, "hits": hits, "intent": intent, "evidence": evidence}

    def _answer(self, state: dict, use_llm: bool = True) -> Answer:
        if state.get("answer") is not None:
            return state["answer"]
        hits, intent, evidence = state["hits"], state["intent"], state["evidence"]
        base = {"question": state["question"], "hits": hits, "notices": state["notices"],
                "search_question": state["searched"]}
        if not evidence:
            text = compose_refusal(state["text"], intent, hits, refusal_reason(intent, hits))
            return Answer(answer=_with_notices(text, state["notices"]), refused=True, citations=[], **base)
        if self.llm is not None and use_llm:
            from rag.llm import LLM_ANSWER_REJECTED, llm_answer

            generated = llm_answer(self, state)
            if generated is not None:
                return generated
            state["notices"].append(LLM_ANSWER_REJECTED)
        text, citations = compose_extractive(intent, evidence, hits)
        return Answer(answer=_with_notices(text, state["notices"]), refused=False, citations=citations, **base)


def _with_notices(text: str, notices: list[str]) -> str:
    return "\n".join([*(f"（{n}）" for n in notices), text]) if notices else text
