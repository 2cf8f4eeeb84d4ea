"""Quotes (devis): a number that never repeats, lines, totals, statuses, versions.

* **Numbers** — ``D2026-0001``: per year of issue, in sequence, from
  ``quote_counters``, incremented inside the creating transaction
  (``BEGIN IMMEDIATE`` serialises writers, even two processes), never
  decremented: a deleted quote's number is not given again. A new version of
  a quote keeps its number with ``-V2``, ``-V3``….
* **Lines** — designation, quantity, unit, unit price HT, VAT rate (20, 10,
  5,5, 2,1 or 0 %), discount %. Totals (:mod:`.quote_totals`) are kept on the
  quote row by every change, so lists never recompute them.
* **Statuses** — draft → sent → accepted / refused. *Expired* is computed: a
  sent quote past its validity (date + validity days). A draft can be edited;
  a sent quote is changed by making a new version (the old one then shows as
  replaced). Accepting a quote wins its deal at the quote's HT total, or
  creates a won deal when it has none.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from qualif_tui.base.i18n import N_, _
from qualif_tui.base.text import display_name
from qualif_tui.domain import clock
from qualif_tui.domain.deals import add_deal, get_deal, win_deal
from qualif_tui.domain.errors import NotFound, ValidationError
from qualif_tui.domain.history import add_entry
from qualif_tui.domain.issuer import load_issuer
from qualif_tui.domain.money import (
    dec,
    format_euros,
    parse_amount,
    parse_day,
    parse_decimal,
)
from qualif_tui.domain.quote_totals import Totals, compute_totals, vat_rate
from qualif_tui.storage import Database

STATUSES = {
    "draft": N_("brouillon"),
    "sent": N_("envoyé"),
    "accepted": N_("accepté"),
    "refused": N_("refusé"),
    "expired": N_("expiré"),
    "replaced": N_("remplacé"),
}
DEFAULT_VALIDITY = 30
DESIGNATION_MAX = 300
MAX_QUANTITY = Decimal("1000000")
MAX_LINES = 500


@dataclass(frozen=True)
class QuoteLine:
    id: int
    quote_id: int
    position: int
    designation: str
    quantity: float
    unit: str
    unit_price: float
    vat_rate: float
    discount: float
    total_ht: float  # rounded to the cent

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "position": self.position, "designation": self.designation,
                "quantity": self.quantity, "unit": self.unit, "unit_price": self.unit_price,
                "vat_rate": self.vat_rate, "discount": self.discount, "total_ht": self.total_ht}


@dataclass(frozen=True)
class Quote:
    id: int
    number: str
    contact_id: int
    deal_id: int | None
    title: str
    issued: str
    valid_days: int
    status: str  # as stored: draft, sent, accepted, refused
    version: int
    previous_id: int | None
    notes: str
    total_ht: float
    total_vat: float
    total_ttc: float
    sent_at: str | None
    decided_at: str | None
    contact_name: str = ""
    replaced_by: str | None = None  # number of the newer version, if any
    lines: tuple[QuoteLine, ...] = field(default_factory=tuple)

    @property
    def valid_until(self) -> str:
        return (date.fromisoformat(self.issued) + timedelta(days=self.valid_days)).isoformat()

    def state(self, today: date | None = None) -> str:
        """The status as shown: stored, or expired / replaced when they apply."""
        if self.status in ("accepted", "refused"):
            return self.status
        if self.replaced_by:
            return "replaced"
        day = (today or clock.today()).isoformat()
        if self.status == "sent" and day > self.valid_until:
            return "expired"
        return self.status

    def state_label(self, today: date | None = None) -> str:
        return _(STATUSES[self.state(today)])

    @property
    def editable(self) -> bool:
        return self.status == "draft" and not self.replaced_by

    def vat_parts(self) -> Totals:
        return compute_totals((ln.quantity, ln.unit_price, ln.vat_rate, ln.discount)
                              for ln in self.lines)

    def as_json(self) -> dict[str, Any]:
        """The JSON shape of ``quote show --format json`` (DESIGN.md contract)."""
        totals = self.vat_parts()
        return {
            "id": self.id, "number": self.number, "status": self.state(),
            "contact_id": self.contact_id, "contact": self.contact_name, "deal_id": self.deal_id,
            "title": self.title, "date": self.issued, "valid_until": self.valid_until,
            "version": self.version, "notes": self.notes,
            "lines": [line.as_json() for line in self.lines],
            "vat": [{"rate": float(p.rate), "base": float(p.base), "vat": float(p.vat)}
                    for p in totals.vat],
            "total_ht": self.total_ht, "total_vat": self.total_vat, "total_ttc": self.total_ttc,
        }


QUOTE_SELECT = (
    "SELECT q.*, c.first_name, c.last_name, c.company,"
    " (SELECT n.number FROM quotes n WHERE n.previous_id = q.id ORDER BY n.id DESC LIMIT 1)"
    " AS replaced_by FROM quotes q JOIN contacts c ON c.id = q.contact_id"
)


def quote_from_row(row: sqlite3.Row, lines: tuple[QuoteLine, ...] = ()) -> Quote:
    return Quote(row["id"], row["number"], row["contact_id"], row["deal_id"], row["title"],
                 row["issued"], row["valid_days"], row["status"], row["version"],
                 row["previous_id"], row["notes"], row["total_ht"], row["total_vat"],
                 row["total_ttc"], row["sent_at"], row["decided_at"],
                 display_name(row["first_name"], row["last_name"], row["company"]),
                 row["replaced_by"], lines)


def _line(row: sqlite3.Row) -> QuoteLine:
    return QuoteLine(row["id"], row["quote_id"], row["position"], row["designation"],
                     row["quantity"], row["unit"], row["unit_price"], row["vat_rate"],
                     row["discount"], 0.0)


def get_quote(db: Database, quote_id: int) -> Quote:
    """A quote with its lines (each with its rounded total)."""
    rows = db.query(f"{QUOTE_SELECT} WHERE q.id = ?", (quote_id,))
    if not rows:
        raise NotFound(_("pas de devis n° {id}").format(id=quote_id))
    raw = [_line(r) for r in db.query("SELECT * FROM quote_lines WHERE quote_id = ?"
                                      " ORDER BY position, id", (quote_id,))]
    totals = compute_totals((ln.quantity, ln.unit_price, ln.vat_rate, ln.discount) for ln in raw)
    lines = tuple(QuoteLine(ln.id, ln.quote_id, ln.position, ln.designation, ln.quantity,
                            ln.unit, ln.unit_price, ln.vat_rate, ln.discount, float(amount))
                  for ln, amount in zip(raw, totals.lines, strict=True))
    return quote_from_row(rows[0], lines)


def find_quote(db: Database, which: str | int) -> Quote:
    """A quote by id or by number (``D2026-0001``, any case)."""
    text = str(which).strip()
    if text.isdigit():
        return get_quote(db, int(text))
    found = db.scalar("SELECT id FROM quotes WHERE number = ?", (text.upper(),))
    if found is None:
        raise NotFound(_("pas de devis « {which} »").format(which=text))
    return get_quote(db, int(found))


def list_quotes(db: Database, contact_id: int) -> list[Quote]:
    """A contact's quotes, newest first (without their lines)."""
    return [quote_from_row(r) for r in db.query(f"{QUOTE_SELECT} WHERE q.contact_id = ?"
                                        " ORDER BY q.issued DESC, q.id DESC", (contact_id,))]


