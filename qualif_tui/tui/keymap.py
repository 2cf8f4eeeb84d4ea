"""Every key of the app as data: one :class:`Key` per action, with a stable id.

Widgets build their ``BINDINGS`` from these tables, the help screen and the
command palette read them, and a user keymap (``App.set_keymap``) remaps a key
by its id. ``scope`` says which node runs the action: ``app``, ``screen`` (the
screen the table belongs to) or the id of a widget on that screen.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from textual.binding import Binding, BindingType
from textual.dom import DOMNode

from qualif_tui.base.i18n import N_, _


@dataclass(frozen=True)
class Key:
    id: str
    keys: str
    action: str
    description: str
    scope: str = "screen"
    show: bool = False
    key_display: str | None = None
    priority: bool = False
    palette: bool = True
    # fields of the description ("Regrouper par le champ {d}"), filled after translation
    fields: tuple[tuple[str, str], ...] = ()

    @property
    def text(self) -> str:
        """The description in the user's language."""
        return _(self.description).format(**dict(self.fields)) if self.fields \
            else _(self.description)

    def binding(self) -> Binding:
        _SOURCES[self.id] = (self.description, self.fields)
        if self.key_display:
            _DISPLAYS[self.id] = self.key_display
        return Binding(self.keys, self.action, self.text, show=self.show,
                       key_display=_(self.key_display) if self.key_display else None,
                       priority=self.priority, id=self.id)


def bindings(keys: Iterable[Key]) -> list[BindingType]:
    return [key.binding() for key in keys]


def described(keys: str, action: str, description: str, *, id: str,  # noqa: A002 (Binding's)
              **options: Any) -> Binding:
    """A binding outside the key tables: ``description`` written in French, shown in the
    language of the moment the module is imported, and again after ``relocalise``."""
    _SOURCES[id] = (description, ())
    return Binding(keys, action, _(description), id=id, **options)


# The French of every binding's description (and its fields), by binding id.
_SOURCES: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {}
# The French of the key displays that are words (``espace``, ``suppr``), by binding id:
# translated with the descriptions.
_DISPLAYS: dict[str, str] = {}
SPACE = N_("espace")
DELETE = N_("suppr")


def _our_classes(root: type[DOMNode] = DOMNode) -> Iterator[type[DOMNode]]:
    for cls in root.__subclasses__():
        if cls.__module__.startswith("qualif_tui."):
            yield cls
        yield from _our_classes(cls)


def relocalise() -> None:
    """Puts the descriptions of the app's bindings (footer, help, palette) in the
    current language.

    ``BINDINGS`` are made when a module is imported, and Textual merges them per
    class then; their descriptions are written in French (and marked for the
    catalogue by ``scripts/i18n.py``). The app calls this on start, before its
    nodes copy their class's bindings, so that a language set in the same process
    (``set_language``) is the one shown.
    """
    classes = list(dict.fromkeys(_our_classes()))
    for cls in classes:
        declared = cls.__dict__.get("BINDINGS")
        if not declared:
            continue
        translated: list[BindingType] = []
        for binding in declared:
            if isinstance(binding, Binding) and binding.id and binding.description:
                source, fields = _SOURCES.setdefault(binding.id, (binding.description, ()))
                display = _DISPLAYS.get(binding.id)
                binding = replace(binding, description=_(source).format(**dict(fields)),
                                  key_display=_(display) if display else binding.key_display)
            translated.append(binding)
        cls.BINDINGS = translated
    for cls in classes:
        cls._merged_bindings = cls._merge_bindings()


APP_KEYS = (
    Key("app.quit", "ctrl+q", "quit", "Quitter", "app", show=True, priority=True),
    Key("app.help", "f1,question_mark", "help", "Aide (touches)", "app", show=True,
        key_display="?"),
    Key("app.theme", "ctrl+t", "toggle_theme", "Thème clair / sombre", "app"),
    Key("app.agenda", "a", "agenda", "Agenda", "app", show=True),
    Key("app.open_alarm", "ctrl+o", "open_alarm", "Ouvrir la fiche du dernier rappel", "app"),
    Key("app.pipeline", "p", "pipeline", "Pipeline des affaires (et prévision, entonnoir)", "app",
        show=True),
)

