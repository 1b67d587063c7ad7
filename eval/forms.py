"""Forms of the same embedding model, side by side on every question set: the exported float32 graph, its
dynamic int8 quantisations (onnxruntime `quantize_dynamic`, int8 weights, one scale per weight tensor or one
per output channel) and, on torch, the model in bfloat16 and in float32 with its matrix products in bfloat16
(autocast), same run (issue 22).

    python -m eval.forms [--forms fp32 bf16-matmul …] [--sample 48] [--regulations ../shared/regulations]
        → prints a markdown section

The quantiser reads the graph with the `onnx` package, which the app does not use: it is installed once into
the model cache (pip --target, no dependencies beyond onnx and ml-dtypes), never into the app's environment.
Each int8 graph is written once beside the float32 export in the model cache. Its vectors go to
the shared embedding cache under their own model name, so the forms' vectors never mix; the first run
embeds the corpus (and the regulation sets' files) once with each form, later runs read the cache.

Measured per form: embedding speed on the same sample of clauses and sentences (the forms alternate, so
the machine's load falls on both alike), then each set's retrieval and answer metrics from an index built
with that form, the way `rag eval` and `eval.regulations` compute them.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from eval.gold import BLIND_FILES, GOLD_FILE, load_gold
from eval.regulations import answer_all, build, load, score
from eval.runner import answer_metrics, retrieval_metrics, run_answers, run_retrieval
from eval.scale import DEFAULT_REGULATIONS
from rag.config import Settings
from rag.documents.corpus import corpus_files
from rag.documents.read import parse_file
from rag.index.chunk import chunk_document
from rag.index.embed import Embedder, OnnxEmbedder, SentenceTransformerEmbedder
from rag.index.models import EMBEDDINGGEMMA, EXPORT_KEEPS, ONNX_GRAPH, export_dir_for, is_exported
from rag.index.sentences import embedding_text, sentences

# form → (suffix of its graph folder and of its vectors' model name, one scale per output channel)
INT8_FORMS = {"int8": ("-int8", False), "int8-per-channel": ("-int8pc", True)}
TORCH_FORMS = ("bfloat16", "bf16-matmul")  # RAG_EMBED_DTYPE's values besides float32
FORMS = ("fp32", *INT8_FORMS, *TORCH_FORMS)
SETS = {"调参集": GOLD_FILE, **{f"盲测集{'一二三四'[i]}": BLIND_FILES[name]
                              for i, name in enumerate(("blind", "blind2", "blind3", "blind4"))}}
REGULATION_SETS = {"法规调参集": "regs_tuning", "法规调参集二": "regs_tuning2", "法规盲测集": "blind_regs"}
RETRIEVAL = ["evidence@1", "evidence@5", "clause@5", "MRR@10"]
REGULATION_COLUMNS = ["evidence@5", "article", "key_facts", "refused_unanswerable", "false_refusal"]
ANSWERS = ["citation_acc", "key_facts", "refusal_unans", "unans_honest", "false_refusal"]


QUANTISER = ("onnx==1.23.*", "ml-dtypes")  # what onnxruntime's quantiser needs besides the app's packages


def _quantiser_importable(model_cache: Path) -> None:
    """onnx from a folder of its own in the model cache, after the app's packages on the path."""
    folder = model_cache / ".quantiser"
    if not (folder / "onnx").is_dir():
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(folder),
                        *QUANTISER], check=True)
    sys.path.append(str(folder))


