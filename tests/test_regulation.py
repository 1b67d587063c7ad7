"""Regulations (章/节/条/款/项) from Markdown, DOCX and PDF: every article, the same clauses from each
format, citations narrowed to 款 and 项, and the file kinds recognised from content."""

import re
from pathlib import Path

import pytest

from rag.documents.corpus import CorpusError, source_for
from rag.documents.formats import extract_text
from rag.documents.read import detect_kind, parse_file, parse_source
from rag.documents.regulation import locate
from tests.helpers import GAZETTE_2024, NEWS_2022_09_27

DATA = Path(__file__).resolve().parent / "data"
REGULATIONS = sorted((DATA / "regulations").glob("*.md"))
DOG_RULES = "丽水市城市养犬管理规定(2020-08-14)"
ARTICLE_LINE = re.compile(r"(?m)^第[一二三四五六七八九十百零]+条")


def articles(path: Path) -> list:
    (document,) = parse_file(path)
    return [c for c in document.clauses if c.clause_path]


@pytest.mark.parametrize("path", REGULATIONS, ids=lambda p: p.stem)
def test_every_article_of_a_regulation_becomes_a_clause_in_order(path):
    parsed = articles(path)
    written = ARTICLE_LINE.findall(path.read_text(encoding="utf-8"))
    assert [c.clause_path for c in parsed] == written  # coverage 100%, numbering as printed
    # 款 and 项 stay inside their article, one per line
    body = path.read_text(encoding="utf-8").split("<!-- INFO END -->")[1]
    assert sum(len(c.text.split("\n")) for c in parsed) == len(
        [line for line in body.splitlines() if line.strip("\u200b \u3000") and not line.startswith("#")])


def test_title_dates_and_chapters_come_from_the_document():
    (law,) = parse_file(DATA / "regulations" / "行政复议法(2023-09-01).md")
    assert (law.title, law.date, law.effective) == ("中华人民共和国行政复议法", 20230901, 20240101)
    assert law.history[-1] == "2023年9月1日 第十四届全国人民代表大会常务委员会第五次会议修订"
    article = next(c for c in law.clauses if c.clause_path == "第二十条")
    assert article.parents == ["第二章 行政复议申请", "第三节 申请的提出"]


def test_the_same_clauses_come_from_markdown_docx_and_pdf():
    def clauses(path: Path) -> list[tuple[str, str]]:
        (document,) = parse_file(path)
        assert document.title == "丽水市城市养犬管理规定" and document.source.kind == "regulation"
        return [(c.clause_path, c.text) for c in document.clauses]

    markdown = clauses(DATA / "regulations" / f"{DOG_RULES}.md")
    assert len(markdown) == 39
    assert clauses(DATA / "formats" / f"{DOG_RULES}.docx") == markdown
    assert clauses(DATA / "formats" / f"{DOG_RULES}.pdf") == markdown


def test_pdf_clauses_keep_their_page_numbers():
    (document,) = parse_file(DATA / "formats" / f"{DOG_RULES}.pdf")
    pages = {c.clause_path: c.page for c in document.clauses}
    assert (pages["第一条"], pages["第十二条"], pages["第三十九条"]) == (1, 2, 8)


@pytest.mark.parametrize(("quote", "where"), [
    ("养犬人应当自取得犬只狂犬病免疫证明之日起十五日内", "第一款"),
    ("未经登记，任何单位和个人不得饲养犬只", "第二款"),
    ("捕捉流浪犬中的烈性犬和大型犬；", "第一款第（二）项"),
    ("不在文中的句子", ""),
])
def test_a_quote_is_placed_at_its_paragraph_and_item(quote, where):
    (document,) = parse_file(DATA / "regulations" / f"{DOG_RULES}.md")
    text = {c.clause_path: c.text for c in document.clauses}
    article = text["第六条"] if "烈性犬" in quote else text["第十二条"]
    assert locate(article, quote) == where


def test_a_quote_of_a_lists_lead_and_one_item_is_placed_at_that_item():
    """第三十四条's penalty is written once before the acts it punishes: quoted with the act, the act is the place."""
    (document,) = parse_file(DATA / "regulations" / "台州市电梯安全管理规定(2017-12-15).md")
    article = {c.clause_path: c.text for c in document.clauses}["第三十四条"]
    lead = "第三十四条 电梯管理责任人有下列行为之一的，由特种设备安全监督管理部门责令限期改正；逾期未改正的，处一万元以上十万元以下罚款："
    act = "（四）违反本规定第三十条第二款规定，接到电梯乘客被困报警后未立即赶赴现场实施救援，尚不构成事故的。"
    assert (locate(article, lead + act), locate(article, lead)) == ("第一款第（四）项", "第一款")


def test_an_article_of_one_paragraph_is_cited_without_a_paragraph_number():
    (document,) = parse_file(DATA / "regulations" / f"{DOG_RULES}.md")
    first = document.clauses[0]
    assert locate(first.text, "为了加强养犬管理，规范养犬行为") == ""


def test_kinds_are_recognised_from_the_content():
    assert detect_kind(extract_text(GAZETTE_2024)) == "gazette"
    assert detect_kind(extract_text(NEWS_2022_09_27)) == "newspaper"
    assert detect_kind(extract_text(DATA / "regulations" / f"{DOG_RULES}.md")) == "regulation"
    single = "许昌市人民政府关于做好冬季供暖工作的通知\n许政〔2025〕3号\n各县（市、区）人民政府：\n一、保障供暖\n供暖期为11月15日至次年3月15日。\n"
    assert detect_kind(single) == "policy"