MAIN_KEYS = (
    Key("main.search", "slash", "focus_search", "Chercher", show=True, key_display="/"),
    Key("main.save_segment", "ctrl+s", "save_segment", "Enregistrer la recherche en segment"),
    Key("main.next_pane", "tab", "next_pane", "Panneau suivant", palette=False),
    Key("main.previous_pane", "shift+tab", "previous_pane", "Panneau précédent", palette=False),
    Key("main.back", "escape", "back", "Retour à la liste", palette=False),
    Key("main.new", "ctrl+n", "new_contact", "Nouveau contact", show=True),
    Key("main.delete", "ctrl+d", "delete_contact", "Supprimer le contact"),
    Key("main.undo", "u", "undo", "Annuler la dernière action"),
    Key("main.note", "n", "log('note')", "Noter (historique)", show=True),
    Key("main.call", "c", "log('call')", "Consigner un appel"),
    Key("main.email", "e", "log('email')", "Consigner un e-mail"),
    Key("main.meeting", "m", "log('meeting')", "Consigner un rendez-vous"),
    Key("main.task", "t", "add_activity", "Planifier une activité"),
    Key("main.sprint", "Q", "sprint", "Sprint de qualification", show=True),
    Key("main.sort", "s", "cycle_sort", "Changer le tri"),
    Key("main.sidebar", "ctrl+b", "toggle_sidebar", "Afficher / masquer les segments"),
    Key("main.import", "i", "import_file",
        "Importer un fichier (CSV, vCard, xlsx, ics) ou du courrier (mbox, Maildir, .eml, .msg)"),
    Key("main.mail_settings", "M", "mail_settings", "Courrier : vos adresses, texte gardé"),
    Key("main.export", "ctrl+e", "export_result", "Exporter le résultat (CSV, vCard, xlsx…)"),
    Key("main.copy_emails", "y", "copy_addresses('semicolon')",
        "Copier les adresses e-mail (séparées par ;)", show=True),
    Key("main.copy_emails_lines", "Y", "copy_addresses('lines')",
        "Copier les adresses e-mail (une par ligne)"),
    Key("main.reports", "r", "open_report", "Rapports (CA par source, entonnoir…)"),
    Key("main.duplicates", "D", "duplicates", "Doublons"),
    Key("main.keys", "K", "keys", "Clés et valeurs (renommer, fusionner, types, rappels)"),
    Key("main.refresh", "f5", "refresh", "Actualiser"),
    Key("main.new_campaign", "ctrl+k", "new_campaign", "Nouvelle campagne (du résultat)"),
    Key("main.campaigns", "C", "campaigns", "Campagnes"),
    Key("main.form", "f2", "show_pane('form')", "Fiche : qualification"),
    Key("main.timeline", "f3", "show_pane('timeline')", "Fiche : historique"),
    Key("main.agenda_pane", "f4", "show_pane('agenda')", "Fiche : agenda"),
    Key("main.deals_pane", "f6", "show_pane('deals')", "Fiche : affaires et devis"),
)

LIST_KEYS = (
    Key("list.down", "j,down", "cursor_down", "Contact suivant", "contacts", palette=False),
    Key("list.up", "k,up", "cursor_up", "Contact précédent", "contacts", palette=False),
    Key("list.page_down", "pagedown", "page_down", "Page suivante", "contacts", palette=False),
    Key("list.page_up", "pageup", "page_up", "Page précédente", "contacts", palette=False),
    Key("list.first", "home,g", "first", "Premier contact", "contacts"),
    Key("list.last", "end,G", "last", "Dernier contact", "contacts"),
    Key("list.edit", "enter", "choose", "Modifier le contact", "contacts"),
)

SEARCH_KEYS = (
    Key("search.older", "up", "history(-1)", "Recherche précédente", "query", palette=False),
    Key("search.newer", "down", "history(1)", "Recherche suivante", "query", palette=False),
    Key("search.complete", "tab", "complete", "Compléter (clé, valeur, lieu, segment)", "query",
        palette=False),
    Key("search.reference", "f1", "reference", "Le langage des requêtes", "query",
        key_display="F1 ?"),
)

FORM_KEYS = (
    Key("form.down", "j,down", "focus_field(1)", "Champ suivant", "form", palette=False),
    Key("form.up", "k,up", "focus_field(-1)", "Champ précédent", "form", palette=False),
)

KEY_FIELD_KEYS = (
    Key("key.clear", "delete,backspace", "clear", "Effacer la valeur", "keyfield",
        palette=False),
    Key("key.edit", "enter", "edit", "Saisir / choisir la valeur", "keyfield", palette=False),
)

