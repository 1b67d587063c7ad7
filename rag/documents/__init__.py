"""Documents: in come the corpus's files and their manifest (corpus/sources.toml); out go `Document`s with their
numbered `Clause`s (rag.documents.model), read by one module per kind: gazette, news, regulation."""
