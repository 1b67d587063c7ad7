"""Bad corpus files get a clear message naming the file; the other files still parse."""

import json
import shutil
from pathlib import Path

from rag.cli import main
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
    assert len(errors) == 4
    assert any("gbk.txt" in e and "不是 UTF-8 编码（可能是 GBK）" in e for e in errors)
    assert any("empty.txt" in e and "文件为空" in e for e in errors)
    assert any("binary.txt" in e and "二进制文件" in e for e in errors)
    assert any("unlisted.txt" in e and "未在" in e and "sources.toml" in e for e in errors)
    articles = [json.loads(line) for line in captured.out.splitlines()]
    assert [a["title"] for a in articles][:2] == ["强力推动产业升级 走好强市兴市之路", "产业发展大事记"]
    assert {a["date"] for a in articles} == {20220927}


def test_a_file_outside_any_corpus_is_refused_clearly(tmp_path, capsys):
    stray = tmp_path / "notes.txt"
    stray.write_text("一、总则\n", encoding="utf-8")
    assert main(["parse", str(stray)]) == 1
    assert "找不到清单 sources.toml" in capsys.readouterr().err


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
