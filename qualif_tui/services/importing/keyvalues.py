"""Text from a file → the value of a qualification key.

Choice values are matched case- and accent-insensitively against the key's
list; a value the list lacks is taken as a new value (spelled as first seen),
on which the user decides before anything is written (:mod:`.newvalues`). Multi-choice cells hold
several values separated by ``;``, ``,`` or ``|``, but a known value that
itself contains a separator is matched whole first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from qualif_tui.base.text import fold, fold_key_name
from qualif_tui.domain import parsing
from qualif_tui.domain.keys import MULTI_MAX_VALUES, KeyValue, QualKey
from qualif_tui.services.importing import normalize
from qualif_tui.services.importing.normalize import BadValue

_SEPARATED = re.compile(r"\s*([;,|])\s*")


@dataclass
class KeyCatalog:
    """The keys of the database plus the values an import would add to them."""

    keys: dict[int, QualKey]
    new_values: dict[int, dict[str, str]] = field(default_factory=dict)  # key id → fold → spelling
    # the same few values fill a whole column: convert each spelling once
    _memo: dict[tuple[int, str, str], Any] = field(default_factory=dict)
    # keys the files declare and the database lacks (qualif's own exports), with
    # ids below zero until the import creates them; their reminders by id
    declared: dict[int, QualKey] = field(default_factory=dict)
    reminders: dict[int, tuple[int, int]] = field(default_factory=dict)

    def declare(self, name: str, key_type: str, values: Sequence[str] = (),
                remind: tuple[int, int] | None = None) -> QualKey:
        """The key called ``name``: the database's if it has one (its type wins),
        else a key the import will create, with ``values`` in this order."""
        norm = fold_key_name(name)
        for key in self.keys.values():
            if key.norm_name == norm:
                return key
        unique: dict[str, str] = {}
        for value in values:
            value = " ".join(value.split())
            if value:
                unique.setdefault(fold(value), value)
        key_id = -(len(self.declared) + 1)
        key = QualKey(key_id, " ".join(name.split()), norm, "", key_type, 1000 + len(self.declared),
                      tuple(KeyValue(code, value, folded, code)
                            for code, (folded, value) in enumerate(unique.items())))
        self.keys[key_id] = key
        self.declared[key_id] = key
        if remind is not None:
            self.reminders[key_id] = remind
        return key

    def known(self, key: QualKey, text: str) -> str | None:
        found = key.value_named(text)
        if found is not None:
            return found.value
        return self.new_values.get(key.id, {}).get(fold(text))

    def value_of(self, key: QualKey, text: str, date_order: str = "dmy") -> Any:
        """The value (choice: its spelling; multi: a list; others: the stored form)."""
        memo = (key.id, text, date_order)
        if memo in self._memo:
            found = self._memo[memo]
            return list(found) if isinstance(found, list) else found
        value = self._convert(key, text.strip(), date_order)
        self._memo[memo] = value
        return list(value) if isinstance(value, list) else value

    def _convert(self, key: QualKey, text: str, date_order: str) -> Any:
        if key.type == "choice":
            return self.choice_value(key, text)
        if key.type == "multi":
            return [self.choice_value(key, part) for part in self.split(key, text)]
        if key.type == "month":
            try:  # a full date gives its month
                return parsing.parse_month(text, date_order)
            except parsing.ParseError as error:
                raise BadValue(str(error)) from None
        if key.type == "date":
            return normalize.parse_date(text, date_order) or None
        if key.type == "number":
            return normalize.parse_number(text)
        if key.type == "yesno":
            return normalize.parse_flag(text)
        return text

    def choice_value(self, key: QualKey, text: str) -> str:
        text = " ".join(text.split())
        found = self.known(key, text)
        if found is not None:
            return found
        pending = self.new_values.setdefault(key.id, {})
        if key.type == "multi" and len(key.values) + len(pending) >= MULTI_MAX_VALUES:
            raise BadValue(f"a multi-choice key holds at most {MULTI_MAX_VALUES} values")
        pending[fold(text)] = text
        return text

    def split(self, key: QualKey, text: str) -> list[str]:
        """Values of a multi-choice cell; the longest run of parts that names a
        known value wins, so "Foire, salon" stays one value if it is one."""
        known = {_compact(v.value): v.value for v in key.values}
        known.update({_compact(v): v for v in self.new_values.get(key.id, {}).values()})
        pieces = _SEPARATED.split(text)
        parts, seps = pieces[0::2], pieces[1::2]
        values: list[str] = []
        index = 0
        while index < len(parts):
            taken, value = 1, parts[index]
            for end in range(len(parts), index + 1, -1):
                candidate = parts[index] + "".join(seps[j - 1] + parts[j] for j in range(index + 1, end))
                if _compact(candidate) in known:
                    taken, value = end - index, known[_compact(candidate)]
                    break
            if value.strip():
                values.append(value)
            index += taken
        seen: set[str] = set()
        unique = []
        for value in values:
            if fold(value) not in seen:
                seen.add(fold(value))
                unique.append(value)
        return unique


def _compact(text: str) -> str:
    return _SEPARATED.sub(r"\1", fold(text))


def stored(key: QualKey, value: Any) -> Any:
    """The contact_facts form of a value from :meth:`KeyCatalog.value_of` (codes known)."""
    if value is None:
        return None
    if key.type == "choice":
        found = key.value_named(str(value))
        return None if found is None else found.code
    if key.type == "multi":
        mask = 0
        for item in value:
            found = key.value_named(str(item))
            if found is not None:
                mask |= 1 << found.code
        return mask or None
    return value


def encoder(key: QualKey) -> Callable[[Any], Any]:
    """:func:`stored` for one key with its value codes looked up in a dict (bulk writes)."""
    if key.type not in ("choice", "multi"):
        return lambda value: value
    codes = {v.value: v.code for v in key.values}
    if key.type == "choice":

        def choice(value: Any) -> Any:
            if value is None:
                return None
            code = codes.get(value)
            return code if code is not None else stored(key, value)

        return choice

    def multi(value: Any) -> Any:
        if not value:
            return None
        mask = 0
        for item in value:
            code = codes.get(item)
            if code is None:
                return stored(key, value)
            mask |= 1 << code
        return mask or None

    return multi
