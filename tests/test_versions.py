"""A document's own statements of validity: kept as written, shown with its answers, and a 有效期 that has
run out marks it 已到期."""

from rag.documents.model import Document, Source
from rag.documents.regulation import parse_regulation
from rag.index.chunk import chunk_document
from rag.index.versions import VersionTable
from rag.search.retrieve import SearchFilters
from tests.helpers import NEWS_2022_09_27, document, parsed

RULES = """# 某市供热补贴办法

2020年1月1日 某市人民政府公布

<!-- INFO END -->

第一条 为了保障困难群众冬季取暖，制定本办法。

第二条 低保家庭冬季供热补贴每户每年800元。

第三条 本办法自2020年1月1日起施行，{term}。
"""


def _rules(tmp_path, term: str, more: str = "") -> list[Document]:
    path = tmp_path / "供热补贴办法(2020-01-01).md"
    path.write_text(RULES.format(term=term) + more, encoding="utf-8")
    return parse_regulation(Source(path, "regulation", "", "", None), path.read_text(encoding="utf-8"))


def test_a_gazette_document_keeps_what_it_says_of_its_start_and_what_it_repeals():
    notice = document("许政〔2024〕8号")
    table = VersionTable.build(chunk_document(notice))
    assert table.validity(notice.title, notice.date) == [
        "本基准地价自通知印发之日起执行，2019年5月5日发布的《许昌市人民政府关于公布许昌市城区基准地价更新调整成果的通知》"
        "（许政〔2019〕12号）同时废止。"]
    assert table.status(notice.title, notice.date, on=20260101) == "现行有效"


def test_a_term_that_has_run_out_makes_the_document_expired(tmp_path):
    (rules,) = _rules(tmp_path, "有效期至2022年12月31日")
    table = VersionTable.build(chunk_document(rules))
    assert table.validity(rules.title, rules.date) == ["本办法自2020年1月1日起施行，有效期至2022年12月31日。"]
    assert [table.status(rules.title, rules.date, rules.effective, on) for on in (20221231, 20230101)] == [
        "现行有效", "已到期"]


def test_a_term_in_years_counts_from_the_day_it_took_effect(tmp_path):
    (rules,) = _rules(tmp_path, "有效期三年")
    table = VersionTable.build(chunk_document(rules))
    assert [table.status(rules.title, rules.date, rules.effective, on) for on in (20221231, 20230101)] == [
        "现行有效", "已到期"]


def test_the_term_of_a_licence_the_document_regulates_is_not_its_own(tmp_path):
    (rules,) = _rules(tmp_path, "由市城市管理局负责解释", "\n第四条 依照本办法取得的供热许可证有效期为三年。\n")
    table = VersionTable.build(chunk_document(rules))
    assert table.validity(rules.title, rules.date) == ["本办法自2020年1月1日起施行，由市城市管理局负责解释。"]
    assert table.status(rules.title, rules.date, rules.effective, on=20300101) == "现行有效"


def test_the_period_a_title_gives_ends_the_document_with_its_last_year():
    plan = document("许政〔2020〕14号")  # …行动方案（2020—2022年）的通知
    table = VersionTable.build(chunk_document(plan))
    assert table.expiry(plan.title, plan.date) == 20221231
    assert [table.status(plan.title, plan.date, on=on) for on in (20221231, 20230101)] == ["现行有效", "已到期"]


def test_a_stated_term_says_more_than_the_title(tmp_path):
    (rules,) = _rules(tmp_path, "有效期至2025年12月31日")
    rules.title = "某市供热补贴办法（2020—2022年）"
    table = VersionTable.build(chunk_document(rules))
    assert table.status(rules.title, rules.date, rules.effective, on=20240101) == "现行有效"


def test_a_newspaper_article_has_no_status_and_stays_in_a_current_only_search():
    chunks = {c.chunk_id: c for d in parsed(NEWS_2022_09_27) for c in chunk_document(d)}
    annotated = VersionTable.build(chunks.values()).annotate(chunks)
    assert {c.metadata.status for c in annotated.values()} == {""}
    assert all(SearchFilters(current_only=True).allows(c.metadata) for c in annotated.values())


def test_an_answer_from_an_ended_plan_says_when_its_period_ended(tmp_path):
    from rag.app.pipeline import Pipeline
    from tests.fakes import HashingEmbedder
    from tests.helpers import copy_corpus, make_settings

    corpus = copy_corpus(tmp_path / "corpus", ("许昌市人民政府公报-2020-02.txt",))
    pipeline = Pipeline(make_settings(tmp_path, corpus), embedder=HashingEmbedder())
    pipeline.ingest()
    answer = pipeline.answerer.run("许政〔2020〕14号 到2022年制造业增加值要达到什么目标？")
    assert [(c.doc_number, c.status) for c in answer.citations] == [("许政〔2020〕14号", "已到期")]
    assert ("《许昌市人民政府关于印发许昌市推动制造业高质量发展行动方案（2020—2022年）的通知》（已到期）："
            "标题所定期限已于2022年12月31日届满。") in answer.answer.splitlines()
