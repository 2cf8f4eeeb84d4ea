"""Deals (opportunities): create, edit, move through the stages, win, lose, reopen, delete.

A deal belongs to one contact (``contact_id``: its revenue, open deals and last
purchase are that contact's facts, kept by triggers) and optionally to other
contacts of the same company. Its fields: title, amount (HT), probability
(the stage's default unless set), expected close, category and lost reason
(lists the user extends, :mod:`.stages`), cost (the margin is amount − cost),
source (the contact's Source key by default) and notes.

Every change writes one automatic entry on the contact's timeline
("Affaire Flotte : Proposition → Négociation, 12 000 €") and every stage change
a row of ``deal_moves`` (the funnel reads them). Each function is one
transaction and validates everything before writing: a bad value is a
:class:`ValidationError` naming the field, and nothing is written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from qualif_tui.base.i18n import _
from qualif_tui.base.text import display_name, fold
from qualif_tui.domain import clock
from qualif_tui.domain.errors import NotFound, ValidationError
from qualif_tui.domain.history import add_entry
from qualif_tui.domain.keys import contact_values, find_key
from qualif_tui.domain.money import (
    dec,
    format_day,
    format_euros,
    parse_amount,
    parse_day,
    parse_percent,
)
from qualif_tui.domain.stages import (
    Stage,
    choice_or_new,
    find_choice,
    get_stage,
    list_stages,
    neighbour_stage,
    stage_of_kind,
)
from qualif_tui.storage import Database

# The default stages' ids and labels (the table is the user's: read list_stages).
STAGES = {
    "lead": "Piste",
    "qualified": "Qualifiée",
    "proposal": "Proposition",
    "negotiation": "Négociation",
    "won": "Gagnée",
    "lost": "Perdue",
}
CLOSED = ("won", "lost")
TITLE_MAX = 200
NOTES_MAX = 10_000

# field → French label, for messages and history entries
FIELD_LABELS = {
    "title": _("titre"),
    "amount": _("montant"),
    "probability": _("probabilité"),
    "expected_close": _("clôture prévue"),
    "category": _("catégorie"),
    "cost": _("coût"),
    "source": _("source"),
    "notes": _("notes"),
    "contact_id": _("contact"),
    "closed_at": _("date de clôture"),
}
EDITABLE = ("title", "amount", "probability", "expected_close", "category", "cost", "source",
            "notes")


@dataclass(frozen=True)
class Deal:
    id: int
    contact_id: int
    title: str
    stage: str
    amount: float
    probability: int
    expected_close: str | None
    closed_at: str | None
    created: str = ""
    updated: str = ""
    cost: float | None = None
    category: str | None = None
    source: str = ""
    notes: str = ""
    lost_reason: str | None = None
    stage_label: str = ""
    stage_kind: str = "open"
    contact_name: str = ""
    others: tuple[int, ...] = field(default_factory=tuple)  # other contacts of the deal

    @property
    def is_open(self) -> bool:
        return self.stage_kind == "open"

    @property
    def is_won(self) -> bool:
        return self.stage_kind == "won"

    @property
    def is_lost(self) -> bool:
        return self.stage_kind == "lost"

    @property
    def margin(self) -> float | None:
        return None if self.cost is None else float(dec(self.amount) - dec(self.cost))

    @property
    def weighted(self) -> float:
        return float(dec(self.amount) * self.probability / 100)

    def as_json(self) -> dict[str, Any]:
        """The JSON shape of ``deal list/show --format json`` (DESIGN.md contract)."""
        return {
            "id": self.id, "contact_id": self.contact_id, "contact": self.contact_name,
            "title": self.title, "stage": self.stage, "stage_label": self.stage_label,
            "amount": self.amount, "probability": self.probability,
            "expected_close": self.expected_close, "closed_at": self.closed_at,
            "category": self.category, "cost": self.cost, "margin": self.margin,
            "source": self.source, "notes": self.notes, "lost_reason": self.lost_reason,
            "other_contacts": list(self.others), "created": self.created,
            "updated": self.updated,
        }


DEAL_SELECT = (
    "SELECT d.*, s.label AS stage_label, s.kind AS stage_kind, cat.label AS category_label,"
    " why.label AS lost_label, c.first_name, c.last_name, c.company"
    " FROM deals d JOIN deal_stages s ON s.id = d.stage"
    " JOIN contacts c ON c.id = d.contact_id"
    " LEFT JOIN deal_choices cat ON cat.id = d.category_id"
    " LEFT JOIN deal_choices why ON why.id = d.lost_reason_id"
)


def deal_from_row(row: sqlite3.Row, others: tuple[int, ...] = ()) -> Deal:
    return Deal(
        row["id"], row["contact_id"], row["title"], row["stage"], float(row["amount"]),
        int(row["probability"]), row["expected_close"], row["closed_at"], row["created"],
        row["updated"], row["cost"], row["category_label"], row["source"], row["notes"],
        row["lost_label"], row["stage_label"], row["stage_kind"],
        display_name(row["first_name"], row["last_name"], row["company"]), others)


def get_deal(db: Database, deal_id: int) -> Deal:
    rows = db.query(f"{DEAL_SELECT} WHERE d.id = ?", (deal_id,))
    if not rows:
        raise NotFound(_("pas d'affaire n° {id}").format(id=deal_id))
    others = tuple(int(r[0]) for r in db.query(
        "SELECT contact_id FROM deal_contacts WHERE deal_id = ? ORDER BY contact_id", (deal_id,)))
    return deal_from_row(rows[0], others)


def list_deals(db: Database, contact_id: int) -> list[Deal]:
    """A contact's deals (its own and those it takes part in): open ones first by
    expected close, then closed ones, latest first."""
    rows = db.query(
        f"{DEAL_SELECT} WHERE d.contact_id = :c OR d.id IN"
        " (SELECT deal_id FROM deal_contacts WHERE contact_id = :c)"
        " ORDER BY s.kind != 'open', CASE WHEN s.kind = 'open'"
        " THEN coalesce(d.expected_close, '9999') END, d.closed_at DESC, d.id DESC",
        {"c": contact_id})
    links: dict[int, list[int]] = {}
    if rows:
        for deal_id, other in db.query(
                "SELECT deal_id, contact_id FROM deal_contacts WHERE deal_id IN"
                f" ({', '.join('?' * len(rows))})", [r["id"] for r in rows]):
            links.setdefault(int(deal_id), []).append(int(other))
    return [deal_from_row(r, tuple(sorted(links.get(r["id"], [])))) for r in rows]


# -- validation -----------------------------------------------------------------------


def _title(text: str) -> str:
    title = " ".join(str(text).split())
    if not title:
        raise ValidationError(_("titre : une affaire a besoin d'un titre"), "title")
    if len(title) > TITLE_MAX:
        raise ValidationError(_("titre : {n} caractères au plus").format(n=TITLE_MAX), "title")
    return title


def _close_day(value: str | None, label: str = FIELD_LABELS["expected_close"],
               name: str = "expected_close") -> str | None:
    if value is None or not str(value).strip():
        return None
    day = parse_day(str(value), label, name)
    if not "1900-01-01" <= day <= "2199-12-31":
        raise ValidationError(_("{label} : {day} est hors de portée").format(
            label=label, day=format_day(day)), name)
    return day


def _cost(value: Any) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return float(parse_amount(value, FIELD_LABELS["cost"], "cost"))


def _notes(value: Any) -> str:
    text = str(value or "").strip()
    if len(text) > NOTES_MAX:
        raise ValidationError(_("notes : {n} caractères au plus").format(n=NOTES_MAX), "notes")
    return text


def _require_amount(amount: Decimal | float, stage: Stage) -> None:
    if stage.is_won and dec(amount) == 0:
        raise ValidationError(_("montant : une affaire gagnée a besoin d'un montant"), "amount")


def _contact_exists(db: Database, contact_id: int) -> None:
    if not db.scalar("SELECT 1 FROM contacts WHERE id = ?", (contact_id,)):
        raise NotFound(_("pas de contact n° {id}").format(id=contact_id))


def contact_source(db: Database, contact_id: int) -> str:
    """The contact's Source key (what a new deal's source defaults to), or ''."""
    key = find_key(db, "source")
    if key is None:
        return ""
    value = contact_values(db, contact_id, [key]).get(key.name)
    if isinstance(value, list):
        return ", ".join(value)
    return "" if value is None else str(value)


def _describe(amount: float | Decimal) -> str:
    return format_euros(amount, 0) if dec(amount) == dec(amount).to_integral_value() \
        else format_euros(amount)


def _log(db: Database, contact_id: int, text: str, import_batch: int | None = None) -> None:
    add_entry(db, contact_id, "change", text, automatic=True, import_batch=import_batch)


def _reason_id(db: Database, label: str | None) -> int | None:
    found = find_choice(db, "lost_reason", label) if label else None
    return found.id if found else None


def _move(db: Database, deal_id: int, old: str | None, new: str, day: str) -> None:
    db.execute("INSERT INTO deal_moves(deal_id, from_stage, to_stage, moved_at) VALUES (?,?,?,?)",
               (deal_id, old, new, day))


# -- creating ------------------------------------------------------------------------


def add_deal(
    db: Database,
    contact_id: int,
    title: str,
    amount: float | str | Decimal = 0,
    *,
    stage: str = "lead",
    probability: int | str | None = None,
    expected_close: str | None = None,
    category: str | None = None,
    cost: float | str | None = None,
    source: str | None = None,
    notes: str = "",
    others: Sequence[int] = (),
    closed_at: str | None = None,
    lost_reason: str | None = None,
    import_batch: int | None = None,
) -> int:
    """A new deal; returns its id. ``probability`` defaults to the stage's,
    ``source`` to the contact's Source key; a won or lost deal is closed today
    (or ``closed_at``)."""
    title = _title(title)
    value = parse_amount(amount, FIELD_LABELS["amount"], "amount")
    close = _close_day(expected_close)
    spent = _cost(cost)
    text = _notes(notes)
    with db.transaction():
        _contact_exists(db, contact_id)
        target = get_stage(db, stage)
        _require_amount(value, target)
        chance = target.probability if probability is None else parse_percent(
            probability, FIELD_LABELS["probability"], "probability")
        closed = None
        if not target.is_open:
            closed = _close_day(closed_at, FIELD_LABELS["closed_at"], "closed_at") \
                or clock.today().isoformat()
        category_id = choice_or_new(db, "category", category).id if category else None
        reason_id = None
        if lost_reason and target.is_lost:
            reason_id = choice_or_new(db, "lost_reason", lost_reason).id
        origin = contact_source(db, contact_id) if source is None else str(source).strip()
        now = clock.stamp()
        cursor = db.execute(
            "INSERT INTO deals(contact_id, title, stage, amount, probability, expected_close,"
            " closed_at, created, updated, cost, category_id, source, notes, lost_reason_id,"
            " import_batch) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (contact_id, title, target.id, float(value), chance, close, closed, now, now, spent,
             category_id, origin, text, reason_id, import_batch))
        deal_id = int(cursor.lastrowid or 0)
        _move(db, deal_id, None, target.id, (closed or now)[:10])
        _set_others(db, deal_id, contact_id, others)
        _log(db, contact_id, _("Affaire créée : {title} ({stage}, {amount})").format(
            title=title, stage=target.label, amount=_describe(value)), import_batch)
    return deal_id


def _set_others(db: Database, deal_id: int, contact_id: int, others: Sequence[int]) -> None:
    wanted = sorted({int(o) for o in others} - {contact_id})
    if wanted:
        company = fold(db.scalar("SELECT company FROM contacts WHERE id = ?", (contact_id,)))
        for other in wanted:
            rows = db.query("SELECT first_name, last_name, company FROM contacts WHERE id = ?",
                            (other,))
            if not rows:
                raise NotFound(_("pas de contact n° {id}").format(id=other))
            if company and fold(rows[0]["company"]) != company:
                raise ValidationError(_("contacts : {name} n'est pas de la même société").format(
                    name=display_name(rows[0][0], rows[0][1], rows[0][2])), "others")
    db.execute("DELETE FROM deal_contacts WHERE deal_id = ?", (deal_id,))
    db.conn.executemany("INSERT INTO deal_contacts(deal_id, contact_id) VALUES (?, ?)",
                        [(deal_id, o) for o in wanted])


# -- editing ------------------------------------------------------------------------


def update_deal(db: Database, deal_id: int, changes: Mapping[str, Any]) -> Deal:
    """Change some fields (those of :data:`EDITABLE`, ``others``, ``contact_id``);
    a ``stage`` in the changes moves the deal too. One history entry lists them."""
    unknown = set(changes) - {*EDITABLE, "others", "contact_id", "stage"}
    if unknown:
        raise ValidationError(_("champ inconnu : {names}").format(names=", ".join(sorted(unknown))),
                              sorted(unknown)[0])
    with db.transaction():
        deal = get_deal(db, deal_id)
        values: dict[str, Any] = {}
        said: list[str] = []
        if "title" in changes and _title(changes["title"]) != deal.title:
            values["title"] = _title(changes["title"])
            said.append(_("titre « {old} » → « {new} »").format(old=deal.title,
                                                                  new=values["title"]))
        if "amount" in changes:
            amount = parse_amount(changes["amount"], FIELD_LABELS["amount"], "amount")
            if dec(amount) != dec(deal.amount):
                values["amount"] = float(amount)
                said.append(_("montant {old} → {new}").format(old=_describe(deal.amount),
                                                               new=_describe(amount)))
        if "probability" in changes:
            chance = parse_percent(changes["probability"], FIELD_LABELS["probability"],
                                   "probability")
            if chance != deal.probability:
                values["probability"] = chance
                said.append(_("probabilité {old} % → {new} %").format(old=deal.probability,
                                                                       new=chance))
        if "expected_close" in changes:
            close = _close_day(changes["expected_close"])
            if close != deal.expected_close:
                values["expected_close"] = close
                said.append(_("clôture prévue {old} → {new}").format(
                    old=format_day(deal.expected_close) or "—", new=format_day(close) or "—"))
        if "cost" in changes:
            spent = _cost(changes["cost"])
            if spent != deal.cost:
                values["cost"] = spent
                said.append(_("coût {old} → {new}").format(
                    old=_describe(deal.cost) if deal.cost is not None else "—",
                    new=_describe(spent) if spent is not None else "—"))
        if "category" in changes:
            text = str(changes["category"] or "").strip()
            category_id = choice_or_new(db, "category", text).id if text else None
            old = find_choice(db, "category", deal.category) if deal.category else None
            old_id = old.id if old else None
            if category_id != old_id:
                values["category_id"] = category_id
                said.append(_("catégorie {old} → {new}").format(old=deal.category or "—",
                                                                 new=text or "—"))
        if "source" in changes and str(changes["source"] or "").strip() != deal.source:
            values["source"] = str(changes["source"] or "").strip()
            said.append(_("source {old} → {new}").format(old=deal.source or "—",
                                                          new=values["source"] or "—"))
        if "notes" in changes and _notes(changes["notes"]) != deal.notes:
            values["notes"] = _notes(changes["notes"])
            said.append(_("notes modifiées"))
        contact_id = deal.contact_id
        if "contact_id" in changes and int(changes["contact_id"]) != deal.contact_id:
            contact_id = int(changes["contact_id"])
            _contact_exists(db, contact_id)
            values["contact_id"] = contact_id
            said.append(_("passée sur la fiche n° {id}").format(id=contact_id))
        if deal.is_won and "amount" in values:
            _require_amount(values["amount"], get_stage(db, deal.stage))
        if values:
            values["updated"] = clock.stamp()
            db.execute(f"UPDATE deals SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
                       (*values.values(), deal_id))
        if "others" in changes:
            before = set(deal.others)
            _set_others(db, deal_id, contact_id, changes["others"])
            after = {int(o) for o in changes["others"]} - {contact_id}
            if after != before:
                said.append(_("contacts associés modifiés"))
        title = values.get("title", deal.title)
        if said:
            _log(db, contact_id, _("Affaire {title} : {changes}").format(
                title=title, changes=", ".join(said)))
        if "stage" in changes and changes["stage"]:
            move_deal(db, deal_id, str(changes["stage"]))
    return get_deal(db, deal_id)


def move_deal(db: Database, deal_id: int, stage: str, *, amount: Any = None,
              probability: int | str | None = None, closed_at: str | None = None,
              lost_reason: str | None = None) -> Deal:
    """Put a deal in a stage: its probability becomes the stage's default (unless
    given); entering a won or lost stage closes it (today or ``closed_at``), an
    open stage reopens it."""
    with db.transaction():
        deal = get_deal(db, deal_id)
        stages = list_stages(db)
        target = get_stage(db, stage, stages)
        value = deal.amount if amount is None else float(
            parse_amount(amount, FIELD_LABELS["amount"], "amount"))
        _require_amount(value, target)
        chance = target.probability if probability is None else parse_percent(
            probability, FIELD_LABELS["probability"], "probability")
        current_reason = _reason_id(db, deal.lost_reason)
        reason_id = None
        if target.is_lost and lost_reason and str(lost_reason).strip():
            reason_id = choice_or_new(db, "lost_reason", str(lost_reason)).id
        elif target.is_lost and deal.is_lost:
            reason_id = current_reason
        if target.is_open:
            closed = None
        else:
            closed = _close_day(closed_at, FIELD_LABELS["closed_at"], "closed_at") \
                or (deal.closed_at if deal.stage_kind == target.kind else None) \
                or clock.today().isoformat()
        if (target.id, value, chance, closed, reason_id) == (
                deal.stage, deal.amount, deal.probability, deal.closed_at, current_reason):
            return deal
        db.execute("UPDATE deals SET stage = ?, amount = ?, probability = ?, closed_at = ?,"
                   " lost_reason_id = ?, updated = ? WHERE id = ?",
                   (target.id, value, chance, closed, reason_id, clock.stamp(), deal_id))
        if target.id != deal.stage:
            _move(db, deal_id, deal.stage, target.id, closed or clock.today().isoformat())
        text = _("Affaire {title} : {old} → {new}, {amount}").format(
            title=deal.title, old=deal.stage_label, new=target.label, amount=_describe(value))
        if target.id == deal.stage:
            text = _("Affaire {title} : {stage}, {amount}").format(
                title=deal.title, stage=target.label, amount=_describe(value))
        if target.is_lost and reason_id is not None:
            text += _(" (raison : {reason})").format(
                reason=db.scalar("SELECT label FROM deal_choices WHERE id = ?", (reason_id,)))
        if deal.is_lost and target.is_open:
            text += _(" (rouverte)")
        _log(db, deal.contact_id, text)
    return get_deal(db, deal_id)


def set_stage(db: Database, deal_id: int, stage: str) -> Deal:
    """Move a deal to a stage (kept for callers of the first version)."""
    return move_deal(db, deal_id, stage)


def step_deal(db: Database, deal_id: int, step: int) -> Deal:
    """The next (+1) or previous (-1) stage: the open stages in order, then won."""
    deal = get_deal(db, deal_id)
    target = neighbour_stage(list_stages(db), deal.stage, step)
    if target is None:
        if deal.is_lost:
            raise ValidationError(_("l'affaire est perdue : rouvrez-la d'abord"), "stage")
        raise ValidationError(_("l'affaire est déjà à la {end} étape").format(
            end=_("première") if step < 0 else _("dernière")), "stage")
    return move_deal(db, deal_id, target.id)


def win_deal(db: Database, deal_id: int, *, amount: Any = None,
             closed_at: str | None = None) -> Deal:
    """Won (at ``amount`` if given): the first won stage, closed today."""
    won = stage_of_kind(list_stages(db), "won")
    return move_deal(db, deal_id, won.id, amount=amount, closed_at=closed_at)


def lose_deal(db: Database, deal_id: int, *, reason: str | None = None,
              closed_at: str | None = None) -> Deal:
    """Lost, with a reason from the user's list (a new reason joins the list)."""
    lost = stage_of_kind(list_stages(db), "lost")
    return move_deal(db, deal_id, lost.id, lost_reason=reason, closed_at=closed_at)


