"""Evidence → the extractive answer text: the fact first, then conditions, then 「依据」.

One line per part of the question; a part the documents do not answer says so in its own line.
Every citation is built from a retrieved chunk's metadata (rag.answer.citation), never from text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache

from rag.answer.citation import Citation, numbered_list, short_reference
from rag.answer.evidence import ClauseEvidence, PartEvidence
from rag.answer.facts import YEAR, YEAR_RANGE, asked_spans, figures, table_units
from rag.answer.question import RURAL, URBAN
from rag.config import PROMPTS_DIR
from rag.documents.clauses import split_units, unit_statements
from rag.documents.model import IN_FORCE
from rag.documents.normalize import compact
from rag.documents.regulation import ARTICLE
from rag.index.sentences import asked_columns, row_cells, sentences, table_header
from rag.search.retrieve import Hit

CONDITION = re.compile(r"凡|符合|条件|须|应当|需要|需|经.{0,10}(评估|审核|申请)|按程序|按规定|对.{2,40}的，")
SHORT_CLAUSE = 200  # characters: a clause this short is quoted whole when a lookup is asked
# a date in a year (6月底前, 年底, 二季度), not a duration (5个工作日): the one that needs its year said
CALENDAR_DATE = re.compile(r"\d{1,2}月|月底|年底|年内|季度|上半年|下半年")
UNITS_LINE = re.compile(r"^[（(]?(责任单位|牵头单位|配合单位)")
DUTY_ASIDE = re.compile(r"^[（(].*(负责|组织落实|组织实施)")


def is_aside(sentence: str) -> bool:
    """A sentence that is no part of the answer's text: a 责任单位 line, a 「（…按职责分工负责…」 aside (shown
    as 责任单位 instead), or the end of a parenthesis opened in the sentence before (「以下均需…不再列出）」)."""
    text = sentence.strip()
    return bool(UNITS_LINE.match(text) or DUTY_ASIDE.match(text)) or text.count("）") > text.count("（")


@cache
def template(name: str) -> str:
    """An answer layout from the prompts folder, filled with str.format. Not a langchain PromptTemplate:
    importing langchain costs every start ~0.7 s, and only the LLM's prompts (rag.answer.llm) need it."""
    return (PROMPTS_DIR / name).read_text(encoding="utf-8")


ANSWERED, PARTLY, NOT_FOUND = "answered", "partly", "not_found"


@dataclass(frozen=True)
class PartAnswer:
    """One part of the question as answered: the JSON's `parts`, one line of the text, one block of the page."""

    question: str
    status: str  # answered / partly (the clause leaves out an asked term) / not_found
    answer: str  # the direct answer (the asked fact in **bold**), or why nothing answers it
    citations: tuple[int, ...] = ()  # numbers in the answer's 依据 list
    missing_terms: tuple[str, ...] = ()  # asked terms the cited clause does not contain
    see_also: tuple[tuple[str, str, int], ...] = ()  # (short reference, text, citation number) on the same subject
    support: str = ""  # the rest of the quoted text, after the direct answer's sentence(s)
    disagree: bool = False  # the see_also clause, from another document in force, states another figure
    reference: str = ""  # the cited clause in short: 许政办〔2024〕3号 四、（四）1.
    excerpt: bool = False  # the answer is the asked phrase of a long sentence, which `support` quotes whole

    @property
    def quoted(self) -> str:
        """The clause's words as the answer quotes them, each once."""
        return self.support if self.excerpt else self.answer + self.support

    def to_json(self) -> dict:
        return {"question": self.question, "status": self.status, "answer": self.answer.replace("**", ""),
                "support": self.support.replace("**", ""), "citations": list(self.citations),
                "missing_terms": list(self.missing_terms)}


@dataclass
class Composition:
    """The extractive answer as data; `render` makes its text, the page and the JSON read the same value."""

    parts: list[PartAnswer]
    citations: list[Citation] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # 条件与要求, 责任单位 of the first answered part
    related: list[Hit] = field(default_factory=list)  # 可能相关: retrieved, not cited
    notes: list[str] = field(default_factory=list)  # version, validity: said after the parts
    problems: list[str] = field(default_factory=list)  # named references the library lacks: said first
    ask: str = ""  # whom to ask, when nothing is answered

    @property
    def answered(self) -> bool:
        return any(p.status != NOT_FOUND for p in self.parts)


