"""Run `rag add FILE` and stop at a chosen point for the test to kill it with SIGKILL there.

The point is announced on stdout (`copied`: the file is in the corpus, not yet recorded; `recorded`: its
manifest entry is written; `embedding`: the ingest is computing its vectors; `published`: the new index is
live), then the process waits to be killed.
"""

import signal
import sys
from pathlib import Path

import rag.app.cli
import rag.documents.library
from rag.app.pipeline import Pipeline
from rag.index.store import ChromaStore
from tests.fakes import HashingEmbedder
from tests.helpers import make_settings


def main() -> None:
    data_root, corpus, file, point = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]

    def stop(here: str) -> None:
        if here == point:
            print(point, flush=True)
            while True:
                signal.pause()  # until the SIGKILL

    class Embedder(HashingEmbedder):
        def embed_documents(self, texts):
            stop("embedding")
            return super().embed_documents(texts)

    append, publish = rag.documents.library.Library._append_entry, ChromaStore.publish

    def append_entry(self, *args, **kwargs):
        stop("copied")
        append(self, *args, **kwargs)
        stop("recorded")

    def published(self, *args, **kwargs):
        publish(self, *args, **kwargs)
        stop("published")

    rag.documents.library.Library._append_entry = append_entry
    ChromaStore.publish = published
    pipeline = Pipeline(make_settings(data_root, corpus), embedder=Embedder())
    rag.app.cli._pipeline = lambda settings: pipeline
    rag.app.cli.main(["add", file])


if __name__ == "__main__":
    main()
