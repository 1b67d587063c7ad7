"""Place names from China's administrative-division list, not from a part-of-speech tagger.

The list is the data file shipped in the `cpca` package (adcodes.csv: every province, city and
county with its code). It is read as a file: importing `cpca` would load pandas for nothing.
jieba tags many ordinary words as places (a relative, an illness); a real gazetteer does not.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# suffixes a province or prefecture is often written without (河南省 → 河南, 郑州市 → 郑州)
LEVEL_SUFFIX = re.compile(r"(省|市|自治区|特别行政区|壮族自治区|回族自治区|维吾尔自治区|地区|盟|自治州)$")


@dataclass(frozen=True)
class Place:
    name: str  # the full official name: 郑州市
    code: str  # adcode prefix: 2 digits a province, 4 a prefecture, 6 a county

    def contains(self, other: Place) -> bool:
        return other.code.startswith(self.code)

    @property
    def short(self) -> str:
        """The name without its level (郑州市 → 郑州), as people write it."""
        return LEVEL_SUFFIX.sub("", self.name) or self.name


@dataclass(frozen=True)
class Gazetteer:
    by_name: dict[str, Place]  # full names, and short names of provinces and prefectures

    @classmethod
    def load(cls, path: Path | None = None) -> Gazetteer:
        return _load(path or _adcodes_file())

    def find(self, words: Iterable[str]) -> list[Place]:
        """The places among words (tokens of a question: whole words only, never inside another word).
        A county whose name the dictionary knows as an ordinary word (城区, 郊区, 矿区 are also counties'
        names) is that word in a question, not the county."""
        found = [self.by_name[w] for w in words if w in self.by_name
                 and not (len(self.by_name[w].code) == 6 and _ordinary_word(w))]
        return list(dict.fromkeys(found))

    def find_in(self, text: str) -> list[Place]:
        """Places written anywhere in text (titles, issuing bodies), longest names first."""
        found: list[Place] = []
        for name in sorted(self.by_name, key=len, reverse=True):
            if len(name) >= 2 and name in text and not any(name in p.name for p in found):
                found.append(self.by_name[name])
        return list(dict.fromkeys(found))


def _ordinary_word(word: str) -> bool:
    import jieba.posseg

    tag = jieba.posseg.dt.word_tag_tab.get(word, "ns")  # not in the dictionary: a name
    return tag[:1] in ("n", "s", "v", "a") and not tag.startswith("ns")


def _adcodes_file() -> Path:
    spec = importlib.util.find_spec("cpca")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("缺少行政区划数据（cpca 包）：请运行 ./scripts/setup")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


@cache
def _load(path: Path) -> Gazetteer:
    by_name: dict[str, Place] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code, name = row["adcode"], row["name"]
            if code[6:] != "000000" or not name:
                continue  # towns and below: not needed to tell one city's policy from another's
            level = 2 if code[2:6] == "0000" else 4 if code[4:6] == "00" else 6
            place = Place(name, code[:level])
            by_name.setdefault(name, place)
            short = LEVEL_SUFFIX.sub("", name)
            if level < 6 and len(short) >= 2:
                by_name.setdefault(short, place)  # counties only by full name: 和平区, 合作市 are words too
    return Gazetteer(by_name)
