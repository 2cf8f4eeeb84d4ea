"""``qualif contact DB delete ID [--force]``: erase a contact and everything it owns.

A contact with deals or quotes is kept unless ``--force``: deleting it takes
its deals (and so its revenue) and its quotes with it, which an accidental
command line should not do silently.
"""

from __future__ import annotations

import click

from qualif_tui.base.i18n import _
from qualif_tui.cli.common import opened
from qualif_tui.cli.deal_cmd import DbGroup
from qualif_tui.cli.output import fail, out
from qualif_tui.domain.contacts import delete_contact, get_contact
from qualif_tui.domain.deals import owned_counts


@click.group(cls=DbGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("db", type=click.Path(dir_okay=False, path_type=str))
@click.pass_context
def contact(ctx: click.Context, db: str) -> None:
    """Un contact : le supprimer.

    \b
    qualif contact my.db delete 12
    qualif contact my.db delete 12 --force     même avec des affaires ou des devis
    """
    ctx.obj = db


@contact.command()
@click.argument("contact_id", type=int)
@click.option("--force", is_flag=True, help="Supprimer aussi ses affaires et ses devis.")
@click.pass_context
def delete(ctx: click.Context, contact_id: int, force: bool) -> None:
    """Effacer un contact : sa fiche, son historique, ses affaires, ses devis et ses liens."""
    with opened(str(ctx.obj)) as db:
        name = get_contact(db, contact_id, with_keys=False).name
        deals, quotes = owned_counts(db, contact_id)
        if (deals or quotes) and not force:
            fail(_("{name} a {deals} affaire(s) et {quotes} devis, qui seraient supprimés avec"
                   " la fiche : ajoutez --force pour supprimer quand même").format(
                name=name, deals=deals, quotes=quotes), 2)
        delete_contact(db, contact_id)
    out.print(_("{name} supprimé (fiche n° {id})").format(name=name, id=contact_id),
              markup=False)
