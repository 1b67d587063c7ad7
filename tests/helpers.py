from __future__ import annotations

from functools import cache
from pathlib import Path

from rag.documents.model import Document
from rag.documents.read import parse_file

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
GAZETTE_2024 = CORPUS / "gazette" / "许昌市人民政府公报-2024-02.txt"
GAZETTE_2020 = CORPUS / "gazette" / "许昌市人民政府公报-2020-02.txt"
NEWS_2023_04 = CORPUS / "news" / "许昌日报-2023-04-头版.txt"
NEWS_2023_08 = CORPUS / "news" / "许昌日报-2023-08-头版.txt"
NEWS_2022_09_27 = CORPUS / "news" / "许昌日报-2022-09-27-04.txt"


@cache
def parsed(path: Path) -> tuple[Document, ...]:
    return tuple(parse_file(path))


def document(doc_number: str) -> Document:
    for path in (GAZETTE_2024, GAZETTE_2020):
        for doc in parsed(path):
            if doc.doc_number == doc_number:
                return doc
    raise AssertionError(f"{doc_number} not parsed")


def clause_text(doc_number: str, clause_path: str) -> str:
    matches = [c for c in document(doc_number).clauses if c.clause_path == clause_path]
    assert len(matches) == 1, f"{doc_number} {clause_path}: {len(matches)} clauses"
    return matches[0].text


def copy_corpus(target: Path, names: tuple[str, ...] = ()) -> Path:
    """A private copy of the real corpus (or some of its files) with the real manifest."""
    import shutil

    shutil.copytree(CORPUS, target)
    if names:
        for path in target.rglob("*.txt"):
            if path.name not in names:
                path.unlink()
        # the manifest lists only the files copied: a listed file that is missing is reported
        manifest = target / "sources.toml"
        entries = manifest.read_text(encoding="utf-8").split("[[source]]")
        kept = [e for e in entries[1:] if any(f'/{name}"' in e for name in names)]
        manifest.write_text("[[source]]".join([entries[0], *kept]), encoding="utf-8")
    return target


def make_settings(tmp: Path, corpus: Path, chroma_url: str = ""):
    from rag.config import Settings

    return Settings(corpus_dir=corpus, data_dir=tmp / "data", cache_dir=tmp / "cache", model_path=None,
                    chroma_url=chroma_url, embed_dtype="float32")


def real_settings(tmp: Path):
    """The whole corpus with the real model: the shared cache dir holds the fetched model and the
    embedding cache, so reruns embed nothing."""
    from dataclasses import replace

    from rag.config import Settings

    return replace(make_settings(tmp, CORPUS), cache_dir=Settings.from_env().cache_dir)


def all_exited(pids: set[int], within: float = 10.0) -> bool:
    """Whether every process in pids has exited (or is a zombie) within `within` seconds."""
    import time

    from eval.measure import is_running

    deadline = time.monotonic() + within
    while any(map(is_running, pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not any(map(is_running, pids))


def wait_for_line(log: Path, line: str, within: float = 600.0) -> bool:
    """Whether a growing log (a running app's terminal output) says `line` within `within` seconds."""
    import time

    deadline = time.monotonic() + within
    while line not in log.read_text(encoding="utf-8") and time.monotonic() < deadline:
        time.sleep(0.2)
    return line in log.read_text(encoding="utf-8")


def fake_answerer(root: Path, names: tuple[str, ...]):
    """An answerer over some corpus files, indexed with the deterministic fake embedder (fast unit tests)."""
    from rag.app.pipeline import Pipeline
    from tests.fakes import HashingEmbedder

    pipeline = Pipeline(make_settings(root, copy_corpus(root / "corpus", names)), embedder=HashingEmbedder())
    pipeline.ingest()
    return pipeline.answerer


def as_uploaded(path: Path) -> Path:
    """A copy of the file where Gradio keeps what a browser uploads: the staff handlers read only files from there."""
    import shutil
    import uuid

    from gradio.utils import get_upload_folder

    folder = Path(get_upload_folder()) / f"test-{uuid.uuid4().hex}"
    folder.mkdir(parents=True)
    return Path(shutil.copy2(path, folder / path.name))
