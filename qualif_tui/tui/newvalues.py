"""The import preview's list of values the keys lack, one keystroke per decision.

Each row is a value a file brings to a choice key ("Profil : « Clientèle »
(3 contacts)") and what the import will do with it: take the suggested
existing value (proposed when there is one), another existing value, add it
to the list, or leave those contacts without a value (the text kept as a
custom field). ``m`` takes the suggestion, ``c`` picks an existing value,
``a`` adds, ``v`` leaves empty. The screen re-plans with the decisions.
"""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold
from qualif_tui.domain.keys import QualKey
from qualif_tui.services.importing.newvalues import ADD, NewValue
from qualif_tui.tui import keymap

_MARKS = {"map": "→", "add": "+", "empty": "∅", "refuse": "?"}


class NewValuesList(OptionList):
    """The new values of the previewed import, with the decision on each."""

    BINDINGS = keymap.bindings(keymap.NEW_VALUE_KEYS)

    class Decided(Message):
        """A decision: (key's folded name, folded value) → target, ``ADD`` or None (empty)."""

        def __init__(self, choice: tuple[str, str], target: str | None) -> None:
            super().__init__()
            self.choice = choice
            self.target = target

    def __init__(self) -> None:
        super().__init__(id="new-values")
        self.values: list[NewValue] = []
        self.keys: dict[int, QualKey] = {}

    def show(self, values: list[NewValue], keys: dict[int, QualKey]) -> None:
        highlighted = self.highlighted
        self.values = values
        self.keys = keys
        self.clear_options()
        self.add_options([Option(self._line(v)) for v in values])
        self.display = bool(values)
        if values:
            self.highlighted = min(highlighted or 0, len(values) - 1)

    @staticmethod
    def _line(value: NewValue) -> Text:
        text = Text(f"{_MARKS[value.decision]} ", "bold yellow" if value.decision == "refuse"
                    else "bold")
        text.append(value.describe())
        return text

    @property
    def current(self) -> NewValue | None:
        index = self.highlighted
        return self.values[index] if index is not None and index < len(self.values) else None

    def _decide(self, target: str | None) -> None:
        value = self.current
        if value is None:
            return
        key = self.keys[value.key_id]
        self.post_message(self.Decided((key.norm_name, fold(value.value)), target))

    def action_suggested(self) -> None:
        value = self.current
        if value is None:
            return
        if value.suggestion:
            self._decide(value.suggestion)
        else:
            self.action_choose()

    def action_add(self) -> None:
        self._decide(ADD)

    def action_empty(self) -> None:
        self._decide(None)

    def action_choose(self) -> None:
        value = self.current
        if value is None:
            return
        from qualif_tui.tui.dialogs import PickValue

        def picked(target: str | None) -> None:
            if target is not None:
                self._decide(target)

        self.app.push_screen(PickValue(self.keys[value.key_id], value.target), picked)


HINT = _("nouvelles valeurs : m la suggestion · c choisir · a ajouter à la liste · v laisser vide")
