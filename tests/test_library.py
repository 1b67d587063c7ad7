"""`rag add` / `rag remove`: files of any format recognised, copied under a clear name, recorded in the
manifest and indexed; duplicates refused; versions of one regulation told apart."""

import datetime
import tomllib
from pathlib import Path

import pytest

import rag.app.cli
import rag.documents.library
from rag.app.pipeline import Pipeline
from tests.fakes import HashingEmbedder
from tests.helpers import GAZETTE_2020, copy_corpus, make_settings

DATA = Path(__file__).resolve().parent / "data"
DOG_PDF = DATA / "formats" / "丽水市城市养犬管理规定(2020-08-14).pdf"
ROADS = [DATA / "regulations" / f"道路运输条例({date}).md" for date in ("2019-03-02", "2022-03-29", "2023-07-20")]
REVIEW_LAWS = [DATA / "regulations" / f"行政复议法({date}).md" for date in ("2017-09-01", "2023-09-01")]
ELEVATORS = DATA / "regulations" / "台州市电梯安全管理规定(2017-12-15).md"


@pytest.fixture
def library(tmp_path, monkeypatch) -> Pipeline:
    corpus = copy_corpus(tmp_path / "corpus", ("许昌日报-2022-09-27-04.txt",))
    pipeline = Pipeline(make_settings(tmp_path, corpus), embedder=HashingEmbedder())
    pipeline.ingest()
    monkeypatch.setenv("RAG_CORPUS_DIR", str(corpus))
    monkeypatch.setattr(rag.app.cli, "_pipeline", lambda settings: pipeline)
    return pipeline


def _manifest(pipeline: Pipeline) -> list[dict]:
    return tomllib.loads((pipeline.settings.corpus_dir / "sources.toml").read_text(encoding="utf-8"))["source"]