@dataclass
class Citations:
    """The 依据 list being built: one entry per clause, its number reused when cited again."""

    items: list[Citation] = field(default_factory=list)
    clauses: list[tuple] = field(default_factory=list)  # each item's clause (`clause_key`)

    def number(self, hit: Hit, quote: str) -> int:
        """The clause's number; a long clause indexed in several chunks is one clause, cited once."""
        if clause_key(hit) in self.clauses:
            return self.clauses.index(clause_key(hit)) + 1
        self.items.append(Citation.from_hit(hit, quote))
        self.clauses.append(clause_key(hit))
        return len(self.items)


def distinct_clauses(hits: list[Hit], cited: list[tuple] = ()) -> list[Hit]:
    """One hit per clause not cited, in the order of its best-ranked chunk: two chunks of one long clause are
    one clause to the reader, listed once, by its opening chunk when retrieved (a snippet from its start)."""
    distinct: dict[tuple, Hit] = {}
    for hit in hits:
        key = clause_key(hit)
        if key not in cited and (key not in distinct or hit.metadata.part < distinct[key].metadata.part):
            distinct[key] = hit
    return list(distinct.values())


def clause_key(hit: Hit) -> tuple:
    meta = hit.metadata
    return meta.source, meta.doc_number, meta.doc_title, meta.clause_path, meta.version_date


def compose_answer(parts: list[PartEvidence]) -> Composition:
    citations = Citations()
    answers: list[PartAnswer] = []
    for evidence in parts:
        if not evidence.answered:
            answers.append(PartAnswer(evidence.part.text, NOT_FOUND, evidence.missing))
            continue
        main = evidence.clauses[0]
        quoted = clause_key(main.hit) in citations.clauses  # by an earlier part
        number = citations.number(main.hit, _quote(main))
        see_also = tuple((short_reference(extra.hit.metadata), _joined(extra, evidence.asks.kinds, evidence.part.query),
                          citations.number(extra.hit, _quote(extra))) for extra in evidence.clauses[1:])
        disagree = evidence.asks.needs_figure and any(_disagrees(main, extra) for extra in evidence.clauses[1:])
        status = PARTLY if evidence.missing_terms else ANSWERED
        text = lead(evidence, main, quoted)
        best = readable(max(main.sentences, key=lambda sentence: sentence.score).text) if main.sentences else ""
        direct, support = first_line(text.replace("**", "") if status == PARTLY else text, best)
        # a penalty is the whole sequence of sanctions (责令改正；逾期…处…罚款): no phrase of it answers alone
        phrase = asked_phrase(direct) if "penalty" not in evidence.asks.kinds else ""
        if phrase:  # the whole quote, in the clause's order and words (no 「2024年：」 of ours), goes under the phrase
            direct, support = phrase, text.replace("**", "").removeprefix(_plan_year(main.hit))
        if evidence.outline:  # the parts or sections answer; the clause's own text supports unless only a heading
            # the part's title sentence (「扩大有效益的投资。」) is in the line already
            title = compact(evidence.outline_of)
            support = "".join(s for s in re.split(r"(?<=[。！？])", direct + support)
                              if compact(s.replace("**", "")).rstrip("。！？") not in title)
            whole = f"{evidence.outline_of}，" if evidence.outline_of else "该文件"
            listing = ("各项的责任单位：" if "department" in evidence.asks.kinds else
                       f"包括{len(evidence.outline)}项：" if evidence.outline_of else f"分{len(evidence.outline)}个部分：")
            direct = f"{whole}{listing}{'；'.join(evidence.outline)}。"
        if evidence.whether_eligible and status == ANSWERED:  # the documents say who qualifies, not "yes"
            direct = f"{WHETHER_LEAD}{direct}"
        if evidence.same_rule_for:  # 「那农村的呢？」 where the clause has one rule for both
            direct = f"文件没有对{evidence.same_rule_for}另作规定，以下规定城乡通用：{direct}"
        answers.append(PartAnswer(evidence.part.text, status, direct, (number,), tuple(evidence.missing_terms),
                                  see_also, support, disagree, short_reference(main.hit.metadata), bool(phrase)))
    first = next(e for e in parts if e.answered)
    related = distinct_clauses(first.hits, citations.clauses)[:2]
    # conditions and 责任单位 belong to one clause: under answers from several they would seem to be everyone's
    one_clause = len({e.clauses[0].hit.chunk_id for e in parts if e.answered}) == 1
    details = _details(first, "".join(a.answer + a.support for a in answers)) if one_clause else []
    # the documents' word for the person's own, said once: the reader finds it in the clause and can ask with it
    words = dict(pair for e in parts for pair in e.documents_words)
    notes = [f"问题中的“{own}”，文件中称“{theirs}”。" for own, theirs in words.items()]
    return Composition(answers, citations.items, details, related, notes=notes)


