"""Colours and line styles for report charts: colour-blind safe and WCAG 2.1 AA on white.

The Okabe–Ito palette is safe for the common colour-vision deficiencies, but several of
its colours fail WCAG 2.1 AA contrast on white (orange 2.2:1, sky blue 2.3:1, yellow
1.3:1, reddish purple 3.1:1). Each colour here is the Okabe–Ito hue darkened (HLS
lightness lowered) until its contrast ratio with white is at least 4.5:1, so lines,
legend text and hover labels all pass. Lines also differ in dash pattern, so no chart
relies on colour alone (WCAG 1.4.1).
"""

from __future__ import annotations

#: (name, Okabe–Ito original, darkened colour used); contrast on white >= 4.5:1
OKABE_ITO_DARK: tuple[tuple[str, str, str], ...] = (
    ("blue", "#0072B2", "#0072B2"),
    ("vermillion", "#D55E00", "#BD5300"),
    ("bluish green", "#009E73", "#008460"),
    ("reddish purple", "#CC79A7", "#BB4C89"),
    ("orange", "#E69F00", "#9B6B00"),
    ("sky blue", "#56B4E9", "#177BB3"),
    ("yellow", "#F0E442", "#7D750A"),
)
COLOURS: tuple[str, ...] = tuple(c for _, _, c in OKABE_ITO_DARK)
#: whole cohort, "unknown" levels and reference lines
NEUTRAL = "#4D4D4D"
DASHES: tuple[str, ...] = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid")
TEXT = "#1A1A1A"


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance of an ``#RRGGBB`` colour."""
    h = hex_colour.lstrip("#")
    out = []
    for i in (0, 2, 4):
        c = int(h[i : i + 2], 16) / 255
        out.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * out[0] + 0.7152 * out[1] + 0.0722 * out[2]


def contrast_ratio(fg: str, bg: str = "#FFFFFF") -> float:
    """WCAG 2.1 contrast ratio between two colours.

    Examples
    --------
    >>> round(contrast_ratio("#000000"), 1)
    21.0
    >>> contrast_ratio("#E69F00") < 3
    True
    """
    a, b = relative_luminance(fg), relative_luminance(bg)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def rgba(hex_colour: str, alpha: float) -> str:
    """``rgba(...)`` string of a colour with transparency (for confidence bands)."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def style_for(index: int, level: str) -> tuple[str, str]:
    """Colour and dash pattern of the ``index``-th level (``unknown`` and the whole cohort in grey)."""
    if level in ("unknown", "all", "U"):
        return NEUTRAL, "dot" if level != "all" else "solid"
    return COLOURS[index % len(COLOURS)], DASHES[index % len(DASHES)]
