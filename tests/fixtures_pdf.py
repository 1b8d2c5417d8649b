"""Small PDFs made with reportlab for the PDF reader's tests.

A page is described by a list of :class:`Text` items placed by their distance from the
top of the page, so tests read like the page looks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

WIDTH, HEIGHT = A4


@dataclass(frozen=True)
class Text:
    """A string drawn at ``x`` points from the left and ``top`` points from the top."""

    text: str
    x: float
    top: float
    size: float = 12.0
    font: str = "Times-Roman"
    rise: float = 0.0  # positive: raised above the baseline (a superscript)


def justified(
    words: Sequence[str], x: float, top: float, *, gap: float, size: float = 12.0
) -> list[Text]:
    """Words drawn one by one ``gap`` points apart with no space characters (like a
    justified line whose spaces exist only as positions)."""
    items = []
    for word in words:
        items.append(Text(word, x, top, size))
        x += stringWidth(word, "Times-Roman", size) + gap
    return items


def write_pdf(
    path: Path,
    pages: Sequence[Sequence[Text]],
    *,
    encrypt: str | None = None,
    images: Sequence[int] = (),
) -> Path:
    """Write ``pages`` to ``path``; pages whose 0-based index is in ``images`` get a
    full-page picture instead of text (a scanned page)."""
    c = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    for index, items in enumerate(pages):
        if index in images:
            _draw_image(c)
        for item in items:
            c.setFont(item.font, item.size)
            c.drawString(item.x, HEIGHT - item.top - item.size + item.rise, item.text)
        c.showPage()
    c.save()
    return path


def _draw_image(c: canvas.Canvas) -> None:
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader

    image = Image.new("L", (400, 560), 255)
    draw = ImageDraw.Draw(image)
    for y in range(40, 520, 16):
        draw.line((40, y, 360, y), fill=0, width=3)  # lines of "print" on the scan
    c.drawImage(ImageReader(image), 40, 40, width=WIDTH - 80, height=HEIGHT - 80)


def body(
    lines: Sequence[str], *, top: float = 120, x: float = 72, leading: float = 16
) -> list[Text]:
    """Plain body lines, one under the other."""
    return [Text(text, x, top + i * leading) for i, text in enumerate(lines)]
