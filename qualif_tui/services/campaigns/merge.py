"""Mail-merge templates: Jinja2 in a sandbox, checked before anything is sent.

A template is a subject, a plain-text body and an optional HTML body. It runs in
Jinja2's :class:`~jinja2.sandbox.SandboxedEnvironment` without a loader: no file
is read (``{% include %}``, ``{% import %}``, ``{% extends %}`` are refused), no
attribute starting with ``_`` is reachable. Before a single message goes out a
template is *checked*: a syntax error is reported with its line and column, a
name that is no field or key (``{{ prenon }}``, ``{{ keys["Vehicule"] }}``) with
its line and the closest known name — a typo must not send 2 000 "Bonjour ,".

The file form (``campaign send --template FILE``) is a first line
``Subject: …`` (or ``Objet : …``), a blank line, then the body.

French filters: ``date_fr`` (``15 juin 2026``; ``"court"`` 15/06/2026,
``"jour"`` lundi 15 juin 2026), ``nombre`` (``1 234,5``), ``euros``
(``1 234,50 €``), ``defaut``/``default`` (a value for an empty field:
``{{ prenom|defaut("Madame, Monsieur") }}``), ``majuscules``, ``minuscules``,
``sans_accents``. An empty key prints nothing (never "None").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, nodes
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold
from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.keys import closest
from qualif_tui.services.campaigns.fields import CONTACT_FIELDS, MergeSchema

FR_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")
FR_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_SUBJECT = re.compile(r"^\s*(?:subject|objet|sujet)\s*:\s?(.*)$", re.IGNORECASE)
# Non-breaking space: what French typography puts between thousands and before €.
NBSP = "\u00a0"


class TemplateProblem(ValidationError):
    """A template refused before anything was sent: where, and why."""

    def __init__(self, message: str, part: str, line: int | None = None,
                 column: int | None = None, name: str = "") -> None:
        where = ""
        if part:
            where = _(" ({part}, ligne {line}").format(part=_(part), line=line) if line else \
                _(" ({part}").format(part=_(part))
            if line and column:
                where += _(", colonne {column}").format(column=column)
            where += ")"
        super().__init__(message + where, "template")
        self.reason = message
        self.part = part
        self.line = line
        self.column = column
        self.name = name


# -- filters -----------------------------------------------------------------------------


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}", text):
            return date.fromisoformat(text + "-01")
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def date_fr(value: Any, style: str = "long") -> str:
    day = _as_date(value)
    if day is None:
        return str(value or "")
    if style in ("court", "short"):
        return day.strftime("%d/%m/%Y")
    if style in ("mois", "month"):
        return f"{FR_MONTHS[day.month - 1]} {day.year}"
    text = f"{'1er' if day.day == 1 else day.day} {FR_MONTHS[day.month - 1]} {day.year}"
    if style in ("jour", "day"):
        text = f"{FR_WEEKDAYS[day.weekday()]} {text}"
    return text


def nombre(value: Any, decimales: int = -1) -> str:
    """``1234.5`` → ``1 234,50`` (non-breaking spaces, commercial rounding);
    ``decimales`` fixes the digits (default: none for a whole number, else two)."""
    if value is None or value == "":
        return ""
    text = str(value).strip().replace(",", ".")
    for space in (" ", NBSP, "\u202f"):
        text = text.replace(space, "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    if decimales < 0:
        decimales = 0 if number == number.to_integral_value() else 2
    rounded = number.quantize(Decimal(1).scaleb(-decimales), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never "-0"
    shown = f"{rounded:,.{decimales}f}"
    return shown.replace(",", NBSP).replace(".", ",")


def euros(value: Any, decimales: int = 2) -> str:
    shown = nombre(value, decimales)
    return f"{shown}{NBSP}€" if shown else ""


def defaut(value: Any, fallback: Any = "", boolean: bool = True) -> Any:
    """A fallback for a missing *or empty* value (Jinja's own ``default`` only
    replaces undefined ones, and every field of a contact is defined)."""
    if value is None or isinstance(value, Undefined) or (boolean and not value):
        return fallback
    return value


def sans_accents(value: Any) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", str(value or ""))
    return "".join(c for c in text if not unicodedata.combining(c))


def _finalize(value: Any) -> Any:
    return "" if value is None else value


def environment(*, html: bool = False) -> SandboxedEnvironment:
    env = SandboxedEnvironment(autoescape=html, undefined=StrictUndefined,
                               finalize=_finalize, keep_trailing_newline=True)
    env.filters.update({
        "date_fr": date_fr, "nombre": nombre, "euros": euros, "defaut": defaut,
        "default": defaut, "d": defaut, "majuscules": lambda v: str(v or "").upper(),
        "minuscules": lambda v: str(v or "").lower(), "sans_accents": sans_accents,
    })
    return env


# -- checking ----------------------------------------------------------------------------

_FORBIDDEN = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)


def _locals(tree: nodes.Template) -> set[str]:
    """Names the template defines itself ({% set %}, loop variables, macro arguments)."""
    found = {"loop", "range", "dict", "lipsum", "cycler", "joiner", "namespace", "true",
             "false", "none", "True", "False", "None", "caller", "varargs", "kwargs"}
    for name in tree.find_all(nodes.Name):
        if name.ctx in ("store", "param"):
            found.add(name.name)
    for macro in tree.find_all(nodes.Macro):
        found.add(macro.name)
    return found


def _column_of(source: str, line: int, token: str) -> int | None:
    lines = source.splitlines()
    if not 1 <= line <= len(lines):
        return None
    at = lines[line - 1].find(token) if token else -1
    return at + 1 if at >= 0 else None


def check_source(source: str, part: str, schema: MergeSchema, *, html: bool = False,
                 line_offset: int = 0) -> Any:
    """Compile one part of a template, or raise :class:`TemplateProblem`."""
    env = environment(html=html)
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as error:
        line = error.lineno or 1
        quoted = re.search(r"'([^']+)'", error.message or "")
        column = _column_of(source, line, quoted.group(1) if quoted else "{")
        raise TemplateProblem(_("erreur de syntaxe : {message}").format(
            message=error.message), part, line + line_offset, column) from None
    for node in tree.find_all(_FORBIDDEN):
        raise TemplateProblem(_("« {tag} » est refusé : un modèle ne lit aucun fichier").format(
            tag=type(node).__name__.lower()), part, node.lineno + line_offset)
    known = schema.top_names | _locals(tree)
    for name in tree.find_all(nodes.Name):
        if name.ctx == "load" and name.name not in known:
            _unknown(name.name, schema, part, name.lineno + line_offset, source, line_offset)
    for attribute in tree.find_all(nodes.Getattr):
        if attribute.attr.startswith("_"):
            raise TemplateProblem(_("l'attribut « {attr} » est hors du bac à sable").format(
                attr=attribute.attr), part, attribute.lineno + line_offset)
        target = attribute.node
        if isinstance(target, nodes.Name) and target.name == "contact" \
                and attribute.attr not in schema.contact_attributes:
            _unknown(f"contact.{attribute.attr}", schema, part, attribute.lineno + line_offset,
                     source, line_offset)
        if isinstance(target, nodes.Name) and target.name in ("keys", "cles") \
                and not schema.has_key(attribute.attr):
            _unknown_key(attribute.attr, schema, part, attribute.lineno + line_offset)
    for item in tree.find_all(nodes.Getitem):
        target = item.node
        if isinstance(target, nodes.Name) and target.name in ("keys", "cles") \
                and isinstance(item.arg, nodes.Const) and isinstance(item.arg.value, str) \
                and not schema.has_key(item.arg.value):
            _unknown_key(item.arg.value, schema, part, item.lineno + line_offset)
        if isinstance(item.arg, nodes.Const) and isinstance(item.arg.value, str) \
                and item.arg.value.startswith("_"):
            raise TemplateProblem(_("l'attribut « {attr} » est hors du bac à sable").format(
                attr=item.arg.value), part, item.lineno + line_offset)
    return env.from_string(tree)


def _unknown(name: str, schema: MergeSchema, part: str, line: int, source: str,
             line_offset: int) -> None:
    plain = name.split(".")[-1]
    candidates = (sorted(schema.contact_attributes) if name.startswith("contact.")
                  else sorted(set(CONTACT_FIELDS.values()) | schema.top_names))
    best = closest(plain, candidates)
    hint = _(" — vouliez-vous dire « {best} » ?").format(best=best) if best else _(
        " — champs : {names}").format(names=", ".join(CONTACT_FIELDS.values()))
    raise TemplateProblem(_("champ inconnu « {name} »{hint}").format(name=name, hint=hint),
                          part, line, _column_of(source, line - line_offset, plain), name)


def _unknown_key(name: str, schema: MergeSchema, part: str, line: int) -> None:
    names = schema.key_names()
    best = closest(fold(name), [fold(n) for n in names])
    shown = next((n for n in names if fold(n) == best), None)
    hint = _(" — vouliez-vous dire « {best} » ?").format(best=shown) if shown else _(
        " — clés : {names}").format(names=", ".join(names) or _("aucune"))
    raise TemplateProblem(_("clé inconnue « {name} »{hint}").format(name=name, hint=hint),
                          part, line, None, name)


# -- templates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class TemplateText:
    """A template's three parts as the user wrote them (``body_line``: the file
    line the body starts on, so that errors name the file's line)."""

    subject: str
    body: str
    html: str = ""
    body_line: int = 1

    @classmethod
    def from_file_text(cls, text: str, html: str = "") -> TemplateText:
        lines = text.replace("\r\n", "\n").lstrip("\ufeff").split("\n")
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        match = _SUBJECT.match(lines[first]) if first is not None else None
        if match is None:
            raise TemplateProblem(_("la première ligne du modèle doit être « Subject: … »"
                                    " (ou « Objet : … »)"), "objet", (first or 0) + 1)
        rest = lines[first + 1:] if first is not None else []
        start = (first or 0) + 2
        if rest and not rest[0].strip():
            rest, start = rest[1:], start + 1
        return cls(match.group(1).strip(), "\n".join(rest), html, start)

    def file_text(self) -> str:
        return f"Subject: {self.subject}\n\n{self.body}"


