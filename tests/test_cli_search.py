"""`rag search` honours the CLI contract: JSON fields, batch order, clear errors."""

import io
import json

import pytest

import rag.app.cli
from rag.app.pipeline import Pipeline
from tests.fakes import HashingEmbedder
from tests.helpers import copy_corpus, make_settings

HIT_FIELDS = ["rank", "score", "doc_number", "doc_title", "clause_path", "issue", "source", "page", "text", "status",
              "version_date"]


@pytest.fixture
def indexed(tmp_path, monkeypatch):
    corpus = copy_corpus(tmp_path / "corpus", ("许昌市人民政府公报-2024-02.txt",))
    pipeline = Pipeline(make_settings(tmp_path, corpus), embedder=HashingEmbedder())
    pipeline.ingest()
    monkeypatch.setattr(rag.app.cli, "_pipeline", lambda settings: pipeline)
    return pipeline


def test_json_hits_have_the_contract_fields(indexed, capsys):
    assert rag.app.cli.main(["search", "特困人员照料护理标准是多少", "--k", "3", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert [h["rank"] for h in hits] == [1, 2, 3]
    assert list(hits[0]) == HIT_FIELDS
    assert (hits[0]["doc_number"], hits[0]["clause_path"], hits[0]["page"]) == ("许政办〔2024〕3号", "四、（四）1.", 72)
    assert hits[0]["issue"] == "《许昌市人民政府公报》2024年第2期"


def test_batch_answers_each_line_in_order(indexed, capsys, monkeypatch):
    lines = [{"question": "特困人员照料护理标准是多少"}, {"question": "   "}, {"question": "城镇土地使用税一级土地多少钱"}]
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines)))
    assert rag.app.cli.main(["search", "--batch", "-", "--k", "2"]) == 1  # one bad line
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["question"] for o in out] == [x["question"] for x in lines]
    assert out[0]["hits"][0]["clause_path"] == "四、（四）1."
    assert out[1]["hits"] == [] and out[1]["error"].startswith("问题不能为空")
    assert out[2]["hits"][0]["doc_number"] == "许政〔2024〕15号"


def test_a_line_that_is_not_json_gets_an_error_row_and_the_others_are_answered(indexed, capsys, monkeypatch):
    text = '低保标准是多少？\n{"question": "特困人员照料护理标准是多少"}\n'
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    assert rag.app.cli.main(["ask", "--batch", "-"]) == 1
    first, second = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert first == {"question": "低保标准是多少？", "error": "第 1 行不是含 question 字段的 JSON"}
    assert second["citations"][0]["clause_path"] == "四、（四）1."


def test_a_count_below_one_is_refused_by_the_parser(indexed, capsys):
    with pytest.raises(SystemExit) as stopped:
        rag.app.cli.main(["search", "低保", "--k", "0"])
    assert stopped.value.code == 2
    assert "--k: 应为正整数，而不是 0" in capsys.readouterr().err


def test_empty_question_is_a_clear_error(indexed, capsys):
    assert rag.app.cli.main(["search", "  "]) == 1
    assert "问题不能为空" in capsys.readouterr().err


def test_a_long_question_is_shortened_with_a_notice(indexed, capsys):
    assert rag.app.cli.main(["search", "特困人员照料护理标准" * 100, "--k", "1"]) == 0
    assert "问题超过 500 字" in capsys.readouterr().out


def test_search_before_ingest_says_what_to_do(tmp_path, monkeypatch, capsys):
    pipeline = Pipeline(make_settings(tmp_path, tmp_path), embedder=HashingEmbedder())
    monkeypatch.setattr(rag.app.cli, "_pipeline", lambda settings: pipeline)
    assert rag.app.cli.main(["search", "低保"]) == 2
    assert "索引尚未建立：请先运行 `rag ingest`" in capsys.readouterr().err
