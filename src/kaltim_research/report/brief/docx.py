"""DOCX renderer of the brief (python-docx): same sections and tables as the PDF."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kaltim_research.report.brief.content import write_brief
from kaltim_research.report.brief.model import (
    BODY_PT,
    DOCX_FONT,
    FOOTER_PT,
    FOOTER_SPACE_CM,
    PAGE_MARGIN_CM,
    TABLE_PT,
    BriefContent,
    Figure,
    Item,
    Para,
    Table,
)

# --------------------------------------------------------------------------- DOCX

#: Word's language tags: Bahasa Indonesia and British English (the client's English).
DOCX_LANG = {"id": "id-ID", "en": "en-GB"}
# Word and LibreOffice set text looser than reportlab: half a point less keeps two pages.
DOCX_BODY_PT = BODY_PT - 0.5
FIXED_TIME = datetime(2000, 1, 1, tzinfo=UTC)


def _render_docx(content: BriefContent, path: Path) -> None:
    """Write the DOCX (editable by staff) to ``path``."""
    from docx import Document

    doc = Document()
    sec = doc.sections[0]
    _setup_page(sec)
    _setup_styles(doc)
    _write_heading(doc, content)
    for i, section in enumerate(content.sections, start=1):
        doc.add_paragraph(f"{i}. {section.heading}", style="Heading 2")
        for b in section.blocks:
            _write_block(doc, b)
    _write_footer(sec, content)
    _set_language(doc, DOCX_LANG[content.lang])
    _set_properties(doc, content)
    buf = io.BytesIO()
    doc.save(buf)
    Path(path).write_bytes(_fixed_zip_times(buf.getvalue()))


def _setup_page(sec) -> None:
    """A4 portrait, the brief's margins and room for the footer."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin"):
        setattr(sec, side, Cm(PAGE_MARGIN_CM))
    sec.bottom_margin = Cm(PAGE_MARGIN_CM + FOOTER_SPACE_CM)
    sec.footer_distance = Cm(PAGE_MARGIN_CM * 0.45)


def _setup_styles(doc) -> None:
    """Body text (Normal) and section headings (Heading 2) in the brief's font, black."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    normal = doc.styles["Normal"]
    normal.font.name = DOCX_FONT
    normal.font.size = Pt(DOCX_BODY_PT)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), DOCX_FONT)
    normal.paragraph_format.space_after = Pt(1.5)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = 1.05
    h2 = doc.styles["Heading 2"]
    h2.font.name = DOCX_FONT
    h2.font.size = Pt(BODY_PT + 1)
    h2.font.bold = True
    h2.font.italic = False
    h2.font.color.rgb = RGBColor(0, 0, 0)
    h2.paragraph_format.space_before = Pt(4)
    h2.paragraph_format.space_after = Pt(1.5)
    h2.paragraph_format.keep_with_next = True
    rfonts = h2.element.rPr.rFonts
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)


def _para(
    doc,
    text: str,
    size: float = DOCX_BODY_PT,
    lead: str = "",
    bold: bool = False,
    align: Any = None,
    color: Any = None,
):
    """Add a paragraph: an optional bold ``lead``, then ``text``."""
    from docx.shared import Pt

    par = doc.add_paragraph()
    if lead:
        r = par.add_run(lead + " ")
        r.bold = True
        r.font.size = Pt(size)
    r = par.add_run(text)
    r.bold = bold
    r.font.size = Pt(size)
    if color is not None:
        r.font.color.rgb = color
    if align is not None:
        par.alignment = align
    return par


def _grey():
    from docx.shared import RGBColor

    return RGBColor(0x33, 0x33, 0x33)


def _write_heading(doc, content: BriefContent) -> None:
    """Title, the memo lines (Kepada, Dari, ...) and the bottom line right under Perihal."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    _para(doc, content.title, size=12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for label, value in content.meta:
        _para(doc, value, lead=f"{label}:")
    for b in content.summary:  # bottom line first, right under Perihal
        _para(doc, b.text, lead=b.lead)


