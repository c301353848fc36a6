"""Draw Switchover's two Teams icons once; the PNGs are committed beside this file.

Run ``.venv/bin/python manifest/icons.py`` only to change the mark. Teams wants a
192x192 full-colour icon and a 32x32 outline icon that is white on transparent.
The mark is a toggle switch (a rounded track with its knob moved across), the
"switch over" the product is named for.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
# The product colour; also the manifest's accentColor.
PRODUCT_COLOUR = "#0E7C86"
WHITE = (255, 255, 255, 255)
# Draw large and scale down so the edges are smooth at 32 px.
SUPERSAMPLE = 8


def _draw_mark(draw: ImageDraw.ImageDraw, size: int, inset: float, fill: tuple[int, int, int, int]) -> None:
    """A switch: an outlined track with a solid knob on the right ("switched over")."""
    left, right = size * inset, size * (1 - inset)
    height = (right - left) * 0.5
    top = (size - height) / 2
    bottom = top + height
    stroke = max(1, round(height * 0.14))
    draw.rounded_rectangle((left, top, right, bottom), radius=height / 2, outline=fill, width=stroke)
    knob_pad = stroke * 1.9
    knob = (right - height + knob_pad, top + knob_pad, right - knob_pad, bottom - knob_pad)
    draw.ellipse(knob, fill=fill)
    # A small arrow in the free half of the track: the direction of the move.
    mid = (top + bottom) / 2
    ax0 = left + height * 0.45
    ax1 = knob[0] - height * 0.22
    shaft = max(1, round(stroke * 0.8))
    draw.line((ax0, mid, ax1, mid), fill=fill, width=shaft)
    head = height * 0.2
    draw.polygon([(ax1 + head * 0.2, mid), (ax1 - head, mid - head), (ax1 - head, mid + head)], fill=fill)


def color_icon(size: int = 192) -> Image.Image:
    """The full-colour icon: the white mark on a rounded square in the product colour."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 0.18, fill=PRODUCT_COLOUR)
    _draw_mark(draw, big, inset=0.16, fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def outline_icon(size: int = 32) -> Image.Image:
    """The outline icon: the mark alone, pure white, on a transparent background."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    _draw_mark(ImageDraw.Draw(image), big, inset=0.04, fill=WHITE)
    small = image.resize((size, size), Image.Resampling.LANCZOS)
    # Resampling blends colour into edge pixels; Teams wants white only, so keep just the alpha.
    alpha = small.getchannel("A")
    white = Image.new("RGBA", (size, size), WHITE)
    white.putalpha(alpha)
    return white


def main() -> None:
    """Write color.png and outline.png next to this file."""
    color_icon().save(HERE / "color.png", optimize=True)
    outline_icon().save(HERE / "outline.png", optimize=True)


if __name__ == "__main__":
    main()
