"""The corpus on disk: the manifest (sources.toml) and reading source files safely."""

from __future__ import annotations

import datetime
import functools
import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from rag.documents.model import Source

MANIFEST_NAME = "sources.toml"
KINDS = ("gazette", "policy", "regulation", "newspaper")
KIND_NAMES = {"gazette": "政府公报", "policy": "政策文件", "regulation": "法规规章", "newspaper": "报纸版面"}
# what a corpus folder may hold (rag.documents.formats reads each); anything else in it is ignored
SUFFIXES = (".txt", ".md", ".markdown", ".pdf", ".docx", ".html", ".htm")


class CorpusError(Exception):
    """A corpus file that cannot be used; the message names the file and says why, in Chinese."""


@dataclass(frozen=True)
class Manifest:
    path: Path
    sources: dict[Path, Source]  # resolved file path → what its entry says
    problems: list[str]  # entries that could not be used as written, each named, in Chinese


def find_manifest(path: Path) -> Path | None:
    for folder in path.resolve().parents:
        candidate = folder / MANIFEST_NAME
        if candidate.is_file():
            return candidate
    return None


def load_manifest(manifest: Path) -> Manifest:
    """Every usable entry; a broken entry is named in `problems` and the others still count."""
    entries, unreadable = manifest_entries(manifest)
    sources: dict[Path, Source] = {}
    problems: list[str] = list(unreadable)
    for number, entry in enumerate(entries, 1):
        name = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{manifest}: 第 {number} 条登记缺少 path（文件路径），已跳过")
            continue
        path = (manifest.parent / name).resolve()
        if not path.is_file():
            problems.append(f"{manifest}: 登记的文件 {name} 不存在，已跳过")
            continue
        kind = entry.get("kind", "")
        if kind and kind not in KINDS:
            problems.append(f"{manifest}: {name} 的 kind 必须是 {'、'.join(KINDS)} 之一，而不是 {kind!r}；已改为自动识别")
            kind = ""
        date = _entry_date(entry.get("date"))
        if entry.get("date") and date is None:
            problems.append(f"{manifest}: {name} 的 date {entry.get('date')!r} 不是有效日期（应为 YYYY-MM-DD，只知道月份时写 YYYY-MM），已忽略该日期")
        excluded = entry.get("exclude", [])
        if not isinstance(excluded, list):
            problems.append(f"{manifest}: {name} 的 exclude 应为文号或标题的列表，已忽略")
            excluded = []
        sources[path] = Source(path=path, kind=kind, publisher=str(entry.get("publisher", "")),
                               issue=str(entry.get("issue", "")), date=date, note=str(entry.get("note", "")),
                               key=corpus_key(path, manifest.parent), excluded=tuple(map(str, excluded)))
    return Manifest(manifest, sources, problems)


def manifest_entries(manifest: Path) -> tuple[list, list[str]]:
    """The manifest's [[source]] entries and, in Chinese, what could not be read: an entry with a syntax
    error is skipped (named by its line) and the others still count; its file is recognised from its content."""
    stat = manifest.stat()
    entries, problems = _entries(manifest, stat.st_mtime_ns, stat.st_size)
    return list(entries), list(problems)


@functools.lru_cache(maxsize=8)
def _entries(manifest: Path, mtime_ns: int, size: int) -> tuple[list, list[str]]:
    """Parsed once per version of the file: an ingest asks for every file's entry."""
    try:
        text = manifest.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return [], [f"{manifest}: 清单不是 UTF-8 编码，暂不生效（各文件按内容识别）；请转换为 UTF-8"]
    try:
        return tomllib.loads(text).get("source", []), []
    except tomllib.TOMLDecodeError:
        pass
    entries: list = []
    problems: list[str] = []
    first_line = 1
    for block in re.split(r"(?m)^(?=\[\[source\]\]\s*$)", text):  # entry by entry: one bad entry costs only itself
        try:
            entries += tomllib.loads(block).get("source", [])
        except tomllib.TOMLDecodeError as error:
            at = re.search(r"at line (\d+)", str(error))
            line = first_line + (int(at.group(1)) - 1 if at else block.rstrip("\n").count("\n"))
            problems.append(f"{manifest}: 第 {line} 行不符合 TOML 格式，这一条登记已跳过（其文件按内容识别）")
        first_line += block.count("\n")
    return entries, problems


def _entry_date(value: object) -> int | None:
    """YYYY-MM-DD → YYYYMMDD; YYYY-MM (a page whose month is known from its collection record, not printed)
    → YYYYMM00, which gives the year and month and says no day."""
    text = str(value or "")
    if isinstance(value, datetime.date):
        text = value.isoformat()
    month_only = re.fullmatch(r"(\d{4})-(\d{2})", text)
    try:
        if month_only:
            return int(datetime.date(int(month_only[1]), int(month_only[2]), 1).strftime("%Y%m00"))
        return int(datetime.date.fromisoformat(text).strftime("%Y%m%d"))
    except ValueError:
        return None


def corpus_key(path: Path, root: Path) -> str:
    """A file's name inside the corpus: its path relative to the corpus folder, so that two x.txt in
    different folders are two sources."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def source_for(path: Path, corpus_dir: Path | None = None) -> Source:
    """What is known about a corpus file before reading it: its manifest entry, or only its place in the
    corpus (kind, title and dates are then recognised from the content). Without a manifest the file is
    keyed by its path under corpus_dir, when given."""
    manifest = find_manifest(path)
    if manifest is not None:
        source = load_manifest(manifest).sources.get(path.resolve())
        if source is not None:
            return source
    root = manifest.parent if manifest else corpus_dir or path.parent
    return Source(path=path.resolve(), kind="", publisher="", issue="", date=None, key=corpus_key(path, root))


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every document file under the corpus folder, in a stable order."""
    return sorted(p for p in corpus_dir.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                  and not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts))


def file_sha256(path: Path) -> str:
    """The file's content hash: how an exact copy of a document is recognised."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_text(path: Path) -> str:
    """Read a corpus file as UTF-8 text, refusing empty, binary and non-UTF-8 files by name."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CorpusError(f"{path}: 无法读取：{error.strerror}") from error
    if not raw.strip():
        raise CorpusError(f"{path}: 文件为空，没有可解析的内容")
    if b"\x00" in raw[:65536]:
        raise CorpusError(f"{path}: 看起来是二进制文件，不是文本；请先导出为 UTF-8 文本")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        hint = "（可能是 GBK）" if _looks_like_gbk(raw) else ""
        raise CorpusError(
            f"{path}: 不是 UTF-8 编码{hint}，第 {error.start} 字节处无法解码；请转换为 UTF-8 后再导入"
        ) from error


def _looks_like_gbk(raw: bytes) -> bool:
    try:
        raw.decode("gbk")
    except UnicodeDecodeError:
        return False
    return True