def test_rag_add_recognises_a_pdf_records_it_and_answers_from_it(library, capsys):
    assert rag.app.cli.main(["add", str(DOG_PDF)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("已收录 regulation/丽水市城市养犬管理规定-2020-08-14.pdf：法规规章，1 个文件，39 个条款\n"
                          "  《丽水市城市养犬管理规定》 日期 2020-08-14，施行 2020-11-01\n")
    entry = _manifest(library)[-1]
    assert (entry["path"], entry["title"], entry["clauses"], entry["original_name"]) == (
        "regulation/丽水市城市养犬管理规定-2020-08-14.pdf", "丽水市城市养犬管理规定", 39, DOG_PDF.name)
    assert (library.settings.corpus_dir / entry["path"]).read_bytes() == DOG_PDF.read_bytes()
    answer = library.answerer.run("养犬人应当在取得犬只狂犬病免疫证明之日起几日内申请办理养犬登记？")
    assert answer.citations[0].display() == "《丽水市城市养犬管理规定》第十二条第一款（2020年8月14日公布，现行有效） 第2页"
    assert "**十五日内**" in answer.answer


def test_adding_an_exact_copy_again_is_reported_and_not_indexed_twice(library, capsys, tmp_path):
    assert rag.app.cli.main(["add", str(DOG_PDF)]) == 0
    capsys.readouterr()  # the first add's summary and progress lines
    total = len(library.store.chunks())
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(DOG_PDF.read_bytes())
    assert rag.app.cli.main(["add", str(copy)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"错误：{copy}: 与已收录的 regulation/丽水市城市养犬管理规定-2020-08-14.pdf 内容完全相同，未重复收录")
    assert len(library.store.chunks()) == total and len(_manifest(library)) == 2


def test_the_same_document_in_another_format_is_added_with_a_warning(library, capsys):
    assert rag.app.cli.main(["add", str(DOG_PDF)]) == 0
    capsys.readouterr()
    assert rag.app.cli.main(["add", str(DATA / "regulations" / "丽水市城市养犬管理规定(2020-08-14).md")]) == 0
    assert ("  注意：语料中已有同标题、同日期的 regulation/丽水市城市养犬管理规定-2020-08-14.pdf"
            "（可能是同一文件的另一种格式），两者都会被检索\n") in capsys.readouterr().out


def test_rag_remove_takes_a_document_out_of_the_corpus_the_manifest_and_the_index(library, capsys):
    assert rag.app.cli.main(["add", str(DOG_PDF)]) == 0
    assert rag.app.cli.main(["remove", "丽水市城市养犬管理规定"]) == 0
    assert "已从语料中移除 regulation/丽水市城市养犬管理规定-2020-08-14.pdf" in capsys.readouterr().out
    assert [e["path"] for e in _manifest(library)] == ["news/许昌日报-2022-09-27-04.txt"]
    assert not any(c.metadata.doc_title == "丽水市城市养犬管理规定" for c in library.store.chunks().values())
    assert rag.app.cli.main(["remove", "不存在的文件"]) == 1
    assert "语料中没有找到「不存在的文件」" in capsys.readouterr().err
    # a blank would equal every newspaper article's empty 文号: refused, nothing removed
    assert rag.app.cli.main(["remove", " 《》 "]) == 1
    assert capsys.readouterr().err.strip() == "错误：请给出要删除的文件路径、文件名、标题或文号"
    assert [e["path"] for e in _manifest(library)] == ["news/许昌日报-2022-09-27-04.txt"]


def test_two_files_with_the_same_name_in_different_folders_are_two_sources(library):
    corpus = library.settings.corpus_dir
    for folder, text in (("a", "许昌市人民政府关于甲事项的通知\n许政〔2025〕1号\n一、甲事项补贴每户500元。\n"),
                         ("b", "许昌市人民政府关于乙事项的通知\n许政〔2025〕2号\n一、乙事项补贴每户800元。\n")):
        (corpus / folder).mkdir()
        (corpus / folder / "x.txt").write_text(text, encoding="utf-8")
    library.ingest()
    library.ingest([corpus / "a" / "x.txt"])  # re-reading a/x.txt must not drop b/x.txt
    sources = {c.metadata.source for c in library.store.chunks().values()}
    assert {"a/x.txt", "b/x.txt"} <= sources


@pytest.fixture(scope="module")
def law_versions(tmp_path_factory) -> Pipeline:
    """Three versions of 道路运输条例, two of 行政复议法 and 台州市电梯安全管理规定 added to a small corpus, with the real model:
    which version answers depends on the meaning of the question, which the fake embedder does not capture."""
    from dataclasses import replace

    from rag.documents.library import Library
    from tests.helpers import real_settings

    root = tmp_path_factory.mktemp("versions")
    corpus = copy_corpus(root / "corpus", ("许昌日报-2022-09-27-04.txt",))
    for path in [*ROADS, *REVIEW_LAWS, ELEVATORS]:
        Library(corpus).add(path)
    pipeline = Pipeline(replace(real_settings(root), corpus_dir=corpus))
    assert pipeline.ingest().errors == []
    return pipeline


ROAD = "中华人民共和国道路运输条例"
REVIEW = "中华人民共和国行政复议法"


@pytest.mark.model
@pytest.mark.parametrize(("question", "cited", "fact", "note"), [
    ("未取得道路运输经营许可擅自从事道路客运经营的，罚款多少？",
     (ROAD, "第六十三条第一款第（二）项", 20230720), "**1万元以上10万元以下**",
     f"《{ROAD}》第六十三条在2023年7月20日修订时有改动，以上依据现行有效的版本。"),
    ("行政复议法规定，申请行政复议应当在知道行政行为之日起多少日内提出？",
     (REVIEW, "第二十条第一款", 20230901), "**六十日内**",
     f"《{REVIEW}》第二十条在2023年9月1日修订时有改动，以上依据现行有效的版本。"),
])
def test_the_version_in_force_answers_and_says_the_article_changed(law_versions, question, cited, fact, note):
    answer = law_versions.answerer.run(question)
    first = answer.citations[0]
    assert (first.doc_title, first.clause_path, first.version_date, first.status) == (*cited, "现行有效")
    assert fact in answer.answer and note in answer.answer
    hit = answer.hits[0].to_json()
    assert (hit["status"], hit["version_date"]) == ("现行有效", cited[2])


@pytest.mark.model
@pytest.mark.parametrize(("question", "cited", "display", "note"), [
    ("2022年的道路运输条例，未取得道路运输经营许可擅自从事道路运输经营的怎么罚款？",
     ("第六十三条", 20220329), f"《{ROAD}》第六十三条（2022年3月29日修订，已修订）",
     f"注意：《{ROAD}》第六十三条引自2022年3月29日的版本（已修订）；现行有效的是2023年7月20日修订的版本。"),
    ("2017年的行政复议法规定，申请行政复议应当在知道具体行政行为之日起多少日内提出？",
     ("第九条第一款", 20170901), f"《{REVIEW}》第九条第一款（2017年9月1日修订，已修订）",
     f"注意：《{REVIEW}》第九条引自2017年9月1日的版本（已修订）；现行有效的是2023年9月1日修订的版本。"),
    # 「2022年版」 before the name chooses the version: it is no word of a title the library lacks
    ("2022年版道路运输条例第七十四条规定的是什么？",
     ("第七十四条", 20220329), f"《{ROAD}》第七十四条（2022年3月29日修订，已修订）",
     f"注意：《{ROAD}》第七十四条引自2022年3月29日的版本（已修订）；现行有效的是2023年7月20日修订的版本。"),
    # 2020 is no version's year: the version in force then (2019) is asked about, and the year asks nothing else
    ("2020年版道路运输条例里客运经营者强行招揽旅客罚多少",
     ("第六十九条第一款第（二）项", 20190302), f"《{ROAD}》第六十九条第一款第（二）项（2019年3月2日修订，已修订）",
     f"注意：《{ROAD}》第六十九条引自2019年3月2日的版本（已修订）；现行有效的是2023年7月20日修订的版本。"),
    # the years that choose the version ask nothing of its text; the fine is in the lead of the act's list
    ("2022年修订的道路运输条例（2023年再改之前那版）里，客车不按批准的站点停靠要罚多少？",
     ("第六十九条第一款第（一）项", 20220329), f"《{ROAD}》第六十九条第一款第（一）项（2022年3月29日修订，已修订）",
     f"注意：《{ROAD}》第六十九条引自2022年3月29日的版本（已修订）；现行有效的是2023年7月20日修订的版本。"),
])
def test_a_question_naming_an_old_year_is_answered_from_that_version(law_versions, question, cited, display, note):
    answer = law_versions.answerer.run(question)
    first = answer.citations[0]
    assert (first.clause_path, first.version_date, first.status) == (*cited, "已修订")
    assert first.display() == display
    assert note in answer.answer



@pytest.mark.model
@pytest.mark.parametrize("question", ["台州电梯管理责任人不及时救援被困乘客 罚款多少",
                                      "电梯管理责任人接到困人报警不立即去救援，怎么处罚？"])
def test_a_penalty_written_once_before_the_acts_it_punishes_answers_for_the_act_asked(law_versions, question):
    """第三十四条 「…有下列行为之一的，…处一万元以上十万元以下罚款：（一）…（四）…未立即赶赴现场实施救援…」: the
    person describes item （四）; the fine is in the lead. 第三十条 states the duty breached, no penalty."""
    answer = law_versions.answerer.run(question)
    assert [(c.doc_title, c.clause_path) for c in answer.citations] == [("台州市电梯安全管理规定", "第三十四条第一款第（四）项")]
    assert "一万元以上十万元以下" in answer.answer.splitlines()[0]  # a penalty's phrase never leads without its fine
    assert "接到电梯乘客被困报警后未立即赶赴现场实施救援，尚不构成事故的。" in answer.answer


@pytest.mark.model
def test_a_fine_stated_before_the_sentence_that_opens_the_list_answers_for_the_act_asked(law_versions):
    """第六十九条 「…处1000元以上3000元以下的罚款；情节严重的，…吊销道路运输经营许可证：（一）不按批准的客运站点停靠…」:
    the sentence opening the list states no fine, the one before it does."""
    answer = law_versions.answerer.run("2022年版的道路运输条例里，客车不按批准的站点停靠要罚多少？")
    assert "**1000元以上3000元以下**" in answer.answer.splitlines()[0]
    assert "不按批准的客运站点停靠或者不按规定的线路、公布的班次行驶的。" in answer.answer


def _version(folder: Path, date: str, days: str) -> Path:
    path = folder / f"供热条例({date}).md"
    path.write_text(f"# 某市供热条例\n\n{date[:4]}年1月1日 某市人民代表大会常务委员会通过\n\n<!-- INFO END -->\n\n"
                    f"第一条 为了规范供热，制定本条例。\n\n第二条 供热单位应当在接到报修后{days}内上门维修。\n\n"
                    "第三条 本条例自公布之日起施行。\n", encoding="utf-8")
    return path


def test_current_versions_come_first_and_a_filter_leaves_out_the_others(library, tmp_path):
    from rag.documents.library import Library
    from rag.search.retrieve import SearchFilters

    for date, days in (("2019-05-01", "七日"), ("2024-05-01", "二十四小时")):
        Library(library.settings.corpus_dir).add(_version(tmp_path, date, days))
    library.ingest()
    question = "某市供热条例 供热单位接到报修后多久上门维修？"
    hits = library.retriever.search(question, k=5)
    assert [(h.metadata.clause_path, h.metadata.status) for h in hits[:2]] == [
        ("第二条", "现行有效"), ("第一条", "现行有效")]
    assert {h.metadata.status for h in library.retriever.search(question, k=40)} == {"现行有效", "已修订"}
    current = library.retriever.search(question, k=10, filters=SearchFilters(current_only=True))
    assert current and {h.metadata.status for h in current} == {"现行有效"}


def test_a_question_naming_a_document_by_title_searches_that_document_by_its_content(library, tmp_path):
    from rag.documents.library import Library

    for date, days in (("2019-05-01", "七日"), ("2024-05-01", "二十四小时")):
        Library(library.settings.corpus_dir).add(_version(tmp_path, date, days))
    library.ingest()
    question = "2019年的《某市供热条例》规定，供热单位接到报修后多久上门维修？"
    assert library.retriever.mentioned_title(question) == "某市供热条例"
    # the title (with the year of the version) chooses the document; the model sees what is asked of it
    assert library.retriever.content_of(question) == "规定，供热单位接到报修后多久上门维修？"
    hits = library.retriever.search(question, k=10)
    assert {h.metadata.doc_title for h in hits} == {"某市供热条例"}
    assert (hits[0].metadata.clause_path, hits[0].metadata.date) == ("第二条", 20190501)
    assert library.retriever.mentioned_title("供热单位接到报修后多久上门维修？") is None


def test_an_answer_from_a_document_whose_term_has_run_out_says_so(library, tmp_path):
    from rag.documents.library import Library
    from tests.test_versions import RULES

    path = tmp_path / "供热补贴办法(2020-01-01).md"
    path.write_text(RULES.format(term="有效期至2022年12月31日"), encoding="utf-8")
    Library(library.settings.corpus_dir).add(path)
    library.ingest()
    answer = library.answerer.run("某市供热补贴办法规定低保家庭冬季供热补贴每户每年多少钱？")
    assert answer.citations[0].display() == "《某市供热补贴办法》第二条（2020年1月1日公布，已到期）"
    assert "《某市供热补贴办法》（已到期）：本办法自2020年1月1日起施行，有效期至2022年12月31日。" in answer.answer


@pytest.mark.parametrize(("text", "title", "stored"), [
    ("# 许昌市供暖补贴办法\n\n## 一、补贴标准\n\n供暖补贴每户每年500元。\n",
     "许昌市供暖补贴办法", "policy/许昌市供暖补贴办法.md"),
    ("# 许昌市人民政府关于做好供暖工作的通知\n\n许政〔2025〕3号\n\n## 一、补贴标准\n\n供暖补贴每户每年500元。\n",
     "许昌市人民政府关于做好供暖工作的通知", "policy/许昌市人民政府关于做好供暖工作的通知.md"),
])
def test_a_markdown_upload_has_no_heading_marks_in_its_title_citation_or_file_name(library, tmp_path, text, title,
                                                                                   stored):
    path = tmp_path / "上传.md"
    path.write_text(text, encoding="utf-8")
    assert rag.app.cli.main(["add", str(path)]) == 0
    assert (_manifest(library)[-1]["path"], _manifest(library)[-1]["title"]) == (stored, title)
    citation = library.answerer.run(f"{title}的供暖补贴每户每年多少钱？").citations[0]
    assert (citation.doc_title, citation.clause_path) == (title, "一、")


def test_control_characters_in_a_name_are_left_out_of_the_manifest_and_the_file_name(library, tmp_path, capsys):
    path = tmp_path / "关于做好供暖工作的\x7f通知.md"
    path.write_text("许昌市人民政府关于做好供暖\x7f工作的通知\n许政〔2025〕3号\n一、供暖补贴每户500元。\n", encoding="utf-8")
    assert rag.app.cli.main(["add", str(path)]) == 0
    entry = _manifest(library)[-1]
    assert (entry["path"], entry["title"], entry["original_name"]) == (
        "policy/许昌市人民政府关于做好供暖工作的通知.md", "许昌市人民政府关于做好供暖工作的通知", "关于做好供暖工作的通知.md")
    issue = tmp_path / "公报\x7f2020.txt"  # several documents: the file is named after the file it came in
    issue.write_bytes(GAZETTE_2020.read_bytes())
    assert rag.app.cli.main(["add", str(issue)]) == 0
    assert [(e["path"], e["original_name"]) for e in _manifest(library)[-1:]] == [("gazette/公报_2020.txt", "公报2020.txt")]
    assert rag.app.cli.main(["add", str(DOG_PDF)]) == 0  # the manifest still reads: the next add and ingest work
    assert rag.app.cli.main(["ingest"]) == 0
    assert "已收录 regulation/丽水市城市养犬管理规定-2020-08-14.pdf" in capsys.readouterr().out


def test_rag_add_works_with_a_manifest_that_has_a_syntax_error(library, capsys):
    manifest = library.settings.corpus_dir / "sources.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + '\n[[source]]\npath = "news/x.txt\n', encoding="utf-8")
    assert rag.app.cli.main(["add", str(DOG_PDF)]) == 0
    captured = capsys.readouterr()
    assert "已收录 regulation/丽水市城市养犬管理规定-2020-08-14.pdf" in captured.out
    assert any(c.metadata.doc_title == "丽水市城市养犬管理规定" for c in library.store.chunks().values())


def _corpus_files(pipeline: Pipeline) -> list[str]:
    corpus = pipeline.settings.corpus_dir
    return sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if p.is_file())


BEFORE_ADD = ["news/许昌日报-2022-09-27-04.txt", "sources.toml"]
DOG_KEY = "regulation/丽水市城市养犬管理规定-2020-08-14.pdf"


def _dog_indexed(pipeline: Pipeline) -> bool:
    return any(c.metadata.doc_title == "丽水市城市养犬管理规定" for c in pipeline.store.chunks().values())


def test_a_failure_during_the_ingest_of_rag_add_leaves_nothing_behind_and_a_retry_adds(library, capsys):
    """The probe's case: the file stayed recorded but not indexed, and adding it again was refused."""
    import errno

    from rag.index.store import ChromaStore

    manifest = (library.settings.corpus_dir / "sources.toml").read_text(encoding="utf-8")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ChromaStore, "add", staticmethod(full))  # the disk fills while the generation is written
        assert rag.app.cli.main(["add", str(DOG_PDF)]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("错误")]
    assert errors == [f"错误：{DOG_PDF}: 未能建立索引，本次收录已撤销，可以重新添加",
                      "错误：磁盘空间不足，本次操作未完成；已有的索引保持不变。请清理磁盘后重试。"]
    assert _corpus_files(library) == BEFORE_ADD
    assert (library.settings.corpus_dir / "sources.toml").read_text(encoding="utf-8") == manifest
    assert rag.app.cli.main(["add", str(DOG_PDF)]) == 0
    assert capsys.readouterr().out.startswith(f"已收录 {DOG_KEY}：法规规章，1 个文件，39 个条款\n")
    assert _corpus_files(library) == sorted([*BEFORE_ADD, DOG_KEY])
    assert [e["path"] for e in _manifest(library)] == ["news/许昌日报-2022-09-27-04.txt", DOG_KEY]
    assert _dog_indexed(library)


def _kill_rag_add_at(point: str, root: Path) -> None:
    """`rag add DOG_PDF` in a child process, killed with SIGKILL once it reaches `point` (tests/add_child.py)."""
    import os
    import signal
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-m", "tests.add_child", str(root),
                              os.environ["RAG_CORPUS_DIR"], str(DOG_PDF), point],
                             cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    reached = any(line.strip() == point for line in child.stdout)  # its summary line comes first
    os.kill(child.pid, signal.SIGKILL)
    _out, err = child.communicate()
    assert reached, err


