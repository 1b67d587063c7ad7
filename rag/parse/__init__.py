"""Source text → documents with clause trees."""

from __future__ import annotations

from pathlib import Path

from rag.corpus import read_text, source_for
from rag.documents import Document, Source
from rag.parse.gazette import parse_gazette
from rag.parse.news import parse_newspaper


def parse_source(source: Source, text: str) -> list[Document]:
    if source.kind == "gazette":
        return parse_gazette(source, text)
    return parse_newspaper(source, text)


def parse_file(path: Path) -> list[Document]:
    """Parse one corpus file; raises CorpusError with a message naming the file."""
    source = source_for(path)
    return parse_source(source, read_text(path))
