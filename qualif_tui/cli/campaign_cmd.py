"""``qualif campaign DB …``: mailings, letters, labels, responses and their return."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from qualif_tui.base.i18n import _
from qualif_tui.cli.common import QueryCommand, opened
from qualif_tui.cli.output import err, fail, out, tell
from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.legal_basis import LEGAL_BASES, normalise_legal_basis
from qualif_tui.domain.settings import get_setting, set_setting
from qualif_tui.services.campaigns import core
from qualif_tui.services.campaigns.merge import TemplateProblem, TemplateText
from qualif_tui.services.campaigns.transports import SendAborted

FORMATS = click.Choice(["table", "json"])


class _CampaignGroup(click.Group):
    """``qualif campaign DB VERB``; ``qualif campaign VERB DB`` is understood too."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if len(args) >= 2 and args[0] in self.commands and args[1] not in self.commands:
            args = [args[1], args[0], *args[2:]]
        return super().parse_args(ctx, args)


@click.group(cls=_CampaignGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("db", type=click.Path(dir_okay=False, path_type=str))
@click.pass_context
def campaign(ctx: click.Context, db: str) -> None:
    """Campagnes : un mailing, des courriers, un phoning ou un événement, ses réponses et son retour.

    \b
    qualif campaign my.db create "Salon 2026" 'segment:"Salon Midi-Pyrénées"' --channel email --cost 350
    qualif campaign my.db send "Salon 2026" --template salon.txt --smtp smtp.example.fr:587 --starttls --user moi
    qualif campaign my.db send "Salon 2026" --template salon.txt --eml-dir envoi/
    qualif campaign my.db labels "Salon 2026" -o etiquettes.pdf --sheet L7160
    qualif campaign my.db respond "Salon 2026" 42 devis
    qualif campaign my.db roi
    """
    ctx.obj = db


def _db(ctx: click.Context) -> str:
    return str(ctx.obj)


def _lines(lines: list[str]) -> None:
    for line in lines:
        out.print(line, markup=False, highlight=False)


def _euros(amount: float) -> str:
    return f"{amount:,.0f} €".replace(",", "\u202f")


# -- create, list, show, delete -----------------------------------------------------------

@campaign.command(cls=QueryCommand)
@click.argument("name")
@click.argument("query", nargs=-1)
@click.option("--channel", required=True,
              help="email, letter, phone ou event (les noms français aussi : courrier, téléphone…).")
@click.option("--cost", default="0", show_default=True, help="Ce qu'elle coûte, en euros.")
@click.option("--date", "day", default=None, help="Sa date (par défaut aujourd'hui) : "
                                                  "AAAA-MM-JJ.")
@click.pass_context
def create(ctx: click.Context, name: str, query: tuple[str, ...], channel: str, cost: str,
           day: str | None) -> None:
    """Créer la campagne NAME des contacts que QUERY trouve maintenant (une liste figée).

    Affiche qui a été écarté et pourquoi : pas d'adresse pour le canal, une opposition,
    pas de base légale pour écrire à un particulier, une adresse déjà prise.
    """
    with opened(_db(ctx)) as db:
        report = core.create_campaign(db, name, " ".join(query), channel=channel, cost=cost,
                                      day=day)
    _lines(report.lines())


@campaign.command("list")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_context
def list_(ctx: click.Context, fmt: str) -> None:
    """Chaque campagne : canal, date, destinataires, envoyés, réponses, CA, retour."""
    from qualif_tui.services.campaigns.responses import tally
    from qualif_tui.services.campaigns.roi import roi_report

    with opened(_db(ctx), readonly=True) as db:
        report = roi_report(db, by="")
        tallies = {c.campaign.id: tally(db, c.campaign) for c in report.campaigns}
    if fmt == "json":
        out.print_json(json.dumps([
            {**c.as_json(), "sent": tallies[c.campaign.id].states.get("sent", 0),
             "cost": c.campaign.cost} for c in report.campaigns], ensure_ascii=False))
        return
    if not report.campaigns:
        out.print(_("aucune campagne (créez-en une : qualif campaign DB create NOM REQUÊTE"
                    " --channel email)"), markup=False, style="dim")
        return
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    table.add_column(_("Campagne"), overflow="ellipsis", no_wrap=True, max_width=24)
    table.add_column(_("Canal"), no_wrap=True)
    table.add_column(_("Date"), no_wrap=True)
    for title in (_("Dest."), _("Envoyés"), _("Réponses"), _("CA"), _("ROI")):
        table.add_column(title, justify="right", no_wrap=True)
    for row in report.campaigns:
        figures, state = row.figures, tallies[row.campaign.id]
        roi = "—" if figures.roi is None else f"{figures.roi:+.0%}"
        table.add_row(row.campaign.name, row.campaign.channel_label, row.campaign.day,
                      str(figures.recipients), str(state.states.get("sent", 0)),
                      str(figures.responded), _euros(figures.revenue), roi)
    out.print(table)


@campaign.command()
@click.argument("name")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True,
              help="Combien de destinataires et de contacts écartés lister (tableau).")
