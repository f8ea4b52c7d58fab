"""Colours as the browser computes them, and the WCAG contrast ratio between two of them."""

from __future__ import annotations

import re

from playwright.sync_api import Locator

RGB = re.compile(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+))?\s*\)")

# The element's text colour, and the first opaque background behind it (the page's if none).
COLOURS = """e => {
  const opaque = c => c && c !== 'transparent' && !/rgba\\(.*,\\s*0\\)$/.test(c);
  let node = e, background = null;
  while (node && !opaque(background)) {
    background = getComputedStyle(node).backgroundColor;
    node = node.parentElement;
  }
  return {text: getComputedStyle(e).color, background: opaque(background) ? background : 'rgb(255, 255, 255)'};
}"""


def rgb(css: str) -> tuple[float, float, float]:
    """An `rgb()`/`rgba()` colour as three 0-255 channels."""
    match = RGB.fullmatch(css.strip())
    if not match:
        raise ValueError(f"cannot read the colour {css!r} (expected rgb() or rgba())")
    return tuple(float(match[i]) for i in (1, 2, 3))


def luminance(css: str) -> float:
    """WCAG relative luminance of a colour."""
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in rgb(css))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_contrast(element: Locator) -> tuple[float, dict]:
    """The contrast of an element's text against what lies behind it, and the two colours."""
    colours = element.evaluate(COLOURS)
    return contrast(colours["text"], colours["background"]), colours
