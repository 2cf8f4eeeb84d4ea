"""The columns of the contact list, fitted to the width available.

Name, company, city and département come first; each qualification key gets a
compact column (its values cut short) while room remains. Pure functions, so
the layout is tested without a terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size

from qualif_tui.base.i18n import _
from qualif_tui.domain.keys import QualKey, format_value
from qualif_tui.query import ContactRow

GAP = 1
KEY_MIN = 4
_BASE_MIN = {"name": 14, "company": 8, "city": 8}
_BASE_COMFORT = {"name": 26, "company": 22, "city": 16}
_TYPE_WIDTH = {"month": 7, "date": 10, "number": 8, "yesno": 3, "text": 10, "multi": 10}


@dataclass(frozen=True)
class Column:
    id: str  # "name", "company", "city", "dept" or a key's name
    title: str
    width: int
    key: QualKey | None = None

    def cell(self, row: ContactRow) -> str:
        if self.key is not None:
            return format_value(row.keys.get(self.key.name))
        if self.id == "dept":
            return row.dept or ""
        return str(getattr(row, self.id))


def key_width(key: QualKey) -> int:
    """The width a key's column would like: its longest value, within reason."""
    if key.type == "choice":
        longest = max((cell_len(v.value) for v in key.values), default=KEY_MIN)
        return max(KEY_MIN, min(longest, 12))
    return _TYPE_WIDTH.get(key.type, 8)


def abbreviate(title: str, width: int) -> str:
    """``Situation familiale`` in 10 cells → ``Situation``; cut on a word if possible."""
    if cell_len(title) <= width:
        return title
    words = title.split()
    kept = ""
    for word in words:
        candidate = f"{kept} {word}".strip()
        if cell_len(candidate) > width:
            break
        kept = candidate
    if kept:
        return kept
    return title[:width]


def fit(text: str, width: int, *, ellipsis: bool = True) -> str:
    """Exactly ``width`` cells: padded, or cut (with an ellipsis unless told not to)."""
    if cell_len(text) <= width or not ellipsis:
        return set_cell_size(text, width)
    if width <= 1:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def layout(width: int, keys: Sequence[QualKey]) -> list[Column]:
    """Columns for a list ``width`` cells wide."""
    sizes = dict(_BASE_MIN)
    dept = 3
    used = sum(sizes.values()) + dept + GAP * 3
    key_sizes: list[int] = []
    for _key in keys:
        if used + GAP + KEY_MIN > width:
            break
        key_sizes.append(KEY_MIN)
        used += GAP + KEY_MIN
    spare = max(0, width - used)

    def grow(current: int, target: int) -> int:
        nonlocal spare
        extra = max(0, min(spare, target - current))
        spare -= extra
        return current + extra

    sizes["name"] = grow(sizes["name"], 22)
    for i, key in enumerate(keys[: len(key_sizes)]):
        key_sizes[i] = grow(key_sizes[i], key_width(key))
    for name in ("company", "city", "name"):
        sizes[name] = grow(sizes[name], _BASE_COMFORT[name])
    if spare:
        sizes["name"] += spare
    columns = [
        Column("name", _("Nom"), sizes["name"]),
        Column("company", _("Société"), sizes["company"]),
        Column("city", _("Ville"), sizes["city"]),
        Column("dept", _("Dép"), dept),
    ]
    for key, size in zip(keys, key_sizes, strict=False):
        columns.append(Column(key.name, abbreviate(key.display_name, size), size, key))
    return columns
