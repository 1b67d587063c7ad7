"""The corpus as staff manage it: put a file in (recognised, copied under a clear name, recorded in the
manifest) or take a document out (into a trash folder, with its manifest entry, from which it can be
restored). `rag add` / `rag remove` / `rag restore` and the app's documents view share this.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import tomllib
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rag.documents.clauses import cn_to_int
from rag.documents.corpus import (
    KIND_NAMES,
    KINDS,
    MANIFEST_NAME,
    CorpusError,
    corpus_files,
    file_sha256,
    manifest_entries,
    source_for,
)
from rag.documents.formats import is_supported
from rag.documents.model import Document, Source
from rag.documents.read import read_documents
from rag.documents.regulation import ARTICLE

FOLDERS = {"gazette": "gazette", "policy": "policy", "regulation": "regulation", "newspaper": "news"}
UNSAFE_IN_NAME = re.compile(r"[\\/:*?\"<>|\s\x00-\x1f\x7f-\x9f]+")
TRASH_RECORD = "removed.json"  # in each trash folder: where the file was, its manifest entry, what it held


@dataclass
class Recognised:
    """What was understood of one file: shown before publishing and recorded in the manifest."""

    file: Path
    kind: str
    documents: list[Document]
    sha256: str
    warnings: list[str] = field(default_factory=list)
    key: str = ""  # its path in the corpus once added
    copied: bool = False  # this add put the file into the corpus (not found there already)
    recorded: bool = False  # this add wrote its manifest entry

    @property
    def clauses(self) -> int:
        return sum(len([c for c in d.clauses if c.text.strip()]) for d in self.documents)

    def summary(self) -> str:
        lines = [f"{self.key or self.file.name}：{KIND_NAMES[self.kind]}，{len(self.documents)} 个文件，{self.clauses} 个条款"]
        for document in self.documents[:30]:
            number = f"（{document.doc_number}）" if document.doc_number else ""
            dates = [f"{label}{_date(value)}" for label, value in (("日期 ", document.date), ("施行 ", document.effective))
                     if value]
            lines.append(f"  《{document.title}》{number} {'，'.join(dates)}".rstrip())
        if len(self.documents) > 30:
            lines.append(f"  …… 另有 {len(self.documents) - 30} 个文件")
        lines += [f"  注意：{warning}" for warning in self.warnings]
        return "\n".join(lines)


def _date(value: int) -> str:
    return f"{value // 10000}-{value // 100 % 100:02d}-{value % 100:02d}"


def _now() -> datetime.datetime:
    return datetime.datetime.now()


@dataclass(frozen=True)
class Match:
    """A corpus file a reference names."""

    key: str
    documents: tuple[tuple[str, str], ...] | None  # (title, 文号) of each document in it; None: it cannot be read
    by_document: bool  # the reference is a title or 文号 of a document in it, not the file's own name


@dataclass(frozen=True)
class Excluded:
    """One document taken out of a file that holds several (a gazette issue): the file stays in the corpus and
    its manifest entry's `exclude` names the document, so that ingest leaves it out."""

    key: str  # the file's path in the corpus
    title: str
    doc_number: str
    others: int  # the documents the file still holds

    @property
    def name(self) -> str:
        """What the manifest records and `rag restore` takes: its 文号, or its title when it has none."""
        return self.doc_number or self.title


@dataclass(frozen=True)
class Trashed:
    """A removed file in the trash: `rag restore` brings it back with its manifest entry."""

    folder: Path
    key: str  # its path in the corpus
    removed: str  # when, YYYY-MM-DD HH:MM
    documents: tuple[tuple[str, str], ...] | None
    entry: str  # its manifest entry as it was written ("" when it had none)

    @property
    def file(self) -> Path:
        return self.folder / Path(self.key).name

    def names(self) -> set[str]:
        """What `rag restore NAME` accepts for it."""
        return ({self.folder.name, self.key, Path(self.key).name, Path(self.key).stem}
                | {name for document in self.documents or () for name in document if name})

    def line(self) -> str:
        held = f"含 {len(self.documents)} 个文件" if self.documents is not None else "无法读取"
        return f"{self.key}（{held}，{self.removed} 移除）"


