"""Address labels on A4 sheets and addressed envelopes, as PDF.

Sheets: Avery/Herma L7160 (3 × 7, 63.5 × 38.1 mm), L7163 (2 × 7, 99.1 × 38.1
mm), L7173 (2 × 5, 99.1 × 57 mm), or a custom grid (``3x8:70x37`` — columns ×
rows : width × height in mm, centred on the page, with optional
``:top=…,left=…,hgap=…,vgap=…``). Printing may start at label N of a sheet
already partly used. Envelopes: DL (220 × 110 mm) and C5 (229 × 162 mm), one per
page, the address where the window of a windowed envelope is (100 × 45 mm, 20 mm
from the right edge and 15 mm from the bottom), the sender's in the top corner.

Each label holds La Poste's six lines (:mod:`.postal`); the font shrinks to fit
a long line, and a sheet whose labels cannot hold six lines at the chosen size
is refused with the size it would take.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from qualif_tui.base.i18n import _
from qualif_tui.domain.errors import ValidationError
from qualif_tui.services.campaigns.core import Campaign
from qualif_tui.services.campaigns.fields import sender_fields
from qualif_tui.services.campaigns.pdf import Pdf
from qualif_tui.services.campaigns.postal import MAX_CHARS, MAX_LINES, PostalAddress, format_address
from qualif_tui.storage import Database

PT = 25.4 / 72  # one point in millimetres
LINE_SPACING = 1.15
PADDING = 2.5  # mm inside each label
MIN_FONT = 6.0


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: int
    rows: int
    width: float
    height: float
    top: float
    left: float
    hgap: float = 0.0
    vgap: float = 0.0
    font_size: float = 10.0

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def cell(self, index: int) -> tuple[float, float]:
        """Top-left corner (mm) of label ``index`` (0-based) on its page."""
        row, column = divmod(index % self.per_page, self.columns)
        return (self.left + column * (self.width + self.hgap),
                self.top + row * (self.height + self.vgap))


SHEETS: dict[str, Sheet] = {
    "L7160": Sheet("L7160", 3, 7, 63.5, 38.1, 15.15, 7.25, hgap=2.54, font_size=8.0),
    "L7163": Sheet("L7163", 2, 7, 99.1, 38.1, 15.15, 4.65, hgap=2.5, font_size=10.0),
    "L7173": Sheet("L7173", 2, 5, 99.1, 57.0, 6.0, 4.65, hgap=2.5, font_size=11.0),
}
_CUSTOM = re.compile(r"^\s*(\d+)\s*[x×]\s*(\d+)\s*:\s*([\d.,]+)\s*[x×]\s*([\d.,]+)\s*(?::(.*))?$")


def _mm(text: str) -> float:
    return float(text.replace(",", "."))


def parse_sheet(text: str) -> Sheet:
    """A sheet by name (``L7160``) or a custom grid (``3x8:70x37[:top=…,left=…]``)."""
    named = SHEETS.get(text.strip().upper())
    if named is not None:
        return named
    match = _CUSTOM.match(text)
    if match is None:
        raise ValidationError(_("planche « {text} » inconnue : L7160, L7163, L7173 ou une grille"
                                " comme 3x8:70x37 (colonnes x lignes : largeur x hauteur en mm)")
                              .format(text=text), "sheet")
    columns, rows = int(match.group(1)), int(match.group(2))
    width, height = _mm(match.group(3)), _mm(match.group(4))
    extras: dict[str, float] = {}
    for part in filter(None, (match.group(5) or "").split(",")):
        name, _eq, value = part.partition("=")
        if name.strip() not in ("top", "left", "hgap", "vgap") or not value:
            raise ValidationError(_("réglage de planche « {part} » inconnu (top, left, hgap,"
                                    " vgap)").format(part=part), "sheet")
        extras[name.strip()] = _mm(value)
    if not (columns and rows and width > 0 and height > 0):
        raise ValidationError(_("une planche a au moins une étiquette"), "sheet")
    hgap, vgap = extras.get("hgap", 0.0), extras.get("vgap", 0.0)
    left = extras.get("left", (210 - columns * width - (columns - 1) * hgap) / 2)
    top = extras.get("top", (297 - rows * height - (rows - 1) * vgap) / 2)
    if left < 0 or top < 0 or left + columns * width + (columns - 1) * hgap > 210.01 \
            or top + rows * height + (rows - 1) * vgap > 297.01:
        raise ValidationError(_("la grille {text} dépasse d'une feuille A4 (210 × 297 mm)")
                              .format(text=text.strip()), "sheet")
    return Sheet(text.strip(), columns, rows, width, height, top, left, hgap, vgap,
                 font_size=min(10.0, max(MIN_FONT, height / (MAX_LINES * LINE_SPACING * PT)
                                         - 1)))


@dataclass(frozen=True)
class Envelope:
    name: str
    width: float
    height: float
    # the window of a windowed envelope: x, y, width, height (mm)
    window: tuple[float, float, float, float]


ENVELOPES: dict[str, Envelope] = {
    "DL": Envelope("DL", 220, 110, (100, 50, 100, 45)),
    "C5": Envelope("C5", 229, 162, (109, 102, 100, 45)),
}


def parse_envelope(text: str) -> Envelope:
    found = ENVELOPES.get(text.strip().upper())
    if found is None:
        raise ValidationError(_("enveloppe « {text} » inconnue : DL ou C5").format(text=text),
                              "envelope")
    return found


# -- addresses ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Addressee:
    contact_id: int
    name: str
    address: PostalAddress


def addressees(db: Database, campaign: Campaign) -> tuple[list[Addressee], list[tuple[int, str]]]:
    """The campaign's recipients with a postal address (by name), and those without."""
    rows = db.query(
        "SELECT c.id, c.first_name, c.last_name, c.company, c.title, c.address, c.address2,"
        " c.postal_code, c.city, c.country FROM campaign_recipients r"
        " JOIN contacts c ON c.id = r.contact_id WHERE r.campaign_id = ?"
        " ORDER BY c.postal_code, c.sort_key, c.id", (campaign.id,))
    found: list[Addressee] = []
    missing: list[tuple[int, str]] = []
    for row in rows:
        name = " ".join(p for p in (row["first_name"], row["last_name"]) if p) or row["company"]
        if not (row["address"] or row["address2"]).strip() or not (
                row["postal_code"] or row["city"]).strip():
            missing.append((row["id"], name))
            continue
        found.append(Addressee(row["id"], name, format_address(
            first_name=row["first_name"], last_name=row["last_name"], company=row["company"],
            title=row["title"], address=row["address"], address2=row["address2"],
            postal_code=row["postal_code"], city=row["city"], country=row["country"])))
    return found, missing


