"""PDF renderer of the brief (reportlab): at most two A4 pages."""

from __future__ import annotations

import functools
import io
import warnings
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from kaltim_research.report.brief.content import write_brief
from kaltim_research.report.brief.model import (
    BODY_PT,
    FOOTER_PT,
    FOOTER_SPACE_CM,
    MAX_PAGES,
    PAGE_MARGIN_CM,
    PDF_FONT,
    PDF_FONT_BOLD,
    TABLE_PT,
    BriefContent,
    Figure,
    Item,
    Para,
    Table,
)

# --------------------------------------------------------------------------- PDF


@functools.lru_cache(maxsize=1)
def _register_pdf_fonts() -> None:
    import matplotlib
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    ttf_dir = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(PDF_FONT, str(ttf_dir / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(PDF_FONT_BOLD, str(ttf_dir / "DejaVuSans-Bold.ttf")))
    addMapping(PDF_FONT, 0, 0, PDF_FONT)
    addMapping(PDF_FONT, 1, 0, PDF_FONT_BOLD)
    addMapping(PDF_FONT, 0, 1, PDF_FONT)
    addMapping(PDF_FONT, 1, 1, PDF_FONT_BOLD)


def _pdf_styles(scale: float) -> dict[str, Any]:
    """Paragraph styles of the brief at ``scale`` (the footer keeps its size)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm

    body_pt, table_pt = BODY_PT * scale, TABLE_PT * scale
    base = ParagraphStyle(
        "body", fontName=PDF_FONT, fontSize=body_pt, leading=body_pt * 1.22, spaceAfter=1.5 * scale
    )
    styles = {
        "body": base,
        "small": ParagraphStyle(
            "small",
            parent=base,
            fontSize=table_pt,
            leading=table_pt * 1.2,
            textColor=colors.HexColor("#333333"),
        ),
        "note": ParagraphStyle("note", parent=base, fontSize=table_pt, leading=table_pt * 1.2),
    }
    title = ParagraphStyle(
        "title",
        parent=base,
        fontName=PDF_FONT_BOLD,
        fontSize=12 * scale,
        leading=14 * scale,
        alignment=TA_CENTER,
        spaceAfter=4 * scale,
    )
    heading = ParagraphStyle(
        "heading",
        parent=base,
        fontName=PDF_FONT_BOLD,
        fontSize=(BODY_PT + 1) * scale,
        leading=(BODY_PT + 1) * 1.25 * scale,
        spaceBefore=4 * scale,
        spaceAfter=1.5 * scale,
    )
    item = ParagraphStyle("item", parent=base, leftIndent=0.5 * cm, bulletIndent=0.1 * cm)
    cell = ParagraphStyle("cell", parent=base, fontSize=table_pt, leading=table_pt * 1.18, spaceAfter=0)
    cell_head = ParagraphStyle("cellhead", parent=cell, fontName=PDF_FONT_BOLD)
    caption = ParagraphStyle(
        "caption",
        parent=base,
        fontSize=table_pt,
        leading=table_pt * 1.2,
        textColor=colors.HexColor("#333333"),
        spaceAfter=2 * scale,
    )
    footer_style = ParagraphStyle(
        "footer",
        parent=base,
        fontSize=FOOTER_PT,
        leading=FOOTER_PT * 1.2,
        textColor=colors.HexColor("#444444"),
    )
    return {"base": base, "blocks": styles, "title": title, "heading": heading, "item": item,
            "cell": cell, "cell_head": cell_head, "caption": caption, "footer": footer_style}


def _p(text: str, style: Any, lead: str = "", bullet: str | None = None):
    """A paragraph of escaped ``text`` with an optional bold ``lead``."""
    from reportlab.platypus import Paragraph

    markup = (f"<b>{escape(lead)}</b> " if lead else "") + escape(text)
    return Paragraph(markup, style, bulletText=bullet)


def _pdf_table(b: Table, st: dict[str, Any], avail_width: float) -> Any:
    """A table with a shaded header row, shrunk to the frame width if need be."""
    from reportlab.lib import colors
    from reportlab.lib.units import cm
    from reportlab.platypus import Table as RLTable
    from reportlab.platypus import TableStyle

    data = [[_p(h, st["cell_head"]) for h in b.header]]
    data += [[_p(c, st["cell"]) for c in row] for row in b.rows]
    widths = [w * cm for w in b.col_widths_cm]
    shrink = min(1.0, avail_width / sum(widths))
    t = RLTable(data, colWidths=[w * shrink for w in widths], repeatRows=1, hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#999999")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return t


def _block_flowables(b: Any, st: dict[str, Any], scale: float, avail_width: float) -> list[Any]:
    """The flowables of one block: paragraph, enumerated item, figure or table."""
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, KeepTogether, Spacer

    if isinstance(b, Para):
        return [_p(b.text, st["blocks"].get(b.style, st["base"]), lead=b.lead)]
    if isinstance(b, Item):
        return [_p(b.text, st["item"], bullet=b.label)]
    if isinstance(b, Figure):
        img = Image(io.BytesIO(b.png), width=b.width_cm * cm * scale, height=b.height_cm * cm * scale)
        return [KeepTogether([img, _p(b.caption, st["caption"])])]
    if isinstance(b, Table):
        t = _pdf_table(b, st, avail_width)
        return [t, _p(b.caption, st["caption"]) if b.caption else Spacer(1, 2 * scale)]
    return []


def _pdf_story(content: BriefContent, st: dict[str, Any], scale: float) -> list[Any]:
    """Title, memo lines, bottom line, then the numbered sections."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import Spacer

    # Frame width minus the frame's default 6 pt padding on each side.
    avail_width = A4[0] - 2 * PAGE_MARGIN_CM * cm - 12
    story: list[Any] = [_p(content.title, st["title"])]
    for label, value in content.meta:
        story.append(_p(value, st["base"], lead=f"{label}:"))
    for b in content.summary:  # bottom line first, right under Perihal
        story.append(_p(b.text, st["base"], lead=b.lead))
    story.append(Spacer(1, 2 * scale))
    for i, sec in enumerate(content.sections, start=1):
        story.append(_p(f"{i}. {sec.heading}", st["heading"]))
        for b in sec.blocks:
            story += _block_flowables(b, st, scale, avail_width)
    return story


def _footer_painter(content: BriefContent, footer_style: Any, pages: list[int]):
    """The page callback: counts pages in ``pages[0]`` and draws the footer with a rule."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph

    page_w, _page_h = A4
    margin = PAGE_MARGIN_CM * cm

    def on_page(canvas: Any, doc: Any) -> None:
        pages[0] += 1
        canvas.saveState()
        text = f"{content.footer} · {content.page_label} {doc.page}"
        para = Paragraph(escape(text), footer_style)
        _w, h = para.wrap(page_w - 2 * margin, margin)
        canvas.setStrokeColor(colors.HexColor("#999999"))
        canvas.setLineWidth(0.3)
        y = margin * 0.45
        canvas.line(margin, y + h + 2, page_w - margin, y + h + 2)
        para.drawOn(canvas, margin, y)
        canvas.restoreState()

    return on_page


def _pdf_bytes(content: BriefContent, scale: float = 1.0) -> tuple[bytes, int]:
    """Render the PDF into memory; return (bytes, page count)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import SimpleDocTemplate

    _register_pdf_fonts()
    st = _pdf_styles(scale)
    story = _pdf_story(content, st, scale)
    pages = [0]
    on_page = _footer_painter(content, st["footer"], pages)
    margin = PAGE_MARGIN_CM * cm
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin + FOOTER_SPACE_CM * cm,
        title=content.title,
        author=content.meta[1][1],
        subject=content.meta[3][1],
        lang=content.lang,
        invariant=True,  # reproducible bytes: no timestamps or random document id
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue(), pages[0]


def _render_pdf(content: BriefContent, path: Path) -> None:
    """Write the PDF to ``path``, shrinking type and chart if needed to stay within two pages."""
    data, pages = b"", 0
    for scale in (1.0, 0.94, 0.88, 0.82):
        data, pages = _pdf_bytes(content, scale)
        if pages <= MAX_PAGES:
            break
    if pages > MAX_PAGES:
        warnings.warn(f"brief PDF has {pages} pages (limit {MAX_PAGES})", stacklevel=3)
    Path(path).write_bytes(data)




# --------------------------------------------------------------------------- public builders


def build_brief_pdf(
    results: dict, out_path: Path, lang: str = "id", comparison: list[dict] | None = None
) -> Path:
    """Build the brief as a PDF of at most two A4 pages, written atomically (parameters:
    :func:`content.write_brief`)."""
    # the module global is looked up at call time (tests replace the renderer)
    return write_brief(results, out_path, lambda content, path: _render_pdf(content, path),
                       lang, comparison)