def _write_block(doc, b: Any) -> None:
    """One block of a section: paragraph, enumerated item, figure or table."""
    from docx.shared import Cm

    if isinstance(b, Para):
        size = TABLE_PT if b.style in ("small", "note") else DOCX_BODY_PT
        _para(doc, b.text, size=size, lead=b.lead, color=_grey() if b.style == "small" else None)
    elif isinstance(b, Item):
        par = _para(doc, f"{b.label}\t{b.text}")
        pf = par.paragraph_format
        pf.left_indent = Cm(0.5)
        pf.first_line_indent = Cm(-0.4)
        pf.tab_stops.add_tab_stop(Cm(0.5))
    elif isinstance(b, Figure):
        doc.add_picture(io.BytesIO(b.png), width=Cm(b.width_cm))
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
        _para(doc, b.caption, size=TABLE_PT, color=_grey())
    elif isinstance(b, Table):
        _write_table(doc, b)


def _write_table(doc, b: Table) -> None:
    """A grid table with a bold header row, fixed column widths, then its caption."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm, Pt

    t = doc.add_table(rows=1 + len(b.rows), cols=len(b.header))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.LEFT
    t.autofit = False
    # LibreOffice and Word read the grid columns, not only the cell widths.
    for c_idx, col in enumerate(t.columns):
        col.width = Cm(b.col_widths_cm[c_idx])
    for r_idx, row in enumerate([b.header, *b.rows]):
        for c_idx, text in enumerate(row):
            c = t.cell(r_idx, c_idx)
            c.width = Cm(b.col_widths_cm[c_idx])
            cp = c.paragraphs[0]
            cp.paragraph_format.space_after = Pt(0)
            run = cp.add_run(text)
            run.font.size = Pt(TABLE_PT)
            run.bold = r_idx == 0
    if b.caption:
        _para(doc, b.caption, size=TABLE_PT, color=_grey())
    else:
        doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _write_footer(sec, content: BriefContent) -> None:
    """Footer with provenance and a PAGE field."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    fp = sec.footer.paragraphs[0]
    run = fp.add_run(f"{content.footer} · {content.page_label} ")
    run.font.size = Pt(FOOTER_PT)
    run.font.color.rgb = RGBColor(0x44, 0x44, 0x44)
    field_run = fp.add_run()
    field_run.font.size = Pt(FOOTER_PT)
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        field_run._r.append(el)


def _set_properties(doc, content: BriefContent) -> None:
    """Core properties (title, author, subject, language), with fixed timestamps."""
    props = doc.core_properties
    props.title = content.title
    props.author = content.meta[1][1]
    props.subject = content.meta[3][1]
    props.language = DOCX_LANG[content.lang]
    # Byte-reproducible: fixed timestamps and revision (python-docx would stamp "now").
    props.created = props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME
    props.revision = 1
    props.last_modified_by = content.meta[1][1]


def _set_language(doc, tag: str) -> None:
    """Tag the document's default run language (``w:lang`` in the document defaults and in
    every style with run properties) so a word processor spell-checks in the reader's language
    (id-ID for Bahasa Indonesia, en-GB for English)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles = doc.styles.element
    targets = list(styles.iter(qn("w:rPr")))
    rpr_default = styles.find(qn("w:docDefaults"))
    if rpr_default is not None:
        targets += list(rpr_default.iter(qn("w:rPr")))
    for rpr in targets:
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        for attr in ("w:val", "w:eastAsia", "w:bidi"):
            lang.set(qn(attr), tag)
    for run in doc.element.body.iter(qn("w:r")):
        rpr = run.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            run.insert(0, rpr)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), tag)


def _fixed_zip_times(data: bytes) -> bytes:
    """Rewrite the DOCX zip with a fixed timestamp on every member (same bytes every run)."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()




def build_brief_docx(
    results: dict, out_path: Path, lang: str = "id", comparison: list[dict] | None = None
) -> Path:
    """Build the brief as an editable DOCX (same sections and tables as the PDF), written
    atomically (parameters: :func:`content.write_brief`)."""
    # the module global is looked up at call time (tests replace the renderer)
    return write_brief(results, out_path, lambda content, path: _render_docx(content, path),
                       lang, comparison)
