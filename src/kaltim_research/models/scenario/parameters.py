"""The parameter schema: every group a scenario file may set, and the flat list of them.

Each field is declared once with unit, valid range, plausible range, default and source
(:func:`~kaltim_research.models.scenario.parameter.P`). The groups of the baseline live in
:mod:`.baseline_parameters`, those of the levers, budget and jobs in :mod:`.lever_parameters`;
this module adds the simulation, price and model-choice groups and composes them into
:class:`Parameters`. :func:`parameter_docs` flattens the schema for the README, notebooks and
the brief.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, model_validator

from kaltim_research.models.scenario.baseline_parameters import Blocks, CoalVolume
from kaltim_research.models.scenario.lever_parameters import (
    Connectivity,
    ExportCenter,
    Fiscal,
    Jobs,
    Kihi,
)
from kaltim_research.models.scenario.parameter import MAX_HORIZON, Frozen, P, U, Uncertain, YearPath

# --------------------------------------------------------------------------------------------
# parameter groups
# --------------------------------------------------------------------------------------------

class Simulation(Frozen):
    draws: int = P(10_000, unit="draws", ge=1, le=200_000,
                   description="Monte Carlo draws", source="convention")
    seed: int = P(20250807, unit="integer", ge=0, le=2**32 - 1,
                  description="Random seed (same seed ⇒ identical numbers)",
                  source="date of the Kaltim–Kaltara agreement, 7 Aug 2025")
    start_year: int = P(2026, unit="year", ge=2025, le=2030,
                        description="First projected year", source="data end in 2025")
    end_year: int = P(2035, unit="year", ge=2027, le=MAX_HORIZON,
                      description="Last projected year (horizon)", source="issue: default 2035")
    headline_year: int = P(2030, unit="year", ge=2026, le=MAX_HORIZON,
                           description="Year of the headline numbers and the tornado chart",
                           source="RPJMD horizon; IEA 2030 milestones")

    @model_validator(mode="after")
    def _years(self) -> Simulation:
        if not self.start_year < self.end_year:
            raise ValueError(f"start_year {self.start_year} must be before end_year {self.end_year}")
        if not self.start_year <= self.headline_year <= self.end_year:
            raise ValueError(f"headline_year {self.headline_year} must lie in "
                             f"{self.start_year}–{self.end_year}")
        return self


class Prices(Frozen):
    """Nominal commodity price paths (World Bank Pink Sheet series)."""

    coal_newcastle: YearPath = P(
        {2025: 108.0, 2026: 100.0, 2027: 97.5, 2028: 97.5, 2029: 97.5, 2030: 97.5},
        unit="US$/t", ge=10, le=600, description="Coal, Australian (Newcastle, fob)",
        source="V: 2025 Jan–Nov actual 108.5 (Pink Sheet); WB Apr-2025 path: 100 in 2025 then "
               "−5% in 2026; IEA plateau to 2030 (research NOTES, recommended defaults)")
    lng_japan: YearPath = P(
        {2025: 12.1, 2026: 11.0, 2027: 11.0}, unit="US$/mmbtu", ge=1, le=60,
        description="LNG, Japan import cif (proxy for Bontang LNG)",
        source="V: 2025 Jan–Nov mean 12.1 (Pink Sheet); WB Oct-2025: energy index −10% in 2026 (J)")
    aluminium: YearPath = P(
        {2025: 2630.0, 2026: 2946.0, 2027: 2946.0}, unit="US$/t", ge=500, le=6000,
        description="Aluminium (LME)",
        source="V: Reuters poll (Jan 2026) average LME spot 2,946 for 2026 and for 2027; 2025 "
               "average 2,630 (context.csv aluminium_price_forecast)")
    forecast_error_1y: U = P(
        {"value": 0.15, "low": 0.10, "high": 0.25}, unit="log-sd at 1 year",
        description="Price forecast error one year ahead; grows with √horizon",
        source="V: WB Apr-2023 coal forecast missed by ~15% one year ahead (research NOTES §3)")


class CoalDemand(Frozen):
    volume_growth_pct: YearPath = P(
        {2025: 0.0}, unit="% per year", ge=-40, le=20,
        description="Extra growth of coal export demand on top of the destination outlook "
                    "(coal_volume.demand_growth_*), from 2026",
        source="J: 0 = the cited outlooks; APS −4, NZE −8 %/yr (research NOTES) as scenarios")


class BaselineModel(Frozen):
    model: Literal["auto", "regression", "state_space"] = P(
        "auto", unit="choice", description="Price-conditional model for projection; 'auto' "
        "takes the lowest MASE in the rolling-origin backtest",
        source="method: Hyndman & Koehler (2006) MASE; rolling-origin evaluation")
    use_implied_months: bool = P(True, unit="flag", description="Use monthly values implied "
                                 "from a reported value and a % change as observations",
                                 source="ledger basis implied_from_pct_change")
    backtest_min_train: int = P(10, unit="observations", ge=5, le=40,
                                description="Observations before the first backtest origin",
                                source="convention")
    structural_error_prior_sd: float = P(
        0.08, unit="log-sd per year", ge=0, le=0.5,
        description="Persistent (random-walk) part of the model error per year beyond the "
                    "first, used only where the horizon tests of a province and of both "
                    "provinces pooled support no horizon beyond the first",
        source="judgement (prior; the tests replace it wherever the ledger allows, see "
               "calibration.csv sd_persistent_basis)")
    derived_error_pct: float = P(
        3.0, unit="% of value (1 sd)", ge=0.5, le=20,
        description="Error of a derived ledger figure (implied from a printed % change and a "
                    "reference value) in the measurement model, beside its rounding",
        source="J: range 1–10 %; the reference value may be revised and the % change is "
               "rounded to 0.01 pp")


class Parameters(Frozen):
    simulation: Simulation = Simulation()
    prices: Prices = Prices()
    coal_demand: CoalDemand = CoalDemand()
    baseline: BaselineModel = BaselineModel()
    coal_volume: CoalVolume = CoalVolume()
    blocks: Blocks = Blocks()
    export_center: ExportCenter = ExportCenter()
    kihi: Kihi = Kihi()
    connectivity: Connectivity = Connectivity()
    fiscal: Fiscal = Fiscal()
    jobs: Jobs = Jobs()




@dataclass(frozen=True)
class ParamDoc:
    name: str
    unit: str
    default: Any
    valid: tuple[Any, Any]
    plausible: tuple[Any, Any] | None
    description: str
    source: str


def parameter_docs(model: type[BaseModel] = Parameters, prefix: str = "") -> list[ParamDoc]:
    """Flat list of every declared parameter (for the README, notebooks and the brief)."""
    out = []
    for name, field in model.model_fields.items():
        ann = field.annotation
        full = f"{prefix}{name}"
        if isinstance(ann, type) and issubclass(ann, BaseModel) and ann is not Uncertain:
            out.extend(parameter_docs(ann, full + "."))
            continue
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        lo = next((m.ge for m in field.metadata if getattr(m, "ge", None) is not None), None)
        hi = next((m.le for m in field.metadata if getattr(m, "le", None) is not None), None)
        default = field.default
        if isinstance(default, BaseModel):
            default = default.model_dump()
        out.append(ParamDoc(full, extra.get("unit", ""), default, (lo, hi),
                            tuple(extra["plausible"]) if "plausible" in extra else None,
                            field.description or "", extra.get("source", "")))
    return out


def uncertain_range(u: Uncertain, declared: Uncertain | None = None) -> tuple[float, float, float]:
    """(low, mode, high) of an uncertain value: its own range, else the declared default range,
    widened to include the value."""
    low = u.low if u.low is not None else (declared.low if declared else None)
    high = u.high if u.high is not None else (declared.high if declared else None)
    low = u.value if low is None else min(low, u.value)
    high = u.value if high is None else max(high, u.value)
    return float(low), float(u.value), float(high)
