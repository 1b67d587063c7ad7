"""A corpus file in any format an office publishes → plain text, pages separated by form feeds.

Text and Markdown are read as UTF-8; PDF through pdfplumber (its character positions let us rebuild
paragraphs that the page width broke); DOCX through python-docx (paragraphs and tables in body
order); HTML through trafilatura (the main text only, without menus and footers). Every failure is a
CorpusError whose message names the file and says what to do, in Chinese.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from rag.documents.corpus import SUFFIXES, CorpusError, read_text

PAGE_BREAK = "\f"  # between the pages of a PDF; parsers count them to keep page numbers
TEXT_SUFFIXES = (".txt", ".md", ".markdown")
# a PDF line this close to the page's longest line was wrapped by the page width, not ended
FULL_LINE_RATIO = 0.9
MIN_TEXT_CHARS_PER_PAGE = 20  # fewer than this on every page: a scan without a text layer
# a line that starts a numbered unit (第三条, 第二章, （一）, 一、) starts a paragraph of its own
# limits checked before a file is parsed: a parser given more can take minutes and gigabytes
MB = 1024 * 1024
MAX_FILE_BYTES = 50 * MB
MAX_DOCX_UNPACKED_BYTES = 200 * MB  # a DOCX is a zip: what its parts take once unpacked
MAX_PDF_PAGES = 2000
MAX_DOCX_PARAGRAPHS = 200_000  # a long regulation has ~5,000 (table cells count too); python-docx needs ~0.8 KB each
DOCX_PARAGRAPH = re.compile(rb"<w:p[\s/>]")
STARTS_PARAGRAPH = re.compile(r"^(第[一二三四五六七八九十百零]{1,5}[条章节编]|（[一二三四五六七八九十]{1,3}）|[一二三四五六七八九十]{1,3}、|附件)")


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


def extract_text(path: Path) -> str:
    """The file's text; PDF pages are joined with PAGE_BREAK. Whatever a damaged file makes a parser raise
    (pdfminer, lxml, zipfile …) becomes a CorpusError naming the file: one bad file never stops the rest."""
    suffix = path.suffix.lower()
    readers = {".pdf": _pdf_text, ".docx": _docx_text, ".html": _html_text, ".htm": _html_text,
               **dict.fromkeys(TEXT_SUFFIXES, read_text)}
    if suffix not in readers:
        raise CorpusError(f"{path}: 不支持的文件格式 {suffix or '（无扩展名）'}；支持 {'、'.join(SUFFIXES)}")
    try:
        _check_limits(path, suffix)
        return readers[suffix](path)
    except (CorpusError, MemoryError):  # MemoryError: over the sandbox's limit (rag.documents.sandbox)
        raise
    except Exception as error:
        raise CorpusError(f"无法读取 {path}：{_unreadable(error)}") from error


def _check_limits(path: Path, suffix: str) -> None:
    """Refuse a file over MAX_FILE_BYTES, a DOCX over MAX_DOCX_UNPACKED_BYTES unpacked or MAX_DOCX_PARAGRAPHS,
    a PDF over MAX_PDF_PAGES."""
    size = path.stat().st_size
    if not size:  # a PDF or DOCX parser would call it damaged
        raise CorpusError(f"无法读取 {path}：文件为空（0 字节），请重新导出或上传")
    if size > MAX_FILE_BYTES:
        raise CorpusError(f"无法读取 {path}：文件大小 {size / MB:.1f} MB，超过上限 {MAX_FILE_BYTES // MB} MB")
    if suffix == ".docx":
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())  # zipfile reads no more than this
            if unpacked > MAX_DOCX_UNPACKED_BYTES:
                raise CorpusError(f"无法读取 {path}：DOCX 解压后 {unpacked / MB:.1f} MB，超过上限 "
                                  f"{MAX_DOCX_UNPACKED_BYTES // MB} MB")
            if (paragraphs := _docx_paragraphs(archive)) > MAX_DOCX_PARAGRAPHS:
                raise CorpusError(f"无法读取 {path}：DOCX 共 {paragraphs} 段，超过上限 {MAX_DOCX_PARAGRAPHS} 段")
    if suffix == ".pdf" and (pages := _pdf_page_count(path)) > MAX_PDF_PAGES:
        raise CorpusError(f"无法读取 {path}：PDF 共 {pages} 页，超过上限 {MAX_PDF_PAGES} 页")


def _docx_paragraphs(archive: zipfile.ZipFile) -> int:
    """Paragraphs in the DOCX's main text, counted in its XML as it unpacks (no tree is built)."""
    count, tail = 0, b""
    with archive.open("word/document.xml") as xml:
        while block := xml.read(MB):
            block = tail + block
            count += len(DOCX_PARAGRAPH.findall(block))
            tail = block[-4:]  # a tag cut at the boundary; too short to hold a whole one (counted already)
    return count


