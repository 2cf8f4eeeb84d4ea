"""``--explain``: how a query runs — criteria, evaluation mode, SQL and SQLite's plans."""

from __future__ import annotations

from qualif_tui.base.i18n import _
from qualif_tui.query.compiled import CompiledQuery
from qualif_tui.query.engine import QueryEngine
from qualif_tui.query.pages import (
    WALKS,
    from_clause,
    list_sql,
    page_request,
    sql_membership,
    walk_sql,
)
from qualif_tui.query.plan import Negate, describe, render
from qualif_tui.query.plan import tables as plan_tables
from qualif_tui.storage import Database


def explain(db: Database, query: CompiledQuery, *, sort: str = "name", limit: int = 50
            ) -> list[str]:
    """How the count and the first page are computed: plans, SQL, SQLite's query plans."""
    engine = QueryEngine.of(db)
    keys = engine.state.current_keys()
    lines = [f"query: {query.text!r}", "criteria:"]
    with engine.state.lock:
        result = engine.bitmap_result(query)
        bitmaps = result is not None
        lines += ["  " + line for line in describe(query.plan, bitmaps=bitmaps)]
        lines.append("count: " + ("bitmaps in memory (warm_up)" if bitmaps else "SQL"))
        if not bitmaps and not query.is_everything and not query.is_nothing:
            plan = query.plan
            sign = ""
            if isinstance(plan, Negate):
                sign = "all contacts minus "
                plan = plan.child
            where, where_params = render(plan)
            sql = f"SELECT count(*) FROM {from_clause(plan_tables(plan))} WHERE {where}"
            lines += [f"  {sign}{sql}", f"  parameters: {list(where_params)!r}"]
            lines += [f"    {row[3]}" for row in db.query(f"EXPLAIN QUERY PLAN {sql}",
                                                           where_params)]
        page = page_request(sort, None, None, limit, False)
        chosen, matches, total = ("walk", engine.total(), engine.total()) if (
            query.is_everything) else engine.choose_plan(query, page, bitmaps)
        lines.append(_("trouvés : {matches} sur {total}").format(matches=matches, total=total))
        how = {"walk": _("parcourir l'index {sort} dans l'ordre, garder les trouvés jusqu'à {limit}")
                       .format(sort=sort, limit=limit),
               "list": _("trier les numéros trouvés, prendre la première page"),
               "empty": _("rien à lire")}[chosen]
        lines.append(_("première page ({sort}) : {how}").format(sort=sort, how=how))
        if chosen == "empty":
            return lines
        if chosen == "list":
            sql, params = list_sql(page, keys, "[…ids…]")
        elif bitmaps or query.is_everything:
            membership = "1" if query.is_everything else (
                f"qualif_in(?, {WALKS[sort].ident})")
            sql, params = walk_sql(query, page, keys, membership,
                                    [] if query.is_everything else [0])
        else:
            sql, params = walk_sql(query, page, keys, sql_membership(query, WALKS[sort]),
                                    query.params)
        lines += [f"  {sql}", f"  parameters: {params!r}"]
        explain_params = ["[]" if p == "[…ids…]" else p for p in params]
        lines += [f"    {row[3]}" for row in db.query(f"EXPLAIN QUERY PLAN {sql}",
                                                       explain_params)]
    return lines
