"""``qualif import`` of mail archives (mbox, Maildir, .eml, .msg): the preview printed,
then the write. Called by :mod:`qualif_tui.cli.transfer_cmds` for the files and folders
:func:`~qualif_tui.services.mailimport.is_mail_source` recognises."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from qualif_tui.base.i18n import _
from qualif_tui.cli.output import err, fail, out
from qualif_tui.domain.errors import ValidationError
from qualif_tui.services import mailimport
from qualif_tui.services.importing import ImportRefused
from qualif_tui.services.mailimport import Correspondent, MailPlan
from qualif_tui.storage import Database

SHOWN = 15
_PROGRESS_BYTES = 2_000_000


def is_mail(name: str) -> bool:
    return mailimport.is_mail_source(Path(name))


def import_mail(database: Database, db_name: str, names: Sequence[str], *, dry_run: bool,
                create: str, skip_bad: bool, me: Sequence[str], excerpt: int | None = None
                ) -> None:
    """Preview (always printed) and, unless ``dry_run``, write."""
    options = mailimport.MailOptions(own_addresses=list(me) or None, skip_bad=skip_bad,
                                     excerpt_chars=excerpt)
    big = err.is_terminal and sum(_size(Path(n)) for n in names) > _PROGRESS_BYTES
    try:
        with _progress(big) as report:
            plan = mailimport.plan_mail_import(database, [Path(n) for n in names], options,
                                               report, names=list(names))
    except FileNotFoundError as error:
        raise click.UsageError(str(error)) from None
    with plan:
        if not plan.files:
            err.print(_("qualif: aucun message dans {names} (mbox, Maildir, .eml, .msg)")
                      .format(names=", ".join(names)), markup=False)
            sys.exit(1)
        own = _own(plan, dry_run)
        chosen = plan.chosen(create, own)
        _print_preview(plan, own, chosen, create, dry_run)
        if dry_run:
            out.print(_("essai : rien n'a été écrit"), markup=False, style="dim")
            return
        try:
            with _progress(big) as report:
                result = mailimport.apply_mail_plan(database, plan, chosen, own, report)
        except ImportRefused as refused:
            err.print(_("[bold red]qualif:[/] import refusé, rien n'a été écrit :"), markup=True)
            for line in refused.lines:
                err.print(f"  {line}", markup=False)
            err.print(_("  (--skip-bad importe les autres messages et laisse ceux-là)"),
                      markup=False)
            sys.exit(1)
    if result.batch_id is None:
        out.print(_("rien de nouveau : chaque message est déjà dans l'historique de ses"
                    " contacts"), markup=False)
        return
    rate = plan.messages / max(plan.elapsed + result.elapsed, 1e-6)
    out.print(_("import n° {batch} fait : {entries} entrée(s) sur {contacts} contact(s),"
                " {created} contact(s) créé(s) ; {rate} messages/s. Pour l'annuler :"
                " qualif import {db} --undo {batch}").format(
        batch=result.batch_id, entries=result.entries, contacts=result.contacts,
        created=result.created, rate=f"{rate:,.0f}".replace(",", "\u202f"), db=db_name),
        markup=False)


def mail_settings(database: Database, me: Sequence[str], excerpt: int | None) -> None:
    """``qualif import DB --me ADRESSE [--excerpt N]`` without an archive: keep the
    settings for the next imports and say what they now are."""
    try:
        settings = mailimport.save_mail_settings(database, list(me) or None, excerpt)
    except ValidationError as error:
        fail(f"{'--me' if error.field == 'own' else '--excerpt'} : {error}", 2)
    own = ", ".join(settings.own) or _("aucune")
    length = (_("tout le texte") if settings.excerpt_chars == 0
              else _("{n} caractères").format(n=settings.excerpt_chars))
    out.print(_("Courrier : vos adresses : {own} ; texte gardé par message : {length}."
                " Pour les prochains imports (les entrées déjà importées restent telles"
                " quelles).").format(own=own, length=length), markup=False)


def _own(plan: MailPlan, dry_run: bool) -> list[str]:
    """The user's addresses: given, set in the file, or inferred — confirmed at a
    terminal on the first real import."""
    if plan.own_source != "inferred" or dry_run or not (sys.stdin.isatty() and err.is_terminal):
        return plan.own
    answer = click.prompt(_("Vos adresses e-mail (séparées par des virgules ; elles disent"
                            " qui a écrit à qui)"), default=", ".join(plan.own), err=True)
    return [a.strip().lower() for a in answer.replace(";", ",").split(",") if a.strip()]


def _print_preview(plan: MailPlan, own: list[str], chosen: list[Correspondent], create: str,
                   dry_run: bool) -> None:
    kinds: dict[str, int] = {}
    for mail_file in plan.files:
        kinds[mail_file.kind] = kinds.get(mail_file.kind, 0) + 1
    out.print(_("Courrier : {files} fichier(s) ({kinds}), {messages} message(s) lu(s) en"
                " {seconds:.1f} s").format(
        files=len(plan.files), kinds=", ".join(f"{k} {n}" for k, n in sorted(kinds.items())),
        messages=plan.messages, seconds=plan.elapsed), markup=False)
    if plan.skipped_files:
        out.print(_("  ignorés (pas du courrier) : {names}").format(
            names=_listed([Path(n).name for n in plan.skipped_files], 6)), markup=False,
            style="dim")
    if plan.repeated:
        out.print(_("  {n} message(s) en double dans l'archive, lu(s) une fois").format(
            n=plan.repeated), markup=False, style="dim")
    how = {"given": _("données par --me"), "setting": _("réglage du fichier"),
           "inferred": _("déduite : l'adresse présente dans le plus de messages ; --me pour"
                         " la changer"), "none": ""}[plan.own_source if own == plan.own
                                                      else "given"]
    if own:
        out.print(_("Vos adresses : {own} ({how})").format(own=", ".join(own), how=how),
                  markup=False)
    else:
        out.print(_("Vos adresses : inconnues (--me ADRESSE) ; les messages seront notés"
                    " reçus de leur expéditeur"), markup=False)
    if plan.bad:
        out.print(_("Messages illisibles : {n}{what}").format(
            n=len(plan.bad), what="" if plan.skip_bad else _(
                " — l'import sera refusé sans --skip-bad")), markup=False, style="bold")
        for problem in plan.bad[:SHOWN]:
            out.print(f"  {problem.describe()}", markup=False)
        if len(plan.bad) > SHOWN:
            out.print(_("  … et {n} autres").format(n=len(plan.bad) - SHOWN), markup=False)
    candidates = plan.candidates(own)
    if candidates:
        _print_candidates(candidates, {c.id for c in chosen})
    left_out = plan.candidates(own, bulk=True)
    if left_out:
        out.print(_("Laissés de côté : {n} adresse(s) de listes, lettres d'information et"
                    " robots (no-reply) : {examples}").format(
            n=len(left_out), examples=_listed([c.email for c in left_out], 4)),
            markup=False, style="dim")
    summary = plan.summary(chosen, own)
    table = Table(title=_("Import (essai)") if dry_run else _("Import"), title_justify="left",
                  show_header=False, show_edge=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row(_("entrées d'historique"), str(summary.entries))
    existing = summary.entries - summary.created_entries
    table.add_row(_("  sur des fiches existantes"), _(
        "{n} ({inbound} reçues, {outbound} envoyées, {cc} en copie) sur {contacts} contact(s)")
        .format(n=existing, inbound=summary.inbound, outbound=summary.outbound,
                cc=existing - summary.inbound - summary.outbound, contacts=summary.contacts))
    table.add_row(_("contacts à créer"), _("{n} (--create-contacts {create}), {entries}"
                                           " entrée(s)").format(
        n=summary.created, create=create, entries=summary.created_entries))
    table.add_row(_("déjà importées"), str(summary.already))
    if plan.bad:
        table.add_row(_("messages illisibles"), str(len(plan.bad)))
    out.print(table)


def _print_candidates(candidates: list[Correspondent], chosen: set[int]) -> None:
    table = Table(title=_("Correspondants sans fiche ({n}) ; --create-contacts all | min:N"
                          " les crée").format(n=len(candidates)),
                  title_justify="left", show_edge=False, header_style="bold")
    for title in ("", _("Nom"), _("Société (domaine)"), _("Messages"), _("Premier"),
                  _("Dernier")):
        table.add_column(title)
    for candidate in candidates[:SHOWN]:
        table.add_row("✓" if candidate.id in chosen else "·", candidate.label,
                      candidate.company, str(candidate.messages), _day(candidate.first),
                      _day(candidate.last))
    out.print(table)
    if len(candidates) > SHOWN:
        out.print(_("  … et {n} autres").format(n=len(candidates) - SHOWN), markup=False,
                  style="dim")


def _day(iso: str) -> str:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}" if len(iso) >= 10 else iso


def _listed(names: list[str], limit: int) -> str:
    shown = ", ".join(names[:limit])
    return shown + (_(" et {n} autres").format(n=len(names) - limit) if len(names) > limit
                    else "")


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    try:
        return path.stat().st_size
    except OSError:
        return 0


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    """A bar with the messages read or written so far and the rate."""
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[info]}"),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=not enabled) as progress:
        tasks: dict[str, TaskID] = {}
        started: dict[str, float] = {}

        def report(step: mailimport.MailProgress) -> None:
            if step.stage not in tasks:
                tasks[step.stage] = progress.add_task(step.stage, total=step.total or None,
                                                      info="")
                started[step.stage] = time.monotonic()
            rate = step.messages / max(time.monotonic() - started[step.stage], 1e-6)
            progress.update(tasks[step.stage], completed=step.done, total=step.total or None,
                            info=_("{n} messages, {rate} messages/s").format(
                                n=step.messages, rate=f"{rate:,.0f}".replace(",", "\u202f")))

        yield report
