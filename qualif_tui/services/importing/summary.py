"""What an import plan will do, told once for both faces.

The app's import preview and ``qualif import`` show the same facts about a
plan — each file read (kind, encoding, separator, contacts), where its columns
go, what will be created, completed or skipped — so both render one
:class:`PlanSummary` instead of describing the plan twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from qualif_tui.base.i18n import _
from qualif_tui.domain.keyheaders import KIND_WORDS
from qualif_tui.services.importing.plan import ImportPlan
from qualif_tui.services.importing.sniff import SEPARATOR_NAMES


@dataclass(frozen=True)
class FileSummary:
    """One file read: ``about`` is one line (kind, profile, encoding, separator, count)."""

    source: str
    about: str
    columns: tuple[tuple[str, str], ...]  # (column of the file, where it goes)


@dataclass(frozen=True)
class PlanSummary:
    files: tuple[FileSummary, ...]
    counts: tuple[tuple[str, str], ...]  # (what, how many or which), in reading order
    examples: tuple[str, ...]  # names of the first contacts to be created


def describe_file(plan: ImportPlan, index: int) -> FileSummary:
    parsed = plan.files[index]
    about = [parsed.format]
    if parsed.profile:
        about.append(parsed.profile)
    if parsed.encoding and parsed.format != "xlsx":
        about.append(_("encodage {encoding}").format(encoding=parsed.encoding))
    if parsed.format == "csv":
        name = SEPARATOR_NAMES.get(parsed.separator, parsed.separator)
        about.append(_("séparateur {name}").format(name=name))
    about.append(_("{count} contact(s) lus").format(count=len(parsed.records)))
    return FileSummary(parsed.source, ", ".join(about),
                       tuple((use.column, use.target) for use in parsed.columns))


def summarize_plan(plan: ImportPlan, *, done: bool = False, examples: int = 3) -> PlanSummary:
    """The plan in words; ``done``: told after it was applied ("créés", not "à créer")."""
    counts = [
        (_("créés") if done else _("à créer"), str(len(plan.creates))),
        (_("complétés (doublons)") if done else _("à compléter (doublons)"),
         str(len(plan.merges))),
        (_("ignorés (doublons)"), str(len(plan.skips))),
    ]
    if plan.declared_keys:  # qualif's own export: its keys come with it
        counts.append((_("clés créées"), ", ".join(
            f"{k.name} ({KIND_WORDS[k.type]})" for k in plan.declared_keys)))
    if plan.value_decisions:  # each listed with its decision (newvalues.py)
        counts.append((_("nouvelles valeurs de clés"), str(len(plan.value_decisions))))
    if plan.unmapped:
        counts.append((_("gardées en champs libres"), ", ".join(plan.unmapped)))
    if plan.dropped:
        counts.append((_("non importés"),
                       ", ".join(f"{name} ×{times}" for name, times in plan.dropped.items())))
    return PlanSummary(
        files=tuple(describe_file(plan, i) for i in range(len(plan.files))),
        counts=tuple(counts),
        examples=tuple(record.label for record in plan.creates[:examples]),
    )
