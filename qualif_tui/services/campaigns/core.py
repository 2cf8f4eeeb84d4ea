"""Campaigns: a mailing, letters, a phoning or an event, and who it goes to.

A campaign is made from a query or a segment; its recipients are frozen when
it is made (a static list: contacts who later enter or leave the segment do
not move it). Making it tells who was left out and why — no address for the
channel, an opt-out, no legal basis for e-mailing a private person (see
:mod:`qualif_tui.domain.legal_basis`), the same address as another recipient
(sent once) — and those reasons are kept with the campaign.

**The inactivity clock.** Sending a campaign writes one entry on each
recipient's timeline ("Mailing Salon 2026 envoyé") but it is an *automatic*
entry: an outbound mass mailing is not a contact with the person, so it does not
move ``last_contact`` (``last_contact<6m`` still finds the prospects nobody has
spoken to). A response the user records, or a call they log, is what counts.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from qualif_tui.base.i18n import _
from qualif_tui.base.text import display_name, fold
from qualif_tui.domain import clock
from qualif_tui.domain.errors import NotFound, ValidationError
from qualif_tui.domain.keys import parse_date, parse_number
from qualif_tui.domain.legal_basis import may_email
from qualif_tui.query import compile_query
from qualif_tui.storage import Database

CHANNELS: dict[str, str] = {
    "email": "E-mail",
    "letter": "Courrier",
    "phone": "Téléphone",
    "event": "Événement",
}
# what the timeline says once a campaign of that channel is sent
SENT_SUBJECTS: dict[str, str] = {
    "email": "Mailing {name} envoyé",
    "letter": "Courrier {name} envoyé",
    "phone": "Phoning {name} lancé",
    "event": "Invitation {name} envoyée",
}
_CHANNEL_ALIASES = {
    "email": "email", "e-mail": "email", "mail": "email", "mailing": "email",
    "courriel": "email", "letter": "letter", "courrier": "letter", "lettre": "letter",
    "phone": "phone", "telephone": "phone", "tel": "phone", "phoning": "phone",
    "event": "event", "evenement": "event", "invitation": "event",
}

EXCLUSION_REASONS: dict[str, str] = {
    "no_address": "pas d'adresse pour ce canal",
    "optout": "refus (opt-out)",
    "legal_basis": "pas de base légale pour un e-mail de prospection",
    "duplicate": "même adresse qu'un autre destinataire (envoyé une fois)",
}


@dataclass(frozen=True)
class Campaign:
    id: int
    name: str
    channel: str
    query: str
    day: str
    cost: float
    subject: str
    body: str
    html: str
    sent_at: str | None
    created: str

    @property
    def channel_label(self) -> str:
        return _(CHANNELS.get(self.channel, self.channel))

    @property
    def sent_subject(self) -> str:
        return _(SENT_SUBJECTS[self.channel]).format(name=self.name)


@dataclass(frozen=True)
class Exclusion:
    contact_id: int
    name: str
    reason: str
    detail: str

    @property
    def reason_label(self) -> str:
        return _(EXCLUSION_REASONS.get(self.reason, self.reason))


@dataclass
class CreationReport:
    """What making a campaign did: its recipients, and who was left out and why."""

    campaign: Campaign
    matched: int
    recipients: int
    excluded: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[Exclusion]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The report as the faces print it, one line per reason."""
        out = [_("Campagne « {name} » ({channel}) : {n} destinataire(s) sur {m} contact(s)"
                 " de la requête.").format(name=self.campaign.name,
                                           channel=self.campaign.channel_label,
                                           n=self.recipients, m=self.matched)]
        for reason, label in EXCLUSION_REASONS.items():
            count = self.excluded.get(reason, 0)
            if not count:
                continue
            names = ", ".join(f"{e.name} (#{e.contact_id})"
                              for e in self.examples.get(reason, [])[:3])
            more = "…" if count > 3 else ""
            out.append(_("  laissé(s) de côté : {n} — {why} : {names}{more}").format(
                n=count, why=_(label), names=names, more=more))
        return out


def _campaign(row: sqlite3.Row) -> Campaign:
    return Campaign(row["id"], row["name"], row["channel"], row["query"], row["day"],
                    float(row["cost"]), row["subject"], row["body"], row["html"],
                    row["sent_at"], row["created"])


def parse_channel(text: str) -> str:
    channel = _CHANNEL_ALIASES.get(fold(text).replace(" ", ""))
    if channel is None:
        raise ValidationError(_("canal inconnu « {text} » (email, letter, phone ou event)")
                              .format(text=text), "channel")
    return channel


def list_campaigns(db: Database) -> list[Campaign]:
    """Every campaign, latest first."""
    return [_campaign(r) for r in db.query("SELECT * FROM campaigns ORDER BY day DESC, id DESC")]