# -- numbers -------------------------------------------------------------------------------


def _next_number(db: Database, year: int) -> str:
    """The next number of ``year``; the caller's transaction holds the write lock."""
    last = db.scalar("INSERT INTO quote_counters(year, last) VALUES (?, 1)"
                     " ON CONFLICT(year) DO UPDATE SET last = last + 1 RETURNING last", (year,))
    return f"D{year}-{int(last):04d}"


# -- creating and editing --------------------------------------------------------------------


def _check_text(value: Any, label: str, name: str, most: int) -> str:
    text = " ".join(str(value or "").split())
    if len(text) > most:
        raise ValidationError(_("{label} : {n} caractères au plus").format(label=label, n=most),
                              name)
    return text


def _validity(value: Any) -> int:
    try:
        days = int(str(value).strip())
    except ValueError:
        days = -1
    if not 1 <= days <= 3650:
        raise ValidationError(_("validité : un nombre de jours de 1 à 3650 (« {value} »)").format(
            value=value), "valid_days")
    return days


def new_quote(db: Database, contact_id: int, *, deal_id: int | None = None, title: str = "",
              valid_days: int | str = DEFAULT_VALIDITY, issued: str | None = None,
              notes: str = "") -> Quote:
    """A draft quote for a contact (and a deal of it), numbered now."""
    days = _validity(valid_days)
    day = parse_day(issued, _("date"), "issued") if issued else clock.today().isoformat()
    heading = _check_text(title, _("objet"), "title", 200)
    remark = str(notes or "").strip()
    with db.transaction():
        if not db.scalar("SELECT 1 FROM contacts WHERE id = ?", (contact_id,)):
            raise NotFound(_("pas de contact n° {id}").format(id=contact_id))
        if deal_id is not None:
            deal = get_deal(db, deal_id)
            if contact_id != deal.contact_id and contact_id not in deal.others:
                raise ValidationError(_("affaire : l'affaire n° {id} n'est pas celle de ce"
                                        " contact").format(id=deal_id), "deal")
            heading = heading or deal.title
        number = _next_number(db, int(day[:4]))
        now = clock.stamp()
        cursor = db.execute(
            "INSERT INTO quotes(number, contact_id, deal_id, title, issued, valid_days, notes,"
            " created, updated) VALUES (?,?,?,?,?,?,?,?,?)",
            (number, contact_id, deal_id, heading, day, days, remark, now, now))
        quote_id = int(cursor.lastrowid or 0)
        add_entry(db, contact_id, "change", _("Devis {number} créé{title}").format(
            number=number, title=f" : {heading}" if heading else ""), automatic=True)
    return get_quote(db, quote_id)


