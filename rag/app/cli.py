"""The `rag` command: parse, models fetch (and later ingest, search, ask, serve, eval)."""

from __future__ import annotations

import argparse
import errno
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rag.app.progress import ingest_with_progress
from rag.config import Settings, SettingsError
from rag.documents.clauses import match_numbering, units_word
from rag.documents.corpus import KINDS, CorpusError, corpus_files
from rag.documents.model import Document
from rag.documents.read import parse_file


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
        units = f"  〔{units_word(clause.text)}：{'、'.join(clause.responsible_units)}〕" if clause.responsible_units else ""
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
    from rag.index.models import ModelFetchError, export_onnx, fetch

    def progress(message: str) -> None:
        print(message, file=sys.stderr)

    try:
        model_dir = fetch(settings.model_cache, progress=progress)
        if settings.embed_backend == "onnx":
            export_onnx(settings.model_cache, model_dir, progress=progress)
    except ModelFetchError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1
    return 0


def _pipeline(settings: Settings):
    from rag.app.pipeline import Pipeline

    return Pipeline(settings)


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    paths = [p for name in args.paths for p in _expand([name], settings)] or None
    return ingest_with_progress(_pipeline(settings), paths)


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    """Recognise each file, copy it into the corpus, record it in the manifest, then index what was added:
    one transaction per file: what the index does not hold afterwards is taken back out (rag.documents.library)."""
    from rag.documents.library import Library

    pipeline = _pipeline(settings)
    library = Library(settings.corpus_dir, indexed=lambda sha256: pipeline.store.has_file(sha256))
    added = []
    failures = 0
    for name in args.files:
        try:
            recognised = library.add(Path(name), args.kind)
        except CorpusError as error:
            print(f"错误：{error}", file=sys.stderr)
            failures += 1
            continue
        print(f"已收录 {recognised.summary()}")
        added.append(recognised)
    if not added:
        return 1
    status = 1
    try:
        status = ingest_with_progress(pipeline, [settings.corpus_dir / r.key for r in added])
    finally:  # also when the ingest raised (a full disk …) or was interrupted
        for recognised in library.keep_indexed(added):
            print(f"错误：{recognised.file}: 未能建立索引，本次收录已撤销，可以重新添加", file=sys.stderr)
            status = 1
    return 1 if failures or status else 0


def _trash(settings: Settings) -> Path:
    return settings.data_dir / "trash"


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    """Every reference checked first (a 文号 inside a multi-document file needs --whole-file, or
    --document-only to take out that document alone): nothing is removed unless all can be; removed files
    go to the trash with their manifest entries."""
    from rag.documents.library import Library

    library = Library(settings.corpus_dir, trash_dir=_trash(settings))
    try:
        if args.document_only:
            documents = [d for reference in args.documents for d in library.to_exclude(reference)]
        else:
            matches = {m.key: m for reference in args.documents for m in library.to_remove(reference, args.whole_file)}
    except CorpusError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1
    if args.document_only:
        library.exclude(documents)
        for document in documents:
            number = f"（{document.doc_number}）" if document.doc_number else ""
            print(f"已从 {document.key} 中移除《{document.title}》{number}，其中其他 {document.others} 个文件保留"
                  f"（可用 rag restore {document.name} 恢复）")
    else:
        library.take_out(list(matches.values()))
        for key in matches:
            print(f"已从语料中移除 {key}（已移到回收站，可用 rag restore {Path(key).name} 恢复）")
    return ingest_with_progress(_pipeline(settings))  # a full run drops the removed files' (or documents') chunks


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    """Bring a removed file back from the trash and index it; without a name, list the trash."""
    from rag.documents.library import Library

    library = Library(settings.corpus_dir, trash_dir=_trash(settings))
    if not args.name:
        items = library.trash()
        print(f"回收站中有 {len(items)} 个文件（rag restore 文件名 可恢复）：" if items else "回收站是空的。")
        for item in items:
            print(f"  {item.line()}")
        for key, names in library.exclusions().items():
            print(f"{key} 中已移除 {'、'.join(names)}（rag restore 文号 可恢复）")
        return 0
    if key := library.include(args.name):
        print(f"已恢复 {key} 中的 {args.name.strip()}")
        return ingest_with_progress(_pipeline(settings), [settings.corpus_dir / key])
    try:
        key = library.restore(args.name)
    except CorpusError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1
    print(f"已从回收站恢复 {key}")
    return ingest_with_progress(_pipeline(settings), [settings.corpus_dir / key])