def find_campaign(db: Database, name: str) -> Campaign | None:
    rows = db.query("SELECT * FROM campaigns WHERE norm_name = ?", (fold(name),))
    return _campaign(rows[0]) if rows else None


def get_campaign(db: Database, name: str) -> Campaign:
    found = find_campaign(db, name)
    if found is None:
        known = [c.name for c in list_campaigns(db)]
        hint = (_(" (campagnes : {names})").format(names=", ".join(known[:8]))
                if known else "")
        raise NotFound(_("pas de campagne « {name} »").format(name=name) + hint)
    return found


def campaign_by_id(db: Database, campaign_id: int) -> Campaign:
    rows = db.query("SELECT * FROM campaigns WHERE id = ?", (campaign_id,))
    if not rows:
        raise NotFound(_("pas de campagne n° {id}").format(id=campaign_id))
    return _campaign(rows[0])


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("une campagne a besoin d'un nom"), "name")
    if len(name) > 200:
        raise ValidationError(_("un nom de campagne fait au plus 200 caractères"), "name")
    return name


# -- who receives it ------------------------------------------------------------------

_CANDIDATES = (
    "SELECT c.id, c.first_name, c.last_name, c.company, c.email, c.email2, c.email_optout,"
    " c.phone_optout, c.legal_basis, c.address, c.address2, c.postal_code, c.city,"
    " c.mobile, c.phone, c.mobile_e164, c.phone_e164"
    " FROM contacts c JOIN contact_facts f ON f.contact_id = c.id WHERE {where} ORDER BY c.id"
)


# One candidate's fate: (address to send to, key two recipients must not share) or
# ("", reason, detail) — plain tuples, as a 100 000-contact campaign judges each one.
_Verdict = tuple[str, str, str, str]  # address, dedupe key, reason, detail


def _keep(address: str, dedupe: str) -> _Verdict:
    return (address, dedupe, "", "")


def _out(reason: str, detail: str) -> _Verdict:
    return ("", "", reason, detail)


def _email_verdict(row: sqlite3.Row) -> _Verdict:
    address = (row["email"] or row["email2"]).strip()
    if not address:
        return _out("no_address", _("pas d'adresse e-mail"))
    if row["email_optout"]:
        return _out("optout", _("a refusé les e-mails"))
    if not may_email(row["legal_basis"], row["company"]):
        return _out("legal_basis", _("particulier sans consentement ni contrat"))
    return _keep(address, address.lower())


def _postal_key(row: sqlite3.Row) -> str:
    return "\x1f".join(fold(row[k]) for k in ("first_name", "last_name", "company", "address",
                                               "postal_code"))


def _letter_verdict(row: sqlite3.Row) -> _Verdict:
    if not (row["address"] or row["address2"]).strip() or not (
            row["postal_code"].strip() or row["city"].strip()):
        return _out("no_address", _("pas d'adresse postale complète"))
    return _keep("", _postal_key(row))


def _phone_verdict(row: sqlite3.Row) -> _Verdict:
    number = row["mobile"] or row["phone"]
    if not number.strip():
        return _out("no_address", _("pas de numéro de téléphone"))
    if row["phone_optout"]:
        return _out("optout", _("a refusé le démarchage téléphonique"))
    return _keep(number, row["mobile_e164"] or row["phone_e164"] or number)


def _event_verdict(row: sqlite3.Row) -> _Verdict:
    """An invitation goes by e-mail where that is allowed, else by post."""
    by_mail = _email_verdict(row)
    if not by_mail[2]:
        return by_mail
    by_post = _letter_verdict(row)
    if not by_post[2]:
        return by_post
    return by_mail if by_mail[2] != "no_address" else _out(
        "no_address", _("ni e-mail ni adresse postale"))


_VERDICTS: dict[str, Callable[[sqlite3.Row], _Verdict]] = {
    "email": _email_verdict,
    "letter": _letter_verdict,
    "phone": _phone_verdict,
    "event": _event_verdict,
}


def _sorted_rows(db: Database, where: str, params: tuple[object, ...]
                 ) -> Iterator[sqlite3.Row]:
    with db.lock:
        cursor = db.conn.execute(_CANDIDATES.format(where=where), params)
        while True:
            rows = cursor.fetchmany(5000)
            if not rows:
                return
            yield from rows