def _editable(db: Database, quote_id: int) -> Quote:
    quote = get_quote(db, quote_id)
    if quote.replaced_by:
        raise ValidationError(_("le devis {number} a été remplacé par {newer}").format(
            number=quote.number, newer=quote.replaced_by), "status")
    if quote.status != "draft":
        raise ValidationError(_("le devis {number} est {status} : faites-en une nouvelle version"
                                " pour le modifier").format(number=quote.number,
                                                            status=quote.state_label()), "status")
    return quote


def update_quote(db: Database, quote_id: int, changes: Mapping[str, Any]) -> Quote:
    """Change a draft's title, date, validity, notes or deal."""
    with db.transaction():
        quote = _editable(db, quote_id)
        values: dict[str, Any] = {}
        for name, value in changes.items():
            if name == "title":
                values[name] = _check_text(value, _("objet"), "title", 200)
            elif name == "issued":
                values[name] = parse_day(str(value), _("date"), "issued")
            elif name == "valid_days":
                values[name] = _validity(value)
            elif name == "notes":
                values[name] = str(value or "").strip()
            elif name == "deal_id":
                if value is not None:
                    deal = get_deal(db, int(value))
                    if quote.contact_id != deal.contact_id and quote.contact_id not in deal.others:
                        raise ValidationError(_("affaire : l'affaire n° {id} n'est pas celle de"
                                                " ce contact").format(id=value), "deal")
                values[name] = value
            else:
                raise ValidationError(_("champ inconnu : {name}").format(name=name), name)
        if values:
            values["updated"] = clock.stamp()
            db.execute(f"UPDATE quotes SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
                       (*values.values(), quote_id))
    return get_quote(db, quote_id)