def _disagrees(main: ClauseEvidence, other: ClauseEvidence) -> bool:
    """Two documents in force (not versions of one) that give different figures for what was asked."""
    first, second = main.hit.metadata, other.hit.metadata
    if first.source == second.source or first.status not in IN_FORCE or second.status not in IN_FORCE:
        return False
    stated = figures(_quote(main)), figures(_quote(other))
    return all(stated) and stated[0] != stated[1]


def compose_refusal(question: str, evidence: PartEvidence, named_units: list[str], elsewhere: bool = False) -> Composition:
    """named_units: the departments the question itself names, the ones to ask (「民政局的咨询电话」). elsewhere: the
    question is about a place the library does not speak for, whose departments are not the library's."""
    ask = (f"建议咨询：{'、'.join(named_units)}。" if named_units else
           ELSEWHERE_ASK if elsewhere else _whom_to_ask(evidence.hits))
    return Composition([PartAnswer(question, NOT_FOUND, evidence.missing)], related=distinct_clauses(evidence.hits)[:3],
                       ask=ask)


def compose_absent(problems: list[str], hits: list[Hit], question: str) -> Composition:
    """A named document or clause the library does not hold: that first, then the closest clauses, marked
    as not being what was named."""
    return Composition([PartAnswer(question, NOT_FOUND, "".join(dict.fromkeys(problems)))],
                       related=distinct_clauses(hits)[:3],
                       problems=list(dict.fromkeys(problems)), ask=CHECK_REFERENCE)


ELSEWHERE_ASK = "建议咨询当地相关主管部门或拨打当地12345政务服务热线。"
# what a person asking of a document or clause the library lacks can do: the closest clauses' departments are
# those of other documents, and a fallback naming 民政、人社 fits a question on land tax no better
CHECK_REFERENCE = "请核对文号和条款是否写对，也可拨打12345政务服务热线咨询。"


def render(composition: Composition, page: bool = False) -> str:
    """The answer's text: the direct answers first, one line per part, then conditions, notes, 依据 and the
    related clauses. For the page the 依据 lines and the related clauses are left out: it folds each of them
    under the answer as a one-line chip (文号 + clause), so a phone's screen shows the answer, not five lines
    per citation."""
    heading = CLOSEST_NOT_NAMED if composition.problems else "可能相关："
    closest = "\n".join(f"- {short_reference(h.metadata)}：{snippet(h.text)}" for h in composition.related)
    if not composition.answered and not composition.problems:  # a missing document asked nothing else: no block
        closest = closest or NOTHING_RETRIEVED
    related = f"{heading}\n{closest}" if not page and closest else ""
    if composition.problems:
        text = template("absent.txt").format(problems="".join(composition.problems), related=related,
                                             ask=composition.ask)
    elif not composition.answered:
        part = composition.parts[0]
        text = template("refusal.txt").format(topic=f"“{_topic(part.question)}”的明确规定", reason=part.answer,
                                              related=related, ask=composition.ask)
    else:
        lines = [*_part_lines(composition.parts), *composition.details, *composition.notes]
        text = template("answer.txt").format(lines="\n".join(_tidy(line) for line in lines),
                                             basis="" if page else f"依据：\n{numbered_list(composition.citations)}",
                                             related=related)
    return re.sub(r"\n{2,}", "\n", text).strip()


