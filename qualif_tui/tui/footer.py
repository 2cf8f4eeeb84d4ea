"""The screens' footer, rebuilt only when the keys it shows change.

Textual's footer rebuilds all its key widgets whenever the bindings *may* have
changed: every focus move, every dialog opened or closed. Each rebuild mounts and
styles every key twice over (a key starts "compact", then takes the footer's
setting), and most of these rebuilds show exactly the keys already shown: Tab from
the list to the card, a dialog closed. Profiled over the app's pilot tests this
churn was about a tenth of all the CPU they used; a user pays it on every move.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widgets import Footer

if TYPE_CHECKING:
    from textual.screen import Screen


class KeyFooter(Footer):
    """A :class:`Footer` that skips a rebuild which would show the same keys."""

    def __init__(self) -> None:
        super().__init__()
        self._composed: tuple[Hashable, ...] | None = None

    def _shown(self) -> tuple[Hashable, ...]:
        """Everything the footer's compose reads: each active binding (a frozen
        dataclass: key, description, group, show…), whether it is enabled, its
        tooltip and the key as displayed (the keymap and the language change it)."""
        app = self.app
        return (self.compact, self.show_command_palette, self.combine_groups,
                app.ENABLE_COMMAND_PALETTE, app.COMMAND_PALETTE_BINDING,
                *((key, binding, enabled, tooltip, app.get_key_display(binding))
                  for key, (_node, binding, enabled, tooltip)
                  in self.screen.active_bindings.items()))

    def compose(self) -> ComposeResult:
        self._composed = self._shown() if self._bindings_ready else None
        yield from super().compose()

    def bindings_changed(self, screen: Screen[object]) -> None:
        if (self._composed is not None and screen is self.screen
                and self._shown() == self._composed):
            return  # the same keys: nothing to rebuild
        super().bindings_changed(screen)
