"""Your own details, printed at the top of every quote: the app's face of
``qualif quote DB issuer``.

Every field of :class:`~qualif_tui.domain.issuer.Issuer`, the address on two
lines, and the logo as a path to a PNG or JPEG (kept in the file as its bytes,
so the other computer prints it too). The core checks the SIRET (Luhn) and the
French VAT key; a refused value stays next to its field and nothing is
written. Opened from the quote editor and the pipeline (``I``), and offered
when a PDF is asked for before any details are set.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Checkbox, Input, Static

from qualif_tui.base.i18n import _
from qualif_tui.domain.issuer import (
    LABELS,
    LOGO_MAX_BYTES,
    Issuer,
    format_siret,
    load_issuer,
    update_issuer,
)
from qualif_tui.storage import Database
from qualif_tui.tui.dialogs import BlinkInput
from qualif_tui.tui.forms import FormScreen
from qualif_tui.tui.workers import deliver

# the form's fields in order (the address has two lines: address, address2)
FIELDS = ("name", "trade_name", "address", "address2", "postal_code", "city", "email", "phone",
          "siret", "vat_number", "vat_exempt", "payment_terms", "iban", "logo")
SHOWN = {**{name: label[:1].upper() + label[1:] for name, label in LABELS.items()},
         "address": _("Adresse"), "address2": _("Complément"), "logo": _("Logo (PNG, JPEG)")}
REMOVE = "-"


class IssuerForm(FormScreen):
    """Edit the issuer's details; ``save(changes, logo, remove_logo)`` writes them."""

    SAVE_LABEL = _("Vos coordonnées")
    AUTO_FOCUS = "#field-name"

    def __init__(self, issuer: Issuer,
                 save: Callable[[dict[str, Any], str | None, bool], Any]) -> None:
        super().__init__()
        self.issuer = issuer
        self.save = save
        self.TITLE_TEXT = _("Vos coordonnées (en tête de chaque devis)")

    def fields(self) -> ComposeResult:
        issuer = self.issuer
        lines = issuer.address.splitlines()
        current: dict[str, str] = {
            "address": lines[0] if lines else "",
            "address2": " ".join(lines[1:]),
            "siret": format_siret(issuer.siret),
        }
        for name in FIELDS:
            if name == "vat_exempt":
                yield from self.row(name, "", Checkbox(SHOWN[name], issuer.vat_exempt,
                                                       id=f"field-{name}"))
                continue
            if name == "logo":
                size = len(issuer.logo_bytes or b"")
                hint = (_("logo enregistré ({n} Ko) : un chemin le remplace, {dash} l'ôte")
                        .format(n=max(1, size // 1024), dash=REMOVE) if size else
                        _("chemin d'une image, {max} Ko au plus").format(
                            max=LOGO_MAX_BYTES // 1024))
                yield from self.row(name, SHOWN[name], BlinkInput(
                    "", placeholder=hint, id="field-logo"))
                continue
            value = current.get(name, str(getattr(issuer, name, "") or ""))
            yield from self.row(name, SHOWN[name], BlinkInput(value, id=f"field-{name}"))
        yield Static(_("Micro-entrepreneur en franchise : cochez la TVA non applicable, les"
                       " devis porteront la mention de l'article 293 B du CGI."),
                     classes="field-hint")

    def values(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name in FIELDS:
            widget = self.query_one(f"#field-{name}")
            if isinstance(widget, Checkbox):
                found[name] = widget.value
            elif isinstance(widget, Input):
                found[name] = widget.value.strip()
        return found

    def write(self, values: dict[str, Any]) -> Callable[[], Any]:
        before = self.initial
        changes = {k: v for k, v in values.items()
                   if k not in ("address", "address2", "logo") and v != before.get(k)}
        if (values["address"], values["address2"]) != (before.get("address"),
                                                       before.get("address2")):
            changes["address"] = "\n".join(p for p in (values["address"], values["address2"])
                                           if p)
        logo = values["logo"]
        remove = logo == REMOVE
        path = None if remove or not logo else logo
        return lambda: self.save(changes, path, remove)


def open_issuer_form(screen: Screen[Any], db: Database,
                     saved: Callable[[Issuer], object] | None = None) -> None:
    """Read the details (in a worker), then show the form; ``saved`` after a save."""

    def save(changes: dict[str, Any], logo: str | None, remove: bool) -> Issuer:
        return update_issuer(db, changes, logo=logo, remove_logo=remove)

    def closed(result: Issuer | None) -> None:
        if result is None:
            return
        screen.notify(_("Coordonnées enregistrées : {name}").format(
            name=result.trade_name or result.name or "—"))
        if saved is not None:
            saved(result)

    def show(issuer: Issuer) -> None:
        screen.app.push_screen(IssuerForm(issuer, save), closed)

    def read() -> None:
        deliver(screen, show, load_issuer(db))

    screen.run_worker(read, thread=True, group="issuer", exit_on_error=False,
                      description="vos coordonnées")
