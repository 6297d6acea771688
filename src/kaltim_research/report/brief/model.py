"""What a brief is made of: sections of paragraphs, items, one table and one figure,
and the page layout shared by the PDF and DOCX renderers."""

from __future__ import annotations

from dataclasses import dataclass, field

SECTION_KEYS = ("issue", "assumptions", "facts", "analysis", "conclusion", "actions")
MAX_PAGES = 2

# Layout (PDF and DOCX share these).
PAGE_MARGIN_CM = 1.6
FOOTER_SPACE_CM = 0.5
BODY_PT = 9.0
TABLE_PT = 7.5
FOOTER_PT = 6.5
CHART_W_CM = 16.0
CHART_H_CM = 6.0
PDF_FONT = "DejaVuSans"
PDF_FONT_BOLD = "DejaVuSans-Bold"
DOCX_FONT = "Arial"


# --------------------------------------------------------------------------- content model


@dataclass(frozen=True)
class Para:
    """A paragraph. ``lead`` is an optional bold prefix; ``style`` is body|small|note."""

    text: str
    lead: str = ""
    style: str = "body"


@dataclass(frozen=True)
class Item:
    """An enumerated item (label such as "a." followed by text)."""

    label: str
    text: str


@dataclass(frozen=True)
class Table:
    """A table of already formatted strings.

    ``col_widths_cm`` should sum to <= 17.3 (text width 17.8 cm less frame padding);
    the PDF renderer shrinks wider tables proportionally.
    """

    header: list[str]
    rows: list[list[str]]
    col_widths_cm: list[float]
    caption: str = ""


@dataclass(frozen=True)
class Figure:
    """A PNG image rendered in memory, with its display size and caption."""

    png: bytes
    width_cm: float
    height_cm: float
    caption: str = ""


Block = Para | Item | Table | Figure


@dataclass
class Section:
    """One numbered section of the Telaahan Staf."""

    key: str
    heading: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class BriefContent:
    """Everything both renderers need; built once by :func:`build_brief_content`."""

    lang: str
    title: str
    meta: list[tuple[str, str]]
    sections: list[Section]
    footer: str
    page_label: str
    numbers: list[str]
    summary: list[Para] = field(default_factory=list)  # bottom line, right under the meta

    def plain_text(self) -> str:
        """Return all text of the brief (without the figure) for checks and previews."""
        out = [self.title] + [f"{k}: {v}" for k, v in self.meta]
        out += [f"{p.lead} {p.text}".strip() for p in self.summary]
        for i, sec in enumerate(self.sections, start=1):
            out.append(f"{i}. {sec.heading}")
            for b in sec.blocks:
                if isinstance(b, Para):
                    out.append(f"{b.lead} {b.text}".strip())
                elif isinstance(b, Item):
                    out.append(f"{b.label} {b.text}")
                elif isinstance(b, Table):
                    out.append(" | ".join(b.header))
                    out.extend(" | ".join(r) for r in b.rows)
                    out.append(b.caption)
                elif isinstance(b, Figure):
                    out.append(b.caption)
        out.append(self.footer)
        return "\n".join(out)