def test_a_single_policy_document_keeps_its_number_and_clauses(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text("许昌市人民政府关于做好冬季供暖工作的通知\n\n许政〔2025〕3号\n\n各县（市、区）人民政府：\n"
                    "一、保障供暖\n供暖期为11月15日至次年3月15日。\n二、落实责任\n（责任单位：市城管局）\n", encoding="utf-8")
    (document,) = parse_file(path)
    assert (document.source.kind, document.doc_number, document.title) == (
        "policy", "许政〔2025〕3号", "许昌市人民政府关于做好冬季供暖工作的通知")
    assert [c.clause_path for c in document.clauses if c.clause_path] == ["一、", "二、"]


def test_a_pdf_without_a_text_layer_gets_a_clear_message(tmp_path):
    import pypdfium2

    scan = tmp_path / "scan.pdf"
    pdf = pypdfium2.PdfDocument.new()
    pdf.new_page(595, 842)
    pdf.save(str(scan))
    with pytest.raises(CorpusError) as error:
        parse_source(source_for(scan), extract_text(scan))
    assert str(error.value) == (f"{scan}: PDF 没有文字层（可能是扫描件），无法提取文字；"
                                "请提供带文字层的 PDF、DOCX 或文本文件")


def test_a_saved_web_page_gives_its_main_text_without_the_site_chrome(tmp_path):
    page = tmp_path / "notice.html"
    page.write_text(
        "<html><head><title>关于做好冬季供暖工作的通知</title></head><body>"
        "<nav>首页 | 政务公开 | 办事服务 | 互动交流</nav>"
        "<article><h1>许昌市人民政府关于做好冬季供暖工作的通知</h1><p>许政〔2025〕3号</p>"
        "<p>各县（市、区）人民政府：</p><p>一、保障供暖</p><p>供暖期为11月15日至次年3月15日，各供热企业应当按时供热。</p>"
        "<p>二、落实责任</p><p>市城管局负责监督检查供热质量，接到投诉后应当在24小时内处理。</p></article>"
        "<footer>版权所有 许昌市人民政府 网站标识码</footer></body></html>", encoding="utf-8")
    text = extract_text(page)
    assert "供暖期为11月15日至次年3月15日" in text and "首页 | 政务公开" not in text and "版权所有" not in text
    (document,) = parse_file(page)
    assert (document.doc_number, [c.clause_path for c in document.clauses if c.clause_path]) == (
        "许政〔2025〕3号", ["一、", "二、"])


DOG_RULES_OF_A_CITY = """# 某市养犬管理条例

2020年5月29日 某市人民代表大会常务委员会第二十五次会议通过

<!-- INFO END -->

第一条 为了规范养犬行为，制定本条例。

第二条 养犬人携犬出户时应当束犬链，由成年人牵领。

第三条 违反本条例第二条规定的，依照下列规定予以处理：

（一）携犬出户时不束犬链的，由公安机关责令改正；拒不改正的，处五十元以上二百元以下罚款；

（二）携犬出户时不及时清理犬只排泄物的，由城市管理部门责令改正；拒不改正的，处二十元罚款。

第四条 违反本条例规定从事犬只交易的，没收违法所得，处违法所得一倍以上三倍以下的罚款；没有违法所得的，处一千元以上五千元以下罚款。
"""


@pytest.fixture
def dog_rules(tmp_path):
    from rag.app.pipeline import Pipeline
    from tests.fakes import HashingEmbedder
    from tests.helpers import make_settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "rules.md").write_text(DOG_RULES_OF_A_CITY, encoding="utf-8")
    pipeline = Pipeline(make_settings(tmp_path, corpus), embedder=HashingEmbedder())
    pipeline.ingest()
    return pipeline


def test_a_penalty_is_read_with_the_condition_it_follows(dog_rules):
    answer = dog_rules.answerer.run("携犬出户时不束犬链，公安机关责令改正后拒不改正的，罚款多少？")
    assert answer.answer.splitlines()[0] == (
        "携犬出户时不束犬链的，由公安机关责令改正；拒不改正的，处**五十元以上二百元以下**罚款。 [1]")
    assert answer.citations[0].display() == "《某市养犬管理条例》第三条第一款第（一）项（2020年5月29日公布，现行有效）"


def test_a_penalty_with_a_condition_after_a_semicolon_is_shown_whole(dog_rules):
    """「…的，处…；没有违法所得的，处…」: both halves are one provision, and the asker may be in either case."""
    answer = dog_rules.answerer.run("违反规定从事犬只交易的，罚款多少？")
    assert answer.answer.splitlines()[0] == (
        "违反本条例规定从事犬只交易的，没收违法所得，处违法所得**一倍以上三倍以下的罚款**；"
        "没有违法所得的，处**一千元以上五千元以下**罚款。 [1]")
    assert answer.citations[0].display() == "《某市养犬管理条例》第四条（2020年5月29日公布，现行有效）"


def test_article_numbers_past_a_hundred_are_written_as_laws_write_them():
    from rag.documents.clauses import cn_to_int, int_to_cn

    assert [int_to_cn(n) for n in (9, 10, 15, 99, 100, 105, 110, 119, 123)] == [
        "九", "十", "十五", "九十九", "一百", "一百零五", "一百一十", "一百一十九", "一百二十三"]
    assert all(cn_to_int(int_to_cn(n)) == n for n in range(1, 1000))
