"""Performance numbers for the closing notes: ingest throughput, index size, query latency, memory.

    python -m eval.bench [--cold]

--cold also empties a private embedding cache so every chunk is embedded by the model
(what a fresh machine pays once); without it the shared cache makes ingest measure the rest.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from eval.gold import load_gold
from rag.config import Settings
from rag.pipeline import Pipeline


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cold", action="store_true", help="embed every chunk (empty embedding cache)")
    args = parser.parse_args()
    base = Settings.from_env()
    with tempfile.TemporaryDirectory() as work:
        cache_dir = Path(work) / "cache" if args.cold else base.cache_dir
        if args.cold:
            (cache_dir / "models").mkdir(parents=True)
            (cache_dir / "models" / "embeddinggemma-300m").symlink_to(base.model_cache / "embeddinggemma-300m")
        settings = replace(base, data_dir=Path(work) / "data", cache_dir=cache_dir)
        pipeline = Pipeline(settings)

        started = time.perf_counter()
        report = pipeline.ingest()
        ingest_seconds = time.perf_counter() - started
        noop = pipeline.ingest()
        print(f"ingest ({'cold' if args.cold else 'warm cache'}): {report.total} chunks, {report.embedded} embedded, "
              f"{ingest_seconds:.1f} s, {report.total / ingest_seconds:.1f} chunks/s")
        print(f"no-op re-ingest: {noop.seconds:.2f} s, embedded {noop.embedded}")
        print(f"index size on disk: {folder_size(settings.data_dir) / 2**20:.1f} MiB (Chroma + BM25)")

        retriever = pipeline.retriever
        retriever.search("预热", k=5)
        latencies = []
        for gold in load_gold():
            started = time.perf_counter()
            retriever.search(gold.question, k=5)
            latencies.append(time.perf_counter() - started)
        print(f"search latency over {len(latencies)} questions: p50 {statistics.median(latencies) * 1000:.0f} ms, "
              f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms")
        answerer = pipeline.answerer
        latencies = []
        for gold in load_gold():
            started = time.perf_counter()
            answerer.run(gold.question)
            latencies.append(time.perf_counter() - started)
        print(f"ask (extractive) latency over {len(latencies)} questions: p50 {statistics.median(latencies) * 1000:.0f} ms, "
              f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms")
        print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
