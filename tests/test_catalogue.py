"""The document library's list, versions, whole clauses and stable clause links."""

from pathlib import Path
from urllib.parse import parse_qs

import pytest

from rag.app.catalogue import Catalogue, clause_link
from rag.documents.corpus import corpus_files
from rag.documents.library import Library
from rag.documents.read import parse_file
from rag.index.chunk import chunk_document
from rag.index.holdings import Holdings
from tests.helpers import CORPUS

REGULATIONS = Path(__file__).resolve().parent / "data" / "regulations"
REVIEW = "中华人民共和国行政复议法"


def chunks_of(tmp_path: Path, *files: Path) -> list:
    library = Library(tmp_path)
    return [chunk for f in files for d in library.recognise(f).documents for chunk in chunk_document(d)]


def catalogue_of(chunks: list) -> Catalogue:
    return Catalogue(Holdings.of({c.chunk_id: c for c in chunks}))


@pytest.fixture
def review_law(tmp_path) -> Catalogue:
    return catalogue_of(chunks_of(tmp_path, REGULATIONS / "行政复议法(2017-09-01).md",
                               REGULATIONS / "行政复议法(2023-09-01).md"))


def test_each_version_of_a_regulation_is_an_entry_and_the_latest_opens_by_default(review_law):
    entries = review_law.entries(REVIEW)
    assert [(e.key, e.version, e.clauses) for e in entries] == [(REVIEW, 20230901, 90), (REVIEW, 20170901, 43)]
    assert review_law.clauses(REVIEW)[0].metadata.version_date == 20230901
    assert review_law.clauses(REVIEW, 20170901)[0].metadata.version_date == 20170901
    assert review_law.entries("许政办") == []


def test_a_regulation_clause_link_names_its_version(review_law):
    article = review_law.clause(REVIEW, "第九条", 20170901)
    assert parse_qs(clause_link(article.metadata)[1:]) == {"doc": [REVIEW], "clause": ["第九条"],
                                                           "version": ["20170901"]}


def test_a_long_clause_opens_whole(tmp_path):
    chunks = chunks_of(tmp_path, CORPUS / "gazette" / "许昌市人民政府公报-2024-02.txt")
    first = next(c for c in chunks if c.metadata.parts > 1 and c.metadata.part == 0 and c.metadata.clause_path)
    parts = sorted((c for c in chunks if (c.metadata.doc_number, c.metadata.order) == (first.metadata.doc_number,
                                                                                       first.metadata.order)),
                   key=lambda c: c.metadata.part)
    assert len(parts) == first.metadata.parts > 1
    gazette = catalogue_of(chunks)
    opened = gazette.clause(first.metadata.doc_number, first.metadata.clause_path)
    assert (opened.chunk_id, opened.text) == (first.chunk_id, first.text)
    assert gazette.full_text(first) == "\n".join(p.text for p in parts)
    assert parse_qs(clause_link(first.metadata)[1:]) == {"doc": [first.metadata.doc_number],
                                                         "clause": [first.metadata.clause_path]}


def test_newspaper_articles_are_told_apart_by_issue_and_unnumbered_text_by_position():
    # read with the corpus's manifest, which gives each page its issue
    news = catalogue_of([c for path in corpus_files(CORPUS) if path.parent.name == "news"
                      for d in parse_file(path) for c in chunk_document(d)])
    keys = [e.key for e in news.entries()]
    assert len(keys) == len(set(keys)) == 15
    assert all(key.startswith("《许昌日报》") for key in keys)
    article = news.clauses(keys[0])[0]
    link = parse_qs(clause_link(article.metadata)[1:])
    assert link == {"doc": [keys[0]], "clause": [f"@{article.metadata.order}"]}
    assert news.clause(keys[0], link["clause"][0]) == article


def test_an_unknown_version_is_not_taken_for_the_latest(review_law):
    assert review_law.has_version(REVIEW, 20170901)
    assert not review_law.has_version(REVIEW, 20200101)


@pytest.mark.parametrize("search", ["许政办〔2024〕3号", "许政办[2024]3号", "许政办 [2024] 第3号", "許政辦〔2024〕3號"])
def test_the_library_search_reads_a_number_as_the_chat_does(tmp_path, search):
    gazette = catalogue_of(chunks_of(tmp_path, CORPUS / "gazette" / "许昌市人民政府公报-2024-02.txt"))
    assert [e.key for e in gazette.entries(search)] == ["许政办〔2024〕3号"]


def test_a_traditional_issuer_prefix_finds_its_documents(tmp_path):
    gazette = catalogue_of(chunks_of(tmp_path, CORPUS / "gazette" / "许昌市人民政府公报-2024-02.txt"))
    assert sorted(e.key for e in gazette.entries("許政辦")) == ["许政办〔2024〕3号", "许政办〔2024〕4号", "许政办〔2024〕5号"]
    assert [e.key for e in gazette.entries("社會救助")] == ["许政办〔2024〕3号"]


def test_the_library_list_names_a_newspaper_article_once_and_an_opened_clause_has_no_link_to_itself(tmp_path):
    from rag.app.webui import library_document, library_list

    news = catalogue_of([c for path in corpus_files(CORPUS) if path.parent.name == "news"
                         for d in parse_file(path) for c in chunk_document(d)])
    listing = library_list(news, "富森生物")
    assert listing.count("富森生物公司年产9000吨核糖类产品项目") == 1
    assert "报纸版面 · 《许昌日报》2023年8月 头版 · 1 条" in listing  # the month from the manifest, said once
    assert news.years == (2022, 2023)  # the pages dated to the month are in the year filter
    dated = library_list(news, "专家点评")  # the issue names the date: said once
    assert "报纸版面 · 《许昌日报》2022年9月27日 第04版 · 1 条" in dated
    gazette = catalogue_of(chunks_of(tmp_path, CORPUS / "gazette" / "许昌市人民政府公报-2024-02.txt"))
    assert "（许政办〔2024〕3号）" in library_list(gazette, "许政办〔2024〕3号")
    opened = library_document(gazette, "许政办〔2024〕3号", "四、（四）1.")
    assert "id='opened-clause'" in opened and "在文件库中打开此条" not in opened
    assert "<strong aria-current='true'>1.特困人员照料护理</strong>" in opened  # marked in the tree, not linked
    assert "clause=%E5%9B%9B%E3%80%81%EF%BC%88%E5%9B%9B%EF%BC%891." not in opened


def test_the_document_filter_lists_numbers_in_number_order(tmp_path):
    gazette = catalogue_of(chunks_of(tmp_path, CORPUS / "gazette" / "许昌市人民政府公报-2024-02.txt"))
    numbers = [d.split(" ", 1)[0] for d in gazette.numbered_documents]
    assert numbers == ["许政〔2024〕8号", "许政〔2024〕9号", "许政〔2024〕10号", "许政〔2024〕11号", "许政〔2024〕12号",
                       "许政〔2024〕13号", "许政〔2024〕14号", "许政〔2024〕15号", "许政办〔2024〕3号", "许政办〔2024〕4号",
                       "许政办〔2024〕5号"]


def test_the_library_lists_one_issue_s_documents_in_number_order(tmp_path):
    gazette = catalogue_of(chunks_of(tmp_path, CORPUS / "gazette" / "许昌市人民政府公报-2020-02.txt"))
    keys = [e.key for e in gazette.entries("许政〔2020〕")]
    assert keys == sorted(keys, key=lambda k: int(k.split("〕")[1].removesuffix("号")))
    assert keys.index("许政〔2020〕8号") < keys.index("许政〔2020〕10号")
