"""Performance numbers, printed and written to eval/bench.md (no timed assertions anywhere).

    python -m eval.bench [--cold] [--backends onnx torch] [--scales 10 50]

Ingest throughput (full corpus, no-op re-run), index size, search and ask latency with the model
loaded, app cold start to first answer, peak RSS, and scale runs on real text (eval/scale.py).
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
from dataclasses import replace
from pathlib import Path

from eval.gold import load_blind, load_gold
from eval.measure import app_start, folder_size, peak_rss_mib, timed
from eval.scale import DEFAULT_REGULATIONS
from rag.app.pipeline import Pipeline
from rag.config import EMBED_BACKENDS, PROJECT_ROOT, Settings

BENCH_FILE = Path(__file__).resolve().parent / "bench.md"
APP_STARTS = 10  # restarts timed (the scale run times one)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cold", action="store_true", help="embed every chunk (empty embedding cache)")
    parser.add_argument("--backends", nargs="+", default=list(EMBED_BACKENDS), choices=EMBED_BACKENDS,
                        help="embedder backends to ingest with (the first serves the rest of the run)")
    parser.add_argument("--scales", type=int, nargs="*", default=[10, 50], help="real-text corpus sizes (× corpus)")
    parser.add_argument("--regulations", type=Path, default=DEFAULT_REGULATIONS, help="regulation texts for --scales")
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
            f"最慢 {max(answers):.1f}），引用 {'、'.join(sorted({x.cited for x in starts}))}，"
            f"其中 {sum(x.keyword for x in starts)} 次按关键词检索；完整检索就绪 "
            f"{', '.join(f'{x.complete_seconds:.1f}' for x in starts)} 秒；"
            f"到第一个回答的 CPU：应用进程中位数 {statistics.median(x.app_cpu for x in starts):.2f} 秒"
            f"（最多 {max(x.app_cpu for x in starts):.2f}）、模型子进程 {statistics.median(x.model_cpu for x in starts):.2f} 秒；"
            f"启动时 1 分钟负载 {', '.join(f'{x.load:.1f}' for x in starts)}")
        say(f"网页内存（RSS，第一个回答后）：应用进程 {starts[-1].app_mib} MiB + 模型子进程 {starts[-1].model_mib} MiB")
        with tempfile.TemporaryDirectory() as empty:  # no index: keyword answers while the vectors are computed
            first = app_start(replace(settings, data_dir=Path(empty)), wait_complete=False)
        say(f"首次启动（数据目录为空：先按关键词检索，向量在后台计算）：出页面 {first.page_seconds:.1f} 秒，"
            f"第一个回答 {first.answer_seconds:.1f} 秒，引用 {first.cited}")

    if args.scales:
        lines.append("\n## 规模测试（真实文本）\n\n本项目语料加真实地方性法规（`--regulations`，默认 ../shared/regulations），"
                     "条数为语料的 N 倍，用本产品的 ingest 和所配置的模型建索引；每个规模一个独立进程。"
                     "向量缓存在各次运行间共用，“首次嵌入”是该规模第一次运行时计算向量的速度（eval/scale_embedding.json）。\n")
        lines.append("| 倍数 | 条数 | 首次嵌入（向量/秒） | 本次 ingest（秒） | 索引（MiB） | search p50/p95（ms） | "
                     "ask p50/p95（ms） | 重启到首答（秒） | 网页 RSS 应用+模型（MiB） |")
        lines.append("|---|---|---|---|---|---|---|---|---|")
        for factor in args.scales:
            output = subprocess.run([sys.executable, "-m", "eval.scale", str(factor), "--regulations", str(args.regulations)],
                                    capture_output=True, text=True, cwd=PROJECT_ROOT, check=True)
            row = json.loads(output.stdout.strip().splitlines()[-1])
            print(row, flush=True)
            first = row["first_embedding"]
            lines.append(f"| {row['factor']}× | {row['chunks']} | "
                         f"{first['per_second'] if first else '—'}（{first['vectors'] if first else 0} 个） | "
                         f"{row['ingest_seconds']} | {row['index_mib']} | {row['search_p50_ms']}/{row['search_p95_ms']} | "
                         f"{row['ask_p50_ms']}/{row['ask_p95_ms']} | {row['restart_answer_seconds']} | "
                         f"{row['app_mib']}+{row['model_mib']} |")
    BENCH_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"已写入 {BENCH_FILE.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