@dataclass(frozen=True)
class BatchLine:
    """One line of a batch file: a question with its earlier turns, or why the line cannot be read."""

    question: str
    previous: list[str]
    error: str = ""


def _batch(args: argparse.Namespace) -> list[BatchLine] | None:
    """The batch file's lines: JSONL with a `question` field and an optional `previous` list (the earlier turns
    of a conversation), or - for stdin. A bad line is kept, with its error, in its place: it gets an error row in
    the output and the other lines are answered."""
    if not args.batch:
        return None
    handle = sys.stdin if args.batch == "-" else open(args.batch, encoding="utf-8")  # noqa: SIM115
    with handle:
        rows = []
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                previous = row.get("previous", [])
                if not isinstance(previous, list):
                    raise TypeError
                rows.append(BatchLine(str(row["question"]), [str(q) for q in previous]))
            except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
                rows.append(BatchLine(line.strip()[:200], [], f"第 {number} 行不是含 question 字段的 JSON"))
        return rows


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"应为正整数，而不是 {text}")
    return int(text)


def _filters(args: argparse.Namespace):
    from rag.search.retrieve import SearchFilters

    return SearchFilters(kind=args.kind, year=args.year, doc_number=args.doc, current_only=args.current)


def _served(pipeline, component: str):
    """The pipeline's retriever or answerer, or None after telling the user what is missing."""
    from rag.app.pipeline import IndexMissing

    try:
        return getattr(pipeline, component)
    except (IndexMissing, FileNotFoundError) as error:
        print(f"错误：{error}", file=sys.stderr)
        return None


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from rag.answer.citation import Citation
    from rag.answer.question import BadQuestion, clean_question

    batch = _batch(args)
    retriever = _served(_pipeline(settings), "retriever")
    if retriever is None:
        return 2
    status = 0
    for line in batch if batch is not None else [BatchLine(args.question, [])]:
        raw = line.question
        try:
            if line.error:
                raise BadQuestion(line.error)
            question = clean_question(raw)
        except BadQuestion as error:
            status = 1
            if batch is not None or args.json:
                print(json.dumps({"question": raw, "error": str(error), "hits": []}, ensure_ascii=False))
            else:
                print(f"错误：{error}", file=sys.stderr)
            continue
        hits = retriever.search(question.text, k=args.k, filters=_filters(args))
        if batch is not None:
            print(json.dumps({"question": raw, "hits": [h.to_json() for h in hits]}, ensure_ascii=False), flush=True)
        elif args.json:
            print(json.dumps([h.to_json() for h in hits], ensure_ascii=False, indent=1))
        else:
            if question.notice:
                print(question.notice)
            for hit in hits:
                print(f"{hit.rank}. {Citation.from_hit(hit, '').display()}  (score {hit.score:.4f})")
                print(f"   {hit.text[:160].replace(chr(10), ' ')}")
    return status


def _print_answer(answer, as_json: bool) -> None:
    if as_json:
        print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
    else:
        print(answer.answer)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from rag.answer import Turn

    batch = _batch(args)
    answerer = _served(_pipeline(settings), "answerer")
    if answerer is None:
        return 2
    status = 0
    for line in batch if batch is not None else [BatchLine(args.question, args.previous)]:
        if line.error:
            status = 1
            print(json.dumps({"question": line.question, "error": line.error}, ensure_ascii=False), flush=True)
            continue
        answer = answerer.run(line.question, history=[Turn(q) for q in line.previous], filters=_filters(args))
        if not answer.hits and answer.refused:
            status = 1  # the input itself was refused (empty, only instructions …)
        _print_answer(answer, as_json=args.json or batch is not None)
    return status


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import replace

    from rag.app.serve import main as serve

    serve(replace(settings, ui_port=args.port) if args.port else settings, wait_index=args.wait_index)
    return 0