def int8_graph(fp32_dir: Path, suffix: str, per_channel: bool) -> Path:
    """The float32 export's weights quantised to int8, in a folder beside it (made once)."""
    target = fp32_dir.with_name(fp32_dir.name + suffix)
    if (target / ONNX_GRAPH).is_file():
        return target
    _quantiser_importable(fp32_dir.parent)
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory(dir=fp32_dir.parent, prefix=".int8-") as work:
        staged = Path(work) / target.name
        staged.mkdir()
        # the export is already fused for this CPU: shape inference cannot type the fused ops' outputs
        quantize_dynamic(fp32_dir / ONNX_GRAPH, staged / ONNX_GRAPH, weight_type=QuantType.QInt8,
                         per_channel=per_channel, extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        for name in EXPORT_KEEPS:  # tokenizer, prompts, pooling and dense layers: shared with float32
            (shutil.copytree if (fp32_dir / name).is_dir() else shutil.copy2)(fp32_dir / name, staged / name)
        staged.rename(target)
    return target


def sample_texts(corpus: Path, size: int) -> tuple[list[str], list[str]]:
    """size clauses and 4 × size sentences of the corpus, as the indexer embeds them, drawn at random."""
    chunks = [c for path in corpus_files(corpus) for d in parse_file(path) for c in chunk_document(d)]
    pick = random.Random(22)
    clauses = [c.embed_text for c in pick.sample(chunks, size)]
    lines = [embedding_text(s, c.metadata.heading, "") for c in chunks for s in sentences(c.text)]
    return clauses, pick.sample(lines, 4 * size)


def speeds(embedders: dict[str, Embedder], clauses: list[str], lines: list[str], rounds: int = 2) -> dict:
    """texts per second of each form, the forms alternating round by round."""
    seconds = {form: {"clauses": 0.0, "sentences": 0.0} for form in embedders}
    for embedder in embedders.values():  # loaded before timing
        embedder.embed_documents(["预热"])
    for _ in range(rounds):
        for kind, texts in (("clauses", clauses), ("sentences", lines)):
            for form, embedder in embedders.items():
                started = time.perf_counter()
                embedder.embed_documents(texts)
                seconds[form][kind] += time.perf_counter() - started
    return {form: {"clauses": rounds * len(clauses) / s["clauses"], "sentences": rounds * len(lines) / s["sentences"]}
            for form, s in seconds.items()}


def project_scores(settings: Settings, embedder: Embedder) -> dict[str, dict[str, float]]:
    from rag.app.pipeline import Pipeline

    pipeline = Pipeline(settings, embedder=embedder)
    report = pipeline.ingest()
    print(f"{embedder.name}：{report.summary()}", flush=True)
    scores = {}
    for name, path in SETS.items():
        questions = load_gold(path)
        scores[name] = {**retrieval_metrics(run_retrieval(pipeline.retriever, questions)),
                        **answer_metrics(run_answers(pipeline.answerer, questions))}
        print(name, embedder.name, scores[name], flush=True)
    return scores


def regulation_scores(regulations: Path, embedder: Embedder, work: Path) -> dict[str, dict[str, float]]:
    from rag.app.pipeline import Pipeline

    scores = {}
    for name, set_name in REGULATION_SETS.items():
        questions = load(set_name)
        files = sorted({regulations / p["source_file"] for q in questions for p in q["parts"] if p.get("source_file")})
        root = work / f"{embedder.name}-{set_name}"
        root.mkdir()
        answerer = Pipeline(build(root, files, embedder), embedder=embedder).answerer
        scores[name] = score(questions, answer_all(answerer, questions))
        print(name, embedder.name, scores[name], flush=True)
    return scores


def table(scores: dict[str, dict[str, dict[str, float]]], columns: list[str]) -> list[str]:
    """One row per set and form, the forms of a set next to each other."""
    rows = ["| 问题集 | 形式 | " + " | ".join(columns) + " |", "|---|---|" + "---|" * len(columns)]
    sets = next(iter(scores.values()))
    for name in sets:
        for form, by_set in scores.items():
            rows.append(f"| {name} | {form} | " + " | ".join(f"{by_set[name][c]:.3f}" for c in columns) + " |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=48, help="clauses timed per form (and 4× as many sentences)")
    parser.add_argument("--regulations", type=Path, default=DEFAULT_REGULATIONS, help="法规原文目录（法规问题集用）")
    parser.add_argument("--forms", nargs="+", choices=FORMS, default=list(FORMS), help="要比较的形式")
    args = parser.parse_args()
    base = Settings.from_env()
    fp32_dir = export_dir_for(base.model_cache)
    if not is_exported(fp32_dir):
        raise SystemExit(f"ONNX 模型尚未导出：{fp32_dir}。请先运行 `rag models fetch`")
    def embedder(form: str) -> Embedder:
        if form in INT8_FORMS:
            suffix, per_channel = INT8_FORMS[form]
            return OnnxEmbedder(int8_graph(fp32_dir, suffix, per_channel), name=EMBEDDINGGEMMA.name + suffix)
        if form in TORCH_FORMS:
            return SentenceTransformerEmbedder(base.model_cache / EMBEDDINGGEMMA.name, dtype=form)
        return OnnxEmbedder(fp32_dir, name=EMBEDDINGGEMMA.name)

    embedders = {form: embedder(form) for form in args.forms}
    speed = speeds(embedders, *sample_texts(base.corpus_dir, args.sample))
    print(speed, flush=True)
    project, regulation = {}, {}
    with tempfile.TemporaryDirectory(prefix="forms-") as work:
        for form, embedder in embedders.items():
            project[form] = project_scores(replace(base, data_dir=Path(work) / form), embedder)
            if args.regulations.is_dir():
                regulation[form] = regulation_scores(args.regulations, embedder, Path(work))
    lines = [f"嵌入速度（同一批随机抽取的 {args.sample} 个条款、{4 * args.sample} 个句子，各形式交替各 2 轮）：",
             *(f"- {form}：条款 {s['clauses']:.2f} 个/秒，句子 {s['sentences']:.2f} 个/秒" for form, s in speed.items()),
             "", *table(project, RETRIEVAL + ANSWERS)]
    if regulation:
        lines += ["", *table(regulation, REGULATION_COLUMNS)]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
