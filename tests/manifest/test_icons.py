"""The committed Teams icons: sizes Teams accepts, and an outline that is white on transparent."""

from __future__ import annotations

from PIL import Image

from switchover.manifest import ACCENT_COLOR, MANIFEST_DIR


def test_color_icon_is_192_in_the_product_colour() -> None:
    with Image.open(MANIFEST_DIR / "color.png") as image:
        assert image.format == "PNG"
        assert image.size == (192, 192)
        rgba = image.convert("RGBA")
    accent = tuple(int(ACCENT_COLOR[i : i + 2], 16) for i in (1, 3, 5))
    colours = rgba.getcolors(maxcolors=192 * 192)
    assert colours is not None
    _, most_common = max(colours)
    assert most_common[:3] == accent and most_common[3] == 255


def test_outline_icon_is_32_white_on_transparent() -> None:
    with Image.open(MANIFEST_DIR / "outline.png") as image:
        assert image.format == "PNG"
        assert image.size == (32, 32)
        assert image.mode == "RGBA"
        data = image.tobytes()
    pixels = [tuple(data[i : i + 4]) for i in range(0, len(data), 4)]
    visible = [p for p in pixels if p[3] > 0]
    assert visible, "the outline icon is empty"
    assert all(p[:3] == (255, 255, 255) for p in visible), "outline icon pixels must be white"
    transparent = sum(1 for p in pixels if p[3] == 0)
    assert transparent > len(pixels) // 3, "the outline icon needs a transparent background"
    corners = [pixels[0], pixels[31], pixels[-32], pixels[-1]]
    assert all(p[3] == 0 for p in corners)
