"""What a user would build instead, run on the same questions, machine and model as ours.

- naive: LangChain's RecursiveCharacterTextSplitter (500 characters, 50 overlap, Chinese
  separators) over the raw files + the same embedding model + Chroma top-k. Its chunks carry only
  the file name, so it cannot cite a document number or clause: its "clause hit" and "citation"
  are counted as the chunk containing the gold quote — the most generous reading.
- bm25: our clause chunks, BM25 (jieba) only.
- dense: our clause chunks, dense only.
"""

from __future__ import annotations

from pathlib import Path

from langchain_text_splitters import RecursiveCharacterTextSplitter

from rag.documents.corpus import corpus_files, read_text
from rag.index.chunk import Chunk, ClauseMeta, content_hash
from rag.index.embed import Embedder, EmbeddingCache, embed_with_cache
from rag.index.store import HNSW, ChromaStore, make_client
from rag.search.retrieve import Retriever

NAIVE_SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", "，", " ", ""]


class NaiveRetriever:
    """Fixed-size chunks in their own Chroma collection; rebuilt when the corpus text changes."""

    def __init__(self, corpus_dir: Path, data_dir: Path, embedder: Embedder, cache: EmbeddingCache):
        self.embedder = embedder
        splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50, separators=NAIVE_SEPARATORS)
        chunks = [Chunk(f"n{i}", piece, ClauseMeta(source=path.name, kind="", doc_title=path.name))
                  for i, (path, piece) in enumerate((path, piece) for path in corpus_files(corpus_dir)
                                                    for piece in splitter.split_text(read_text(path)))]
        texts = [c.text for c in chunks]
        name = f"naive_{content_hash(*texts, str(HNSW))[:16]}"
        client = make_client(data_dir / "baselines")
        names = [c.name for c in client.list_collections()]
        for stale in (n for n in names if n.startswith("naive_") and n != name):
            client.delete_collection(stale)
        if name in names:
            self.collection = client.get_collection(name, embedding_function=None)
        else:
            vectors, _ = embed_with_cache(embedder, cache, texts)
            self.collection = client.create_collection(name, embedding_function=None,
                                                       configuration={"hnsw": HNSW})
            ChromaStore.add(self.collection, chunks, vectors)
        self.size = self.collection.count()

    def search(self, question: str, k: int = 5) -> list[Chunk]:
        result = self.collection.query(query_embeddings=[self.embedder.embed_query(question).tolist()], n_results=k,
                                       include=["documents", "metadatas"])
        return [Chunk(i, t, ClauseMeta.from_store(m)) for i, t, m in
                zip(result["ids"][0], result["documents"][0], result["metadatas"][0], strict=True)]


def variant(ours: Retriever, dense_weight: float, lexical_weight: float) -> Retriever:
    """Our retriever over the same index with other fusion weights (dense only, BM25 only)."""
    return ours.with_weights(dense_weight, lexical_weight, 0.0)
