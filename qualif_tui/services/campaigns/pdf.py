"""PDF pages for letters, labels and envelopes (fpdf2), and the font they print in.

French text needs more than PDF's built-in Helvetica can encode (``œ``, ``€``,
``…``, typographic apostrophes): a Unicode TrueType font is used when the
machine has one where such fonts usually live (DejaVu on Linux, Arial on
Windows and macOS; ``QUALIF_PDF_FONT`` names another). Without one, Helvetica
prints the text with those few characters spelled out (``oe``, ``EUR``), never
an error.
"""

from __future__ import annotations

import os
from pathlib import Path

from fpdf import FPDF

_REGULAR_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "C:/Windows/Fonts/arial.ttf",
    "/Library/Fonts/Arial.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
)
_BOLD_NAMES = {
    "DejaVuSans.ttf": "DejaVuSans-Bold.ttf",
    "LiberationSans-Regular.ttf": "LiberationSans-Bold.ttf",
    "arial.ttf": "arialbd.ttf",
    "Arial.ttf": "Arial Bold.ttf",
}
_SPELLED = str.maketrans({"œ": "oe", "Œ": "OE", "€": "EUR", "…": "...", "’": "'", "‘": "'",
                          "“": '"', "”": '"', "–": "-", "—": "-", "\u202f": " ",
                          "\u2009": " "})
FAMILY = "qualif"


def unicode_font() -> tuple[Path, Path | None] | None:
    """(regular, bold) TrueType files, or None when the machine has none we know."""
    named = os.environ.get("QUALIF_PDF_FONT")
    candidates = ((named,) if named else ()) + _REGULAR_CANDIDATES
    for candidate in candidates:
        path = Path(candidate)
        if path.is_file():
            bold = path.with_name(_BOLD_NAMES.get(path.name, ""))
            return path, bold if bold.name and bold.is_file() else None
    return None


class Pdf(FPDF):
    """An A4 (or given size) document in millimetres with the Unicode font set up."""

    def __init__(self, width: float = 210.0, height: float = 297.0) -> None:
        super().__init__(unit="mm", format=(width, height))
        self.set_auto_page_break(False)
        self.set_margins(0, 0, 0)
        self.set_creator("qualif")
        font = unicode_font()
        self.unicode = font is not None
        if font is not None:
            regular, bold = font
            self.add_font(FAMILY, "", str(regular))
            self.add_font(FAMILY, "B", str(bold or regular))
            self.family = FAMILY
        else:
            self.family = "helvetica"

    def use(self, size: float, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)

    def printable(self, text: str) -> str:
        """``text`` as the current font can print it."""
        if self.unicode:
            return text
        return text.translate(_SPELLED).encode("latin-1", "replace").decode("latin-1")

    def width_of(self, text: str) -> float:
        return float(self.get_string_width(self.printable(text)))
