"""Source file → documents with clause trees: the kind recognised from the content (the manifest may
override it), then that kind's parser."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from rag.documents.corpus import KIND_NAMES, CorpusError, file_sha256, source_for
from rag.documents.formats import extract_text
from rag.documents.gazette import DOC_NUMBER_LINE, parse_gazette, parse_single_document
from rag.documents.model import Document, Source
from rag.documents.news import parse_newspaper
from rag.documents.normalize import fold_radicals, normalize_line
from rag.documents.regulation import looks_like_regulation, parse_regulation
from rag.documents.sandbox import LimitExceeded, Sandbox

NEWSPAPER_MARK = re.compile(r"本报讯|本报记者|（记者|记者\s*[\u4e00-\u9fff]{2,3}\s*(?:通讯员|报道)")


def detect_kind(text: str) -> str:
    """gazette: several documents, each under its own 文号 line; policy: one such document; regulation:
    articles 第一条, 第二条 …; newspaper: bylines. A document with a 文号 whose body is articles
    (a 办法 issued by a 通知) stays a policy document: its 文号 is what people cite."""
    lines = [normalize_line(line) for line in text.splitlines()[:20000]]
    numbers = {line for line in lines if DOC_NUMBER_LINE.match(line)}
    if len(numbers) >= 2:
        return "gazette"
    if numbers:
        return "policy"
    if looks_like_regulation(text):
        return "regulation"
    if NEWSPAPER_MARK.search(text):
        return "newspaper"
    return "policy"


PARSERS = {"gazette": parse_gazette, "policy": parse_single_document, "regulation": parse_regulation,
           "newspaper": parse_newspaper}


def parse_source(source: Source, text: str) -> list[Document]:
    text = fold_radicals(text)  # before the kind is recognised from it (第⼀条 is 第一条)
    kind = source.kind or detect_kind(text)
    source = replace(source, kind=kind)
    documents = [d for d in PARSERS[kind](source, text) if d.clauses]
    if not documents:
        raise CorpusError(f"{source.path}: 按{KIND_NAMES[kind]}解析，没有识别出任何文件或条款；"
                          f"请检查文件内容，或用 --kind 指定类型")
    return documents


SANDBOX = Sandbox()  # its child starts with the first file read


def _read(source: Source, path: Path) -> list[Document]:
    return parse_source(source, extract_text(path))


def read_documents(source: Source, path: Path) -> list[Document]:
    """A file's documents, read and parsed in the sandbox's child under its time and memory limits;
    CorpusError naming the file when it cannot be read or runs over a limit."""
    try:
        return SANDBOX.run(_read, source, path)
    except LimitExceeded as error:
        raise CorpusError(f"无法读取 {path}：{error.reason}") from None


def parse_file(path: Path, corpus_dir: Path | None = None) -> list[Document]:
    """Parse one corpus file (see read_documents); raises CorpusError with a message naming the file."""
    source = source_for(path, corpus_dir)
    return read_documents(replace(source, file_hash=file_sha256(path)), path)