def reopen_deal(db: Database, deal_id: int, stage: str | None = None) -> Deal:
    """A won or lost deal back in the pipeline: the stage it was in before it
    closed (or ``stage``); its lost reason is cleared."""
    deal = get_deal(db, deal_id)
    if deal.is_open:
        raise ValidationError(_("l'affaire « {title} » est déjà en cours").format(
            title=deal.title), "stage")
    if stage is None:
        stages = {s.id: s for s in list_stages(db)}
        previous = [r[0] for r in db.query(
            "SELECT from_stage FROM deal_moves WHERE deal_id = ? AND to_stage = ?"
            " ORDER BY id DESC", (deal_id,  deal.stage))]
        back = next((s for s in previous if s in stages and stages[s].is_open), None)
        stage = back or next(s.id for s in stages.values() if s.is_open)
    return move_deal(db, deal_id, stage)


# -- deleting ---------------------------------------------------------------------


@dataclass
class DeletedDeal:
    """A deleted deal and what hung on it, to put it back (undo)."""

    deal: dict[str, Any]
    moves: list[dict[str, Any]]
    others: list[int]
    quotes: list[int]  # quotes that were linked to it

    @property
    def title(self) -> str:
        return str(self.deal["title"])


def delete_deal(db: Database, deal_id: int) -> DeletedDeal:
    """Delete a deal (its quotes stay, unlinked); returns a snapshot for undo."""
    with db.transaction():
        deal = get_deal(db, deal_id)
        row = dict(db.query("SELECT * FROM deals WHERE id = ?", (deal_id,))[0])
        moves = [dict(r) for r in db.query("SELECT * FROM deal_moves WHERE deal_id = ?",
                                           (deal_id,))]
        quotes = [int(r[0]) for r in db.query("SELECT id FROM quotes WHERE deal_id = ?",
                                              (deal_id,))]
        db.execute("DELETE FROM deals WHERE id = ?", (deal_id,))
        _log(db, deal.contact_id, _("Affaire supprimée : {title} ({stage}, {amount})").format(
            title=deal.title, stage=deal.stage_label, amount=_describe(deal.amount)))
    return DeletedDeal(row, moves, list(deal.others), quotes)