COORDS_KEYS = (
    Key("coords.edit", "enter", "edit", "Modifier les coordonnées", "coords", palette=False),
)

SIDEBAR_KEYS = (
    Key("sidebar.down", "j", "cursor_down", "Segment suivant", "sidebar", palette=False),
    Key("sidebar.up", "k", "cursor_up", "Segment précédent", "sidebar", palette=False),
)

ENTRY_LIST_KEYS = (
    Key("timeline.down", "j", "cursor_down", "Entrée suivante", "timeline", palette=False),
    Key("timeline.up", "k", "cursor_up", "Entrée précédente", "timeline", palette=False),
)

TIMELINE_KEYS = (
    Key("timeline.filter", "f", "filter", "Filtrer l'historique", "timeline-pane"),
)

AGENDA_KEYS = (
    Key("agenda.done", "x", "done", "Marquer l'activité faite", "activities"),
    Key("agenda.down", "j", "cursor_down", "Activité suivante", "activities", palette=False),
    Key("agenda.up", "k", "cursor_up", "Activité précédente", "activities", palette=False),
)

CALENDAR_KEYS = (
    Key("calendar.day", "d", "show('day')", "Jour", show=True),
    Key("calendar.week", "w", "show('week')", "Semaine", show=True),
    Key("calendar.month", "M", "show('month')", "Mois", show=True),
    Key("calendar.tasks", "t", "show('tasks')", "Tâches", show=True),
    Key("calendar.previous", "left_square_bracket", "move(-1)", "Préc.", show=True,
        key_display="["),
    Key("calendar.next", "right_square_bracket", "move(1)", "Suiv.", show=True,
        key_display="]"),
    Key("calendar.today", "full_stop", "today", "Aujourd'hui", show=True, key_display="."),
    Key("calendar.done", "x", "complete('done')", "Fait", show=True),
    Key("calendar.not_held", "n", "complete('cancelled')", "Non tenu", show=True),
    Key("calendar.reschedule", "r", "reschedule", "Reporter", show=True),
    Key("calendar.priority", "p", "priority", "Priorité", show=True),
    Key("calendar.convert", "c", "convert", "Transformer le rappel en tâche"),
    Key("calendar.new", "ctrl+n", "new_activity", "Nouvelle activité", show=True),
    Key("calendar.left", "left", "cursor(-1)", "Jour / colonne précédente", palette=False),
    Key("calendar.right", "right", "cursor(1)", "Jour / colonne suivante", palette=False),
    Key("calendar.up", "up", "cursor(-7)", "Semaine précédente / élément précédent",
        palette=False),
    Key("calendar.down", "down", "cursor(7)", "Semaine suivante / élément suivant",
        palette=False),
    Key("calendar.open", "enter", "open", "Ouvrir la fiche du contact (ou le jour)"),
    Key("calendar.close", "escape", "close", "Fermer", show=True),
)

IMPORT_KEYS = (
    Key("import.run", "ctrl+s", "run", "Importer", show=True),
    Key("import.close", "escape", "close", "Fermer sans importer", show=True),
)

EXPORT_KEYS = (
    Key("export.run", "ctrl+s", "run", "Exporter", show=True),
    Key("export.close", "escape", "close", "Fermer", show=True),
)

PICK_KEYS = (
    Key("pick.cancel", "escape", "cancel", "Annuler", palette=False),
    Key("pick.down", "j", "pick_down", "Valeur suivante", palette=False),
    Key("pick.up", "k", "pick_up", "Valeur précédente", palette=False),
)

SPRINT_KEYS = (
    Key("sprint.leave", "escape", "leave", "Quitter le sprint", show=True),
    Key("sprint.undo", "u", "undo", "Annuler la dernière réponse", show=True),
    Key("sprint.skip_key", "space,right", "skip_key", "Passer cette clé", show=True,
        key_display=SPACE),
    Key("sprint.skip_contact", "down,pagedown", "skip_contact", "Passer ce contact",
        show=True, key_display="↓"),
    Key("sprint.edit", "enter", "edit", "Saisir la valeur", palette=False),
)

