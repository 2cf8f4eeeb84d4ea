"""The query language's reach beyond keys and fields: custom fields and ``invalid:``.

Resolution comes after the words of the language, the keys and the built-in
fields (:mod:`.fields`): a name none of them knows may be a custom field of
the file — ``budget>1000``, ``"date de naissance du conjoint":1970..1975``,
``has:parrain``. Its values are text as imported; they compare as numbers or
dates when the field's values are numbers or dates (:func:`infer_type` on a
sample), read by the one number and date parser of qualif (the SQL functions
``qualif_number`` and ``qualif_date``). ``invalid:email`` and
``invalid:postal_code`` find the values kept though not valid (their partial
indexes hold only those rows).

The compiler calls :func:`term` and :func:`presence` when a name is not a key
or field, and raises its usual "unknown key" error when they return None.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qualif_tui.base.text import fold, fold_key_name
from qualif_tui.domain import parsing
from qualif_tui.domain.customfields import infer_type, names_by_fold, values_of
from qualif_tui.domain.keys import closest
from qualif_tui.query.ast import Term, Value
from qualif_tui.query.matching import glob_pattern
from qualif_tui.query.plan import Cond, Plan, any_of
from qualif_tui.query.values import (
    BadValue,
    number_bounds,
    parse_period,
    parse_query_number,
    period_bounds,
    range_bounds,
)
from qualif_tui.storage.schema import INVALID_EMAIL_SQL, INVALID_POSTAL_CODE_SQL

if TYPE_CHECKING:
    from qualif_tui.query.compiler import _Compiler

INVALID_WORDS = ("invalid", "invalide", "invalides")
INVALID = {
    "email": INVALID_EMAIL_SQL, "e_mail": INVALID_EMAIL_SQL, "mail": INVALID_EMAIL_SQL,
    "courriel": INVALID_EMAIL_SQL,
    "postal_code": INVALID_POSTAL_CODE_SQL, "code_postal": INVALID_POSTAL_CODE_SQL,
    "cp": INVALID_POSTAL_CODE_SQL,
}
_SAMPLE = 500
_TOP = chr(0x10FFFF)


# -- SQL functions: the one number and date parser, inside SQLite --------------------


def sql_number(value: Any) -> float | None:
    """``qualif_number(text)``: the number a text holds, NULL if none."""
    if value is None or isinstance(value, int | float):
        return value
    try:
        return parsing.parse_number(str(value))
    except parsing.ParseError:
        return None


def sql_date(value: Any) -> str | None:
    """``qualif_date(text)``: ``YYYY-MM-DD`` of the date a text holds, NULL if none."""
    if value is None:
        return None
    try:
        day = parsing.parse_date(str(value))
    except parsing.ParseError:
        return None
    return day.isoformat() if day else None


def sql_month(value: Any) -> str | None:
    """``qualif_month(text)``: ``YYYY-MM``, NULL if none."""
    if value is None:
        return None
    try:
        return parsing.parse_month(str(value))
    except parsing.ParseError:
        return None


# -- resolution -------------------------------------------------------------------------


def _value_sql(names: Sequence[str]) -> str:
    """SQL of a contact's text for a custom field (any of its spellings)."""
    marks = ", ".join("?" * len(names))
    return ("(SELECT j.value FROM json_each(CASE WHEN json_valid(c.custom) THEN c.custom END) j"
            f" WHERE j.key IN ({marks}) AND j.value != '' LIMIT 1)")


def _cond(names: Sequence[str], test_sql: str, params: Sequence[Any], label: str) -> Cond:
    # "c.custom != '{}'" first: the planner then walks the contacts_custom partial
    # index, i.e. only the contacts that have custom fields at all
    sql = f"c.custom != '{{}}' AND {test_sql.format(v=_value_sql(names))}"
    all_params = (*names, *params)
    return Cond(sql, all_params, "c", label=label,
                ids_sql=f"SELECT c.id FROM contacts c WHERE {sql}", ids_params=all_params)


def term(compiler: _Compiler, term: Term) -> Plan | None:
    """``invalid:…``, or a custom field criterion; None if the name is neither."""
    folded = fold_key_name(term.key)
    if folded in INVALID_WORDS:
        return _invalid(compiler, term)
    names = names_by_fold(compiler.db).get(folded)
    if not names:
        _did_you_mean(compiler, term)
        return None
    label = compiler.label(term)
    kind = _kind(compiler, names)
    if term.is_range or term.op != ":":
        if kind in ("date", "month"):
            return _dates(compiler, term, names, label, months=kind == "month")
        return _numbers(compiler, term, names, label)
    plans: list[Plan] = []
    for value in term.values:
        plans.append(_equal(compiler, term, names, value, kind, label))
    return any_of(plans)


def presence(compiler: _Compiler, text: str) -> Plan | None:
    """``has:budget`` of a custom field; None if ``text`` names none."""
    names = names_by_fold(compiler.db).get(fold_key_name(text))
    if not names:
        return None
    return _cond(names, "{v} IS NOT NULL", (), f"has:{names[0]}")


def _did_you_mean(compiler: _Compiler, term: Term) -> None:
    names = names_by_fold(compiler.db)
    best = closest(fold_key_name(term.key), list(names))
    known = {k.norm_name for k in compiler.keys}
    if best and best not in known:
        raise compiler.fail(f"unknown key '{term.key}'", term.key_span,
                            f"did you mean the custom field '{names[best][0]}'?")


