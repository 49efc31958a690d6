"""The shareable result poster: a PNG with the campaign title, score, a message and a QR code.

Drawn with Pillow in a CJK font from a Debian package (fonts-noto-cjk, installed by `make`); the
QR code comes from segno. Pure Python (no Flask).
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 750, 1100
TEAL, RED, AMBER, CREAM, SLATE, WHITE = "#0f5c63", "#c8402f", "#f2a93b", "#fff6e5", "#33414e", "#ffffff"
FONT_CANDIDATES = {
    "regular": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
                "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
                "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    "bold": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
             "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
             "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
             "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
}


class FontMissing(RuntimeError):
    """No CJK font is installed (apt-get install fonts-noto-cjk)."""


@lru_cache(maxsize=16)
def _font(weight: str, size: int) -> ImageFont.FreeTypeFont:
    for candidate in FONT_CANDIDATES[weight]:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    raise FontMissing("no CJK font found; install fonts-noto-cjk")


def _tokens(text: str) -> list[str]:
    """Chinese breaks between any two characters; Latin words stay whole."""
    return re.findall(r"[A-Za-z0-9'’.,:;!?%-]+\s*|\s+|.", text)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, max_lines: int) -> list[str]:
    lines, line = [], ""
    for token in _tokens(text):
        if line and draw.textlength((line + token).rstrip(), font=font) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
            if len(lines) == max_lines:
                return lines
        else:
            line += token
    if line.strip() and len(lines) < max_lines:
        lines.append(line.rstrip())
    return lines


def _centered(draw, y: int, text: str, font, fill) -> None:
    width = draw.textlength(text, font=font)
    draw.text(((WIDTH - width) / 2, y), text, font=font, fill=fill)


def qr_svg(url: str) -> str:
    """An inline SVG QR code for printed posters (no style attributes: the CSP forbids them)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=8, border=2, xmldecl=False, svgns=True,
                                    dark=TEAL, svgclass="qr", lineclass=None, omitsize=True)
    return buffer.getvalue().decode()


def render(*, campaign_title: str, headline: str, score: str, unit: str, detail: str, message: str, url: str,
           scan_hint: str, brand: str) -> bytes:
    """The poster as PNG bytes. Every text is already translated by the caller."""
    image = Image.new("RGB", (WIDTH, HEIGHT), CREAM)
    draw = ImageDraw.Draw(image)
    _draw_banner(draw, brand, campaign_title)
    _draw_score_card(draw, headline, score, unit, detail)
    y = 668
    for line in _wrap(draw, message, _font("regular", 30), WIDTH - 120, 3):
        _centered(draw, y, line, _font("regular", 30), SLATE)
        y += 42
    image.paste(_qr_image(url, 210), ((WIDTH - 210) // 2, 820))
    _centered(draw, 1046, scan_hint, _font("regular", 26), SLATE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _draw_banner(draw, brand: str, campaign_title: str) -> None:
    """The teal band at the top: the brand and the campaign's title (two lines at most)."""
    draw.rectangle((0, 0, WIDTH, 300), fill=TEAL)
    draw.ellipse((WIDTH - 220, -120, WIDTH + 120, 220), fill="#17707a")
    draw.polygon(((60, 250), (110, 250), (85, 292)), fill=AMBER)
    _centered(draw, 46, brand, _font("regular", 30), CREAM)
    y = 100
    for line in _wrap(draw, campaign_title, _font("bold", 48), WIDTH - 100, 2):
        _centered(draw, y, line, _font("bold", 48), WHITE)
        y += 64


def _draw_score_card(draw, headline: str, score: str, unit: str, detail: str) -> None:
    """The white card: the headline, the score in large type with its unit, and the detail line."""
    draw.rounded_rectangle((60, 330, WIDTH - 60, 640), radius=36, fill=WHITE, outline=AMBER, width=6)
    _centered(draw, 360, headline, _font("regular", 34), SLATE)
    big, small = _font("bold", 150), _font("regular", 40)
    total = draw.textlength(score, font=big) + 12 + draw.textlength(unit, font=small)
    left = (WIDTH - total) / 2
    draw.text((left, 400), score, font=big, fill=RED)
    draw.text((left + draw.textlength(score, font=big) + 12, 525), unit, font=small, fill=SLATE)
    _centered(draw, 590, detail, _font("regular", 28), SLATE)


def _qr_image(url: str, size: int) -> Image.Image:
    """A QR code of ``url`` as a ``size``-pixel square image."""
    qr = segno.make(url, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=6, border=2, dark=TEAL, light=WHITE)
    code = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    return code.resize((size, size), Image.NEAREST)