@click.pass_context
def show(ctx: click.Context, name: str, fmt: str, limit: int) -> None:
    """Une campagne : ce qu'elle est, ses destinataires et leur état, qui a été écarté."""
    from qualif_tui.services.campaigns.chains import chain_steps
    from qualif_tui.services.campaigns.responses import list_recipients, tally

    with opened(_db(ctx), readonly=True) as db:
        found = core.get_campaign(db, name)
        counts = tally(db, found)
        left_out = core.exclusion_counts(db, found)
        everyone = list_recipients(db, found, limit=None if fmt == "json" else limit)
        excluded = core.exclusions(db, found, None if fmt == "json" else limit)
        steps = chain_steps(db, found)
    if fmt == "json":
        out.print_json(json.dumps({
            "id": found.id, "name": found.name, "channel": found.channel, "date": found.day,
            "query": found.query, "cost": found.cost, "sent_at": found.sent_at,
            "template": {"subject": found.subject, "body": found.body, "html": found.html},
            "recipients": [{"contact_id": r.contact_id, "name": r.name, "address": r.address,
                            "state": r.state, "detail": r.detail, "sent_at": r.sent_at,
                            "response": r.response, "message_id": r.message_id}
                           for r in everyone],
            "states": counts.states, "responses": counts.responses,
            "excluded": [{"contact_id": e.contact_id, "name": e.name, "reason": e.reason,
                          "detail": e.detail} for e in excluded],
            "chain": [{"offset_days": s.offset_days, "kind": s.kind, "title": s.title}
                      for s in steps],
        }, ensure_ascii=False))
        return
    _lines([
        _("campagne : {name}").format(name=found.name),
        _("canal : {channel}").format(channel=found.channel_label),
        _("date : {day}").format(day=found.day),
        _("requête : {query}").format(query=found.query or "—"),
        _("coût : {cost}").format(cost=_euros(found.cost)),
        _("destinataires : {n}").format(n=counts.recipients) + "  (" + ", ".join(
            f"{_(label)} {counts.states[state]}" for state, label in _send_states().items()
            if counts.states.get(state)) + ")",
        _("réponses : {n}").format(n=counts.responded),
    ])
    if left_out:
        _lines([_("laissés de côté : ") + ", ".join(
            f"{n} {_(core.EXCLUSION_REASONS[reason])}" for reason, n in left_out.items())])
    if steps:
        _lines([_("relances : ") + ", ".join(f"J+{s.offset_days} {s.kind}" for s in steps)])
    if everyone:
        table = Table(show_edge=False, pad_edge=False, header_style="bold")
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column(_("Nom"), overflow="ellipsis", no_wrap=True, max_width=28)
        table.add_column(_("Adresse"), overflow="ellipsis", no_wrap=True, max_width=32)
        table.add_column(_("État"), no_wrap=True)
        table.add_column(_("Réponse"), no_wrap=True)
        for r in everyone:
            state = r.state_label + (f" ({r.detail})" if r.detail else "")
            table.add_row(str(r.contact_id), r.name, r.address, state, r.response_label)
        out.print(table)
    if excluded:
        _lines([_("laissés de côté :")] + [f"  #{e.contact_id} {e.name} — {e.reason_label}"
                                          + (f" ({e.detail})" if e.detail else "")
                                          for e in excluded])


