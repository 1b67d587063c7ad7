"""Bad corpus files get a clear message naming the file; the other files still parse."""

import json
import shutil
from pathlib import Path

from rag.app.cli import main
from tests.helpers import NEWS_2022_09_27

MANIFEST = """
[[source]]
path = "good.txt"
kind = "newspaper"
publisher = "许昌日报社"
issue = "《许昌日报》2022年9月27日 第04版"
date = "2022-09-27"

[[source]]
path = "gbk.txt"
kind = "gazette"
publisher = "测试"
issue = "测试"

[[source]]
path = "empty.txt"
kind = "gazette"
publisher = "测试"
issue = "测试"

[[source]]
path = "binary.txt"
kind = "gazette"
publisher = "测试"
issue = "测试"
"""


def _corpus(folder: Path) -> Path:
    (folder / "sources.toml").write_text(MANIFEST, encoding="utf-8")
    shutil.copy(NEWS_2022_09_27, folder / "good.txt")
    (folder / "gbk.txt").write_bytes("许昌市人民政府关于加强低收入人口动态监测的实施意见".encode("gbk"))
    (folder / "empty.txt").write_text("\n  \n", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"%PDF-1.7\x00\x01\x02\xff" * 50)
    (folder / "unlisted.txt").write_text("一、总则\n", encoding="utf-8")
    return folder


def test_each_bad_file_is_named_with_its_reason_and_the_good_one_parses(tmp_corpus, capsys):
    corpus = _corpus(tmp_corpus)
    status = main(["parse", "--json", str(corpus)])
    captured = capsys.readouterr()
    errors = captured.err.splitlines()
    assert status == 1
    assert len(errors) == 3
    assert any("gbk.txt" in e and "不是 UTF-8 编码（可能是 GBK）" in e for e in errors)
    assert any("empty.txt" in e and "文件为空" in e for e in errors)
    assert any("binary.txt" in e and "二进制文件" in e for e in errors)
    documents = [json.loads(line) for line in captured.out.splitlines()]
    assert [a["title"] for a in documents][:2] == ["强力推动产业升级 走好强市兴市之路", "产业发展大事记"]
    # a file the manifest does not list is still read: its kind comes from its content
    assert [(d["source"], d["kind"]) for d in documents if d["source"] == "unlisted.txt"] == [("unlisted.txt", "policy")]


def test_a_file_with_no_recognisable_document_is_reported(tmp_path, capsys):
    stray = tmp_path / "notes.txt"
    stray.write_text("会议记录\n\n", encoding="utf-8")
    assert main(["parse", str(stray)]) == 1
    assert capsys.readouterr().err.strip() == (f"错误：{stray}: 按政策文件解析，没有识别出任何文件或条款；"
                                               "请检查文件内容，或用 --kind 指定类型")


BROKEN_ENTRIES = """
[[source]]
kind = "gazette"

[[source]]
path = "missing.txt"

[[source]]
path = "dated.txt"
date = "2024-13-45"

[[source]]
path = "kinded.txt"
kind = "magazine"

[[source]]
path = "month.txt"
date = "2023-04"
"""


def test_broken_manifest_entries_are_named_and_the_other_files_still_ingest(tmp_path):
    from rag.documents.corpus import load_manifest

    (tmp_path / "sources.toml").write_text(BROKEN_ENTRIES, encoding="utf-8")
    shutil.copy(NEWS_2022_09_27, tmp_path / "dated.txt")
    shutil.copy(NEWS_2022_09_27, tmp_path / "kinded.txt")
    shutil.copy(NEWS_2022_09_27, tmp_path / "month.txt")
    manifest = load_manifest(tmp_path / "sources.toml")
    assert manifest.problems == [
        f"{tmp_path / 'sources.toml'}: 第 1 条登记缺少 path（文件路径），已跳过",
        f"{tmp_path / 'sources.toml'}: 登记的文件 missing.txt 不存在，已跳过",
        f"{tmp_path / 'sources.toml'}: dated.txt 的 date '2024-13-45' 不是有效日期（应为 YYYY-MM-DD，只知道月份时写 YYYY-MM），"
        "已忽略该日期",
        f"{tmp_path / 'sources.toml'}: kinded.txt 的 kind 必须是 gazette、policy、regulation、newspaper 之一，"
        "而不是 'magazine'；已改为自动识别",
    ]
    assert sorted(s.key for s in manifest.sources.values()) == ["dated.txt", "kinded.txt", "month.txt"]
    assert [s.date for s in manifest.sources.values() if s.key == "month.txt"] == [20230400]  # a month, no day
    assert {s.kind for s in manifest.sources.values()} == {""}


def test_parse_json_has_the_contract_fields(capsys):
    assert main(["parse", "--json", str(NEWS_2022_09_27)]) == 0
    first = json.loads(capsys.readouterr().out.splitlines()[0])
    assert list(first) == ["source", "kind", "issue", "doc_number", "title", "date", "page", "clauses"]
    assert list(first["clauses"][0]) == ["clause_path", "heading", "text", "responsible_units"]
    assert first["issue"] == "《许昌日报》2022年9月27日 第04版"


def test_parse_tree_shows_clause_paths_and_units(capsys):
    from tests.helpers import GAZETTE_2024

    assert main(["parse", str(GAZETTE_2024)]) == 0
    tree = capsys.readouterr().out
    assert "《许昌市人民政府办公室关于加强低收入人口动态监测全面构建分层分类社会救助体系的实施意见》（许政办〔2024〕3号）" in tree
    assert "      四、（四）1. 特困人员照料护理  〔责任单位：市民政局、市财政局〕" in tree


SYNTAX_ERROR = """[[source]]
path = "good.txt"
issue = "《许昌日报》2022年9月27日 第04版"

[[source]]
path = "second.txt"
issue = 2023年4月头版
"""


def test_a_syntax_error_in_the_manifest_is_one_line_naming_it_and_every_file_still_indexes(tmp_path):
    from rag.app.pipeline import Pipeline
    from rag.documents.corpus import load_manifest
    from tests.fakes import HashingEmbedder
    from tests.helpers import NEWS_2023_04, make_settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    manifest = corpus / "sources.toml"
    manifest.write_text(SYNTAX_ERROR, encoding="utf-8")
    shutil.copy(NEWS_2022_09_27, corpus / "good.txt")
    shutil.copy(NEWS_2023_04, corpus / "second.txt")
    problem = f"{manifest}: 第 7 行不符合 TOML 格式，这一条登记已跳过（其文件按内容识别）"
    loaded = load_manifest(manifest)
    assert loaded.problems == [problem]
    assert [s.key for s in loaded.sources.values()] == ["good.txt"]

    pipeline = Pipeline(make_settings(tmp_path, corpus), embedder=HashingEmbedder())
    report = pipeline.ingest()
    assert report.errors == [problem]
    issues = {c.metadata.source: c.metadata.issue for c in pipeline.store.chunks().values()}
    assert issues["good.txt"] == "《许昌日报》2022年9月27日 第04版"  # the entries that parse still count
    assert "second.txt" in issues  # the file of the broken entry is indexed as its content says
