"""The query language, told once: the app's help (F1 in the search bar) and docs/query-language.md.

Sections of (examples, meaning) rows and notes, in the user's language
(:func:`qualif_tui.base.i18n._`). The app lays them out in its help screen;
``scripts/gen_docs.py`` writes them as Markdown into ``docs/query-language.md``
(CI checks that file is current), so the two never say different things. The
built-in fields come from :data:`.fields.BUILTINS`, the limits from the parser:
a field or limit added there is documented here without a second edit.
"""

from __future__ import annotations

from dataclasses import dataclass

from qualif_tui.base.i18n import _
from qualif_tui.query.fields import BUILTINS, SPECIALS
from qualif_tui.query.parser import MAX_CRITERIA, MAX_DEPTH, MAX_VALUES


@dataclass(frozen=True)
class Row:
    examples: tuple[str, ...]  # what one types (never translated)
    meaning: str


@dataclass(frozen=True)
class Section:
    title: str
    rows: tuple[Row, ...] = ()
    notes: tuple[str, ...] = ()


def _row(examples: str, meaning: str) -> Row:
    return Row(tuple(examples.split("  ")), meaning)


def _builtin_rows() -> tuple[Row, ...]:
    return tuple(Row((field.name, *field.aliases), field.label) for field in BUILTINS)


def _special_aliases(word: str) -> str:
    return ", ".join(alias for alias, meant in SPECIALS.items() if meant == word and alias != word)


