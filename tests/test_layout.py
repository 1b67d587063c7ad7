"""The folders of rag/ follow the data, documents → index → search → answer → app: no module imports one of a
folder later in the flow, so each stage can be read, tested and replaced knowing only those before it; and
docs/architecture.md, drawn from them, matches the tree."""

import ast
import subprocess
import sys
from pathlib import Path

import rag

FLOW = ["documents", "index", "search", "answer", "app"]
RAG = Path(rag.__file__).parent
ROOT = RAG.parent


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
    return {name for name in names if name.startswith("rag.")}


def test_every_module_lives_in_a_stage_of_the_flow_or_is_the_shared_settings():
    loose = sorted(p.name for p in RAG.glob("*.py") if p.name not in ("__init__.py", "config.py"))
    folders = sorted(p.name for p in RAG.iterdir() if p.is_dir() and not p.name.startswith("__"))
    assert (loose, folders) == ([], sorted(FLOW))


def test_no_stage_imports_a_later_one():
    backwards = []
    for stage, folder in enumerate(FLOW):
        for path in sorted((RAG / folder).glob("*.py")):
            for name in _imported(path):
                used = name.split(".")[1]
                if used in FLOW and FLOW.index(used) > stage:
                    backwards.append(f"rag/{folder}/{path.name} imports {name}")
    assert backwards == []


def test_the_shared_settings_import_no_stage():
    assert {name for name in _imported(RAG / "config.py")} == set()


def test_the_architecture_page_drawn_from_the_code_matches_the_tree():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "architecture.py"), "--check"],
                          capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (0, "")
