"""The duplicates screen (palette: "Doublons"): pairs side by side, one key per decision.

The scan runs in a worker (tens of seconds on a million contacts, with its
progress shown); then each probable pair is shown field by field, the two
cards side by side, the value the merged card will keep marked. ``←``/``→``
keep the left or right value of the highlighted field, ``b`` both values of
a multi-choice key; ``f`` merges, ``n`` says "not a duplicate" (never
proposed again), ``espace`` passes. Merges go through the app's write queue
and into the journal: ``u`` here or on the main screen undoes the last one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.widgets.data_table import ColumnKey

from qualif_tui.base.i18n import _
from qualif_tui.domain.contacts import FIELDS, FLAG_FIELDS, Contact, get_contact
from qualif_tui.domain.keys import QualKey, format_value, list_keys
from qualif_tui.domain.merging import (
    BOTH,
    MergePlan,
    MergeResult,
    dismiss_pair,
    merge_contacts,
    plan_merge,
)
from qualif_tui.domain.phones import format_phone
from qualif_tui.query import CompiledQuery
from qualif_tui.services.duplicates import DuplicatePair, ScanReport, scan
from qualif_tui.services.undo import undo
from qualif_tui.storage import Database
from qualif_tui.tui import keymap
from qualif_tui.tui.footer import KeyFooter
from qualif_tui.tui.workers import WorkerReports, WriteJob, deliver

_PHONES = ("phone", "mobile")


@dataclass(frozen=True)
class Shown:
    """One pair as the screen shows it."""

    pair: DuplicatePair
    left: Contact
    right: Contact
    keys: list[QualKey]
    plan: MergePlan


def _text(contact: Contact, row: str, keys: dict[str, QualKey]) -> str:
    kind, name = row.split(":", 1)
    if kind == "field":
        value = getattr(contact, name)
        if name in FLAG_FIELDS:
            return _("oui") if value else ""
        return format_phone(value) if name in _PHONES and value else str(value or "")
    if kind == "key":
        return format_value(contact.keys.get(name))
    return contact.custom.get(name, "")


def _kept(shown: Shown, row: str, keys: dict[str, QualKey]) -> str:
    """What the merged card keeps for a row: ←, →, both, or = when the same."""
    kind, name = row.split(":", 1)
    left, right = _text(shown.left, row, keys), _text(shown.right, row, keys)
    if kind == "field":
        merged = shown.plan.fields.get(name)
        merged_text = (_("oui") if merged else "") if name in FLAG_FIELDS else str(merged or "")
        if name in _PHONES and merged_text:
            merged_text = format_phone(merged_text)
    elif kind == "key":
        key = keys[name]
        merged_text = format_value(key.decode(shown.plan.keys.get(key.id)))
    else:
        merged_text = shown.plan.custom.get(name, "")
    if left == right:
        return "="
    if merged_text == left:
        return "←"
    if merged_text == right:
        return "→"
    return _("les deux") if merged_text else "—"


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


class DuplicatesScreen(WorkerReports, Screen[list[MergeResult]]):
    """Review the probable duplicates of the file (or of a result) pair by pair."""

    BINDINGS = keymap.bindings(keymap.DUPLICATE_KEYS)
    PALETTE_KEYS = keymap.APP_KEYS + keymap.DUPLICATE_KEYS
    AUTO_FOCUS = "#dup-table"

    def __init__(self, db: Database, query: CompiledQuery | None = None) -> None:
        super().__init__()
        self.db = db
        self.compiled = query if query is not None and query.text.strip() else None
        self.pairs: list[DuplicatePair] = []
        self.index = 0
        self.shown: Shown | None = None
        self.choices: dict[str, int | str] = {}
        self.rows: list[str] = []
        self.merges: list[MergeResult] = []   # written here: u, and the main screen's undo
        self.busy = False

    def compose(self) -> ComposeResult:
        where = (_("dans « {query} »").format(query=self.compiled.text) if self.compiled
                 else _("dans tout le fichier"))
        with Vertical(id="duplicates"):
            yield Static(Text.assemble((_("Doublons probables"), "bold"), "  ", (where, "italic")),
                         id="dup-title")
            yield Static(Text(_("Recherche des doublons…"), "dim"), id="dup-pair")
            yield DataTable(id="dup-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="dup-message")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(_("Champ"), key="label")
        table.add_column(_("Gauche"), key="left")
        table.add_column(_("Droite"), key="right")
        table.add_column(_("Garde"), key="kept")
        self._scan()

    # -- the scan ------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="duplicates", exit_on_error=False,
          description="recherche des doublons")
    def _scan(self) -> None:
        def progress(stage: str, done: int, total: int) -> None:
            deliver(self, self._scanning, stage, done, total)

        # its own connection: reading a million contacts must not hold the app's reads
        db = self.db.reopen()
        try:
            report = scan(db, self.compiled, progress=progress)
        finally:
            db.close()
        deliver(self, self._scanned, report)

    def _scanning(self, stage: str, done: int, total: int) -> None:
        self._pair_line(Text(_("Recherche des doublons… {stage} ({done}/{total})").format(
            stage=stage, done=done, total=total), "dim"))

    def _scanned(self, report: ScanReport) -> None:
        self.pairs = report.pairs
        self.index = 0
        extra = (_(" — {n} paire(s) écartée(s) (pas des doublons)").format(n=report.dismissed)
                 if report.dismissed else "")
        self.query_one("#dup-message", Static).update(Text(
            _("{n} paire(s) parmi {contacts} contacts").format(
                n=len(report.pairs), contacts=report.contacts) + extra, "dim"))
        self._load_current()

    # -- one pair --------------------------------------------------------------------
    def _load_current(self) -> None:
        self.choices = {}
        if not self.pairs:
            self.shown = None
            self.query_one(DataTable).clear()
            self._pair_line(Text(_("Aucun doublon probable."), "bold green"))
            return
        self.index = max(0, min(self.index, len(self.pairs) - 1))
        self._load(self.pairs[self.index], dict(self.choices))

    @work(thread=True, exclusive=True, group="duplicate-pair", exit_on_error=False,
          description="paire")
    def _load(self, pair: DuplicatePair, choices: dict[str, int | str]) -> None:
        left, right = get_contact(self.db, pair.a), get_contact(self.db, pair.b)
        keys = list_keys(self.db)
        plan = plan_merge(self.db, [pair.a, pair.b], choices=choices)
        deliver(self, self._show, Shown(pair, left, right, keys, plan))

    def _pair_line(self, text: Text) -> None:
        self.query_one("#dup-pair", Static).update(text)

    def _show(self, shown: Shown) -> None:
        self.shown = shown
        pair = shown.pair
        line = Text.assemble(
            (_("Paire {i}/{n}").format(i=self.index + 1, n=len(self.pairs)), "bold"), "  ",
            (_("score {score}").format(score=pair.score), "bold yellow"), "  ",
            ", ".join(pair.reasons))
        line.append("\n" + _("Reste : n° {id} ({name})").format(
            id=shown.plan.survivor, name=shown.plan.names.get(shown.plan.survivor, "")), "dim")
        self._pair_line(line)
        table = self.query_one(DataTable)
        row_before = table.cursor_row
        table.clear()
        table.columns[ColumnKey("left")].label = Text(f"n° {pair.a}", "bold")
        table.columns[ColumnKey("right")].label = Text(f"n° {pair.b}", "bold")
        keys = {k.name: k for k in shown.keys}
        self.rows = []
        candidates = [f"field:{n}" for n in FIELDS] + [f"key:{k.name}" for k in shown.keys]
        custom = list(dict.fromkeys([*shown.left.custom, *shown.right.custom]))
        candidates += [f"custom:{n}" for n in custom]
        # both cards and the "kept" column fit the terminal, even at 80 columns
        side = max(10, (self.app.size.width - 20 - 12 - 6) // 2)
        for row in candidates:
            left, right = _text(shown.left, row, keys), _text(shown.right, row, keys)
            if not left and not right:
                continue
            left, right = _fit(left, side), _fit(right, side)
            kind, name = row.split(":", 1)
            label = _(FIELDS.get(name, name)) if kind == "field" else name
            differs = left != right
            style = "bold" if differs else ""
            table.add_row(Text(label, "dim" if not differs else ""), Text(left, style),
                          Text(right, style), Text(_kept(shown, row, keys), "bold cyan"),
                          key=row)
            self.rows.append(row)
        if self.rows:
            table.move_cursor(row=min(max(row_before, 0), len(self.rows) - 1))

    # -- decisions --------------------------------------------------------------------
    def _current_row(self) -> str | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    def _choose(self, side: Callable[[DuplicatePair], int | str]) -> None:
        shown, row = self.shown, self._current_row()
        if shown is None or row is None:
            self.app.bell()
            return
        kind, name = row.split(":", 1)
        if kind == "custom":
            self.app.bell()  # custom fields are all kept (the other value in the history)
            return
        self.choices[name] = side(shown.pair)
        self._load(shown.pair, dict(self.choices))

    def action_left(self) -> None:
        self._choose(lambda pair: pair.a)

    def action_right(self) -> None:
        self._choose(lambda pair: pair.b)

    def action_both(self) -> None:
        shown, row = self.shown, self._current_row()
        keys = {k.name: k for k in shown.keys} if shown else {}
        if row is None or not row.startswith("key:") or keys[row[4:]].type != "multi":
            self.app.bell()
            self.notify(_("« les deux » vaut pour les clés à choix multiple."),
                        severity="warning")
            return
        self._choose(lambda _pair: BOTH)

    def action_next(self) -> None:
        if self.pairs:
            self.index = (self.index + 1) % len(self.pairs)
            self._load_current()

    def action_previous(self) -> None:
        if self.pairs:
            self.index = (self.index - 1) % len(self.pairs)
            self._load_current()

    def _write(self, label: str, run: Callable[[], Any], done: Callable[[Any], None]) -> None:
        if self.busy:
            return
        self.busy = True

        def finished(result: Any) -> None:
            self.busy = False
            done(result)

        def failed(_error: BaseException) -> None:
            self.busy = False

        self.app.writes.submit(WriteJob(  # type: ignore[attr-defined]
            label, run, done=finished, failed=failed))

    def action_merge(self) -> None:
        shown = self.shown
        if shown is None:
            self.app.bell()
            return
        db, plan = self.db, shown.plan

        def done(result: MergeResult) -> None:
            self.merges.append(result)
            self.notify(_("Fusionné : {label} — u pour annuler.").format(label=result.label))
            gone = set(result.merged)
            self.pairs = [p for p in self.pairs if not ({p.a, p.b} & gone)]
            self._load_current()

        self._write(_("Fusion"), lambda: merge_contacts(db, plan), done)

    def action_not_duplicate(self) -> None:
        shown = self.shown
        if shown is None:
            self.app.bell()
            return
        pair = shown.pair

        def done(_result: object) -> None:
            self.notify(_("Retenu : n° {a} et n° {b} ne sont pas des doublons.").format(
                a=pair.a, b=pair.b))
            self.pairs = [p for p in self.pairs if (p.a, p.b) != (pair.a, pair.b)]
            self._load_current()

        self._write(_("Pas un doublon"), lambda: dismiss_pair(self.db, pair.a, pair.b), done)

    def action_undo(self) -> None:
        if not self.merges:
            self.notify(_("Aucune fusion à annuler ici."), severity="warning")
            return
        operation = self.merges[-1].operation_id

        def done(_result: object) -> None:
            self.merges.pop()
            self.notify(_("Fusion annulée."))
            self._scan()

        self._write(_("Annulation"), lambda: undo(self.db, operation), done)

    def action_close(self) -> None:
        self.dismiss(self.merges)
