"""What a report groups contacts by: ``--by source``, ``--by dept``, ``--by created:month``…

A :class:`Grouping` reads one *raw* stored value per contact (a choice code, a
multi-choice bit mask, a département, a day…), either from SQL (``sql``) or
from the engine's per-value bitmaps (``column``), and maps it to the group
keys it belongs to (:meth:`Grouping.keys_of`): none (the contact goes to the
"non renseigné" row), one, or several (a multi-choice key: the contact counts
once per value). The same mapping serves both paths, so they agree.

Each group also knows the query text that selects its contacts
(:meth:`Grouping.fragment`), so every figure of a report is one key away from
the people behind it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from qualif_tui.base import geography
from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold, fold_key_name
from qualif_tui.domain.keys import QualKey, closest
from qualif_tui.domain.stages import list_choices
from qualif_tui.query.ast import quote
from qualif_tui.query.fields import resolve
from qualif_tui.services.reports.model import MEASURES, Period, ReportError, period_query
from qualif_tui.storage import Database

OTHER = "\x00autres"  # the key of the "autres" row (the groups beyond the top N)
PARTS = ("year", "quarter", "month")
_PART_ALIASES = {"year": "year", "annee": "year", "an": "year", "y": "year",
                 "quarter": "quarter", "trimestre": "quarter", "q": "quarter", "t": "quarter",
                 "month": "month", "mois": "month", "m": "month"}
_PART_LABELS = {"year": _("année"), "quarter": _("trimestre"), "month": _("mois")}
_WON = {"won", "gagne", "gain", "date_de_gain", "won_date", "vente", "ventes"}
_FACT_DATES = {"created": "créé le", "updated": "modifié le", "last_contact": "dernier contact",
               "next_activity": "prochaine activité"}
_SIMPLE_WORD = re.compile(r"[\w.@/'-]+")


def quoted(value: str) -> str:
    """A value as the query language reads it back exactly."""
    if _SIMPLE_WORD.fullmatch(value) and "*" not in value and value.upper() not in ("OR",
                                                                                 "AND", "NOT"):
        return value
    return quote(value)  # escaped: a value holding a quote or a backslash reads back too


def _number_text(number: float) -> str:
    return str(int(number)) if number.is_integer() else repr(number)


def _dept_order(code: str) -> str:
    return code.replace("2A", "20a").replace("2B", "20b").rjust(3, "0")


@dataclass(eq=False)
class Grouping:
    """One ``--by``: see the module docstring. ``kind`` is one of ``choice``,
    ``multi``, ``yesno``, ``text``, ``number``, ``date``, ``dept``, ``region``,
    ``postal``, ``won`` (the day a deal was won), ``deal`` (a field of the deals:
    category, lost reason)."""

    name: str  # as reports and JSON name it: "source", "created:year", "postal_code:2"
    label: str  # as tables title it
    kind: str
    sql: str = ""  # the raw value over c/f (NULL: no value)
    tables: str = "f"
    column: str | None = None  # the contact_facts column, for bitmaps
    query_name: str = ""  # the name the query language knows it by
    key: QualKey | None = None
    part: str = ""  # date fields: year, quarter, month
    prefix: int = 0  # postal codes: digits kept
    labels: dict[Any, str] = field(default_factory=dict)  # text values: a spelling seen
    spelled: tuple[str, str] | None = None  # (column, folded column) of contacts to name rows
    scope: str = ""  # deal fields: the deals that have one ("lost": lost deals; "": all)
    order_of: dict[Any, int] = field(default_factory=dict)  # deal fields: the list's order

    @property
    def deal_level(self) -> bool:
        """Grouped by a field of the deals: a contact counts in each row it has a deal in."""
        return self.kind in ("won", "deal")

    @property
    def measures(self) -> tuple[str, ...]:
        """The measures that make sense by this field."""
        if self.kind == "won":
            return ("contacts", "share", "revenue", "deals", "average")
        if self.scope == "lost":
            return ("contacts", "share", "lost", "lost_amount")
        return tuple(MEASURES)

    def without(self, period: Period) -> str:
        """What the contacts outside every row of a deal field lack (for a note)."""
        if period.everything:
            return _("affaire perdue") if self.scope == "lost" else _("affaire")
        return _("affaire perdue sur la période") if self.scope == "lost" else \
            _("affaire sur la période")

    def name_rows(self, db: Database, keys: Iterable[Any]) -> None:
        """Name the rows of a field grouped by its folded form after a spelling a
        contact has (one indexed look-up per row shown)."""
        if self.spelled is None:
            return
        column, folded = self.spelled
        for key in keys:
            if key is None or key == OTHER:
                continue
            row = db.query(f"SELECT {column} FROM contacts WHERE {folded} = ? LIMIT 1", (key,))
            if row and row[0][0]:
                self.labels[key] = str(row[0][0]).strip()

    @property
    def multi(self) -> bool:
        return self.kind == "multi"

    @property
    def many(self) -> bool:
        """Open-ended values: only the top N get a row of their own."""
        return self.kind in ("text", "number", "postal")

    # -- raw value → group keys ------------------------------------------------------
    def keys_of(self, raw: Any) -> tuple[Any, ...]:
        if raw is None or raw == "":
            return ()
        kind = self.kind
        if kind == "multi":
            mask = int(raw)
            return tuple(v.code for v in self.key.values if mask >> v.code & 1) if self.key else ()
        if kind in ("choice", "yesno", "deal"):
            return (int(raw),)
        if kind == "text":
            folded = fold(str(raw))
            if not folded:
                return ()
            self.labels.setdefault(folded, str(raw).strip())
            return (folded,)
        if kind == "number":
            return (float(raw),)
        if kind == "date" or kind == "won":
            text = str(raw)
            if len(text) < 7 or not text[:4].isdigit():
                return ()
            if self.part == "year":
                return (text[:4],)
            if self.part == "quarter":
                return (f"{text[:4]}-T{(int(text[5:7]) - 1) // 3 + 1}",)
            return (text[:7],)
        if kind == "dept":
            return (str(raw),)
        if kind == "region":
            dept = geography.DEPARTEMENTS.get(str(raw))
            if dept is None:
                return ()
            return (dept.old_region if self.part == "old" else dept.region,)
        if kind == "postal":
            return (str(raw).strip()[:self.prefix],) if str(raw).strip() else ()
        raise AssertionError(kind)

    # -- showing a key ---------------------------------------------------------------------
    def display(self, key: Any) -> str:
        if key is None:
            return _("(non renseigné)")
        if key == OTHER:
            return _("(autres)")
        if self.kind in ("choice", "multi") and self.key is not None:
            value = self.key.value_coded(int(key))
            return value.value if value else f"#{key}"
        if self.kind == "yesno":
            return _("oui") if key else _("non")
        if self.kind in ("text", "deal"):
            return self.labels.get(key, str(key))
        if self.kind == "number":
            return _number_text(float(key)).replace(".", ",")
        if self.kind == "dept":
            dept = geography.DEPARTEMENTS.get(str(key))
            return f"{key} {dept.name}" if dept else str(key)
        if self.kind == "date" or self.kind == "won":
            return str(key).replace("-T", " T")
        return str(key)

    def json_value(self, key: Any) -> Any:
        """The group value in JSON: the value as users write it; null for no value."""
        if key is None:
            return None
        if key == OTHER:
            return _("(autres)")
        if self.kind in ("choice", "multi", "text", "deal"):
            return self.display(key)
        if self.kind == "yesno":
            return bool(key)
        if self.kind == "number":
            number = float(key)
            return int(number) if number.is_integer() else number
        return str(key)

    def order(self, keys: Iterable[Any]) -> list[Any]:
        """Keys in the order rows are shown (no value and "autres" are put last by the caller)."""
        present = [k for k in keys if k is not None and k != OTHER]
        if self.kind in ("choice", "multi") and self.key is not None:
            rank = {v.code: v.position for v in self.key.values}
            return sorted(present, key=lambda k: (rank.get(k, 1 << 30), k))
        if self.kind == "yesno":
            return sorted(present, reverse=True)
        if self.kind == "deal":
            return sorted(present, key=lambda k: (self.order_of.get(k, 1 << 30), k))
        if self.kind == "dept":
            return sorted(present, key=_dept_order)
        if self.kind == "region":
            return sorted(present, key=fold)
        return sorted(present)

    # -- the query of a group ---------------------------------------------------------
    def fragment(self, key: Any, kept: Iterable[Any] = (), period: Period | None = None
                 ) -> tuple[str, bool]:
        """(query text of the group's contacts, exact). ``kept``: for "autres", the
        keys that have rows of their own; ``period``: the deals counted (``won``)."""
        name = self.query_name
        if self.kind == "won":
            period = period or Period()
            if key is None:  # no deal won in the period
                return "-" + period_query("won", period), True
            return period_query("won", period, bucket_days(str(key))), True
        if self.kind == "deal":  # on its own: a deal with the value (Breakdown.deal_part
            # adds which deals count, in one deal:( … ) group)
            return self.deal_condition(key), (period or Period()).everything
        if key is None:
            return f"missing:{name}", True
        if key == OTHER:
            others = [k for k in kept if k is not None and k != OTHER]
            values = ",".join(self._value_text(k) for k in others)
            return (f"has:{name} -{name}:{values}" if values else f"has:{name}"), True
        return f"{name}:{self._value_text(key)}", True

    def deal_condition(self, key: Any) -> str:
        """A field of the deals, as a criterion on one deal: ``deal_category:"Entretien"``,
        or ``-has:deal_category`` for the deals without a value."""
        if key is None:
            return f"-has:{self.query_name}"
        return f"{self.query_name}:{self._value_text(key)}"

    def _value_text(self, key: Any) -> str:
        kind = self.kind
        if kind in ("choice", "multi", "yesno", "text", "deal"):
            return quoted(self.display(key)) if kind != "text" else quote(str(key))
        if kind == "number":
            return _number_text(float(key))
        if kind == "dept":
            return str(key)
        if kind == "region":
            return quoted(str(key))
        if kind == "postal":
            return f"{key}*" if self.prefix < 5 else str(key)
        if kind == "date":
            text = str(key)
            if self.part == "quarter":
                year, quarter = text.split("-T")
                first = 3 * int(quarter) - 2
                return f"{year}-{first:02d}..{year}-{first + 2:02d}"
            return text
        raise AssertionError(kind)


def bucket_days(key: str) -> tuple[str, str]:
    """First and last day of a date group: ``2026``, ``2026-T2``, ``2026-06``."""
    year = int(key[:4])
    if len(key) == 4:
        return f"{year:04d}-01-01", f"{year:04d}-12-31"
    if "-T" in key:
        first_month = 3 * int(key.split("-T")[1]) - 2
        first = date(year, first_month, 1)
        last = first + relativedelta(months=3) - timedelta(days=1)
    else:
        first = date(year, int(key[5:7]), 1)
        last = first + relativedelta(months=1) - timedelta(days=1)
    return first.isoformat(), last.isoformat()


# -- reading --by -------------------------------------------------------------------------------


def _part(spec: str, text: str, default: str) -> str:
    if not text:
        return default
    part = _PART_ALIASES.get(fold(text))
    if part is None:
        raise ReportError(_("découpage inconnu « {part} » dans --by {spec}").format(
            part=text, spec=spec), _("choisir parmi : year, quarter, month (année, trimestre, mois)"))
    return part


def _date_label(label: str, part: str) -> str:
    return f"{label} ({_PART_LABELS[part]})"


def parse_grouping(spec: str, keys: list[QualKey], db: Database | None = None) -> Grouping:
    """A ``--by`` argument: ``source``, ``dept``, ``region``, ``city``, ``company``,
    ``postal_code[:N]``, a date field with ``:year``/``:quarter``/``:month``
    (``created``, ``last_contact``, ``won``, a month or date key), or a field of the
    deals (``deal_category``, ``lost_reason``: ``db`` gives their lists)."""
    name, _sep, suffix = spec.strip().partition(":")
    folded = fold_key_name(name)
    if not folded:
        raise ReportError(_("--by attend une clé ou un champ"), _("par exemple --by source"))
    key_names = {k.norm_name for k in keys}
    if folded in _WON and folded not in key_names:
        part = _part(spec, suffix, "month")
        return Grouping(f"won:{part}", _date_label(_("affaire gagnée le"), part), "won", part=part)
    if folded in ("ancienne_region", "old_region", "region_2015") and folded not in key_names:
        return Grouping("old_region", _("ancienne région"), "region", "f.dept", "f", "dept",
                        "region", part="old")
    found = resolve(name, keys)
    if found is None or found.special in ("has", "missing", "segment"):
        raise ReportError(_("clé ou champ inconnu « {name} »").format(name=name),
                          _hint(folded, keys))
    if found.key is not None:
        return _key_grouping(spec, found.key, suffix)
    if found.special == "dept":
        _no_suffix(spec, suffix)
        return Grouping("dept", _("département"), "dept", "f.dept", "f", "dept", "dept")
    if found.special == "region":
        _no_suffix(spec, suffix)
        return Grouping("region", _("région"), "region", "f.dept", "f", "dept", "region")
    builtin = found.builtin
    assert builtin is not None
    if builtin.name in ("deal_category", "lost_reason") and db is not None:
        _no_suffix(spec, suffix)
        return _deal_field(db, builtin.name)
    if builtin.name in _FACT_DATES:
        part = _part(spec, suffix, "year")
        return Grouping(f"{builtin.name}:{part}", _date_label(_(_FACT_DATES[builtin.name]), part),
                        "date", f"substr(f.{builtin.name}, 1, 7)", "f", builtin.name,
                        builtin.name, part=part)
    if builtin.name in ("city", "company"):
        _no_suffix(spec, suffix)
        label = _("ville") if builtin.name == "city" else _("société")
        # grouped by the folded (indexed) column; rows are named by a spelling users typed
        return Grouping(builtin.name, label, "text", f"c.norm_{builtin.name}", "c", None,
                        builtin.name, spelled=(builtin.name, f"norm_{builtin.name}"))
    if builtin.name == "postal_code":
        digits = suffix.strip() or "5"
        if not digits.isdigit() or not 1 <= int(digits) <= 5:
            raise ReportError(_("--by postal_code:N garde les N premiers chiffres (1 à 5)"),
                              _("par exemple --by postal_code:2"))
        n = int(digits)
        return Grouping(f"postal_code:{n}" if n < 5 else "postal_code", _("code postal"),
                        "postal", f"substr(c.postal_code, 1, {n})", "c", None, "postal_code",
                        prefix=n)
    raise ReportError(_("on ne peut pas regrouper par « {name} »").format(name=name),
                      _("regrouper par une clé, dept, region, city, company, postal_code,"
                        " created, last_contact, won, deal_category ou lost_reason"))


def _deal_field(db: Database, name: str) -> Grouping:
    """A field of the deals, grouped by the user's list (categories, lost reasons)."""
    which = "category" if name == "deal_category" else "lost_reason"
    choices = list_choices(db, which)
    lost = name == "lost_reason"
    grouping = Grouping(name, _("catégorie d'affaire") if not lost else _("raison de perte"),
                        "deal", f"dl.{'category_id' if not lost else 'lost_reason_id'}", "",
                        None, name, scope="lost" if lost else "",
                        labels={c.id: c.label for c in choices},
                        order_of={c.id: c.position for c in choices})
    return grouping


def _no_suffix(spec: str, suffix: str) -> None:
    if suffix:
        raise ReportError(_("« {spec} » : seuls les champs de date prennent :year, :quarter"
                            " ou :month").format(spec=spec))


def _key_grouping(spec: str, key: QualKey, suffix: str) -> Grouping:
    column = key.column
    label = key.display_name
    if key.type in ("month", "date"):
        part = _part(spec, suffix, "year")
        return Grouping(f"{key.norm_name}:{part}", _date_label(label, part), "date",
                        f"substr(f.{column}, 1, 7)", "f", column, key.norm_name, key, part)
    _no_suffix(spec, suffix)
    kind = {"choice": "choice", "multi": "multi", "yesno": "yesno", "number": "number"}.get(
        key.type, "text")
    return Grouping(key.norm_name, label, kind, f"f.{column}", "f",
                    column if kind in ("choice", "multi", "yesno") else None,
                    key.norm_name, key)


def _hint(folded: str, keys: list[QualKey]) -> str:
    names = [k.norm_name for k in keys] + ["dept", "region", "city", "company", "postal_code",
                                            "created", "last_contact", "won", "deal_category",
                                            "lost_reason"]
    best = closest(folded, names)
    if best:
        return _("vouliez-vous dire « {best} » ?").format(best=best)
    return _("clés : {keys} ; champs : dept, region, city, company, postal_code, created,"
             " last_contact, won, deal_category, lost_reason").format(keys=", ".join(k.norm_name for k in keys) or "-")
