"""Campaigns in the demo and in generated files, so both show and exercise them.

The demo (``sample_data/campaigns.json``) gets its legal bases, a mailing sent
weeks ago with its responses and the deals it brought, and campaigns still to
do; they are made through the real services (the same exclusions a user sees).
A generated file gets a few campaigns written in bulk (set-based SQL, derived
from contact ids, no random stream of its own), recipients, responses and the
timeline entries of those sent.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from qualif_tui.base.text import fold
from qualif_tui.domain import clock
from qualif_tui.domain.history import add_entry
from qualif_tui.services.campaigns import chains, core, responses
from qualif_tui.services.campaigns.messages import message_id
from qualif_tui.storage import Database
from qualif_tui.storage.schema import history_fts_rowid

Shift = Callable[[str], "str | None"]


def load_demo_campaigns(db: Database, spec: dict[str, Any], shift: Shift) -> None:
    """The demo's legal bases and campaigns (dates moved like the rest of the demo)."""
    with db.transaction():
        for basis, refs in spec.get("legal_basis", {}).items():
            db.execute("UPDATE contacts SET legal_basis = ? WHERE id IN"
                       " (SELECT value FROM json_each(?))", (basis, _json(refs)))
    for item in spec.get("campaigns", []):
        day = shift(item["day"]) or clock.today().isoformat()
        campaign = core.create_campaign(db, item["name"], item.get("query", ""),
                                        channel=item["channel"], cost=item.get("cost", 0),
                                        day=day[:10]).campaign
        if item.get("subject") or item.get("body"):
            campaign = core.save_template(db, campaign, item.get("subject", ""),
                                          item.get("body", ""))
        if item.get("sent"):
            _mark_sent_on(db, campaign, day[:10], item.get("sender", "demo@qualif.invalid"))
        _responses(db, campaign, item.get("responses", {}), item.get("deals", []))
        if item.get("chain"):
            chains.apply_chain(db, campaign, list(item["chain"]))


def _json(ids: list[int]) -> str:
    return "[" + ",".join(str(int(i)) for i in ids) + "]"


def _mark_sent_on(db: Database, campaign: core.Campaign, day: str, sender: str) -> None:
    moment = f"{day}T09:00:00"
    with db.transaction():
        ids = [r[0] for r in db.query("SELECT contact_id FROM campaign_recipients"
                                      " WHERE campaign_id = ?", (campaign.id,))]
        for contact_id in ids:
            db.execute("UPDATE campaign_recipients SET state = 'sent', sent_at = ?, message_id = ?"
                       " WHERE campaign_id = ? AND contact_id = ?",
                       (moment, message_id(campaign.id, contact_id, sender), campaign.id,
                        contact_id))
            add_entry(db, contact_id, "campaign", campaign.sent_subject,
                      f"Objet : {campaign.subject}" if campaign.subject else "",
                      happened_at=moment, automatic=True)
        db.execute("UPDATE campaigns SET sent_at = ? WHERE id = ?", (moment, campaign.id))


def _responses(db: Database, campaign: core.Campaign, wanted: dict[str, int],
               deals: list[dict[str, Any]]) -> None:
    ids = [r[0] for r in db.query("SELECT contact_id FROM campaign_recipients"
                                  " WHERE campaign_id = ? ORDER BY contact_id", (campaign.id,))]
    rng = random.Random(fold(campaign.name))
    order = rng.sample(ids, len(ids))
    buyers: list[int] = []
    start = date.fromisoformat(campaign.day)
    with db.transaction():
        for state, how_many in wanted.items():
            state = responses.parse_response(state)
            for contact_id in order[:how_many]:
                # dated after the campaign, as they came in (not "now")
                when = f"{start + timedelta(days=1 + contact_id % 12)}T10:00:00"
                db.execute("UPDATE campaign_recipients SET response = ?, responded_at = ?"
                           " WHERE campaign_id = ? AND contact_id = ?",
                           (state, when, campaign.id, contact_id))
                if state == "unsubscribed":
                    db.execute("UPDATE contacts SET email_optout = 1 WHERE id = ?",
                               (contact_id,))
                    add_entry(db, contact_id, "change", "Refus e-mail : non → oui",
                              happened_at=when, automatic=True)
                if state in ("order", "quote"):
                    buyers.append(contact_id)
            order = order[how_many:]
    with db.transaction():
        for contact_id, deal in zip(buyers, deals, strict=False):
            closed = (start + timedelta(days=int(deal["after_days"]))).isoformat()
            # written as the demo's other deals are (no "created today" entry)
            db.execute("INSERT INTO deals(contact_id, title, stage, amount, probability,"
                       " closed_at, created, updated) VALUES (?, ?, 'won', ?, 100, ?, ?, ?)",
                       (contact_id, deal["title"], float(deal["amount"]), closed, closed, closed))


# -- generated files ----------------------------------------------------------------------

# name, channel, cost, days before today (negative: to come), sent, share of contacts
_GENERATED = (
    ("Mailing salon de l'auto", "email", 450.0, 75, True, 0.02),
    ("Relance clients hiver", "email", 120.0, 30, True, 0.01),
    ("Courrier contrôle des 4 ans", "letter", 380.0, 12, True, 0.005),
    ("Portes ouvertes de printemps", "event", 900.0, -20, False, 0.01),
)
_SUBJECTS = {"email": "Mailing {name} envoyé", "letter": "Courrier {name} envoyé",
             "event": "Invitation {name} envoyée", "phone": "Phoning {name} lancé"}
_CAP = 20_000


