"""Hybrid retrieval: dense (Chroma), BM25 (jieba) and best-sentence similarity, fused by weighted
reciprocal rank.

A question that names a document number (许政办〔2024〕3号) is restricted to that document; one
that also names a clause (四、（四）1.) gets that clause first. Metadata filters (kind, year,
document) apply to both retrievers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

import jieba.posseg
import numpy as np

from rag.documents.clauses import CN_NUMERAL, cn_to_int, int_to_cn
from rag.documents.model import IN_FORCE, NATIONAL_PREFIX
from rag.documents.normalize import compact, half_width_digits, normalize_doc_number
from rag.index.chunk import ClauseMeta
from rag.index.embed import Embedder
from rag.index.holdings import Holdings, Shelf, issuer_key
from rag.index.lexical import LexicalIndex
from rag.index.sentences import SentenceIndex
from rag.index.store import ChromaStore
from rag.index.vocabulary import Vocabulary
from rag.search.rerank import RERANK_DEPTH, Candidate, Reranker, feature_rows

RRF_K = 60
DENSE_WEIGHT = 1.0
# chosen by cross-validation on the tuning set only (eval/questions.jsonl; `python -m eval.calibrate`)
LEXICAL_WEIGHT = 1.0
SENTENCE_WEIGHT = 1.0
CANDIDATES = 50
# 「…号之一」 numbers another document than 「…号」 (one issued with it)
DOC_NUMBER_IN_QUERY = re.compile(r"[\u4e00-\u9fff]{1,8}〔\d{4}〕\d{1,4}号(?:之[一二三四五六七八九十])?")
MIN_TITLE_FORM = 4  # characters: shorter "titles" (法, 条例) name no particular document
# a year or version said together with the title: 「2017年的行政复议法」「2019年版《…条例》」
TITLE_YEAR = r"(?:(?:19|20)\d{2}\s*年(?:版|修订|修正)?的?)?"
# one level of a clause path as documents number them, and a path written after a 文号 or title
# (「的」「第」 may stand between): 四、（四）1. / 第二十条 / 附件2
PATH_LEVEL = re.compile(rf"{CN_NUMERAL}、|（{CN_NUMERAL}）|（\d{{1,3}}）|\d{{1,3}}\.(?!\d)|第{CN_NUMERAL}条|附件\d{{0,2}}|专栏\d{{1,2}}")
# words people put between a document and its part: 「3号文件第四部分」「3号里的四、（一）」
PATH_AFTER = re.compile(rf"(?:文件|文)?(?:中|里|里面)?[的第]?((?:{PATH_LEVEL.pattern})+)")
# 许政办2024年3号: an issuer's short name running into the year, a number without brackets (a date is written
# with its month, 2024年3月3号, and does not match)
UNBRACKETED_DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,8}?[\u4e00-\u9fff])(\d{4})年第?(\d{1,4})号(?!线|楼|院|门)")
# the year said first, as people say a 文号 aloud: 「2024年许政办3号文」 (only before 文/文件/通知: 「2024年底前完成3号
#任务」 names no document)
YEAR_FIRST_DOC_NUMBER = re.compile(r"(\d{4})年([^\W\d的]{2,8}?)第?(\d{1,4})号(?=文|通知)")
# a 文号 typed with spaces for brackets (「许政办 2024 2号」): read before spaces are dropped, which would run the year
# into the number (许政办20242号)
# 「市政府办公室24年7号文」: an issuer named in words, the year in two digits
ISSUER_SHORT_YEAR = re.compile(r"([\u4e00-\u9fff]{0,6}?(?:政府|办公室|办公厅))(\d{2})年第?(\d{1,4})号")
SPACED_DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,8}?[\u4e00-\u9fff])\s*((?:19|20)\d{2})年?\s+第?(\d{1,4})\s*号")


@dataclass(frozen=True)
class SearchFilters:
    kind: str | None = None  # gazette | policy | regulation | newspaper
    year: int | None = None
    doc_number: str | None = None
    doc_title: str | None = None  # every version of one document
    current_only: bool = False  # leave out amended, repealed, expired and not-yet-effective versions

    def where(self) -> dict | None:
        conditions: list[dict] = []
        if self.kind:
            conditions.append({"kind": self.kind})
        if self.doc_number:
            conditions.append({"doc_number": self.doc_number})
        if self.doc_title:
            conditions.append({"doc_title": self.doc_title})
        if self.year:
            conditions += [{"date": {"$gte": self.year * 10000}}, {"date": {"$lte": self.year * 10000 + 1231}}]
        if not conditions:
            return None
        return conditions[0] if len(conditions) == 1 else {"$and": conditions}

    def allows(self, metadata: ClauseMeta) -> bool:
        return ((not self.kind or metadata.kind == self.kind)
                and (not self.doc_number or metadata.doc_number == self.doc_number)
                and (not self.doc_title or metadata.doc_title == self.doc_title)
                and (not self.year or metadata.year == self.year)
                and (not self.current_only or metadata.status in IN_FORCE))


@dataclass(frozen=True)
class Fusion:
    """One question's candidates from the three retrievers, fused."""

    question: str
    vector: np.ndarray | None
    ranked: list[str]  # chunk ids, best first
    scores: dict[str, float]  # fused
    dense: dict[str, float]  # cosine, for the clauses dense retrieval returned
    lexical: dict[str, float]  # BM25
    named_ids: set[str]  # the clause the question names and its sub-clauses


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float
    chunk_id: str
    text: str
    metadata: ClauseMeta
    dense_similarity: float | None  # cosine of the question to this chunk, when dense retrieval found it
    named: bool = False  # the question names this clause (文号 + clause path)

    def to_json(self) -> dict:
        meta = self.metadata
        return {"rank": self.rank, "score": round(self.score, 6), "doc_number": meta.doc_number,
                "doc_title": meta.doc_title, "clause_path": meta.clause_path, "issue": meta.issue,
                "source": meta.source, "page": meta.page, "text": self.text,
                "status": meta.status, "version_date": meta.version_date}


