"""eval/report.md and eval/hitk.png: every system side by side, ours split by persona, type, source."""

from __future__ import annotations

from pathlib import Path

from eval.runner import (
    ANSWER_COLUMNS,
    GROUPINGS,
    KS,
    RETRIEVAL_COLUMNS,
    AnswerResult,
    RetrievalResult,
    answer_metrics,
    answers_by_persona,
    by_group,
    retrieval_metrics,
)

EVAL_DIR = Path(__file__).resolve().parent
FLOORS = {"evidence@5": (">=", 0.90), "clause@5": (">=", 0.85), "citation_acc": (">=", 0.85),
          "refusal_unans": (">=", 0.80), "false_refusal": ("<=", 0.10)}


def markdown_table(rows: dict[str, dict[str, float]], columns: list[str]) -> str:
    lines = ["| | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, metrics in rows.items():
        cells = [f"{int(metrics.get(c, 0))}" if c == "n" else f"{metrics.get(c, 0.0):.3f}" for c in columns]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def check_floors(ours_retrieval: dict[str, float], ours_answers: dict[str, float]) -> list[str]:
    """The metrics below their floor, as messages (empty: all pass)."""
    merged = {**ours_retrieval, **ours_answers}
    failures = []
    for metric, (direction, floor) in FLOORS.items():
        value = merged[metric]
        if (direction == ">=" and value < floor) or (direction == "<=" and value > floor):
            failures.append(f"{metric} = {value:.3f}，要求 {direction} {floor}")
    return failures


def write_chart(retrieval: dict[str, list[RetrievalResult]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(9, 3.6), dpi=90)
    for name, results in retrieval.items():
        metrics = retrieval_metrics(results)
        axes[0].plot(KS, [metrics[f"evidence@{k}"] for k in KS], marker="o", label=name)
        axes[1].plot(KS, [metrics[f"clause@{k}"] for k in KS], marker="o", label=name)
    for axis, title in zip(axes, ("evidence hit@k", "clause hit@k"), strict=True):
        axis.set_title(title)
        axis.set_xlabel("k")
        axis.set_xticks(KS)
        axis.set_ylim(0, 1.02)
        axis.grid(alpha=0.3)
    axes[1].legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def write_report(retrieval: dict[str, list[RetrievalResult]], answers: dict[str, list[AnswerResult]],
                 ours: str = "ours", folder: Path = EVAL_DIR) -> str:
    write_chart(retrieval, folder / "hitk.png")
    ours_results = retrieval[ours]
    n_answerable = len(ours_results)
    n_total = len(answers[ours])
    floors = check_floors(retrieval_metrics(ours_results), answer_metrics(answers[ours]))
    sections = [
        "# 评测报告",
        "",
        f"由 `rag eval` 生成：金标准问题 {n_total} 个（可回答 {n_answerable}，不可回答 {n_total - n_answerable}），"
        "同一台机器、同一嵌入模型（EmbeddingGemma-300m）、同一次运行。",
        "",
        "系统：**ours** 条款切块 + 稠密/BM25 加权 RRF + 证据门控的抽取式回答；**dense** 仅稠密；**bm25** 仅 BM25（jieba）；"
        "**naive** LangChain `RecursiveCharacterTextSplitter`（500 字，重叠 50，中文分隔符）+ 同一模型 + Chroma top-k，"
        "以第一个块为答案、从不拒答。naive 的块没有文号和条款，其“条款命中”和“引用准确”按块内是否含金标准原文计算（最宽松的算法）。",
        "",
        "## 检索",
        "",
        markdown_table({name: retrieval_metrics(r) for name, r in retrieval.items()}, RETRIEVAL_COLUMNS),
        "",
        "![hit@k](hitk.png)",
        "",
        "## 回答",
        "",
        "引用准确率：第一条引用的文件和条款与金标准一致（可回答问题）；关键事实：金额、比例、期限等全部出现在回答中；"
        "拒答率：不可回答问题被拒答的比例；误拒率：可回答问题被拒答的比例。",
        "",
        markdown_table({name: answer_metrics(r) for name, r in answers.items()}, ANSWER_COLUMNS),
        "",
        "底线（CI 中 `rag eval --check` 低于即失败）：" + "，".join(f"{m} {d} {f}" for m, (d, f) in FLOORS.items())
        + ("。本次全部达到。" if not floors else "。未达到：" + "；".join(floors)),
        "",
        "## ours 分组",
    ]
    groupings = {**GROUPINGS, "按来源": lambda gold: "报纸" if gold.type == "news" else "公报"}
    for title, key in groupings.items():
        sections += ["", f"### {title}", markdown_table(by_group(ours_results, key), RETRIEVAL_COLUMNS)]
    sections += ["", "### 回答，按用户类型", markdown_table(answers_by_persona(answers[ours]), ANSWER_COLUMNS),
                 "", "## ours 未答对的问题", ""]
    for result in (r for r in answers[ours] if r.problem):
        gold = result.gold
        sections.append(f"- {gold.id} [{result.problem}] {gold.question} — 应为 {gold.expected or '拒答'}，"
                        f"引用 {result.first_citation or '无'}")
    text = "\n".join(sections) + "\n"
    (folder / "report.md").write_text(text, encoding="utf-8")
    return text
