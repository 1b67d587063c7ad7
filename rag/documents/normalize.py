"""Clean-up of text extracted from PDFs: spaced-out characters, stray spaces, numbering forms."""

from __future__ import annotations

import re
import unicodedata

# CJK ideographs plus the full-width punctuation that sits between them in running text.
CJK = r"\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65“”‘’《》—…·"
_CJK_CLASS = f"[{CJK}]"
_SPACE_BETWEEN_CJK = re.compile(f"(?<={_CJK_CLASS})[ \u00a0\u3000]+(?={_CJK_CLASS})")
_SENTENCE_PUNCTUATION = re.compile("[，。；！？、,;\t]")
_SPACE_CJK_DIGIT = re.compile(f"(?<={_CJK_CLASS})[ \u00a0\u3000]+(?=[0-9%])|(?<=[0-9%.])[ \u00a0\u3000]+(?={_CJK_CLASS})")
# 许政〔2024〕11 号, 许政 [2024] 11号, 许发[2018]4号 → 许政〔2024〕11号
# a number's leading zeros are no part of it (许政办〔2024〕003号 is 3号)
_DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,8})\s*[〔\[［【(（]\s*(\d{4})\s*[〕\]］】)）]\s*0*(\d{1,4})\s*号")
_HALF_PARENS_NUMBER = re.compile(r"^\(\s*(\d{1,3}|[一二三四五六七八九十]{1,3})\s*\)")
_FULLWIDTH_DOT_NUMBER = re.compile(r"^(\d{1,2})\s*[．。]\s*(?!\d)")
_DIGIT_DOT_SPACE = re.compile(r"^(\d{1,2})\.\s+(?!\d)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff\u200b]")
# Some PDF printers (Chromium's among them) write a character as the radical that shares its glyph:
# 许昌市⼈⺠政府, 5⽉10⽇. The Kangxi radicals (U+2F00–U+2FDF) fold by NFKC (only there: NFKC elsewhere
# would turn the full-width punctuation the parsers read into ASCII); of the CJK radicals supplement
# (U+2E80–U+2EFF) NFKC folds only ⺟ and ⻳, so those that stand for a whole character are named here.
_RADICALS_AS_CHARACTERS = {
    "CIVILIAN": "民", "MOON": "月", "MEAT": "月", "BLUE": "青", "BONE": "骨", "GHOST": "鬼", "EAT ONE": "食",
    "WEST TWO": "西", "LONG ONE": "長", "SIMPLIFIED HORN": "角", "SIMPLIFIED WHEAT": "麦", "SIMPLIFIED YELLOW": "黄",
    "C-SIMPLIFIED SEE": "见", "C-SIMPLIFIED SHELL": "贝", "C-SIMPLIFIED CART": "车", "C-SIMPLIFIED LONG": "长",
    "C-SIMPLIFIED GATE": "门", "C-SIMPLIFIED TANNED LEATHER": "韦", "C-SIMPLIFIED LEAF": "页",
    "C-SIMPLIFIED WIND": "风", "C-SIMPLIFIED FLY": "飞", "C-SIMPLIFIED HORSE": "马", "C-SIMPLIFIED FISH": "鱼",
    "C-SIMPLIFIED BIRD": "鸟", "C-SIMPLIFIED SALT": "卤", "C-SIMPLIFIED FROG": "黾", "C-SIMPLIFIED EVEN": "齐",
    "C-SIMPLIFIED TOOTH": "齿", "C-SIMPLIFIED DRAGON": "龙",
}
_RADICALS = str.maketrans({
    **{chr(c): unicodedata.normalize("NFKC", chr(c)) for c in [*range(0x2E80, 0x2F00), *range(0x2F00, 0x2FE0)]
       if unicodedata.normalize("NFKC", chr(c)) != chr(c)},
    **{unicodedata.lookup(f"CJK RADICAL {name}"): char for name, char in _RADICALS_AS_CHARACTERS.items()},
})


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def half_width_digits(text: str) -> str:
    """０１２３ → 0123 (an input method's full-width digits), leaving full-width brackets （） as they are."""
    return text.translate(_FULLWIDTH_DIGITS)


def normalize_doc_number(text: str) -> str:
    """Canonical document number: no spaces, full-width brackets 〔〕."""
    return _DOC_NUMBER.sub(lambda m: f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号", text)


def fold_radicals(text: str) -> str:
    """Radicals a PDF printer wrote for ordinary characters (⼈⺠ → 人民), as people read them."""
    return text.translate(_RADICALS)


_HEADING_MARKS = re.compile(r"^ {0,3}#{1,6}[ \t]+")


def without_heading_marks(line: str) -> str:
    """A Markdown heading as the text it heads: 「# 许昌市…办法」 → 「许昌市…办法」 (a Markdown upload's
    title, its citations and its stored file name carry no 「#」)."""
    return _HEADING_MARKS.sub("", line)


def normalize_line(line: str) -> str:
    """Normalize one extracted line; tabs (table cells) are kept."""
    line = _CONTROL.sub("", unicodedata.normalize("NFC", fold_radicals(line))).replace("\u00a0", " ")
    line = line.strip(" \u3000")
    # inside running text a space between characters is debris; in a headline it separates phrases
    running_text = _SENTENCE_PUNCTUATION.search(line)
    line = _SPACE_BETWEEN_CJK.sub("", line) if running_text else _collapse_spaced_out(line)
    line = _SPACE_CJK_DIGIT.sub("", line)
    line = normalize_doc_number(line)
    line = _HALF_PARENS_NUMBER.sub(lambda m: f"（{m.group(1)}）", line)
    line = _FULLWIDTH_DOT_NUMBER.sub(lambda m: f"{m.group(1)}. ", line)
    line = _DIGIT_DOT_SPACE.sub(lambda m: f"{m.group(1)}. ", line)
    return re.sub(r" {2,}", " ", line)


def _collapse_spaced_out(line: str) -> str:
    tokens = re.split(r"([ \u00a0\u3000]+)", line)
    out = []
    for index, token in enumerate(tokens):
        if index % 2 == 1:  # a run of spaces
            left, right = tokens[index - 1], tokens[index + 1] if index + 1 < len(tokens) else ""
            cjk_pair = re.search(f"{_CJK_CLASS}$", left) and re.match(_CJK_CLASS, right)
            # 方 经 济: a character standing alone between spaces is spaced-out text
            out.append("" if cjk_pair and (len(left) == 1 or len(right) == 1) else token)
        else:
            out.append(token)
    return "".join(out)


def compact(text: str) -> str:
    """Text with all whitespace removed: for whitespace-insensitive comparison."""
    return re.sub(r"\s+", "", text)


def cjk_chars(text: str) -> str:
    """Only the CJK ideographs of text, in order: the unit of the no-text-lost check."""
    return "".join(re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff]", text))
