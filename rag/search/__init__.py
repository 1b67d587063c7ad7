"""Search: in come a question and filters; out go ranked `Hit`s (rag.search.retrieve: dense, BM25 and sentence
scores fused), with the places a question names read against a real gazetteer (rag.search.places)."""
