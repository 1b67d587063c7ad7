"""One bad file never blocks the rest: a damaged, encrypted or oversized file is named with a one-line
reason and skipped by `rag add`, `rag ingest`, `rag remove`, the first `rag serve` and the staff tab."""

from pathlib import Path

import pdfplumber
import pytest

import rag.app.cli
from rag.app.pipeline import Pipeline
from rag.documents.corpus import CorpusError
from rag.documents.formats import extract_text
from tests.bad_files import (
    GOOD_PDF,
    docx_unpacking_to,
    docx_with_paragraphs,
    empty_file,
    encrypted_pdf,
    malformed_docx,
    oversized_file,
    oversized_xml_docx,
    pdf_with_pages,
    truncated_pdf,
)
from tests.fakes import HashingEmbedder
from tests.helpers import as_uploaded, copy_corpus, make_settings

DOG = "丽水市城市养犬管理规定"
BAD = {  # file name → how it is made, and the reason given for it
    "坏文件.pdf": (truncated_pdf, "文件已损坏或不完整"),
    "空文件.pdf": (empty_file, "文件为空（0 字节），请重新导出或上传"),
    "空文档.docx": (empty_file, "文件为空（0 字节），请重新导出或上传"),
    "加密文件.pdf": (encrypted_pdf, "PDF 已加密，请提供未加密的版本"),
    "坏文档.docx": (malformed_docx, "文件已损坏或不完整"),
    "超大文档.docx": (oversized_xml_docx, "文件内容超出解析上限"),
}


def _bad_files(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [make(folder / name) for name, (make, _reason) in BAD.items()]


@pytest.fixture
def corpus_pipeline(tmp_path, monkeypatch) -> Pipeline:
    """A one-file corpus, not yet indexed, that the CLI commands work on."""
    corpus = copy_corpus(tmp_path / "corpus", ("许昌日报-2022-09-27-04.txt",))
    pipeline = Pipeline(make_settings(tmp_path, corpus), embedder=HashingEmbedder())
    monkeypatch.setenv("RAG_CORPUS_DIR", str(corpus))
    monkeypatch.setattr(rag.app.cli, "_pipeline", lambda settings: pipeline)
    return pipeline


def _errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("错误")]  # not the progress lines


def _titles(pipeline: Pipeline) -> set[str]:
    return {c.metadata.doc_title for c in pipeline.store.chunks().values()}


@pytest.mark.parametrize("name", list(BAD))
def test_a_damaged_file_is_one_line_naming_it_with_its_reason(tmp_path, name):
    make, reason = BAD[name]
    path = make(tmp_path / name)
    with pytest.raises(CorpusError) as raised:
        extract_text(path)
    assert str(raised.value) == f"无法读取 {path}：{reason}"


MB = 1024 * 1024