CAMPAIGNS_KEYS = (
    Key("campaigns.open", "enter", "open", "Destinataires et réponses", show=True,
        key_display="↵"),
    Key("campaigns.template", "e", "template", "Modèle du message", show=True),
    Key("campaigns.send", "s", "send", "Envoyer", show=True),
    Key("campaigns.delete", "ctrl+d", "delete", "Supprimer la campagne"),
    Key("campaigns.refresh", "f5", "refresh", "Actualiser"),
    Key("campaigns.close", "escape", "close", "Fermer", show=True),
)

RESPONSES_KEYS = (
    Key("responses.none", "0", "respond('none')", "Réponse : aucune", palette=False),
    Key("responses.replied", "1,r", "respond('replied')", "Réponse : ouvert / répondu",
        show=True, key_display="1 r"),
    Key("responses.meeting", "2,v", "respond('meeting')", "Réponse : rendez-vous", show=True,
        key_display="2 v"),
    Key("responses.quote", "3,d", "respond('quote')", "Réponse : devis", show=True,
        key_display="3 d"),
    Key("responses.order", "4,c", "respond('order')", "Réponse : commande", show=True,
        key_display="4 c"),
    Key("responses.unsubscribed", "5,x", "respond('unsubscribed')", "Réponse : désinscrit",
        show=True, key_display="5 x"),
    Key("responses.bounced", "6,b", "respond('bounced')", "Réponse : NPAI / rejeté", show=True,
        key_display="6 b"),
    Key("responses.down", "j,down", "cursor_down", "Destinataire suivant", palette=False),
    Key("responses.up", "k,up", "cursor_up", "Destinataire précédent", palette=False),
    Key("responses.card", "enter", "card", "Fiche du contact"),
    Key("responses.close", "escape", "close", "Fermer", show=True),
)

TEMPLATE_KEYS = (
    Key("template.save", "ctrl+s", "save", "Enregistrer le modèle", show=True),
    Key("template.previous", "f7", "recipient(-1)", "Destinataire précédent", show=True),
    Key("template.next", "f8", "recipient(1)", "Destinataire suivant", show=True),
    Key("template.close", "escape", "close", "Fermer", show=True),
)

SEND_KEYS = (
    Key("send.run", "ctrl+s", "run", "Envoyer", show=True),
    Key("send.test", "ctrl+t", "test", "M'envoyer un message de test", show=True),
    Key("send.pause", "space,p", "pause", "Pause / reprise", show=True, key_display=SPACE),
    Key("send.close", "escape", "close", "Fermer (l'envoi s'arrête)", show=True),
)

NEW_VALUE_KEYS = (
    Key("new_value.suggested", "m", "suggested", "Prendre la valeur suggérée", "new-values",
        palette=False),
    Key("new_value.choose", "c", "choose", "Choisir une valeur existante", "new-values",
        palette=False),
    Key("new_value.add", "a", "add", "Ajouter la valeur à la liste", "new-values",
        palette=False),
    Key("new_value.empty", "v", "empty", "Laisser vide (texte gardé en champ libre)",
        "new-values", palette=False),
)

DUPLICATE_KEYS = (
    Key("dup.merge", "f", "merge", "Fusionner la paire", show=True),
    Key("dup.not", "n", "not_duplicate", "Pas un doublon (ne plus proposer)", show=True),
    Key("dup.left", "left,h", "left", "Garder la valeur de gauche", show=True,
        key_display="←"),
    Key("dup.right", "right,l", "right", "Garder la valeur de droite", show=True,
        key_display="→"),
    Key("dup.both", "b", "both", "Garder les deux (choix multiple)", show=True),
    Key("dup.next", "space,pagedown", "next", "Paire suivante", show=True,
        key_display=SPACE),
    Key("dup.previous", "pageup", "previous", "Paire précédente"),
    Key("dup.undo", "u", "undo", "Annuler la dernière fusion"),
    Key("dup.close", "escape", "close", "Fermer", show=True),
)

CUSTOM_FIELD_KEYS = (
    Key("custom.edit", "enter", "edit", "Modifier le champ libre", "custom-field",
        palette=False),
    Key("custom.clear", "delete", "clear", "Effacer le champ libre", "custom-field",
        palette=False),
    Key("custom.promote", "P", "promote", "Faire du champ libre une clé", "custom-field",
        palette=False),
)

