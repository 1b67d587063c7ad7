"""Export a sentence-transformers model folder to ONNX: `python export_onnx.py MODEL_DIR OUT_DIR`.

Run by `rag models fetch` in the environment of scripts/onnx-export.lock, never in the app's (it needs
optimum-onnx, which needs transformers 4.57). Writes OUT_DIR/onnx/model.onnx and the model's other files."""

import sys

from sentence_transformers import SentenceTransformer

model = SentenceTransformer(sys.argv[1], backend="onnx", device="cpu", local_files_only=True)
model.save_pretrained(sys.argv[2])
