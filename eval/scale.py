"""Scale run on real text: the project's corpus plus real regulations, FACTOR × the corpus's chunk count,
ingested by the product's own pipeline with the configured model, then searched, asked and restarted.

    python -m eval.scale FACTOR [--regulations ../shared/regulations] [--keep DIR]   → one JSON line

Regulations are added in file-name order (as `rag add` does), so each size's corpus holds the smaller
ones' and their vectors come from the shared embedding cache: only a size's first run embeds, and its
throughput is kept in eval/scale_embedding.json (a rerun reports that first figure, not the cached one).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from eval.gold import load_blind, load_gold
from eval.measure import app_start, folder_size, peak_rss_mib, timed
from rag.config import PROJECT_ROOT, Settings
from rag.documents.corpus import CorpusError, corpus_files
from rag.documents.library import Library
from rag.documents.read import parse_file
from rag.index.chunk import chunk_document

FIRST_EMBEDDING = Path(__file__).resolve().parent / "scale_embedding.json"
DEFAULT_REGULATIONS = PROJECT_ROOT.parent / "shared" / "regulations"


def corpus_clauses(corpus: Path) -> int:
    return sum(len(chunk_document(d)) for path in corpus_files(corpus) for d in parse_file(path))


def regulation_files(folder: Path) -> list[Path]:
    return sorted(f for f in folder.rglob("*.md") if f.name != "README.md")


def build_corpus(corpus: Path, target_clauses: int, regulations: list[Path]) -> int:
    """Add regulations to the corpus until it holds target_clauses clauses; returns the count reached."""
    library = Library(corpus)
    count = corpus_clauses(corpus)
    for file in regulations:
        if count >= target_clauses:
            break
        try:
            count += library.add(file).clauses
        except CorpusError:  # a second copy of one text (版本/ holds some): rag add refuses it too
            continue
    if count < target_clauses:
        raise SystemExit(f"法规不足：{len(regulations)} 个文件只凑到 {count} 个条款，要 {target_clauses} 个")
    return count


def run(factor: int, regulations: Path, keep: Path | None) -> dict:
    base = Settings.from_env()
    root = keep or Path(tempfile.mkdtemp(prefix=f"scale-{factor}-"))
    corpus = root / "corpus"
    if not corpus.is_dir():  # built aside and renamed: an interrupted build is never reused by --keep
        partial = root / "corpus.partial"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(base.corpus_dir, partial)
        build_corpus(partial, factor * corpus_clauses(partial), regulation_files(regulations))
        partial.rename(corpus)
    settings = replace(base, corpus_dir=corpus, data_dir=root / "data")
    from rag.app.pipeline import Pipeline

    pipeline = Pipeline(settings)
    started = time.perf_counter()
    report = pipeline.ingest()
    ingest_seconds = time.perf_counter() - started
    embedded = report.embedded + report.embedded_sentences
    first = json.loads(FIRST_EMBEDDING.read_text("utf-8")) if FIRST_EMBEDDING.is_file() else {}
    if embedded and str(factor) not in first:  # this size's first embedding: the figure a new machine pays
        first[str(factor)] = {"vectors": embedded, "seconds": round(ingest_seconds), "backend": settings.embed_backend,
                              "per_second": round(embedded / ingest_seconds, 1)}
        FIRST_EMBEDDING.write_text(json.dumps(first, ensure_ascii=False, indent=1) + "\n", "utf-8")
    search_p50, search_p95 = timed(lambda q: pipeline.retriever.search(q, k=5), [g.question for g in load_gold()])
    ask_p50, ask_p95 = timed(pipeline.answerer.run, [g.question for g in load_blind()])
    restart = app_start(settings)
    result = {"factor": factor, "chunks": report.total, "ingest_seconds": round(ingest_seconds, 1),
              "embedded": embedded, "first_embedding": first.get(str(factor)),
              "index_mib": round(folder_size(settings.data_dir) / 2**20, 1),
              "search_p50_ms": round(search_p50), "search_p95_ms": round(search_p95),
              "ask_p50_ms": round(ask_p50), "ask_p95_ms": round(ask_p95),
              "restart_answer_seconds": round(restart.answer_seconds, 1),
              "restart_complete_seconds": round(restart.complete_seconds or 0, 1),
              "app_mib": restart.app_mib, "model_mib": restart.model_mib, "peak_rss_mib": peak_rss_mib()}
    if keep is None:
        shutil.rmtree(root, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("factor", type=int)
    parser.add_argument("--regulations", type=Path, default=DEFAULT_REGULATIONS, help="法规原文目录（Markdown）")
    parser.add_argument("--keep", type=Path, help="保留语料和索引的目录（再次运行时复用）")
    args = parser.parse_args()
    if not args.regulations.is_dir():
        raise SystemExit(f"找不到法规目录 {args.regulations}：请用 --regulations 指定（仓库外的 ../shared/regulations）")
    print(json.dumps(run(args.factor, args.regulations, args.keep), ensure_ascii=False))


if __name__ == "__main__":
    main()
