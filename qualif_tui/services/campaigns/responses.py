"""Recipients of a campaign and their responses.

A response is one of a few states, set one keystroke per recipient in the app or
imported from a CSV file of (e-mail, state) lines — the bounces a mail server
sent back, the replies sorted in the mailbox. An unsubscribe sets the contact's
e-mail opt-out (so no later campaign reaches them), and any response takes the
recipient out of the steps of the campaign's follow-up chain still to come.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from qualif_tui.base.i18n import _
from qualif_tui.base.text import display_name, fold
from qualif_tui.domain import clock
from qualif_tui.domain.contacts import update_contact
from qualif_tui.domain.errors import NotFound, ValidationError
from qualif_tui.services.campaigns.core import Campaign
from qualif_tui.storage import Database

# state → label, in the order lists and keys show them
RESPONSES: dict[str, str] = {
    "none": "aucune",
    "replied": "ouvert / répondu",
    "meeting": "rendez-vous",
    "quote": "devis",
    "order": "commande",
    "unsubscribed": "désinscrit",
    "bounced": "NPAI / rejeté",
}
_RESPONSE_ALIASES = {
    **{state: state for state in RESPONSES},
    **{fold(label): state for state, label in RESPONSES.items()},
    "aucune": "none", "aucun": "none", "rien": "none", "-": "none", "": "none",
    "opened": "replied", "open": "replied", "ouvert": "replied", "repondu": "replied",
    "reponse": "replied", "reply": "replied", "rdv": "meeting", "rendez-vous": "meeting",
    "rendez vous": "meeting", "devis": "quote", "commande": "order", "vente": "order",
    "unsubscribe": "unsubscribed", "desinscrit": "unsubscribed", "desinscription": "unsubscribed",
    "desabonne": "unsubscribed", "stop": "unsubscribed", "bounce": "bounced",
    "npai": "bounced", "rejete": "bounced", "erreur": "bounced",
}
SEND_STATES: dict[str, str] = {
    "queued": "à envoyer",
    "sending": "incertain (interrompu pendant l'envoi)",
    "sent": "envoyé",
    "failed": "échec",
}


def parse_response(text: str) -> str:
    state = _RESPONSE_ALIASES.get(fold(text).strip())
    if state is None:
        raise ValidationError(_("réponse inconnue « {text} » (l'une de : {states})").format(
            text=text, states=", ".join(RESPONSES)), "response")
    return state


@dataclass(frozen=True)
class Recipient:
    contact_id: int
    name: str
    company: str
    address: str
    state: str
    detail: str
    sent_at: str | None
    response: str
    responded_at: str | None
    message_id: str = ""

    @property
    def response_label(self) -> str:
        return _(RESPONSES.get(self.response, self.response))

    @property
    def state_label(self) -> str:
        return _(SEND_STATES.get(self.state, self.state))


_RECIPIENT_SQL = (
    "SELECT r.contact_id, r.address, r.state, r.detail, r.sent_at, r.response, r.responded_at,"
    " r.message_id, c.first_name, c.last_name, c.company"
    " FROM campaign_recipients r JOIN contacts c ON c.id = r.contact_id"
    " WHERE r.campaign_id = ?"
)


def _recipient(row: sqlite3.Row) -> Recipient:
    return Recipient(row["contact_id"], display_name(row["first_name"], row["last_name"],
                                                     row["company"]),
                     row["company"], row["address"], row["state"], row["detail"],
                     row["sent_at"], row["response"], row["responded_at"], row["message_id"])


def list_recipients(db: Database, campaign: Campaign, *, offset: int = 0,
                    limit: int | None = None, state: str | None = None) -> list[Recipient]:
    """Recipients by name (a page of them with ``offset``/``limit``)."""
    sql = _RECIPIENT_SQL
    params: list[object] = [campaign.id]
    if state is not None:
        sql += " AND r.state = ?"
        params.append(state)
    sql += " ORDER BY c.sort_key, c.id"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [limit, offset]
    return [_recipient(r) for r in db.query(sql, params)]


def get_recipient(db: Database, campaign: Campaign, contact_id: int) -> Recipient:
    rows = db.query(_RECIPIENT_SQL + " AND r.contact_id = ?", (campaign.id, contact_id))
    if not rows:
        raise NotFound(_("le contact #{id} n'est pas destinataire de « {name} »").format(
            id=contact_id, name=campaign.name))
    return _recipient(rows[0])


@dataclass(frozen=True)
class Tally:
    """Recipients of a campaign counted by sending state and by response."""

    recipients: int
    states: dict[str, int] = field(default_factory=dict)
    responses: dict[str, int] = field(default_factory=dict)

    @property
    def responded(self) -> int:
        return sum(n for state, n in self.responses.items() if state != "none")


def tally(db: Database, campaign: Campaign) -> Tally:
    states = {r[0]: int(r[1]) for r in db.query(
        "SELECT state, count(*) FROM campaign_recipients WHERE campaign_id = ? GROUP BY state",
        (campaign.id,))}
    responses = {r[0]: int(r[1]) for r in db.query(
        "SELECT response, count(*) FROM campaign_recipients WHERE campaign_id = ?"
        " GROUP BY response", (campaign.id,))}
    return Tally(sum(states.values()), states, responses)


def _apply_response(db: Database, campaign: Campaign, contact_id: int, state: str) -> None:
    """Inside the caller's transaction: the state, its consequences."""
    now = clock.stamp()
    db.execute("UPDATE campaign_recipients SET response = ?, responded_at = ?"
               " WHERE campaign_id = ? AND contact_id = ?",
               (state, None if state == "none" else now, campaign.id, contact_id))
    if state == "unsubscribed":
        update_contact(db, contact_id, {"email_optout": True})
    if state != "none":
        # out of the chain's steps still to come
        db.execute("DELETE FROM activities WHERE status = 'open' AND id IN"
                   " (SELECT activity_id FROM campaign_activities"
                   "   WHERE campaign_id = ? AND contact_id = ?)", (campaign.id, contact_id))