def _kind(compiler: _Compiler, names: Sequence[str]) -> str:
    kind = infer_type(text for _cid, text in values_of(compiler.db, names, _SAMPLE))
    return kind if kind in ("number", "date", "month") else "text"


def _invalid(compiler: _Compiler, term: Term) -> Plan:
    values = compiler.only_values(term, "email or postal_code", "invalid:email")
    plans: list[Plan] = []
    for value in values:
        sql = INVALID.get(fold_key_name(value.text))
        if sql is None:
            raise compiler.fail(f"invalid: takes email or postal_code, not '{value.text}'",
                                value.span, "invalid:email or invalid:postal_code")
        plans.append(Cond(sql, (), "c", label=compiler.label(term),
                          ids_sql=f"SELECT c.id FROM contacts c WHERE {sql}"))
    return any_of(plans)


def _number(compiler: _Compiler, value: Value) -> float:
    try:
        return parse_query_number(value.text)
    except BadValue as error:
        raise compiler.fail(str(error), value.span, error.hint) from None


def _numbers(compiler: _Compiler, term: Term, names: Sequence[str], label: str) -> Plan:
    if term.is_range:
        ends = [_number(compiler, v) if v else None for v in (term.low, term.high)]
        present = [e for e in ends if e is not None]
        low = min(present) if len(present) == 2 else ends[0]
        high = max(present) if len(present) == 2 else ends[1]
        bounds = [(low, low is not None, high, high is not None)]
    else:
        bounds = [number_bounds(term.op, _number(compiler, v)) for v in term.values]
    plans: list[Plan] = []
    for low, low_in, high, high_in in bounds:
        parts, params = [], []
        if low is not None:
            parts.append(f"qualif_number({{v}}) {'>=' if low_in else '>'} ?")
            params.append(low)
        if high is not None:
            parts.append(f"qualif_number({{v}}) {'<=' if high_in else '<'} ?")
            params.append(high)
        if not parts:
            parts.append("qualif_number({v}) IS NOT NULL")
        # each {v} is its own subquery with its own name parameters
        plans.append(_bounded(names, parts, params, label))
    return any_of(plans)


def _bounded(names: Sequence[str], parts: list[str], params: list[Any], label: str) -> Cond:
    """Tests of the same value, each ``{v}`` its own subquery: ``parts[i]`` takes
    ``params[i]`` (a part without ``?`` — ``IS NOT NULL`` — comes last, alone)."""
    sql_parts, all_params = [], []
    for index, part in enumerate(parts):
        sql_parts.append(part.format(v=_value_sql(names)))
        all_params += [*names, *([params[index]] if "?" in part else [])]
    sql = "c.custom != '{}' AND " + " AND ".join(sql_parts)
    return Cond(sql, tuple(all_params), "c", label=label,
                ids_sql=f"SELECT c.id FROM contacts c WHERE {sql}", ids_params=tuple(all_params))


def _period(compiler: _Compiler, value: Value) -> Any:
    try:
        return parse_period(value.text)
    except BadValue as error:
        raise compiler.fail(str(error), value.span, error.hint) from None


def _dates(compiler: _Compiler, term: Term, names: Sequence[str], label: str, *,
           months: bool) -> Plan:
    function = "qualif_month" if months else "qualif_date"
    if term.is_range:
        low = _period(compiler, term.low) if term.low else None
        high = _period(compiler, term.high) if term.high else None
        bounds = [range_bounds(low, high, months)]
    else:
        bounds = [period_bounds(_period(compiler, v), term.op, months) for v in term.values]
    plans: list[Plan] = []
    for start, end in bounds:
        parts, params = [], []
        if start is not None:
            parts.append(f"{function}({{v}}) >= ?")
            params.append(start)
        if end is not None:
            parts.append(f"{function}({{v}}) < ?")
            params.append(end)
        if not parts:
            parts.append(f"{function}({{v}}) IS NOT NULL")
        plans.append(_bounded(names, parts, params, label))
    return any_of(plans)


def _equal(compiler: _Compiler, term: Term, names: Sequence[str], value: Value, kind: str,
           label: str) -> Plan:
    if kind == "number":
        try:
            number = parse_query_number(value.text)
        except BadValue:
            pass
        else:
            return _bounded(names, ["qualif_number({v}) = ?"], [number], label)
    if kind in ("date", "month"):
        try:
            period = parse_period(value.text)
        except BadValue:
            pass
        else:
            months = kind == "month"
            start, end = period_bounds(period, ":", months)
            function = "qualif_month" if months else "qualif_date"
            return _bounded(names, [f"{function}({{v}}) >= ?", f"{function}({{v}}) < ?"],
                            [start, end], label)
    wanted = fold(value.text)
    if "*" in wanted and not value.quoted:
        if wanted.endswith("*") and "*" not in wanted[:-1] and len(wanted) > 1:
            return _bounded(names, ["qualif_fold({v}) >= ?", "qualif_fold({v}) < ?"],
                            [wanted[:-1], wanted[:-1] + _TOP], label)
        return _bounded(names, ["qualif_fold({v}) GLOB ?"], [glob_pattern(wanted)], label)
    return _bounded(names, ["qualif_fold({v}) = ?"], [wanted], label)
