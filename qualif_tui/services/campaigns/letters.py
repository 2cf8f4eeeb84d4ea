"""Letters: the user's Word template merged for every recipient, or a built-in PDF letter.

**Word** (``.docx`` with ``{{ prenom }}``… fields, docxtpl): the template's body
is wrapped in a loop over the recipients, one letter per page, and rendered
once — the document keeps the template's styles, header, logo and footer (a
field in the header or footer, being one per document, takes the first
recipient's value). Fields are checked like an e-mail template's before
anything is written, in the same sandbox. ``{{ adresse_postale }}`` is the
recipient's address block in La Poste's format.

**PDF**: from a ``.docx``, LibreOffice converts it when the machine has it
(exact layout); without it, a plain rendering of the merged text (paragraphs,
bold, italics, alignment, page breaks) is written and said so. From a text
template (``Subject: …`` then the body, as for e-mail), qualif lays the letter
out itself: the freelancer's header from the file's settings, the address where
a windowed envelope shows it, place and date, "Objet :", the body.

A letter campaign counts as sent when its letters are made: each recipient
printed gets the timeline entry (once, however many times it is reprinted).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualif_tui.base.i18n import _
from qualif_tui.domain import clock
from qualif_tui.domain.errors import ValidationError
from qualif_tui.domain.history import add_entry
from qualif_tui.services.campaigns.core import Campaign
from qualif_tui.services.campaigns.fields import contexts, merge_schema, sender_fields
from qualif_tui.services.campaigns.labels import Addressee, addressees
from qualif_tui.services.campaigns.merge import (
    MergeTemplate,
    TemplateProblem,
    TemplateText,
    check_source,
    date_fr,
    environment,
)
from qualif_tui.services.campaigns.pdf import Pdf
from qualif_tui.storage import Database

_PAGE_BREAK = '<w:p xmlns:w="{ns}"><w:r><w:br w:type="page"/></w:r></w:p>'
_TAG_PARAGRAPH = '<w:p xmlns:w="{ns}"><w:r><w:t xml:space="preserve">{tag}</w:t></w:r></w:p>'
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@dataclass
class LetterReport:
    path: Path
    letters: int
    missing: list[tuple[int, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [_("{n} lettre(s) : {path}").format(n=self.letters, path=self.path)]
        out += self.notes
        if self.missing:
            names = ", ".join(f"{n} (#{i})" for i, n in self.missing[:5])
            out.append(_("{n} destinataire(s) sans adresse postale, pas de lettre : {names}{more}")
                       .format(n=len(self.missing), names=names,
                               more="…" if len(self.missing) > 5 else ""))
        out += ["  " + p for p in self.problems[:20]]
        return out


def _letter_contexts(db: Database, campaign: Campaign, people: list[Addressee], *,
                     listing: bool) -> list[dict[str, Any]]:
    found = []
    for _contact_id, context in contexts(db, [p.contact_id for p in people],
                                         campaign_name=campaign.name):
        if listing:  # line breaks kept in Word
            from docxtpl import Listing

            context["adresse_postale"] = context["postal_address"] = Listing(
                context["adresse_postale"])
        found.append(context)
    return found


def _record_letters(db: Database, campaign: Campaign, people: list[Addressee]) -> None:
    """A letter campaign's recipients printed: sent, with their timeline entry (once)."""
    if campaign.channel != "letter" or not people:
        return
    now = clock.stamp()
    with db.transaction():
        for person in people:
            changed = db.execute(
                "UPDATE campaign_recipients SET state = 'sent', sent_at = ?, detail = ''"
                " WHERE campaign_id = ? AND contact_id = ? AND state != 'sent'",
                (now, campaign.id, person.contact_id)).rowcount
            if changed:
                add_entry(db, person.contact_id, "campaign", campaign.sent_subject,
                          automatic=True)
        db.execute("UPDATE campaigns SET sent_at = coalesce(sent_at, ?) WHERE id = ?",
                   (now, campaign.id))


def _output(path: str | Path, suffixes: tuple[str, ...]) -> Path:
    target = Path(path).expanduser()
    if target.suffix.lower() not in suffixes:
        raise ValidationError(_("le fichier à écrire doit finir par {suffixes}").format(
            suffixes=" ou ".join(suffixes)), "output")
    if not target.parent.exists():
        raise ValidationError(_("le dossier {folder} n'existe pas").format(folder=target.parent),
                              "output")
    return target


# -- Word ------------------------------------------------------------------------------

