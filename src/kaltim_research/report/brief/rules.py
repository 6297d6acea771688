"""Ordering of headline rows for the brief (Kalimantan Timur first: the brief is addressed
to its governor). What the brief concludes is decided in :mod:`facts` (attribution in
:mod:`attribution`, actions in :mod:`facts_actions`)."""
from __future__ import annotations

KALTIM = "Kalimantan Timur"


def ordered(rows: list[dict]) -> list[dict]:
    """Headline rows with Kalimantan Timur first."""
    return sorted([r for r in rows if isinstance(r, dict)],
                  key=lambda r: (r.get("province") != KALTIM, str(r.get("province"))))


def hl_rows(results: dict) -> list[dict]:
    return ordered(results.get("headline") or [])