def create_campaign(
    db: Database,
    name: str,
    query: str = "",
    *,
    channel: str = "email",
    cost: float | str = 0,
    day: str | date | None = None,
) -> CreationReport:
    """Make a campaign of the contacts ``query`` matches now, in one transaction.

    Raises :class:`~qualif_tui.query.QueryError` for a bad query and
    :class:`ValidationError` for a taken name, a bad channel, cost or date.
    """
    name = _clean_name(name)
    channel = parse_channel(channel)
    amount = parse_number(str(cost), _("coût"), "cost") if str(cost).strip() else 0.0
    if amount < 0:
        raise ValidationError(_("le coût ne peut pas être négatif"), "cost")
    when = (day.isoformat() if isinstance(day, date) else
            parse_date(day, _("date"), "day") if day else clock.today().isoformat())
    compiled = compile_query(db, query)
    judge = _VERDICTS[channel]
    stamp = clock.stamp()
    with db.transaction():
        if find_campaign(db, name) is not None:
            raise ValidationError(_("une campagne « {name} » existe déjà").format(name=name),
                                  "name")
        cursor = db.execute(
            "INSERT INTO campaigns(name, norm_name, channel, query, day, cost, created, updated)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (name, fold(name), channel, query.strip(), when, amount, stamp, stamp))
        campaign_id = int(cursor.lastrowid or 0)
        seen: dict[str, int] = {}
        recipients: list[tuple[int, int, str]] = []
        exclusions: list[tuple[int, int, str, str]] = []
        report_examples: dict[str, list[Exclusion]] = {}
        matched = 0
        for row in _sorted_rows(db, compiled.where, compiled.params):
            matched += 1
            address, dedupe, reason, detail = judge(row)
            if not reason:
                first = seen.get(dedupe)
                if first is None:
                    seen[dedupe] = row["id"]
                    recipients.append((campaign_id, row["id"], address))
                    continue
                reason, detail = "duplicate", _("même adresse que #{id}").format(id=first)
            exclusions.append((campaign_id, row["id"], reason, detail))
            examples = report_examples.setdefault(reason, [])
            if len(examples) < 3:
                examples.append(Exclusion(row["id"], display_name(
                    row["first_name"], row["last_name"], row["company"]), reason, detail))
        db.conn.executemany("INSERT INTO campaign_recipients(campaign_id, contact_id, address)"
                            " VALUES (?, ?, ?)", recipients)
        db.conn.executemany("INSERT INTO campaign_exclusions(campaign_id, contact_id, reason,"
                            " detail) VALUES (?, ?, ?, ?)", exclusions)
    return CreationReport(campaign_by_id(db, campaign_id), matched, len(recipients),
                          Counter(e[2] for e in exclusions), report_examples)


def exclusions(db: Database, campaign: Campaign, limit: int | None = None) -> list[Exclusion]:
    """Who was left out of ``campaign``, and why (by reason, then name)."""
    rows = db.query(
        "SELECT e.contact_id, e.reason, e.detail, c.first_name, c.last_name, c.company"
        " FROM campaign_exclusions e JOIN contacts c ON c.id = e.contact_id"
        " WHERE e.campaign_id = ? ORDER BY e.reason, c.sort_key, c.id"
        + (" LIMIT ?" if limit is not None else ""),
        (campaign.id, limit) if limit is not None else (campaign.id,))
    return [Exclusion(r["contact_id"], display_name(r["first_name"], r["last_name"],
                                                    r["company"]), r["reason"], r["detail"])
            for r in rows]


def exclusion_counts(db: Database, campaign: Campaign) -> dict[str, int]:
    return {r[0]: int(r[1]) for r in db.query(
        "SELECT reason, count(*) FROM campaign_exclusions WHERE campaign_id = ? GROUP BY reason",
        (campaign.id,))}


def delete_campaign(db: Database, name: str) -> Campaign:
    """Delete a campaign, its recipients and its chain's open activities.

    The timeline entries of a sent campaign stay: they say what the contacts
    received. Done activities of its chain stay in the agenda's past too."""
    campaign = get_campaign(db, name)
    with db.transaction():
        db.execute("DELETE FROM activities WHERE status = 'open' AND id IN"
                   " (SELECT activity_id FROM campaign_activities WHERE campaign_id = ?)",
                   (campaign.id,))
        db.execute("DELETE FROM campaigns WHERE id = ?", (campaign.id,))
    return campaign


def set_cost(db: Database, name: str, cost: float | str) -> Campaign:
    campaign = get_campaign(db, name)
    amount = parse_number(str(cost), _("coût"), "cost")
    if amount < 0:
        raise ValidationError(_("le coût ne peut pas être négatif"), "cost")
    with db.transaction():
        db.execute("UPDATE campaigns SET cost = ?, updated = ? WHERE id = ?",
                   (amount, clock.stamp(), campaign.id))
    return campaign_by_id(db, campaign.id)


def save_template(db: Database, campaign: Campaign, subject: str, body: str,
                  html: str = "") -> Campaign:
    """Keep the e-mail template with the campaign (a resumed send uses it)."""
    with db.transaction():
        db.execute("UPDATE campaigns SET subject = ?, body = ?, html = ?, updated = ?"
                   " WHERE id = ?", (subject, body, html, clock.stamp(), campaign.id))
    return campaign_by_id(db, campaign.id)