def _send_states() -> dict[str, str]:
    from qualif_tui.services.campaigns.responses import SEND_STATES

    return SEND_STATES


@campaign.command()
@click.argument("name")
@click.pass_context
def delete(ctx: click.Context, name: str) -> None:
    """Supprimer une campagne (ses destinataires et les activités ouvertes de sa chaîne).

    Les entrées d'historique d'une campagne déjà envoyée restent sur les fiches.
    """
    with opened(_db(ctx)) as db:
        gone = core.delete_campaign(db, name)
    out.print(_("campagne « {name} » supprimée").format(name=gone.name), markup=False)


# -- sending ------------------------------------------------------------------------------

def _template(path: str | None, html: str | None) -> TemplateText | None:
    if path is None:
        if html is not None:
            raise click.UsageError(_("--html va avec --template"))
        return None
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8-sig")
        html_text = Path(html).expanduser().read_text(encoding="utf-8-sig") if html else ""
    except UnicodeDecodeError:
        fail(_("{path} : le modèle doit être en UTF-8").format(path=path), 2)
    except OSError as error:
        fail(_("{path} : illisible ({error})").format(path=path, error=error.strerror or error),
             2)
    try:
        return TemplateText.from_file_text(text, html_text)
    except TemplateProblem as problem:
        fail(f"{Path(path).name} : {problem}", 2)


@campaign.command()
@click.argument("name")
@click.option("--template", "template_path", type=click.Path(dir_okay=False),
              help="Le message : une première ligne 'Subject: …', une ligne vide, le corps "
                   "(Jinja2). Gardé avec la campagne : un envoi repris peut l'omettre.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False),
              help="Un corps HTML (Jinja2) envoyé à côté du texte.")
@click.option("--smtp", "smtp_host", default=None,
              help="HÔTE:PORT de votre serveur SMTP (par défaut : les réglages SMTP du "
                   "fichier).")
@click.option("--starttls", "security", flag_value="starttls", help="STARTTLS (port 587).")
@click.option("--ssl", "security", flag_value="ssl", help="SSL/TLS dès le début (port 465).")
@click.option("--plain", "security", flag_value="none", help="Sans chiffrement (un relais "
                                                             "local).")
@click.option("--user", default=None, help="Identifiant SMTP ; le mot de passe vient de "
                                           "QUALIF_SMTP_PASSWORD ou du trousseau du système.")
@click.option("--eml-dir", type=click.Path(file_okay=False), default=None,
              help="Écrire un .eml par destinataire dans ce dossier au lieu d'envoyer.")
@click.option("--mbox", type=click.Path(dir_okay=False), default=None,
              help="Écrire tous les messages dans un fichier mbox au lieu d'envoyer.")
@click.option("--from", "sender", default=None,
              help="Expéditeur, par exemple 'Garage Martin <contact@garage-martin.fr>' (par "
                   "défaut : le réglage mail.from du fichier).")
@click.option("--rate", type=click.FloatRange(min=0), default=None,
              help="Au plus N messages par minute (0 : sans limite ; par défaut : le réglage "
                   "du fichier).")
@click.option("--test", "test_to", default=None,
              help="Envoyer un message, tel que le premier destinataire le recevrait, à cette "
                   "seule adresse (rien n'est noté).")
@click.option("--retry-failed", is_flag=True, help="Renvoyer aux destinataires dont le serveur"
                                                   " a refusé le message.")
