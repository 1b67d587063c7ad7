"""Performance numbers, printed and written to eval/bench.md (no timed assertions anywhere).

    python -m eval.bench [--cold] [--backends onnx torch] [--scales 10 50]

Ingest throughput (full corpus, no-op re-run), index size, search and ask latency with the model
loaded, app cold start to first answer, peak RSS, and a scale run on a synthetic corpus.
--cold empties a private embedding cache so every chunk is embedded by the model (what a fresh
machine pays once), once per backend in --backends, back to back; without it the shared cache makes
ingest measure everything but the model. Everything after the ingest runs on the first backend.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from eval.gold import load_blind, load_gold
from eval.measure import child_pids, folder_size, peak_rss_mib, rss_mib, running_app, timed
from rag.config import EMBED_BACKENDS, PROJECT_ROOT, Settings
from rag.pipeline import Pipeline

BENCH_FILE = Path(__file__).resolve().parent / "bench.md"
APP_STARTS = 5


@dataclass(frozen=True)
class AppStart:
    page_seconds: float
    answer_seconds: float
    cited: str  # the first answer's first citation, to show it was a real answer
    app_mib: int  # the app process's RSS after the first answer
    model_mib: int  # its child processes' (the embedding model)


def app_start(settings: Settings) -> AppStart:
    """`rag serve` on an existing index: seconds to the page and to the first answer through the API."""
    from gradio_client import Client

    with running_app(settings) as app:
        answer = Client(app.url, verbose=False).predict("特困人员的照料护理标准是多少？", api_name="/ask")
        seconds = time.perf_counter() - app.started
        first = answer["citations"][0] if answer["citations"] else {"doc_number": "（拒答）", "clause_path": ""}
        return AppStart(app.page_seconds, seconds, f"{first['doc_number']} {first['clause_path']}",
                        rss_mib(app.process.pid), sum(rss_mib(pid) for pid in child_pids(app.process.pid)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cold", action="store_true", help="embed every chunk (empty embedding cache)")
    parser.add_argument("--backends", nargs="+", default=list(EMBED_BACKENDS), choices=EMBED_BACKENDS,
                        help="embedder backends to ingest with (the first serves the rest of the run)")
    parser.add_argument("--scales", type=int, nargs="*", default=[10, 50], help="synthetic corpus sizes (× corpus)")
    args = parser.parse_args()
    base = Settings.from_env()
    backends = args.backends if args.cold else args.backends[:1]
    lines = [f"# 性能基准\n\n由 `python -m eval.bench{' --cold' if args.cold else ''}"
             f" --backends {' '.join(args.backends)}` 生成；"
             f"{platform.machine()}，{os.cpu_count()} 核，Python {platform.python_version()}，"
             f"嵌入模型 EmbeddingGemma-300m（float32，CPU；后端 {backends[0]}，RAG_EMBED_BACKEND）。\n"]

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(f"- {text}")

    with tempfile.TemporaryDirectory() as work:
        for backend in reversed(backends):  # the first backend last: its pipeline serves the rest
            cache_dir = Path(work) / backend / "cache" if args.cold else base.cache_dir
            if args.cold:  # the model files shared, the embedding cache empty
                (cache_dir / "models").mkdir(parents=True)
                for model in base.model_cache.iterdir():
                    (cache_dir / "models" / model.name).symlink_to(model)
            settings = replace(base, data_dir=Path(work) / backend / "data", cache_dir=cache_dir,
                               embed_backend=backend)
            pipeline = Pipeline(settings)
            started = time.perf_counter()
            report = pipeline.ingest()
            seconds = time.perf_counter() - started
            say(f"ingest（{backend}，{'冷启动，全部由模型计算向量' if args.cold else '向量缓存命中'}）：{report.total} 条，"
                f"计算向量 {report.embedded} 条、句子向量 {report.embedded_sentences} 条，{seconds:.1f} 秒，"
                f"{report.total / seconds:.1f} 条/秒")
        noop = pipeline.ingest()
        say(f"无变化重跑 ingest：{noop.seconds:.2f} 秒，计算向量 {noop.embedded} 条")
        say(f"索引占用磁盘：{folder_size(settings.data_dir) / 2**20:.1f} MiB（Chroma + BM25）")
        questions = [g.question for g in load_gold()]
        pipeline.retriever.search("预热", k=5)
        p50, p95 = timed(lambda q: pipeline.retriever.search(q, k=5), questions)
        say(f"search 延迟（{len(questions)} 个问题，模型已加载）：p50 {p50:.0f} ms，p95 {p95:.0f} ms")
        # questions not searched before (the retriever keeps the vectors of questions it has seen)
        unseen = [g.question for g in load_blind()]
        p50, p95 = timed(pipeline.answerer.run, unseen)
        say(f"ask 延迟（抽取式，盲测集 {len(unseen)} 个问题，含多部分问题）：p50 {p50:.0f} ms，p95 {p95:.0f} ms")
        say(f"本进程峰值内存（RSS，含模型）：{peak_rss_mib()} MiB")
        starts = [app_start(settings) for _ in range(APP_STARTS)]
        answers = [round(start.answer_seconds, 1) for start in starts]
        say(f"网页重启（已有索引，{APP_STARTS} 次）：出页面 {', '.join(f'{x.page_seconds:.1f}' for x in starts)} 秒；"
            f"第一个回答 {', '.join(map(str, answers))} 秒（中位数 {statistics.median(answers):.1f}，"
            f"最慢 {max(answers):.1f}），引用 {'、'.join(sorted({x.cited for x in starts}))}")
        say(f"网页内存（RSS，第一个回答后）：应用进程 {starts[-1].app_mib} MiB + 模型子进程 {starts[-1].model_mib} MiB")

    if args.scales:
        lines.append("\n## 规模测试\n\n真实文件复制 N 倍（数字、标题、文号改写），用随机 768 维向量代替模型，"
                     "只测 Chroma + BM25 随规模的增长；每个规模一个独立进程。\n")
        lines.append("| 倍数 | 条数 | 建索引（秒） | 索引大小（MiB） | search p50（ms） | search p95（ms） | 峰值 RSS（MiB） |")
        lines.append("|---|---|---|---|---|---|---|")
        for factor in [1, *args.scales]:
            output = subprocess.run([sys.executable, "-m", "eval.scale", str(factor)], capture_output=True, text=True,
                                    cwd=PROJECT_ROOT, check=True).stdout.strip().splitlines()[-1]
            row = json.loads(output)
            print(row, flush=True)
            lines.append(f"| {row['factor']}× | {row['chunks']} | {row['index_seconds']} | {row['index_mib']} | "
                         f"{row['search_p50_ms']} | {row['search_p95_ms']} | {row['peak_rss_mib']} |")
    BENCH_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"已写入 {BENCH_FILE.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