CLOSEST_NOT_NAMED = "以下是文件库中最接近的内容，并非所问文件或条款的规定："
NOTHING_RETRIEVED = "- （没有检索到相关条款）"


def _part_lines(parts: list[PartAnswer]) -> list[str]:
    """One line per part, numbered when there are several; parts answered by the same text share one line
    (「1、2. …」), so no sentence is printed twice; a part not answered is marked ◐."""
    groups: list[list[int]] = []  # the parts each line answers
    for index, part in enumerate(parts, 1):
        # a part not found is its own line (it names its own topic); one whose quote is, or holds, another's
        # from the same clause shares that line
        same = next((g for g in groups if part.status != NOT_FOUND and _same_quote(parts[g[0] - 1], part)), None)
        if same is None:
            groups.append([index])
        else:
            same.append(index)
    lines = []
    # (citation number, sentence) printed so far: one clause answering two parts is quoted once; another
    # document saying the same is its own source and keeps its words. A rule of the text alone: each part in
    # the JSON keeps its whole support, as it reads on its own
    shown: set[tuple[int, str]] = set()
    for numbers in groups:
        group = [parts[n - 1] for n in numbers]
        # one of them leaves out an asked term: the shared line says so, naming every term left out
        part = next((p for p in group if p.status == PARTLY), group[0])
        fullest = _fullest(group)  # a phrase shares the line of its whole sentence, which then leads
        part = replace(part, answer=fullest, excerpt=part.excerpt and fullest == part.answer,
                       missing_terms=tuple(dict.fromkeys(t for p in group for t in p.missing_terms)))
        text = _part_text(part)
        for number in part.citations:
            _unshown(part.answer, number, shown)
        # numbers tell lines apart: parts all answered by one line need none (「1、2.」 read as noise)
        prefix = f"{'、'.join(map(str, numbers))}. " if len(groups) > 1 else ""
        lines.append(prefix + text)
        if part.disagree:  # both figures side by side, none chosen for the reader
            lines += [f"- {reference}：{text} [{number}]" for reference, text, number in part.see_also]
            continue
        support = _unshown(part.support, part.citations[0], shown) if part.citations else part.support
        lines += [f"{EXCERPT_OF if part.excerpt else ''}{support}"] if support else []
        # more of the same clause (indexed in another chunk) goes on under it; another clause is 另见
        for reference, quote, number in part.see_also:
            text = _unshown(quote, number, shown)
            if number not in part.citations:  # its words all printed above for another part: named, not repeated
                lines.append(f"另见{reference}：{text} [{number}]" if text else f"另见{reference} [{number}]")
            elif text:
                lines.append(f"{text} [{number}]")
    return lines


# a sentence with what closes it (「。）」「。”」), or a last piece without an end mark
QUOTED_SENTENCE = re.compile(r"[^。！？]*[。！？]+[”’）」』]*|[^。！？]+$")


def _unshown(text: str, number: int, shown: set[tuple[int, str]]) -> str:
    """The sentences of clause `number`'s text not in shown, which then holds them too. Where one is left out
    between two kept, 「……」 marks the gap; a sentence's own mark of a gap before it goes with it."""
    kept: list[str] = []
    skipped = False
    for sentence in QUOTED_SENTENCE.findall(text):
        key = (number, compact(sentence.replace("**", "").removeprefix(GAP)))
        if not re.search(r"[\u4e00-\u9fff\d]", key[1]) or key not in shown:
            shown.add(key)
            gap = GAP if skipped and kept and not sentence.startswith(GAP) else ""
            kept.append(gap + sentence)
            skipped = False
        else:
            skipped = True
    return "".join(kept)