class MergeTemplate:
    """A checked template, ready to render for each recipient."""

    def __init__(self, text: TemplateText, schema: MergeSchema) -> None:
        if not text.subject.strip():
            raise TemplateProblem(_("le message n'a pas d'objet"), "objet", 1)
        if not text.body.strip() and not text.html.strip():
            raise TemplateProblem(_("le message est vide"), "corps")
        self.text = text
        self._subject = check_source(text.subject, "objet", schema)
        self._body = check_source(text.body, "corps", schema, line_offset=text.body_line - 1)
        self._html = check_source(text.html, "HTML", schema, html=True) if text.html.strip() \
            else None

    def render(self, context: dict[str, Any]) -> Rendered:
        """One recipient's message; :class:`TemplateProblem` if it cannot be made."""
        try:
            subject = " ".join(self._subject.render(context).split())
            body = self._body.render(context)
            html = self._html.render(context) if self._html is not None else ""
        except SecurityError as error:
            raise TemplateProblem(_("refusé par le bac à sable : {error}").format(error=error),
                                  "corps") from None
        except UndefinedError as error:
            raise TemplateProblem(_("valeur manquante : {error}").format(error=error),
                                  "corps") from None
        except (TemplateError, TypeError, ValueError, ArithmeticError) as error:
            raise TemplateProblem(_("le modèle échoue : {error}").format(error=error),
                                  "corps") from None
        return Rendered(subject, body, html)

    def render_all(self, contexts: Iterator[tuple[int, dict[str, Any]]],
                   name_of: Callable[[int], str] | None = None
                   ) -> Iterator[tuple[int, Rendered]]:
        for contact_id, context in contexts:
            try:
                yield contact_id, self.render(context)
            except TemplateProblem as problem:
                who = name_of(contact_id) if name_of else f"#{contact_id}"
                raise TemplateProblem(_("pour {who} : {problem}").format(
                    who=who, problem=problem), "") from None
