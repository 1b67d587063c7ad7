"""Index: in come the documents' clauses; out go the searchable stores of one generation: chunks with their
`ClauseMeta`, vectors in Chroma, BM25, sentence vectors, the vocabulary and the version table (rag.index.ingest)."""