def _line_values(db: Database, values: Mapping[str, Any]) -> dict[str, Any]:
    """Validated line fields (those given)."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "designation":
            text = " ".join(str(value or "").split())
            if not text:
                raise ValidationError(_("désignation : une ligne a besoin d'une désignation"),
                                      "designation")
            if len(text) > DESIGNATION_MAX:
                raise ValidationError(_("désignation : {n} caractères au plus").format(
                    n=DESIGNATION_MAX), "designation")
            out[name] = text
        elif name == "quantity":
            quantity = parse_decimal(value, _("quantité"), "quantity")
            if quantity <= 0 or quantity > MAX_QUANTITY:
                raise ValidationError(_("quantité : {value} (plus de 0, au plus 1 000 000)"
                                        ).format(value=str(value).strip()), "quantity")
            if quantity != quantity.quantize(Decimal("0.001")):
                raise ValidationError(_("quantité : trois décimales au plus ({value})").format(
                    value=str(value).strip()), "quantity")
            out[name] = float(quantity)
        elif name == "unit_price":
            out[name] = float(parse_amount(value, _("prix unitaire"), "unit_price", places=4))
        elif name == "vat_rate":
            rate = vat_rate(value)
            if rate != 0 and load_issuer(db).vat_exempt:
                raise ValidationError(_("TVA : vous êtes en franchise de TVA (art. 293 B du CGI),"
                                        " les lignes sont à 0 %"), "vat")
            out[name] = float(rate)
        elif name == "discount":
            discount = parse_decimal(str(value).strip().rstrip("%"), _("remise"), "discount")
            if not 0 <= discount <= 100:
                raise ValidationError(_("remise : un pourcentage de 0 à 100 ({value})").format(
                    value=str(value).strip()), "discount")
            out[name] = float(discount)
        elif name == "unit":
            out[name] = _check_text(value, _("unité"), "unit", 20)
        else:
            raise ValidationError(_("champ inconnu : {name}").format(name=name), name)
    return out


def _store_totals(db: Database, quote_id: int) -> Totals:
    totals = compute_totals(
        (r[0], r[1], r[2], r[3]) for r in db.query(
            "SELECT quantity, unit_price, vat_rate, discount FROM quote_lines WHERE quote_id = ?"
            " ORDER BY position, id", (quote_id,)))
    db.execute("UPDATE quotes SET total_ht = ?, total_vat = ?, total_ttc = ?, updated = ?"
               " WHERE id = ?", (float(totals.total_ht), float(totals.total_vat),
                                 float(totals.total_ttc), clock.stamp(), quote_id))
    return totals


def add_line(db: Database, quote_id: int, designation: str, *, quantity: Any = 1,
             unit_price: Any = 0, vat: Any = None, unit: str = "", discount: Any = 0,
             position: int | None = None) -> QuoteLine:
    """A line at the end (or at ``position``, 1 = first). VAT defaults to 20 %
    (0 % under the VAT exemption)."""
    with db.transaction():
        _editable(db, quote_id)
        if vat is None:
            vat = 0 if load_issuer(db).vat_exempt else 20
        values = _line_values(db, {"designation": designation, "quantity": quantity,
                                   "unit_price": unit_price, "vat_rate": vat, "unit": unit,
                                   "discount": discount})
        existing = [int(r[0]) for r in db.query(
            "SELECT id FROM quote_lines WHERE quote_id = ? ORDER BY position, id", (quote_id,))]
        if len(existing) >= MAX_LINES:
            raise ValidationError(_("un devis a {n} lignes au plus").format(n=MAX_LINES), "lines")
        cursor = db.execute(
            "INSERT INTO quote_lines(quote_id, position, designation, quantity, unit, unit_price,"
            " vat_rate, discount) VALUES (?,?,?,?,?,?,?,?)",
            (quote_id, len(existing) + 1, values["designation"], values["quantity"],
             values["unit"], values["unit_price"], values["vat_rate"], values["discount"]))
        line_id = int(cursor.lastrowid or 0)
        if position is not None:
            order = list(existing)
            order.insert(max(0, min(len(order), int(position) - 1)), line_id)
            _renumber_lines(db, order)
        _store_totals(db, quote_id)
    return _line_of(db, line_id)


def _line_of(db: Database, line_id: int) -> QuoteLine:
    row = db.query("SELECT quote_id FROM quote_lines WHERE id = ?", (line_id,))
    if not row:
        raise NotFound(_("pas de ligne n° {id}").format(id=line_id))
    return next(ln for ln in get_quote(db, int(row[0][0])).lines if ln.id == line_id)


def _renumber_lines(db: Database, order: list[int]) -> None:
    for position, line_id in enumerate(order, start=1):
        db.execute("UPDATE quote_lines SET position = ? WHERE id = ?", (position, line_id))


def update_line(db: Database, line_id: int, changes: Mapping[str, Any]) -> QuoteLine:
    with db.transaction():
        line = _line_of(db, line_id)
        _editable(db, line.quote_id)
        values = _line_values(db, {("vat_rate" if k == "vat" else k): v
                                   for k, v in changes.items()})
        if values:
            db.execute(f"UPDATE quote_lines SET {', '.join(f'{k} = ?' for k in values)}"
                       " WHERE id = ?", (*values.values(), line_id))
            _store_totals(db, line.quote_id)
    return _line_of(db, line_id)


def delete_line(db: Database, line_id: int) -> int:
    """Remove a line; returns its quote's id."""
    with db.transaction():
        line = _line_of(db, line_id)
        _editable(db, line.quote_id)
        db.execute("DELETE FROM quote_lines WHERE id = ?", (line_id,))
        _renumber_lines(db, [int(r[0]) for r in db.query(
            "SELECT id FROM quote_lines WHERE quote_id = ? ORDER BY position, id",
            (line.quote_id,))])
        _store_totals(db, line.quote_id)
    return line.quote_id


