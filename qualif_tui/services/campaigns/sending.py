"""Sending a campaign: merged, checked, delivered, and every recipient's state kept.

The order of things, each for a reason:

1. The template is checked and rendered for *every* pending recipient before the
   first message leaves: an unknown field or a failing filter stops the send
   while nothing is sent.
2. Through SMTP, a recipient is marked ``sending`` and committed *before* its
   message is handed to the server, and marked ``sent`` (with its timeline
   entry) in the same commit that marks the next one ``sending``: one commit per
   message. A send killed at any point (kill -9, a pulled stick, the network
   gone) resumes where it stopped, and a recipient left ``sending`` — handed
   over, outcome unknown — is never sent again unless the user asks
   (``retry_uncertain``): at most once, never twice.
3. A recipient refused (550) is recorded with the server's reply and the rest go
   on; a lost connection is re-opened once, and when that fails the send stops
   cleanly with the rest still queued, ready to resume.
4. Files (``.eml``, mbox) are written in batches of :data:`FILE_BATCH` recorded
   together; a resumed run rewrites the same ``.eml`` names and skips the
   Message-IDs already in the mbox, so nothing is duplicated there either.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message

from qualif_tui.base.i18n import _
from qualif_tui.domain import clock
from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.history import add_entry
from qualif_tui.services.campaigns.core import Campaign, campaign_by_id, save_template
from qualif_tui.services.campaigns.fields import MergeSchema, contexts, merge_schema
from qualif_tui.services.campaigns.merge import MergeTemplate, Rendered, TemplateText
from qualif_tui.services.campaigns.messages import (
    build_message,
    message_id,
    parse_sender,
    unsubscribe_link,
)
from qualif_tui.services.campaigns.transports import (
    DeliveryFailed,
    MboxFile,
    SendAborted,
    Transport,
)
from qualif_tui.storage import Database

FILE_BATCH = 500
Progress = Callable[[int, int, str], None]  # (done, total, what just happened)


class SendControl:
    """Pause, resume or stop a send from another thread (the app's buttons)."""

    def __init__(self) -> None:
        self._running = threading.Event()
        self._running.set()
        self._stopped = threading.Event()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def stop(self) -> None:
        self._stopped.set()
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def wait(self, seconds: float = 0.0) -> bool:
        """Wait ``seconds`` (the rate limit) and while paused; False once stopped."""
        deadline = time.monotonic() + max(0.0, seconds)
        while True:
            if self._stopped.is_set():
                return False
            left = deadline - time.monotonic()
            if self._running.is_set() and left <= 0:
                return True
            if not self._running.is_set():
                self._running.wait(0.2)
            else:
                self._stopped.wait(min(left, 0.2))


@dataclass(frozen=True)
class Pending:
    contact_id: int
    name: str
    address: str


@dataclass
class SendReport:
    transport: str
    total: int  # recipients this run set out to send to
    sent: int = 0
    already: int = 0  # sent by an earlier run
    failed: list[tuple[int, str, str]] = field(default_factory=list)  # (id, name, reply)
    uncertain: list[tuple[int, str, str]] = field(default_factory=list)
    remaining: int = 0
    stopped: str | None = None

    @property
    def complete(self) -> bool:
        return self.stopped is None and self.remaining == 0

    def lines(self) -> list[str]:
        out = [_("{sent} message(s) envoyé(s) vers {where}").format(sent=self.sent,
                                                                    where=self.transport)
               + (_(" ({n} déjà envoyé(s) avant)").format(n=self.already) if self.already
                  else "")]
        for contact_id, name, reply in self.failed[:10]:
            out.append(_("  échec : {name} (#{id}) — {reply}").format(name=name, id=contact_id,
                                                                    reply=reply))
        if len(self.failed) > 10:
            out.append(_("  … et {n} autre(s) échec(s)").format(n=len(self.failed) - 10))
        for contact_id, name, reply in self.uncertain[:10]:
            out.append(_("  incertain : {name} (#{id}) — {reply} (pas renvoyé sans"
                         " --retry-uncertain)").format(name=name, id=contact_id, reply=reply))
        if self.stopped:
            out.append(_("Arrêté : {why}.").format(why=self.stopped))
        if self.remaining:
            out.append(_("{n} destinataire(s) restent à envoyer : relancez la même commande"
                         " pour reprendre.").format(n=self.remaining))
        return out


# -- preparing -------------------------------------------------------------------------


def resolve_template(db: Database, campaign: Campaign, template: TemplateText | None, *,
                     replace: bool = False) -> tuple[Campaign, TemplateText]:
    """The template to send with: the one given (kept with the campaign), else the
    one kept. A campaign partly sent keeps its template unless ``replace``."""
    stored = TemplateText(campaign.subject, campaign.body, campaign.html) \
        if campaign.subject or campaign.body else None
    if template is None:
        if stored is None:
            raise ValidationError(_("« {name} » n'a pas encore de modèle : donnez --template"
                                    " FICHIER").format(name=campaign.name), "template")
        return campaign, stored
    same = stored is not None and (stored.subject, stored.body.strip(), stored.html.strip()) \
        == (template.subject, template.body.strip(), template.html.strip())
    if not same and stored is not None and not replace:
        sent = db.scalar("SELECT count(*) FROM campaign_recipients WHERE campaign_id = ?"
                         " AND state IN ('sent', 'sending')", (campaign.id,))
        if sent:
            raise ValidationError(_("{n} message(s) de « {name} » sont partis avec un autre"
                                    " modèle ; ajoutez --replace-template pour envoyer la suite"
                                    " avec celui-ci").format(n=sent, name=campaign.name),
                                  "template")
    if not same:
        campaign = save_template(db, campaign, template.subject, template.body, template.html)
    return campaign, template


def pending_recipients(db: Database, campaign: Campaign, *, retry_failed: bool = False,
                       retry_uncertain: bool = False) -> list[Pending]:
    states = ["queued"] + (["failed"] if retry_failed else []) + \
        (["sending"] if retry_uncertain else [])
    marks = ", ".join("?" for _s in states)
    rows = db.query(
        "SELECT r.contact_id, r.address, c.first_name, c.last_name, c.company"
        " FROM campaign_recipients r JOIN contacts c ON c.id = r.contact_id"
        f" WHERE r.campaign_id = ? AND r.state IN ({marks}) AND r.address LIKE '%@%'"
        " ORDER BY c.sort_key, c.id", (campaign.id, *states))
    return [Pending(r["contact_id"], addressee(r["first_name"], r["last_name"], r["company"]),
                    r["address"]) for r in rows]


def addressee(first_name: str, last_name: str, company: str) -> str:
    """How a message's ``To`` names a person: "Hélène Martin", else the company."""
    return " ".join(p for p in (first_name.strip(), last_name.strip()) if p) or company.strip()


def _check_channel(campaign: Campaign) -> None:
    if campaign.channel not in ("email", "event"):
        raise ValidationError(_("« {name} » est une campagne {channel} : rien à envoyer par"
                                " e-mail (courriers : qualif campaign DB letters)").format(
                                    name=campaign.name, channel=campaign.channel_label),
                              "channel")


@dataclass(frozen=True)
class Prepared:
    campaign: Campaign
    merge: MergeTemplate
    schema: MergeSchema
    sender: str
    unsubscribe_address: str

    @property
    def unsubscribe(self) -> str:
        return unsubscribe_link(self.unsubscribe_address)


def prepare(db: Database, campaign: Campaign, sender: str, template: TemplateText | None = None,
            *, replace_template: bool = False, unsubscribe_to: str | None = None,
            keep: bool = True) -> Prepared:
    """Everything checked before a send: channel, sender, template (raises).

    ``keep``: store the given template with the campaign (a preview does not)."""
    campaign = campaign_by_id(db, campaign.id)  # the template kept by an earlier run
    _check_channel(campaign)
    _name, address = parse_sender(sender)
    schema = merge_schema(db)
    # checked before it is kept: a broken template is not stored
    if template is not None:
        MergeTemplate(template, schema)
    if keep or template is None:
        campaign, text = resolve_template(db, campaign, template, replace=replace_template)
    else:
        text = template
    merge = MergeTemplate(text, schema)
    return Prepared(campaign, merge, schema, sender, unsubscribe_to or address)


def render_for(db: Database, prepared: Prepared, contact_ids: list[int]
               ) -> list[tuple[int, Rendered]]:
    """The messages of these recipients (all rendered: a failure raises)."""
    return list(prepared.merge.render_all(
        contexts(db, contact_ids, campaign_name=prepared.campaign.name,
                 unsubscribe=prepared.unsubscribe, schema=prepared.schema)))


# -- sending ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    state: str  # sent, failed, queued (certainly not sent), sending (uncertain)
    detail: str = ""
    message_id: str = ""
    subject: str = ""


def _record(db: Database, campaign: Campaign, contact_id: int, outcome: _Outcome) -> None:
    """Inside the caller's transaction: one recipient's outcome (and timeline entry)."""
    now = clock.stamp()
    db.execute("UPDATE campaign_recipients SET state = ?, detail = ?, message_id ="
               " CASE WHEN ? != '' THEN ? ELSE message_id END,"
               " sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END"
               " WHERE campaign_id = ? AND contact_id = ?",
               (outcome.state, outcome.detail, outcome.message_id, outcome.message_id,
                outcome.state, now, campaign.id, contact_id))
    if outcome.state == "sent":
        add_entry(db, contact_id, "campaign", campaign.sent_subject,
                  _("Objet : {subject}").format(subject=outcome.subject) if outcome.subject
                  else "", automatic=True)


def _mark_sent_campaign(db: Database, campaign: Campaign) -> None:
    db.execute("UPDATE campaigns SET sent_at = coalesce(sent_at, ?), updated = ? WHERE id = ?",
               (clock.stamp(), clock.stamp(), campaign.id))


def _deliver(transport: Transport, message: Message, sender: str, recipient: str,
             msg_id: str, subject: str) -> tuple[_Outcome, bool]:
    """Hand one message over; a connection lost before the message was handed over
    is re-opened and the message tried once more. Returns (outcome, connection lost)."""
    for attempt in (1, 2):
        try:
            transport.deliver(message, sender, recipient)
        except DeliveryFailed as failure:
            if failure.accepted_maybe:
                return _Outcome("sending", failure.reply, msg_id), True
            if failure.connection_lost:
                if attempt == 1 and _reconnect(transport):
                    continue
                return _Outcome("queued", failure.reply), True
            return _Outcome("failed", failure.reply), False
        return _Outcome("sent", "", msg_id, subject), False
    raise AssertionError("unreachable")


def _reconnect(transport: Transport) -> bool:
    reconnect = getattr(transport, "reconnect", None)
    return bool(reconnect()) if reconnect is not None else False


def send_campaign(
    db: Database,
    campaign: Campaign,
    transport: Transport,
    *,
    sender: str,
    template: TemplateText | None = None,
    rate: float = 0.0,
    retry_failed: bool = False,
    retry_uncertain: bool = False,
    replace_template: bool = False,
    unsubscribe_to: str | None = None,
    progress: Progress | None = None,
    control: SendControl | None = None,
) -> SendReport:
    """Send ``campaign`` to its recipients not yet sent to; see the module's notes."""
    prepared = prepare(db, campaign, sender, template, replace_template=replace_template,
                       unsubscribe_to=unsubscribe_to)
    campaign = prepared.campaign
    pending = pending_recipients(db, campaign, retry_failed=retry_failed,
                                 retry_uncertain=retry_uncertain)
    report = SendReport(transport.label, len(pending), already=int(db.scalar(
        "SELECT count(*) FROM campaign_recipients WHERE campaign_id = ? AND state = 'sent'",
        (campaign.id,))))
    by_id = {p.contact_id: p for p in pending}
    messages = render_for(db, prepared, [p.contact_id for p in pending])  # checked: all render
    _name, sender_address = parse_sender(sender)
    control = control or SendControl()
    transport.open()
    interval = 60.0 / rate if rate > 0 else 0.0
    last_at = 0.0
    waiting: list[tuple[int, _Outcome]] = []  # outcomes not yet committed

    def commit(also_sending: int | None = None) -> None:
        with db.transaction():
            for contact_id, outcome in waiting:
                _record(db, campaign, contact_id, outcome)
            if any(o.state == "sent" for _c, o in waiting):
                _mark_sent_campaign(db, campaign)
            if also_sending is not None:
                db.execute("UPDATE campaign_recipients SET state = 'sending', detail = ''"
                           " WHERE campaign_id = ? AND contact_id = ?",
                           (campaign.id, also_sending))
        waiting.clear()

    done = 0
    try:
        for contact_id, rendered in messages:
            wait = max(0.0, last_at + interval - time.monotonic()) if interval else 0.0
            if not control.wait(wait):
                report.stopped = _("envoi interrompu par l'utilisateur")
                break
            who = by_id[contact_id]
            msg_id = message_id(campaign.id, contact_id, sender_address)
            message = build_message(rendered, sender=sender, to_name=who.name,
                                    to_address=who.address, msg_id=msg_id,
                                    unsubscribe_to=prepared.unsubscribe_address)
            if transport.commits_each:
                commit(also_sending=contact_id)
            last_at = time.monotonic()
            try:
                outcome, lost = _deliver(transport, message, sender_address, who.address,
                                         msg_id, rendered.subject)
            except SendAborted as aborted:
                waiting.append((contact_id, _Outcome("queued")))
                report.stopped = str(aborted)
                break
            if outcome.state == "sent":
                report.sent += 1
            elif outcome.state == "sending":
                report.uncertain.append((contact_id, who.name, outcome.detail))
            elif outcome.state == "failed":
                report.failed.append((contact_id, who.name, outcome.detail))
            if lost:
                waiting.append((contact_id, outcome))
                commit()
                if not _reconnect(transport):
                    report.stopped = _("le serveur ne répond plus ({reply})").format(
                        reply=outcome.detail)
                    break
                done += 1
                if progress:
                    progress(done, report.total, who.name)
                continue
            waiting.append((contact_id, outcome))
            done += 1
            if progress:
                progress(done, report.total, who.name)
            if not transport.commits_each and len(waiting) >= FILE_BATCH:
                if isinstance(transport, MboxFile):
                    transport.sync()
                commit()
    finally:
        try:
            if isinstance(transport, MboxFile):
                transport.sync()
            if waiting:
                commit()
        finally:
            transport.close()
    report.remaining = int(db.scalar(
        "SELECT count(*) FROM campaign_recipients WHERE campaign_id = ? AND state = 'queued'"
        " AND address LIKE '%@%'", (campaign.id,)))
    return report


def send_test(db: Database, campaign: Campaign, transport: Transport, *, sender: str, to: str,
              template: TemplateText | None = None, contact_id: int | None = None) -> str:
    """One message, as recipient ``contact_id`` (the first one by default) would get it,
    sent to ``to`` with "[TEST]" before its subject. Nothing is recorded."""
    prepared = prepare(db, campaign, sender, template)
    _to_name, to_address = parse_sender(to)
    if contact_id is None:
        first = pending_recipients(db, prepared.campaign, retry_failed=True,
                                   retry_uncertain=True)[:1] or []
        if not first:
            row = db.scalar("SELECT contact_id FROM campaign_recipients WHERE campaign_id = ?"
                            " ORDER BY contact_id LIMIT 1", (campaign.id,))
            if row is None:
                raise ValidationError(_("« {name} » n'a aucun destinataire").format(
                    name=campaign.name), "name")
            contact_id = int(row)
        else:
            contact_id = first[0].contact_id
    [(_cid, rendered)] = render_for(db, prepared, [contact_id])
    test = Rendered(_("[TEST] {subject}").format(subject=rendered.subject), rendered.text,
                    rendered.html)
    _sender_name, sender_address = parse_sender(sender)
    message = build_message(test, sender=sender, to_name=_to_name, to_address=to_address,
                            msg_id=message_id(campaign.id, 0, sender_address + str(time.time())))
    transport.open()
    try:
        transport.deliver(message, sender_address, to_address)
    except DeliveryFailed as failure:
        raise SendAborted(_("message de test refusé : {reply}").format(
            reply=failure.reply)) from None
    finally:
        transport.close()
    return to_address


def mark_all_sent(db: Database, campaign: Campaign) -> int:
    """A campaign carried out outside qualif (a phoning, an event, letters printed
    elsewhere): every recipient not yet sent to is marked sent, with its timeline
    entry. Returns how many."""
    rows = db.query("SELECT contact_id FROM campaign_recipients WHERE campaign_id = ?"
                    " AND state != 'sent'", (campaign.id,))
    with db.transaction():
        for row in rows:
            _record(db, campaign, int(row[0]), _Outcome("sent"))
        if rows:
            _mark_sent_campaign(db, campaign)
    return len(rows)