def _same_quote(shown: PartAnswer, part: PartAnswer) -> bool:
    if shown.status == NOT_FOUND or shown.citations != part.citations:
        return False
    # a phrase of a sentence (「……最长不超过**一年**。」) is the same quote as the sentence
    one, other = (p.answer.replace("**", "").strip("…") for p in (shown, part))
    return one in other or other in one


def _fullest(group: list[PartAnswer]) -> str:
    """The longest of the quotes, with every part's asked fact in bold."""
    text = max((p.answer for p in group), key=lambda a: len(a.replace("**", "")))
    for bold in (b for p in group for b in re.findall(r"\*\*(.+?)\*\*", p.answer)):
        if f"**{bold}**" not in text:
            text = text.replace(bold, f"**{bold}**", 1)
    return text


def _part_text(part: PartAnswer) -> str:
    marks = "".join(f"[{n}]" for n in part.citations)
    if part.status == NOT_FOUND:
        return f"◐ 关于“{_topic(part.question)}”：现有文件中没有找到明确规定。{part.answer}"
    if part.disagree:
        return f"以下文件说法不一致：\n- {part.reference}：{part.quoted} {marks}"
    if part.status == PARTLY:
        missing = "、".join(f"“{t}”" for t in part.missing_terms)
        return f"◐ 文件没有写{missing}；最接近的规定是：{part.answer} {marks}"
    return f"{part.answer} {marks}"


WHETHER_LEAD = "是否符合，要看以下规定："
FIRST_LINE_CHARS = 80  # about four lines on a 390 px phone: the direct answer fits its first screen
GAP = "……"  # where a quote leaves sentences of the clause out
MIN_FIRST_LINE_CHARS = 24  # shorter is a title or a fragment, not an answer


def first_line(text: str, best: str = "") -> tuple[str, str]:
    """The direct answer and the rest: a long quote is split at a sentence end, the first line being the
    sentence with the asked fact (in bold), else the one holding the best evidence sentence (`best`), else
    the first, with what follows it while it fits; the other sentences, in their order, are the rest.
    Nothing is left out and nothing is said twice."""
    sentences = [s for s in re.split(r"(?<=[。！？])", text) if s.strip()]
    if len(text) <= FIRST_LINE_CHARS or len(sentences) == 1:
        return text, ""
    opening = compact(best)[:12]
    start = next((i for i, s in enumerate(sentences) if "**" in s), None)
    if start is None:
        start = next((i for i, s in enumerate(sentences) if opening and opening in compact(s)), 0)
    end = start + 1  # the sentence with the fact is in the line whatever goes before it
    while start and len(sentences[start - 1]) < MIN_FIRST_LINE_CHARS:  # its title goes with it
        start -= 1
    # a heading-like first sentence (「最低生活保障边缘家庭成员。」) is no answer on its own
    while end < len(sentences) and (len("".join(sentences[start:end])) < MIN_FIRST_LINE_CHARS
                                    or len("".join(sentences[start:end + 1])) <= FIRST_LINE_CHARS):
        end += 1
    direct, before, after = "".join(sentences[start:end]), sentences[:start], sentences[end:]
    if direct.startswith(GAP):  # the mark of sentences left out stands between the two it separates, not first
        direct = direct.removeprefix(GAP)
        if before and after and not after[0].startswith(GAP):
            after = [GAP + after[0], *after[1:]]
    return direct, "".join(before + after)


MIN_PHRASE_CHARS = 12  # a fact with what it is of (城镇新增就业5万人); shorter is a figure without its subject
EXCERPT_OF = "原文："  # before the whole sentence under an answer that is the asked phrase of it
# where a sentence divides into phrases: its commas, semicolons and colons outside brackets and quotes
PHRASE_MARK = "，；：,;:"
QUALIFIER = re.compile(rf"(?:{YEAR.pattern})|^(?:对|凡|符合|经|在|到|至|截至)|的[，,]$|[：:]$")


