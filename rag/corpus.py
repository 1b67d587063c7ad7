"""The corpus on disk: the manifest (sources.toml) and reading source files safely."""

from __future__ import annotations

import tomllib
from pathlib import Path

from rag.documents import Source

MANIFEST_NAME = "sources.toml"
KINDS = ("gazette", "newspaper")


class CorpusError(Exception):
    """A corpus file that cannot be used; the message names the file and says why, in Chinese."""


def find_manifest(path: Path) -> Path | None:
    for folder in path.resolve().parents:
        candidate = folder / MANIFEST_NAME
        if candidate.is_file():
            return candidate
    return None


def load_manifest(manifest: Path) -> dict[Path, Source]:
    """Map each listed file (resolved path) to its Source."""
    try:
        entries = tomllib.loads(manifest.read_text(encoding="utf-8")).get("source", [])
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CorpusError(f"{manifest}: 清单格式错误：{error}") from error
    sources: dict[Path, Source] = {}
    for entry in entries:
        path = (manifest.parent / entry["path"]).resolve()
        kind = entry.get("kind", "")
        if kind not in KINDS:
            raise CorpusError(f"{manifest}: {entry['path']} 的 kind 必须是 {' 或 '.join(KINDS)}，而不是 {kind!r}")
        sources[path] = Source(
            path=path,
            kind=kind,
            publisher=entry["publisher"],
            issue=entry["issue"],
            date=int(entry["date"].replace("-", "")) if entry.get("date") else None,
            note=entry.get("note", ""),
        )
    return sources


def source_for(path: Path) -> Source:
    """The manifest entry for a corpus file, or a clear error when it has none."""
    manifest = find_manifest(path)
    if manifest is None:
        raise CorpusError(f"{path}: 找不到清单 {MANIFEST_NAME}；请在语料目录中登记该文件")
    source = load_manifest(manifest).get(path.resolve())
    if source is None:
        raise CorpusError(f"{path}: 未在 {manifest} 中登记（需要 kind、publisher、issue 等信息），已跳过")
    return source


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every text file under the corpus folder, in a stable order."""
    return sorted(p for p in corpus_dir.rglob("*.txt") if p.is_file())


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