@click.option("--retry-uncertain", is_flag=True, help="Renvoyer aux destinataires dont le "
                                                      "message était en cours de remise quand "
                                                      "un envoi a été interrompu (ils peuvent "
                                                      "le recevoir deux fois).")
@click.option("--replace-template", is_flag=True,
              help="Envoyer le reste avec un autre modèle que celui déjà utilisé.")
@click.pass_context
def send(ctx: click.Context, name: str, template_path: str | None, html_path: str | None,
         smtp_host: str | None, security: str | None, user: str | None, eml_dir: str | None,
         mbox: str | None, sender: str | None, rate: float | None, test_to: str | None,
         retry_failed: bool, retry_uncertain: bool, replace_template: bool) -> None:
    """Envoyer les e-mails de NAME aux destinataires qui ne l'ont pas encore reçu (relancer pour reprendre).

    \b
    Champs du modèle : {{ prenom }} {{ nom }} {{ societe }} {{ ville }} {{ contact.company }}
    {{ keys["Véhicule actuel"] }}  filtres : date_fr nombre euros defaut("…")
    """
    from qualif_tui.services.campaigns import sending, transports

    chosen = [x for x in (smtp_host, eml_dir, mbox) if x]
    if len(chosen) > 1:
        raise click.UsageError(_("choisissez un seul de --smtp, --eml-dir, --mbox"))
    template = _template(template_path, html_path)
    with opened(_db(ctx)) as db:
        found = core.get_campaign(db, name)
        sender = sender or get_setting(db, "mail.from") or ""
        if not sender:
            raise click.UsageError(_("donnez l'expéditeur : --from 'Nom <adresse>' (ou le réglage"
                                     " mail.from : qualif campaign DB smtp --from …)"))
        transport: Any
        stored = transports.stored_smtp(db)
        if eml_dir:
            transport = transports.EmlFolder(eml_dir)
        elif mbox:
            transport = transports.MboxFile(mbox)
        else:
            settings = _smtp_settings(smtp_host, security, user, stored)
            transport = transports.SmtpTransport(settings, transports.smtp_password(settings))
        limit = rate if rate is not None else (stored.rate if stored and not (eml_dir or mbox)
                                               else 0.0)
        try:
            if test_to:
                address = sending.send_test(db, found, transport, sender=sender, to=test_to,
                                            template=template)
                out.print(_("message de test envoyé à {address}").format(address=address),
                          markup=False)
                return
            report = sending.send_campaign(
                db, found, transport, sender=sender, template=template, rate=limit or 0.0,
                retry_failed=retry_failed, retry_uncertain=retry_uncertain,
                replace_template=replace_template, progress=_progress_printer())
        except TemplateProblem as problem:
            fail(str(problem), 2)
        except SendAborted as aborted:
            fail(str(aborted))
    _lines(report.lines())
    if report.stopped or report.failed:
        raise SystemExit(1)


def _progress_printer() -> Any:
    state = {"last": 0.0}

    def show(done: int, total: int, _who: str) -> None:
        import time

        now = time.monotonic()
        if done == total or now - state["last"] > 2:
            state["last"] = now
            tell(_("{done}/{total} envoyé(s)").format(done=done, total=total))

    return show


def _smtp_settings(host: str | None, security: str | None, user: str | None,
                   stored: Any) -> Any:
    from qualif_tui.services.campaigns.transports import SmtpSettings, parse_host

    if host is None and stored is None:
        raise click.UsageError(_("où envoyer ? --smtp HÔTE:PORT, --eml-dir DOSSIER ou --mbox"
                                 " FICHIER (ou réglez le serveur : qualif campaign DB smtp)"))
    if host is None:
        settings: SmtpSettings = stored
        if security or user:
            settings = SmtpSettings(settings.host, settings.port, security or settings.security,
                                    user if user is not None else settings.user, settings.rate)
        return settings
    chosen = security or (stored.security if stored else "starttls")
    name, port = parse_host(host, chosen)
    return SmtpSettings(name, port, chosen, user or "", stored.rate if stored else 0.0)