class Library:
    """indexed: whether the live index holds a file with this sha256. Given, an add is one transaction with
    the ingest after it: a copy in the corpus that the index does not hold is what an add that failed or was
    killed left behind, and is taken up again instead of being refused as a duplicate; `keep_indexed` takes
    back what the ingest did not index. Without it, any copy in the corpus counts as added."""

    def __init__(self, corpus_dir: Path, indexed: Callable[[str], bool] | None = None, trash_dir: Path | None = None):
        self.corpus_dir = corpus_dir
        self.manifest = corpus_dir / MANIFEST_NAME
        self.indexed = indexed
        self.trash_dir = trash_dir  # where removed files go (the CLI and the app: data/trash); None: deleted

    def recognise(self, file: Path, kind: str | None = None) -> Recognised:
        """Read and parse a file without adding it; CorpusError says why it cannot be used."""
        if not file.is_file():
            raise CorpusError(f"{file}: 文件不存在")
        if not is_supported(file):
            raise CorpusError(f"{file}: 不支持的文件格式 {file.suffix or '（无扩展名）'}；支持 PDF、DOCX、HTML、Markdown 和文本文件")
        if kind and kind not in KINDS:
            raise CorpusError(f"{file}: 类型必须是 {'、'.join(KINDS)} 之一，而不是 {kind!r}")
        source = Source(path=file.resolve(), kind=kind or "", publisher="", issue="", date=None, key=file.name)
        documents = read_documents(source, file)
        recognised = Recognised(file, documents[0].source.kind, documents, file_sha256(file))
        recognised.warnings = _warnings(recognised)
        return recognised

    def add(self, file: Path, kind: str | None = None) -> Recognised:
        """Copy the file into the corpus under a clear name and record what was recognised. An exact copy
        already in the corpus is refused, unless the index does not hold it (see the class): then that copy
        is the one added, and its manifest entry, if it has one, is kept."""
        recognised = self.recognise(file, kind)
        copy = self._copy_in_corpus(recognised.sha256)
        if copy and (self.indexed is None or self.indexed(recognised.sha256)):
            raise CorpusError(f"{file}: 与已收录的 {copy} 内容完全相同，未重复收录")
        if copy:
            recognised.key = copy
        else:
            target = self._target(recognised)
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.adding")  # a dot file: never read as part of the corpus
            shutil.copyfile(file, partial)
            os.replace(partial, target)  # the corpus has the whole file or none of it
            recognised.key, recognised.copied = target.relative_to(self.corpus_dir).as_posix(), True
        if not self._recorded(recognised.key):
            recognised.warnings += self._same_document(recognised)
            self._append_entry(recognised, kind_given=bool(kind))
            recognised.recorded = True
        return recognised

    def undo(self, recognised: Recognised) -> None:
        """Take back what `add` did: its manifest entry and the file it copied into the corpus."""
        if recognised.recorded:
            self._drop_entries({recognised.key})
        if recognised.copied:
            (self.corpus_dir / recognised.key).unlink(missing_ok=True)

    def keep_indexed(self, added: list[Recognised]) -> list[Recognised]:
        """After the ingest that followed `add`: undo every add whose file the live index does not hold (the
        ingest failed, was refused or was interrupted), so that an add either happened whole or left nothing.
        Returns those undone."""
        if self.indexed is None:
            return []
        undone = []
        for recognised in added:
            try:
                held = self.indexed(recognised.sha256)
            except Exception:  # the store cannot even say: the add did not complete
                held = False
            if not held:
                self.undo(recognised)
                undone.append(recognised)
        return undone

    def matching(self, reference: str) -> list[str]:
        """The corpus files a reference names (a corpus path, a file name, a title or a 文号), without
        touching them: what `remove` would take out. A 文号 or title inside a gazette issue names the whole
        issue's file. CorpusError when the reference is blank or names nothing."""
        return [match.key for match in self.matches(reference)]

    def matches(self, reference: str) -> list[Match]:
        """`matching`, with what each file holds and whether the reference named one document inside it."""
        wanted = _wanted(reference)
        if not wanted:  # a blank would equal the empty 文号 of every newspaper article and regulation
            raise CorpusError("请给出要删除的文件路径、文件名、标题或文号")
        matches: list[Match] = []
        for path in corpus_files(self.corpus_dir):
            key = path.relative_to(self.corpus_dir).as_posix()
            documents = _documents(path)
            if wanted in (key, path.name, path.stem):
                matches.append(Match(key, documents, by_document=False))
            elif any(wanted in document for document in documents or ()):
                matches.append(Match(key, documents, by_document=True))
        if not matches:
            raise CorpusError(f"语料中没有找到「{reference}」：请给出语料中的文件路径、文件名、标题或文号")
        return matches

    def to_remove(self, reference: str, whole_file: bool = False) -> list[Match]:
        """The files `remove` takes out for a reference. A title or 文号 of one document in a file that holds
        several (a gazette issue) is refused unless whole_file: removing it would take all of them out."""
        matches = self.matches(reference)
        shared = [m for m in matches if _one_of_several(m)]
        if shared and not whole_file:
            files = "、".join(f"{m.key} 中 {len(m.documents or ())} 个文件之一" for m in shared)
            others = sum(len(m.documents or ()) - 1 for m in shared)
            raise CorpusError(f"{reference.strip()} 是 {files}，删除整个文件会连同其他 {others} 个文件一起移除；"
                              "未删除任何内容。只移除这一个文件请加 --document-only，确要删除整个文件请加 --whole-file")
        return matches

    def to_exclude(self, reference: str) -> list[Excluded]:
        """The documents `exclude` takes out for a title or 文号 of one document in a file of several.
        CorpusError when it names a whole file, or a file holding only that document."""
        matches = self.matches(reference)
        whole = [m.key for m in matches if not _one_of_several(m)]
        if whole:
            raise CorpusError(f"{reference.strip()} 指的是整个文件 {'、'.join(whole)}，不是合订本中的一个文件；"
                              "未删除任何内容。删除整个文件请去掉 --document-only")
        wanted = _wanted(reference)
        return [Excluded(m.key, *next(d for d in m.documents or () if wanted in d), len(m.documents or ()) - 1)
                for m in matches]

    def exclude(self, documents: list[Excluded]) -> None:
        """Record each document in its file's manifest entry (`exclude`): the file stays, the next ingest leaves
        the document out, and `include` brings it back."""
        for document in documents:
            self._write_exclusions(document.key, [*self.exclusions().get(document.key, []), document.name])

    def include(self, name: str) -> str | None:
        """Bring back a document `exclude` took out: its file's corpus path, or None when no file excludes it."""
        wanted = _wanted(name)
        for key, names in self.exclusions().items():
            if wanted in names:
                self._write_exclusions(key, [n for n in names if n != wanted])
                return key
        return None

    def exclusions(self) -> dict[str, list[str]]:
        """Corpus path → the documents taken out of that file."""
        entries, _problems = manifest_entries(self.manifest) if self.manifest.is_file() else ([], [])
        return {e["path"]: [str(n) for n in e["exclude"]] for e in entries
                if isinstance(e, dict) and isinstance(e.get("exclude"), list) and e["exclude"]}

    def remove(self, reference: str, whole_file: bool = False) -> list[str]:
        """Take out the files a reference names (see `to_remove`); returns their corpus paths."""
        matches = self.to_remove(reference, whole_file)
        self.take_out(matches)
        return [match.key for match in matches]

    def take_out(self, matches: list[Match]) -> None:
        """Move the files out of the corpus, with their manifest entries, into the trash (deleted when the
        library has none)."""
        for match in matches:
            path = self.corpus_dir / match.key
            if self.trash_dir is None:
                self._drop_entries({match.key})
                path.unlink()
                continue
            folder = self.trash_dir / f"{_now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
            folder.mkdir(parents=True)
            record = {"key": match.key, "removed": f"{_now():%Y-%m-%d %H:%M}", "entry": self._entry_text(match.key),
                      "documents": None if match.documents is None else [list(d) for d in match.documents]}
            (folder / TRASH_RECORD).write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
            shutil.move(path, folder / path.name)
            self._drop_entries({match.key})

    def trash(self) -> list[Trashed]:
        """What the trash holds, oldest first."""
        items = []
        for record in sorted(self.trash_dir.glob(f"*/{TRASH_RECORD}")) if self.trash_dir else []:
            try:
                data = json.loads(record.read_text(encoding="utf-8"))
                documents = None if data["documents"] is None else tuple(tuple(d) for d in data["documents"])
                item = Trashed(record.parent, data["key"], data["removed"], documents, data["entry"])
            except (OSError, ValueError, KeyError, TypeError):
                continue  # not one of ours, or written only in part: nothing to restore
            if item.file.is_file():
                items.append(item)
        return items

    def restore(self, name: str) -> str:
        """Bring a removed file back from the trash, with its manifest entry; returns its corpus path. NAME is
        its corpus path, file name, a title or 文号 in it, or its trash folder; of the same file removed more
        than once, the last removal comes back."""
        wanted = _wanted(name)
        found = [item for item in self.trash() if wanted and wanted in item.names()]
        if not found:
            raise CorpusError(f"回收站中没有「{name}」：不带参数运行 rag restore 可列出回收站")
        if len({item.key for item in found}) > 1:
            raise CorpusError(f"回收站中有多个文件对应「{name}」：{'、'.join(sorted({i.key for i in found}))}；请给出其中一个的路径")
        item = found[-1]
        target = self.corpus_dir / item.key
        if target.exists():
            raise CorpusError(f"语料中已有 {item.key}，未恢复；请先移走或改名")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(item.file, target)
        if item.entry:
            self._drop_entries({item.key})
            existing = self.manifest.read_text(encoding="utf-8") if self.manifest.is_file() else ""
            self._write_manifest(existing.rstrip("\n") + ("\n\n" if existing.strip() else "") + item.entry.strip("\n") + "\n")
        shutil.rmtree(item.folder)
        return item.key

    def _same_document(self, recognised: Recognised) -> list[str]:
        """Another file recorded with this title and date: most likely the same document in another format."""
        if len(recognised.documents) != 1 or not self.manifest.is_file():
            return []
        first = recognised.documents[0]
        date = _date(first.date) if first.date else ""
        entries, _problems = manifest_entries(self.manifest)
        return [f"语料中已有同标题、同日期的 {e['path']}（可能是同一文件的另一种格式），两者都会被检索"
                for e in entries if e.get("title") == first.title and str(e.get("date", "")) == date and date
                and e.get("path") != recognised.key]

    def _copy_in_corpus(self, sha256: str) -> str:
        for path in corpus_files(self.corpus_dir):
            if file_sha256(path) == sha256:
                return path.relative_to(self.corpus_dir).as_posix()
        return ""

    def _recorded(self, key: str) -> bool:
        if not self.manifest.is_file():
            return False
        entries, _problems = manifest_entries(self.manifest)
        return any(isinstance(e, dict) and e.get("path") == key for e in entries)

    def _target(self, recognised: Recognised) -> Path:
        first = recognised.documents[0]
        name = first.title if len(recognised.documents) == 1 else recognised.file.stem
        date = first.date if len(recognised.documents) == 1 else None
        stem = _safe_name(name) or _safe_name(recognised.file.stem) or "文件"
        stem += f"-{_date(date)}" if date else ""
        folder = self.corpus_dir / FOLDERS[recognised.kind]
        target = folder / f"{stem}{recognised.file.suffix.lower()}"
        counter = 2
        while target.exists():
            target = folder / f"{stem}-{counter}{recognised.file.suffix.lower()}"
            counter += 1
        return target

    def _append_entry(self, recognised: Recognised, kind_given: bool) -> None:
        first = recognised.documents[0]
        fields = {
            "path": recognised.key,
            "title": first.title if len(recognised.documents) == 1 else recognised.file.stem,
            "added": datetime.date.today().isoformat(),
            "original_name": recognised.file.name,
            "sha256": recognised.sha256,
            "documents": len(recognised.documents),
            "clauses": recognised.clauses,
        }
        if kind_given:
            fields["kind"] = recognised.kind  # recognised from the content otherwise: not frozen here
        if first.date and len(recognised.documents) == 1:
            fields["date"] = _date(first.date)
        entry = "\n[[source]]\n" + "".join(f"{key} = {_toml(value)}\n" for key, value in fields.items())
        if recognised.warnings:
            entry += f"warnings = [{', '.join(_toml(w) for w in recognised.warnings)}]\n"
        tomllib.loads(entry)  # what we write must read back (_toml leaves out what TOML forbids)
        existing = self.manifest.read_text(encoding="utf-8") if self.manifest.is_file() else ""
        self._write_manifest(existing.rstrip("\n") + ("\n" if existing else "") + entry)

    def _entry_text(self, key: str) -> str:
        """The manifest entry of a corpus file as written, comments and all ("" when it has none)."""
        if not self.manifest.is_file():
            return ""
        _head, *blocks = re.split(r"(?m)^\[\[source\]\]\s*$", self.manifest.read_text(encoding="utf-8"))
        return "".join(f"[[source]]{b}" for b in blocks if _entry_path(b) == key)

    def _drop_entries(self, keys: set[str]) -> None:
        if not self.manifest.is_file():
            return
        text = self.manifest.read_text(encoding="utf-8")
        head, *blocks = re.split(r"(?m)^\[\[source\]\]\s*$", text)
        kept = head + "".join(f"[[source]]{b}" for b in blocks if _entry_path(b) not in keys)
        self._write_manifest(kept.rstrip("\n") + "\n" if kept.strip() else kept)  # no blank line left at the end

    def _write_exclusions(self, key: str, names: list[str]) -> None:
        """Set the `exclude` list of a file's manifest entry (an entry is added for a file that has none)."""
        line = f"exclude = [{', '.join(_toml(n) for n in names)}]\n" if names else ""
        text = self.manifest.read_text(encoding="utf-8") if self.manifest.is_file() else ""
        head, *blocks = re.split(r"(?m)^\[\[source\]\]\s*$", text)
        at = next((i for i, block in enumerate(blocks) if _entry_path(block) == key), None)
        if at is None:  # a blank line between it and what comes before
            if blocks:
                blocks[-1] = blocks[-1].rstrip("\n") + "\n\n"
            else:
                head = head.rstrip("\n") + ("\n\n" if head.strip() else "")
            blocks.append(f"\npath = {_toml(key)}\n")
            at = len(blocks) - 1
        entry = re.sub(r"(?m)^exclude\s*=.*\n?", "", blocks[at]).rstrip("\n") + "\n" + line
        blocks[at] = entry + ("\n" if at < len(blocks) - 1 else "")
        self._write_manifest(head + "".join(f"[[source]]{b}" for b in blocks))

    def _write_manifest(self, text: str) -> None:
        """Replace the manifest in one step: a process killed while writing leaves the old one, never half."""
        partial = self.manifest.with_name(f".{self.manifest.name}.writing")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, self.manifest)


