"""What changed between two versions of a regulation, article by article: the articles added, removed and
changed, with the changed words marked.

Articles are matched by their words, not their numbers: an amendment that removes 第六十八条 renumbers every
article after it, and 第七十条 of the old version is then 第六十九条 of the new one, unchanged.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import jieba

SAME, ADDED, REMOVED, CHANGED = "same", "added", "removed", "changed"
# an old and a new article with less in common than this are one removed and one added, not one changed;
# under the same number less is enough (第六十三条 rewritten into three 项 is still 第六十三条, changed)
MIN_LIKENESS = 0.5
MIN_LIKENESS_SAME_NUMBER = 0.25
NUMBER = re.compile(r"^第[一二三四五六七八九十百零]+条(?:之[一二三四五六七八九十]+)?\s*")


@dataclass(frozen=True)
class Article:
    path: str  # 第六十三条
    text: str  # as written, with its number

    @property
    def body(self) -> str:
        return article_body(self.text)


def article_body(text: str) -> str:
    """An article's words without its number and spacing: renumbering alone is no change."""
    return re.sub(r"\s+", "", NUMBER.sub("", text))


@dataclass(frozen=True)
class Segment:
    """A run of an article's words, kept, added or removed."""

    text: str
    change: str  # SAME | ADDED | REMOVED


@dataclass(frozen=True)
class ArticleChange:
    change: str  # ADDED | REMOVED | CHANGED
    old: Article | None  # None for an added article
    new: Article | None  # None for a removed one
    segments: tuple[Segment, ...]  # the words, the changed ones marked

    @property
    def path(self) -> str:
        """The article's number in the new version (the old one's for a removed article)."""
        return self.new.path if self.new else self.old.path if self.old else ""


@dataclass(frozen=True)
class Comparison:
    changes: list[ArticleChange]  # in the new version's order, a removed article where it stood
    renumbered: int  # articles whose words did not change but whose number did
    unchanged: int  # articles the same in both, number and words


def compare_versions(old: Sequence[Article], new: Sequence[Article]) -> Comparison:
    """The articles of `new` against those of `old`, both in their order."""
    changes: list[ArticleChange] = []
    renumbered = unchanged = 0
    matcher = difflib.SequenceMatcher(None, [a.body for a in old], [a.body for a in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            moved = sum(o.path != n.path for o, n in zip(old[i1:i2], new[j1:j2], strict=True))
            renumbered, unchanged = renumbered + moved, unchanged + (i2 - i1 - moved)
        else:
            changes += _pair(old[i1:i2], new[j1:j2])
    return Comparison(changes, renumbered, unchanged)


def _pair(old: Sequence[Article], new: Sequence[Article]) -> list[ArticleChange]:
    """Within a run of differing articles: each new article with the most alike old one after the last paired
    (so the order holds), if alike enough; what is left over was removed or added."""
    changes: list[ArticleChange] = []
    start = 0
    for article in new:
        at = _counterpart(article, old, start)
        if at is None:
            changes.append(ArticleChange(ADDED, None, article, (Segment(NUMBER.sub("", article.text), ADDED),)))
            continue
        changes += [_removed(o) for o in old[start:at]]
        changes.append(ArticleChange(CHANGED, old[at], article, marked(old[at].text, article.text)))
        start = at + 1
    return changes + [_removed(o) for o in old[start:]]


def _counterpart(article: Article, old: Sequence[Article], start: int) -> int | None:
    """The index of the old article the new one was made from, from `start` on; None: it is new."""
    likeness = {i: _likeness(o.body, article.body) for i, o in enumerate(old[start:], start)}
    best = max(likeness, key=likeness.__getitem__, default=None)
    if best is not None and likeness[best] >= MIN_LIKENESS:
        return best
    same = next((i for i in likeness if old[i].path == article.path), None)
    return same if same is not None and likeness[same] >= MIN_LIKENESS_SAME_NUMBER else None


def _removed(article: Article) -> ArticleChange:
    return ArticleChange(REMOVED, article, None, (Segment(NUMBER.sub("", article.text), REMOVED),))


def _likeness(old: str, new: str) -> float:
    return difflib.SequenceMatcher(None, old, new, autojunk=False).ratio()


def marked(old: str, new: str) -> tuple[Segment, ...]:
    """The new article's words (its number left out) with the words the old one had instead: removed and added
    runs of words, cut by jieba (a diff of single characters splits words: 「客运经营者、货运经营者」)."""
    before, after = jieba.lcut(NUMBER.sub("", old)), jieba.lcut(NUMBER.sub("", new))
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag == "equal":
            segments.append(Segment("".join(after[j1:j2]), SAME))
            continue
        if i2 > i1:
            segments.append(Segment("".join(before[i1:i2]), REMOVED))
        if j2 > j1:
            segments.append(Segment("".join(after[j1:j2]), ADDED))
    return tuple(segments)