@dataclass
class PrintReport:
    path: Path
    printed: int
    pages: int
    problems: list[str] = field(default_factory=list)  # "Jean Dupont (#12) : ligne 4 coupée…"
    missing: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [_("{n} adresse(s) sur {p} page(s) : {path}").format(n=self.printed, p=self.pages,
                                                                   path=self.path)]
        out += self.notes
        if self.missing:
            names = ", ".join(f"{n} (#{i})" for i, n in self.missing[:5])
            out.append(_("{n} destinataire(s) sans adresse postale, pas imprimé(s) : {names}{more}")
                       .format(n=len(self.missing), names=names,
                               more="…" if len(self.missing) > 5 else ""))
        for problem in self.problems[:20]:
            out.append("  " + problem)
        if len(self.problems) > 20:
            out.append(_("  … et {n} autre(s)").format(n=len(self.problems) - 20))
        return out


def _problems(people: list[Addressee]) -> list[str]:
    return [f"{p.name} (#{p.contact_id}) : {problem}"
            for p in people for problem in p.address.problems]


def _check_fits(pdf: Pdf, sheet: Sheet, size: float) -> float:
    """The font size the sheet can take (shrunk to fit 38 characters), or refuse."""
    need = MAX_LINES * size * LINE_SPACING * PT + 2 * PADDING
    if need > sheet.height:
        raise ValidationError(_("étiquettes de {h} mm trop basses pour {n} lignes en {size} pt"
                                " (il faut {need} mm) : choisissez une taille de police plus"
                                " petite (--font-size)").format(
                                    h=f"{sheet.height:g}", n=MAX_LINES, size=f"{size:g}",
                                    need=f"{need:.1f}"), "font_size")
    usable = sheet.width - 2 * PADDING
    pdf.use(size)
    typical = pdf.width_of("0" * MAX_CHARS)
    if typical > usable:
        size = size * usable / typical
    if size < MIN_FONT:
        raise ValidationError(_("étiquettes de {w} mm trop étroites pour {n} caractères, même en"
                                " {min} pt").format(w=f"{sheet.width:g}", n=MAX_CHARS,
                                                    min=f"{MIN_FONT:g}"), "sheet")
    return size


