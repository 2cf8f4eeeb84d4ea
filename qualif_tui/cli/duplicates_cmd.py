"""``qualif duplicates``: probable duplicates, best first, with a score and the reasons."""

from __future__ import annotations

import json
import sys

import click
from rich.table import Table

from qualif_tui.base.i18n import _
from qualif_tui.base.text import display_name
from qualif_tui.cli.common import QueryCommand, database_argument, opened
from qualif_tui.cli.output import out, tell
from qualif_tui.services.duplicates import DEFAULT_MIN_SCORE, scan


@click.command(cls=QueryCommand)
@database_argument
@click.argument("query", nargs=-1, type=click.UNPROCESSED)
@click.option("--min-score", type=click.IntRange(0, 100), default=DEFAULT_MIN_SCORE,
              show_default=True, help=_("Ne montrer que les paires d'au moins ce score (0–100)."))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--limit", type=click.IntRange(min=0), default=None,
              help=_("Au plus N paires (par défaut : 100 en tableau, toutes en JSON)."))
def duplicates(db: str, query: tuple[str, ...], min_score: int, fmt: str,
               limit: int | None) -> None:
    """Les doublons probables (parmi les contacts de QUERY, ou de tout le fichier).

    \b
    qualif duplicates my.db
    qualif duplicates my.db 'created:7d' --min-score 80
    qualif duplicates my.db --format json

    Chaque paire a un score (0–100) et ses raisons : même e-mail, même téléphone,
    noms proches (accents, traits d'union, prénom et nom inversés, fautes de
    frappe) dans la même société, le même code postal ou le même domaine.
    Fusionner : qualif merge DB ID ID ; « pas un doublon » :
    qualif merge DB ID ID --not-duplicates.
    """
    with opened(db, readonly=True) as database:
        report = scan(database, " ".join(query), min_score=min_score)
        pairs = report.pairs if limit is None and fmt == "json" else \
            report.pairs[:100 if limit is None else limit]
        if fmt == "json":
            write = sys.stdout.write
            write("[")
            for index, pair in enumerate(pairs):
                write(("\n  " if index == 0 else ",\n  ")
                      + json.dumps(pair.as_json(), ensure_ascii=False))
            write("\n]\n" if pairs else "]\n")
            return
        ids = sorted({i for p in pairs for i in (p.a, p.b)})
        names: dict[int, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for row in database.query(
                    "SELECT id, first_name, last_name, company, city FROM contacts WHERE id IN"
                    f" ({','.join('?' * len(chunk))})", chunk):
                name = display_name(row["first_name"], row["last_name"], row["company"])
                names[int(row["id"])] = name + (f" ({row['city']})" if row["city"] else "")
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    table.add_column(_("Score"), justify="right")
    table.add_column(_("Fiches"), no_wrap=True)
    table.add_column(_("Contact 1"), overflow="ellipsis", max_width=30)
    table.add_column(_("Contact 2"), overflow="ellipsis", max_width=30)
    table.add_column(_("Raisons"))
    for pair in pairs:
        table.add_row(str(pair.score), f"{pair.a} {pair.b}", names.get(pair.a, ""),
                      names.get(pair.b, ""), ", ".join(pair.reasons))
    out.print(table)
    shown = len(pairs)
    total = len(report.pairs)
    out.print(_("{shown} paire(s) sur {total} (score ≥ {min}) parmi {contacts} contacts")
              .format(shown=shown, total=total, min=min_score, contacts=report.contacts),
              markup=False, style="dim")
    if report.dismissed:
        tell(_("{n} paire(s) marquée(s) « pas un doublon » ne sont plus proposées")
             .format(n=report.dismissed))
