"""Run an ingest with a slow fake embedder, announcing when embedding starts (for the kill test)."""

import sys
from pathlib import Path

from rag.app.pipeline import Pipeline
from tests.fakes import HashingEmbedder
from tests.helpers import make_settings


def main() -> None:
    data_root, corpus = Path(sys.argv[1]), Path(sys.argv[2])
    announced = False

    def progress(total: int):
        def advance(done: int) -> None:
            nonlocal announced
            if not announced:
                print("embedding", flush=True)
                announced = True
        return advance

    Pipeline(make_settings(data_root, corpus), embedder=HashingEmbedder(delay=0.01)).ingest(progress=progress)


if __name__ == "__main__":
    main()
