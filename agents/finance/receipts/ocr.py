"""Text from a receipt file, offline: Tesseract (Debian's ``tesseract-ocr`` with ``tesseract-ocr-deu`` and
``-eng``) reads photos and scans; a PDF's own text layer is used when it has one, else its pages are drawn
with Poppler's ``pdftoppm`` and read by Tesseract. No network, no model download."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from io import BytesIO
from pathlib import Path

LANGUAGES = "deu+eng"
TIMEOUT_S = 120
MAX_PDF_PAGES = 5


class OcrError(Exception):
    """The file could not be read (one line says why)."""


def media_type(data: bytes) -> str:
    """``jpeg``, ``png`` or ``pdf`` from the file's first bytes (not its name), else ``""``."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:5] == b"%PDF-":
        return "pdf"
    return ""


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise OcrError(f"the text recognition program ({name}) is not installed here; see docs/finance.md, Receipts")
    return found


def ocr_image(path: Path) -> str:
    """Tesseract on one image file (page segmentation 4: one column of lines of varying size, as a receipt)."""
    try:
        done = subprocess.run([_tool("tesseract"), str(path), "stdout", "-l", LANGUAGES, "--psm", "4"],
                              capture_output=True, timeout=TIMEOUT_S, check=False,
                              env={**os.environ, "OMP_THREAD_LIMIT": "1"})  # one page: threads only contend
    except subprocess.TimeoutExpired as exc:
        raise OcrError(f"reading the image took longer than {TIMEOUT_S} s") from exc
    if done.returncode != 0:
        raise OcrError("the image could not be read (not a picture Tesseract can open)")
    return done.stdout.decode("utf-8", "replace")


def _pdf_text(data: bytes) -> tuple[str, int]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(BytesIO(data))
        pages = reader.pages[:MAX_PDF_PAGES]
        return "\n".join((p.extract_text() or "") for p in pages), len(pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise OcrError("the PDF is damaged or incomplete") from exc


def ocr_pdf(path: Path) -> str:
    text, _pages = _pdf_text(path.read_bytes())
    if sum(c.isalnum() for c in text) >= 20:
        return text
    with tempfile.TemporaryDirectory(prefix="pa-receipt-") as tmp:
        try:
            done = subprocess.run([_tool("pdftoppm"), "-r", "300", "-gray", "-png", "-l", str(MAX_PDF_PAGES),
                                   str(path), str(Path(tmp) / "page")], capture_output=True, timeout=TIMEOUT_S,
                                  check=False)
        except subprocess.TimeoutExpired as exc:
            raise OcrError(f"drawing the PDF's pages took longer than {TIMEOUT_S} s") from exc
        if done.returncode != 0:
            raise OcrError("the PDF is damaged or incomplete")
        return "\n".join(ocr_image(p) for p in sorted(Path(tmp).glob("page*.png")))


def read_text(path: Path, kind: str) -> str:
    return ocr_pdf(path) if kind == "pdf" else ocr_image(path)
