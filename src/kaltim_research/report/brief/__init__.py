"""Two-page governor's brief (*Telaahan Staf*) as PDF (reportlab) and DOCX (python-docx).

The brief is built once as a :class:`BriefContent` (``content.py``: sections made of
paragraphs, enumerated items, one table and one figure) from the scenario engine's results
dict, then rendered twice, to PDF (``pdf.py``) and DOCX (``docx.py``), so the two cannot
drift. All sentences live in ``templates/brief_text.yaml`` (Bahasa Indonesia and English);
every number in them is formatted from the results dict (``text.py``).
"""
from kaltim_research.report.brief.content import build_brief_content
from kaltim_research.report.brief.docx import build_brief_docx
from kaltim_research.report.brief.model import BriefContent, Figure, Item, Para, Section, Table
from kaltim_research.report.brief.pdf import build_brief_pdf
from kaltim_research.report.brief.text import brief_text, short_hash
from kaltim_research.report.brief.wording import brief_numbers

__all__ = [
    "BriefContent",
    "Figure",
    "Item",
    "Para",
    "Section",
    "Table",
    "brief_numbers",
    "brief_text",
    "build_brief_content",
    "build_brief_docx",
    "build_brief_pdf",
    "short_hash",
]