# parts of speech that open a question before the 文号 it names (请问, 根据, 查一下): not the issuer's prefix
# (q: a measure word left of a clause number, 「100项是许政〔2024〕9号里的吗」)
LEADING_FLAGS = ("v", "p", "m", "r", "d", "u", "c", "y", "z", "q")


def doc_numbers_in(question: str, shelf: Shelf | None = None) -> list[str]:
    """The 文号 a question names, normalized (许政办[2024]第3号 → 许政办〔2024〕3号): see doc_number_spans."""
    return list(dict.fromkeys(number for number, _ in doc_number_spans(normalized_question(question), shelf)))


def doc_number_spans(text: str, shelf: Shelf | None = None) -> list[tuple[str, int]]:
    """Each 文号 a normalized question names, with where it ends in the text. The characters before 〔 that
    belong to the question, not to the issuer's prefix (「请问许政办」), are left out by their parts of speech,
    so an unknown issuer (郑政办) is read as well as a known one. With the library's shelf: where the segmenter
    joins a question's word to the prefix (「100项是许政〔2024〕9号」: 项是), the longest tail that makes a 文号 the
    library holds is the one named; and an issuer named in words (「许昌市政府2024年第8号文件」「市政府办公室24年
    7号文」) is given the prefix of the library's documents it issued (Shelf.issuers)."""
    titles = shelf.titles if shelf else {}
    issuers = shelf.issuers if shelf else {}
    # a prefix starts with its place's one-character name, which the segmenter may take for a word of the
    # question (许 as in 少许): the first characters of the library's own 文号 are kept
    initials = {number[0] for number in titles}
    found = []
    for match in DOC_NUMBER_IN_QUERY.finditer(text):
        written, number = match.group(0).split("〔", 1)
        prefix = without_leading_words(written, keep=2)  # an issuer's prefix has two characters at least: 许办, 国发
        cut = len(written) - len(prefix)
        if cut and written[cut - 1] in initials:
            prefix = written[cut - 1:]
        if f"{prefix}〔{number}" not in titles:
            prefix = next((prefix[i:] for i in range(1, len(prefix) - 1) if f"{prefix[i:]}〔{number}" in titles),
                          issuers.get(issuer_key(prefix), prefix))
        found.append((prefix + "〔" + number, match.end()))
    return found