def asked_phrase(line: str) -> str:
    """The phrase(s) of a long one-sentence answer that state the asked fact (in bold), with the phrase before
    them when it qualifies them (a year, a condition 「对…的，」, a label 「责任单位：」): the direct answer, the
    sentence going whole under it. "" when the line is short, is several sentences, or marks no fact."""
    if len(line) <= FIRST_LINE_CHARS or "**" not in line or re.search(r"[。！？]", line.rstrip("。！？")):
        return ""
    phrases, depth, start = [], 0, 0
    for at, char in enumerate(line):
        depth += (char in "（(“「") - (char in "）)”」")
        if char in PHRASE_MARK and depth <= 0:
            phrases.append(line[start:at + 1])
            start = at + 1
    phrases.append(line[start:])
    if any(phrase.count("**") % 2 for phrase in phrases):
        return ""  # a bold run crosses a phrase's end (a list 「**1/10、1/6、1/3**」 is one run): no phrase holds it
    bold = [i for i, phrase in enumerate(phrases) if "**" in phrase]
    first, last = bold[0], bold[-1]
    shown = lambda: len("".join(phrases[first:last + 1]).replace("**", ""))  # noqa: E731
    # 「分别为…1/10、1/6、1/3」 gives one figure to each item the phrase before it lists (全自理、半自理和全护理): without
    # them a reader takes the first for all
    while first and (QUALIFIER.search(phrases[first - 1]) or shown() < MIN_PHRASE_CHARS
                     or phrases[first].lstrip("*").startswith("分别")):
        first -= 1
    while last < len(phrases) - 1 and shown() < MIN_PHRASE_CHARS:
        last += 1
    phrase = "".join(phrases[first:last + 1]).rstrip(PHRASE_MARK)
    if len(line) - len(phrase) < MIN_FIRST_LINE_CHARS:  # hardly shorter: the sentence itself
        return ""
    return f"{'……' if first else ''}{phrase}{'……' if last < len(phrases) - 1 else ''}"


def _tidy(line: str) -> str:
    """A line never ends in the middle of a sentence: 「500元；。」 → 「500元。」, a closing 「；」 → 「。」."""
    line = re.sub(r"[；;，,：:]\s*。", "。", line)
    return re.sub(r"[；;，,：:](\s*(?:\[\d+\])*)$", r"。\1", line)


def _whom_to_ask(hits: list[Hit]) -> str:
    units = [u for h in hits[:3] for u in h.metadata.responsible_units]
    unique_units = list(dict.fromkeys(u for u in units if not u.startswith("各县")))[:3]
    # no unit named: a department chosen here (民政、人社) would fit a question on land prices no better than none
    return f"建议咨询：{'、'.join(unique_units)}。" if unique_units else "建议咨询相关主管部门或拨打12345政务服务热线。"


def lead(evidence: PartEvidence, clause: ClauseEvidence, quoted: bool = False) -> str:
    """The direct answer: the asked fact in bold inside its sentence, or a table cell with its unit. A
    department asked of a clause an earlier part already quoted is the units alone (no quote twice)."""
    hit = clause.hit
    kinds = evidence.asks.kinds
    if "department" in kinds and hit.metadata.responsible_units:
        task = "" if quoted else "".join(readable(s.text) for s in clause.sentences if not is_aside(s.text))
        return f"{_units_stated(clause)}。{task}".rstrip("。") + "。"
    body = _scope_asked(_body(hit.text), evidence.part.text)
    # a short clause is quoted whole (its length counted with its asides, which are not quoted)
    if not evidence.asks.needs_figure and len("".join(_body(hit.text, asides=True))) <= SHORT_CLAUSE:
        return "".join(readable(s) for s in body)  # a half ending in 「；」 ends in 「。」 through _tidy
    text = _joined(clause, kinds, evidence.part.query)
    dated = "date" in kinds or "day" in kinds
    return f"{_plan_year(hit)}{text}" if dated and CALENDAR_DATE.search(text) and not YEAR.search(text) else text


