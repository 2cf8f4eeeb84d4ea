"""Importing a mail archive from the app: the preview, the correspondents to create
(checkboxes), the user's addresses, then the write as one undoable batch.

The app's face of :mod:`qualif_tui.services.mailimport`, opened by the import screen
(``i``) when the path given is a mail archive. Reading and writing run in workers
with their progress and rate (messages/s) shown; nothing is written before ctrl+s.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, ProgressBar, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from qualif_tui.base.i18n import N_, _
from qualif_tui.domain.errors import QualifError
from qualif_tui.services import mailimport
from qualif_tui.services.importing import ImportRefused
from qualif_tui.services.mailimport import Correspondent, MailPlan, Summary
from qualif_tui.storage import Database, StorageError
from qualif_tui.tui import keymap
from qualif_tui.tui.transfer import Imported
from qualif_tui.tui.workers import WorkerReports, WriteJob, deliver

BAD_SHOWN = 8
_CHOICES = [(N_("aucune"), "none"), (N_("toutes"), "all"), (N_("au moins 2 messages"), "min:2"),
            (N_("au moins 3 messages"), "min:3"), (N_("au moins 5 messages"), "min:5")]


def _day(iso: str) -> str:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}" if len(iso) >= 10 else iso


def correspondent_line(correspondent: Correspondent, *, bulk: bool = False) -> str:
    parts = [correspondent.label]
    if correspondent.company:
        parts.append(correspondent.company)
    parts.append(_("{n} message(s), {first} → {last}").format(
        n=correspondent.messages, first=_day(correspondent.first), last=_day(correspondent.last)))
    if bulk:
        parts.append(_("liste ou robot"))
    return " — ".join(parts)


def describe_mail_plan(plan: MailPlan, summary: Summary) -> Group:
    """The preview: what was read, what could not be, what writing would do."""
    kinds: dict[str, int] = {}
    for mail_file in plan.files:
        kinds[mail_file.kind] = kinds.get(mail_file.kind, 0) + 1
    parts: list[Text | Table] = [Text(_("{files} fichier(s) ({kinds}), {messages} message(s)"
                                        " lu(s)").format(
        files=len(plan.files), kinds=", ".join(f"{k} {n}" for k, n in sorted(kinds.items())),
        messages=plan.messages), style="bold")]
    if plan.skipped_files:
        parts.append(Text(_("{n} fichier(s) ignoré(s) : pas du courrier (index .msf,"
                            " réglages)").format(n=len(plan.skipped_files)), style="dim"))
    if plan.repeated:
        parts.append(Text(_("{n} message(s) en double dans l'archive, lu(s) une fois").format(
            n=plan.repeated), style="dim"))
    if plan.bad:
        parts.append(Text(_("{n} message(s) illisible(s) :").format(n=len(plan.bad)),
                          style="bold red"))
        for problem in plan.bad[:BAD_SHOWN]:
            parts.append(Text("  " + problem.describe(), style="red"))
        if len(plan.bad) > BAD_SHOWN:
            parts.append(Text(_("  … et {n} autres").format(n=len(plan.bad) - BAD_SHOWN)))
    counts = Table(show_header=False, show_edge=False, box=None, padding=(0, 2, 0, 0))
    counts.add_column(style="bold")
    counts.add_column()
    counts.add_row(_("entrées d'historique"), str(summary.entries))
    existing = summary.entries - summary.created_entries
    counts.add_row(_("sur des fiches existantes"), _(
        "{n} ({inbound} reçues, {outbound} envoyées, {cc} en copie) sur {contacts} contact(s)")
        .format(n=existing, inbound=summary.inbound, outbound=summary.outbound,
                cc=existing - summary.inbound - summary.outbound, contacts=summary.contacts))
    counts.add_row(_("fiches à créer"), _("{n} ({entries} entrées)").format(
        n=summary.created, entries=summary.created_entries))
    counts.add_row(_("déjà importées"), str(summary.already))
    parts += [Text(""), counts]
    return Group(*parts)


class MailImportScreen(WorkerReports, ModalScreen[Imported | None]):
    """Preview a mail archive, pick the correspondents to create, import on ctrl+s."""

    BINDINGS = keymap.bindings(keymap.IMPORT_KEYS)

    def __init__(self, db: Database, path: Path) -> None:
        super().__init__(classes="form-screen")
        self.db = db
        self.path = path
        self.plan: MailPlan | None = None
        self.summary: Summary | None = None
        self.running = False
        self.started = 0.0
        self.plan_lock = threading.Lock()  # the plan's scratch file: one worker at a time

    def compose(self) -> ComposeResult:
        with Vertical(classes="form transfer mail-import"):
            yield Label(_("Importer du courrier : {name}").format(name=self.path.name),
                        classes="dialog-title")
            with Horizontal(classes="form-row"):
                yield Label(_("Vos adresses"), classes="field-label")
                yield Input(placeholder=_("vous@exemple.fr, autre@exemple.fr"), id="mail-own")
            with Horizontal(classes="form-row"):
                yield Label(_("Créer les fiches"), classes="field-label")
                yield Select([(_(label), value) for label, value in _CHOICES], value="none", allow_blank=False, compact=True,
                             id="mail-create")
            yield Checkbox(_("Importer sans les messages illisibles"), id="mail-skip-bad")
            yield SelectionList[int](id="mail-correspondents")
            with VerticalScroll(id="transfer-preview-box"):
                yield Static(Text(_("lecture de l'archive…"), style="dim"), id="transfer-preview")
            yield ProgressBar(id="transfer-progress", show_eta=False)
            yield Static("", id="mail-rate")
            yield Static(_("↵ (adresses) recalculer   espace cocher   ctrl+s importer"
                           "   échap fermer"), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#mail-skip-bad", Checkbox).display = False
        self.query_one("#mail-correspondents", SelectionList).display = False
        self.started = time.monotonic()
        self._read(self.path)

    @property
    def preview(self) -> Static:
        return self.query_one("#transfer-preview", Static)

    # -- reading (nothing written) ----------------------------------------------------
    @work(thread=True, exclusive=True, group="mail-preview", exit_on_error=False,
          description="lecture du courrier")
    def _read(self, path: Path) -> None:
        try:
            plan = mailimport.plan_mail_import(
                self.db, [path], mailimport.MailOptions(),
                lambda step: deliver(self, self._progress, step), names=[str(path)])
        except (OSError, QualifError, StorageError) as error:
            deliver(self, self._show_problem, str(error))
            return
        with self.plan_lock:
            summary = plan.summary()
        deliver(self, self._read_done, plan, summary)

    def _read_done(self, plan: MailPlan, summary: Summary) -> None:
        if not self.is_mounted:
            plan.close()
            return
        self.plan = plan
        self.query_one(ProgressBar).display = False
        self.query_one("#mail-rate", Static).update("")
        if not plan.files:
            self._show_problem(_("Aucun message dans {name} (mbox, Maildir, .eml, .msg).")
                               .format(name=self.path))
            return
        self.query_one("#mail-own", Input).value = ", ".join(plan.own)
        skip = self.query_one("#mail-skip-bad", Checkbox)
        skip.display = bool(plan.bad)
        self._fill_correspondents()
        self._show(summary)
        correspondents = self.query_one("#mail-correspondents", SelectionList)
        (correspondents if correspondents.display else self.query_one("#mail-own", Input)).focus()
        if plan.own_source == "inferred":
            self.notify(_("Votre adresse a été déduite de l'archive : {own}. Corrigez-la si"
                          " besoin (elle dit qui a écrit à qui).").format(
                own=", ".join(plan.own)), timeout=8)

    def _own(self) -> list[str]:
        text = self.query_one("#mail-own", Input).value
        return [a.strip().lower() for a in text.replace(";", ",").split(",") if "@" in a]

    def _fill_correspondents(self) -> None:
        plan = self.plan
        if plan is None:
            return
        own = self._own()
        picked = {c.id for c in plan.chosen(str(self.query_one("#mail-create", Select).value),
                                            own)}
        selections = [Selection(correspondent_line(c), c.id, c.id in picked)
                      for c in plan.candidates(own)]
        selections += [Selection(correspondent_line(c, bulk=True), c.id, False)
                       for c in plan.candidates(own, bulk=True)]
        widget = self.query_one("#mail-correspondents", SelectionList)
        widget.clear_options()
        widget.add_options(selections)
        widget.display = bool(selections)
        if selections:
            widget.highlighted = 0
        widget.border_title = _("Correspondants sans fiche ({n}) : cochez ceux à créer").format(
            n=len(selections))

    def _chosen(self) -> list[Correspondent]:
        plan = self.plan
        if plan is None:
            return []
        wanted = set(self.query_one("#mail-correspondents", SelectionList).selected)
        return [c for c in plan.addresses if c.id in wanted]

    @on(Select.Changed, "#mail-create")
    def _create_changed(self) -> None:
        self._fill_correspondents()
        self._recount()

    @on(SelectionList.SelectedChanged, "#mail-correspondents")
    def _selection_changed(self) -> None:
        self._recount()

    @on(Input.Submitted, "#mail-own")
    def _own_changed(self) -> None:
        self._fill_correspondents()
        self._recount()

    def _recount(self) -> None:
        if self.plan is not None and not self.running:
            self._count(self.plan, self._chosen(), self._own())

    @work(thread=True, exclusive=True, group="mail-count", exit_on_error=False,
          description="aperçu du courrier")
    def _count(self, plan: MailPlan, chosen: list[Correspondent], own: list[str]) -> None:
        with self.plan_lock:
            summary = plan.summary(chosen, own)
        deliver(self, self._show, summary)

    def _show(self, summary: Summary) -> None:
        if self.plan is None:
            return
        self.summary = summary
        self.preview.update(Group(describe_mail_plan(self.plan, summary), Text(""),
                                  Text(_("ctrl+s pour importer."), style="bold")))

    def _show_problem(self, message: str) -> None:
        self.query_one(ProgressBar).display = False
        self.preview.update(Text(message, style="red"))

    def _progress(self, step: mailimport.MailProgress) -> None:
        bar = self.query_one(ProgressBar)
        bar.display = True
        bar.update(total=step.total or None, progress=step.done)
        rate = step.messages / max(time.monotonic() - self.started, 1e-6)
        self.query_one("#mail-rate", Static).update(Text(
            _("{stage} : {n} messages, {rate} messages/s").format(
                stage=step.stage, n=step.messages, rate=f"{rate:,.0f}".replace(",", "\u202f")),
            style="dim"))

    # -- the import itself ------------------------------------------------------------
    def action_run(self) -> None:
        plan = self.plan
        if self.running or plan is None:
            return
        plan.skip_bad = self.query_one("#mail-skip-bad", Checkbox).value
        if plan.bad and not plan.skip_bad:
            self.notify(_("Des messages sont illisibles : cochez « Importer sans les messages"
                          " illisibles » pour importer les autres."), severity="warning")
            return
        self.running = True
        self.started = time.monotonic()
        chosen, own, db = self._chosen(), self._own(), self.db

        def run() -> Imported:
            with self.plan_lock:
                result = mailimport.apply_mail_plan(
                    db, plan, chosen, own, lambda step: deliver(self, self._progress, step))
            if result.batch_id is None:
                return Imported(_("rien de nouveau"), None)
            return Imported(_("{entries} e-mail(s) sur {contacts} contact(s), {created} fiche(s)"
                              " créée(s)").format(entries=result.entries,
                                                  contacts=result.contacts,
                                                  created=result.created), result.batch_id)

        def failed(error: BaseException) -> None:
            self.running = False
            self.query_one(ProgressBar).display = False
            if isinstance(error, ImportRefused):
                self._show_problem("\n".join(error.lines))

        self.app.writes.submit(WriteJob(  # type: ignore[attr-defined]
            _("Import du courrier"), run, done=self.dismiss, failed=failed))

    def action_close(self) -> None:
        if not self.running:
            self.dismiss(None)

    def on_unmount(self) -> None:
        if self.plan is not None:
            with self.plan_lock:
                self.plan.close()