def sections() -> list[Section]:
    """The whole reference, in the user's language."""
    return [
        Section(_("En bref"), (), (
            _("Une ligne, la même dans la barre de recherche de l'application, dans les "
              "segments enregistrés et pour qualif query. Les exemples utilisent des clés de "
              "qualification qu'un fichier peut avoir (profil, budget, canaux, newsletter, "
              "rappel, mise_en_service) : celles de votre fichier sont dans la liste des "
              "clés (qualif key list)."),
        )),
        Section(_("Un critère"), (
            _row("profil:client  Profil:Client",
                 _("la clé de qualification (ou le champ) vaut cette valeur ; majuscules et "
                   "accents ne comptent jamais")),
            _row("profil:client,prospect", _("l'une des valeurs")),
            _row("canaux:e-mail", _("clé à choix multiples : cette valeur est parmi celles du "
                                    "contact")),
            _row("newsletter:oui  newsletter:non", _("clé oui/non (yes, no, 1, 0 aussi)")),
            _row('mise_en_service:2012  mise-en-service:2012  "Mise en service":2012',
                 _("un nom de clé avec des espaces : _ ou - à leur place, ou entre guillemets")),
            _row('source:"foire/salon"  source:“bouche à oreille”',
                 _("une valeur avec espaces ou ponctuation, entre guillemets (\"…\", “…”, «…») ; "
                   "\\\" et \\\\ dans les guillemets")),
        )),
        Section(_("Combiner"), (
            _row("a b  a AND b  a ET b", _("les deux (ET est implicite)")),
            _row("a OR b  a OU b", _("l'un ou l'autre ; OR en majuscules (or en minuscules est un mot "
                                     "à chercher)")),
            _row("a b OR c", _("ET passe avant OU : (a b) OR c")),
            _row("( … )", _("regroupe")),
            _row("-profil:client  NOT profil:client  SAUF profil:client",
                 _("négation ; un contact sans valeur pour la clé y répond")),
        )),
        Section(_("Nombres"), (
            _row("budget:15000  budget>10000  budget>=10000  budget<5000  budget<=5000",
                 _("égal, plus grand, plus petit")),
            _row("budget:10000..20000  budget:20000..10000",
                 _("intervalle, bornes comprises, dans un sens ou dans l'autre")),
            _row("budget:10000..  budget:..20000", _("intervalle ouvert d'un côté")),
            _row('budget:9999.5  budget:"9999,5"',
                 _("décimales : un point, ou une virgule entre guillemets (seule, la virgule "
                   "sépare des valeurs)")),
        )),
        Section(_("Dates"), (
            _row("created:2024  created:2024-06  created:2024-06-15  created:15/06/2024",
                 _("une période : l'année, le mois, le jour (jour avant mois : 15/06/2024, "
                   "06/2024)")),
            _row("created>2024  created>=2024  created<2024  created<=2024",
                 _("après toute l'année, dès son premier jour, avant elle, jusqu'à son "
                   "dernier jour")),
            _row("mise_en_service:2010..2012", _("de début 2010 à fin 2012 (décembre 2012 "
                                                 "compris)")),
            _row("last_contact<6m  last_contact<2y",
                 _("il y a plus de six mois, plus de deux ans : 30d 8w 6m 2y (ou 30j 8s 6m 2a) "
                   "comptent en arrière depuis aujourd'hui")),
            _row("created:30d", _("depuis 30 jours (jusqu'à aujourd'hui)")),
            _row("last_contact:1y..6m", _("il y a entre six mois et un an")),
            _row("next_activity<today  rappel:demain  next_activity<+7d",
                 _("today, aujourd'hui, hier, demain ; +7d : dans sept jours")),
        ), (
            _("Une clé « mois » (AAAA-MM) compare des mois : mise_en_service:2012-06..2013 "
              "va de juin 2012 à décembre 2013."),
        )),
        Section(_("Présence"), (
            _row("has:email  avec:email", _("une valeur est là")),
            _row("missing:profil  sans:profil", _("pas de valeur (pour une clé : contact pas "
                                                  "encore qualifié)")),
            _row("-has:email", _("la même chose que missing:email")),
        )),
        Section(_("Géographie (d'après le code postal)"), (
            _row("dept:31,81  dept:2A,2B  dept:971", _("départements : numéros, Corse, "
                                                       "outre-mer")),
            _row("dept:haute-garonne  dept:\"Pyrénées-Orientales\"",
                 _("départements par leur nom ({aliases} aussi)").format(
                     aliases=_special_aliases("dept"))),
            _row('region:occitanie  region:paca  region:"midi-pyrenees"',
                 _("régions actuelles et d'avant 2016, par nom ou sigle")),
        )),
        Section(_("Segments"), (
            _row('segment:"Clients Occitanie"  groupe:"Mailing juin"',
                 _("un segment enregistré : dynamique (sa requête, relue à chaque fois) ou "
                   "figé (sa liste)")),
            _row('segment:"Clients Occitanie" dupont', _("combiné comme tout autre critère")),
        ), (
            _("Un segment peut en utiliser d'autres, jamais lui-même, même par un détour : "
              "c'est une erreur (« segment cycle »), pas une attente sans fin."),
        )),
        Section(_("Texte libre"), (
            _row("dupont  hél", _("les contacts dont un mot commence ainsi : nom, prénom, "
                                 "société, e-mail, ville, notes et historique")),
            _row("dupont devis", _("tous les mots, dans la fiche ou dans une même entrée "
                                   "d'historique")),
            _row('"portes ouvertes"', _("une expression : ces mots à la suite, le dernier en "
                                        "début de mot")),
        )),
        Section(_("Champs de la fiche et faits calculés"), _builtin_rows(), (
            _("Un champ texte compare la valeur entière, sans majuscules ni accents ; * est "
              "un joker, sauf entre guillemets : societe:garage*  cp:31*  email:*@orange.fr."),
            _("Un téléphone se compare sous toutes ses écritures : phone:0612345678 = "
              "phone:\"+33 6 12 34 56 78\"."),
            _("Faits calculés : dernier contact (le dernier appel, e-mail ou rendez-vous de "
              "l'historique), prochaine activité, affaires gagnées et leur montant, affaires "
              "en cours."),
        )),
        Section(_("Affaires et historique"), (
            _row("won:2026  lost:2026-03  deal_created:2026  expected_close:2026",
                 _("une affaire gagnée, perdue, créée, à clôturer dans la période")),
            _row("reached:proposal  atteint:Proposition",
                 _("une affaire arrivée à cette étape : elle y est, est allée plus loin ou y "
                   "est passée (une affaire perdue compte jusqu'à l'étape ouverte la plus "
                   "avancée) ; une étape gagnée ou perdue : l'affaire y est")),
            _row('deal:(won:2026 deal_category:"Véhicule neuf")  affaire:(perdu:2026 raison:Prix)',
                 _("une même affaire remplit tous les critères entre parenthèses (sans elles, "
                   "chaque critère peut venir d'une affaire différente)")),
            _row("deal:(deal_created:2026 reached:proposal)  deal:(etape:lead OR -has:won)",
                 _("dans les parenthèses : champs des affaires, has:/missing: de ces champs, "
                   "OR, - et NOT")),
            _row("contacted:2026-03  joint:30d",
                 _("au moins un appel, e-mail, rendez-vous… de l'historique dans la période "
                   "(pas seulement le dernier : last_contact)")),
        ), (
            _("Sans deal:( … ), won:2026 deal_category:X demande une affaire gagnée en 2026 "
              "et une affaire de la catégorie X, qui peuvent être deux affaires différentes."),
        )),
        Section(_("Champs libres et valeurs à vérifier"), (
            _row('budget>1000  "date de naissance du conjoint":1970..1975  origine:salon',
                 _("un champ libre (une colonne importée qui n'est pas une clé), par son nom : "
                   "comparé en nombres ou en dates quand ses valeurs en sont, sinon en texte")),
            _row("has:parrain  missing:parrain", _("un champ libre rempli ou non")),
            _row("invalid:email  invalid:postal_code  invalide:cp",
                 _("une adresse e-mail ou un code postal français gardés bien qu'invalides "
                   "(la fiche le signale)")),
        ), (
            _("Un nom qui n'est ni une clé ni un champ de la fiche désigne un champ libre : "
              "qualif field list les montre."),
        )),
        Section(_("Erreurs et limites"), (), (
            _("Une requête mal formée est une erreur qui montre où elle se trompe et "
              "propose une correction (profl:client : la clé la plus proche, profil), jamais "
              "un résultat vide en silence."),
            _("Une valeur inconnue d'une clé à choix est un avertissement qui liste les "
              "valeurs possibles."),
            _("Au plus {depth} niveaux de parenthèses et de négations, {criteria} critères "
              "et {values} valeurs par requête : au-delà, enregistrez des parties en "
              "segments.").format(depth=MAX_DEPTH, criteria=MAX_CRITERIA, values=MAX_VALUES),
        )),
    ]


def markdown(title: str = "") -> str:
    """The reference as a Markdown page (``docs/query-language.md``)."""
    lines: list[str] = [f"# {title or _('Le langage des requêtes')}", ""]
    for section in sections():
        lines += [f"## {section.title}", ""]
        if section.rows:
            lines += [f"| {_('vous écrivez')} | {_('cela veut dire')} |", "|---|---|"]
            for row in section.rows:
                written = " ".join(f"`{example}`" for example in row.examples)
                lines.append(f"| {written} | {_escape(row.meaning)} |")
            lines.append("")
        for note in section.notes:
            lines += [_escape(note), ""]
    return "\n".join(lines).rstrip() + "\n"


def _escape(text: str) -> str:
    """Markdown would read * as emphasis and | as a cell border."""
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("|", "\\|")