def _wanted(reference: str) -> str:
    return reference.strip().strip("《》").strip()


def _one_of_several(match: Match) -> bool:
    """The reference named one document of a file that holds several (a gazette issue)."""
    return match.by_document and match.documents is not None and len(match.documents) > 1


def _documents(path: Path) -> tuple[tuple[str, str], ...] | None:
    """(title, 文号) of each document in a corpus file (not those taken out of it); None when it cannot be read."""
    try:
        return tuple((d.title, d.doc_number) for d in read_documents(source_for(path), path) if not d.excluded)
    except CorpusError:
        return None


def _safe_name(name: str) -> str:
    """A name fit for a file: no path separators, spaces or control characters."""
    return UNSAFE_IN_NAME.sub("_", name)[:60].strip("_")


def _entry_path(block: str) -> str:
    found = re.search(r'(?m)^path\s*=\s*"([^"]*)"', block)
    return json.loads(f'"{found.group(1)}"') if found else ""


def _toml(value: object) -> str:
    """A TOML value; control characters (a DEL in a file name …) are left out, not written."""
    if isinstance(value, int):
        return str(value)
    return json.dumps("".join(c for c in str(value) if unicodedata.category(c) != "Cc"), ensure_ascii=False)


def _warnings(recognised: Recognised) -> list[str]:
    warnings: list[str] = []
    for document in recognised.documents:
        name = f"《{document.title}》"
        if recognised.kind == "regulation":
            numbers = [cn_to_int(m.group(1)) for c in document.clauses for m in [ARTICLE.match(c.clause_path)] if m]
            gaps = sorted(set(range(1, max(numbers, default=0) + 1)) - set(numbers))
            if gaps:
                warnings.append(f"{name} 条文编号不连续，缺少第 {'、'.join(map(str, gaps[:10]))} 条")
        if recognised.kind in ("gazette", "policy") and not document.doc_number:
            warnings.append(f"{name} 未识别到文号")
        if not document.date:
            warnings.append(f"{name} 未识别到日期（成文、公布或修订日期）")
    return warnings