@pytest.mark.parametrize("point", ["copied", "recorded", "embedding"])
def test_a_retry_after_rag_add_was_killed_at_any_point_adds_the_file_once(library, tmp_path, capsys, point):
    _kill_rag_add_at(point, tmp_path)
    assert not _dog_indexed(library)
    assert rag.app.cli.main(["add", str(DOG_PDF)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(f"已收录 {DOG_KEY}：法规规章，1 个文件，39 个条款\n")
    assert "注意" not in captured.out.splitlines()[1]  # not warned about its own leftover as "the same document"
    assert _corpus_files(library) == sorted([*BEFORE_ADD, DOG_KEY])  # one copy, under its own name
    assert [e["path"] for e in _manifest(library)] == ["news/许昌日报-2022-09-27-04.txt", DOG_KEY]
    assert _dog_indexed(library)


def test_rag_add_killed_after_publishing_has_added_the_file_and_a_retry_is_a_duplicate(library, tmp_path, capsys):
    _kill_rag_add_at("published", tmp_path)
    assert _dog_indexed(library)
    assert rag.app.cli.main(["add", str(DOG_PDF)]) == 1
    assert capsys.readouterr().err == f"错误：{DOG_PDF}: 与已收录的 {DOG_KEY} 内容完全相同，未重复收录\n"
    assert [e["path"] for e in _manifest(library)] == ["news/许昌日报-2022-09-27-04.txt", DOG_KEY]


GAZETTE = "gazette/许昌市人民政府公报-2024-02.txt"


@pytest.fixture
def gazette_library(tmp_path, monkeypatch) -> Pipeline:
    corpus = copy_corpus(tmp_path / "corpus", ("许昌市人民政府公报-2024-02.txt", "许昌日报-2022-09-27-04.txt"))
    pipeline = Pipeline(make_settings(tmp_path, corpus), embedder=HashingEmbedder())
    pipeline.ingest()
    monkeypatch.setenv("RAG_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("RAG_DATA_DIR", str(pipeline.settings.data_dir))
    monkeypatch.setattr(rag.app.cli, "_pipeline", lambda settings: pipeline)
    monkeypatch.setattr(rag.documents.library, "_now", lambda: datetime.datetime(2026, 12, 6, 10, 15, 30), raising=False)
    return pipeline


def _issues(pipeline: Pipeline) -> dict[str, set[str]]:
    """The chunks' sources in the live index, with the issue labels they are cited with."""
    found: dict[str, set[str]] = {}
    for chunk in pipeline.store.chunks().values():
        found.setdefault(chunk.metadata.source, set()).add(chunk.metadata.issue)
    return found


def test_removing_one_document_of_a_gazette_issue_asks_for_the_whole_file_and_removes_nothing(gazette_library,
                                                                                               capsys):
    """The probe's case: `rag remove 许政〔2024〕8号` deleted the whole issue (11 documents) without a word."""
    before, manifest = _issues(gazette_library), _manifest(gazette_library)
    assert rag.app.cli.main(["remove", "许政〔2024〕8号"]) == 1
    assert capsys.readouterr().err == (
        f"错误：许政〔2024〕8号 是 {GAZETTE} 中 11 个文件之一，删除整个文件会连同其他 10 个文件一起移除；未删除任何内容。"
        "只移除这一个文件请加 --document-only，确要删除整个文件请加 --whole-file\n")
    assert (gazette_library.settings.corpus_dir / GAZETTE).is_file() and _manifest(gazette_library) == manifest
    assert _issues(gazette_library) == before
    # the file named by its own name is the whole file: no question asked
    assert rag.app.cli.main(["remove", "许昌日报-2022-09-27-04.txt", "许政〔2024〕8号"]) == 1  # all or nothing
    assert _manifest(gazette_library) == manifest


def test_one_document_of_a_gazette_issue_is_taken_out_alone_and_rag_restore_brings_it_back(gazette_library, capsys):
    corpus = gazette_library.settings.corpus_dir
    manifest = (corpus / "sources.toml").read_text(encoding="utf-8")
    before = _issues(gazette_library)
    title = "许昌市人民政府关于公布许昌市中心城区城镇土地级别与基准地价更新调整成果的通知"
    assert rag.app.cli.main(["remove", "许政〔2024〕8号", "--document-only"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        f"已从 {GAZETTE} 中移除《{title}》（许政〔2024〕8号），其中其他 10 个文件保留（可用 rag restore 许政〔2024〕8号 恢复）")
    assert (corpus / GAZETTE).is_file()
    assert next(e for e in _manifest(gazette_library) if e["path"] == GAZETTE)["exclude"] == ["许政〔2024〕8号"]
    numbers = {c.metadata.doc_number for c in gazette_library.store.chunks().values()}
    assert "许政〔2024〕8号" not in numbers and {"许政〔2024〕9号", "许政办〔2024〕3号"} <= numbers
    assert _issues(gazette_library) == before  # the issue file and the newspaper page are still cited
    assert rag.app.cli.main(["remove", "许政〔2024〕8号", "--document-only"]) == 1  # gone: nothing names it now
    assert capsys.readouterr().err == ("错误：语料中没有找到「许政〔2024〕8号」：请给出语料中的文件路径、文件名、标题或文号\n")
    assert rag.app.cli.main(["remove", "许昌日报-2022-09-27-04.txt", "--document-only"]) == 1
    assert capsys.readouterr().err == (
        "错误：许昌日报-2022-09-27-04.txt 指的是整个文件 news/许昌日报-2022-09-27-04.txt，不是合订本中的一个文件；"
        "未删除任何内容。删除整个文件请去掉 --document-only\n")

    assert rag.app.cli.main(["restore"]) == 0
    assert capsys.readouterr().out == f"回收站是空的。\n{GAZETTE} 中已移除 许政〔2024〕8号（rag restore 文号 可恢复）\n"
    embedder = gazette_library.embedder
    embedded = embedder.embedded
    assert rag.app.cli.main(["restore", "许政〔2024〕8号"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"已恢复 {GAZETTE} 中的 许政〔2024〕8号"
    assert (corpus / "sources.toml").read_text(encoding="utf-8") == manifest
    assert "许政〔2024〕8号" in {c.metadata.doc_number for c in gazette_library.store.chunks().values()}
    assert embedder.embedded == embedded  # its vectors came from the embedding cache


def test_a_document_taken_out_of_a_file_without_a_manifest_entry_gets_one_and_comes_back(tmp_path):
    from rag.documents.library import Library

    corpus = copy_corpus(tmp_path / "corpus", ("许昌市人民政府公报-2024-02.txt",))
    (corpus / "sources.toml").write_text("# 清单\n", encoding="utf-8")
    library = Library(corpus)
    library.exclude(library.to_exclude("许政办〔2024〕3号"))
    assert (corpus / "sources.toml").read_text(encoding="utf-8") == (
        f'# 清单\n\n[[source]]\npath = "{GAZETTE}"\nexclude = ["许政办〔2024〕3号"]\n')
    assert [title for title, number in library.matches(GAZETTE)[0].documents or ()
            if number == "许政办〔2024〕3号"] == []
    assert library.include("许政办〔2024〕3号") == GAZETTE and library.exclusions() == {}
    assert len(library.matches(GAZETTE)[0].documents or ()) == 11


def test_a_removed_file_goes_to_the_trash_and_rag_restore_brings_it_back_indexed(gazette_library, capsys):
    data = gazette_library.settings.data_dir
    manifest = _manifest(gazette_library)
    entry = next(e for e in manifest if e["path"] == GAZETTE)
    assert rag.app.cli.main(["remove", "许政〔2024〕8号", "--whole-file"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        f"已从语料中移除 {GAZETTE}（已移到回收站，可用 rag restore 许昌市人民政府公报-2024-02.txt 恢复）")
    assert not (gazette_library.settings.corpus_dir / GAZETTE).exists()
    assert GAZETTE not in [e["path"] for e in _manifest(gazette_library)]
    assert GAZETTE not in _issues(gazette_library)
    assert [p.name for p in (data / "trash").glob("*/*.txt")] == ["许昌市人民政府公报-2024-02.txt"]

    assert rag.app.cli.main(["restore"]) == 0
    assert capsys.readouterr().out == ("回收站中有 1 个文件（rag restore 文件名 可恢复）：\n"
                                       f"  {GAZETTE}（含 11 个文件，2026-12-06 10:15 移除）\n")
    assert rag.app.cli.main(["restore", "许昌市人民政府公报-2024-02.txt"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"已从回收站恢复 {GAZETTE}"
    # back with its manifest entry: its chunks are cited with the issue the entry gives
    assert sorted(map(str, _manifest(gazette_library))) == sorted(map(str, manifest))
    assert _issues(gazette_library)[GAZETTE] == {entry["issue"]}
    assert rag.app.cli.main(["restore"]) == 0
    assert capsys.readouterr().out == "回收站是空的。\n"
    assert list((data / "trash").iterdir()) == []


def test_rag_restore_names_what_it_cannot_restore(gazette_library, capsys):
    assert rag.app.cli.main(["restore", "许政〔2024〕8号"]) == 1
    assert capsys.readouterr().err == "错误：回收站中没有「许政〔2024〕8号」：不带参数运行 rag restore 可列出回收站\n"
    assert rag.app.cli.main(["remove", GAZETTE]) == 0
    capsys.readouterr()
    (gazette_library.settings.corpus_dir / GAZETTE).write_text("另一个同名文件", encoding="utf-8")
    assert rag.app.cli.main(["restore", "许政〔2024〕8号"]) == 1  # a 文号 in it names it too
    assert capsys.readouterr().err == f"错误：语料中已有 {GAZETTE}，未恢复；请先移走或改名\n"