def set_response(db: Database, campaign: Campaign, contact_id: int, state: str) -> Recipient:
    """Record one recipient's response (``state``: an id, a French label or alias)."""
    state = parse_response(state)
    with db.transaction():
        get_recipient(db, campaign, contact_id)
        _apply_response(db, campaign, contact_id, state)
    return get_recipient(db, campaign, contact_id)


@dataclass
class ResponseImport:
    """What a CSV of responses did."""

    applied: int = 0
    unchanged: int = 0
    unknown: list[tuple[int, str]] = field(default_factory=list)  # (line, address)

    def lines(self) -> list[str]:
        out = [_("{n} réponse(s) enregistrée(s), {u} déjà à jour").format(
            n=self.applied, u=self.unchanged)]
        if self.unknown:
            shown = ", ".join(f"{a} (ligne {line})" for line, a in self.unknown[:5])
            more = "…" if len(self.unknown) > 5 else ""
            out.append(_("{n} adresse(s) hors de la campagne, ignorée(s) : {shown}{more}")
                       .format(n=len(self.unknown), shown=shown, more=more))
        return out


def _csv_rows(text: str) -> Iterable[tuple[int, list[str]]]:
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    if "\t" in sample and sample.count("\t") > sample.count(delimiter):
        delimiter = "\t"
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        if any(cell.strip() for cell in row):
            yield number, [cell.strip() for cell in row]


def import_responses(db: Database, campaign: Campaign, path: str | Path) -> ResponseImport:
    """Responses from a CSV file of ``e-mail, state`` lines (a header line is
    allowed; ``,`` ``;`` or tab). All or nothing: an unknown state refuses the
    file with its line; an address that is no recipient of the campaign is
    reported and skipped."""
    source = Path(path)
    try:
        raw = source.read_bytes()
    except OSError as error:
        raise ValidationError(_("{file} : illisible ({error})").format(
            file=source, error=error.strerror or error), "file") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    wanted: list[tuple[int, str, str]] = []
    for number, cells in _csv_rows(text):
        if len(cells) < 2:
            raise ValidationError(_("{file}, ligne {line} : il faut deux colonnes, e-mail et"
                                    " réponse").format(file=source.name, line=number), "file")
        address, state_text = cells[0], cells[1]
        if number == 1 and "@" not in address:
            continue  # a header line
        try:
            state = parse_response(state_text)
        except ValidationError as error:
            raise ValidationError(_("{file}, ligne {line} : {error}").format(
                file=source.name, line=number, error=error), "file") from None
        wanted.append((number, address, state))
    by_address: dict[str, int] = {}
    for row in db.query(
            "SELECT r.contact_id, r.address, c.email, c.email2 FROM campaign_recipients r"
            " JOIN contacts c ON c.id = r.contact_id WHERE r.campaign_id = ?", (campaign.id,)):
        for address in (row["email2"], row["email"], row["address"]):
            if address and "@" in address:
                by_address[address.strip().lower()] = row["contact_id"]
    report = ResponseImport()
    with db.transaction():
        for number, address, state in wanted:
            contact_id = by_address.get(address.strip().strip("<>").lower())
            if contact_id is None:
                report.unknown.append((number, address))
                continue
            current = db.scalar("SELECT response FROM campaign_recipients"
                                " WHERE campaign_id = ? AND contact_id = ?",
                                (campaign.id, contact_id))
            if current == state:
                report.unchanged += 1
                continue
            _apply_response(db, campaign, contact_id, state)
            report.applied += 1
    return report
