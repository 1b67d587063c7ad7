"""Build the DOCX and PDF test fixtures from a Markdown regulation (run once; the outputs are committed).

DOCX: python-docx, one paragraph per Markdown paragraph, headings as Word headings. PDF: LibreOffice
converts that DOCX (`soffice --headless --convert-to pdf`), as an office would print it.
Usage: .venv/bin/python scripts/make_format_fixtures.py tests/data/regulations/X.md tests/data/formats
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import docx


def markdown_to_docx(markdown: Path, target: Path) -> None:
    document = docx.Document()
    for block in markdown.read_text(encoding="utf-8").split("\n"):
        line = block.strip()
        if not line or line == "<!-- INFO END -->":
            continue
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            document.add_heading(heading.group(2), level=len(heading.group(1)) - 1)
        else:
            document.add_paragraph(line)
    document.save(str(target))


def main() -> None:
    markdown, folder = Path(sys.argv[1]), Path(sys.argv[2])
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (markdown.stem + ".docx")
    markdown_to_docx(markdown, target)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(target)],
                   check=True, capture_output=True)
    print(target, target.with_suffix(".pdf"))


if __name__ == "__main__":
    main()