def restore_deal(db: Database, snapshot: DeletedDeal) -> int:
    """Undo :func:`delete_deal`: the deal comes back with the same id."""
    with db.transaction():
        row = snapshot.deal
        if db.scalar("SELECT 1 FROM deals WHERE id = ?", (row["id"],)):
            raise ValidationError(_("l'affaire n° {id} existe de nouveau").format(id=row["id"]))
        _contact_exists(db, int(row["contact_id"]))
        if not db.scalar("SELECT 1 FROM deal_stages WHERE id = ?", (row["stage"],)):
            raise ValidationError(_("l'étape « {stage} » n'existe plus").format(
                stage=row["stage"]), "stage")
        db.execute(f"INSERT INTO deals({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                   tuple(row.values()))
        for move in snapshot.moves:
            db.execute(f"INSERT INTO deal_moves({', '.join(move)})"
                       f" VALUES ({', '.join('?' * len(move))})", tuple(move.values()))
        for other in snapshot.others:
            if db.scalar("SELECT 1 FROM contacts WHERE id = ?", (other,)):
                db.execute("INSERT OR IGNORE INTO deal_contacts(deal_id, contact_id) VALUES (?,?)",
                           (row["id"], other))
        for quote_id in snapshot.quotes:
            db.execute("UPDATE quotes SET deal_id = ? WHERE id = ? AND deal_id IS NULL",
                       (row["id"], quote_id))
        _log(db, int(row["contact_id"]), _("Affaire rétablie : {title}").format(
            title=row["title"]))
    return int(row["id"])


def owned_counts(db: Database, contact_id: int) -> tuple[int, int]:
    """(deals, quotes) a contact owns: deleting it deletes them too."""
    deals = int(db.scalar("SELECT count(*) FROM deals WHERE contact_id = ?", (contact_id,)))
    quotes = int(db.scalar("SELECT count(*) FROM quotes WHERE contact_id = ?", (contact_id,)))
    return deals, quotes


COLLEAGUES_SHOWN = 200


def company_colleagues(db: Database, contact_id: int, *, include: Sequence[int] = (),
                       limit: int = COLLEAGUES_SHOWN) -> list[tuple[int, str]]:
    """The other contacts of the contact's company, ``(id, name)`` by name (the first
    ``limit``), and those of ``include`` (a deal's others) whatever their rank: whom a
    deal may also concern (:func:`add_deal`'s ``others``). None without a company."""
    rows = db.query("SELECT norm_company FROM contacts WHERE id = ?", (contact_id,))
    company = rows[0][0] if rows else ""
    found = db.query(
        "SELECT id, first_name, last_name, company FROM contacts"
        " WHERE norm_company = ? AND id != ? ORDER BY norm_name, id LIMIT ?",
        (company, contact_id, limit)) if company else []
    listed = [(int(r[0]), display_name(r[1], r[2], r[3])) for r in found]
    missing = [int(i) for i in include if int(i) not in {c for c, _name in listed}
               and int(i) != contact_id]
    for other in missing:
        extra = db.query("SELECT first_name, last_name, company FROM contacts WHERE id = ?",
                         (other,))
        if extra:
            listed.append((other, display_name(extra[0][0], extra[0][1], extra[0][2])))
    return listed
