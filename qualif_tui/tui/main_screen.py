"""The main screen: segments, the search bar, the virtual contact list and the card.

This screen owns the current result (query, sort, count) and every write the
user asks for from it: writes go through the app's ordered write queue, then
the result, the segment counts and the card are refreshed — keeping the cursor
on the contact that was written to. Reads run in exclusive thread workers, so
a new search cancels a stale one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, TabbedContent
from textual.worker import Worker, WorkerState

from qualif_tui.base.i18n import _
from qualif_tui.domain.activities import (
    Activity,
    add_activity,
    answered_by,
    complete_activity,
    log_and_complete,
)
from qualif_tui.domain.contacts import (
    DeletedContact,
    create_contact,
    delete_contact,
    get_contact,
    restore_contact,
    update_contact,
)
from qualif_tui.domain.history import add_entry, list_entries
from qualif_tui.domain.keys import QualKey, list_keys
from qualif_tui.domain.qualify import Answer, answer, toggle, undo_answer
from qualif_tui.domain.towns import towns_of_postal_code
from qualif_tui.query import (
    SORTS,
    CompiledQuery,
    ContactRow,
    QueryError,
    compile_query,
    count,
    warm_up,
)
from qualif_tui.query.completion import Vocabulary
from qualif_tui.query.derived import page_containing
from qualif_tui.services.addresses import AddressList, address_list
from qualif_tui.services.importing import UndoResult, undo_batch
from qualif_tui.services.segments import Segment, save_segment
from qualif_tui.storage import Database
from qualif_tui.tui import keymap
from qualif_tui.tui.card import ContactCard
from qualif_tui.tui.commands import ActionsProvider, ContactsProvider, SegmentsProvider
from qualif_tui.tui.contact_list import ContactList
from qualif_tui.tui.counting import segment_query_text
from qualif_tui.tui.custom_fields import CustomFieldEdit, PromoteField
from qualif_tui.tui.deal_actions import DealActions
from qualif_tui.tui.footer import KeyFooter
from qualif_tui.tui.messages import AnswerKey, EditContact, MarkDone
from qualif_tui.tui.paging import PAGE_SIZE, PageSource
from qualif_tui.tui.reports import ReportsProvider
from qualif_tui.tui.search_bar import QueryInput, SearchBar
from qualif_tui.tui.sidebar import SegmentsSidebar
from qualif_tui.tui.workers import WorkerReports, WriteJob, deliver

if TYPE_CHECKING:
    from qualif_tui.tui.transfer import Imported

PANE_ORDER = ("query", "sidebar", "contacts", "form", "timeline", "agenda", "deals", "quotes")
BUSY_GROUPS = {"search", "pages", "card", "segments", "write", "timeline", "verify",
               "addresses", "deals"}


@dataclass(frozen=True)
class SearchResult:
    text: str
    compiled: CompiledQuery
    sort: str
    keys: list[QualKey]
    source: PageSource
    page: int
    rows: list[ContactRow]
    cursor: int
    keep_view: bool
    focus_list: bool


@dataclass(frozen=True)
class UndoItem:
    label: str
    run: Callable[[], Any]
    contact_id: int | None
    keeps_order: bool = False  # undoing cannot move the contact in the list


def _undone(result: object) -> str:
    """What undoing an import took back, when it says (e-mails, contacts)."""
    if not isinstance(result, UndoResult):
        return ""
    parts = []
    if result.entries:
        parts.append(_("{n} e-mail(s) retiré(s)").format(n=result.entries))
    if result.deleted:
        parts.append(_("{n} fiche(s) supprimée(s)").format(n=result.deleted))
    if result.reverted:
        parts.append(_("{n} fusion(s) défaite(s)").format(n=result.reverted))
    return f" — {', '.join(parts)}" if parts else ""


class MainScreen(WorkerReports, DealActions, Screen[None]):
    class Ready(Message):
        """The first result is on screen (the app may start background work)."""

    BINDINGS = keymap.bindings(keymap.MAIN_KEYS)
    PALETTE_KEYS = (keymap.APP_KEYS + keymap.MAIN_KEYS + keymap.LIST_KEYS
                    + keymap.TIMELINE_KEYS + keymap.AGENDA_KEYS + keymap.DEAL_KEYS
                    + keymap.QUOTE_KEYS)
    COMMANDS = {ActionsProvider, SegmentsProvider, ContactsProvider, ReportsProvider}
    # < 100 columns: card under the list; < 140: no room for the sidebar (ctrl+b)
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-medium"), (140, "-wide")]
    AUTO_FOCUS = "ContactList"
    # Keys typed meanwhile wait for these (typeahead.py): the result they act on,
    # the contact a form is opened on, the planned activity a logged call closes,
    # the deal form, the history's filter result and its count (End goes to the last
    # entry, the last *matching* one after the filter's ↵, not to the end of the first
    # page read).
    TYPEAHEAD_GROUPS = frozenset({"search", "edit", "log-form", "deal-form", "timeline",
                                  "timeline-count"})

    def __init__(self, db: Database) -> None:
        super().__init__(id="main")
        self.db = db
        self.query_text = ""
        self.compiled: CompiledQuery | None = None
        self.sort = "name"
        self.total: int | None = None
        self.keys: list[QualKey] = []
        self.undo_stack: list[UndoItem] = []
        self._busy_timer: Any = None
        self._prepared = False
        self._search_broke = False  # the last search ended in an error (not a bad query)

    def compose(self) -> ComposeResult:
        yield SearchBar(id="search")
        with Horizontal(id="body"):
            yield SegmentsSidebar(self.db, id="sidebar")
            yield ContactList(id="contacts")
            yield ContactCard(self.db)
        yield KeyFooter()

    def on_mount(self) -> None:
        self._show_status()
        self.run_search("")
        self.contact_list.focus()

    def typeahead_ready(self) -> bool:
        """Keys wait while the contact they would act on is still being loaded: the
        row under the cursor (a page being fetched) or the card a key opened."""
        contacts = self.contact_list
        if self._search_broke:
            return True  # nothing is being loaded: the search failed (a damaged file?)
        if contacts.source is None or (contacts.total and contacts.current_row is None):
            return False
        if self.focused is self.sidebar and not self.sidebar.loaded:
            return False  # the segments a letter or Enter would pick are not listed yet
        return self.card.ready_for_keys

    # -- parts ---------------------------------------------------------------
    @property
    def search_bar(self) -> SearchBar:
        return self.query_one(SearchBar)

    @property
    def contact_list(self) -> ContactList:
        return self.query_one(ContactList)

    @property
    def card(self) -> ContactCard:
        return self.query_one(ContactCard)

    @property
    def sidebar(self) -> SegmentsSidebar:
        return self.query_one(SegmentsSidebar)

    @property
    def segments(self) -> list[Segment]:
        return self.sidebar.segments

    @property
    def current_contact_id(self) -> int | None:
        return self.card.contact_id

    # -- searching -------------------------------------------------------------
    @work(thread=True, exclusive=True, group="search", exit_on_error=False,
          description="recherche")
    def run_search(self, text: str, *, sort: str | None = None, cursor: int = 0,
                   focus_contact: int | None = None, keep_view: bool = False,
                   focus_list: bool = False, position_hint: int | None = None) -> None:
        sort = sort or self.sort
        try:
            compiled = compile_query(self.db, text)
        except QueryError as error:
            deliver(self, self._search_failed, error)
            return
        keys = list_keys(self.db)
        found = None
        if focus_contact is not None:
            # the page around the contact, by keyset from the contact itself: no
            # OFFSET scan even deep in a million rows
            found = page_containing(self.db, compiled, focus_contact, sort=sort,
                                    page_size=PAGE_SIZE, keys=keys, position_hint=position_hint)
            if found is None and not keep_view and text.strip():
                # "go to contact" outside the current result: look among everyone
                text, compiled = "", compile_query(self.db, "")
                found = page_containing(self.db, compiled, focus_contact, sort=sort,
                                        page_size=PAGE_SIZE, keys=keys)
        total = count(self.db, compiled)
        source = PageSource(self.db, compiled, sort, keys, total)
        if found is not None:
            cursor, rows = found
            page = source.page_of(cursor)
        else:
            cursor = max(0, min(cursor, total - 1))
            page = source.page_of(cursor)
            rows = source.fetch(source.plan(page))
        deliver(self, self._search_done, SearchResult(text, compiled, sort, keys, source, page,
                                                      rows, cursor, keep_view, focus_list))

    def _search_done(self, result: SearchResult) -> None:
        self.query_text = result.text
        self.compiled = result.compiled
        self.sort = result.sort
        self.keys = result.keys
        self.total = result.source.total
        bar = self.search_bar
        bar.clear_error()
        if result.compiled.warnings:
            bar.show_warnings(result.compiled.warnings)
        if bar.input.value != result.text and not bar.input.has_focus:
            bar.input.value = result.text
        self._show_status()
        self.contact_list.load(result.source, result.rows, result.page, result.cursor,
                               keep_view=result.keep_view)
        if not self._prepared:
            # once the list is on screen: the list comes first at launch
            self._prepared = True
            self._prepare_counts()
            self.post_message(self.Ready())
        if result.source.total == 0:
            self.card.show_contact(None)
        if result.focus_list:
            self.contact_list.focus()

    @work(thread=True, exclusive=True, group="warm-up", exit_on_error=False,
          description="préparation des recherches")
    def _prepare_counts(self) -> None:
        """Bitmaps of the choice keys first (counts of any facet query then take
        well under a millisecond, read aside so the list never waits), then the
        sidebar's counts, which would otherwise scan the file in SQL."""
        try:
            warm_up(self.db, aside=True)
        finally:
            deliver(self, self.sidebar.refresh_counts)

    def _search_failed(self, error: QueryError) -> None:
        self.search_bar.show_error(error)
        self.search_bar.input.focus()

    def _show_status(self, busy: str = "") -> None:
        note = _("démo — rien n'est gardé") if getattr(self.app, "demo", False) else ""
        self.search_bar.show_status(self.total, _(SORTS[self.sort][1]), busy, note)

    @on(SearchBar.Submitted)
    def _submitted(self, event: SearchBar.Submitted) -> None:
        text = event.text.strip()
        self.search_bar.input.remember(text)
        self.run_search(text, focus_list=True)

    def open_segment(self, segment: Segment | None) -> None:
        text = "" if segment is None else segment_query_text(segment)
        self.search_bar.input.value = text
        if text:
            self.search_bar.input.remember(text)
        self.run_search(text, focus_list=True)

    @on(SegmentsSidebar.Opened)
    def _segment_opened(self, event: SegmentsSidebar.Opened) -> None:
        self.open_segment(event.segment)

    def go_to_contact(self, contact_id: int) -> None:
        self.run_search(self.query_text, focus_contact=contact_id, focus_list=True)

    def refresh_after_write(self, contact_id: int | None = None, *,
                            position_hint: int | None = None) -> None:
        """Re-run the current result (cursor kept on ``contact_id`` if it is still in
        it), recount the segments and reload the card.

        ``position_hint`` is where the contact was, for writes that cannot move it
        in the sort order (a qualification answer): its place is then not
        recounted, which deep in a big file saves a count proportional to it."""
        self.run_search(self.query_text, cursor=self.contact_list.cursor,
                        focus_contact=contact_id, keep_view=True, position_hint=position_hint)
        self.sidebar.refresh_counts()
        self.card.reload()

    def place_of(self, contact_id: int | None) -> int | None:
        """The list index of a contact if the cursor is on it (a position hint)."""
        row = self.contact_list.current_row
        return self.contact_list.cursor if row is not None and row.id == contact_id else None

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        super().on_worker_state_changed(event)
        if event.worker.group != "search":
            return
        self._search_broke = event.state == WorkerState.ERROR
        if self._search_broke and not self._prepared:
            # The first list could not be read (a damaged file?): the app's background
            # work starts anyway — first the file's check, which says what is wrong.
            self._prepared = True
            self.post_message(self.Ready())

    # -- busy indicator ------------------------------------------------------------
    def _busy(self) -> str:
        for worker in self.app.workers:
            if worker.group in BUSY_GROUPS and worker.state in (WorkerState.PENDING,
                                                                WorkerState.RUNNING):
                return _(worker.description) if worker.description else worker.group
        return ""

    def workers_changed(self) -> None:
        if not self.query(SearchBar):
            return  # the screen is being taken down (the app quits)
        if not self._busy():
            if self._busy_timer is not None:
                self._busy_timer.stop()
                self._busy_timer = None
            self._show_status()
        elif self._busy_timer is None:
            self._busy_timer = self.set_timer(0.25, self._show_busy)

    def _show_busy(self) -> None:
        self._busy_timer = None
        busy = self._busy()
        self._show_status(f"{busy}…" if busy else "")

    # -- the list and the card -----------------------------------------------------------
    @on(ContactList.Highlighted)
    def _highlighted(self, event: ContactList.Highlighted) -> None:
        contact_id = event.row.id if event.row is not None else None
        if contact_id != self.card.contact_id or self.card.data is None:
            self.card.show_contact(contact_id)

    @on(ContactList.Chosen)
    def _chosen(self, event: ContactList.Chosen) -> None:
        self.edit_contact(event.row.id)

    @on(EditContact)
    def _edit_requested(self, event: EditContact) -> None:
        self.edit_contact(event.contact_id)

    def _contact_or_bell(self) -> int | None:
        contact_id = self.current_contact_id
        if contact_id is None:
            self.app.bell()
            self.notify(_("Aucun contact sélectionné."), severity="warning")
        return contact_id

    def _contact_name(self) -> str:
        # the row under the cursor is always the current contact; the card may
        # still be loading it
        row = self.contact_list.current_row
        if row is not None and row.id == self.current_contact_id:
            return row.name
        data = self.card.data
        return data.contact.name if data else ""

    def remember_undo(self, label: str, run: Callable[[], Any], contact_id: int | None) -> None:
        """Offer ``u`` for a write just made (``run`` takes it back)."""
        self.undo_stack.append(UndoItem(label, run, contact_id))

    # -- writes ------------------------------------------------------------------------
    def write(self, label: str, run: Callable[[], Any],
              done: Callable[[Any], object] | None = None,
              contact_id: int | None = None, *, position_hint: int | None = None) -> None:
        """Queue a core write; afterwards refresh everything shown, even if it failed
        (so the screen shows what the file holds)."""

        def refresh(_result: Any = None) -> None:
            self.refresh_after_write(contact_id, position_hint=position_hint)

        def finished(result: Any) -> None:
            if done is not None:
                done(result)
            refresh()

        self.app.writes.submit(WriteJob(  # type: ignore[attr-defined]
            label, run, done=finished, failed=refresh))

    @on(AnswerKey)
    def _answer(self, event: AnswerKey) -> None:
        db, contact_id, key, value = self.db, event.contact_id, event.key, event.value

        def run() -> Answer | None:
            if event.toggle:
                return toggle(db, contact_id, key, str(value))
            return answer(db, contact_id, key, value)

        def done(result: Answer | None) -> None:
            if result is not None:
                self.undo_stack.append(UndoItem(result.describe(),
                                                lambda: undo_answer(db, result), contact_id,
                                                keeps_order=True))

        # a key's value never changes the order of the list: no recount of the place
        self.write(_("Qualification ({display_name})").format(display_name=key.display_name), run, done, contact_id,
                   position_hint=self.place_of(contact_id))

    @on(MarkDone)
    def _mark_done(self, event: MarkDone) -> None:
        activity = event.activity
        contact_id = self.current_contact_id

        def done(_result: object) -> None:
            self.notify(_("Fait : {title} (inscrit dans l'historique)").format(title=activity.title))

        self.write(_("Agenda"), lambda: complete_activity(self.db, activity.id), done, contact_id)

    def edit_contact(self, contact_id: int) -> None:
        data = self.card.data
        if data is not None and data.contact.id == contact_id:
            self._open_contact_form(data.contact.id, data.contact)
        else:
            self._load_for_edit(contact_id)

    @work(thread=True, exclusive=True, group="edit", exit_on_error=False)
    def _load_for_edit(self, contact_id: int) -> None:
        contact = get_contact(self.db, contact_id)
        deliver(self, self._open_contact_form, contact_id, contact)

    def _open_contact_form(self, contact_id: int, contact: Any) -> None:
        from qualif_tui.tui.forms import ContactForm

        def save(changes: dict[str, Any]) -> Any:
            return update_contact(self.db, contact_id, changes)

        def closed(result: Any) -> None:
            if result is not None:
                self.notify(_("Fiche enregistrée.") if result else _("Aucun changement."))
                self.refresh_after_write(contact_id)

        self.app.push_screen(ContactForm(contact, save), closed)

    def action_new_contact(self) -> None:
        from qualif_tui.tui.forms import ContactForm

        def closed(new_id: int | None) -> None:
            if new_id is not None:
                self.notify(_("Contact créé."))
                self.card.show_contact(new_id)
                self.refresh_after_write(new_id)

        db = self.db
        self.app.push_screen(ContactForm(None, lambda fields, keys: create_contact(db, fields,
                                                                                   keys),
                                         keys=self.keys,
                                         towns=lambda code: towns_of_postal_code(db, code)),
                             closed)

    def action_delete_contact(self) -> None:
        contact_id = self._contact_or_bell()
        if contact_id is None:
            return
        self._ask_delete(contact_id, self._contact_name())

    @work(thread=True, exclusive=True, group="deals", exit_on_error=False,
          description="affaires du contact")
    def _ask_delete(self, contact_id: int, name: str) -> None:
        from qualif_tui.domain.deals import owned_counts

        deals, quotes = owned_counts(self.db, contact_id)
        deliver(self, self._confirm_delete, contact_id, name, deals, quotes)

    def _confirm_delete(self, contact_id: int, name: str, deals: int, quotes: int) -> None:
        from qualif_tui.tui.dialogs import ConfirmScreen

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return

            def done(snapshot: DeletedContact) -> None:
                self.undo_stack.append(UndoItem(_("suppression de {name}").format(name=snapshot.name),
                                                lambda: restore_contact(self.db, snapshot),
                                                snapshot.contact_id))
                self.notify(_("{name} supprimé — u pour annuler.").format(name=snapshot.name))

            # keep the cursor on the contact that slides into its place
            contacts = self.contact_list
            neighbour = contacts.row_at(contacts.cursor + 1) or contacts.row_at(
                contacts.cursor - 1)
            self.write(_("Suppression"), lambda: delete_contact(self.db, contact_id), done,
                       neighbour.id if neighbour else None)

        detail = (_("La fiche, son historique et ses liens seront effacés (u annule tant que l'app est ouverte)."))
        if deals or quotes:
            detail = _("Ses {deals} affaire(s) et {quotes} devis seront effacés avec la fiche,"
                       " son historique et ses liens (u annule tant que l'app est ouverte)."
                       ).format(deals=deals, quotes=quotes)
        self.app.push_screen(ConfirmScreen(_("Supprimer {name} ?").format(name=name), detail), confirmed)

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify(_("Rien à annuler."), severity="warning")
            return
        item = self.undo_stack.pop()
        hint = self.place_of(item.contact_id) if item.keeps_order else None
        self.write(_("Annulation"), item.run,
                   lambda result: self.notify(_("Annulé : {label}").format(label=item.label)
                                              + _undone(result)),
                   item.contact_id, position_hint=hint)

    def action_log(self, kind: str) -> None:
        contact_id = self._contact_or_bell()
        if contact_id is not None:
            self._find_answered(contact_id, kind, self._contact_name())

    @work(thread=True, exclusive=True, group="log-form", exit_on_error=False,
          description="activité prévue")
    def _find_answered(self, contact_id: int, kind: str, name: str) -> None:
        # a call logged while one was planned: the form offers to close it
        deliver(self, self._open_log_form, contact_id, kind, name,
                answered_by(self.db, contact_id, kind))

    def _open_log_form(self, contact_id: int, kind: str, name: str,
                       planned: Activity | None) -> None:
        from qualif_tui.tui.forms import EntryForm

        def save(kind: str, subject: str, body: str, when: str, closes: int | None) -> int:
            if closes is not None:
                return log_and_complete(self.db, closes, contact_id, kind, subject, body, when)
            return add_entry(self.db, contact_id, kind, subject, body, when)

        def closed(entry_id: int | None) -> None:
            if entry_id is not None:
                self.notify(_("Inscrit dans l'historique."))
                self._show_card_part("tab-timeline")
                self.refresh_after_write(contact_id)

        self.app.push_screen(EntryForm(name, kind, save, answers=planned), closed)

    def _show_card_part(self, tab: str) -> None:
        """Show what was just written, unless the user works inside the card (switching
        would hide the field they are on)."""
        if self._pane_of(self.focused) not in ("form", "timeline", "agenda", "deals", "quotes"):
            self.card.query_one(TabbedContent).active = tab

    def action_add_activity(self) -> None:
        contact_id = self._contact_or_bell()
        if contact_id is not None:
            self._find_last_entry(contact_id, self._contact_name())

    @work(thread=True, exclusive=True, group="log-form", exit_on_error=False,
          description="dernière entrée")
    def _find_last_entry(self, contact_id: int, name: str) -> None:
        # the follow-up is proposed from what was just logged (keys typed meanwhile
        # wait: "log-form" is one of TYPEAHEAD_GROUPS)
        from qualif_tui.tui.forms import follow_up_title

        last = list_entries(self.db, contact_id, include_automatic=False, limit=1)
        deliver(self, self._open_activity_form, contact_id, name,
                follow_up_title(last[0].subject) if last else "")

    def _open_activity_form(self, contact_id: int, name: str, title: str) -> None:
        from qualif_tui.tui.forms import ActivityForm

        def save(title: str, **fields: Any) -> int:
            return add_activity(self.db, title, contact_ids=[contact_id], **fields)

        def closed(activity_id: int | None) -> None:
            if activity_id is not None:
                self.notify(_("Activité planifiée."))
                self._show_card_part("tab-agenda")
                self.refresh_after_write(contact_id)

        self.app.push_screen(ActivityForm(name, save, title=title), closed)

    def action_import_file(self) -> None:
        from qualif_tui.services.demo import demo_mailbox
        from qualif_tui.tui.transfer import ImportScreen

        def closed(imported: Imported | None) -> None:
            if imported is None:
                return
            self.remember_import(imported)
            self.refresh_after_write(self.current_contact_id)

        # on the demo, the demo's mailbox is proposed (selected: typing replaces it)
        proposed = str(demo_mailbox()) if getattr(self.app, "demo", False) else ""
        self.app.push_screen(ImportScreen(self.db, proposed), closed)

    def remember_import(self, imported: Imported) -> None:
        """Say what an import did and offer ``u`` for it (contacts, a calendar, mail or
        deals: one import batch each, wherever in the app it was made)."""
        batch = imported.batch_id
        if batch is not None:
            self.undo_stack.append(UndoItem(_("import n° {batch}").format(batch=batch),
                                            lambda: undo_batch(self.db, batch), None))
            self.notify(_("Importé : {summary} — u pour annuler.").format(
                summary=imported.summary), timeout=8)
        else:
            self.notify(_("Importé : {summary}").format(summary=imported.summary), timeout=8)

    def action_export_result(self) -> None:
        from qualif_tui.tui.transfer import ExportScreen

        if self.compiled is None:
            self.app.bell()
            return

        def closed(message: str | None) -> None:
            if message:
                self.notify(message, title=_("Export"), timeout=8, markup=False)

        self.app.push_screen(ExportScreen(self.db, self.compiled, self.total,
                                          temporary_db=getattr(self.app, "demo", False)),
                             closed)

    def action_copy_addresses(self, separator: str = "semicolon") -> None:
        """The result's e-mail addresses on the clipboard, for a BCC field (OSC 52)."""
        if self.compiled is None:
            self.app.bell()
            return
        self._collect_addresses(self.compiled, separator)

    @work(thread=True, exclusive=True, group="addresses", exit_on_error=False,
          description="adresses e-mail")
    def _collect_addresses(self, compiled: CompiledQuery, separator: str) -> None:
        # the stream reads the shared connection directly: the lock keeps the other
        # workers (counts, pages, card) off it meanwhile
        with self.db.lock:
            found = address_list(self.db, compiled)
        deliver(self, self._copy_addresses, found, separator)

    def _copy_addresses(self, found: AddressList, separator: str) -> None:
        if not found.addresses:
            reasons = ", ".join(found.reasons()) or _("le résultat est vide")
            self.notify(_("Aucune adresse à copier ({why}).").format(why=reasons),
                        title=_("Adresses"), severity="warning", timeout=8)
            return
        self.app.copy_to_clipboard(found.text(separator))
        self.notify(_("Dans le presse-papiers : {summary}.").format(summary=found.summary()),
                    title=_("Adresses"), timeout=8)

    def action_open_report(self) -> None:
        self.open_report()

    def open_report(self, kind: str = "breakdown", by: str | None = None,
                    measure: str = "contacts") -> None:
        """The reports screen over the current result; Enter on a cell there comes back
        with that cell's query, run here."""
        from qualif_tui.tui.reports import ReportsScreen

        if self.compiled is None:
            self.app.bell()
            return

        def closed(query: str | None) -> None:
            if query is not None:
                self.search_bar.input.value = query
                self.search_bar.input.remember(query)
                self.run_search(query, focus_list=True)

        self.app.push_screen(ReportsScreen(self.db, self.compiled, self.query_text, kind=kind,
                                           by=by, measure=measure), closed)

    def action_new_campaign(self) -> None:
        """A campaign of the current result (its query or segment): the wizard, then
        the campaigns screen on the new one."""
        from qualif_tui.tui.campaigns import NewCampaignScreen

        if self.compiled is None:
            self.app.bell()
            return

        def closed(name: str | None) -> None:
            if name:
                self.action_campaigns(select=name)

        self.app.push_screen(NewCampaignScreen(self.db, self.query_text, self.total), closed)

    def action_campaigns(self, select: str | None = None) -> None:
        from qualif_tui.tui.campaigns import CampaignsScreen

        def closed(_result: object) -> None:
            # responses may have set opt-outs, sends written timeline entries
            self.refresh_after_write(self.current_contact_id)

        self.app.push_screen(CampaignsScreen(self.db, select=select), closed)

    def action_save_segment(self) -> None:
        from qualif_tui.tui.dialogs import SegmentNameScreen

        text = self.query_text

        def closed(segment: Segment | None) -> None:
            if segment is not None:
                self.notify(_("Segment « {name} » enregistré.").format(name=segment.name))
                self.sidebar.refresh_counts()

        self.app.push_screen(SegmentNameScreen(text, lambda name: save_segment(self.db, name,
                                                                               text)), closed)

    def action_sprint(self) -> None:
        from qualif_tui.tui.sprint import SprintKeyChoice

        if self.compiled is None or not self.keys:
            self.app.bell()
            return
        self.app.push_screen(SprintKeyChoice(self.keys), self._start_sprint)

    def _start_sprint(self, keys: list[QualKey] | None) -> None:
        """The sprint over the current result, on the keys chosen (one, or all)."""
        from qualif_tui.tui.sprint import SprintScreen

        if not keys or self.compiled is None:
            return
        label = self.query_text
        if len(keys) == 1:
            label = f"{label} — {keys[0].display_name}" if label else keys[0].display_name

        def closed(answered: int | None) -> None:
            if answered:
                self.notify(_("Sprint : {answered} réponse(s) enregistrée(s).").format(answered=answered))
            self.refresh_after_write(self.current_contact_id)

        self.app.push_screen(SprintScreen(self.db, self.compiled, self.sort, keys, label),
                             closed)

    # -- navigation ------------------------------------------------------------------
    def action_focus_search(self) -> None:
        self.search_bar.input.focus()

    def action_cycle_sort(self) -> None:
        names = list(SORTS)
        self.sort = names[(names.index(self.sort) + 1) % len(names)]
        self._show_status()
        self.run_search(self.query_text, sort=self.sort, focus_contact=self.current_contact_id,
                        keep_view=True)

    def action_refresh(self) -> None:
        self.refresh_after_write(self.current_contact_id)

    def action_show_pane(self, pane: str) -> None:
        self.card.focus_pane(pane)

    def action_toggle_sidebar(self) -> None:
        self.toggle_class("-hide-sidebar" if self.has_class("-wide") else "-show-sidebar")
        if self.sidebar.display and self._sidebar_visible():
            self.sidebar.focus()
        elif self.focused is self.sidebar:
            self.contact_list.focus()

    def _sidebar_visible(self) -> bool:
        if self.has_class("-wide"):
            return not self.has_class("-hide-sidebar")
        return self.has_class("-show-sidebar")

    def _pane_of(self, widget: Widget | None) -> str | None:
        if widget is None:
            return None
        chain = [widget, *widget.ancestors]
        ids = {getattr(node, "id", None) for node in chain}
        for pane, ident in (("query", "search"), ("sidebar", "sidebar"),
                            ("contacts", "contacts"), ("form", "tab-form"),
                            ("timeline", "tab-timeline"), ("agenda", "tab-agenda"),
                            ("quotes", "quotes"), ("deals", "tab-deals")):
            if ident in ids:
                return pane
        return None

    def _cycle(self, step: int) -> None:
        panes = [p for p in PANE_ORDER if p != "sidebar" or self._sidebar_visible()]
        current = self._pane_of(self.focused)
        index = panes.index(current) if current in panes else panes.index("contacts")
        self.focus_pane(panes[(index + step) % len(panes)])

    def focus_pane(self, pane: str) -> None:
        if pane == "query":
            self.search_bar.input.focus()
        elif pane == "sidebar":
            self.sidebar.focus()
        elif pane == "contacts":
            self.contact_list.focus()
        else:
            self.card.focus_pane(pane)

    def action_next_pane(self) -> None:
        self._cycle(1)

    def action_previous_pane(self) -> None:
        self._cycle(-1)

    def action_back(self) -> None:
        if self.focused is self.search_bar.input:
            self.search_bar.clear_error()
            self.search_bar.input.value = self.query_text
        if self.has_class("-show-sidebar") and self.focused is self.sidebar:
            self.remove_class("-show-sidebar")
        self.contact_list.focus()

    def query_vocabulary(self) -> Vocabulary:
        """What completion in the search bar proposes from this file."""
        return Vocabulary(tuple(self.keys), tuple(s.name for s in self.segments))

    @on(QueryInput.Reference)
    def _show_reference(self) -> None:
        from qualif_tui.tui.query_reference import QueryReference

        self.app.push_screen(QueryReference(self.keys, [s.name for s in self.segments]))

    @on(Input.Changed, "#query")
    def _query_edited(self, event: Input.Changed) -> None:
        if not event.value.strip() and self.search_bar.error_shown:
            self.search_bar.clear_error()

    # -- a clean file: duplicates, keys and values, custom fields (issue 16) ----------
    def action_mail_settings(self) -> None:
        from qualif_tui.services.mailimport import MailSettings
        from qualif_tui.tui.mail_settings import MailSettingsScreen

        def closed(settings: MailSettings | None) -> None:
            if settings is not None:
                own = ", ".join(settings.own) or _("aucune")
                self.notify(_("Courrier : vos adresses : {own}").format(own=own), timeout=6)

        self.app.push_screen(MailSettingsScreen(self.db), closed)

    def action_duplicates(self) -> None:
        from qualif_tui.tui.duplicates import DuplicatesScreen

        def closed(merges: list[Any] | None) -> None:
            from qualif_tui.services.undo import undo

            def undoer(operation: int) -> Callable[[], Any]:
                return lambda: undo(self.db, operation)

            for result in merges or []:  # u here takes them back, the latest first
                self.undo_stack.append(UndoItem(
                    _("fusion {label}").format(label=result.label),
                    undoer(result.operation_id), result.survivor))
            self.refresh_after_write(self.current_contact_id)

        self.app.push_screen(DuplicatesScreen(self.db, self.compiled), closed)

    def action_keys(self) -> None:
        from qualif_tui.tui.keys_screen import KeysScreen

        def closed(_result: object) -> None:
            self.refresh_after_write(self.current_contact_id)

        self.app.push_screen(KeysScreen(self.db), closed)

    @on(CustomFieldEdit)
    def _custom_field_edited(self, event: CustomFieldEdit) -> None:
        from qualif_tui.domain.customfields import set_field

        db, contact_id = self.db, event.contact_id
        self.write(_("Champ libre ({name})").format(name=event.name),
                   lambda: set_field(db, contact_id, event.name, event.value), None, contact_id)

    @on(PromoteField)
    def _promote_field(self, event: PromoteField) -> None:
        from qualif_tui.tui.keys_screen import PromoteScreen

        def closed(label: str | None) -> None:
            if label:
                self.notify(label + " — " + _("u pour annuler."))
                self.undo_stack.append(UndoItem(label, self._undo_last_operation, None))
                self.refresh_after_write(self.current_contact_id)

        self.app.push_screen(PromoteScreen(self.db, event.name), closed)

    def _undo_last_operation(self) -> object:
        from qualif_tui.services.undo import undo

        return undo(self.db)
