"""The pipeline's stages, and the user's lists for deals (lost reasons, categories).

The stage table belongs to the user: names, order, default probability, and
which stages count as won or lost (``kind``). The French defaults (Piste,
Qualifiée, Proposition, Négociation, Gagnée, Perdue; ids ``lead qualified
proposal negotiation won lost``) come with every file. :func:`list_stages`
reads the table in order: everything that shows or counts stages uses it.

A stage is named by its id or its label, any case and accents
(``proposal`` = ``Proposition`` = ``proposition``). The table always keeps at
least one open, one won and one lost stage; a stage some deals are in cannot
be deleted (move them first). Changing which stages are won or lost recomputes
every contact's revenue and open deals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qualif_tui.base.i18n import _
from qualif_tui.base.text import fold
from qualif_tui.domain.errors import NotFound, ValidationError
from qualif_tui.domain.keys import closest
from qualif_tui.storage import Database
from qualif_tui.storage.schema import BULK_DERIVE_FACTS

KINDS = {"open": _("en cours"), "won": _("gagnée"), "lost": _("perdue")}
LISTS = {"lost_reason": _("raison de perte"), "category": _("catégorie")}


@dataclass(frozen=True)
class Stage:
    id: str
    label: str
    position: int
    probability: int
    kind: str  # open, won, lost

    @property
    def is_open(self) -> bool:
        return self.kind == "open"

    @property
    def is_won(self) -> bool:
        return self.kind == "won"

    @property
    def is_lost(self) -> bool:
        return self.kind == "lost"


def list_stages(db: Database) -> list[Stage]:
    """Every stage, in pipeline order (open stages first as the user placed them)."""
    return [Stage(r["id"], r["label"], r["position"], r["probability"], r["kind"])
            for r in db.query("SELECT id, label, position, probability, kind FROM deal_stages"
                              " ORDER BY position, id")]


def find_stage(stages: list[Stage], name: str) -> Stage | None:
    wanted = fold(name)
    for stage in stages:
        if fold(stage.id) == wanted or fold(stage.label) == wanted:
            return stage
    return None


def get_stage(db: Database, name: str, stages: list[Stage] | None = None) -> Stage:
    """A stage by id or label; NotFound names the stages there are."""
    stages = list_stages(db) if stages is None else stages
    found = find_stage(stages, name)
    if found is None:
        best = closest(fold(name), [fold(s.label) for s in stages] + [s.id for s in stages])
        hint = _(" — vouliez-vous dire « {best} » ?").format(best=best) if best else ""
        raise NotFound(_("étape inconnue « {name} »{hint} (étapes : {all})").format(
            name=name.strip(), hint=hint, all=", ".join(s.id for s in stages)))
    return found


def stage_of_kind(stages: list[Stage], kind: str) -> Stage:
    """The first stage of a kind (where "win" and "lose" move a deal)."""
    for stage in stages:
        if stage.kind == kind:
            return stage
    raise NotFound(_("aucune étape « {kind} » dans la table des étapes").format(kind=KINDS[kind]))


def neighbour_stage(stages: list[Stage], current: str, step: int) -> Stage | None:
    """The open stage before (-1) or after (+1) ``current``; after the last open stage
    comes the first won stage. None at either end."""
    path = [s for s in stages if s.is_open] + [stage_of_kind(stages, "won")]
    ids = [s.id for s in path]
    if current not in ids:
        # a lost deal goes back to its last open stage with reopen, not with < or >
        return None
    index = ids.index(current) + step
    return path[index] if 0 <= index < len(path) else None


def _new_id(db: Database, label: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", fold(label)).strip("_") or "etape"
    taken = {r[0] for r in db.query("SELECT id FROM deal_stages")}
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    return candidate


def _check_label(db: Database, label: str, except_id: str | None = None) -> str:
    label = label.strip()
    if not label:
        raise ValidationError(_("une étape a besoin d'un nom"), "label")
    if len(label) > 40:
        raise ValidationError(_("nom d'étape trop long (40 caractères au plus)"), "label")
    for row in db.query("SELECT id, label FROM deal_stages WHERE norm_label = ?", (fold(label),)):
        if row[0] != except_id:
            raise ValidationError(_("l'étape « {label} » existe déjà").format(label=row[1]),
                                  "label")
    return label


def _check_probability(probability: int | str) -> int:
    from qualif_tui.domain.money import parse_percent

    return parse_percent(probability, _("probabilité"), "probability")


def add_stage(db: Database, label: str, *, probability: int | str = 50, kind: str = "open",
              after: str | None = None) -> Stage:
    """A new stage, placed after ``after`` (default: after the last open stage)."""
    if kind not in KINDS:
        raise ValidationError(_("type d'étape inconnu « {kind} » (open, won, lost)").format(
            kind=kind), "kind")
    chance = _check_probability(probability)
    with db.transaction():
        label = _check_label(db, label)
        stages = list_stages(db)
        if after is not None:
            anchor = get_stage(db, after, stages)
        else:
            same = [s for s in stages if s.kind == kind] or [s for s in stages if s.is_open]
            anchor = same[-1]
        ordered = [s.id for s in stages]
        new_id = _new_id(db, label)
        ordered.insert(ordered.index(anchor.id) + 1, new_id)
        db.execute("INSERT INTO deal_stages(id, label, norm_label, position, probability, kind)"
                   " VALUES (?,?,?,?,?,?)", (new_id, label, fold(label), 0, chance, kind))
        _renumber(db, ordered)
    return get_stage(db, new_id)


def _renumber(db: Database, ordered: list[str]) -> None:
    for position, stage_id in enumerate(ordered, start=1):
        db.execute("UPDATE deal_stages SET position = ? WHERE id = ?", (position, stage_id))


def update_stage(db: Database, name: str, *, label: str | None = None,
                 probability: int | str | None = None, kind: str | None = None,
                 position: int | None = None) -> Stage:
    """Rename, re-weight, re-kind or move a stage (``position`` 1 = first)."""
    with db.transaction():
        stages = list_stages(db)
        stage = get_stage(db, name, stages)
        if label is not None:
            label = _check_label(db, label, stage.id)
            db.execute("UPDATE deal_stages SET label = ?, norm_label = ? WHERE id = ?",
                       (label, fold(label), stage.id))
        if probability is not None:
            db.execute("UPDATE deal_stages SET probability = ? WHERE id = ?",
                       (_check_probability(probability), stage.id))
        if kind is not None and kind != stage.kind:
            if kind not in KINDS:
                raise ValidationError(_("type d'étape inconnu « {kind} » (open, won, lost)"
                                        ).format(kind=kind), "kind")
            if sum(1 for s in stages if s.kind == stage.kind) == 1:
                raise ValidationError(_("« {label} » est la seule étape {kind} : il en faut une"
                                        ).format(label=stage.label, kind=KINDS[stage.kind]),
                                      "kind")
            db.execute("UPDATE deal_stages SET kind = ? WHERE id = ?", (kind, stage.id))
            recompute_deal_facts(db)
        if position is not None:
            ordered = [s.id for s in stages if s.id != stage.id]
            index = max(0, min(len(ordered), int(position) - 1))
            ordered.insert(index, stage.id)
            _renumber(db, ordered)
    return get_stage(db, stage.id)


def delete_stage(db: Database, name: str) -> Stage:
    """Remove a stage no deal is in (and not the last of its kind)."""
    with db.transaction():
        stages = list_stages(db)
        stage = get_stage(db, name, stages)
        used = int(db.scalar("SELECT count(*) FROM deals WHERE stage = ?", (stage.id,)))
        if used:
            raise ValidationError(_("{n} affaire(s) sont à l'étape « {label} » : déplacez-les"
                                    " d'abord").format(n=used, label=stage.label), "stage")
        if sum(1 for s in stages if s.kind == stage.kind) == 1:
            raise ValidationError(_("« {label} » est la seule étape {kind} : il en faut une"
                                    ).format(label=stage.label, kind=KINDS[stage.kind]), "stage")
        db.execute("DELETE FROM deal_stages WHERE id = ?", (stage.id,))
        _renumber(db, [s.id for s in stages if s.id != stage.id])
    return stage


def recompute_deal_facts(db: Database) -> None:
    """Every contact's deal facts again (which stages are won or lost changed)."""
    statement = BULK_DERIVE_FACTS[BULK_DERIVE_FACTS.index("UPDATE contact_facts SET deals"):]
    with db.transaction():
        db.execute("UPDATE contact_facts SET deals = 0, revenue = 0, open_deals = 0,"
                   " last_purchase = NULL WHERE deals != 0 OR open_deals != 0"
                   " OR last_purchase IS NOT NULL")
        db.execute(statement.strip().rstrip(";"))


