"""A quote as an A4 PDF, the way a French freelancer sends one (fpdf2).

Header: the issuer's block (and logo) on the left, "Devis", its number, date
and validity on the right, the client's address below. Then the lines (the
table's heading is repeated on every page when the lines overflow), the
totals HT, VAT per rate and TTC, the VAT-exemption mention when it applies,
the notes and payment terms, and a "Bon pour accord" box. Numbers and dates
in French (``12 500,00 €``, ``29/11/2026``), pages numbered "1/2".

fpdf2's built-in Helvetica with the Windows-1252 encoding covers French
(é è ç à ù œ Œ « » € ’) with no font file to ship; a character outside it
(a Polish ł, an emoji) is printed as its closest letter, or "?". The file is
written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import io
import os
import unicodedata
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from qualif_tui.base.i18n import _
from qualif_tui.domain.contacts import Contact, get_contact
from qualif_tui.domain.errors import QualifError, ValidationError
from qualif_tui.domain.issuer import Issuer, format_siret, load_issuer
from qualif_tui.domain.money import format_day, format_euros, format_quantity, format_rate
from qualif_tui.domain.quotes import Quote, get_quote
from qualif_tui.storage import Database

_ENCODING = "windows-1252"
_STROKED = {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "ı": "i", "\u202f": "\u00a0"}
ACCENT = (31, 78, 121)  # headings and rules
GREY = (110, 110, 110)


def printable(text: str) -> str:
    """``text`` in what the PDF's font can show: Windows-1252, else the closest letter."""
    out = []
    for char in str(text):
        try:
            char.encode(_ENCODING)
            out.append(char)
            continue
        except UnicodeEncodeError:
            pass
        plain = _STROKED.get(char) or unicodedata.normalize("NFKD", char).encode(
            _ENCODING, "ignore").decode(_ENCODING)
        out.append(plain or "?")
    return "".join(out)


