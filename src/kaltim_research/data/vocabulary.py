"""BPS reporting vocabulary: flows, their accounting identities, concepts and name aliases.

One home for these words: the ledger, the checks and the models all import them from here.
"""
from __future__ import annotations

import re

PERIOD_TYPES = ("month", "ytd", "year")

#: BPS Kaltara's two export concepts (never added together) plus "unspecified" for sources
#: that do not say. BPS Kaltim's own releases count exports by port of loading, which is the
#: ``via_ports`` concept; BPS national tables by province use ``origin``.
CONCEPTS = ("origin", "via_ports", "unspecified")
CONCEPT_LABELS = {
    "origin": "by province of origin (ekspor asli)",
    "via_ports": "by port of loading in the province (ekspor melalui pelabuhan)",
    "unspecified": "concept not stated by the source",
}

#: Flows: BPS splits total exports into migas (oil and gas) and nonmigas, and nonmigas into
#: three sectors (agriculture, industry, mining). ``gas``/``oil`` are parts of migas; ``coal`` is
#: a commodity (HS 2701) printed beside the flows by some sources.
FLOWS = ("total", "migas", "nonmigas", "agriculture", "industry", "mining", "gas", "oil", "coal")

#: Accounting identities checked on every build: parent = sum of parts. For each parent the
#: first decomposition whose parts are all present for a period is checked. Sectors alone are
#: never compared with the total: a source that omits migas does not mean migas was zero.
FLOW_IDENTITIES: dict[str, list[tuple[str, ...]]] = {
    "total": [
        ("migas", "nonmigas"),
        ("agriculture", "industry", "mining", "migas"),
        ("agriculture", "industry", "mining", "gas"),
    ],
    "nonmigas": [("agriculture", "industry", "mining")],
    "migas": [("oil", "gas")],
}

#: Publishers other than BPS whose series some pages print with a BPS flow name (e.g. the
#: Ministry of Trade's provincial nonmigas series). Rule: a flow label whose qualifier names one
#: is a non-BPS series, mapped to the concept ``unspecified`` so it never joins (or outranks) a
#: BPS figure of the port-of-loading or origin concept. ``coal`` (HS 2701) is a commodity kept
#: as its own flow and never part of an identity.
NON_BPS_PUBLISHERS = ("kemendag", "ministry of trade", "kementerian perdagangan", "bea cukai",
                      "customs", "disperindag")


def is_non_bps(qualifier: str | None) -> bool:
    """True if a flow qualifier names a publisher other than BPS (see NON_BPS_PUBLISHERS)."""
    q = (qualifier or "").lower()
    return any(name in q for name in NON_BPS_PUBLISHERS)


_FLOW_RE = re.compile(r"^(?:sector:)?(?P<flow>[a-z]+)(?: \((?P<qualifier>.+)\))?$")


def parse_flow_label(label: str) -> tuple[str, str | None, bool]:
    """Split a raw flow label into (flow, qualifier, usable).

    ``"sector:mining"`` -> ``("mining", None, True)``; ``"nonmigas (Kemendag)"`` ->
    ``("nonmigas", "Kemendag", True)``; a qualifier containing ``AMBIGUOUS`` (the curator's mark
    for a figure that is probably not exports, see SOURCES.md) makes the row unusable.
    """
    m = _FLOW_RE.match(label.strip())
    if not m or m["flow"] not in FLOWS:
        raise ValueError(f"unknown flow {label!r}; expected one of {', '.join(FLOWS)} "
                         "(optionally 'sector:' before it and a note in parentheses after it)")
    qualifier = m["qualifier"]
    usable = not (qualifier and "AMBIGUOUS" in qualifier.upper())
    return m["flow"], qualifier, usable


#: Country names as printed -> one name (World Bank style) so shares can be compared.
COUNTRY_ALIASES = {"South Korea": "Korea, Rep.", "Korea": "Korea, Rep.", "Tiongkok": "China"}


def normalise_country(name: str) -> str:
    return COUNTRY_ALIASES.get(name.strip(), name.strip())


def base_name(label: str) -> tuple[str, str | None]:
    """``"Samarinda (Palaran)"`` -> ``("Samarinda", "Palaran")``."""
    m = re.match(r"^(?P<base>[^(]+?)\s*(?:\((?P<detail>.+)\))?$", label.strip())
    return (m["base"].strip(), m["detail"]) if m else (label.strip(), None)
