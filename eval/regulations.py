"""Regulations added with `rag add`, then questions about them: article, version, key facts, refusals.

    .venv/bin/python -m eval.regulations [--set blind_regs|regs_tuning] [--shared ../shared/regulations]

Builds a private corpus (the project's corpus plus the regulation files the question set is about,
added through rag.documents.library like `rag add`), indexes it with the real model (the embedding cache is
shared, so a rerun embeds nothing) and scores each question part:
- evidence@5: a hit among the first five is the part's article, in the version asked about;
- article: a citation of the answer is that article and version (the first citation, for part one);
- key facts: the share of the part's key facts the answer contains;
- refused: unanswerable questions refused; false refusals among answerable ones.
The blind set's misses are counted, never listed: it must not shape the code.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from rag.config import PROJECT_ROOT, Settings
from rag.documents.normalize import compact

EVAL_DIR = Path(__file__).resolve().parent
BLIND = {"blind_regs"}


def load(name: str) -> list[dict]:
    return [json.loads(line) for line in (EVAL_DIR / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _version(part: dict) -> int:
    return int(part["version_date"].replace("-", ""))


def _is(meta_or_citation: dict, part: dict) -> bool:
    clause = str(meta_or_citation["clause_path"])
    return (meta_or_citation["doc_title"] == part["doc_title"] and clause.startswith(part["article"])
            and not clause[len(part["article"]):].startswith("之")
            and int(meta_or_citation.get("version_date") or 0) == _version(part))


def score(questions: list[dict], answers: list[dict]) -> dict[str, float]:
    evidence, article, facts, version = [], [], [], []
    refused_unanswerable, false_refusals, seconds = [], [], []
    for question, answer in zip(questions, answers, strict=True):
        parts = question["parts"]
        answerable = [p for p in parts if p["answerable"]]
        if not answerable:
            refused_unanswerable.append(answer["refused"])
            continue
        if len(answerable) == len(parts):
            false_refusals.append(answer["refused"])
        # the answer lines, as rag eval reads them: not the 依据 and 可能相关 lists; bold only marks the fact
        text = compact(answer["answer"].split("依据：")[0].replace("**", ""))
        for index, part in enumerate(answerable):
            evidence.append(any(_is(h, part) for h in answer["hits"][:5]))
            cited = answer["citations"][:1] if index == 0 and len(parts) == 1 else answer["citations"]
            article.append(any(_is(c, part) for c in cited))
            facts.append(sum(compact(f) in text for f in part["key_facts"]) / max(len(part["key_facts"]), 1))
            if "version" in question.get("tags", []):
                version.append(any(c["doc_title"] == part["doc_title"] and c.get("version_date") == _version(part)
                                   for c in answer["citations"][:1]))
        seconds.append(answer["seconds"])
    mean = lambda values: round(sum(values) / len(values), 3) if values else float("nan")  # noqa: E731
    return {"questions": len(questions), "parts": len(evidence), "evidence@5": mean(evidence),
            "article": mean(article), "key_facts": mean(facts), "version": mean(version),
            "refused_unanswerable": mean(refused_unanswerable), "false_refusal": mean(false_refusals),
            "p50_seconds": round(statistics.median(seconds), 3) if seconds else float("nan")}


def answer_all(answerer, questions: list[dict]) -> list[dict]:
    """Each question's answer as JSON, with the seconds it took."""
    answers = []
    for question in questions:
        started = time.perf_counter()
        answer = answerer.run(question["question"]).to_json()
        answer["seconds"] = time.perf_counter() - started
        answers.append(answer)
    return answers


def build(root: Path, files: list[Path], embedder=None) -> Settings:
    """embedder: another than the configured model's (eval.forms compares forms of it)."""
    from rag.app.pipeline import Pipeline
    from rag.documents.library import Library

    corpus = root / "corpus"
    shutil.copytree(PROJECT_ROOT / "corpus", corpus)
    library = Library(corpus)
    for file in files:
        library.add(file)
    settings = replace(Settings.from_env(), corpus_dir=corpus, data_dir=root / "data")
    report = Pipeline(settings, embedder=embedder).ingest()
    print(f"索引：{report.summary()}")
    return settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", default="blind_regs", help="问题集（eval/ 下的 JSONL 文件名，不含扩展名）")
    parser.add_argument("--shared", type=Path, default=PROJECT_ROOT.parent / "shared" / "regulations",
                        help="法规原文目录（问题集中 source_file 相对于它）")
    parser.add_argument("--keep", type=Path, help="保留语料和索引的目录（再次运行时复用）")
    args = parser.parse_args()
    questions = load(args.set)
    names = sorted({p["source_file"] for q in questions for p in q["parts"] if p.get("source_file")})
    files = [args.shared / name for name in names]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise SystemExit(f"找不到法规原文：{'、'.join(missing)}；请用 --shared 指定目录")
    root = args.keep or Path(tempfile.mkdtemp(prefix="regulations-eval-"))
    if (root / "data").is_dir():
        settings = replace(Settings.from_env(), corpus_dir=root / "corpus", data_dir=root / "data")
    else:
        root.mkdir(parents=True, exist_ok=True)
        settings = build(root, files)
    from rag.app.pipeline import Pipeline

    answers = answer_all(Pipeline(settings).answerer, questions)
    print(json.dumps({args.set: score(questions, answers)}, ensure_ascii=False))
    if args.set not in BLIND:
        for question, answer in zip(questions, answers, strict=True):
            first = answer["citations"][0] if answer["citations"] else {}
            print(f"{question['id']} {'拒答' if answer['refused'] else ''} {question['question']} → "
                  f"{first.get('doc_title', '')} {first.get('clause_path', '')} {first.get('version_date', '')}")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
