"""Hostile files written by the tests themselves (refs #13): raw PDF bytes made with zlib."""
from __future__ import annotations

import zlib


def raw_pdf(content: bytes, filters: int = 1, compressed: bytes | None = None) -> bytes:
    """A one-page PDF whose content stream is `content`, flate-compressed `filters` times
    (or `compressed`, already flated `filters` times)."""
    data = content
    for _ in range(filters if compressed is None else 0):
        data = zlib.compress(data, 9)
    data = data if compressed is None else compressed
    names = " ".join(["/FlateDecode"] * filters)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter [%s] >>\nstream\n" % (len(data), names.encode()) + data
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def text_pdf(text: str) -> bytes:
    """A healthy one-page PDF with one line of text."""
    return raw_pdf(b"BT /F1 12 Tf 72 720 Td (" + text.encode("latin-1") + b") Tj ET")


def many_operators_pdf(count: int) -> bytes:
    """A small PDF whose page draws `count` one-letter text operators."""
    return raw_pdf(b"BT /F1 1 Tf " + b"(a) Tj " * count + b"ET")


def flate_bomb_pdf(inflated_mb: int) -> bytes:
    """A PDF of a few kB whose content stream inflates to `inflated_mb` MB (flate twice)."""
    # a raw deflate stream flushed fully after each MB: every MB after the first compresses to
    # the same bytes, so the inner stream is built by repetition in milliseconds
    zeros = b"0" * 2**20
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = raw.compress(zeros) + raw.flush(zlib.Z_FULL_FLUSH)
    block = raw.compress(zeros) + raw.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(inflated_mb):
        checksum = zlib.adler32(zeros, checksum)
    data = (b"\x78\xda" + first + block * (inflated_mb - 1) + raw.flush()
            + checksum.to_bytes(4, "big"))
    return raw_pdf(b"", filters=2, compressed=zlib.compress(data, 9))


def blank_pages_pdf(pages: int) -> bytes:
    """A PDF of `pages` empty pages sharing one content stream (OCR would read every one)."""
    kids = " ".join(f"{4 + n} 0 R" for n in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
               b"<< /Length 0 >>\nstream\n\nendstream"]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>"
                ] * pages
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)