def without_leading_words(name: str, keep: int = 1) -> str:
    """A name as the question runs into it (「请问许政办」, 「根据道路运输条例」) without the question's own
    words before it, told apart by their parts of speech, keeping at least `keep` characters."""
    words = jieba.posseg.lcut(name)
    while (len(words) > 1 and words[0].flag.startswith(LEADING_FLAGS)
           and sum(len(w.word) for w in words[1:]) >= keep):
        words.pop(0)
    return "".join(w.word for w in words)


def mentioned_doc_number(question: str, shelf: Shelf | None = None) -> str | None:
    found = doc_numbers_in(question, shelf)
    return found[0] if found else None


def title_forms(titles: Iterable[str]) -> dict[str, str]:
    """The ways a question names a document: its title, and a national law's without 中华人民共和国."""
    forms: dict[str, str] = {}
    for title in titles:
        for form in (title, title.removeprefix(NATIONAL_PREFIX)):
            if len(form) >= MIN_TITLE_FORM:
                forms.setdefault(form, title)
    return forms


def normalized_question(question: str) -> str:
    """The question as references are read from it: no spaces, 文号 in canonical form (许政办[2024]第3号 →
    许政办〔2024〕3号), clause numbers in full-width brackets ((四) → （四）)."""
    # 第 goes before the brackets are made canonical: 许政办[2024]第3号 is not a 文号 to normalize_doc_number
    text = half_width_digits(re.sub(r"\s+", "", SPACED_DOC_NUMBER.sub(r"\1〔\2〕\3号", half_width_digits(question))))
    text = re.sub(r"([〕\]］】)）])第(\d{1,4})号", r"\1\2号", text)
    # a number written in words: 许政〔2024〕十七号
    text = re.sub(rf"([〔\[［【(（]\d{{4}}[〕\]］】)）])第?({CN_NUMERAL})号", lambda m: f"{m[1]}{cn_to_int(m[2])}号", text)
    text = normalize_doc_number(text)
    # a 文号 typed without brackets (许政办2024年3号, 许政办2024年第3号): the issuer's prefix runs into the year
    text = UNBRACKETED_DOC_NUMBER.sub(r"\1〔\2〕\3号", ISSUER_SHORT_YEAR.sub(r"\1〔20\2〕\3号", text))
    text = YEAR_FIRST_DOC_NUMBER.sub(r"\2〔\1〕\3号", text)
    # a document numbered 一、（一）1. is named by its levels: 「第四部分第四条第1项」 is 四、（四）1.; 「第六部分」 alone
    # is the part 六、 (第N条 names an article only where no 部分 comes before it, as in a regulation)
    text = re.sub(r"第(\d{1,2})部分", lambda m: f"第{int_to_cn(int(m[1]))}部分", text)
    # 第（七）条: the sub-part （七） (a regulation's 第（二）项 is its own level and stays)
    text = re.sub(rf"第（({CN_NUMERAL})）[条点]", r"（\1）", text)
    # 附件四 and 第四个附件 are 附件4, 第2个专栏 专栏2
    text = re.sub(rf"第(\d{{1,2}}|{CN_NUMERAL})个(附件|专栏)", r"\2\1", text)
    text = re.sub(rf"(附件|专栏)({CN_NUMERAL})", lambda m: f"{m[1]}{cn_to_int(m[2])}", text)
    text = re.sub(rf"第({CN_NUMERAL})部分", r"\1、", text)
    text = re.sub(rf"({CN_NUMERAL}、)第({CN_NUMERAL})[条点]", r"\1（\2）", text)
    # in Arabic figures it is a numbered item, as documents number them (六、 … 22.): 「第六部分第22条」 is 六、22.
    text = re.sub(rf"({CN_NUMERAL}、)第(\d{{1,3}})[条项点]", r"\1\2.", text)
    # after a part, 第（四）项 is its sub-part （四） (「第三部分第（四）项第9条」 → 三、（四）9.)
    text = re.sub(rf"({CN_NUMERAL}、)第（({CN_NUMERAL})）[项条点]", r"\1（\2）", text)
    text = re.sub(rf"(（{CN_NUMERAL}）)第(\d{{1,3}}|{CN_NUMERAL})[项条点]",
                  lambda m: f"{m[1]}{m[2] if m[2].isdigit() else cn_to_int(m[2])}.", text)
    # the marks people leave out: 四（七） is 四、（七）, （四）1 is （四）1.
    text = re.sub(rf"(?<![一二三四五六七八九十百零第])({CN_NUMERAL})(?=（{CN_NUMERAL}）)", r"\1、", text)
    text = re.sub(rf"(（{CN_NUMERAL}）\d{{1,3}})(?![\d.．、])", r"\1.", text)
    return re.sub(rf"\(({CN_NUMERAL}|\d{{1,3}})\)", r"（\1）", text)