def move_line(db: Database, line_id: int, step: int) -> QuoteLine:
    """Move a line up (-1) or down (+1)."""
    with db.transaction():
        line = _line_of(db, line_id)
        _editable(db, line.quote_id)
        order = [int(r[0]) for r in db.query(
            "SELECT id FROM quote_lines WHERE quote_id = ? ORDER BY position, id",
            (line.quote_id,))]
        index = order.index(line_id)
        target = max(0, min(len(order) - 1, index + step))
        order.insert(target, order.pop(index))
        _renumber_lines(db, order)
    return _line_of(db, line_id)


# -- statuses ------------------------------------------------------------------------------


def _needs_lines(quote: Quote) -> None:
    if not quote.lines:
        raise ValidationError(_("le devis {number} n'a aucune ligne").format(number=quote.number),
                              "lines")


def send_quote(db: Database, quote_id: int) -> Quote:
    """Draft → sent (today); its date stays the one written on it."""
    with db.transaction():
        quote = get_quote(db, quote_id)
        if quote.status != "draft":
            raise ValidationError(_("le devis {number} est déjà {status}").format(
                number=quote.number, status=quote.state_label()), "status")
        if quote.replaced_by:
            raise ValidationError(_("le devis {number} a été remplacé par {newer}").format(
                number=quote.number, newer=quote.replaced_by), "status")
        _needs_lines(quote)
        today = clock.today().isoformat()
        db.execute("UPDATE quotes SET status = 'sent', sent_at = ?, updated = ? WHERE id = ?",
                   (today, clock.stamp(), quote_id))
        add_entry(db, quote.contact_id, "change", _("Devis {number} envoyé ({amount} HT)").format(
            number=quote.number, amount=format_euros(quote.total_ht)), automatic=True)
    return get_quote(db, quote_id)


def accept_quote(db: Database, quote_id: int) -> Quote:
    """Accepted (today): its deal is won at the quote's HT total; with no deal, a won
    deal is created for it."""
    with db.transaction():
        quote = get_quote(db, quote_id)
        if quote.status in ("accepted", "refused"):
            raise ValidationError(_("le devis {number} est déjà {status}").format(
                number=quote.number, status=quote.state_label()), "status")
        if quote.replaced_by:
            raise ValidationError(_("le devis {number} a été remplacé par {newer}").format(
                number=quote.number, newer=quote.replaced_by), "status")
        _needs_lines(quote)
        if dec(quote.total_ht) == 0:
            raise ValidationError(_("le devis {number} est à 0 € : rien à gagner").format(
                number=quote.number), "lines")
        today = clock.today().isoformat()
        if quote.deal_id is not None:
            win_deal(db, quote.deal_id, amount=quote.total_ht, closed_at=today)
            deal_id = quote.deal_id
        else:
            deal_id = add_deal(db, quote.contact_id, quote.title or _("Devis {number}").format(
                number=quote.number), quote.total_ht, stage=_won_stage(db), closed_at=today)
        db.execute("UPDATE quotes SET status = 'accepted', decided_at = ?, deal_id = ?,"
                   " sent_at = coalesce(sent_at, ?), updated = ? WHERE id = ?",
                   (today, deal_id, today, clock.stamp(), quote_id))
        add_entry(db, quote.contact_id, "change", _("Devis {number} accepté ({amount} HT)").format(
            number=quote.number, amount=format_euros(quote.total_ht)), automatic=True)
    return get_quote(db, quote_id)


def _won_stage(db: Database) -> str:
    from qualif_tui.domain.stages import list_stages, stage_of_kind

    return stage_of_kind(list_stages(db), "won").id


