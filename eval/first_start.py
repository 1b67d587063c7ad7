"""The first start on a machine with the model fetched and nothing else: `rag serve` with an empty data directory
and an empty embedding cache, timed to the page, to the first cited answer (by keyword while the vectors are being
computed) and to the first answer from the complete index (issue 22: 90 s and 400 s).

    python -m eval.first_start [--dtype float32|bfloat16|bf16-matmul]   → one JSON line
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import replace
from pathlib import Path

from eval.measure import app_start
from rag.config import EMBED_DTYPES, Settings


def first_start(settings: Settings) -> dict:
    with tempfile.TemporaryDirectory(prefix="first-start-") as work:
        cache = Path(work) / "cache"
        (cache / "models").mkdir(parents=True)
        for model in settings.model_cache.iterdir():  # the fetched model shared, the embedding cache empty
            (cache / "models" / model.name).symlink_to(model)
        # a first start computes every vector (6 to 15 minutes on this 2-core machine); each probe is a whole answer,
        # which every 0.1 s took most of a core from the build it waits for
        start = app_start(replace(settings, data_dir=Path(work) / "data", cache_dir=cache), complete_within=3600,
                          probe_every=2.0)
    return {"dtype": settings.embed_dtype, "page_seconds": round(start.page_seconds, 1),
            "answer_seconds": round(start.answer_seconds, 1), "keyword_answer": start.keyword,
            "complete_seconds": round(start.complete_seconds, 1), "cited": start.cited, "load": round(start.load, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dtype", choices=EMBED_DTYPES, default=None, help="RAG_EMBED_DTYPE（默认取环境变量）")
    args = parser.parse_args()
    settings = Settings.from_env()
    if args.dtype:
        settings = replace(settings, embed_dtype=args.dtype)
    print(json.dumps(first_start(settings), ensure_ascii=False))


if __name__ == "__main__":
    main()