@campaign.command()
@click.argument("name")
@click.option("--template", "template_path", type=click.Path(dir_okay=False), default=None,
              help="Le modèle à essayer (par défaut : celui gardé avec la campagne).")
@click.option("--contact", "contact_id", type=int, default=None,
              help="Tel que ce destinataire le recevrait (par défaut : le premier).")
@click.pass_context
def preview(ctx: click.Context, name: str, template_path: str | None,
            contact_id: int | None) -> None:
    """Afficher le message d'un destinataire, fusionné, sans rien envoyer."""
    from qualif_tui.services.campaigns import sending

    template = _template(template_path, None)
    with opened(_db(ctx), readonly=True) as db:
        found = core.get_campaign(db, name)
        sender = get_setting(db, "mail.from") or "moi@example.invalid"
        try:
            prepared = sending.prepare(db, found, sender, template, replace_template=True,
                                       keep=False)
            ids = [contact_id] if contact_id is not None else [
                p.contact_id for p in sending.pending_recipients(
                    db, found, retry_failed=True, retry_uncertain=True)[:1]]
            if not ids:
                fail(_("« {name} » n'a aucun destinataire à qui écrire").format(name=found.name))
            messages = sending.render_for(db, prepared, ids)
        except TemplateProblem as problem:
            fail(str(problem), 2)
    if not messages:
        fail(_("le contact #{id} n'existe pas").format(id=contact_id))
    [(_cid, rendered)] = messages
    _lines([_("Objet : {subject}").format(subject=rendered.subject), "", rendered.text])


@campaign.command("mark-sent")
@click.argument("name")
@click.pass_context
def mark_sent(ctx: click.Context, name: str) -> None:
    """Noter comme faits un phoning, un événement ou des courriers imprimés ailleurs : l'historique
    de chaque destinataire reçoit l'entrée de la campagne (une fois).
    """
    from qualif_tui.services.campaigns.sending import mark_all_sent

    with opened(_db(ctx)) as db:
        found = core.get_campaign(db, name)
        count = mark_all_sent(db, found)
    out.print(_("{n} destinataire(s) marqué(s) comme contactés").format(n=count), markup=False)


# -- letters and labels ---------------------------------------------------------------------

@campaign.command()
@click.argument("name")
@click.option("--template", "template_path", required=True, type=click.Path(dir_okay=False),
              help="Un modèle Word (.docx avec des champs {{ prenom }}…), ou un modèle texte "
                   "('Subject: …', ligne vide, corps) pour la mise en page PDF de qualif.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="FILE.docx (un courrier par page) ou FILE.pdf.")
@click.pass_context
def letters(ctx: click.Context, name: str, template_path: str, output: str) -> None:
    """Fusionner les courriers de NAME en un document Word ou un PDF."""
    from qualif_tui.services.campaigns import letters as svc

    word = template_path.lower().endswith(".docx")
    text = None if word else _template(template_path, None)
    if not word and not output.lower().endswith(".pdf"):
        raise click.UsageError(_("un modèle texte donne un PDF (-o lettres.pdf) ; pour un .docx,"
                                 " donnez un modèle Word"))
    with opened(_db(ctx)) as db:
        found = core.get_campaign(db, name)
        try:
            if word:
                report = svc.write_word_letters(db, found, template_path, output)
            else:
                assert text is not None
                report = svc.write_pdf_letters(db, found, text, output)
        except TemplateProblem as problem:
            fail(str(problem), 2)
    _lines(report.lines())


@campaign.command()
@click.argument("name")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Le PDF à écrire.")
@click.option("--sheet", default="L7160", show_default=True,
              help="L7160 (21 par feuille), L7163 (14), L7173 (10), ou une grille en mm : "
                   "3x8:70x37.")
@click.option("--start", type=click.IntRange(min=1), default=1, show_default=True,
              help="Première étiquette libre d'une feuille déjà entamée (1 = en haut à gauche).")
@click.option("--envelope", type=click.Choice(["DL", "C5"], case_sensitive=False), default=None,
              help="Imprimer des enveloppes (une par page) au lieu d'étiquettes.")
@click.option("--font-size", type=click.FloatRange(min=4, max=20), default=None,
              help="Taille du texte en points (par défaut : celle de la feuille).")
@click.pass_context
def labels(ctx: click.Context, name: str, output: str, sheet: str, start: int,
           envelope: str | None, font_size: float | None) -> None:
    """Étiquettes d'adresse (ou enveloppes) des destinataires de NAME, au format de La Poste."""
    from qualif_tui.services.campaigns import labels as svc

    if not output.lower().endswith(".pdf"):
        raise click.UsageError(_("-o doit nommer un fichier .pdf"))
    with opened(_db(ctx), readonly=True) as db:
        found = core.get_campaign(db, name)
        try:
            if envelope:
                report = svc.write_envelopes(db, found, output, envelope=envelope,
                                             font_size=font_size or 11.0)
            else:
                report = svc.write_labels(db, found, output, sheet=sheet, start=start,
                                          font_size=font_size)
        except ValidationError as error:
            fail(str(error), 2 if error.field in ("sheet", "font_size", "start") else 1)
    _lines(report.lines())


# -- responses, ROI, chains -------------------------------------------------------------------

@campaign.command()
@click.argument("name")
@click.argument("contact", required=False)
@click.argument("state", required=False)
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), default=None,
              help="Importer les réponses d'un CSV de lignes 'e-mail,état'.")
