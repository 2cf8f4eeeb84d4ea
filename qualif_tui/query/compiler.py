"""Syntax tree → plan (:mod:`.plan`): keys resolved, values typed, SQL parameterised.

Every criterion becomes a :class:`~.plan.Cond` whose SQL reads ``c``
(contacts) and/or ``f`` (contact_facts). Values are typed by what the key
holds (a value code, a bit mask, a month, a date, a number, folded text) and
always passed as parameters. Problems are :class:`QueryError` with the
position of the piece at fault and a hint; an unknown value of a choice key
is only a warning (that value matches nobody; the hint lists the allowed
values).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from qualif_tui.base import geography
from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold, fold_key_name
from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.keys import QualKey, closest, list_keys, parse_yesno
from qualif_tui.domain.phones import phone_e164
from qualif_tui.domain.stages import Stage, list_choices, list_stages
from qualif_tui.query import custom, fulltext
from qualif_tui.query.ast import (
    And,
    Everything,
    Node,
    Not,
    Or,
    Scoped,
    Span,
    Term,
    Value,
    Words,
)
from qualif_tui.query.errors import QueryError, SegmentCycle
from qualif_tui.query.fields import (
    BUILTINS,
    DEAL_GROUP,
    Builtin,
    Resolved,
    resolve,
    resolve_field,
    suggestion,
)
from qualif_tui.query.matching import (
    closest_place,
    example_value,
    folded_equals,
    folded_glob,
    folded_prefix,
    glob_pattern,
    matching_values,
    number_in,
)
from qualif_tui.query.parser import parse
from qualif_tui.query.plan import (
    FALSE,
    TRUE,
    AnyOf,
    Cond,
    Plan,
    all_of,
    any_of,
    deal_clause,
    leaves,
    negate,
)
from qualif_tui.query.values import (
    BadValue,
    Period,
    number_bounds,
    parse_period,
    parse_query_number,
    period_bounds,
    range_bounds,
)
from qualif_tui.storage import Database
from qualif_tui.storage.schema import CONTACT_FLAGS, contact_of_history_hit

MAX_SEGMENT_DEPTH = 10
_TOP = chr(0x10FFFF)  # sorts after every character: the end of a prefix range

_FTS_CARD = "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?"


class Compiled:
    """What the compiler hands the engine: the plan and the warnings."""

    def __init__(self, plan: Plan, warnings: list[str], segments: list[str]) -> None:
        self.plan = plan
        self.warnings = warnings
        self.segments = segments


def compile_plan(db: Database, text: str, keys: Sequence[QualKey] | None = None, *,
                 inside: str | None = None) -> Compiled:
    """Parse and compile ``text``; raises :class:`QueryError`.

    ``inside``: the name of the segment whose query this is, so that using it
    again (directly or through others) is reported as the cycle it is.
    """
    stack: tuple[tuple[int, str], ...] = ()
    if inside is not None:
        rows = db.query("SELECT id, name FROM segments WHERE norm_name = ?", (fold(inside),))
        stack = tuple((int(r[0]), str(r[1])) for r in rows)
    compiler = _Compiler(db, text, list(keys) if keys is not None else list_keys(db), stack)
    plan = compiler.node(parse(text))
    return Compiled(plan, compiler.warnings, compiler.segments)


class _Compiler:
    def __init__(self, db: Database, text: str, keys: list[QualKey],
                 stack: tuple[tuple[int, str], ...]) -> None:
        self.db = db
        self.text = text
        self.keys = keys
        self.stack = stack
        self.warnings: list[str] = []
        self.segments: list[str] = []
        self._stages: list[Stage] | None = None
        self.in_deal: Scoped | None = None  # the deal:( … ) group being compiled

    def fail(self, message: str, span: Span, hint: str = "") -> QueryError:
        return QueryError(message, span.start, hint, span.length, self.text)

    # -- structure --------------------------------------------------------------
    def node(self, node: Node) -> Plan:
        if isinstance(node, Everything):
            return TRUE
        if isinstance(node, And):
            return all_of([self.node(c) for c in node.children])
        if isinstance(node, Or):
            return any_of([self.node(c) for c in node.children])
        if isinstance(node, Not):
            return negate(self.node(node.child))
        if isinstance(node, Scoped):
            return self.scoped(node)
        if isinstance(node, Words):
            if self.in_deal is not None:
                raise self.fail(_("un mot à chercher dans deal:( … )"), node.span,
                                _only_deals_hint())
            return self.words(node)
        plan = self.term(node)
        if self.in_deal is not None and not all(c.deal_sql is not None for c in leaves(plan)):
            raise self.fail(_("« {value} » n'est pas un critère sur les affaires : il ne peut pas aller dans {key}:( … )").format(value=self.label(node), key=self.in_deal.key), node.span, _only_deals_hint())
        return plan

    def scoped(self, node: Scoped) -> Plan:
        """``deal:( … )``: contacts with one deal meeting every criterion of the group."""
        if self.in_deal is not None:
            raise self.fail(f"{node.key}:( … ) inside {self.in_deal.key}:( … )", node.key_span,
                            _("un groupe parle déjà d'une seule affaire : mettez les critères côte à côte"))
        self.in_deal = node
        try:
            inner = self.node(node.child)
        finally:
            self.in_deal = None
        if isinstance(inner, Cond):
            return inner  # one criterion: the same as without the group
        sql, params = deal_clause(inner)
        return _deals_where(sql, params, self.text[node.span.start:node.span.end])

    def words(self, node: Words) -> Plan:
        expression = (fulltext.phrase(node.text) if node.phrase
                      else fulltext.all_words(node.text))
        if expression is None:
            raise self.fail(_("rien à chercher dans « {text} »").format(text=node.text), node.span,
                            _("une recherche a besoin de lettres ou de chiffres"))
        shown = f'"{node.text}"' if node.phrase else node.text
        # the card, any history entry or any deal (whose full-text rowids carry their
        # contact); in history entries and deals, words of one or two letters are left
        # out, and a search of such words only is looked for on the cards only (a
        # phrase with a longer word is searched whole): fulltext.HISTORY_MIN_LETTERS
        long_words = [w for w in fulltext.words(node.text) if fulltext.searched_in_history(w)]
        in_entries: str | None = None
        if long_words:
            in_entries = expression if node.phrase else fulltext.all_words(" ".join(long_words))
        if in_entries is None:
            ids = "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?"
            return Cond(f"c.id IN ({ids})", (expression,), "c",
                        ids_sql=ids, ids_params=(expression,), label=shown)
        ids = ("SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?"
               f" UNION ALL SELECT {contact_of_history_hit()} FROM history_fts"
               " WHERE history_fts MATCH ?"
               f" UNION ALL SELECT {contact_of_history_hit()} FROM deals_fts"
               " WHERE deals_fts MATCH ?")
        params = (expression, in_entries, in_entries)
        return Cond(f"c.id IN ({ids})", params, "c", ids_sql=ids, ids_params=params,
                    label=shown)

    def term(self, term: Term) -> Plan:
        found = resolve(term.key, self.keys)
        if found is None:
            beyond = custom.term(self, term)  # a custom field, or invalid:
            if beyond is not None:
                return beyond
            if fold_key_name(term.key) in DEAL_GROUP:
                raise self.fail(_("{key} prend un groupe entre parenthèses").format(key=term.key),
                                term.span,
                                _("des critères sur une seule et même affaire : "
                                  "{key}:(won:2026 categorie:x)").format(key=term.key))
            raise self.fail(_("clé inconnue « {key} »").format(key=term.key), term.key_span,
                            suggestion(term.key, self.keys))
        if found.special == "has":
            return self.presence(term, present=True)
        if found.special == "missing":
            return self.presence(term, present=False)
        if found.special == "segment":
            return self.segment(term)
        if found.special in ("dept", "region"):
            return self.geography(term, found.special)
        if found.key is not None:
            return self.qualification(term, found.key)
        assert found.builtin is not None
        return self.builtin(term, found.builtin)

    def label(self, term: Term) -> str:
        return self.text[term.span.start:term.span.end] or term.key

    def only_values(self, term: Term, what: str, example: str) -> tuple[Value, ...]:
        """The values of ``key:v1,v2``; comparisons and ranges are refused."""
        if term.is_range or term.op != ":":
            raise self.fail(_("{key} prend {what}, pas une comparaison ni un intervalle").format(key=term.key, what=what),
                            term.span, f"write {example}")
        return term.values

    def any_value(self, term: Term, build: Callable[[Value], Plan]) -> Plan:
        return any_of([build(v) for v in term.values])

    # -- has: / missing: -----------------------------------------------------
    def presence(self, term: Term, *, present: bool) -> Plan:
        values = self.only_values(term, "key or field names", "has:email or missing:profil")
        plans = []
        for value in values:
            field = resolve_field(value.text, self.keys)
            if field is None:
                beyond = custom.presence(self, value.text)  # a custom field
                if beyond is not None:
                    plans.append(beyond)
                    continue
                raise self.fail(_("clé ou champ inconnu « {text} »").format(text=value.text), value.span,
                                suggestion(value.text, self.keys, fields_only=True))
            plans.append(self.has(field, value.span))
        plan = any_of(plans)
        return plan if present else negate(plan)

    def has(self, field: Resolved, span: Span) -> Plan:
        label = f"has:{field.name}"
        if field.key is not None:
            return Cond(f"f.{field.key.column} IS NOT NULL", (), "f", field.key.column,
                        _always, label=label)
        if field.special in ("dept", "region"):
            return Cond("f.dept IS NOT NULL", (), "f", "dept", _always, label=label)
        builtin = field.builtin
        assert builtin is not None
        kind = builtin.kind
        if kind == "fact_date":
            return Cond(f"f.{builtin.column} IS NOT NULL", (), "f", builtin.column, _always,
                        label=label)
        if kind == "fact_number":
            return Cond(f"f.{builtin.column} > 0", (), "f", builtin.column,
                        lambda v: number_in(v, 0, False, None, False), label=label)
        if kind.startswith("deal_"):
            return self.deal_presence(builtin, label)
        if kind == "contacted":
            return _in_history(Cond("happened_at IS NOT NULL", (), "c", label=label))
        if builtin.name in CONTACT_FLAGS:
            return _flag(builtin.name, True, label)
        if kind == "name":
            return Cond("c.first_name != '' OR c.last_name != ''", (), "c", label=label)
        if builtin.name == "mobile":
            return Cond("c.mobile != ''", (), "c", label=label)
        if kind == "id":
            return TRUE
        return Cond(f"{builtin.column} != ''", (), "c", label=label)

    # -- segment: -------------------------------------------------------------
    def segment(self, term: Term) -> Plan:
        values = self.only_values(term, "segment names", 'segment:"Clients Occitanie"')
        return any_of([self.one_segment(term, value) for value in values])

    def one_segment(self, term: Term, value: Value) -> Plan:
        rows = self.db.query("SELECT id, name, query, kind FROM segments WHERE norm_name = ?",
                             (fold(value.text),))
        if not rows:
            names = [r[0] for r in self.db.query("SELECT name FROM segments ORDER BY norm_name")]
            best = closest(fold(value.text), [fold(n) for n in names])
            match = next((n for n in names if fold(n) == best), None)
            hint = (_("vouliez-vous dire « {match} » ?").format(match=match) if match else
                    "saved segments: " + (", ".join(names) if names else "none yet"))
            raise self.fail(_("pas de segment nommé « {text} »").format(text=value.text), value.span, hint)
        segment_id, name, query, kind = rows[0]
        self.segments.append(name)
        if kind == "static":
            return Cond("c.id IN (SELECT contact_id FROM segment_members WHERE segment_id = ?)",
                        (segment_id,), "c",
                        ids_sql="SELECT contact_id FROM segment_members WHERE segment_id = ?",
                        ids_params=(segment_id,), label=f'segment:"{name}" (static)')
        if any(seen == segment_id for seen, _ in self.stack):
            raise SegmentCycle([n for _, n in self.stack] + [name], term.span.start,
                               term.span.length, self.text)
        if len(self.stack) >= MAX_SEGMENT_DEPTH:
            raise self.fail(_("segments imbriqués trop profondément"), term.span,
                            _("au plus {MAX_SEGMENT_DEPTH} segments l'un dans l'autre").format(MAX_SEGMENT_DEPTH=MAX_SEGMENT_DEPTH))
        inner = _Compiler(self.db, query, self.keys, (*self.stack, (segment_id, name)))
        try:
            plan = inner.node(parse(query))
        except SegmentCycle as cycle:
            # told where the outermost query uses the segment
            raise SegmentCycle(cycle.chain, term.span.start, term.span.length,
                               self.text) from None
        except QueryError as error:
            raise self.fail(_("le segment « {name} » ne peut pas servir : {message}").format(name=name, message=error.message), value.span,
                            _("sa requête est {query!r} ; corrigez-la avec qualif segment save --replace").format(query=query)) from None
        self.warnings.extend(f"segment '{name}': {w}" for w in inner.warnings)
        self.segments.extend(inner.segments)
        return plan

    # -- dept: / region: -------------------------------------------------------
    def geography(self, term: Term, which: str) -> Plan:
        example = "dept:31,2A,971" if which == "dept" else 'region:occitanie or region:"midi-pyrenees"'
        values = self.only_values(term, "names or codes", example)
        codes: list[str] = []
        for value in values:
            if which == "dept":
                found = geography.find_departement(value.text)
                if found is None:
                    raise self.fail(_("département inconnu « {text} »").format(text=value.text), value.span,
                                    closest_place(value.text, "dept"))
                codes.append(found.code)
            else:
                region = geography.find_region(value.text)
                if region is None:
                    raise self.fail(_("région inconnue « {text} »").format(text=value.text), value.span,
                                    closest_place(value.text, "region"))
                codes.extend(geography.departements_of(region))
        wanted = frozenset(codes)
        ordered = sorted(wanted)
        marks = ", ".join("?" * len(ordered))
        return Cond(f"f.dept IN ({marks})", tuple(ordered), "f", "dept",
                    lambda v: v in wanted, label=self.label(term))

    # -- qualification keys -------------------------------------------------------
    def qualification(self, term: Term, key: QualKey) -> Plan:
        column = key.column
        label = self.label(term)
        if key.type in ("choice", "multi"):
            values = self.only_values(term, _("des valeurs de sa liste"),
                                      f"{key.norm_name}:{example_value(key)}")
            codes: list[int] = []
            for value in values:
                matched = matching_values(key, value)
                if not matched:
                    best = closest(fold(value.text), [v.norm for v in key.values])
                    guess = _(" — vouliez-vous dire « {best} » ?").format(best=best) if best else ""
                    self.warnings.append(
                        _("{norm_name} : valeur inconnue « {text} »{guess} (permises : {value}) ; elle ne trouve aucun contact").format(norm_name=key.norm_name, text=value.text, guess=guess, value=key.allowed() or 'none yet'))
                codes.extend(v.code for v in matched)
            if not codes:
                return FALSE
            wanted = frozenset(codes)
            if key.type == "choice":
                ordered = sorted(wanted)
                return Cond(f"f.{column} IN ({', '.join('?' * len(ordered))})", tuple(ordered),
                            "f", column, lambda v: v in wanted, label=label)
            mask = 0
            for code in wanted:
                mask |= 1 << code
            return Cond(f"(f.{column} & ?) != 0", (mask,), "f", column,
                        lambda v: isinstance(v, int) and v & mask != 0, label=label)
        if key.type == "yesno":
            values = self.only_values(term, "oui or non", f"{key.norm_name}:oui")
            return self.any_value(term, lambda value: self.yes_no(f"f.{column}", column, value,
                                                                  label, values))
        if key.type in ("month", "date"):
            return self.dates(term, f"f.{column}", column, months=key.type == "month")
        if key.type == "number":
            return self.numbers(term, f"f.{column}", column)
        return self.text_equal(term, f"f.{column}", "f", column=column)

    def yes_no(self, sql_column: str, column: str | None, value: Value, label: str,
               _values: tuple[Value, ...]) -> Plan:
        try:
            wanted = int(parse_yesno(value.text))
        except ValidationError:
            raise self.fail(_("« {text} » n'est ni oui ni non").format(text=value.text), value.span,
                            _("écrivez oui ou non (yes/no, 1/0 marchent aussi)")) from None
        if sql_column in CONTACT_FLAGS:
            return _flag(sql_column, bool(wanted), label)
        tables = "f" if sql_column.startswith("f.") else "c"
        return Cond(f"{sql_column} = ?", (wanted,), tables, column,
                    (lambda v: v == wanted) if column else None, label=label)

    # -- typed comparisons --------------------------------------------------------
    def period(self, value: Value) -> Period:
        try:
            return parse_period(value.text)
        except BadValue as error:
            raise self.fail(str(error), value.span, error.hint) from None

    def dates(self, term: Term, sql_column: str, column: str | None, *, months: bool,
              floor: str | None = None) -> Plan:
        """Date or month comparisons; ``floor`` excludes texts below it (''/--MM-DD)."""
        if term.is_range:
            low = self.period(term.low) if term.low else None
            high = self.period(term.high) if term.high else None
            bounds = [range_bounds(low, high, months)]
        else:
            bounds = [period_bounds(self.period(v), term.op, months) for v in term.values]
        tables = "f" if sql_column.startswith("f.") else "c"
        plans: list[Plan] = []
        for start, end in bounds:
            if floor is not None and (start is None or start < floor):
                start = floor
            parts, params = [], []
            if start is not None:
                parts.append(f"{sql_column} >= ?")
                params.append(start)
            if end is not None:
                parts.append(f"{sql_column} < ?")
                params.append(end)
            if not parts:
                parts.append(f"{sql_column} IS NOT NULL")
            test = (lambda v, s=start, e=end: isinstance(v, str) and (s is None or v >= s)
                    and (e is None or v < e)) if column else None
            plans.append(Cond(" AND ".join(parts), tuple(params), tables, column, test,
                              label=self.label(term),
                              bounds=(start, True, end, False) if column else None))
        return any_of(plans)

    def number(self, value: Value) -> float:
        try:
            return parse_query_number(value.text)
        except BadValue as error:
            raise self.fail(str(error), value.span, error.hint) from None

    def numbers(self, term: Term, sql_column: str, column: str | None) -> Plan:
        bounds: list[tuple[float | None, bool, float | None, bool]]
        if term.is_range:
            ends = [self.number(v) if v else None for v in (term.low, term.high)]
            present = [e for e in ends if e is not None]
            if len(present) == 2:
                bounds = [(min(present), True, max(present), True)]
            elif ends[0] is not None:
                bounds = [(ends[0], True, None, False)]
            else:
                bounds = [(None, False, ends[1], True)]
        else:
            bounds = [number_bounds(term.op, self.number(v)) for v in term.values]
        tables = "f" if sql_column.startswith("f.") else "c"
        plans: list[Plan] = []
        for low, low_in, high, high_in in bounds:
            parts, params = [], []
            if low is not None:
                parts.append(f"{sql_column} {'>=' if low_in else '>'} ?")
                params.append(low)
            if high is not None:
                parts.append(f"{sql_column} {'<=' if high_in else '<'} ?")
                params.append(high)
            test = (lambda v, a=low, ai=low_in, b=high, bi=high_in:
                    number_in(v, a, ai, b, bi)) if column else None
            plans.append(Cond(" AND ".join(parts), tuple(params), tables, column, test,
                              label=self.label(term),
                              bounds=(low, low_in, high, high_in) if column else None))
        return any_of(plans)

    def text_equal(self, term: Term, sql_column: str, tables: str, *,
                   column: str | None = None, folded_column: bool = False) -> Plan:
        """Text compared folded; ``*`` is a wildcard unless the value is quoted.

        ``folded_column``: the column already holds the folded form (indexed),
        so equality and prefixes use the index.
        """
        values = self.only_values(term, "text values", f'{term.key}:"some text"')
        target = sql_column if folded_column else f"qualif_fold({sql_column})"
        plans: list[Plan] = []
        for value in values:
            wanted = fold(value.text)
            pattern = "*" in wanted and not value.quoted
            test: Callable[[Any], bool]
            params: tuple[str, ...]
            if not pattern:
                sql, params = f"{target} = ?", (wanted,)
                test = folded_equals(wanted)
            elif wanted.endswith("*") and "*" not in wanted[:-1] and len(wanted) > 1:
                prefix = wanted[:-1]
                sql, params = f"{target} >= ? AND {target} < ?", (prefix, prefix + _TOP)
                test = folded_prefix(prefix)
            else:
                sql, params = f"{target} GLOB ?", (glob_pattern(wanted),)
                test = folded_glob(wanted)
            plans.append(Cond(sql, params, tables, column, test if column else None,
                              label=self.label(term)))
        return any_of(plans)

    # -- built-in fields ------------------------------------------------------------
    def builtin(self, term: Term, field: Builtin) -> Plan:
        kind = field.kind
        label = self.label(term)
        if kind == "fact_date":
            return self.dates(term, f"f.{field.column}", field.column, months=False)
        if kind == "fact_number":
            return self.numbers(term, f"f.{field.column}", field.column)
        if kind == "id":
            return self.numbers(term, "c.id", None)
        if kind == "birthday":
            # '' (unknown) and '--MM-DD' (no year) sort below '0': never in a date range
            return self.dates(term, "c.birthday", None, months=False, floor="0")
        if kind == "flag":
            values = self.only_values(term, "oui or non", f"{field.name}:oui")
            return self.any_value(term, lambda v: self.yes_no(field.name, None, v, label,
                                                              values))
        if kind == "norm":
            return self.text_equal(term, field.column, "c", folded_column=True)
        if kind == "folded":
            return self.text_equal(term, field.column, "c")
        if kind == "postal":
            values = self.only_values(term, "postal codes", "postal_code:31000 or postal_code:31*")
            return any_of([self.postal(v, label) for v in values])
        if kind == "email":
            values = self.only_values(term, "addresses", "email:jean.dupont@example.fr")
            return any_of([self.email(v, label) for v in values])
        if kind == "phone":
            values = self.only_values(term, "phone numbers", f"{field.name}:0612345678")
            return any_of([self.phone(field, v, label) for v in values])
        if kind == "name":
            values = self.only_values(term, "names", 'name:dupont or name:"jean dupont"')
            return any_of([self.name_words(v, label) for v in values])
        if kind == "person":
            return self.person(term, field)
        if kind == "contacted":
            return _in_history(self.dates(term, "happened_at", None, months=False))
        if kind.startswith("deal_"):
            return self.deal_field(term, field)
        raise AssertionError(kind)

    # -- fields of deals --------------------------------------------------------------
    # A contact matches when one of its deals does: each criterion is a list of
    # contact ids read from an index of deals (evaluated once, kept as a bitmap
    # while the data stays the same). Two criteria may be met by two deals.

    def stages(self) -> list[Stage]:
        if self._stages is None:
            self._stages = list_stages(self.db)
        return self._stages

    def stage_ids(self, kind: str) -> tuple[str, ...]:
        return tuple(s.id for s in self.stages() if s.kind == kind)

    def deal_field(self, term: Term, field: Builtin) -> Plan:
        kind = field.kind
        label = self.label(term)
        if kind == "deal_stage":
            values = self.only_values(term, "stages", "deal_stage:proposal,negotiation")
            wanted: list[str] = []
            for value in values:
                found = [s.id for s in self.stages()
                         if fold(value.text) in (fold(s.id), fold(s.label))]
                if not found:
                    best = closest(fold(value.text), [fold(s.label) for s in self.stages()]
                                   + [s.id for s in self.stages()])
                    guess = _(" — vouliez-vous dire « {best} » ?").format(best=best) if best else ""
                    self.warnings.append(
                        _("deal_stage : étape inconnue « {text} »{guess} (étapes : {value}) ; elle ne trouve aucun contact").format(text=value.text, guess=guess, value=', '.join(s.id for s in self.stages())))
                wanted.extend(found)
            if not wanted:
                return FALSE
            ordered = sorted(set(wanted))
            return _deals_where(f"stage IN ({', '.join('?' * len(ordered))})", tuple(ordered),
                                label)
        if kind in ("deal_lost_reason", "deal_category"):
            which = "lost_reason" if kind == "deal_lost_reason" else "category"
            example = "lost_reason:prix" if which == "lost_reason" else 'deal_category:"formation"'
            values = self.only_values(term, _("des valeurs de sa liste"), example)
            choices = list_choices(self.db, which)
            codes: list[int] = []
            for value in values:
                matched = [c.id for c in choices if fold(c.label) == fold(value.text)]
                if not matched:
                    best = closest(fold(value.text), [fold(c.label) for c in choices])
                    guess = _(" — vouliez-vous dire « {best} » ?").format(best=best) if best else ""
                    allowed = ", ".join(c.label for c in choices) or "none yet"
                    self.warnings.append(_("{name} : valeur inconnue « {text} »{guess} (permises : {allowed}) ; elle ne trouve aucun contact").format(name=field.name, text=value.text, guess=guess, allowed=allowed))
                codes.extend(matched)
            if not codes:
                return FALSE
            ordered_codes = sorted(set(codes))
            return _deals_where(f"{field.column} IN ({', '.join('?' * len(ordered_codes))})",
                                tuple(ordered_codes), label)
        if kind == "deal_reached":
            return self.reached(term, label)
        if kind == "deal_amount":
            # per-amount bitmaps of the contacts with such a deal (like revenue's)
            return _in_deals(self.numbers(term, "amount", "deals.amount"), "", ())
        if kind == "deal_created":
            return _in_deals(self.dates(term, "created", None, months=False), "", ())
        if kind == "deal_lost":
            lost_ids = self.stage_ids("lost")
            return _in_deals(self.dates(term, "closed_at", None, months=False),
                             f"stage IN ({', '.join('?' * len(lost_ids))})", lost_ids)
        if kind == "deal_expected":
            open_ids = self.stage_ids("open")
            return _in_deals(self.dates(term, "expected_close", None, months=False),
                             f"stage IN ({', '.join('?' * len(open_ids))})", open_ids)
        assert kind == "deal_won"
        won_ids = self.stage_ids("won")
        return _in_deals(self.dates(term, "closed_at", None, months=False),
                         f"stage IN ({', '.join('?' * len(won_ids))})", won_ids)

    def reached(self, term: Term, label: str) -> Plan:
        """``reached:proposal``: a deal that is at that stage or further now, or was there
        once (its moves) — the funnel's rule: the won stages are one step after every
        open one, a lost deal counts up to the furthest open stage it was in, a won or
        lost stage is reached by the deals at it now."""
        values = self.only_values(term, "stages", "reached:proposal")
        stages = self.stages()
        opened = [s.id for s in stages if s.is_open]
        won = [s.id for s in stages if s.is_won]
        parts: list[str] = []
        params: list[Any] = []
        for value in values:
            found = [s for s in stages if fold(value.text) in (fold(s.id), fold(s.label))]
            if not found:
                best = closest(fold(value.text), [fold(s.label) for s in stages]
                               + [s.id for s in stages])
                guess = _(" — vouliez-vous dire « {best} » ?").format(best=best) if best else ""
                self.warnings.append(
                    _("reached : étape inconnue « {text} »{guess} (étapes : {value}) ; elle ne trouve aucun contact").format(text=value.text, guess=guess, value=', '.join(s.id for s in stages)))
            for stage in found:
                if not stage.is_open:
                    parts.append("stage = ?")
                    params.append(stage.id)
                    continue
                further = opened[opened.index(stage.id):]
                later = [*further, *won]
                parts.append(f"stage IN ({', '.join('?' * len(later))}) OR deals.id IN"
                             f" (SELECT m.deal_id FROM deal_moves m WHERE m.to_stage IN"
                             f" ({', '.join('?' * len(further))}))")
                params.extend([*later, *further])
        if not parts:
            return FALSE
        return _deals_where(" OR ".join(f"({p})" for p in parts), tuple(params), label)

    def deal_presence(self, field: Builtin, label: str) -> Plan:
        """has:won, has:lost_reason…: a deal with that fact; has:deal_stage: any deal."""
        kind = field.kind
        if kind == "deal_expected":
            open_ids = self.stage_ids("open")
            return _deals_where(f"expected_close IS NOT NULL AND stage IN"
                                f" ({', '.join('?' * len(open_ids))})", open_ids, label)
        if kind in ("deal_won", "deal_lost"):
            ids = self.stage_ids("won" if kind == "deal_won" else "lost")
            return _deals_where(f"stage IN ({', '.join('?' * len(ids))})", ids, label)
        if kind in ("deal_lost_reason", "deal_category"):
            return _deals_where(f"{field.column} IS NOT NULL", (), label)
        return _deals_where("1", (), label)

    def postal(self, value: Value, label: str) -> Plan:
        code = value.text.replace(" ", "")
        if code.endswith("*") and not value.quoted:
            prefix = code[:-1]
            return Cond("c.postal_code != '' AND c.postal_code >= ? AND c.postal_code < ?",
                        (prefix, prefix + _TOP), "c", label=label)
        return Cond("c.postal_code != '' AND c.postal_code = ?", (code,), "c", label=label)

    def email(self, value: Value, label: str) -> Plan:
        address = value.text.strip().lower()
        if "*" in address and not value.quoted:
            if address.endswith("*") and "*" not in address[:-1]:
                prefix = address[:-1]
                return Cond("c.norm_email != '' AND c.norm_email >= ? AND c.norm_email < ?",
                            (prefix, prefix + _TOP), "c", label=label)
            return Cond("c.norm_email != '' AND c.norm_email GLOB ?", (glob_pattern(address),), "c",
                        label=label)
        return Cond("c.norm_email != '' AND c.norm_email = ?", (address,), "c", label=label)

    def phone(self, field: Builtin, value: Value, label: str) -> Plan:
        number = phone_e164(value.text)
        if not number:
            raise self.fail(_("« {text} » n'est pas un numéro de téléphone").format(text=value.text), value.span,
                            _("écrivez les chiffres : 0612345678 ou +33612345678"))
        if field.name == "mobile":
            return Cond("c.mobile_e164 != '' AND c.mobile_e164 = ?", (number,), "c", label=label)
        return Cond("(c.phone_e164 != '' AND c.phone_e164 = ?)"
                    " OR (c.mobile_e164 != '' AND c.mobile_e164 = ?)", (number, number), "c",
                    label=label)

    def name_words(self, value: Value, label: str) -> Plan:
        """Every word of the value is a word of the first or last name."""
        text = value.text
        prefix = text.endswith("*") and not value.quoted
        expression = fulltext.all_words(text.rstrip("*") if prefix else text, prefix=prefix)
        if expression is None:
            raise self.fail(_("rien à chercher dans « {text} »").format(text=text), value.span,
                            _("un nom a besoin de lettres ou de chiffres"))
        match = fulltext.in_columns(("first_name", "last_name"), expression)
        return Cond(f"c.id IN ({_FTS_CARD})", (match,), "c", ids_sql=_FTS_CARD,
                    ids_params=(match,), label=label)

    def person(self, term: Term, field: Builtin) -> Plan:
        """first_name/last_name: the whole name, any case and accents.

        The full-text index narrows the candidates (its words must all be in
        that column); the folded comparison then checks the whole value.
        """
        column = field.column.split(".")[1]
        exact = self.text_equal(term, field.column, "c")
        narrowed: list[Plan] = []
        for value, check in zip(term.values, _children(exact), strict=True):
            text = value.text.replace("*", " ") if not value.quoted else value.text
            expression = fulltext.all_words(text, prefix=False)
            if expression is None or ("*" in value.text and not value.quoted):
                narrowed.append(check)
                continue
            match = fulltext.in_columns((column,), expression)
            narrowed.append(all_of([
                Cond(f"c.id IN ({_FTS_CARD})", (match,), "c", ids_sql=_FTS_CARD,
                     ids_params=(match,), label=f"{field.name} words"), check]))
        return any_of(narrowed)


# -- helpers ---------------------------------------------------------------------


def _always(_value: Any) -> bool:
    return True


def _flag(name: str, present: bool, label: str) -> Cond:
    """A yes/no fact of the contact row, from contact_facts.flags (bitmaps)."""
    bit = CONTACT_FLAGS[name]
    return Cond(f"(f.flags & {bit}) {'!=' if present else '='} 0", (), "f", "flags",
                lambda v: isinstance(v, int) and (v & bit != 0) == present, label=label)


def _deals_where(where: str, params: tuple[Any, ...], label: str,
                 facet: Cond | None = None) -> Cond:
    """Contacts with a deal meeting ``where`` (SQL over ``deals``); ``facet``: the
    same test on a column of :data:`~qualif_tui.query.facets.DEAL_COLUMNS`, for
    the bitmaps (its ids SQL serves when that column has too many values)."""
    ids = f"SELECT contact_id FROM deals WHERE {where}"
    if facet is not None and facet.facet:
        return Cond(f"f.contact_id IN ({ids})", params, "f", facet.column, facet.test,
                    ids_sql=ids, ids_params=params, label=label, bounds=facet.bounds,
                    deal_sql=where)
    return Cond(f"f.contact_id IN ({ids})", params, "f", ids_sql=ids, ids_params=params,
                label=label, deal_sql=where)


def _in_history(plan: Plan) -> Plan:
    """The comparisons of ``plan`` (over ``history.happened_at``) as contacts with a
    non-automatic history entry meeting them."""
    if isinstance(plan, AnyOf):
        return any_of([_in_history(child) for child in plan.children])
    assert isinstance(plan, Cond)
    ids = f"SELECT contact_id FROM history WHERE automatic = 0 AND {plan.sql}"
    return Cond(f"f.contact_id IN ({ids})", plan.params, "f", ids_sql=ids,
                ids_params=plan.params, label=plan.label)


_DEAL_FIELDS = ", ".join(b.name for b in BUILTINS if b.kind.startswith("deal_"))
def _only_deals_hint() -> str:
    """What may go inside deal:( … ), in the user's language of the moment."""
    return _("dans deal:( … ), seulement des champs d'affaires ({DEAL_FIELDS}) et leurs "
             "has:/missing: ; mettez les autres critères hors des parenthèses").format(
                 DEAL_FIELDS=_DEAL_FIELDS)


def _in_deals(plan: Plan, extra: str, extra_params: tuple[Any, ...]) -> Plan:
    """The comparisons of ``plan`` (over a deals column) as conditions on deals."""
    if isinstance(plan, AnyOf):
        return any_of([_in_deals(child, extra, extra_params) for child in plan.children])
    if not isinstance(plan, Cond):
        return plan
    where = f"({plan.sql}) AND {extra}" if extra else plan.sql
    return _deals_where(where, (*plan.params, *extra_params), plan.label,
                        None if extra else plan)


def _children(plan: Plan) -> list[Plan]:
    if isinstance(plan, AnyOf):
        return list(plan.children)
    return [plan]
