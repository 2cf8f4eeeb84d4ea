"""Tokens → syntax tree (:mod:`.ast`), by recursive descent.

Grammar (``adjacent`` = no space between the two tokens)::

    query    := or_expr? END
    or_expr  := and_expr ("OR" and_expr)*
    and_expr := ("AND"? unary)+                  juxtaposition is AND
    unary    := ("-" adjacent | "NOT") unary | primary
    primary  := "(" or_expr ")" | term | WORD | STRING
    term     := group-name adjacent (":" | "=") adjacent "(" or_expr ")"   deal:(…)
              | name adjacent (":" | "=") adjacent values
              | name adjacent CMP adjacent value
    values   := CMP value | value ".." value? | ".." value | value ("," value)*

A group name is one of ``fields.DEAL_GROUP`` (``deal``, ``affaire``): its
criteria hold on one and the same deal; any other ``name:(`` is an error.
AND binds tighter than OR: ``a b OR c`` is ``(a b) OR c``. Keys are not
checked here (the compiler knows them); the parser only refuses what cannot
be read, pointing at the token at fault. Nesting and size are bounded so
that hostile input fails fast with a clear message instead of exhausting
the stack.
"""

from __future__ import annotations

from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold_key_name
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
from qualif_tui.query.errors import QueryError
from qualif_tui.query.fields import DEAL_GROUP
from qualif_tui.query.lexer import Kind, Token, tokenize

MAX_DEPTH = 50  # nested parentheses and negations
MAX_CRITERIA = 200  # terms and words in one query
MAX_VALUES = 2000  # values in all terms together

_VALUE_KINDS = (Kind.WORD, Kind.STRING, Kind.OR, Kind.AND, Kind.NOT)