@click.pass_context
def respond(ctx: click.Context, name: str, contact: str | None, state: str | None,
            csv_path: str | None) -> None:
    """Noter une réponse : CONTACT (un numéro ou un e-mail) STATE, ou --csv FILE.

    \b
    STATE : none, replied (ouvert/répondu), meeting (rendez-vous), quote (devis),
    order (commande), unsubscribed (désinscrit : pose l'opposition e-mail), bounced (NPAI).
    """
    from qualif_tui.services.campaigns import responses

    if csv_path is None and (contact is None or state is None):
        raise click.UsageError(_("donnez CONTACT et RÉPONSE, ou --csv FICHIER"))
    with opened(_db(ctx)) as db:
        found = core.get_campaign(db, name)
        if csv_path is not None:
            try:
                result = responses.import_responses(db, found, csv_path)
            except ValidationError as error:
                fail(str(error), 2)
            _lines(result.lines())
            return
        assert contact is not None and state is not None
        contact_id = _contact_id(db, contact)
        try:
            recipient = responses.set_response(db, found, contact_id, state)
        except ValidationError as error:
            fail(str(error), 2)
    out.print(_("{name} (#{id}) : {response}").format(
        name=recipient.name, id=recipient.contact_id, response=recipient.response_label),
        markup=False)


def _contact_id(db: Any, text: str) -> int:
    if text.lstrip("#").isdigit():
        return int(text.lstrip("#"))
    found = db.query("SELECT id FROM contacts WHERE norm_email = ? OR lower(email2) = ?",
                     (text.strip().lower(), text.strip().lower()))
    if not found:
        fail(_("pas de contact d'adresse {address}").format(address=text))
    return int(found[0][0])


@campaign.command()
@click.argument("name", required=False)
@click.option("--days", type=click.IntRange(min=0), default=90, show_default=True,
              help="Les affaires gagnées par un destinataire dans les N jours de la campagne "
                   "comptent pour elle.")
