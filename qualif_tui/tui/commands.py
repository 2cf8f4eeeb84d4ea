"""Command palette (ctrl+p): every action, every segment, and "go to contact" by name.

Actions come from the keymap tables of the calling screen (so the palette and
the keys never disagree); segments from the sidebar's list; contacts from a
full-text prefix search run in a worker thread, ranked fuzzily here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.worker import WorkerCancelled, WorkerFailed

from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold
from qualif_tui.domain.lookup import ContactMatch, find_contacts
from qualif_tui.tui.keymap import APP_KEYS, Key
from qualif_tui.tui.user_keys import keys_shown

LOOKUP_LIMIT = 30


def _node_for(provider: Provider, key: Key) -> DOMNode | None:
    if key.scope == "app":
        return provider.app
    if key.scope == "screen":
        return provider.screen
    found = provider.screen.query(f"#{key.scope}")
    return found.first() if found else None


def _label(key: Key, user: Mapping[str, str]) -> str:
    shown = keys_shown(key, user).split(" ")[0]
    return f"{key.text}  ({shown})"


class ActionsProvider(Provider):
    """Every action of the screen the palette was opened on."""

    def _keys(self) -> list[Key]:
        # a screen that lists none still offers the app's own (quit, help, theme)
        keys = getattr(self.screen, "PALETTE_KEYS", APP_KEYS)
        return [k for k in keys if k.palette]

    def _command(self, key: Key) -> Callable[[], Any] | None:
        node = _node_for(self, key)
        if node is None:
            return None
        return partial(self.app.run_action, key.action, node)

    def _user(self) -> Mapping[str, str]:
        user_keymap = getattr(self.app, "user_keymap", None)
        return getattr(user_keymap, "keys", {})

    async def discover(self) -> Hits:
        user = self._user()
        for key in self._keys():
            command = self._command(key)
            if command is not None:
                yield DiscoveryHit(_label(key, user), command)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        user = self._user()
        for key in self._keys():
            label = _label(key, user)
            score = max(matcher.match(label), matcher.match(fold(label)) * 0.9)
            command = self._command(key)
            if score > 0 and command is not None:
                yield Hit(score, matcher.highlight(label), command, text=label)


class SegmentsProvider(Provider):
    """Open a saved segment (or every contact)."""

    def _entries(self) -> list[tuple[str, Callable[[], Any]]]:
        screen: Any = self.screen
        opener = getattr(screen, "open_segment", None)
        if opener is None:
            return []
        entries: list[tuple[str, Callable[[], Any]]] = [
            (_("Segment : tous les contacts"), partial(opener, None))]
        for segment in getattr(screen, "segments", []):
            entries.append((_("Segment : {name}").format(name=segment.name), partial(opener, segment)))
        return entries

    async def discover(self) -> Hits:
        for label, command in self._entries():
            yield DiscoveryHit(label, command)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, command in self._entries():
            score = max(matcher.match(label), matcher.match(fold(label)) * 0.9)
            if score > 0:
                yield Hit(score, matcher.highlight(label), command, text=label)


class ContactsProvider(Provider):
    """Go to a contact by name: a prefix search in the full-text index, fuzzily ranked."""

    async def search(self, query: str) -> Hits:
        screen: Any = self.screen
        go_to = getattr(screen, "go_to_contact", None)
        db = getattr(screen, "db", None)
        if go_to is None or db is None or len(query.strip()) < 2:
            return
        worker = self.app.run_worker(partial(find_contacts, db, query, LOOKUP_LIMIT),
                                     thread=True, group="palette-lookup", exclusive=True,
                                     exit_on_error=False, description="recherche de contact")
        try:
            matches: list[ContactMatch] = await worker.wait()
        except (WorkerCancelled, WorkerFailed):
            return
        matcher = self.matcher(fold(query))
        for match in matches:
            label = _("Aller à : {name}").format(name=match.name)
            detail = " · ".join(p for p in (match.company if match.company != match.name
                                            else "", match.city) if p)
            score = max(0.3, matcher.match(fold(match.name)))
            yield Hit(score, label + (f"  — {detail}" if detail else ""),
                      partial(go_to, match.id), text=label)