def parse(text: str) -> Node:
    """The syntax tree of ``text``; raises :class:`QueryError` with a position."""
    return _Parser(text).parse()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0
        self.criteria = 0
        self.values = 0

    # -- helpers ----------------------------------------------------------
    def error(self, message: str, start: int, end: int | None = None, hint: str = "") -> QueryError:
        length = (end if end is not None else start + 1) - start
        return QueryError(message, start, hint, length, self.text)

    def peek(self, offset: int = 0) -> Token | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def next(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def adjacent(self, before: Token) -> Token | None:
        """The next token if it touches ``before`` (no space between)."""
        token = self.peek()
        return token if token is not None and token.start == before.end else None

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(_("la requête est imbriquée trop profondément"), token.start,
                             hint=_("au plus {MAX_DEPTH} niveaux de parenthèses et de négations").format(MAX_DEPTH=MAX_DEPTH))

    def count_criterion(self, token: Token) -> None:
        self.criteria += 1
        if self.criteria > MAX_CRITERIA:
            raise self.error(_("la requête a trop de critères"), token.start,
                             hint=_('au plus {MAX_CRITERIA} ; enregistrez des parties en segments et combinez-les avec segment:"nom"').format(MAX_CRITERIA=MAX_CRITERIA))

    # -- grammar ------------------------------------------------------------
    def parse(self) -> Node:
        if not self.tokens:
            return Everything(Span(0, len(self.text)))
        node = self.or_expr()
        token = self.peek()
        if token is not None:
            if token.kind is Kind.RPAREN:
                raise self.error(_("« ) » inattendue"), token.start,
                                 hint=_("retirez-la, ou ouvrez le groupe avec « ( » avant"))
            raise self.error(_("{value} inattendu").format(value=token.kind.value), token.start, token.end)
        return node

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while (token := self.peek()) is not None and token.kind is Kind.OR:
            self.next()
            after = self.peek()
            if after is None or after.kind in (Kind.OR, Kind.RPAREN):
                raise self.error(_("rien après OR"), token.start, token.end,
                                 _("écrivez un critère de chaque côté de OR"))
            items.append(self.and_expr())
        if len(items) == 1:
            return items[0]
        # (a OR b) OR c is a OR b OR c: one flat node
        flat = [c for item in items for c in (item.children if isinstance(item, Or) else (item,))]
        return Or(tuple(flat), Span(_start(items[0]), _end(items[-1])))

    def and_expr(self) -> Node:
        items: list[Node] = []
        while (token := self.peek()) is not None and token.kind not in (Kind.OR, Kind.RPAREN):
            if token.kind is Kind.AND:
                self.next()
                after = self.peek()
                if not items or after is None or after.kind in (Kind.OR, Kind.RPAREN, Kind.AND):
                    raise self.error(_("AND demande un critère de chaque côté"), token.start,
                                     token.end, _("des critères côte à côte sont déjà combinés"
                                                  " par AND : profil:client region:occitanie"))
                continue
            items.append(self.unary())
        if not items:
            token = self.peek()
            if token is not None and token.kind is Kind.OR:
                raise self.error(_("rien avant OR"), token.start, token.end,
                                 _("écrivez un critère de chaque côté de OR"))
            position = token.start if token is not None else len(self.text)
            raise self.error(_("un critère est attendu"), position,
                             hint=_('par exemple profil:client, un nom, ou "une phrase"'))
        if len(items) == 1:
            return items[0]
        flat = [c for item in items for c in (item.children if isinstance(item, And) else (item,))]
        return And(tuple(flat), Span(_start(items[0]), _end(items[-1])))

    def unary(self) -> Node:
        token = self.peek()
        assert token is not None
        if token.kind in (Kind.MINUS, Kind.NOT):
            self.next()
            after = self.adjacent(token) if token.kind is Kind.MINUS else self.peek()
            if after is None or after.kind in (Kind.OR, Kind.AND, Kind.RPAREN, Kind.COMMA,
                                                Kind.COLON, Kind.CMP, Kind.RANGE):
                what = "'-'" if token.kind is Kind.MINUS else "NOT"
                raise self.error(_("{what} doit être suivi d'un critère").format(what=what), token.start,
                                 token.end, _("écrivez -profil:client ou NOT profil:client (sans espace après « - »)"))
            self.enter(token)
            child = self.unary()
            self.depth -= 1
            return Not(child, Span(token.start, _end(child)))
        return self.primary()

    def primary(self) -> Node:
        token = self.next()
        if token.kind is Kind.LPAREN:
            self.enter(token)
            after = self.peek()
            if after is not None and after.kind is Kind.RPAREN:
                raise self.error(_("parenthèses vides"), token.start, after.end,
                                 _("mettez-y des critères, ou retirez-les"))
            inner = self.or_expr()
            closing = self.peek()
            if closing is None or closing.kind is not Kind.RPAREN:
                raise self.error(_("« ) » manquante"), token.start,
                                 hint=_("fermez le groupe ouvert ici"))
            self.next()
            self.depth -= 1
            return inner
        if token.kind in (Kind.WORD, Kind.STRING):
            following = self.adjacent(token)
            if following is not None and following.kind in (Kind.COLON, Kind.CMP):
                return self.term(token)
            self.count_criterion(token)
            if token.kind is Kind.STRING and not token.text.strip():
                raise self.error(_("guillemets vides"), token.start, token.end,
                                 _("écrivez quelque chose à chercher entre les guillemets"))
            return Words(token.text, token.kind is Kind.STRING, Span(token.start, token.end))
        if token.kind is Kind.RPAREN:
            raise self.error(_("« ) » inattendue"), token.start,
                             hint=_("retirez-la, ou ouvrez le groupe avec « ( » avant"))
        if token.kind in (Kind.COLON, Kind.CMP):
            raise self.error(_("« {text} » a besoin d'une clé devant").format(text=token.text), token.start, token.end,
                             _("écrivez clé:valeur sans espace autour de « : », par ex. profil:client"))
        if token.kind is Kind.COMMA:
            raise self.error(_("« , » inattendue"), token.start,
                             hint=_("une « , » sépare les valeurs d'une clé : profil:client,prospect"))
        if token.kind is Kind.RANGE:
            raise self.error(_("« .. » a besoin d'une clé devant"), token.start, token.end,
                             _("écrivez clé:début..fin, par ex. mise_en_service:2010..2012"))
        raise self.error(_("{value} inattendu").format(value=token.kind.value), token.start, token.end)

    def term(self, key: Token) -> Term | Scoped:
        op_token = self.next()
        key_span = Span(key.start, key.end)
        group = self.adjacent(op_token)
        if (op_token.kind is Kind.COLON and group is not None and group.kind is Kind.LPAREN
                and fold_key_name(key.text) in DEAL_GROUP):
            return self.scoped(key, group)
        self.count_criterion(key)
        if op_token.kind is Kind.CMP:
            value = self.value(op_token, key)
            return Term(key.text, op_token.text, (value,), key_quoted=key.kind is Kind.STRING,
                        span=Span(key.start, value.span.end), key_span=key_span)
        # ':' (or '=')
        first = self.adjacent(op_token)
        if first is not None and first.kind is Kind.CMP:
            self.next()
            value = self.value(first, key)
            return Term(key.text, first.text, (value,), key_quoted=key.kind is Kind.STRING,
                        span=Span(key.start, value.span.end), key_span=key_span)
        if first is not None and first.kind is Kind.RANGE:
            self.next()
            upper = self.value(first, key)
            return Term(key.text, ":", (), None, upper, True, key.kind is Kind.STRING,
                        Span(key.start, upper.span.end), key_span)
        low = self.value(op_token, key)
        dots = self.adjacent(_token_at(low))
        if dots is not None and dots.kind is Kind.RANGE:
            self.next()
            after = self.adjacent(dots)
            high: Value | None = None
            if after is not None and after.kind in (*_VALUE_KINDS, Kind.MINUS):
                high = self.value(dots, key)
            end = high.span.end if high else dots.end
            return Term(key.text, ":", (), low, high, True, key.kind is Kind.STRING,
                        Span(key.start, end), key_span)
        values = [low]
        while (comma := self.adjacent(_token_at(values[-1]))) is not None and (
                comma.kind is Kind.COMMA):
            self.next()
            values.append(self.value(comma, key))
        return Term(key.text, ":", tuple(values), key_quoted=key.kind is Kind.STRING,
                    span=Span(key.start, values[-1].span.end), key_span=key_span)

    def scoped(self, key: Token, opening: Token) -> Scoped:
        """``name:( … )``: the group's criteria, read like any bracketed group."""
        self.next()
        self.enter(opening)
        after = self.peek()
        if after is not None and after.kind is Kind.RPAREN:
            raise self.error("empty brackets", opening.start, after.end,
                             f"put criteria inside: {key.text}:(won:2026 deal_category:\"x\")")
        inner = self.or_expr()
        closing = self.peek()
        if closing is None or closing.kind is not Kind.RPAREN:
            raise self.error("missing ')'", opening.start, hint="close the group opened here")
        self.next()
        self.depth -= 1
        return Scoped(key.text, inner, Span(key.start, closing.end), Span(key.start, key.end))

    def value(self, before: Token, key: Token) -> Value:
        """One value touching ``before``; a leading '-' is a sign, not a negation."""
        token = self.adjacent(before)
        name = key.text
        if token is not None and token.kind is Kind.MINUS:
            rest = self.peek(1)
            if rest is not None and rest.kind is Kind.WORD and rest.start == token.end:
                self.next()
                self.next()
                return self.count_value(Value("-" + rest.text, False, Span(token.start, rest.end)))
        if token is None or token.kind not in _VALUE_KINDS:
            where = token.start if token is not None else before.end
            found = f", found {token.kind.value}" if token is not None else ""
            after = f"{name}{before.text}" if before.kind in (Kind.COLON, Kind.CMP) else before.text
            hint = (_('écrivez {name}{text}valeur sans espace ; mettez entre guillemets les valeurs à espaces : {name}:"deux mots"').format(name=name, text=before.text))
            if before.kind is Kind.COMMA:
                hint = _("écrivez {name}:valeur1,valeur2 sans espace après « , »").format(name=name)
            elif before.kind is Kind.RANGE:
                hint = _("écrivez {name}:début..fin, par ex. {name}:2010..2012").format(name=name)
            if token is not None and token.kind is Kind.LPAREN:
                hint = _("pour l'une de plusieurs valeurs, écrivez {name}:valeur1,valeur2").format(name=name)
            raise self.error(_("valeur manquante après « {after} »{found}").format(after=after, found=found), where, hint=hint)
        self.next()
        return self.count_value(Value(token.text, token.kind is Kind.STRING,
                                      Span(token.start, token.end)))

    def count_value(self, value: Value) -> Value:
        self.values += 1
        if self.values > MAX_VALUES:
            raise self.error(_("la requête a trop de valeurs"), value.span.start,
                             hint=_("au plus {MAX_VALUES} valeurs dans une requête").format(MAX_VALUES=MAX_VALUES))
        return value


def _token_at(value: Value) -> Token:
    """A stand-in token ending where ``value`` ends (for adjacency checks)."""
    return Token(Kind.WORD, value.text, value.span.start, value.span.end)


def _start(node: Node) -> int:
    return node.span.start


def _end(node: Node) -> int:
    return node.span.end