def _word_template(path: Path) -> Any:
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate

    if not path.is_file():
        raise ValidationError(_("modèle introuvable : {path}").format(path=path), "template")
    template = DocxTemplate(str(path))
    try:
        template.init_docx()
    except (PackageNotFoundError, KeyError, ValueError, OSError) as error:
        raise ValidationError(_("{path} n'est pas un document Word (.docx) lisible : {error}")
                              .format(path=path.name, error=error), "template") from None
    return template


def _paragraph_text(xml: str, line: int | None) -> str:
    if not line:
        return ""
    lines = xml.split("\n")
    if not 1 <= line <= len(lines):
        return ""
    return " ".join(re.sub(r"<[^>]+>", "", lines[line - 1]).split())[:80]


def check_word_template(template: Any, schema: Any) -> set[str]:
    """The names a Word template uses (checked: syntax, fields, sandbox)."""
    from jinja2 import nodes

    xml = template.patch_xml(template.get_xml())
    xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)
    try:
        compiled = check_source(xml, "document Word", schema, html=True)
    except TemplateProblem as problem:
        where = _paragraph_text(xml, problem.line)
        raise TemplateProblem(problem.reason + (_(" — dans « {text} »").format(text=where)
                                                if where else ""), "document Word") from None
    names = {n.name for n in environment().parse(xml).find_all(nodes.Name) if n.ctx == "load"}
    del compiled
    return names


def write_word_letters(db: Database, campaign: Campaign, template_path: str | Path,
                       output: str | Path) -> LetterReport:
    """One ``.docx`` (or PDF) with one letter per recipient, from the user's template."""
    target = _output(output, (".docx", ".pdf"))
    template = _word_template(Path(template_path).expanduser())
    schema = merge_schema(db)
    used = check_word_template(template, schema)
    people, missing = addressees(db, campaign)
    letters = _letter_contexts(db, campaign, people, listing=True)
    names = sorted(n for n in used if n in schema.top_names)
    body = template.docx.element.body
    from docx.oxml import parse_xml

    def tag(text: str) -> Any:
        return parse_xml(_TAG_PARAGRAPH.format(ns=W_NS, tag=text))

    assignments = ", ".join(f'{n}=r["{n}"]' for n in names) or 'unused=""'
    opening = [tag("{%p for r in recipients %}"), tag(f"{{%p with {assignments} %}}")]
    closing = [tag("{%p endwith %}"), tag("{%p if not loop.last %}"),
               parse_xml(_PAGE_BREAK.format(ns=W_NS)), tag("{%p endif %}"),
               tag("{%p endfor %}")]
    for index, element in enumerate(opening):
        body.insert(index, element)
    section = body.find(f"{{{W_NS}}}sectPr")
    for element in closing:
        if section is not None:
            section.addprevious(element)
        else:
            body.append(element)
    first = letters[0] if letters else {}
    context = {**first, "recipients": letters}
    env = environment()
    try:
        template.render(context, jinja_env=env, autoescape=True)
    except Exception as error:  # noqa: BLE001 - jinja or XML: one clear line, nothing written
        raise TemplateProblem(_("le modèle Word échoue : {error}").format(error=error),
                              "document Word") from None
    notes: list[str] = []
    if target.suffix.lower() == ".docx":
        _save_docx(template, target)
    else:
        with tempfile.TemporaryDirectory() as folder:
            merged = Path(folder) / (target.stem + ".docx")
            _save_docx(template, merged)
            notes += docx_to_pdf(merged, target)
    _record_letters(db, campaign, people)
    return LetterReport(target, len(letters), missing, [], notes)


def _save_docx(template: Any, target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    try:
        template.save(str(partial))
        partial.replace(target)
    except OSError as error:
        raise ValidationError(_("écriture de {file} impossible : {error}").format(
            file=target, error=error.strerror or error), "output") from None


def office_converter() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(source: Path, target: Path) -> list[str]:
    """PDF of a .docx: LibreOffice's when installed, else qualif's plain rendering."""
    office = office_converter()
    if office is not None:
        with tempfile.TemporaryDirectory() as folder:
            try:
                subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", folder,
                                str(source)], check=True, capture_output=True, timeout=600)
                produced = Path(folder) / (source.stem + ".pdf")
                shutil.move(str(produced), str(target))
                return []
            except (subprocess.SubprocessError, OSError):
                pass  # fall back on the plain rendering below
    plain_pdf_from_docx(source, target)
    return [_("PDF en mise en page simple (LibreOffice n'est pas installé) : pour la mise en page"
              " exacte du modèle, écrivez un .docx et imprimez-le depuis Word.")]


