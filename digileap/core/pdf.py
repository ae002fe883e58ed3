"""A minimal, valid one-page PDF with a line of text: the documents the demo and the seed scenarios
upload (media concepts, invoices, signed agreements) without rendering anything. It passes the
content check of ``digileap.core.uploads`` as a PDF."""

import io
import os

from django.core.files.base import ContentFile


def pdf_file(name: str, title: str) -> ContentFile:
    """A one-page PDF whose only text is ``title`` (ASCII), named ``name``."""
    text = title.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 56 780 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return ContentFile(out.getvalue(), name=name)


# 1980-01-01, the earliest moment a ZIP entry can carry (evidence packs date their entries alike).
FONT_TIMESTAMP = "315532800"


def reproducible_fonts() -> None:
    """Make the fonts WeasyPrint embeds the same bytes on every run.

    WeasyPrint subsets each font with fontTools, which stamps the subset's ``head`` table with the
    current second unless ``SOURCE_DATE_EPOCH`` is set (the reproducible-builds convention). Without
    this, one document rendered twice differs in a few bytes whenever the second changes. A value the
    deployment sets is kept."""
    os.environ.setdefault("SOURCE_DATE_EPOCH", FONT_TIMESTAMP)
