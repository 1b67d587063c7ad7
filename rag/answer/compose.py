"""Evidence → the extractive answer text: the fact first, then conditions, then 「依据」.

One line per part of the question; a part the documents do not answer says so in its own line.
Every citation is built from a retrieved chunk's metadata (rag.citation), never from text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from rag.answer.evidence import ClauseEvidence, PartEvidence
from rag.answer.facts import fact_spans, table_units
from rag.citation import Citation, numbered_list, short_reference
from rag.config import PROMPTS_DIR
from rag.parse.regulation import ARTICLE
from rag.retrieve import Hit
from rag.sentences import asked_columns, row_cells, sentences, table_header

CONDITION = re.compile(r"凡|符合|条件|须|应当|需要|需|经.{0,10}(评估|审核|申请)|按程序|按规定|对.{2,40}的，")
SHORT_CLAUSE = 200  # characters: a clause this short is quoted whole when a lookup is asked
UNITS_LINE = re.compile(r"^[（(]?(责任单位|牵头单位|配合单位)")


@cache
def template(name: str) -> str:
    """An answer layout from the prompts folder, filled with str.format. Not a langchain PromptTemplate:
    importing langchain costs every start ~0.7 s, and only the LLM's prompts (rag.answer.llm) need it."""
    return (PROMPTS_DIR / name).read_text(encoding="utf-8")


@dataclass
class Citations:
    """The 依据 list being built: one entry per clause, its [n] reused when cited again."""

    items: list[Citation] = field(default_factory=list)

    def mark(self, hit: Hit, quote: str) -> str:
        for number, citation in enumerate(self.items, 1):
            if citation.chunk_id == hit.chunk_id:
                return f"[{number}]"
        self.items.append(Citation.from_hit(hit, quote))
        return f"[{len(self.items)}]"


def compose_answer(parts: list[PartEvidence]) -> tuple[str, list[Citation]]:
    citations = Citations()
    numbered = len(parts) > 1
    lines: list[str] = []
    leads: dict[str, int] = {}  # a lead already shown → the part it answered
    for index, evidence in enumerate(parts, 1):
        prefix = f"{index}. " if numbered else ""
        if not evidence.answered:
            lines.append(f"{prefix}关于“{_topic(evidence.part.text)}”：现有文件中没有找到明确规定。{evidence.missing}")
            continue
        main = evidence.clauses[0]
        text = lead(evidence, main)
        mark = citations.mark(main.hit, _quote(main))
        earlier = leads.setdefault(text, index)
        lines.append(f"{prefix}同第 {earlier} 条 {mark}" if earlier != index else f"{prefix}{text} {mark}")
        for extra in evidence.clauses[1:]:
            lines.append(f"另见{short_reference(extra.hit.metadata)}：{_joined(extra)} {citations.mark(extra.hit, _quote(extra))}")
    first = next(e for e in parts if e.answered)
    lines += _details(first)
    cited = {c.chunk_id for c in citations.items}
    related = [h for h in first.hits if h.chunk_id not in cited][:2]
    related_text = ("可能相关：\n" + "\n".join(f"- {short_reference(h.metadata)}：{snippet(h.text)}" for h in related)) if related else ""
    text = template("answer.txt").format(lines="\n".join(lines), basis=numbered_list(citations.items),
                                         related=related_text)
    return re.sub(r"\n{2,}", "\n", text).strip(), citations.items


def compose_refusal(question: str, evidence: PartEvidence) -> str:
    return template("refusal.txt").format(topic=f"“{_topic(question)}”的明确规定", reason=evidence.missing,
                                          closest=_closest(evidence.hits), ask=_whom_to_ask(evidence.hits)).strip()


def compose_absent(problems: list[str], hits: list[Hit]) -> str:
    """A named document or clause the library does not hold: that first, then the closest clauses, marked
    as not being what was named."""
    return template("absent.txt").format(problems="".join(dict.fromkeys(problems)), closest=_closest(hits),
                                         ask=_whom_to_ask(hits)).strip()


def _closest(hits: list[Hit]) -> str:
    return "\n".join(f"- {short_reference(h.metadata)}：{snippet(h.text)}" for h in hits[:3]) or "- （没有检索到相关条款）"