KEYS_SCREEN_KEYS = (
    Key("keys.rename", "r", "rename", "Renommer la clé ou la valeur", show=True),
    Key("keys.merge", "m", "merge", "Fusionner la valeur dans une autre", show=True),
    Key("keys.delete", "delete", "delete", "Supprimer la valeur ou la clé", show=True,
        key_display=DELETE),
    Key("keys.up", "ctrl+up", "move(-1)", "Monter la valeur", key_display="ctrl+↑"),
    Key("keys.down", "ctrl+down", "move(1)", "Descendre la valeur", key_display="ctrl+↓"),
    Key("keys.type", "t", "retype", "Changer le type de la clé (essai d'abord)", show=True),
    Key("keys.remind", "R", "remind", "Rappel d'une clé date ou mois (délai)", show=True),
    Key("keys.undo", "u", "undo", "Annuler la dernière modification", show=True),
    Key("keys.close", "escape", "close", "Fermer", show=True),
)

# The card's deals and quotes (ctrl+p is the command palette everywhere: the PDF is P).
DEAL_KEYS = (
    Key("deals.new", "ctrl+n", "new", "Nouvelle affaire", "deals"),
    Key("deals.edit", "enter", "edit", "Modifier l'affaire", "deals"),
    Key("deals.next", "greater_than_sign", "step(1)", "Affaire : étape suivante", "deals",
        key_display=">"),
    Key("deals.previous", "less_than_sign", "step(-1)", "Affaire : étape précédente", "deals",
        key_display="<"),
    Key("deals.won", "w", "won", "Affaire gagnée", "deals"),
    Key("deals.lost", "l", "lost", "Affaire perdue (raison)", "deals"),
    Key("deals.reopen", "o", "reopen", "Rouvrir l'affaire", "deals"),
    Key("deals.delete", "delete", "delete", "Supprimer l'affaire", "deals"),
    Key("deals.quote", "q", "quote", "Nouveau devis (pour l'affaire)", "deals"),
    Key("deals.down", "j", "cursor_down", "Affaire suivante", "deals", palette=False),
    Key("deals.up", "k", "cursor_up", "Affaire précédente", "deals", palette=False),
)

QUOTE_KEYS = (
    Key("quotes.open", "enter", "open", "Ouvrir le devis (lignes)", "quotes"),
    Key("quotes.new", "q", "new", "Nouveau devis", "quotes"),
    Key("quotes.pdf", "P", "pdf", "Devis en PDF", "quotes", key_display="P"),
    Key("quotes.down", "j", "cursor_down", "Devis suivant", "quotes", palette=False),
    Key("quotes.up", "k", "cursor_up", "Devis précédent", "quotes", palette=False),
)

QUOTE_EDITOR_KEYS = (
    Key("quote.add", "a,ctrl+n", "add_line", "Ajouter une ligne", show=True, key_display="a"),
    Key("quote.edit", "enter", "edit_line", "Modifier la ligne", palette=False),
    Key("quote.delete", "delete", "delete_line", "Supprimer la ligne", show=True,
        key_display=DELETE),
    Key("quote.up", "ctrl+up", "move_line(-1)", "Monter la ligne"),
    Key("quote.down", "ctrl+down", "move_line(1)", "Descendre la ligne"),
    Key("quote.fields", "f", "edit_fields", "Objet, validité, notes", show=True),
    Key("quote.send", "e", "status('send')", "Marquer envoyé", show=True),
    Key("quote.accept", "A", "status('accept')", "Accepté (affaire gagnée)", show=True),
    Key("quote.refuse", "R", "status('refuse')", "Refusé"),
    Key("quote.version", "v", "copy('version')", "Nouvelle version", show=True),
    Key("quote.duplicate", "D", "copy('duplicate')", "Dupliquer"),
    Key("quote.pdf", "P", "pdf", "PDF", show=True),
    Key("quote.issuer", "I", "issuer", "Vos coordonnées (en tête des devis)"),
    Key("quote.close", "escape", "close", "Fermer", show=True),
)