def refuse_quote(db: Database, quote_id: int) -> Quote:
    """Refused (today). Its deal stays as it is: a new version may follow."""
    with db.transaction():
        quote = get_quote(db, quote_id)
        if quote.status in ("accepted", "refused"):
            raise ValidationError(_("le devis {number} est déjà {status}").format(
                number=quote.number, status=quote.state_label()), "status")
        today = clock.today().isoformat()
        db.execute("UPDATE quotes SET status = 'refused', decided_at = ?, updated = ?"
                   " WHERE id = ?", (today, clock.stamp(), quote_id))
        add_entry(db, quote.contact_id, "change", _("Devis {number} refusé").format(
            number=quote.number), automatic=True)
    return get_quote(db, quote_id)


# -- copies ----------------------------------------------------------------------------------


def _copy(db: Database, source: Quote, number: str, *, contact_id: int, deal_id: int | None,
          version: int, previous_id: int | None) -> int:
    now = clock.stamp()
    cursor = db.execute(
        "INSERT INTO quotes(number, contact_id, deal_id, title, issued, valid_days, version,"
        " previous_id, notes, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (number, contact_id, deal_id, source.title, clock.today().isoformat(), source.valid_days,
         version, previous_id, source.notes, now, now))
    quote_id = int(cursor.lastrowid or 0)
    db.conn.executemany(
        "INSERT INTO quote_lines(quote_id, position, designation, quantity, unit, unit_price,"
        " vat_rate, discount) VALUES (?,?,?,?,?,?,?,?)",
        [(quote_id, ln.position, ln.designation, ln.quantity, ln.unit, ln.unit_price,
          ln.vat_rate, ln.discount) for ln in source.lines])
    _store_totals(db, quote_id)
    return quote_id


def duplicate_quote(db: Database, quote_id: int, contact_id: int | None = None) -> Quote:
    """A new draft with a new number, the same lines, dated today (for the same
    contact, or another one — then without the deal)."""
    with db.transaction():
        source = get_quote(db, quote_id)
        target = source.contact_id if contact_id is None else contact_id
        if not db.scalar("SELECT 1 FROM contacts WHERE id = ?", (target,)):
            raise NotFound(_("pas de contact n° {id}").format(id=target))
        deal_id = source.deal_id if target == source.contact_id else None
        number = _next_number(db, clock.today().year)
        new_id = _copy(db, source, number, contact_id=target, deal_id=deal_id, version=1,
                       previous_id=None)
        add_entry(db, target, "change", _("Devis {number} créé (copie de {source})").format(
            number=number, source=source.number), automatic=True)
    return get_quote(db, new_id)


def new_version(db: Database, quote_id: int) -> Quote:
    """The next version of a quote not yet decided: same number with ``-V2``…, same
    lines, a draft dated today; the old one shows as replaced."""
    with db.transaction():
        source = get_quote(db, quote_id)
        if source.replaced_by:
            raise ValidationError(_("le devis {number} a déjà une version plus récente ({newer})"
                                    ).format(number=source.number, newer=source.replaced_by),
                                  "status")
        if source.status == "accepted":
            raise ValidationError(_("le devis {number} est accepté : dupliquez-le plutôt").format(
                number=source.number), "status")
        base = source.number.split("-V")[0]
        version = source.version + 1
        number = f"{base}-V{version}"
        if db.scalar("SELECT 1 FROM quotes WHERE number = ?", (number,)):
            raise ValidationError(_("le devis {number} existe déjà").format(number=number),
                                  "status")
        new_id = _copy(db, source, number, contact_id=source.contact_id, deal_id=source.deal_id,
                       version=version, previous_id=source.id)
        add_entry(db, source.contact_id, "change", _("Devis {number} : nouvelle version de"
                                                     " {source}").format(
            number=number, source=source.number), automatic=True)
    return get_quote(db, new_id)


def delete_quote(db: Database, quote_id: int) -> Quote:
    """Delete a draft (its number is not given again). A sent quote is refused,
    not deleted: what was sent to a client stays on file."""
    with db.transaction():
        quote = get_quote(db, quote_id)
        if quote.status != "draft":
            raise ValidationError(_("le devis {number} est {status} : il ne peut pas être"
                                    " supprimé").format(number=quote.number,
                                                        status=quote.state_label()), "status")
        db.execute("DELETE FROM quotes WHERE id = ?", (quote_id,))
        add_entry(db, quote.contact_id, "change", _("Devis {number} supprimé (brouillon)").format(
            number=quote.number), automatic=True)
    return quote