BASELINE_SETS = ("tuning", "blind")


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from eval.baselines import NaiveRetriever, variant
    from eval.gold import BLIND_FILES, TUNING_FILES, load_set
    from eval.metrics import is_evidence_hit
    from eval.report import SET_NAMES, check_floors, write_report
    from eval.runner import (
        answer_metrics,
        answer_report,
        retrieval_metrics,
        retrieval_report,
        run_answers,
        run_naive_answers,
        run_retrieval,
    )
    from rag.answer import Answerer
    from rag.index.embed import EmbeddingCache

    pipeline = _pipeline(settings)
    ours = _served(pipeline, "retriever")
    if ours is None:
        return 2
    gold_sets = {name: load_set(name) for name in (*TUNING_FILES, *BLIND_FILES)}
    runs = {}
    for name, gold in gold_sets.items():
        retrieval = {"ours": run_retrieval(ours, gold)}
        answers = {"ours": run_answers(pipeline.answerer, gold)}
        print(f"===== {SET_NAMES[name]} =====")
        # the blind set's misses are not listed one by one: nobody tunes on them
        print(retrieval_report(retrieval["ours"], list_misses=name in TUNING_FILES))
        print()
        print(answer_report(answers["ours"], list_wrong=name in TUNING_FILES))
        print()
        runs[name] = (retrieval, answers)
    if not args.no_baselines:
        naive = NaiveRetriever(settings.corpus_dir, settings.data_dir, pipeline.embedder,
                               EmbeddingCache(settings.embedding_cache))
        # the baselines on the first tuning and blind sets: they show what the system adds, and on every set they
        # would triple the run
        for name, gold in ((n, g) for n, g in gold_sets.items() if n in BASELINE_SETS):
            retrieval, answers = runs[name]
            for system, dense_weight, lexical_weight in (("dense", 1.0, 0.0), ("bm25", 0.0, 1.0)):
                baseline = variant(ours, dense_weight, lexical_weight)
                retrieval[system] = run_retrieval(baseline, gold)
                answers[system] = run_answers(Answerer(baseline), gold)
            retrieval["naive"] = run_retrieval(naive, gold, clause_match=lambda hit, g: is_evidence_hit(hit.text, g))
            answers["naive"] = run_naive_answers(naive, gold)
        write_report(runs)
        print("已写入 eval/report.md 和 eval/hitk.png")
    failures = [f for name, (retrieval, answers) in runs.items()
                for f in check_floors(name, retrieval_metrics(retrieval["ours"]), answer_metrics(answers["ours"]))]
    if args.check and failures:
        print("评测未达到底线：" + "；".join(failures), file=sys.stderr)
        return 1
    return 0


