"""Clause numbering (一、 → （一） → 1. → （1）, 第X条, 专栏N, 附件N) and responsibility lines."""

from __future__ import annotations

import re
from dataclasses import dataclass

CN_DIGITS = {"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_NUMERAL = "[一二三四五六七八九十百零]{1,4}"
# how the name of a government department ends (市民政局, 市卫生健康委员会, 市政府办公室, 市住房公积金中心); the
# longer endings first, so a match runs to the name's end (办公室, not 办)
DEPARTMENT_SUFFIX = "局|委员会|委|办公室|办|厅|中心"


def cn_to_int(numeral: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23, 一百零五 → 105."""
    total, current = 0, 0
    for char in numeral:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = CN_DIGITS[char]
    return total + current


def int_to_cn(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三; 105 → 一百零五, 110 → 一百一十 (1–999: parts, and the articles of a
    law, which run past a hundred)."""
    digits = "零一二三四五六七八九"
    hundreds, rest = divmod(number, 100)
    if hundreds:
        below = "" if not rest else f"零{digits[rest]}" if rest < 10 else f"一{int_to_cn(rest)}" if rest < 20 else int_to_cn(rest)
        return f"{digits[hundreds]}百{below}"
    tens, ones = divmod(number, 10)
    return (f"{digits[tens] if tens > 1 else ''}十" if tens else "") + (digits[ones] if ones or not tens else "")


@dataclass(frozen=True)
class Numbering:
    """A clause number found at the start of a line."""

    level: float  # smaller is outer
    label: str  # as it appears in a clause path: 四、 （四） 1. （1） 第三条 专栏1 附件1
    number: int
    rest: str  # the line after the number


# Order matters: the first pattern that matches decides the level.
_PATTERNS: tuple[tuple[float, re.Pattern[str], str], ...] = (
    (0, re.compile(r"^附件(\d{0,2})$"), "附件{}"),
    (1, re.compile(rf"^第({CN_NUMERAL})条\s*"), "第{}条"),
    (1, re.compile(rf"^({CN_NUMERAL})、\s*"), "{}、"),
    (2, re.compile(rf"^（({CN_NUMERAL})）\s*"), "（{}）"),
    (2.5, re.compile(r"^专栏(\d{1,2})\s*"), "专栏{}"),
    # 1. but not 1.5倍, 2024年, 3个工作日: a dot, then no digit
    (3, re.compile(r"^(\d{1,3})\.\s*(?![\d.])"), "{}."),
    (4, re.compile(r"^（(\d{1,3})）\s*"), "（{}）"),  # up to （300） and beyond in long lists
)


def match_numbering(line: str) -> Numbering | None:
    for level, pattern, label in _PATTERNS:
        found = pattern.match(line)
        if not found:
            continue
        raw = found.group(1)
        number = int(raw) if raw.isdigit() else (cn_to_int(raw) if raw else 0)
        rest = line[found.end():]
        if level in (1, 2, 3, 4) and not rest.strip():
            return None  # a bare number is a table cell or a page number, not a clause
        return Numbering(level=level, label=label.format(raw), number=number, rest=rest)
    return None


def heading_of(line: str, limit: int = 40) -> str:
    """A clause's own heading: the numbered line up to its first full stop, kept short."""
    cut = re.search(r"[。：；]", line)
    head = line[: cut.start()] if cut else line
    return head if len(head) <= limit else head[:limit] + "…"


_UNIT_WORD = r"(责任单位|牵头单位|责任主体|配合单位)[：:]"  # what introduces a list of units
_UNIT_PREFIX = re.compile("^" + _UNIT_WORD)
_DUTY_SUFFIX = re.compile(r"(按职责分工负责|按照职责分工负责|分别负责|共同负责|配合|负责|组织落实|组织实施)$")


def split_units(text: str) -> list[str]:
    """Split a unit list on 、，; while keeping 各县（市、区）政府 and 各县〔市、区〕政府〔管委会〕 whole."""
    units, depth, current = [], 0, []
    for char in text:
        if char in "（(〔【":
            depth += 1
        elif char in "）)〕】":
            depth -= 1
        if depth == 0 and char in "、，,;；":
            units.append("".join(current))
            current = []
        else:
            current.append(char)
    units.append("".join(current))
    cleaned = []
    for unit in units:
        unit = _UNIT_PREFIX.sub("", unit.strip(" 。"))
        unit = _DUTY_SUFFIX.sub("", unit)
        unit = re.sub(r"^(由|其他)", "", unit)
        unit = re.sub(r"(牵头|等)$", "", unit).strip()
        if unit and unit not in cleaned:
            cleaned.append(unit)
    return cleaned


def _before_unopened_close(text: str) -> str:
    depth = 0
    for index, char in enumerate(text):
        depth += (char == "（") - (char == "）")
        if depth < 0:
            return text[:index]
    return text


def _paren_groups(text: str) -> list[tuple[int, str]]:
    """Contents of the outermost full-width parenthesis groups in text, with where each starts; a group the text
    ends inside (the extraction lost its 「）」: 「…（市民政局、市财政局按职责分工负责，…组织落实。」) counts to the end."""
    groups, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char == "（":
            if depth == 0:
                start = index + 1
            depth += 1
        elif char == "）" and depth:
            depth -= 1
            if depth == 0:
                groups.append((start, text[start:index]))
    if depth:
        groups.append((start, text[start:].rstrip("。 \n")))
    return groups


_GOVERNMENT_BODY = re.compile(r"(市|县|区|局|委|办|政府|中心|管委会|社|行|分行)")


def units_word(text: str) -> str:
    """The clause's own word for its units (「（牵头单位：市市场监督管理局）」 → 牵头单位): a 牵头单位 is not told to the
    reader as a 责任单位. One word when the clause uses one, else 责任单位 (also for 「…按职责分工负责」)."""
    words = set(re.findall(_UNIT_WORD, text))
    return words.pop() if len(words) == 1 else "责任单位"


def responsible_units(text: str) -> list[str]:
    """Units named by 责任单位：…, （牵头单位：…）, or （…按职责分工负责） in a clause's text."""
    return list(dict.fromkeys(unit for _, statement in unit_statements(text) for unit in split_units(statement)))


def unit_statements(text: str) -> list[tuple[int, str]]:
    """Each statement of units in a clause, as written, with where it starts: lines 「责任单位：…」, then groups
    「（牵头单位：市公安局；责任单位：…）」「（市发展和改革委员会牵头，…等按职责分工负责）」. A clause whose paragraphs
    each end in their own statement names different units for each."""
    found: list[tuple[int, str]] = []
    offset = 0
    for line in text.split("\n"):
        if _UNIT_PREFIX.match(line):  # to a 「）」 it did not open: a part of a clause may begin inside a group
            found.append((offset, _before_unopened_close(line).strip().rstrip("。")))
        offset += len(line) + 1
    # a group's first sentence names the units; what follows it is an editor's note (「以下均需…不再列出」)
    for start, group in _paren_groups(text):
        group = group.split("。")[0]
        names_duty = bool(_DUTY_SUFFIX.search(group) and _GOVERNMENT_BODY.search(group))
        if _UNIT_PREFIX.match(group) or (names_duty and len(group) < 300):
            found.append((start, group))
    return found