def _units_stated(clause: ClauseEvidence) -> str:
    """Who is responsible, as the clause says it for the sentences that answer: the statement of units that
    follows them (a clause whose paragraphs each end in their own names different units for each), with who
    leads kept apart: 「牵头单位：**市公安局**；责任单位：**…**」, also from 「市发展和改革委员会牵头，…等按职责分工负责」."""
    text, meta = clause.hit.text, clause.hit.metadata
    # a later part of a long clause that opens with a statement opens inside the last paragraph's one
    statements = sorted((start, words) for start, words in unit_statements(text) if start or not meta.part)
    if not statements:
        return f"{meta.units_named_as}：**{meta.units_label}**"
    answering = [at for s in clause.sentences if (at := text.find(s.text)) >= 0]
    at = min(answering, default=0)
    statement = next((words for start, words in statements if start >= at), statements[-1][1])
    pieces = []
    for piece in filter(None, (p.strip() for p in re.split(r"[；;]", statement))):
        named = re.match(r"([^：:，,]{2,6}单位|责任主体)[：:]", piece)
        leads = re.match(r"(.+?)牵头[，,](.+)", piece)
        if named:
            pieces.append(f"{named[1]}：**{piece[named.end():]}**")
        elif leads:
            pieces.append(f"牵头单位：**{leads[1]}**；责任单位：**{'、'.join(split_units(leads[2]))}**")
        else:
            pieces.append(f"责任单位：**{'、'.join(split_units(piece))}**")
    return "；".join(pieces)


def _plan_year(hit: Hit) -> str:
    """「2024年：」 for a deadline without its year (「6月底前」): a document's dates are those of the one year
    its title gives, else of the year it was issued in; a title spanning years (2020—2022年) leaves it open."""
    title = hit.metadata.doc_title
    if YEAR_RANGE.search(title):
        return ""
    years = set(YEAR.findall(title)) or ({str(hit.metadata.year)} if hit.metadata.year else set())
    return f"{years.pop()}年：" if len(years) == 1 else ""


def _scope_asked(body: list[str], part: str) -> list[str]:
    """For 「那农村的呢？」, of a clause that says one thing for 城市 and another for 农村 (「对…城市…，通过配租公租房…；
    对…农村…，通过农村危房改造…」), the sentences of the side asked about: the other side's are what the person has
    just read or did not ask."""
    named = [side for side in (URBAN, RURAL) if any(w in part for w in side)]
    if len(named) != 1:  # neither side, or both (「城市和农村有什么不同」): the whole clause
        return body
    asked = named[0]
    other = RURAL if asked is URBAN else URBAN
    theirs = [s for s in body if any(w in s for w in other) and not any(w in s for w in asked)]
    if not theirs or len(theirs) == len(body):
        return body
    kept: list[str] = []
    for sentence in body:  # where the other side's sentences were, the reader sees the gap
        if sentence not in theirs:
            kept.append(sentence)
        elif kept and kept[-1] != GAP:
            kept.append(GAP)
    return kept[:-1] if kept[-1] == GAP else kept


def _body(text: str, asides: bool = False) -> list[str]:
    """A clause's sentences without a title line (「（三）主要目标」), its 责任单位 line and (unless asked for)
    its asides."""
    found = [s for s in sentences(text) if readable(s) and not UNITS_LINE.match(s) and (asides or not is_aside(s))]
    titled = len(found) > 1 and len(found[0]) <= 20 and not re.search(r"[。；！？]$", found[0])
    return found[1:] if titled else found


def _joined(clause: ClauseEvidence, kinds: tuple[str, ...] = (), question: str = "") -> str:
    header = table_header(clause.hit.text)
    units = table_units(clause.hit.text)
    shown = []
    end = None  # where the last sentence shown ends in the clause's text
    for sentence in clause.sentences:
        if is_aside(sentence.text) and len(clause.sentences) > 1:
            continue
        at = clause.hit.text.find(sentence.text, end or 0)
        if shown and end is not None and at > end and re.search(r"[\u4e00-\u9fff\d]", clause.hit.text[end:at]):
            shown.append(GAP)  # sentences left out between two quoted ones: the reader sees the gap
        end = at + len(sentence.text) if at >= 0 else None
        if "\t" in sentence.text and header:
            shown.append(table_cell(header, sentence.text, units, question) + "；")
        else:
            text = readable(sentence.text)
            # a line of its own without a stop (a table's group line 「…共20家企业，奖励资金共370万元」) ends there
            stop = "" if re.search(r"[。；！？：…）)」”，,、]$", text) else "。"
            shown.append(_bold(text, kinds, question) + stop)
    return "".join(shown)