def _pdf_page_count(path: Path) -> int:
    """The page count the PDF's page tree states, read without parsing any page."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    with path.open("rb") as handle:
        pages = resolve1(PDFDocument(PDFParser(handle)).catalog.get("Pages"))
        count = resolve1(pages.get("Count")) if isinstance(pages, dict) else None
    return count if isinstance(count, int) else 0


def _unreadable(error: Exception) -> str:
    """Why a parser gave up on a file, in a few words: pdfplumber wraps pdfminer's error in its own."""
    from pdfminer.pdfdocument import PDFEncryptionError

    causes = [error, *error.args[:1]]
    if any(isinstance(cause, PDFEncryptionError) for cause in causes):
        return "PDF 已加密，请提供未加密的版本"
    if "Resource limit exceeded" in str(error):  # lxml's limits (a text node over 10 MB, nesting too deep)
        return "文件内容超出解析上限"
    if isinstance(error, OSError) and error.strerror:
        return f"无法打开文件（{error.strerror}）"
    return "文件已损坏或不完整"


def _pdf_text(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        pages = [_pdf_page_lines(page) for page in pdf.pages]
    if not pages or all(len(re.sub(r"\s", "", "".join(lines))) < MIN_TEXT_CHARS_PER_PAGE for lines, _ in pages):
        raise CorpusError(f"{path}: PDF 没有文字层（可能是扫描件），无法提取文字；请提供带文字层的 PDF、DOCX 或文本文件")
    texts: list[list[str]] = []
    carried = False  # the previous page's last line runs on onto this page
    for lines, runs_on in pages:
        if carried and texts and texts[-1] and lines and not STARTS_PARAGRAPH.match(lines[0]):
            texts[-1][-1] += lines.pop(0)
        texts.append(lines)
        carried = runs_on
    return PAGE_BREAK.join("\n".join(lines) for lines in texts)


def _pdf_page_lines(page) -> tuple[list[str], bool]:
    """One page's paragraphs: a line that runs to the right margin without ending a sentence continues
    on the next line, unless that line starts a numbered clause. Also whether the last one runs on."""
    lines = page.extract_text_lines(layout=False, strip=True, return_chars=False)
    if not lines:
        return [], False
    widest = max(line["x1"] for line in lines)
    leftmost = min(line["x0"] for line in lines)
    full = leftmost + (widest - leftmost) * FULL_LINE_RATIO
    out: list[str] = []
    runs_on = False
    for line in lines:
        text = _join_cjk_spaces(line["text"])
        if runs_on and out and not STARTS_PARAGRAPH.match(text):
            out[-1] += text
        else:
            out.append(text)
        # a full line ending a sentence (。) is taken as a paragraph end; ；and ： lines go on (the
        # next 项 starts its own paragraph anyway)
        runs_on = line["x1"] >= full and not text.endswith(("。", "！", "？"))
    return out, runs_on


def _join_cjk_spaces(text: str) -> str:
    """pdfplumber puts a space between CJK characters set with extra tracking: 总 则 → 总则."""
    return re.sub(r"(?<=[\u4e00-\u9fff（）《》，。、；：])\s+(?=[\u4e00-\u9fff（）《》，。、；：])", "", text)


def _docx_text(path: Path) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text.strip())
        elif isinstance(block, Table):
            for row in block.rows:
                # a merged cell appears once per grid column it spans: keep it once
                cells = list({id(cell._tc): cell for cell in row.cells}.values())
                lines.append("\t".join(cell.text.strip().replace("\n", " ") for cell in cells))
    text = "\n".join(lines).strip()
    if not text:
        raise CorpusError(f"{path}: DOCX 文件中没有文字内容")
    return text


def _html_text(path: Path) -> str:
    import trafilatura

    html = read_text(path)
    text = trafilatura.extract(html, include_tables=True, include_comments=False, favor_recall=True,
                               output_format="txt", with_metadata=False)
    title = trafilatura.extract_metadata(html)
    if not text or not text.strip():
        raise CorpusError(f"{path}: 网页中没有找到正文")
    heading = (title.title or "").strip() if title else ""
    if heading and not text.lstrip().startswith(heading[:10]):
        text = f"{heading}\n{text}"  # trafilatura keeps the body; the page's title heads the document
    return text
