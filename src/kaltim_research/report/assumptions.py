"""The assumptions a brief lists: every parameter a scenario changes from the reference
baseline along its whole ``modifies`` chain, with the scenario's own reasoning.

For each changed parameter: its value in the headline year, the baseline's value, the tested
range and the reason the scenario file gives (``reasons:`` map, ``why_id``/``why_en``); when a
file gives no reason the short bilingual source of the parameter's default is shown instead
(labelled as such). The baseline itself changes nothing, so for it the main drivers (coal
price, coal export volume, LNG price) are listed with their sources.
"""
from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel

from kaltim_research.models.scenario import Parameters, Uncertain, parameter_docs, path_value

#: Parameters that set up the simulation rather than state an economic assumption.
TECHNICAL = ("simulation.draws", "simulation.seed")
#: What a baseline brief lists (it changes nothing): the drivers of the projection.
BASELINE_DRIVERS = ("prices.coal_newcastle", "coal_demand.volume_growth_pct", "prices.lng_japan")


@functools.lru_cache(maxsize=1)
def parameter_labels() -> dict[str, dict[str, str]]:
    """``templates/parameters.yaml`` of the brief: label, unit and short source per parameter
    in Bahasa Indonesia and English."""
    ref = resources.files("kaltim_research.report.brief") / "templates" / "parameters.yaml"
    return yaml.safe_load(ref.read_text(encoding="utf-8"))


def _get(params: Parameters, name: str) -> Any:
    group, field = name.split(".")
    return getattr(getattr(params, group), field)


def _at(value: Any, year: int) -> Any:
    """A parameter's value in ``year`` (year paths), its central value (uncertain), the total
    nameplate capacity (KIHI projects), else as is."""
    if isinstance(value, dict) and value and all(isinstance(k, int) for k in value):
        return path_value(value, year)
    if isinstance(value, Uncertain):
        return value.value
    if isinstance(value, tuple) and value and isinstance(value[0], BaseModel) \
            and hasattr(value[0], "nameplate_kt"):
        return float(sum(p.nameplate_kt for p in value))
    if isinstance(value, tuple) and not value:
        return 0.0
    return value


def _range(value: Any, plausible: tuple | None) -> list | None:
    if isinstance(value, Uncertain) and value.low is not None and value.high is not None:
        return [value.low, value.high]
    return list(plausible) if plausible else None


def changed_assumptions(params: Parameters, reference: Parameters | None, reasons: dict,
                        year: int) -> list[dict]:
    """Rows of the brief's assumptions table (see the module docstring).

    Parameters
    ----------
    params, reference : Parameters
        The scenario's resolved parameters and the reference baseline's (None: the scenario is
        the baseline, compared with the declared defaults).
    reasons : dict
        The scenario's resolved ``reasons`` (name -> Reason with why_id, why_en).
    year : int
        Headline year at which year paths are read.

    Returns
    -------
    list of dict
        name, label_id, label_en, value, baseline_value, year, unit (declared), unit_id,
        unit_en, range, why_id, why_en, reason_given (bool), source (declared, long).
    """
    ref = reference if reference is not None else Parameters()
    labels = parameter_labels()
    rows = []
    for doc in parameter_docs():
        if doc.name in TECHNICAL:
            continue
        value, base = _get(params, doc.name), _get(ref, doc.name)
        if value == base and not (reference is None and doc.name in BASELINE_DRIVERS):
            continue
        lab = labels.get(doc.name, {})
        why = reasons.get(doc.name)
        rows.append({
            "name": doc.name, "label_id": lab.get("label_id", doc.name),
            "label_en": lab.get("label_en", doc.name), "year": year,
            "value": _at(value, year), "baseline_value": _at(base, year), "unit": doc.unit,
            "unit_id": lab.get("unit_id", doc.unit), "unit_en": lab.get("unit_en", doc.unit),
            "range": _range(value, doc.plausible),
            "why_id": why.why_id if why else lab.get("source_id", ""),
            "why_en": why.why_en if why else lab.get("source_en", ""),
            "reason_given": why is not None, "source": doc.source,
        })
    return rows


def parameter_rows(params: Parameters, reasons: dict, year: int, prefixes: tuple[str, ...],
                   lang: str = "id") -> list[dict]:
    """The declared parameters starting with ``prefixes`` as the scenario sets them (its
    values, not the defaults), for the reports' assumptions tables: label, unit, value in
    ``year``, tested range and reason (the scenario's own, else the short source).

    Scalars are formatted as the brief formats them (shares in percent); year paths and
    lists stay as they are for :mod:`report.reader_tables`.
    """
    from kaltim_research.report.brief.text import fmt_param

    labels = parameter_labels()
    heads = {"id": ("Asumsi", "Satuan", f"Nilai skenario {year}", "Rentang uji", "Alasan atau sumber"),
             "en": ("Assumption", "Unit", f"Scenario value {year}", "Tested range",
                    "Reason or source")}[lang]
    rows = []
    for doc in parameter_docs():
        if doc.name in TECHNICAL or not doc.name.startswith(prefixes):
            continue
        lab = labels.get(doc.name, {})
        value = _get(params, doc.name)
        rng = _range(value, doc.plausible)
        why = reasons.get(doc.name)
        reason = (why.why_id if lang == "id" else why.why_en) if why else \
            lab.get(f"source_{lang}", "")
        unit = lab.get(f"unit_{lang}", doc.unit)
        at = _at(value, year)

        def shown(v, declared=doc.unit):  # shares in percent, as in the brief; the unit has
            if isinstance(v, bool) or not isinstance(v, int | float):  # its own column
                return v
            return fmt_param(v, declared, "", lang)

        rows.append({heads[0]: lab.get(f"label_{lang}", doc.name), heads[1]: unit,
                     heads[2]: shown(at),
                     heads[3]: "\u2013" if not rng else f"{shown(rng[0])}\u2013{shown(rng[1])}",
                     heads[4]: reason or "\u2013"})
    return rows