def table_cell(header: str, row: str, units: list[str], question: str = "") -> str:
    """「商业用地：二级地 **3000**（元/平方米）」: the row's label, the asked column(s), the unit."""
    label, *columns = row_cells(header, row) or [("", "")]
    if re.fullmatch(r"\d{1,3}", label[1]) and columns:  # a row number (序号) labels nothing: the next cell does
        label, *columns = columns
    pairs = [(n, c) for n, c in columns if c]
    asked = [(n, c) for n, c in pairs if n in asked_columns(header, question)]
    shown_pairs = asked or pairs
    # a unit its column's name shows already (拟奖励金额(万元)) is not said again after the last cell (「建安区（万元）」)
    units = [u for u in dict.fromkeys(units) if not any(f"({u})" in n or f"（{u}）" in n for n, _ in shown_pairs)]
    unit = f"（{'，'.join(units)}）" if units else ""
    shown = "，".join(f"{n} **{c}**" if (n, c) in asked else f"{n} {c}" for n, c in shown_pairs)
    return f"{label[1]}：{shown}{unit}"


def _bold(sentence: str, kinds: tuple[str, ...], question: str) -> str:
    out, last = [], 0
    for start, end in asked_spans(sentence, kinds, question):
        out += [sentence[last:start], "**", sentence[start:end], "**"]
        last = end
    return "".join(out + [sentence[last:]])


def _details(evidence: PartEvidence, shown: str) -> list[str]:
    """Conditions and the responsible units of the first answered clause, unless the answer already says
    them (shown: the parts' quotes)."""
    main = evidence.clauses[0]
    details = []
    used = {s.text for s in main.sentences}
    quoted = compact(shown.replace("**", ""))  # a short clause is quoted whole: its conditions are said already
    conditions = [s for s in sentences(main.hit.text) if s not in used and CONDITION.search(s) and readable(s)
                  and not is_aside(s) and compact(readable(s)) not in quoted]
    if conditions and not evidence.asks.needs_figure:
        details.append("条件与要求：" + "".join(readable(s) for s in conditions[:2]))
    units = main.hit.metadata.units_label
    said = f"{main.hit.metadata.units_named_as}：{units}"
    # a partly answer's line has no bold; an answer to who is responsible has stated them
    if units and "department" not in evidence.asks.kinds and said not in shown.replace("**", ""):
        details.append(f"{said}。")
    return details


def _quote(clause: ClauseEvidence) -> str:
    return "".join(s.text for s in clause.sentences)


def _topic(text: str) -> str:
    """What was asked, as a refusal names it: of a long message its last TOPIC_CHARS characters, from a clause
    boundary (a 5,000-character story is not repeated back above the reason)."""
    text = text.rstrip("？?。！!")
    if len(text) <= TOPIC_CHARS:
        return text
    tail = text[-TOPIC_CHARS:]
    boundaries = [m.end() for m in re.finditer(r"[。！!？?；;]", tail[:TOPIC_CHARS // 2])]
    return "…" + tail[boundaries[-1] if boundaries else 0:]


TOPIC_CHARS = 40


def readable(sentence: str) -> str:
    """A sentence without its clause or article number, ready to lead an answer (the citation names it)."""
    sentence = ARTICLE.sub("", sentence.strip()).lstrip(" \u3000")
    sentence = re.sub(r"^(（?[一二三四五六七八九十\d]+[）、.]\s*)", "", sentence)
    return sentence.replace("\t", " ").strip()


def snippet(text: str, limit: int = 60) -> str:
    flat = text.replace("\n", " ").replace("\t", " ")
    return flat if len(flat) <= limit else flat[:limit] + "…"