# -- the user's lists: lost reasons, categories -------------------------------------


@dataclass(frozen=True)
class Choice:
    id: int
    list: str
    label: str
    position: int


def list_choices(db: Database, which: str) -> list[Choice]:
    """The lost reasons (``lost_reason``) or categories (``category``), in order."""
    return [Choice(r["id"], r["list"], r["label"], r["position"])
            for r in db.query("SELECT id, list, label, position FROM deal_choices WHERE list = ?"
                              " ORDER BY position, id", (which,))]


def find_choice(db: Database, which: str, text: str) -> Choice | None:
    wanted = fold(text)
    for choice in list_choices(db, which):
        if fold(choice.label) == wanted or str(choice.id) == text.strip():
            return choice
    return None


def choice_or_new(db: Database, which: str, text: str) -> Choice:
    """The choice named ``text``, added to the list when it is new (the list grows
    as the user types, as a key's values do)."""
    found = find_choice(db, which, text)
    return found if found is not None else add_choice(db, which, text)


def add_choice(db: Database, which: str, label: str) -> Choice:
    if which not in LISTS:
        raise ValidationError(_("liste inconnue « {which} »").format(which=which), "list")
    label = label.strip()
    if not label:
        raise ValidationError(_("{what} : un libellé est nécessaire").format(what=LISTS[which]),
                              which)
    if len(label) > 60:
        raise ValidationError(_("{what} : 60 caractères au plus").format(what=LISTS[which]), which)
    with db.transaction():
        if find_choice(db, which, label) is not None:
            raise ValidationError(_("{what} « {label} » existe déjà").format(
                what=LISTS[which], label=label), which)
        position = int(db.scalar("SELECT coalesce(max(position), 0) + 1 FROM deal_choices"
                                 " WHERE list = ?", (which,)))
        cursor = db.execute("INSERT INTO deal_choices(list, label, norm_label, position)"
                            " VALUES (?,?,?,?)", (which, label, fold(label), position))
    return Choice(int(cursor.lastrowid or 0), which, label, position)


