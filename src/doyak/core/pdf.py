"""Korean PDF documents (fpdf2) in the Pretendard font that npm installs at set-up (``node_modules/pretendard``;
never committed): one place that finds the font and starts a document, for every app that prints one."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from fpdf import FPDF

from .errors import NotFound

FONT_FAMILY = "Pretendard"


def font_dir() -> Path:
    return Path(settings.NODE_MODULES_DIR) / "pretendard" / "dist" / "public" / "static" / "alternative"


def font_path(name: str) -> Path:
    path = font_dir() / f"Pretendard-{name}.ttf"
    if not path.exists():
        raise NotFound("The Korean font is not installed (npm install pretendard).", code="font_missing")
    return path


def korean_pdf(*, title: str, orientation: str = "P", margin: float = 18) -> FPDF:
    """An A4 document with Pretendard regular ("") and bold ("B") registered and ``title`` as its metadata."""
    pdf = FPDF(orientation=orientation, format="A4")
    pdf.set_margins(margin, margin, margin)
    pdf.add_font(FONT_FAMILY, "", str(font_path("Regular")))
    pdf.add_font(FONT_FAMILY, "B", str(font_path("Bold")))
    pdf.set_title(title)
    return pdf