def path_after(text: str, end: int) -> str:
    """The clause path written at text[end:] (right after a 文号 or a title), or ""."""
    found = PATH_AFTER.match(text, end)
    return found.group(1) if found else ""


def mentioned_clause_path(question: str, reference: str) -> str:
    """The clause path written right after a 文号 or title: 许政办〔2024〕3号 四、（四）1. → 四、（四）1."""
    text = normalized_question(question)
    at = text.find(reference)
    return path_after(text, at + len(reference)) if at >= 0 else ""


class Retriever:
    def __init__(self, store: ChromaStore | None, embedder: Embedder, lexical: LexicalIndex,
                 holdings: Holdings, sentences: SentenceIndex, dense_weight: float = DENSE_WEIGHT,
                 lexical_weight: float = LEXICAL_WEIGHT, sentence_weight: float = SENTENCE_WEIGHT,
                 vocabulary: Vocabulary | None = None, semantic: bool = True, reranker: Reranker | None = None):
        self.reranker = reranker if semantic else None  # it reads the models' scores: none without vectors
        self.vocabulary = vocabulary  # the documents' words with vectors; None: own words are not matched
        # False: no vectors exist yet (the app's first start, while they are computed), or a restart's store and
        # model are still loading: BM25 alone, and neither the embedder nor the store (None then) is asked
        self.semantic = semantic
        self.dense_weight = dense_weight if semantic else 0.0  # 0 turns the retriever into BM25 only (a baseline)
        self.lexical_weight = lexical_weight  # 0: dense only
        self.sentence_weight = sentence_weight if semantic else 0.0  # best sentence of a chunk (max-sim)
        self.sentences = sentences
        self._query_vectors: dict[str, np.ndarray] = {}
        self.store = store
        self.embedder = embedder
        self.lexical = lexical
        self.holdings = holdings
        self.chunks = holdings.chunks
        self.versions = holdings.versions
        self.titles = title_forms(holdings.titles)
        forms = "|".join(re.escape(f) for f in sorted(self.titles, key=len, reverse=True))
        self._title_in_query = re.compile(rf"{TITLE_YEAR}《?({forms})》?") if forms else None

    def search(self, question: str, k: int = 5, filters: SearchFilters | None = None) -> list[Hit]:
        fusion = self._fuse(question, filters or SearchFilters())
        ranked = fusion.ranked
        if self.reranker is not None and fusion.dense:
            head, rows = self._rerank_rows(fusion)
            scores = dict(zip(head, self.reranker.scores(rows), strict=True))
            # a named clause stays first, another version than the one asked about last
            head.sort(key=lambda i: (self._other_version(i, question), i not in fusion.named_ids, -scores[i]))
            ranked = head + [i for i in ranked if i not in scores]
        hits: list[Hit] = []
        shown: list[set[str]] = []  # character bigrams of each hit kept so far
        for chunk_id in ranked:
            chunk = self.chunks.get(chunk_id)
            if chunk is None:
                continue
            grams = _bigrams(compact(chunk.text))
            if _near_duplicate(grams, shown):
                continue
            shown.append(grams)
            hits.append(Hit(rank=len(hits) + 1, score=fusion.scores[chunk_id], chunk_id=chunk_id, text=chunk.text,
                            metadata=chunk.metadata, dense_similarity=fusion.dense.get(chunk_id),
                            named=chunk_id in fusion.named_ids))
            if len(hits) == k:
                break
        return hits

    def rerank_rows(self, question: str) -> tuple[list[str], np.ndarray]:
        """The clauses the reranker would reorder, in fused order, and their features (to fit it:
        `python -m eval.train_reranker`)."""
        return self._rerank_rows(self._fuse(question, SearchFilters()))

    def _fuse(self, question: str, filters: SearchFilters) -> Fusion:
        clause_path = ""
        named = mentioned_doc_number(question, self.holdings.shelf)
        if named in self.holdings.doc_numbers and not filters.doc_number:
            filters = replace(filters, doc_number=named)
            clause_path = mentioned_clause_path(question, named)
        title = self.mentioned_title(question)
        if title and not filters.doc_number and not filters.doc_title:
            filters = replace(filters, doc_title=title)
            clause_path = clause_path or self.mentioned_title_path(question)

        vector = self.query_vector(question) if self.dense_weight or self.sentence_weight else None
        dense = self.store.query(vector, CANDIDATES, filters.where()) if self.dense_weight else []
        allowed = None if filters == SearchFilters() else {
            i for i, chunk in self.chunks.items() if filters.allows(chunk.metadata)}
        if allowed is not None:  # status is worked out at load, so Chroma cannot filter on it
            dense = [(i, score) for i, score in dense if i in allowed]
        lexical = self.lexical.search(question, CANDIDATES, self._mask(allowed)) if self.lexical_weight else []
        by_sentence = self.sentences.rank_chunks(vector, CANDIDATES, allowed) if self.sentence_weight else []
        fused: dict[str, float] = {}
        for weight, ranking in ((self.dense_weight, dense), (self.lexical_weight, lexical),
                                (self.sentence_weight, by_sentence)):
            for rank, (chunk_id, _) in enumerate(ranking):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (RRF_K + rank + 1)
        # the clause the user named, and its sub-clauses, come first
        named_ids = {chunk_id for chunk_id, chunk in self.chunks.items()
                     if filters.allows(chunk.metadata) and chunk.metadata.clause_path.startswith(clause_path)
                     } if clause_path and (filters.doc_number or filters.doc_title) else set()
        for chunk_id in named_ids:
            fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0
        # ties broken by id: same order on every store; another version than the one asked about goes last
        ranked = sorted(fused, key=lambda i: (self._other_version(i, question), -fused[i], i))
        return Fusion(question, vector, ranked, fused, dict(dense), dict(lexical), named_ids)

    def _rerank_rows(self, fusion: Fusion) -> tuple[list[str], np.ndarray]:
        head = [i for i in fusion.ranked if i in self.chunks][:RERANK_DEPTH]
        words = self.lexical.weighted_words(fusion.question)

        def share(text: str) -> float:
            return self.lexical.share_in(words, text)
        candidates = []
        for chunk_id in head:
            chunk = self.chunks[chunk_id]
            _, vectors = self.sentences.of(chunk_id)
            closest = np.sort(vectors @ fusion.vector)[::-1] if len(vectors) else np.zeros(1)
            candidates.append(Candidate(
                dense=fusion.dense.get(chunk_id), lexical=fusion.lexical.get(chunk_id, 0.0),
                sentence=float(closest[0]), second_sentence=float(closest[min(1, len(closest) - 1)]),
                word_share=share(chunk.text), length=len(chunk.text),
                heading_share=share(f"{chunk.metadata.doc_title} {chunk.metadata.breadcrumb}")))
        return head, feature_rows(candidates, min(fusion.dense.values(), default=0.0))

    def _other_version(self, chunk_id: str, question: str) -> bool:
        """Whether a chunk belongs to a version of its document other than the one the question is about
        (the version in force in a year it names, else the newest)."""
        chunk = self.chunks.get(chunk_id)
        if chunk is None:
            return False
        title = chunk.metadata.doc_title
        if not self.versions.has_versions(title):
            return False
        return chunk.metadata.date != self.versions.version_for(title, question)

    def with_weights(self, dense: float, lexical: float, sentence: float) -> Retriever:
        """The same index fused with other weights (baselines, calibration), without the reranker (it was fitted
        on all three retrievers' scores); question vectors shared."""
        other = Retriever(self.store, self.embedder, self.lexical, self.holdings, self.sentences,
                          dense_weight=dense, lexical_weight=lexical, sentence_weight=sentence,
                          vocabulary=self.vocabulary, semantic=self.semantic)
        other._query_vectors = self._query_vectors
        return other

    def mentioned_title(self, question: str) -> str | None:
        """The one document a question names by title (any of its versions), if it names exactly one."""
        if self._title_in_query is None:
            return None
        named = {self.titles[m.group(1)] for m in self._title_in_query.finditer(question.replace(" ", ""))}
        return named.pop() if len(named) == 1 else None

    def mentioned_title_path(self, question: str) -> str:
        """The clause path written right after the title a question names: 《…条例》第二十条 → 第二十条."""
        text = normalized_question(question)
        ends = [m.end() for m in self._title_in_query.finditer(text)] if self._title_in_query else []
        return path_after(text, ends[-1]) if ends else ""

    def content_of(self, question: str) -> str:
        """The question without the document it names (and the year of the version): that name chooses the
        document, by filter, and left in it would make every clause of that document look alike to the model."""
        if self._title_in_query is None or self.mentioned_title(question) is None:
            return question
        content = self._title_in_query.sub("", question.replace(" ", "")).strip("，,、的 ")
        return content if len(content) >= MIN_TITLE_FORM else question

    def query_vector(self, text: str) -> np.ndarray:
        """The question's embedding (of its content: `content_of`), computed once per text (retrieval and
        evidence share it).

        The app answers several questions at once: read the cache once, so another thread
        clearing it between a check and a read cannot lose the vector."""
        if not self.semantic:
            return np.zeros(self.sentences.vectors.shape[1], np.float32)
        vector = self._query_vectors.get(text)
        if vector is None:
            if len(self._query_vectors) > 256:
                self._query_vectors.clear()
            vector = self._query_vectors[text] = self.embedder.embed_query(self.content_of(text))
        return vector

    def documents_words(self, word: str) -> list[str]:
        """The documents' words nearest in meaning to a word they never use (暖气 → 取暖, 供暖), or []."""
        return self.vocabulary.nearest(self.query_vector(word)) if self.vocabulary is not None else []

    def _mask(self, allowed: set[str] | None) -> np.ndarray | None:
        """The allowed chunks as BM25's 0/1 mask over its own index order (None: every chunk)."""
        if allowed is None:
            return None
        return np.array([i in allowed for i in self.lexical.ids], dtype=np.float32)


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _near_duplicate(grams: set[str], shown: list[set[str]], threshold: float = 0.9) -> bool:
    """The same clause printed twice (a plan and its notice): show it once."""
    for other in shown:
        union = len(grams | other)
        if union and len(grams & other) / union >= threshold:  # identical texts: 1.0
            return True
    return False