def _whom_to_ask(hits: list[Hit]) -> str:
    units = [u for h in hits[:3] for u in h.metadata.responsible_units]
    unique_units = list(dict.fromkeys(u for u in units if not u.startswith("各县")))[:3]
    return f"建议咨询：{'、'.join(unique_units)}。" if unique_units else "建议咨询当地民政、人社等主管部门或拨打12345政务服务热线。"


def lead(evidence: PartEvidence, clause: ClauseEvidence) -> str:
    """The direct answer: the asked fact in bold inside its sentence, or a table cell with its unit."""
    hit = clause.hit
    kinds = evidence.asks.kinds
    if "department" in kinds and hit.metadata.responsible_units:
        task = "".join(readable(s.text) for s in clause.sentences if not UNITS_LINE.match(s.text))
        return f"责任单位：**{hit.metadata.units_label}**。{task}".rstrip("。") + "。"
    body = _body(hit.text)
    if not evidence.asks.needs_figure and len("".join(body)) <= SHORT_CLAUSE:
        return "".join(readable(s) for s in body)  # a short clause is quoted whole
    return _joined(clause, kinds, evidence.part.query)


def _body(text: str) -> list[str]:
    """A clause's sentences without a title line (「（三）主要目标」) or its 责任单位 line."""
    found = [s for s in sentences(text) if readable(s) and not UNITS_LINE.match(s)]
    titled = len(found) > 1 and len(found[0]) <= 20 and not re.search(r"[。；！？]$", found[0])
    return found[1:] if titled else found


def _joined(clause: ClauseEvidence, kinds: tuple[str, ...] = (), question: str = "") -> str:
    header = table_header(clause.hit.text)
    units = table_units(clause.hit.text)
    shown = []
    for sentence in clause.sentences:
        if "\t" in sentence.text and header:
            shown.append(table_cell(header, sentence.text, units, question) + "；")
        else:
            shown.append(_bold(readable(sentence.text), kinds))
    return "".join(shown)


def table_cell(header: str, row: str, units: list[str], question: str = "") -> str:
    """「商业用地：二级地 **3000**（元/平方米）」: the row's label, the asked column(s), the unit."""
    label, *columns = row_cells(header, row) or [("", "")]
    pairs = [(n, c) for n, c in columns if c]
    asked = [(n, c) for n, c in pairs if n in asked_columns(header, question)]
    unit = f"（{'，'.join(dict.fromkeys(units))}）" if units else ""
    shown = "，".join(f"{n} **{c}**" if (n, c) in asked else f"{n} {c}" for n, c in (asked or pairs))
    return f"{label[1]}：{shown}{unit}"


def _bold(sentence: str, kinds: tuple[str, ...]) -> str:
    out, last = [], 0
    for start, end in fact_spans(sentence, kinds):
        out += [sentence[last:start], "**", sentence[start:end], "**"]
        last = end
    return "".join(out + [sentence[last:]])


def _details(evidence: PartEvidence) -> list[str]:
    main = evidence.clauses[0]
    details = []
    used = {s.text for s in main.sentences}
    conditions = [s for s in sentences(main.hit.text) if s not in used and CONDITION.search(s) and readable(s)]
    if conditions and not evidence.asks.needs_figure:
        details.append("条件与要求：" + "".join(readable(s) for s in conditions[:2]))
    units = main.hit.metadata.units_label
    if units and "department" not in evidence.asks.kinds:
        details.append(f"责任单位：{units}。")
    return details


def _quote(clause: ClauseEvidence) -> str:
    return "".join(s.text for s in clause.sentences)


def _topic(text: str) -> str:
    return text.rstrip("？?。！!")


def readable(sentence: str) -> str:
    """A sentence without its clause or article number, ready to lead an answer (the citation names it)."""
    sentence = ARTICLE.sub("", sentence.strip()).lstrip(" \u3000")
    sentence = re.sub(r"^(（?[一二三四五六七八九十\d]+[）、.]\s*)", "", sentence)
    return sentence.replace("\t", " ").strip()


def snippet(text: str, limit: int = 60) -> str:
    flat = text.replace("\n", " ").replace("\t", " ")
    return flat if len(flat) <= limit else flat[:limit] + "…"