def _question_arguments(command: argparse.ArgumentParser) -> None:
    """What `search` and `ask` both take: the question (or a batch of them), JSON output, filters."""
    command.add_argument("question", nargs="?", default="", help="问题")
    command.add_argument("--json", action="store_true", help="输出 JSON")
    command.add_argument("--batch", metavar="FILE", help="JSONL 文件（每行含 question 字段），- 表示标准输入")
    command.add_argument("--kind", choices=list(KINDS), help="只检索这一类文件")
    command.add_argument("--year", type=int, help="只检索该年份的文件")
    command.add_argument("--doc", metavar="DOC_NUMBER", help="只检索该文号，如 许政办〔2024〕3号")
    command.add_argument("--current", action="store_true", help="只检索现行有效的文件（不含已修订、已废止、尚未施行的版本）")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rag", description="政策问答：基于政策原文、逐条引用的问答")
    commands = parser.add_subparsers(dest="command", required=True)

    parse = commands.add_parser("parse", help="解析语料文件，显示文件和条款结构")
    parse.add_argument("paths", nargs="*", help="语料文件或目录（默认：整个语料目录）")
    parse.add_argument("--json", action="store_true", help="每个文件输出一行 JSON")
    parse.set_defaults(handler=cmd_parse)

    ingest = commands.add_parser("ingest", help="建立或更新索引（增量、可中断）")
    ingest.add_argument("paths", nargs="*", help="只更新这些文件（默认：整个语料目录，并删除已移除文件的内容）")
    ingest.set_defaults(handler=cmd_ingest)

    add = commands.add_parser("add", help="收录文件（PDF、DOCX、HTML、Markdown、文本），识别类型和信息后建立索引")
    add.add_argument("files", nargs="+", help="要收录的文件")
    add.add_argument("--kind", choices=list(KINDS), help="指定类型（默认按内容自动识别）")
    add.set_defaults(handler=cmd_add)

    remove = commands.add_parser("remove", help="从语料中移除文件（移到回收站）并更新索引")
    remove.add_argument("documents", nargs="+", help="语料中的文件路径、文件名、标题或文号")
    only = remove.add_mutually_exclusive_group()
    only.add_argument("--whole-file", action="store_true",
                      help="文号或标题只是多文件合订本（如一期公报）中的一个文件时，确认删除整个文件")
    only.add_argument("--document-only", action="store_true",
                      help="只移除合订本中文号或标题所指的这一个文件（记入清单，合订本本身保留；rag restore 文号 可恢复）")
    remove.set_defaults(handler=cmd_remove)

    restore = commands.add_parser("restore", help="从回收站恢复移除的文件（或合订本中移除的一个文件）并建立索引；不带参数列出回收站")
    restore.add_argument("name", nargs="?", default="", help="回收站中的文件名、语料路径、标题或文号")
    restore.set_defaults(handler=cmd_restore)

    search = commands.add_parser("search", help="检索相关条款")
    _question_arguments(search)
    search.add_argument("--k", type=_positive, default=5, help="返回条数（默认 5）")
    search.set_defaults(handler=cmd_search)

    ask = commands.add_parser("ask", help="回答问题并给出引用")
    _question_arguments(ask)
    ask.add_argument("--previous", action="append", default=[], metavar="QUESTION",
                     help="之前问过的问题（可重复），用于理解“那农村的呢？”这样的追问")
    ask.set_defaults(handler=cmd_ask)

    serve = commands.add_parser("serve", help="启动网页界面（127.0.0.1）")
    serve.add_argument("--port", type=int, help="端口（默认 7860，或 RAG_UI_PORT）")
    serve.add_argument("--wait-index", action="store_true",
                       help="首次启动时先建完整索引（含向量）再开网页；默认先按关键词检索开网页，向量在后台计算")
    serve.set_defaults(handler=cmd_serve)

    evaluate = commands.add_parser("eval", help="在金标准问题集上评测")
    evaluate.add_argument("--check", action="store_true", help="指标低于底线时以非零状态退出（CI 使用）")
    evaluate.add_argument("--no-baselines", action="store_true", help="只评测本系统，不跑对照组、不写报告")
    evaluate.set_defaults(handler=cmd_eval)

    models = commands.add_parser("models", help="嵌入模型管理")
    model_commands = models.add_subparsers(dest="models_command", required=True)
    fetch = model_commands.add_parser("fetch", help="下载、拼装并校验默认嵌入模型")
    fetch.set_defaults(handler=cmd_models_fetch)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from rag.index.models import BrokenExport
    from rag.index.store import StoreUnavailable

    args = build_parser().parse_args(argv)
    try:
        return args.handler(args, Settings.from_env())
    except (StoreUnavailable, SettingsError, BrokenExport) as error:
        print(f"错误：{error}", file=sys.stderr)
    except Exception as error:  # OSError, SQLite's, or Chroma's InternalError wrapping SQLite's
        if not disk_full(error):
            raise
        print("错误：磁盘空间不足，本次操作未完成；已有的索引保持不变。请清理磁盘后重试。", file=sys.stderr)
    return 1


def disk_full(error: BaseException) -> bool:
    """ENOSPC from a file write, or SQLite's (Chroma's) own way of saying the same."""
    return getattr(error, "errno", None) == errno.ENOSPC or "disk is full" in str(error)


if __name__ == "__main__":
    sys.exit(main())