def rename_choice(db: Database, which: str, old: str, new: str) -> Choice:
    with db.transaction():
        found = find_choice(db, which, old)
        if found is None:
            raise NotFound(_("{what} inconnue « {label} »").format(what=LISTS[which], label=old))
        label = new.strip()
        other = find_choice(db, which, label)
        if not label or (other is not None and other.id != found.id):
            raise ValidationError(_("{what} « {label} » existe déjà").format(
                what=LISTS[which], label=label), which)
        db.execute("UPDATE deal_choices SET label = ?, norm_label = ? WHERE id = ?",
                   (label, fold(label), found.id))
    return Choice(found.id, which, label, found.position)


def delete_choice(db: Database, which: str, label: str) -> int:
    """Remove a choice; the deals that had it keep no value. Returns how many had it."""
    with db.transaction():
        found = find_choice(db, which, label)
        if found is None:
            raise NotFound(_("{what} inconnue « {label} »").format(what=LISTS[which], label=label))
        column = "lost_reason_id" if which == "lost_reason" else "category_id"
        used = int(db.scalar(f"SELECT count(*) FROM deals WHERE {column} = ?", (found.id,)))
        db.execute("DELETE FROM deal_choices WHERE id = ?", (found.id,))
    return used


def move_choice(db: Database, which: str, label: str, step: int) -> Choice:
    """Move a choice up (``step`` < 0) or down the list (the order dialogs offer it in)."""
    with db.transaction():
        found = find_choice(db, which, label)
        if found is None:
            raise NotFound(_("{what} inconnue « {label} »").format(what=LISTS[which], label=label))
        ordered = [c.id for c in list_choices(db, which)]
        index = ordered.index(found.id)
        ordered.insert(max(0, min(len(ordered) - 1, index + step)), ordered.pop(index))
        for position, choice_id in enumerate(ordered, start=1):
            db.execute("UPDATE deal_choices SET position = ? WHERE id = ?", (position, choice_id))
    return next(c for c in list_choices(db, which) if c.id == found.id)


def stage_usage(db: Database) -> dict[str, int]:
    """How many deals are at each stage (what deleting one would need moved first)."""
    return {str(r[0]): int(r[1]) for r in db.query(
        "SELECT stage, count(*) FROM deals GROUP BY stage")}


def choice_usage(db: Database, which: str) -> dict[int, int]:
    """How many deals have each lost reason or category."""
    column = "lost_reason_id" if which == "lost_reason" else "category_id"
    return {int(r[0]): int(r[1]) for r in db.query(
        f"SELECT {column}, count(*) FROM deals WHERE {column} IS NOT NULL GROUP BY {column}")}