def _write_block(pdf: Pdf, lines: list[str], x: float, y: float, width: float, size: float
                 ) -> None:
    """Address lines from (x, y), each shrunk if wider than ``width``."""
    pdf.use(size)
    widest = max((pdf.width_of(line) for line in lines), default=0.0)
    if widest > width:
        size = max(MIN_FONT - 1, size * width / widest)
        pdf.use(size)
    step = size * LINE_SPACING * PT
    for number, line in enumerate(lines):
        pdf.set_xy(x, y + number * step)
        pdf.cell(width, step, pdf.printable(line))


def write_labels(db: Database, campaign: Campaign, path: str | Path, *,
                 sheet: Sheet | str = "L7160", start: int = 1, font_size: float | None = None,
                 progress: Callable[[int, int], None] | None = None) -> PrintReport:
    """One label per recipient with a postal address; ``start``: the first free label
    (1-based) of the first sheet."""
    chosen = parse_sheet(sheet) if isinstance(sheet, str) else sheet
    if not 1 <= start <= chosen.per_page:
        raise ValidationError(_("--start est entre 1 et {n} (étiquettes par planche)").format(
            n=chosen.per_page), "start")
    people, missing = addressees(db, campaign)
    return render_labels(people, Path(path), chosen, start=start, font_size=font_size,
                         missing=missing, progress=progress)


def render_labels(people: list[Addressee], path: Path, sheet: Sheet, *, start: int = 1,
                  font_size: float | None = None, missing: list[tuple[int, str]] | None = None,
                  progress: Callable[[int, int], None] | None = None) -> PrintReport:
    pdf = Pdf()
    pdf.set_title(_("Étiquettes"))
    size = _check_fits(pdf, sheet, font_size or sheet.font_size)
    usable = sheet.width - 2 * PADDING
    block = MAX_LINES * size * LINE_SPACING * PT
    for index, person in enumerate(people):
        slot = start - 1 + index
        if slot % sheet.per_page == 0 or index == 0:
            pdf.add_page()
        x, y = sheet.cell(slot)
        lines = person.address.lines
        # centred vertically as a six-line block: labels of a sheet line up
        top = y + (sheet.height - block) / 2 + (MAX_LINES - len(lines)) * size * PT * 0.5
        _write_block(pdf, lines, x + PADDING, top, usable, size)
        if progress and index % 500 == 499:
            progress(index + 1, len(people))
    pages = math.ceil((start - 1 + len(people)) / sheet.per_page) if people else 0
    if not people:
        pdf.add_page()
    _save(pdf, path)
    notes = [] if pdf.unicode else [_("police Unicode introuvable : œ et € écrits oe et EUR")]
    return PrintReport(path, len(people), pages, _problems(people), missing or [], notes)


def write_envelopes(db: Database, campaign: Campaign, path: str | Path, *,
                    envelope: Envelope | str = "DL", font_size: float = 11.0) -> PrintReport:
    """One envelope per recipient, addressed in the window, the sender in the corner."""
    chosen = parse_envelope(envelope) if isinstance(envelope, str) else envelope
    people, missing = addressees(db, campaign)
    sender = sender_fields(db)
    pdf = Pdf(chosen.width, chosen.height)
    pdf.set_title(_("Enveloppes"))
    x, y, width, height = chosen.window
    if MAX_LINES * font_size * LINE_SPACING * PT > height:
        raise ValidationError(_("la fenêtre de {h} mm ne tient pas {n} lignes en {size} pt")
                              .format(h=f"{height:g}", n=MAX_LINES, size=f"{font_size:g}"),
                              "font_size")
    origin = [line for line in (sender["name"], sender["address"],
                                " ".join(p for p in (sender["postal_code"], sender["city"]) if p))
              if line]
    for person in people:
        pdf.add_page()
        if origin:
            _write_block(pdf, origin, 10, 10, 90, 8)
        _write_block(pdf, person.address.lines, x + 2, y + 2, width - 4, font_size)
    if not people:
        pdf.add_page()
    _save(pdf, Path(path))
    return PrintReport(Path(path), len(people), len(people), _problems(people), missing)


def _save(pdf: Pdf, path: Path) -> None:
    target = path.expanduser()
    if not target.parent.exists():
        raise ValidationError(_("le dossier {folder} n'existe pas").format(folder=target.parent),
                              "output")
    partial = target.with_name(target.name + ".partial")
    try:
        pdf.output(str(partial))
        partial.replace(target)
    except OSError as error:
        raise ValidationError(_("écriture de {file} impossible : {error}").format(
            file=target, error=error.strerror or error), "output") from None