class _QuotePDF(FPDF):
    def __init__(self, issuer: Issuer, number: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.core_fonts_encoding = _ENCODING
        self.issuer = issuer
        self.number = number
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(auto=True, margin=22)
        self.alias_nb_pages("{nb}")
        self.set_title(printable(_("Devis {number}").format(number=number)))
        self.set_creator("qualif")
        if issuer.is_set:
            self.set_author(printable(issuer.trade_name or issuer.name))

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("helvetica", size=7.5)
        self.set_text_color(*GREY)
        parts = [self.issuer.trade_name or self.issuer.name]
        if self.issuer.siret:
            parts.append(_("SIRET {siret}").format(siret=format_siret(self.issuer.siret)))
        parts.append(_("Devis {number}").format(number=self.number))
        self.cell(0, 4, printable(" · ".join(p for p in parts if p)), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"{self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0, 0, 0)


def render_quote(db: Database, quote_id: int) -> bytes:
    """The PDF of a quote, as bytes."""
    quote = get_quote(db, quote_id)
    if not quote.lines:
        raise ValidationError(_("le devis {number} n'a aucune ligne").format(number=quote.number),
                              "lines")
    issuer = load_issuer(db)
    contact = get_contact(db, quote.contact_id, with_keys=False)
    pdf = _QuotePDF(issuer, quote.number)
    pdf.add_page()
    _header(pdf, issuer, quote)
    _client(pdf, contact)
    _lines(pdf, quote)
    _totals(pdf, quote, issuer)
    _closing(pdf, quote, issuer)
    return bytes(pdf.output())


def write_quote_pdf(db: Database, quote_id: int, target: str | os.PathLike[str]) -> Path:
    """Write the PDF of a quote at ``target`` (complete or not at all)."""
    path = Path(target).expanduser()
    if path.is_dir():
        raise QualifError(_("{path} est un dossier : donnez un nom de fichier .pdf").format(
            path=path))
    if not path.parent.exists():
        raise QualifError(_("impossible d'écrire {path} : le dossier {folder} n'existe pas"
                            ).format(path=path, folder=path.parent))
    data = render_quote(db, quote_id)
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise QualifError(_("impossible d'écrire {path} : {why}").format(
            path=path, why=error.strerror)) from None
    return path


def _header(pdf: _QuotePDF, issuer: Issuer, quote: Quote) -> None:
    top = pdf.get_y()
    x = pdf.l_margin
    logo = issuer.logo_bytes
    if logo:
        try:
            pdf.image(io.BytesIO(logo), x=x, y=top, h=18)
            top += 20
        except Exception:  # noqa: BLE001 - a logo fpdf2 cannot read must not stop the quote
            pass
    pdf.set_xy(x, top)
    lines = issuer.lines() if issuer.is_set else [_("(vos coordonnées : qualif quote DB"
                                                    " issuer --name …)")]
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(95, 5.5, printable(lines[0]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=8.5)
    for line in lines[1:]:
        pdf.cell(95, 4.2, printable(line), new_x="LMARGIN", new_y="NEXT")
    left_bottom = pdf.get_y()
    # the quote's identity, on the right
    pdf.set_xy(120, 16)
    pdf.set_font("helvetica", "B", 20)
    pdf.set_text_color(*ACCENT)
    pdf.cell(72, 10, printable(_("DEVIS")), align="R", new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("helvetica", "B", 10)
    pdf.cell(72, 5.5, printable(_("N° {number}").format(number=quote.number)), align="R",
             new_x="LEFT", new_y="NEXT")
    pdf.set_font("helvetica", size=9)
    for text in (_("Date : {day}").format(day=format_day(quote.issued)),
                 _("Valable jusqu'au {day}").format(day=format_day(quote.valid_until))):
        pdf.cell(72, 4.8, printable(text), align="R", new_x="LEFT", new_y="NEXT")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 4)


def _client(pdf: _QuotePDF, c: Contact) -> None:
    lines = [c.company]
    person = " ".join(p for p in (c.first_name, c.last_name) if p)
    if person:
        lines.append(person if not lines[0] else _("À l'attention de {name}").format(name=person))
    lines += [c.address, c.address2, " ".join(p for p in (c.postal_code, c.city) if p)]
    country = c.country
    if country and country.strip().lower() not in ("france", "fr"):
        lines.append(country)
    lines = [line for line in lines if line and line.strip()]
    top = pdf.get_y()
    pdf.set_xy(115, top)
    pdf.set_font("helvetica", size=7.5)
    pdf.set_text_color(*GREY)
    pdf.cell(77, 4, printable(_("Client")), new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    for index, line in enumerate(lines):
        pdf.set_font("helvetica", "B" if index == 0 else "", 10 if index == 0 else 9)
        pdf.cell(77, 4.8, printable(line), new_x="LEFT", new_y="NEXT")
    pdf.set_y(pdf.get_y() + 6)


def _lines(pdf: _QuotePDF, quote: Quote) -> None:
    if quote.title:
        pdf.set_x(pdf.l_margin)
        pdf.set_font("helvetica", "B", 10)
        pdf.multi_cell(0, 5, printable(_("Objet : {title}").format(title=quote.title)),
                       new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    discounts = any(line.discount for line in quote.lines)
    headings = [_("Désignation"), _("Qté"), _("Unité"), _("PU HT"), _("TVA")]
    widths: list[float] = [0, 13, 16, 24, 14]
    if discounts:
        headings.append(_("Remise"))
        widths.append(15)
    headings.append(_("Total HT"))
    widths.append(27)
    widths[0] = pdf.epw - sum(widths)  # the designation takes what is left
    align = ["LEFT", "RIGHT", "LEFT", "RIGHT", "RIGHT", *(["RIGHT"] if discounts else []),
             "RIGHT"]
    pdf.set_font("helvetica", size=8.5)
    heading_style = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=ACCENT)
    with pdf.table(col_widths=widths, text_align=align, line_height=4.6,
                   headings_style=heading_style, borders_layout="HORIZONTAL_LINES",
                   repeat_headings=1, padding=(1.2, 1.5), width=sum(widths),
                   align="LEFT") as table:
        row = table.row()
        for title in headings:
            row.cell(printable(title))
        for line in quote.lines:
            row = table.row()
            row.cell(printable(line.designation))
            row.cell(format_quantity(line.quantity))
            row.cell(printable(line.unit))
            row.cell(printable(_money(line.unit_price)))
            row.cell(printable(format_rate(line.vat_rate)))
            if discounts:
                row.cell(printable(format_rate(line.discount)) if line.discount else "")
            row.cell(printable(format_euros(line.total_ht)))


def _money(value: float) -> str:
    """A unit price: two decimals, up to four when it has them."""
    text = format_euros(value)
    if round(value, 2) != value:
        text = format_euros(value, 4).replace("00\u00a0€", "\u00a0€")
    return text


def _totals(pdf: _QuotePDF, quote: Quote, issuer: Issuer) -> None:
    totals = quote.vat_parts()
    rows: list[tuple[str, str, bool]] = [(_("Total HT"), format_euros(totals.total_ht), False)]
    if issuer.vat_exempt:
        rows.append((_("TVA"), format_euros(0), False))
    else:
        for part in totals.vat:
            rows.append((_("TVA {rate} sur {base}").format(
                rate=format_rate(part.rate), base=format_euros(part.base)),
                format_euros(part.vat), False))
        rows.append((_("Total TVA"), format_euros(totals.total_vat), False))
    rows.append((_("Total TTC"), format_euros(totals.total_ttc), True))
    needed = 6 * len(rows) + 8
    if pdf.get_y() + needed > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(4)
    for label, value, strong in rows:
        pdf.set_x(100)
        pdf.set_font("helvetica", "B" if strong else "", 10 if strong else 9)
        if strong:
            pdf.set_fill_color(232, 239, 246)
        pdf.cell(62, 6, printable(label), align="L", fill=strong)
        pdf.cell(30, 6, printable(value), align="R", fill=strong, new_x="LMARGIN",
                 new_y="NEXT")
    if issuer.vat_exempt:
        pdf.set_x(100)
        pdf.set_font("helvetica", "I", 8.5)
        pdf.cell(92, 5, printable(issuer.vat_mention), align="R", new_x="LMARGIN", new_y="NEXT")


def _closing(pdf: _QuotePDF, quote: Quote, issuer: Issuer) -> None:
    pdf.ln(6)
    pdf.set_font("helvetica", size=8.5)
    blocks = []
    if quote.notes:
        blocks.append(quote.notes)
    if issuer.payment_terms:
        blocks.append(_("Conditions de paiement : {terms}").format(terms=issuer.payment_terms))
    if issuer.iban:
        blocks.append(_("IBAN : {iban}").format(iban=issuer.iban))
    blocks.append(_("Devis valable {days} jours, jusqu'au {day}.").format(
        days=quote.valid_days, day=format_day(quote.valid_until)))
    for block in blocks:
        pdf.multi_cell(0, 4.4, printable(block), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    if pdf.get_y() + 32 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(4)
    x, y = 110.0, pdf.get_y()
    pdf.set_draw_color(*GREY)
    pdf.rect(x, y, 82, 28)
    pdf.set_xy(x + 2, y + 2)
    pdf.set_font("helvetica", "B", 9)
    pdf.cell(78, 4.5, printable(_("Bon pour accord")), new_x="LEFT", new_y="NEXT")
    pdf.set_font("helvetica", size=7.5)
    pdf.multi_cell(78, 3.6, printable(_("Date et signature du client, précédées de la mention"
                                        " « Bon pour accord »")), new_x="LEFT", new_y="NEXT")
