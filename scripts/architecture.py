#!/usr/bin/env python3
"""Draws docs/architecture.md's picture and module table from the code: the folders of rag/ (the stages), the
modules in each with the first line of their docstring, and how many imports go from one stage to another.
`--check` exits 1 when the committed page no longer matches the tree (the tests run it)."""

from __future__ import annotations

import ast
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "architecture.md"
FLOW = ["documents", "index", "search", "answer", "app"]
START, END = "<!-- drawn by scripts/architecture.py: do not edit below -->", "<!-- end of drawing -->"


def modules(stage: str) -> list[Path]:
    return sorted(p for p in (ROOT / "rag" / stage).glob("*.py") if p.name != "__init__.py")


def summary(path: Path) -> str:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    first = doc.split("\n\n")[0].replace("\n", " ")
    return re.split(r"\.\s+(?=[A-Z`(])", first)[0].rstrip(".")  # its first sentence


def stage_imports(path: Path) -> list[str]:
    used = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else (
            [a.name for a in node.names] if isinstance(node, ast.Import) else [])
        used += [n.split(".")[1] for n in names if n.startswith("rag.") and n.split(".")[1] in FLOW]
    return used


def drawing() -> str:
    lines = ["```mermaid", "flowchart LR"]
    for stage in FLOW:
        names = "<br/>".join(p.stem for p in modules(stage))
        lines.append(f'  {stage}["<b>rag/{stage}/</b><br/>{names}"]')
    edges = Counter((stage, used) for stage in FLOW for path in modules(stage)
                    for used in stage_imports(path) if used != stage)
    lines += [f"  {used} -->|{count}| {stage}" for (stage, used), count in sorted(edges.items(),
              key=lambda e: (FLOW.index(e[0][1]), FLOW.index(e[0][0])))]
    lines += ["```", "", "An arrow is one stage used by another; its number, how many imports make it.", ""]
    for stage in FLOW:
        lines += [f"**rag/{stage}/** — {summary(ROOT / 'rag' / stage / '__init__.py')}", ""]
        lines += ["| module | what it does |", "|---|---|"]
        lines += [f"| `{p.stem}` | {summary(p)} |" for p in modules(stage)]
        lines.append("")
    return "\n".join(lines)


def page_with_drawing(page: str) -> str:
    head = page.split(START)[0]
    tail = page.split(END)[1] if END in page else "\n"
    return f"{head}{START}\n\n{drawing()}\n{END}{tail}"


def main() -> int:
    page = PAGE.read_text(encoding="utf-8")
    drawn = page_with_drawing(page)
    if "--check" in sys.argv:
        if drawn != page:
            print("docs/architecture.md 与代码不符：请运行 python scripts/architecture.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(drawn, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