@click.option("--by", "by", default="source", show_default=True,
              help="La clé de regroupement (la source du contact).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_context
def roi(ctx: click.Context, name: str | None, days: int, by: str, fmt: str) -> None:
    """Retour des campagnes : réponses, affaires gagnées, CA, coût ; et par source de contact."""
    from qualif_tui.services.campaigns.roi import roi_report

    with opened(_db(ctx), readonly=True) as db:
        chosen = [core.get_campaign(db, name)] if name else None
        report = roi_report(db, chosen, days=days, by=by)
    if fmt == "json":
        out.print_json(json.dumps(report.as_json(), ensure_ascii=False))
        return
    headers = (_("Dest."), _("Réponses"), _("Affaires"), _("CA"), _("Coût"), _("ROI"))
    table = Table(show_edge=False, pad_edge=False, header_style="bold",
                  title=_("Campagnes (affaires gagnées sous {days} jours)").format(days=days))
    table.add_column(_("Campagne"), overflow="ellipsis", no_wrap=True, max_width=24)
    for title in headers:
        table.add_column(title, justify="right", no_wrap=True)
    for row in report.campaigns:
        _roi_row(table, row.campaign.name, row.figures)
    if len(report.campaigns) > 1:
        _roi_row(table, _("Total"), report.total)
    out.print(table)
    if report.source_key is None:
        if by:
            err.print(_("qualif: pas de clé « {key} » : pas de répartition par source").format(
                key=by), markup=False)
        return
    split = Table(show_edge=False, pad_edge=False, header_style="bold",
                  title=_("Par {key}").format(key=report.source_key))
    split.add_column(report.source_key, overflow="ellipsis", no_wrap=True, max_width=24)
    for title in headers:
        split.add_column(title, justify="right", no_wrap=True)
    for source, figures in report.by_source.items():
        _roi_row(split, source or _("(non renseignée)"), figures)
    out.print(split)


def _roi_row(table: Table, label: str, figures: Any) -> None:
    roi_text = "—" if figures.roi is None else f"{figures.roi:+.0%}"
    table.add_row(label, str(figures.recipients), str(figures.responded), str(figures.deals),
                  _euros(figures.revenue), _euros(figures.cost), roi_text)


@campaign.command()
@click.argument("name")
@click.argument("steps", nargs=-1, required=True)
@click.option("--replace", is_flag=True, help="Remplacer la chaîne (ses activités ouvertes "
                                              "partent).")
@click.pass_context
def chain(ctx: click.Context, name: str, steps: tuple[str, ...], replace: bool) -> None:
    """Planifier les relances des destinataires de NAME : STEPS comme 'J+0 e-mail' 'J+10 appel'
    'J+30 courrier: Relance tarif' (dans l'agenda, datées depuis la campagne).
    """
    from qualif_tui.services.campaigns.chains import apply_chain

    with opened(_db(ctx)) as db:
        found = core.get_campaign(db, name)
        try:
            report = apply_chain(db, found, list(steps), replace=replace)
        except ValidationError as error:
            fail(str(error), 2 if error.field == "steps" else 1)
    out.print(_("{n} activité(s) planifiée(s) pour {r} destinataire(s) ({s} déjà répondu(s),"
                " sans relance)").format(n=report.activities, r=report.recipients,
                                         s=report.skipped), markup=False)


# -- settings ---------------------------------------------------------------------------------

@campaign.command("legal-basis", cls=QueryCommand)
@click.argument("basis")
@click.argument("query", nargs=-1, required=True)
@click.pass_context
def legal_basis(ctx: click.Context, basis: str, query: tuple[str, ...]) -> None:
    """Poser la base légale des contacts que QUERY trouve (par exemple 'id:12', un segment).

    \b
    BASIS : consentement, contrat (un client), "intérêt légitime" (B2B), ou "" pour l'effacer.
    Les retrouver avec legal_basis:consentement.
    """
    from qualif_tui.domain.contacts import update_contact
    from qualif_tui.query import compile_query, iter_rows

    value = normalise_legal_basis(basis)
    if value and value not in LEGAL_BASES:
        raise click.UsageError(_("base légale « {basis} » inconnue : {known}, ou \"\" pour"
                                 " l'effacer").format(basis=basis, known=", ".join(LEGAL_BASES)))
    with opened(_db(ctx)) as db:
        compiled = compile_query(db, " ".join(query))
        ids = [row.id for row in iter_rows(db, compiled)]
        changed = 0
        with db.transaction():
            for contact_id in ids:
                changed += bool(update_contact(db, contact_id, {"legal_basis": value}))
    out.print(_("base légale « {value} » : {n} contact(s) modifié(s) sur {m}").format(
        value=value or "—", n=changed, m=len(ids)), markup=False)


@campaign.command()
@click.option("--smtp", "smtp_host", default=None, help="HÔTE:PORT du serveur SMTP.")
@click.option("--starttls", "security", flag_value="starttls")
@click.option("--ssl", "security", flag_value="ssl")
@click.option("--plain", "security", flag_value="none")
@click.option("--user", default=None, help="Identifiant SMTP.")
@click.option("--from", "sender", default=None, help="Expéditeur : 'Nom <adresse>'.")
@click.option("--rate", type=click.FloatRange(min=0), default=None,
              help="Au plus N messages par minute (0 : sans limite).")
@click.pass_context
def smtp(ctx: click.Context, smtp_host: str | None, security: str | None, user: str | None,
         sender: str | None, rate: float | None) -> None:
    """Voir ou régler les paramètres d'envoi du fichier (jamais le mot de passe : voir `password`)."""
    from qualif_tui.services.campaigns.messages import parse_sender
    from qualif_tui.services.campaigns.transports import (
        SmtpSettings,
        parse_host,
        smtp_password,
        store_smtp,
        stored_smtp,
    )

    with opened(_db(ctx)) as db:
        current = stored_smtp(db)
        if any(v is not None for v in (smtp_host, security, user, rate)):
            chosen = security or (current.security if current else "starttls")
            if smtp_host is not None:
                host, port = parse_host(smtp_host, chosen)
            elif current is not None:
                host, port = current.host, current.port
            else:
                raise click.UsageError(_("donnez le serveur : --smtp HÔTE:PORT"))
            current = SmtpSettings(host, port, chosen,
                                   user if user is not None else (current.user if current else ""),
                                   rate if rate is not None else (current.rate if current
                                                                  else 0.0))
            store_smtp(db, current)
        if sender is not None:
            if sender:
                parse_sender(sender)
            with db.transaction():
                set_setting(db, "mail.from", sender)
        shown_from = get_setting(db, "mail.from") or "—"
    if current is None:
        _lines([_("expéditeur : {sender}").format(sender=shown_from),
                _("serveur SMTP : pas réglé (--smtp HÔTE:PORT)")])
        return
    password = _("oui") if smtp_password(current) else _("non")
    _lines([_("expéditeur : {sender}").format(sender=shown_from),
            _("serveur SMTP : {host}:{port} ({security})").format(
                host=current.host, port=current.port, security=current.security),
            _("identifiant : {user}").format(user=current.user or "—"),
            _("cadence : {rate}").format(rate=_("{n} message(s) par minute").format(
                n=f"{current.rate:g}") if current.rate else _("sans limite")),
            _("mot de passe trouvé (variable ou trousseau) : {yes}").format(yes=password)])


@campaign.command()
@click.pass_context
def password(ctx: click.Context) -> None:
    """Ranger le mot de passe SMTP dans le trousseau du système (demandé, jamais affiché)."""
    from qualif_tui.services.campaigns.transports import save_password, stored_smtp

    with opened(_db(ctx), readonly=True) as db:
        current = stored_smtp(db)
    if current is None or not current.user:
        raise click.UsageError(_("réglez d'abord le serveur et l'identifiant : qualif campaign DB"
                                 " smtp --smtp HÔTE:PORT --user IDENTIFIANT"))
    secret = os.environ.get("QUALIF_SMTP_PASSWORD") or click.prompt(
        _("Mot de passe de {user} sur {host}").format(user=current.user, host=current.host),
        hide_input=True)
    try:
        save_password(current, secret)
    except SendAborted as error:
        fail(str(error))
    out.print(_("mot de passe enregistré dans le trousseau du système"), markup=False)
