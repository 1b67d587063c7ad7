"""The `rag` command: parse, models fetch (and later ingest, search, ask, serve, eval)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from rag.config import Settings
from rag.corpus import CorpusError, corpus_files
from rag.documents import Document
from rag.parse import parse_file
from rag.parse.clauses import match_numbering


def _expand(paths: Sequence[str], settings: Settings) -> list[Path]:
    if not paths:
        return corpus_files(settings.corpus_dir)
    expanded: list[Path] = []
    for name in paths:
        path = Path(name)
        expanded += corpus_files(path) if path.is_dir() else [path]
    return expanded


def document_json(document: Document) -> dict:
    return {
        "source": document.source.name,
        "kind": document.source.kind,
        "issue": document.source.issue,
        "doc_number": document.doc_number,
        "title": document.title,
        "date": document.date,
        "page": document.page,
        "clauses": [
            {"clause_path": c.clause_path, "heading": c.heading, "text": c.text,
             "responsible_units": c.responsible_units}
            for c in document.clauses
        ],
    }


def _print_tree(document: Document) -> None:
    number = f"（{document.doc_number}）" if document.doc_number else ""
    where = f" 第{document.page}页" if document.page else ""
    print(f"《{document.title}》{number} {document.source.issue}{where}")
    for clause in document.clauses:
        depth = len(clause.parents) + 1
        label = clause.clause_path or "（正文）"
        units = f"  〔责任单位：{'、'.join(clause.responsible_units)}〕" if clause.responsible_units else ""
        numbering = match_numbering(clause.heading)
        heading = numbering.rest if numbering and numbering.rest else clause.heading.removeprefix(label)
        print(f"{'  ' * depth}{label} {heading}{units}".rstrip())


def cmd_parse(args: argparse.Namespace, settings: Settings) -> int:
    failures = 0
    for path in _expand(args.paths, settings):
        try:
            documents = parse_file(path)
        except CorpusError as error:
            print(f"错误：{error}", file=sys.stderr)
            failures += 1
            continue
        for document in documents:
            if args.json:
                print(json.dumps(document_json(document), ensure_ascii=False))
            else:
                _print_tree(document)
    return 1 if failures else 0


def cmd_models_fetch(args: argparse.Namespace, settings: Settings) -> int:
    from rag.models import ModelFetchError, fetch

    try:
        fetch(settings.model_cache, progress=lambda message: print(message, file=sys.stderr))
    except ModelFetchError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rag", description="政策问答：基于政策原文、逐条引用的问答")
    commands = parser.add_subparsers(dest="command", required=True)

    parse = commands.add_parser("parse", help="解析语料文件，显示文件和条款结构")
    parse.add_argument("paths", nargs="*", help="语料文件或目录（默认：整个语料目录）")
    parse.add_argument("--json", action="store_true", help="每个文件输出一行 JSON")
    parse.set_defaults(handler=cmd_parse)

    models = commands.add_parser("models", help="嵌入模型管理")
    model_commands = models.add_subparsers(dest="models_command", required=True)
    fetch = model_commands.add_parser("fetch", help="下载、拼装并校验默认嵌入模型")
    fetch.set_defaults(handler=cmd_models_fetch)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args, Settings.from_env())


if __name__ == "__main__":
    sys.exit(main())