def legal_basis_for(contact_id: int, company: str) -> str:
    """A generated contact's legal basis, from its id (no random draw)."""
    bucket = (contact_id * 2654435761 >> 8) % 20
    if company:
        return "intérêt légitime" if bucket < 6 else ""
    return "consentement" if bucket < 9 else "contrat" if bucket < 13 else ""


def add_generated_campaigns(conn: sqlite3.Connection, n: int, today: date) -> int:
    """Campaigns over a generated file, written in bulk on the loader's connection
    (no triggers yet: the history full-text rows are written here too)."""
    stamp = clock.stamp()
    made = 0
    for index, (name, channel, cost, ago, sent, share) in enumerate(_GENERATED):
        size = min(_CAP, max(1, int(n * share)))
        step = max(1, n // size)
        day = (today - timedelta(days=ago)).isoformat()
        cursor = conn.execute(
            "INSERT INTO campaigns(name, norm_name, channel, query, day, cost, subject, body,"
            " sent_at, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (name, fold(name), channel, "profil:client,prospect", day, cost,
             "Invitation — {{ prenom|defaut('Madame, Monsieur') }}" if channel == "email" else "",
             "Bonjour {{ prenom }},\n\nÀ bientôt !" if channel == "email" else "",
             f"{day}T09:00:00" if sent else None, stamp, stamp))
        campaign_id = int(cursor.lastrowid or 0)
        eligible = ("c.email != '' AND c.email_optout = 0 AND (c.company != ''"
                    " OR c.legal_basis IN ('consentement', 'contrat'))"
                    if channel in ("email", "event") else "c.address != '' AND c.postal_code != ''")
        address = "c.email" if channel in ("email", "event") else "''"
        state = "'sent'" if sent else "'queued'"
        conn.execute(
            "INSERT INTO campaign_recipients(campaign_id, contact_id, address, state, sent_at,"
            " response, responded_at)"
            f" SELECT ?, c.id, {address}, {state}, ?,"
            "  CASE WHEN h < 6 THEN 'replied' WHEN h < 9 THEN 'meeting' WHEN h < 11 THEN 'quote'"
            "   WHEN h < 12 THEN 'order' WHEN h < 13 THEN 'unsubscribed' WHEN h < 15 THEN 'bounced'"
            "   ELSE 'none' END, CASE WHEN h < 15 THEN ? END"
            f" FROM (SELECT c.*, ((c.id * 2654435761 + ?) / 256) % 100 AS h FROM contacts c"
            f"       WHERE (c.id + ?) % ? = 0 AND {eligible}) AS c LIMIT ?",
            (campaign_id, f"{day}T09:00:00" if sent else None, f"{day}T15:00:00",
             index * 7, index, step, size))
        if not sent:
            conn.execute("UPDATE campaign_recipients SET response = 'none', responded_at = NULL"
                         " WHERE campaign_id = ?", (campaign_id,))
        else:
            first = conn.execute("SELECT coalesce(max(id), 0) FROM history").fetchone()[0]
            conn.execute(
                "INSERT INTO history(contact_id, kind, happened_at, subject, body, automatic,"
                " created) SELECT contact_id, 'campaign', ?, ?, '', 1, ? FROM campaign_recipients"
                " WHERE campaign_id = ?",
                (f"{day}T09:00:00", _SUBJECTS[channel].format(name=name), stamp, campaign_id))
            conn.execute("INSERT INTO history_fts(rowid, subject, body)"
                         f" SELECT {history_fts_rowid()}, subject, body FROM history WHERE id > ?",
                         (first,))
            unsubscribed = ("SELECT contact_id FROM campaign_recipients WHERE campaign_id = ?"
                            " AND response = 'unsubscribed'")
            conn.execute(f"UPDATE contacts SET email_optout = 1 WHERE id IN ({unsubscribed})",
                         (campaign_id,))
            conn.execute(f"UPDATE contact_facts SET flags = flags | 4 WHERE contact_id IN"
                         f" ({unsubscribed})", (campaign_id,))
            _orders_won(conn, campaign_id, day, stamp)
        reason = ("CASE WHEN c.email = '' THEN 'no_address' WHEN c.email_optout THEN 'optout'"
                  " ELSE 'legal_basis' END" if channel in ("email", "event") else "'no_address'")
        conn.execute(
            f"INSERT INTO campaign_exclusions(campaign_id, contact_id, reason) SELECT ?, c.id,"
            f" {reason} FROM contacts c WHERE (c.id + ?) % ? = 0 AND NOT ({eligible}) LIMIT ?",
            (campaign_id, index, step, size))
        made += 1
    return made


def _orders_won(conn: sqlite3.Connection, campaign_id: int, day: str, stamp: str) -> None:
    """An order answered to a generated campaign became a deal won within weeks
    (the facts the triggers would keep are kept here: none run yet)."""
    orders = ("SELECT contact_id FROM campaign_recipients WHERE campaign_id = ?"
              " AND response = 'order'")
    conn.execute(
        "INSERT INTO deals(contact_id, title, stage, amount, probability, closed_at, created,"
        " updated) SELECT contact_id, 'Commande après campagne', 'won',"
        " 15000 + (contact_id % 20) * 1000, 100, date(?, '+' || (1 + contact_id % 60) || ' days'),"
        f" ?, ? FROM ({orders})", (day, stamp, stamp, campaign_id))
    conn.execute(
        "UPDATE contact_facts SET deals = deals + 1,"
        " revenue = revenue + 15000 + (contact_id % 20) * 1000"
        f" WHERE contact_id IN ({orders})", (campaign_id,))
