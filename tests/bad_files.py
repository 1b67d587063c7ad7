"""Real damaged files, built from the project's own fixtures: a truncated PDF, a password-protected PDF,
DOCX files whose XML is malformed or over lxml's limits."""

from __future__ import annotations

import hashlib
import struct
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
GOOD_PDF = DATA / "formats" / "丽水市城市养犬管理规定(2020-08-14).pdf"
GOOD_DOCX = DATA / "formats" / "丽水市城市养犬管理规定(2020-08-14).docx"
# the padding string of the PDF standard security handler (ISO 32000-1, 7.6.3.3)
PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def truncated_pdf(path: Path) -> Path:
    """The fixture PDF cut in half, as an interrupted download leaves it."""
    data = GOOD_PDF.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _rc4(key: bytes, data: bytes) -> bytes:
    box, j = list(range(256)), 0
    for i in range(256):
        j = (j + box[i] + key[i % len(key)]) % 256
        box[i], box[j] = box[j], box[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + box[i]) % 256
        box[i], box[j] = box[j], box[i]
        out.append(byte ^ box[(box[i] + box[j]) % 256])
    return bytes(out)


def encrypted_pdf(path: Path, user_password: bytes = b"secret") -> Path:
    """A one-page PDF encrypted (RC4, revision 2) with a user password: it opens only with the password."""
    def padded(password: bytes) -> bytes:
        return (password + PAD)[:32]

    file_id, permissions = hashlib.md5(path.name.encode()).digest(), -4
    owner_key = _rc4(hashlib.md5(padded(b"owner")).digest()[:5], padded(user_password))
    key = hashlib.md5(padded(user_password) + owner_key + struct.pack("<i", permissions) + file_id).digest()[:5]
    content = _rc4(hashlib.md5(key + (4).to_bytes(3, "little") + (0).to_bytes(2, "little")).digest()[:10],
                   b"BT /F1 24 Tf 72 720 Td (Policy text behind a password) Tj ET")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>" % (
            owner_key.hex().encode(), _rc4(key, PAD).hex().encode(), permissions),
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 6 0 R /ID [<%s><%s>] >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, file_id.hex().encode(), file_id.hex().encode(), xref)
    path.write_bytes(bytes(out))
    return path


def docx_with_document_xml(path: Path, rewrite) -> Path:
    """The fixture DOCX with its word/document.xml passed through rewrite(bytes) -> bytes."""
    with zipfile.ZipFile(GOOD_DOCX) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, rewrite(data) if item.filename == "word/document.xml" else data)
    return path


def malformed_docx(path: Path) -> Path:
    """word/document.xml cut off in the middle of a tag."""
    return docx_with_document_xml(path, lambda xml: xml[: len(xml) // 2])


def oversized_xml_docx(path: Path) -> Path:
    """One run of 11 million characters: over lxml's 10 MB limit for a text node."""
    return docx_with_document_xml(path, lambda xml: xml.replace(b"<w:t>", b"<w:t>" + b"x" * 11_000_000, 1))


def oversized_file(path: Path, size: int) -> Path:
    """The fixture PDF padded (sparsely) to `size` bytes: a valid PDF, only too big."""
    path.write_bytes(GOOD_PDF.read_bytes())
    with path.open("r+b") as handle:
        handle.truncate(size)
    return path


def docx_unpacking_to(path: Path, size: int) -> Path:
    """The fixture DOCX with a part of zeros added, so that its parts unpack to `size` bytes in all."""
    with zipfile.ZipFile(GOOD_DOCX) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        left = size - sum(item.file_size for item in source.infolist())
        with target.open("word/media/padding.bin", "w", force_zip64=True) as padding:
            while left > 0:
                padding.write(bytes(min(left, 1 << 20)))
                left -= 1 << 20
    return path


def pdf_with_pages(path: Path, pages: int) -> Path:
    import pypdfium2

    document = pypdfium2.PdfDocument.new()
    for _ in range(pages):
        document.new_page(100, 100)
    document.save(path)
    return path


def docx_with_paragraphs(path: Path, count: int, paragraph: str = "<w:p/>") -> Path:
    """The fixture DOCX with `count` more paragraphs at the start of its body (3,000,000 empty ones zip to
    ~70 KB)."""
    def rewrite(xml: bytes) -> bytes:
        start = xml.index(b"<w:body>") + len(b"<w:body>")
        return xml[:start] + paragraph.encode() * count + xml[start:]

    return docx_with_document_xml(path, rewrite)


def allocate(size: int) -> bytes:
    """What a parser that needs `size` bytes does (run in the sandbox: this module imports nothing heavy)."""
    return bytes(size)


def wait_forever() -> None:
    """What a parser caught in a loop does."""
    import threading

    threading.Event().wait()
