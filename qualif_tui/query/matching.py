"""How values are matched: the Python tests the bitmaps apply, GLOB patterns, hints.

Each test here must agree exactly with the SQL the compiler writes for the same
criterion (the property tests run both): NULL never matches, SQLite's ordering
of storage classes (numbers < text < blobs) is kept, text is compared folded.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

from qualif_tui.base import geography
from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold
from qualif_tui.domain.keys import QualKey
from qualif_tui.query.ast import Value


def sqlite_rank(value: Any) -> int:
    """SQLite orders NULL < numbers < text < blobs; so do the bitmap tests."""
    if value is None:
        return 0
    if isinstance(value, int | float):
        return 1
    if isinstance(value, str):
        return 2
    return 3


def number_in(value: Any, low: float | None, low_in: bool, high: float | None,
               high_in: bool) -> bool:
    rank = sqlite_rank(value)
    if rank == 0:
        return False
    if rank > 1:  # text in a number column compares above every number
        return high is None
    if low is not None and (value < low or (value == low and not low_in)):
        return False
    return not (high is not None and (value > high or (value == high and not high_in)))


def folded_equals(wanted: str) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, str) and fold(v) == wanted


def folded_prefix(prefix: str) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, str) and fold(v).startswith(prefix)


def folded_glob(pattern: str) -> Callable[[Any], bool]:
    regex = re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)
    return lambda v: isinstance(v, str) and regex.fullmatch(fold(v)) is not None


def glob_pattern(pattern: str) -> str:
    """A GLOB pattern where only ``*`` is special (``?`` and ``[`` are literal)."""
    return pattern.replace("[", "[[]").replace("?", "[?]")


def matching_values(key: QualKey, value: Value) -> list[Any]:
    wanted = fold(value.text)
    if "*" in wanted and not value.quoted:
        regex = re.compile(".*".join(re.escape(p) for p in wanted.split("*")), re.DOTALL)
        return [v for v in key.values if regex.fullmatch(v.norm)]
    return [v for v in key.values if v.norm == wanted]


def example_value(key: QualKey) -> str:
    if not key.values:
        return "value"
    first = key.values[0].value
    return f'"{first}"' if " " in first else first


def closest_place(text: str, which: str) -> str:
    words = " ".join("".join(c if c.isalnum() else " " for c in fold(text)).split())
    if which == "dept":
        names = {fold(d.name): f"{d.code} {d.name}" for d in geography.DEPARTEMENTS.values()}
    else:
        names = {fold(r.name): r.name for r in geography.REGIONS}
        for region in geography.REGIONS:
            for alias in region.aliases:
                names.setdefault(fold(alias), region.name)
    spaced = {" ".join("".join(c if c.isalnum() else " " for c in n).split()): shown
              for n, shown in names.items()}
    # "midi" → Midi-Pyrénées: a part of a name first, then a spelling mistake
    best = [n for n in spaced if words and words in n][:3]
    best = best or difflib.get_close_matches(words, list(spaced), n=3, cutoff=0.5)
    best = list(dict.fromkeys(spaced[b] for b in best))
    if best:
        return _("vouliez-vous dire ") + _(" ou ").join(f"« {b} »" for b in best) + _(" ?")
    if which == "dept":
        return _("un code de département (31, 2A, 971) ou un nom (Haute-Garonne)")
    current = ", ".join(r.name for r in geography.REGIONS if r.current)
    return f"regions: {current}; the pre-2016 regions work too (Midi-Pyrénées…)"
