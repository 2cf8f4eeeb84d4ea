"""Messages the card's parts send up to the screen, which does the writing."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from qualif_tui.domain.activities import Activity
from qualif_tui.domain.keys import QualKey


@dataclass
class AnswerKey(Message):
    """Set (``value``; None clears) or toggle one key of one contact."""

    contact_id: int
    key: QualKey
    value: object
    toggle: bool = False


@dataclass
class EditContact(Message):
    contact_id: int


@dataclass
class MarkDone(Message):
    activity: Activity


@dataclass
class PaneFocused(Message):
    """A pane of the main screen got the focus (the card follows with its tabs)."""

    pane: str
