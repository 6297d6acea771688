"""DOCX renderer of the brief (python-docx): same sections and tables as the PDF."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from kaltim_research.fileio import atomic_write_file
from kaltim_research.report.brief.content import build_brief_content
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


def _render_docx(content: BriefContent, path: Path) -> None:
    """Write the DOCX (editable by staff) to ``path``."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin"):
        setattr(sec, side, Cm(PAGE_MARGIN_CM))
    sec.bottom_margin = Cm(PAGE_MARGIN_CM + FOOTER_SPACE_CM)
    sec.footer_distance = Cm(PAGE_MARGIN_CM * 0.45)

    normal = doc.styles["Normal"]
    normal.font.name = DOCX_FONT
    normal.font.size = Pt(BODY_PT)
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

    def para(
        text: str,
        size: float = BODY_PT,
        lead: str = "",
        bold: bool = False,
        align: Any = None,
        color: RGBColor | None = None,
    ):
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

    grey = RGBColor(0x33, 0x33, 0x33)
    para(content.title, size=12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for label, value in content.meta:
        para(value, lead=f"{label}:")
    for i, section in enumerate(content.sections, start=1):
        doc.add_paragraph(f"{i}. {section.heading}", style="Heading 2")
        for b in section.blocks:
            if isinstance(b, Para):
                size = TABLE_PT if b.style in ("small", "note") else BODY_PT
                para(b.text, size=size, lead=b.lead, color=grey if b.style == "small" else None)
            elif isinstance(b, Item):
                par = para(f"{b.label}\t{b.text}")
                pf = par.paragraph_format
                pf.left_indent = Cm(0.5)
                pf.first_line_indent = Cm(-0.4)
                pf.tab_stops.add_tab_stop(Cm(0.5))
            elif isinstance(b, Figure):
                doc.add_picture(io.BytesIO(b.png), width=Cm(b.width_cm))
                doc.paragraphs[-1].paragraph_format.keep_with_next = True
                para(b.caption, size=TABLE_PT, color=grey)
            elif isinstance(b, Table):
                t = doc.add_table(rows=1 + len(b.rows), cols=len(b.header))
                t.style = "Table Grid"
                t.alignment = WD_TABLE_ALIGNMENT.LEFT
                t.autofit = False
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
                    para(b.caption, size=TABLE_PT, color=grey)
                else:
                    doc.add_paragraph().paragraph_format.space_after = Pt(0)

    # Footer with provenance and a PAGE field.
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

    props = doc.core_properties
    props.title = content.title
    props.author = content.meta[1][1]
    props.subject = content.meta[3][1]
    props.language = content.lang
    doc.save(str(path))




def build_brief_docx(
    results: dict, out_path: Path, lang: str = "id", comparison: list[dict] | None = None
) -> Path:
    """Build the brief as an editable DOCX, written atomically.

    Parameters
    ----------
    results : dict
        Scenario results (results.json contract).
    out_path : Path
        Destination; written via a temp file in the same folder and ``os.replace``.
    lang : {"id", "en"}, default "id"
        Language (Bahasa Indonesia by default).
    comparison : list of dict, optional
        Rows of the scenario comparison table; defaults to ``results["comparison"]``.

    Returns
    -------
    Path
        ``out_path``.
    """
    content = build_brief_content(results, lang, comparison)
    return atomic_write_file(Path(out_path), lambda tmp: _render_docx(content, tmp))