PIPELINE_KEYS = (
    Key("pipeline.toggle", "t", "toggle_layout", "Colonnes / liste", show=True),
    Key("pipeline.kanban", "1", "view('kanban')", "Colonnes par étape"),
    Key("pipeline.list", "2", "view('list')", "Liste par date de clôture"),
    Key("pipeline.forecast", "3", "view('forecast')", "Prévision par mois", show=True),
    Key("pipeline.funnel", "4", "view('funnel')", "Entonnoir", show=True),
    Key("pipeline.left", "left,h", "column(-1)", "Étape précédente (colonne)", palette=False),
    Key("pipeline.right", "right", "column(1)", "Étape suivante (colonne)", palette=False),
    Key("pipeline.down", "down", "move(1)", "Affaire suivante", palette=False),
    Key("pipeline.up", "up", "move(-1)", "Affaire précédente", palette=False),
    Key("pipeline.page_down", "pagedown", "page(1)", "Page suivante", palette=False),
    Key("pipeline.page_up", "pageup", "page(-1)", "Page précédente", palette=False),
    Key("pipeline.first", "home", "edge(0)", "Première affaire", palette=False),
    Key("pipeline.last", "end", "edge(1)", "Dernière affaire", palette=False),
    Key("pipeline.open", "enter", "open", "Fiche du contact", show=True),
    Key("pipeline.next", "greater_than_sign", "step(1)", "Affaire : étape suivante", show=True,
        key_display=">"),
    Key("pipeline.previous", "less_than_sign", "step(-1)", "Affaire : étape précédente",
        key_display="<"),
    Key("pipeline.won", "w", "won", "Gagnée", show=True),
    Key("pipeline.lost", "l", "lost", "Perdue"),
    Key("pipeline.longer", "right_square_bracket", "period(1)", "Période plus longue",
        key_display="]"),
    Key("pipeline.shorter", "left_square_bracket", "period(-1)", "Période plus courte",
        key_display="["),
    Key("pipeline.import", "i", "import_deals", "Importer des affaires (CSV, xlsx)"),
    Key("pipeline.export", "ctrl+e", "export_deals", "Exporter les affaires (CSV, xlsx, JSON)"),
    Key("pipeline.undo", "u", "undo", "Annuler la dernière action (un import…)"),
    Key("pipeline.stages", "S", "stage_table", "Étapes, raisons de perte, catégories"),
    Key("pipeline.issuer", "I", "issuer", "Vos coordonnées (en tête des devis)"),
    Key("pipeline.refresh", "f5", "reload", "Actualiser"),
    Key("pipeline.close", "escape", "close", "Fermer", show=True),
)

QUOTE_PDF_KEYS = (
    Key("quote_pdf.run", "ctrl+s", "run", "Écrire le PDF", show=True),
    Key("quote_pdf.close", "escape", "close", "Fermer", show=True),
)

STAGE_TABLE_KEYS = (
    Key("stages.add", "ctrl+n", "add", "Ajouter", show=True),
    Key("stages.edit", "enter", "edit", "Modifier", show=True),
    Key("stages.delete", "delete", "delete", "Supprimer", show=True, key_display=DELETE),
    Key("stages.up", "ctrl+up", "move(-1)", "Monter"),
    Key("stages.down", "ctrl+down", "move(1)", "Descendre"),
    Key("stages.stages", "1", "show('stages')", "Étapes"),
    Key("stages.reasons", "2", "show('lost_reason')", "Raisons de perte"),
    Key("stages.categories", "3", "show('category')", "Catégories"),
    Key("stages.next", "tab", "cycle(1)", "Liste suivante", palette=False),
    Key("stages.previous", "shift+tab", "cycle(-1)", "Liste précédente", palette=False),
    Key("stages.close", "escape", "close", "Fermer", show=True),
)

# Every table, for the palette and the help screen.
ALL_KEYS: tuple[Key, ...] = (APP_KEYS + MAIN_KEYS + LIST_KEYS + SEARCH_KEYS + FORM_KEYS
                             + KEY_FIELD_KEYS + COORDS_KEYS + SIDEBAR_KEYS + ENTRY_LIST_KEYS
                             + TIMELINE_KEYS + AGENDA_KEYS + CALENDAR_KEYS + IMPORT_KEYS
                             + EXPORT_KEYS + PICK_KEYS
                             + SPRINT_KEYS + DEAL_KEYS + QUOTE_KEYS + QUOTE_EDITOR_KEYS
                             + PIPELINE_KEYS + STAGE_TABLE_KEYS + QUOTE_PDF_KEYS + NEW_VALUE_KEYS + DUPLICATE_KEYS
                             + CUSTOM_FIELD_KEYS + KEYS_SCREEN_KEYS + CAMPAIGNS_KEYS
                             + RESPONSES_KEYS + TEMPLATE_KEYS + SEND_KEYS)