@pytest.mark.parametrize(("name", "make", "reason"), [
    ("大文件.pdf", lambda path: oversized_file(path, 51 * MB), "文件大小 51.0 MB，超过上限 50 MB"),
    ("大文件.txt", lambda path: oversized_file(path, 50 * MB + MB // 2), "文件大小 50.5 MB，超过上限 50 MB"),
    ("解压很大.docx", lambda path: docx_unpacking_to(path, 201 * MB), "DOCX 解压后 201.0 MB，超过上限 200 MB"),
    ("很多页.pdf", lambda path: pdf_with_pages(path, 2001), "PDF 共 2001 页，超过上限 2000 页"),
])
def test_limits_are_checked_before_parsing(tmp_path, monkeypatch, name, make, reason):
    import rag.documents.formats

    path = make(tmp_path / name)
    for reader in ("read_text", "_pdf_text", "_docx_text"):  # none of them may run
        monkeypatch.setattr(rag.documents.formats, reader, lambda path: pytest.fail("parsed a file over a limit"))
    with pytest.raises(CorpusError) as raised:
        extract_text(path)
    assert str(raised.value) == f"无法读取 {path}：{reason}"


def test_files_at_the_limits_pass_the_checks(tmp_path):
    from rag.documents.formats import _check_limits

    assert _check_limits(pdf_with_pages(tmp_path / "2000页.pdf", 2000), ".pdf") is None
    assert _check_limits(oversized_file(tmp_path / "50MB.txt", 50 * MB), ".txt") is None


def test_the_encrypted_pdf_is_really_encrypted_and_opens_with_its_password(tmp_path):
    with pdfplumber.open(encrypted_pdf(tmp_path / "加密文件.pdf"), password="secret") as pdf:
        assert pdf.pages[0].extract_text() == "Policy text behind a password"


def test_rag_add_names_each_bad_file_and_indexes_the_good_one_given_with_them(corpus_pipeline, tmp_path, capsys):
    corpus_pipeline.ingest()
    bad = _bad_files(tmp_path / "upload")
    assert rag.app.cli.main(["add", *map(str, bad), str(GOOD_PDF)]) == 1
    captured = capsys.readouterr()
    assert _errors(captured.err) == [f"错误：无法读取 {path}：{BAD[path.name][1]}" for path in bad]
    assert f"已收录 regulation/{DOG}-2020-08-14.pdf：法规规章，1 个文件，39 个条款" in captured.out
    assert DOG in _titles(corpus_pipeline)
    corpus = corpus_pipeline.settings.corpus_dir
    assert sorted(p.name for p in corpus.rglob("*") if p.is_file()) == [
        "sources.toml", f"{DOG}-2020-08-14.pdf", "许昌日报-2022-09-27-04.txt"]


def test_ingest_and_remove_skip_bad_files_in_the_corpus(corpus_pipeline, capsys):
    corpus = corpus_pipeline.settings.corpus_dir
    bad = _bad_files(corpus / "regulation")
    (corpus / "regulation" / f"{DOG}.pdf").write_bytes(GOOD_PDF.read_bytes())
    assert rag.app.cli.main(["ingest"]) == 1
    errors = _errors(capsys.readouterr().err)
    expected = [f"错误：无法读取 {path}：{BAD[path.name][1]}（该文件原有的索引内容保持不变）" for path in sorted(bad)]
    assert errors == expected
    assert {DOG, "强力推动产业升级 走好强市兴市之路"} <= _titles(corpus_pipeline)

    assert rag.app.cli.main(["remove", DOG]) == 1  # removed; the bad files are named again by the ingest after it
    captured = capsys.readouterr()
    assert f"已从语料中移除 regulation/{DOG}.pdf" in captured.out
    assert _errors(captured.err) == expected
    assert DOG not in _titles(corpus_pipeline) and "强力推动产业升级 走好强市兴市之路" in _titles(corpus_pipeline)


def test_the_first_serve_indexes_the_good_files_and_starts(corpus_pipeline, monkeypatch, capsys):
    import uvicorn

    import rag.app.serve

    _bad_files(corpus_pipeline.settings.corpus_dir / "regulation")
    launched = []
    monkeypatch.setattr(uvicorn, "run", lambda server, host, port, log_level: launched.append(host))
    monkeypatch.setattr(rag.app.pipeline, "Pipeline", lambda settings, embedder: corpus_pipeline)
    rag.app.serve.serve(corpus_pipeline.settings, HashingEmbedder(), wait_index=True)  # the whole index first
    assert launched == ["127.0.0.1"]
    assert "强力推动产业升级 走好强市兴市之路" in _titles(corpus_pipeline)
    assert sum("无法读取" in line for line in capsys.readouterr().err.splitlines()) == len(BAD)


def test_the_staff_tab_shows_what_a_removal_of_a_bad_file_takes_out(tmp_path):
    from dataclasses import replace

    from rag.app.background import Builds
    from rag.app.feedback import FeedbackLog
    from rag.app.staff import staff_app

    corpus = copy_corpus(tmp_path / "corpus", ("许昌日报-2022-09-27-04.txt",))
    pipeline = Pipeline(replace(make_settings(tmp_path, corpus), staff_login=("staff", "pw"), admin_login=("a", "b")),
                        embedder=HashingEmbedder())
    pipeline.ingest()
    truncated_pdf(corpus / "坏文件.pdf")
    app = staff_app(pipeline, FeedbackLog(tmp_path / "feedback.sqlite3"), Builds(pipeline, HashingEmbedder))
    ask_to_remove = next(f.fn for f in app.fns.values() if getattr(f.fn, "__name__", "") == "ask_to_remove")
    assert ask_to_remove("坏文件.pdf", True) == (
        f"将从语料中删除：坏文件.pdf（无法读取 {corpus / '坏文件.pdf'}：文件已损坏或不完整）。确认无误请点「确认删除」。",
        "坏文件.pdf")


def _staff_function(pipeline: Pipeline, tmp_path: Path, name: str):
    """One of the staff area's event handlers, from its app as `rag serve` builds it."""
    from dataclasses import replace

    from rag.app.background import Builds
    from rag.app.feedback import FeedbackLog
    from rag.app.staff import staff_app

    pipeline.settings = replace(pipeline.settings, staff_login=("staff", "pw"), admin_login=("a", "b"))
    app = staff_app(pipeline, FeedbackLog(tmp_path / "feedback.sqlite3"), Builds(pipeline, HashingEmbedder))
    return next(f.fn for f in app.fns.values() if getattr(f.fn, "__name__", "") == name)


def test_a_docx_of_three_million_paragraphs_is_refused_before_parsing_and_the_good_file_goes_in(
        corpus_pipeline, tmp_path, capsys):
    big = docx_with_paragraphs(tmp_path / "三百万段.docx", 3_000_000)
    reason = f"无法读取 {big}：DOCX 共 3000145 段，超过上限 200000 段"
    assert big.stat().st_size < 100_000
    uploaded = as_uploaded(big)
    preview = _staff_function(corpus_pipeline, tmp_path, "recognise")(str(uploaded), "", True)
    assert preview == f"无法识别：无法读取 {uploaded.name}：DOCX 共 3000145 段，超过上限 200000 段"
    corpus_pipeline.ingest()
    assert rag.app.cli.main(["add", str(big), str(GOOD_PDF)]) == 1
    captured = capsys.readouterr()
    assert _errors(captured.err) == [f"错误：{reason}"]
    assert DOG in _titles(corpus_pipeline)


def test_a_parse_over_the_time_limit_is_stopped_and_named_and_the_other_files_index(corpus_pipeline, tmp_path,
                                                                                    monkeypatch, capsys):
    import rag.documents.read
    from rag.documents.sandbox import Limits, Sandbox

    sandbox = Sandbox(Limits(seconds=2))
    monkeypatch.setattr(rag.documents.read, "SANDBOX", sandbox)
    corpus = corpus_pipeline.settings.corpus_dir
    # 199,000 paragraphs of text: under the paragraph limit, ~40 s of python-docx on this machine
    slow = docx_with_paragraphs(corpus / "很慢.docx", 199_000, "<w:p><w:r><w:t>一段文字</w:t></w:r></w:p>")
    reason = f"无法读取 {slow}：解析用时超过上限 2 秒"
    try:
        uploaded = as_uploaded(slow)
        preview = _staff_function(corpus_pipeline, tmp_path, "recognise")(str(uploaded), "", True)
        assert preview == f"无法识别：无法读取 {uploaded.name}：解析用时超过上限 2 秒"
        assert rag.app.cli.main(["ingest"]) == 1
    finally:
        sandbox.close()
    assert _errors(capsys.readouterr().err) == [f"错误：{reason}（该文件原有的索引内容保持不变）"]
    assert "强力推动产业升级 走好强市兴市之路" in _titles(corpus_pipeline)


def test_the_sandbox_stops_a_parse_over_its_memory_or_time_and_the_next_one_runs():
    from rag.documents.sandbox import LimitExceeded, Limits, Sandbox
    from tests.bad_files import allocate, wait_forever

    sandbox = Sandbox(Limits(seconds=1, memory_bytes=512 * MB))
    try:
        with pytest.raises(LimitExceeded) as raised:
            sandbox.run(allocate, 4096 * MB)
        assert raised.value.reason == "解析所需内存超过上限 512 MB"
        with pytest.raises(LimitExceeded) as raised:
            sandbox.run(wait_forever)
        assert raised.value.reason == "解析用时超过上限 1 秒"
        assert sandbox.run(allocate, 3) == b"\0\0\0"
    finally:
        sandbox.close()