def plain_pdf_from_docx(source: Path, target: Path) -> None:
    """The text of a .docx as PDF: paragraphs with bold, italics, alignment, page breaks."""
    from docx import Document

    document = Document(str(source))
    pdf = Pdf()
    pdf.set_auto_page_break(True, 20)
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    aligns = {0: "L", 1: "C", 2: "R", 3: "J"}
    for paragraph in document.paragraphs:
        breaks = paragraph._p.xpath('.//w:br[@w:type="page"]')
        parts = []
        for run in paragraph.runs:
            text = pdf.printable(run.text).replace("*", "\u2217").replace("_", "\u2009_")
            if not text:
                continue
            if run.bold:
                text = f"**{text}**"
            if run.italic:
                text = f"__{text}__"
            parts.append(text)
        line = "".join(parts)
        size = paragraph.style.font.size.pt if paragraph.style is not None and \
            paragraph.style.font.size is not None else 11
        pdf.use(float(size))
        pdf.set_x(20)
        if line.strip():
            pdf.multi_cell(170, float(size) * 0.5, line, markdown=True,
                           align=aligns.get(int(paragraph.alignment or 0), "L"))
        else:
            pdf.ln(float(size) * 0.5)
        if breaks:
            pdf.add_page()
    for table in document.tables:
        for row in table.rows:
            pdf.set_x(20)
            pdf.use(10)
            pdf.multi_cell(170, 5, pdf.printable(" | ".join(c.text for c in row.cells)))
    pdf.output(str(target))


# -- the built-in letter ------------------------------------------------------------------


def write_pdf_letters(db: Database, campaign: Campaign, template: TemplateText,
                      output: str | Path) -> LetterReport:
    """Letters laid out by qualif: header, windowed address, date, subject, body."""
    target = _output(output, (".pdf",))
    merge = MergeTemplate(template, merge_schema(db))
    people, missing = addressees(db, campaign)
    letters = _letter_contexts(db, campaign, people, listing=False)
    sender = sender_fields(db)
    pdf = Pdf()
    pdf.set_title(campaign.name)
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, 20)
    place = sender["city"] or ""
    today = date_fr(clock.today())
    for person, context in zip(people, letters, strict=True):
        rendered = merge.render(context)
        pdf.add_page()
        _header(pdf, sender)
        pdf.use(11)
        for number, line in enumerate(person.address.lines):
            pdf.set_xy(110, 50 + number * 5)
            pdf.cell(85, 5, pdf.printable(line))
        pdf.set_xy(20, 92)
        pdf.cell(170, 5, pdf.printable(_("{place}, le {date}").format(place=place, date=today)
                                       if place else _("Le {date}").format(date=today)),
                 align="R")
        pdf.set_xy(20, 105)
        pdf.use(11, bold=True)
        pdf.multi_cell(170, 5.5, pdf.printable(_("Objet : {subject}").format(
            subject=rendered.subject)))
        pdf.ln(5)
        pdf.use(11)
        pdf.set_x(20)
        pdf.multi_cell(170, 5.5, pdf.printable(rendered.text.strip()))
        if sender["name"]:
            pdf.ln(8)
            pdf.set_x(110)
            pdf.cell(80, 5.5, pdf.printable(sender["name"]))
    if not people:
        pdf.add_page()
    partial = target.with_name(target.name + ".partial")
    try:
        pdf.output(str(partial))
        partial.replace(target)
    except OSError as error:
        raise ValidationError(_("écriture de {file} impossible : {error}").format(
            file=target, error=error.strerror or error), "output") from None
    _record_letters(db, campaign, people)
    problems = [f"{p.name} (#{p.contact_id}) : {x}" for p in people for x in p.address.problems]
    return LetterReport(target, len(people), missing, problems)


def _header(pdf: Pdf, sender: dict[str, str]) -> None:
    lines = [sender["address"], " ".join(p for p in (sender["postal_code"], sender["city"]) if p),
             sender["phone"], sender["email"], sender["website"]]
    pdf.set_xy(20, 15)
    if sender["name"]:
        pdf.use(13, bold=True)
        pdf.cell(100, 6, pdf.printable(sender["name"]))
    pdf.use(9)
    y = 22.0
    for line in filter(None, lines):
        pdf.set_xy(20, y)
        pdf.cell(100, 4.2, pdf.printable(line))
        y += 4.2
    if sender["siret"]:
        pdf.set_xy(20, y)
        pdf.cell(100, 4.2, pdf.printable(_("SIRET {siret}").format(siret=sender["siret"])))
