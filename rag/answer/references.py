"""The references a question names (a 文号, a title in 《》 or in the form of one, a clause path or an article),
looked up in the library before anything is searched.

A help-desk worker asked about 「许政办〔2024〕7号」 first checks the shelf: if the library does not hold
it, or the document has no part 「七、」, that is the first thing the person hears, never an answer taken
from another document. What the library holds is the generation's `Shelf` (rag.index.holdings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.documents.clauses import cn_to_int, int_to_cn
from rag.documents.model import NATIONAL_PREFIX
from rag.documents.normalize import compact
from rag.index.holdings import TITLE_IN_BRACKETS, TOP_LEVEL, Shelf
from rag.index.versions import format_date
from rag.search.places import Gazetteer
from rag.search.retrieve import (
    CN_NUMERAL,
    PATH_AFTER,
    PATH_LEVEL,
    doc_number_spans,
    doc_numbers_in,
    normalized_question,
    path_after,
    without_leading_words,
)

# a law or rule named without 《》 but with an article after it (「道路运输条例第九十条」): Chinese legislation's
# names end in these words, and the article makes the name a reference rather than a topic
TITLE_BEFORE_ARTICLE = re.compile(rf"([\u4e00-\u9fff]{{2,30}}(?:条例|办法|规定|细则|规则|法))(?=第{CN_NUMERAL}条)")
# a national law by its full name, article or not: 「根据中华人民共和国劳动合同法，…」
NATIONAL_LAW = re.compile(rf"({NATIONAL_PREFIX}[\u4e00-\u9fff]{{2,30}}?(?:法|条例))")
# what a question goes on to say of a document it names: where in it, what it says, which part, which version
AFTER_NAME = rf"里|中|规定|提出|说|第|对|{CN_NUMERAL}、|（|附件|专栏|(?:19|20)\d{{2}}年(?:，|修订|修正|修改|的?版)"
# an official document's title written without 《》, as 公文 titles are formed: the issuing body, 关于, the subject,
# 的 and the kind of document (「许昌市人民政府关于促进民宿发展的意见」); the body's name is required, so that
# 「有关于民宿的规定吗」 stays a question about a topic
OFFICIAL_TITLE = re.compile(r"([\u4e00-\u9fff]{1,20}(?:人民政府|政府|办公室|办公厅|委员会|局|厅|部|委|院|小组)关于"
                            r"[^，,。？?！!；;《》\s]{2,60}?的(?:若干(?:意见|措施|政策|规定)|实施意见|指导意见|意见|通知|实施办法|办法|实施方案|方案|"
                            r"规定|决定|实施细则|细则|批复|通告|公告))")
# the same title without its issuing body, as people shorten it, where the question goes on to what it says
# (「关于…的实施意见里」) or puts it in brackets after a 文号: a topic question (「有关于民宿的规定吗」) does neither
ABOUT_TITLE = re.compile(r"(关于[^，,。？?！!；;《》（）()\s]{2,60}?的(?:若干(?:意见|措施|政策|规定)|实施意见|指导意见|意见|通知|实施方案|方案|决定|"
                         r"通报|批复|通告|公告))(?=" + AFTER_NAME + r"|要求|[）)])")
# a local rule or plan named by its title without 《》 or 关于 (「许昌市中心城区既有住宅加装电梯暂行办法里…」): a
# province or city (not the 省 of 节省, the 市 of 城市), then words that ask nothing, then the kind of document,
# then what the question says of it
PLACE_TITLE = re.compile(r"((?:[\u4e00-\u9fff]{2,4}(?<![节城超上门])[省市](?!场))"
                         r"(?:(?!什么|哪|多少|怎|吗|呢|有没有|是否|能|可以|的|或)"
                         r"[\u4e00-\u9fff（）()\d—-]){4,40}?(?:暂行办法|实施办法|管理办法|办法|条例|实施细则|细则|"
                         r"行动方案|实施方案|工作方案|规划|统计公报)(?:[（(]\d{4}[—-]\d{4}年[）)])?)(?=" + AFTER_NAME + ")")
# a rule named by its title alone (「社会救助暂行办法里…」): rules are named 「…暂行办法」「…条例」「…实施细则」,
# and what follows (里, 规定, 第…条) makes the name a reference. A bare 办法 or 细则 is as often a word of the
# question (「没有办法」「收费办法中」), and 方案 and 意见 are named loosely: those are left out
RULE_TITLE = re.compile(r"((?:(?!什么|哪|多少|怎|吗|呢|有没有|没有|是否|能|可以|的|和|或|照|根据|依据|有关|相关|国家|说|了解|现行)"
                        r"[\u4e00-\u9fff（）()]){4,30}?(?:暂行办法|实施办法|管理办法|条例|实施细则|若干(?:措施|意见|规定|政策)))"
                        r"(?=" + AFTER_NAME + ")")
# a version said before a title (「2022年版道路运输条例」「旧版行政复议法」) chooses among the title's versions (the
# retriever reads the year) and is no word of the title: read as one, 「版道路运输条例」 is a document no library has
# (版 is required after a year or 新/旧/老, which begin other words: 新乡市, 2023年版权…)
VERSION_BEFORE_TITLE = re.compile(r"(?:(?:(?:19|20)\d{2}\s*年|[新旧老])(?:修订|修正|修改)?的?版(?!权)本?|"
                                  r"(?:19|20)\d{2}\s*年(?:修订|修正|修改)[后前]?(?:的?版本?)?的?(?=《|[\u4e00-\u9fff]{2,4}[省市]|中华人民共和国)|"
                                  r"(?:现行|最新|新修订|新修正|(?:修订|修正|修改)[后前])(?:的?版本?)?)的?")
# the kinds of document a title cited by the library names (法规, 规章, 公文, plans and standards); and the length
# below which a cited title is a common phrase (《工作方案》)
CITED_KIND = re.compile(r"(?:条例|办法|细则|规定|规则|方案|意见|通知|决定|规划|纲要|指引|目录|标准|计划|措施|指南|法)"
                        r"(?:[（(][^）)]*[）)])?$")
MIN_CITED = 6
PERIOD_AT_END = re.compile(r"[（(][^）)]*\d{4}[^）)]*[）)]$")
# a revision named by its year: 2023年修订 (「2020年版」 is the version in force in 2020, whenever it was made)
REVISION_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?:修订|修正|修改)")
SET_OF_MEASURES = re.compile(r"若干(?:措施|意见|规定|政策)$")
# a held title's run of this many characters in a name makes it that title, loosely named
RESEMBLES = 8
# the n-th numbered item of a document numbered 1. 2. … through its parts: 「许政办〔2024〕4号第30条」「第三十项」
ITEM = re.compile(rf"的?第(\d{{1,3}}|{CN_NUMERAL})(?:条|项|点)")
NUMBERED = re.compile(r"(\d{1,3})\.$")
SUB_PART = re.compile(rf"{CN_NUMERAL}、（({CN_NUMERAL})）")
# a chapter or section named after a 文号 (「…5号第二章」「…8号里的第三节」), which its clause paths do not show
DIVISION_NAMED = re.compile(rf"(?:文件|文)?(?:中|里|里面)?的?(第{CN_NUMERAL}[章节])")
MIN_TITLE = 4  # characters: 《法》《条例》 alone name no particular document


@dataclass(frozen=True)
class NamedReference:
    """One reference of a question and what the library holds of it."""

    written: str  # as the question names it, normalized: 许政办〔2024〕7号 四、（四）1.
    doc_number: str = ""
    doc_title: str = ""  # the library's title when the document is there
    clause_path: str = ""
    problem: str = ""  # the first line to say when the library does not hold it

    @property
    def found(self) -> bool:
        return not self.problem

    @property
    def scope(self) -> str:
        """The reference as the retriever reads it: the 文号 (or the library's whole title) and the path."""
        return f"{self.doc_number or f'《{self.doc_title}》'} {self.clause_path}".strip()


def named_references(question: str, shelf: Shelf) -> list[NamedReference]:
    """Every 文号 and 《title》 the question names (with the clause path written after it), checked against
    the library."""
    text = normalized_question(question)
    found: list[NamedReference] = []
    held: list[str] = []  # the held titles named (with a part or not)
    ends: dict[str, int] = {}
    for number, end in doc_number_spans(text, shelf):
        ends.setdefault(number, end)  # a 文号 named twice is read where it is first named
    for number, end in ends.items():
        # a 文号 in brackets after its title: 「…实施方案（许政〔2020〕12号）二（七）」 goes on after the bracket
        end += text.startswith(("）", ")"), end)
        path = path_after(text, end)
        written = f"{number} {path}".strip()
        if number not in shelf.paths:
            found.append(NamedReference(written, doc_number=number, clause_path=path,
                                        problem=f"文件库中没有{number}。"))
            continue
        division = DIVISION_NAMED.match(text, end) if not path else None
        if division and division[1] not in shelf.divisions.get(number, ()):
            # 「许政办〔2024〕5号第二章」: a document without chapters has none to quote
            found.append(NamedReference(f"{number} {division[1]}", doc_number=number,
                                        doc_title=shelf.titles.get(number, ""), problem=f"{number} 没有“{division[1]}”。"))
            continue
        item = ITEM.match(text, end) if not path else None
        if item:
            found.append(_numbered_item(number, item, shelf))
            continue
        found.append(_with_path(written, number, shelf.titles.get(number, ""), path, shelf, text[_path_end(text, end):]))
    for match in TITLE_IN_BRACKETS.finditer(text):
        name = match.group(1)
        if len(compact(name)) < MIN_TITLE or name in shelf.issues or any(name in i for i in shelf.issues):
            continue
        path = path_after(text, match.end())
        written = f"《{name}》{path}"
        title = shelf.title_for(name)
        if title is None:
            found.append(NamedReference(written, clause_path=path, problem=f"文件库中没有《{name}》。"))
            continue
        item = ITEM.match(text, match.end()) if not path else None
        if item:  # 「《…行动方案》第十五项」, as after a 文号
            found.append(_numbered_item(title, item, shelf))
            continue
        held.append(title)
        found.append(_with_path(written, title, title, path, shelf, text[_path_end(text, match.end()):]))
    unbracketed = VERSION_BEFORE_TITLE.sub("，", TITLE_IN_BRACKETS.sub("", text))
    names = [without_leading_words(m.group(1)) for pattern in (TITLE_BEFORE_ARTICLE, NATIONAL_LAW, OFFICIAL_TITLE,
                                                               PLACE_TITLE, RULE_TITLE)
             for m in pattern.finditer(unbracketed)]
    names += [m.group(1) for m in ABOUT_TITLE.finditer(unbracketed)]  # it starts at 关于, a word the others drop
    names = [n for n in dict.fromkeys(names) if not any(n != other and n in other for other in names)]
    for name in names:
        at = text.find(name)  # a name read across a 《》 the text keeps (关于印发《…》的通知) is no name of it
        if len(name) < MIN_TITLE or at < 0:
            continue
        end = at + len(name)
        path, title = path_after(text, end), shelf.title_for(name) or _resembled(name, shelf)
        if title is None and SET_OF_MEASURES.search(name) and "关于" not in name:
            # 若干 is also a word (「今年出台了若干措施里…」): such a name without 关于…的 is trusted only when held
            continue
        if title is None:
            found.append(NamedReference(f"《{name}》{path}", clause_path=path, problem=f"文件库中没有《{name}》。"))
            continue
        # the one title the library has with a part named after it, as if written in 《》; a name several titles
        # hold (「文明行为促进条例」 of several cities) is left to the retriever
        holding = shelf.titles_for(name)
        held += holding[:1] if len(holding) == 1 else []
        item = ITEM.match(text, end) if not path else None
        if len(holding) == 1 and item:  # 「…若干措施第30条」, as after a 文号
            found.append(_numbered_item(holding[0], item, shelf))
        elif len(holding) == 1 and path:
            found.append(_with_path(f"《{name}》{path}", holding[0], holding[0], path, shelf,
                                    text[_path_end(text, end):]))
    named = [compact(name) for r in found for name in TITLE_IN_BRACKETS.findall(r.written)]
    for title in sorted(shelf.cited):
        form = _cited_form(title, unbracketed)
        if (form and not any(form in n or n in form for n in named)
                and shelf.title_for(form) is None and _resembled(form, shelf) is None):
            found.append(NamedReference(f"《{title}》", problem=f"文件库中没有《{title}》。"))
    return found + _unheld_revisions(text, list(dict.fromkeys(held)), shelf, found)


def _unheld_revisions(text: str, held: list[str], shelf: Shelf, found: list[NamedReference]) -> list[NamedReference]:
    """A revision named by its year (「2023年修订版」「2023年修订后的」) of the one held document the question names,
    when no version of it the library holds is of that year: the held version is not the asked one."""
    if len(held) != 1 or any(r.problem for r in found):
        return []
    title, dates = held[0], shelf.dates.get(held[0], ())
    missing = [int(y) for y in REVISION_YEAR.findall(text) if dates and int(y) not in {d // 10000 for d in dates}]
    if not missing:
        return []
    versions = "、".join(format_date(d) for d in dates)
    return [NamedReference(f"《{title}》{missing[0]}年修订版", doc_title=title,
                           problem=f"文件库中的《{title}》没有{missing[0]}年修订的版本（只有{versions}的版本）。")]


def _cited_form(title: str, text: str) -> str:
    """How a question writes a title the documents cite, without 《》: whole, or without its city or province
    (「城市绿化条例」 for 《许昌市城市绿化条例》); "" when it does not, or the title is no document's (a book, a play
    the news cites): a document's title ends in its kind."""
    if not CITED_KIND.search(title):
        return ""
    places = _leading_places(title)
    for whole in (title, title[sum(len(p) for p in places):] if places else ""):
        # and without the period in brackets it ends with (「…规划纲要（2020-2035）」 said 「…规划纲要」)
        for form in (whole, PERIOD_AT_END.sub("", whole)):
            if len(form) >= MIN_CITED and form in text:
                return form
    return ""


def _resembled(name: str, shelf: Shelf) -> str | None:
    """The held title sharing a run of RESEMBLES characters with a name read from the question's own words
    (「许昌市有中医药传承创新发展实施方案吗」): never said missing, as the worst answer is a document the library
    holds said absent. Only the subjects are compared (an issuer's 「办公室关于印发许昌市」 tells no document
    apart), a run of one title only; a name with a year the title lacks (2021—2023年, 2023年), or beginning with a city
    or province the title lacks, is another document."""
    places = _leading_places(compact(name))
    name = _subject(compact(name))
    titles = {t: _subject(t) for t in shelf.title_keys if not places or any(p in t for p in places)}
    for i in range(len(name) - RESEMBLES + 1):
        holding = [t for t, subject in titles.items() if name[i:i + RESEMBLES] in subject]
        if len(holding) == 1 and all(year in holding[0] for year in re.findall(r"\d{4}", name)):
            return holding[0]
    return None


def _leading_places(name: str) -> list[str]:
    """The places a name begins with, as written (浙江省嘉兴市… → 浙江省, 嘉兴市): a real gazetteer's, not any word
    ending in 市 (推动全市, 城市)."""
    gazetteer = Gazetteer.load()
    places: list[str] = []
    while written := next((name[:n] for n in range(min(len(name), 8), 1, -1) if name[:n] in gazetteer.by_name), ""):
        places.append(written)
        name = name[len(written):]
    return places


def _subject(title: str) -> str:
    """A title without its issuer, 关于(印发) and the kind of notice around its subject: what tells it apart."""
    return re.sub(r"的(?:通知|决定|意见|实施意见|通报|批复)$", "", re.sub(r"^.*?关于(?:印发)?", "", title))


def asked_besides_references(question: str) -> str:
    """The question without the 文号 and 《titles》 it names and the clause paths written after them: what it
    asks of them (「许政办〔2024〕3号第二部分讲什么」 → 讲什么)."""
    text = normalized_question(question)
    starts = [text.index(number) for number in doc_numbers_in(text)]
    spans = [(at, _path_end(text, at + len(number))) for at, number in zip(starts, doc_numbers_in(text), strict=True)]
    spans += [(m.start(), _path_end(text, m.end())) for m in TITLE_IN_BRACKETS.finditer(text)]
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    return text


def _path_end(text: str, end: int) -> int:
    found = PATH_AFTER.match(text, end)
    return found.end() if found else end


def _numbered_item(key: str, item: re.Match[str], shelf: Shelf) -> NamedReference:
    """「第30项」 of a document whose items run 1. to 27. across its parts: that item's clause when one clause
    ends in 30., else what the document has. Numbering that restarts in each part names no single item: there
    「第九点」 is the part 九、 (people count a document's parts so), or what the document lacks."""
    wanted = int(item.group(1)) if item.group(1).isdigit() else cn_to_int(item.group(1))
    paths = shelf.paths[key]
    number, title = (key, shelf.titles[key]) if key in shelf.titles else ("", key)  # a 文号, or a title only
    ends = [int(m.group(1)) for p in paths if (m := NUMBERED.search(p))]
    matching = [p for p in paths if (m := NUMBERED.search(p)) and int(m.group(1)) == wanted]
    name = f"{number} " if number else f"《{title}》"  # as missing_path writes them: 「许政办〔2024〕4号 没有」「《…》没有」
    written = f"{name.strip()} {item.group(0).removeprefix('的')}"
    if any(ARTICLE.fullmatch(p) for p in paths):  # a law's 第50条 is its 第五十条, there or said missing
        return _with_path(written, key, title, f"第{int_to_cn(wanted)}条", shelf)
    cn = int_to_cn(wanted) if wanted < 100 else ""  # parts and sub-parts are numbered 一 to 九十九
    through = _through_sub_part(cn, paths) if cn and not matching else ""  # 「第十五项」 is the one （十五）
    if len(matching) == 1 or through:
        return NamedReference(written, doc_number=number, doc_title=title, clause_path=matching[0] if matching else through)
    subs = [cn_to_int(m[1]) for p in paths if (m := SUB_PART.fullmatch(p))]
    if cn and not matching and subs and len(subs) == len(set(subs)) and wanted > max(subs):
        return NamedReference(written, doc_number=number, doc_title=title, clause_path=f"（{cn}）",
                              problem=f"{name}没有“（{cn}）”（该文件的各部分依次为（一）至（{int_to_cn(max(subs))}））。")
    if cn and (matching or not ends or len(ends) != len(set(ends))):
        part = f"{cn}、"
        if not any(TOP_LEVEL.fullmatch(p) for p in paths):  # articles (第九条) or items only: no part to count
            return NamedReference(written, doc_number=number, doc_title=title)
        return NamedReference(written, doc_number=number, doc_title=title, clause_path=part,
                              problem=missing_path(name.strip(), part, paths))
    # (the items' range is said only where they run through the document once)
    listed = f"（该文件的编号项为{min(ends)}.至{max(ends)}.）" if ends and len(ends) == len(set(ends)) else ""
    return NamedReference(written, doc_number=number, doc_title=title, clause_path=f"{wanted}.",
                          problem=f"{name}没有第{wanted}项{listed}。")


def _with_path(written: str, key: str, title: str, path: str, shelf: Shelf, after: str = "") -> NamedReference:
    """after: the question's text after the path, where a 「第五款」 of 「第三条第五款」 is written."""
    number = key if key != title else ""
    paths = shelf.paths[key]
    path = _as_part(path, paths, after)
    problem = missing_path(number or f"《{title}》", path, paths) if path else ""
    if problem and (nested := nested_path(path, paths)):
        path, problem = nested, ""
    return NamedReference(written, doc_number=number, doc_title=title, clause_path=path, problem=problem)


ARTICLE_NAMED = re.compile(rf"第({CN_NUMERAL})条")
ARTICLE = re.compile(r"第[一二三四五六七八九十百零]+条")
# the paragraph or item of an article: 「第三条第五款」「第三条第（五）项」
SUBCLAUSE_NAMED = re.compile(rf"第[（(]?({CN_NUMERAL}|\d{{1,2}})[）)]?[款项]")


def _as_part(path: str, paths: tuple[str, ...], after: str = "") -> str:
    """「第三条」 of a document numbered 一、二、 and without articles: its part 三、 (people call a part 第三条),
    or, when it has no such part, its one sub-part （三）; 「第三条第五款」 its item 三、（五）. A regulation's 第三条第二款 is a paragraph of its article 第三条, which
    is the clause, and stays so."""
    named = ARTICLE_NAMED.match(path)
    if not named or any(p.startswith("第") for p in paths):
        return path
    rest = path[named.end():]
    if not rest and (sub := SUBCLAUSE_NAMED.match(after)):
        rest = f"（{sub[1] if not sub[1].isdigit() else int_to_cn(int(sub[1]))}）"
    part = f"{named[1]}、{rest}"
    return (_through_sub_part(named[1], paths) if not rest and part not in paths else "") or part


def _through_sub_part(number: str, paths: tuple[str, ...]) -> str:
    """The one sub-part （十五） of a document whose sub-parts run （一） to （十五） through its parts, which people
    call its 「第十五条」 or 「第十五项」; "" when none or several (numbering that restarts in each part)."""
    found = [p for p in paths if p.endswith(f"（{number}）")]
    return found[0] if len(found) == 1 else ""


def nested_path(path: str, paths: tuple[str, ...]) -> str:
    """The one clause a path names while leaving out levels above or between its own (「专栏1」 for 三、（四）专栏1,
    「六、22.」 for 六、（二）22.): its levels in order among the clause's, ending it; "" when none or several."""
    named = PATH_LEVEL.findall(path)
    found = set()
    for candidate in paths:
        levels = PATH_LEVEL.findall(candidate)
        for end in range(len(levels)):
            if levels[end] == named[-1] and _in_order(named[:-1], levels[:end]):
                found.add("".join(levels[:end + 1]))
    return found.pop() if len(found) == 1 else ""


def _in_order(wanted: list[str], levels: list[str]) -> bool:
    remaining = iter(levels)
    return all(any(level == w for level in remaining) for w in wanted)


def missing_path(name: str, path: str, paths: tuple[str, ...]) -> str:
    """Why a document has no clause `path`, naming what it has at that level: 「许政办〔2024〕3号 没有“七、”
    （该文件分一、至五、）。」; "" when it has it (or one of its sub-clauses)."""
    if any(p.startswith(path) for p in paths):
        return ""
    held, missing = "", path
    for level in PATH_LEVEL.findall(path):
        if not any(p.startswith(held + level) for p in paths):
            missing = level  # the first level the document does not have: 七、 of 七、（一）
            break
        held += level
    siblings = list(dict.fromkeys(m.group(0) for p in paths if p.startswith(held)
                                  for m in [PATH_LEVEL.match(p, len(held))] if m))
    named = f"{name}{'' if name.endswith('》') else ' '}"
    if missing.startswith("附件"):  # 附件2 is compared with the annexes, not with 一、…
        siblings = [s for s in siblings if s.startswith("附件")]
        if siblings == ["附件"]:
            return f"{named}没有“{missing}”（该文件只有一个附件，未编号）。"
    if missing.startswith("专栏"):  # boxes stand inside the parts: 专栏9 is compared with the document's boxes
        boxes = list(dict.fromkeys(level for p in paths for level in PATH_LEVEL.findall(p) if level.startswith("专栏")))
        if boxes:
            span = boxes[0] if len(boxes) == 1 else f"{boxes[0]}至{boxes[-1]}"
            return f"{named}没有“{missing}”（该文件的专栏为{span}）。"
    where = f"{named}{f'{held} 下' if held else ''}"
    if not siblings:
        return f"{where}没有“{missing}”。"
    span = siblings[0] if len(siblings) == 1 else f"{siblings[0]}至{siblings[-1]}"
    return f"{where}没有“{missing}”（{'该部分' if held else '该文件'}只有{span}）。"
