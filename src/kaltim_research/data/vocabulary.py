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


#: Indonesia's 38 provinces as BPS names them (BPS "Kode dan Nama Wilayah", Permendagri
#: 100.1.1-6117/2022), with the BPS domain code. A province in a figure file must be one of
#: these (after :func:`normalise_province`), so that 'Kaltim', 'KALIMANTAN TIMUR' or a double
#: space never create a new province.
PROVINCE_CODES = {
    "11": "Aceh", "12": "Sumatera Utara", "13": "Sumatera Barat", "14": "Riau", "15": "Jambi",
    "16": "Sumatera Selatan", "17": "Bengkulu", "18": "Lampung",
    "19": "Kepulauan Bangka Belitung", "21": "Kepulauan Riau", "31": "DKI Jakarta",
    "32": "Jawa Barat", "33": "Jawa Tengah", "34": "DI Yogyakarta", "35": "Jawa Timur",
    "36": "Banten", "51": "Bali", "52": "Nusa Tenggara Barat", "53": "Nusa Tenggara Timur",
    "61": "Kalimantan Barat", "62": "Kalimantan Tengah", "63": "Kalimantan Selatan",
    "64": "Kalimantan Timur", "65": "Kalimantan Utara", "71": "Sulawesi Utara",
    "72": "Sulawesi Tengah", "73": "Sulawesi Selatan", "74": "Sulawesi Tenggara",
    "75": "Gorontalo", "76": "Sulawesi Barat", "81": "Maluku", "82": "Maluku Utara",
    "91": "Papua Barat", "92": "Papua Barat Daya", "94": "Papua", "95": "Papua Selatan",
    "96": "Papua Tengah", "97": "Papua Pegunungan",
}
PROVINCES = tuple(PROVINCE_CODES.values())
#: Short names and spellings in use (lower case, single spaces) -> the BPS name.
PROVINCE_ALIASES = {
    "kaltim": "Kalimantan Timur", "kaltara": "Kalimantan Utara", "kalsel": "Kalimantan Selatan",
    "kalbar": "Kalimantan Barat", "kalteng": "Kalimantan Tengah", "east kalimantan":
    "Kalimantan Timur", "north kalimantan": "Kalimantan Utara", "south kalimantan":
    "Kalimantan Selatan", "jakarta": "DKI Jakarta", "jatim": "Jawa Timur",
    "east java": "Jawa Timur", "sulsel": "Sulawesi Selatan", "yogyakarta": "DI Yogyakarta",
    "kalimantan east": "Kalimantan Timur", "kalimantan north": "Kalimantan Utara",
    **{code + "00": name for code, name in PROVINCE_CODES.items()},
    **{name.lower(): name for name in PROVINCE_CODES.values()},
}


def province_key(text: str) -> str:
    """Case, spaces and a 'Provinsi'/'Prov.' prefix removed: the key aliases are looked up by."""
    t = " ".join(str(text).replace("\u00a0", " ").split()).lower()
    return re.sub(r"^(?:provinsi|prov\.?|province( of)?)\s+", "", t)


def normalise_province(text: str) -> str:
    """The BPS name of a province as printed ('KALIMANTAN  TIMUR', 'Kaltim', '6400');
    ValueError with a did-you-mean for a name that is not an Indonesian province."""
    import difflib

    key = province_key(text)
    if key in PROVINCE_ALIASES:
        return PROVINCE_ALIASES[key]
    near = difflib.get_close_matches(key, list(PROVINCE_ALIASES), n=1, cutoff=0.6)
    hint = f"; did you mean '{PROVINCE_ALIASES[near[0]]}'?" if near else ""
    raise ValueError(f"unknown province {str(text)!r}; expected a BPS province name such as "
                     f"'Kalimantan Timur' or 'Kalimantan Utara'{hint}")


def province_in(title: str) -> str | None:
    """The province a table title names first (the longest name at that place, so 'Kalimantan
    Utara' is not read as a shorter alias), or None."""
    low = " " + province_key(title) + " "
    hits = []
    for alias, name in PROVINCE_ALIASES.items():
        if alias.isdigit():
            continue
        m = re.search(rf"(?<![a-z]){re.escape(alias)}(?![a-z])", low)
        if m:
            hits.append((m.start(), -len(alias), name))
    return min(hits)[2] if hits else None
