"""Small files that would be huge work: the shapes issue 26 attacked intake with, made here.

- `blank_pdf(pages)`: a valid PDF of `pages` empty A4 pages (5,000 pages: ~300 KB; the issue's was
  644 KB), written by hand (PDF 1.4, one object per page, a cross-reference table).
- `huge_png(width, height)`: a valid black-and-white PNG of that many pixels, all white, its data
  compressed as it is written (30,000 x 30,000: ~110 KB; the issue's was 946 KB).
"""

from __future__ import annotations

import struct
import zlib


def blank_pdf(pages: int, *, width: float = 595, height: float = 842) -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(f"{n + 3} 0 R".encode() for n in range(pages))
        + f"] /Count {pages} >>".encode(),
    ]
    page = f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:g} {height:g}] >>".encode()
    objects += [page] * pages
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def huge_png(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit grey
    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter 0, white
    compressor = zlib.compressobj(9)
    data = bytearray()
    rows_at_once = max(1, (1 << 22) // len(row))
    for start in range(0, height, rows_at_once):
        data += compressor.compress(row * min(rows_at_once, height - start))
    data += compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", bytes(data))
        + _chunk(b"IEND", b"")
    )
