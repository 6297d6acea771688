"""Scenario parameters: declared once, with unit, valid range, plausible range, default and source.

A scenario file (``scenarios/NAME.yaml``) opens with a header (title, description, the scenario
it modifies, date, references) and then sets parameters under ``parameters:``. Every parameter
is declared here as a field of a frozen pydantic model with ``extra="forbid"`` (in the spirit
of PSL ParamTools / PolicyEngine): a description, a unit, a hard valid range (``ge``/``le``),
a *plausible* range used by the Monte Carlo and the tornado chart, a default and a source.

Values that change over time are **year paths**: a mapping ``{year: value}`` whose years must
be contiguous and inside the horizon (2024–2045); after the last year given the path stays flat.
An uncertain scalar may be written as a number (the central value; the declared plausible
range is kept, widened if needed to include the value) or as ``{value, low, high}``.

Validation errors name the file, the key and the value, and say what was expected; an unknown
key lists the valid names and suggests the closest one (see :func:`load_scenario`).

Source labels follow the research notes (``data/raw/research/NOTES.md``): V = directly from a
verified source, C = computed from verified data, J = judgement informed by the sources.
"""
from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from kaltim_research.models.scenario_reasons import Reasons

FIRST_PATH_YEAR = 2024
MAX_HORIZON = 2045


class ScenarioError(ValueError):
    """A scenario file failed validation; ``problems`` lists each message."""

    def __init__(self, file: str, problems: list[str]):
        self.file = file
        self.problems = problems
        super().__init__(f"{file}: {len(problems)} problem(s)\n"
                         + "\n".join(f"  - {p}" for p in problems))


# --------------------------------------------------------------------------------------------
# building blocks
# --------------------------------------------------------------------------------------------

def P(default: Any, *, unit: str, description: str, source: str, ge: float | None = None,
      le: float | None = None, plausible: tuple[float, float] | None = None) -> Any:
    """Declare a parameter: one place for its unit, ranges, default and source."""
    extra = {"unit": unit, "source": source, "valid": [ge, le]}
    if plausible is not None:
        extra["plausible"] = list(plausible)
    # Scalars use pydantic's own bounds; year paths and uncertain values are checked value by
    # value in Frozen._within_valid_ranges.
    scalar = isinstance(default, (int, float)) and not isinstance(default, bool)
    return Field(default=default, description=description, ge=ge if scalar else None,
                 le=le if scalar else None, json_schema_extra=extra)


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    @model_validator(mode="after")
    def _within_valid_ranges(self):
        for name, field in type(self).model_fields.items():
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            lo, hi = extra.get("valid", [None, None])
            if lo is None and hi is None:
                continue
            value = getattr(self, name)
            if isinstance(value, Uncertain):
                items = [("", value.value), (".low", value.low), (".high", value.high)]
            elif isinstance(value, dict):
                items = [(f".{y}", v) for y, v in value.items()]
            else:
                continue
            for suffix, v in items:
                if v is None:
                    continue
                if (lo is not None and v < lo) or (hi is not None and v > hi):
                    raise PydanticCustomError(
                        "out_of_range", "{key} = {value} is out of range: expected a value "
                        "between {lo} and {hi} ({unit})",
                        {"key": name + suffix, "value": v, "lo": lo, "hi": hi,
                         "unit": extra.get("unit", "")})
        return self


def _year_path(value: Any) -> dict[int, float]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {FIRST_PATH_YEAR: float(value)}
    if not isinstance(value, dict) or not value:
        raise ValueError("expected a year path: a mapping {year: value}, e.g. {2026: 100, 2027: 95}")
    try:
        path = {int(k): float(v) for k, v in value.items()}
    except (TypeError, ValueError) as exc:
        raise ValueError("expected a year path with whole-number years and numeric values") from exc
    years = sorted(path)
    if years[0] < FIRST_PATH_YEAR or years[-1] > MAX_HORIZON:
        raise ValueError(f"year path runs {years[0]}–{years[-1]}, outside the horizon "
                         f"{FIRST_PATH_YEAR}–{MAX_HORIZON}")
    missing = sorted(set(range(years[0], years[-1] + 1)) - set(years))
    if missing:
        raise ValueError("year path has gaps: no value for " + ", ".join(map(str, missing))
                         + " (give every year from the first to the last)")
    return dict(sorted(path.items()))


YearPath = Annotated[dict[int, float], BeforeValidator(_year_path)]


class Uncertain(Frozen):
    """A central value with an optional plausible range (triangular distribution)."""

    value: float
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Uncertain:
        if self.low is not None and self.high is not None and not self.low <= self.value <= self.high:
            raise ValueError(f"expected low ≤ value ≤ high, found {self.low}, {self.value}, "
                             f"{self.high}")
        return self


def _uncertain(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"value": value}
    return value


U = Annotated[Uncertain, BeforeValidator(_uncertain)]


def path_value(path: dict[int, float], year: int) -> float:
    """Value of a year path in ``year``: the last given year's value holds afterwards, the
    first year's value before it."""
    years = sorted(path)
    if year <= years[0]:
        return path[years[0]]
    if year >= years[-1]:
        return path[years[-1]]
    return path[year]


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
        {2025: 2610.0, 2026: 2650.0, 2027: 2650.0}, unit="US$/t", ge=500, le=6000,
        description="Aluminium (LME)",
        source="V: 2025 Jan–Nov 2,610 (Pink Sheet); WB Dec-2025: base metals up ~2% over 2026–27")
    forecast_error_1y: U = P(
        {"value": 0.15, "low": 0.10, "high": 0.25}, unit="log-sd at 1 year",
        description="Price forecast error one year ahead; grows with √horizon",
        source="V: WB Apr-2023 coal forecast missed by ~15% one year ahead (research NOTES §3)")


class CoalDemand(Frozen):
    volume_growth_pct: YearPath = P(
        {2025: -9.0, 2026: -2.5}, unit="% per year", ge=-40, le=20,
        description="Growth of Indonesian coal export volume; applied to the mining part of "
                    "each series from the year after its last observation (earlier years are "
                    "in the data already)",
        source="V+J: 2025 ≥ −9% (IEA Coal 2025); 2026–30 ≈ −2.5%/yr tracking Chinese imports; "
               "STEPS −1 to −2.5, APS −4, NZE −8 %/yr (research NOTES)")


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


class ExportCenter(Frozen):
    onboarded_kaltim: YearPath = P(
        {2025: 0.0}, unit="firms per year", ge=0, le=5000,
        description="Kaltim UMKM onboarded (curated and put into business matching) per year",
        source="J: no ECB target published (facts: 'not found'); Kemendag ECP coached 360 UMKM "
               "in 12 provinces in 2023; UMKM BISA Ekspor 1,049 UMKM nationally (Dec 2025)")
    onboarded_kaltara: YearPath = P(
        {2025: 0.0}, unit="firms per year", ge=0, le=5000,
        description="Kaltara UMKM onboarded through the Export Center (7 Aug 2025 agreement)",
        source="J: agreement names the ECB as export hub for Kaltara products; no target")
    match_rate: U = P({"value": 0.10, "low": 0.03, "high": 0.20}, unit="share", ge=0, le=1,
                      description="Share of onboarded firms making a first export",
                      source="J: East Java 19% of pioneers active; Balikpapan 8 export-ready "
                             "of >10,000 UMKM (research NOTES)")
    first_year_value_usd_k: U = P({"value": 75.0, "low": 30.0, "high": 150.0},
                                  unit="US$ thousand per firm", ge=1, le=5000,
                                  description="Mean first-year export value of a new exporter",
                                  source="V for 60–90k (coached-UKM first shipments); range J")
    continuation_rates: tuple[float, float, float] = P(
        (0.45, 0.63, 0.72), unit="probability", description="Continuation 1→2, 2→3, 3→4 years",
        source="V: Pane & Patunru (2021), Indonesian manufacturing entrants 2001–2012")
    later_continuation_rate: U = P({"value": 0.85, "low": 0.75, "high": 0.90}, unit="probability",
                                   ge=0, le=1, description="Continuation at later ages",
                                   source="C: gives ≈5% of a cohort after 12 years (5.2% in "
                                          "Pane & Patunru 2021)")
    survival_uplift_year1: U = P({"value": 0.05, "low": 0.0, "high": 0.10}, unit="probability",
                                 ge=0, le=0.5, description="Promotion's uplift of first-year "
                                 "survival", source="J: Lederman, Olarreaga & Zavala (2015)")
    survivor_growth_rate: U = P({"value": 0.05, "low": 0.0, "high": 0.15}, unit="per year",
                                ge=-0.5, le=1, description="Growth of exports per surviving firm",
                                source="J: survivors supply about half of export growth within "
                                       "a decade (Eaton et al., Colombia)")
    promotion_budget_usd_m: float = P(0.5, unit="US$ million per year", ge=0, le=100,
                                      description="Promotion budget for the literature "
                                      "cross-check", source="J: no published ECB budget")
    exports_per_usd: U = P({"value": 15.0, "low": 11.0, "high": 19.0},
                           unit="US$ exports per US$ of promotion", ge=0, le=300,
                           description="Literature cross-check (not added to totals)",
                           source="V: Olarreaga, Sperlich & Trachsel (2015), 95% CI 11–19; "
                                  "Lederman, Olarreaga & Payton (2010): ~40 for the median agency")
    destination_weights: dict[str, float] | None = P(
        None, unit="weights", description="Destination weights of new UMKM exports; None = "
        "today's Kaltim nonmigas destination shares from the ledger",
        source="ledger destinations.csv")


class KihiProject(Frozen):
    name: str = Field(min_length=1, pattern=r"^[^/]+$", description="Unique name (no '/')")
    product: Literal["aluminium"]
    nameplate_kt: float = Field(ge=0, le=5000, description="Nameplate capacity, kt per year")
    first_year: int = Field(ge=2024, le=MAX_HORIZON, description="Planned first production year")
    operating_jobs: float = Field(0.0, ge=0, le=100_000, description="Operating jobs at nameplate")
    source: str


class Kihi(Frozen):
    projects: tuple[KihiProject, ...] = P(
        (), unit="projects", description="KIHI projects modelled (aluminium only: the other "
        "projects have no verifiable capacity or price series)",
        source="data/raw/kihi/kihi_projects.csv")
    start_delay_years: U = P({"value": 0.5, "low": 0.0, "high": 1.5}, unit="years", ge=0, le=10,
                             description="Slip of every project's first year",
                             source="V+J: start slipped from 2024 to end-2025; slip risk +6–12 "
                                    "months (research NOTES)")
    ramp_up: tuple[float, ...] = P((0.45, 0.90, 1.0), unit="share of nameplate by operating year",
                                   description="Ramp-up curve", source="V: Qatalum and Ma'aden "
                                   "~21 months from first metal to nameplate")
    utilisation: U = P({"value": 0.95, "low": 0.85, "high": 1.0}, unit="share", ge=0, le=1,
                       description="Utilisation of capacity online", source="J")
    export_share: U = P({"value": 0.7, "low": 0.5, "high": 0.9}, unit="share", ge=0, le=1,
                        description="Share of output exported", source="J: Indonesian demand "
                        "~1–1.2 Mt/yr, mostly imported, so part may stay at home")
    power_mwh_per_t: U = P({"value": 14.5, "low": 12.5, "high": 15.0}, unit="MWh/t", ge=5, le=20,
                           description="Electricity per tonne of aluminium",
                           source="V: newest 12.5; most 14.5–15 (research NOTES §5)")
    captive_coal_twh: float = P(7.25, unit="TWh per year", ge=0, le=100,
                                description="Captive coal power available to the smelter",
                                source="C: 500 kt × 14.5 MWh/t (the smelter starts on its own "
                                       "coal-fired units)")
    hydro_cod_year: U = P({"value": 2030, "low": 2030, "high": 2033}, unit="year", ge=2026,
                          le=MAX_HORIZON, description="Mentarang Induk hydro (1,375 MW) COD",
                          source="V: COD 2030 (ecobiz 2025-03; ESDM Kaltara 2025-12); delay J")
    hydro_twh: float = P(9.0, unit="TWh per year", ge=0, le=100,
                         description="Hydro energy available at full operation",
                         source="V: Mentarang Induk ~9 TWh/yr (kihi_projects.csv)")
    hydro_share_for_kihi: U = P({"value": 0.8, "low": 0.5, "high": 1.0}, unit="share", ge=0, le=1,
                                description="Share of the hydro output available to KIHI",
                                source="J: 500 kV line to KIHI planned; possible sales to Sabah")
    green_premium_usd_per_t: U = P({"value": 30.0, "low": 0.0, "high": 50.0}, unit="US$/t",
                                   ge=0, le=500, description="Premium for hydro-powered metal",
                                   source="V: Fastmarkets P1020A Europe 25–40 (Jul-2023), up to 50")
    eu_export_share: float = P(0.1, unit="share", ge=0, le=1,
                               description="Share of exports sold into the EU (CBAM exposure)",
                               source="J: green-product rationale for EU/US markets (kihi_facts)")
    eu_carbon_price_usd_per_t: float = P(85.0, unit="US$/t CO2", ge=0, le=500,
                                         description="EU carbon price for CBAM exposure",
                                         source="J: illustrative, not in the research notes")
    @field_validator("projects")
    @classmethod
    def _unique_names(cls, v: tuple[KihiProject, ...]) -> tuple[KihiProject, ...]:
        names = [p.name for p in v]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError("project names must be unique; repeated: " + ", ".join(dupes))
        return v

    port_share_via_kaltim: YearPath = P({2025: 0.0}, unit="share", ge=0, le=1,
                                        description="Share of KIHI exports loaded at Kaltim ports",
                                        source="J: KIHI has its own jetty (kihi_projects.csv)")


class Connectivity(Frozen):
    """Where Kaltara-origin goods are loaded; the two shares may not exceed 1 in any year."""

    reroute_share_to_kaltim: YearPath = P(
        {2025: 0.0}, unit="share", ge=0, le=1,
        description="Share of Kaltara-origin exports now leaving via ports outside Kaltara that "
                    "is shipped through Kaltim (Balikpapan) instead", source="J (scenario lever)")
    reroute_share_to_kaltara: YearPath = P(
        {2025: 0.0}, unit="share", ge=0, le=1,
        description="Share shipped through Kaltara's own ports instead",
        source="J: direct-call trials from Tarakan since Nov 2023 (kaltara_export_facts)")

    @model_validator(mode="after")
    def _shares_at_most_one(self) -> Connectivity:
        _check_shares(self)
        return self


def _check_shares(self_) -> None:
    years = sorted(set(self_.reroute_share_to_kaltim) | set(self_.reroute_share_to_kaltara))
    for y in range(years[0], MAX_HORIZON + 1):
        total = (path_value(self_.reroute_share_to_kaltim, y)
                 + path_value(self_.reroute_share_to_kaltara, y))
        if total > 1 + 1e-12:
            raise ValueError(f"reroute_share_to_kaltim + reroute_share_to_kaltara = {total:g} in "
                             f"{y}; expected at most 1 (they split one flow of goods)")


class Parameters(Frozen):
    simulation: Simulation = Simulation()
    prices: Prices = Prices()
    coal_demand: CoalDemand = CoalDemand()
    baseline: BaselineModel = BaselineModel()
    export_center: ExportCenter = ExportCenter()
    kihi: Kihi = Kihi()
    connectivity: Connectivity = Connectivity()


class Scenario(Frozen):
    title: str = Field(min_length=3)
    title_id: str = Field(min_length=3, description="Title in Bahasa Indonesia")
    description: str = Field(min_length=10)
    description_id: str | None = Field(None, min_length=10, description="Bahasa Indonesia")
    modifies: str | None = Field(description="Scenario this one modifies (None for the baseline)")
    date: date
    references: list[str] = Field(default_factory=list)
    parameters: Parameters = Parameters()
    reasons: Reasons = Field(default_factory=dict, description="why_id/why_en per parameter")
    _name: str | None = PrivateAttr(default=None)

    @property
    def name(self) -> str:
        """File stem of the scenario (``combined_moderate``)."""
        return self._name or self.title.lower().replace(" ", "_")

    @field_validator("references")
    @classmethod
    def _refs(cls, v: list[str]) -> list[str]:
        return [str(x) for x in v]


# --------------------------------------------------------------------------------------------
# loading with readable errors
# --------------------------------------------------------------------------------------------

def _model_at(loc: tuple) -> type[BaseModel] | None:
    model: Any = Scenario
    for part in loc:
        if isinstance(part, int) or model is None:
            return None
        field = model.model_fields.get(part)
        if field is None:
            return None
        ann = field.annotation
        model = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
    return model


def _field_info(loc: tuple):
    parent = _model_at(loc[:-1])
    if parent is None or not isinstance(loc[-1], str):
        return None
    return parent.model_fields.get(loc[-1])


def _describe(err: dict) -> str:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    key = ".".join(str(p) for p in loc)
    value = err.get("input")
    kind = err["type"]
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        names = sorted(parent.model_fields) if parent else []
        close = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.5)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        return (f"unknown key '{key}' (value {value!r}).{hint} Valid names here: "
                + ", ".join(names))
    info = (_field_info(loc) or _field_info(loc[:-1])) if loc else None
    unit = ""
    if info is not None and isinstance(info.json_schema_extra, dict):
        unit = f" ({info.json_schema_extra.get('unit')})"
    ctx = err.get("ctx", {})
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        lo = hi = None
        if info is not None:
            for m in info.metadata:
                lo = getattr(m, "ge", lo) if getattr(m, "ge", None) is not None else lo
                hi = getattr(m, "le", hi) if getattr(m, "le", None) is not None else hi
        rng = (f"between {lo} and {hi}" if lo is not None and hi is not None
               else ", ".join(f"{k} {v}" for k, v in ctx.items()))
        return f"'{key}' = {value!r} is out of range: expected a value {rng}{unit}"
    if kind == "out_of_range":
        full = ".".join([*map(str, loc), str(ctx.get("key"))]) if loc else ctx.get("key")
        return (f"'{full}' = {ctx.get('value')!r} is out of range: expected a value between "
                f"{ctx.get('lo')} and {ctx.get('hi')} ({ctx.get('unit')})")
    if kind == "missing":
        return f"'{key}' is required but missing"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "bool_parsing",
                "string_type", "date_from_datetime_parsing", "date_parsing", "literal_error",
                "dict_type", "tuple_type", "list_type", "model_type"):
        return f"'{key}' = {value!r} has the wrong type: {err['msg'].lower()}{unit}"
    return f"'{key}' = {value!r}: {err['msg']}{unit}"


def parse_scenario(data: Any, file: str = "<scenario>") -> Scenario:
    """Validate a scenario mapping; raise ScenarioError with one message per problem."""
    if not isinstance(data, dict):
        raise ScenarioError(file, ["expected a mapping with title, title_id, description, "
                                   "modifies, date, references and parameters"])
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(file, [_describe(e) for e in exc.errors()]) from None


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(str(path), ["file not found"]) from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), [f"not valid UTF-8 YAML: {exc}"]) from None


def _merge(base: dict, over: dict) -> dict:
    """Deep merge: mappings merge key by key; any other value in ``over`` replaces."""
    out = dict(base)
    for k, v in over.items():
        # Year paths are replaced whole (a mapping keyed by years), groups are merged.
        if isinstance(v, dict) and isinstance(out.get(k), dict) and not all(
                isinstance(x, int) for x in v):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def resolved_parameters(path: Path, _seen: tuple = (), key: str = "parameters") -> dict:
    """Parameters (or ``reasons``) of a scenario file merged over those of the scenario it
    ``modifies`` (a file ``<modifies>.yaml`` in the same folder), recursively."""
    path = Path(path)
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise ScenarioError(str(path), ["expected a mapping with title, title_id, description, "
                                        "modifies, date, references and parameters"])
    own = data.get(key) or {}
    parent = data.get("modifies")
    if not parent:
        return own
    parent_path = path.with_name(f"{parent}.yaml")
    if parent_path in _seen or parent_path == path:
        raise ScenarioError(str(path), [f"'modifies: {parent}' makes a cycle"])
    if not parent_path.exists():
        raise ScenarioError(str(path), [f"'modifies: {parent}' names no file {parent_path.name} "
                                        "in the same folder"])
    return _merge(resolved_parameters(parent_path, (*_seen, path), key), own)


def load_scenario(path: Path) -> Scenario:
    """Read and validate ``scenarios/NAME.yaml``, inheriting the parameters of the scenario it
    modifies. The file's own keys are validated first, so an error names this file."""
    path = Path(path)
    data = _read_yaml(path)
    parse_scenario(data, str(path))  # the file on its own: unknown keys, types, ranges
    # 'modifies: null' (written explicitly: the key is required) makes a self-contained root
    # scenario, compared with the declared defaults, i.e. the baseline (tests/fixtures/ci_small).
    scenario = parse_scenario({**data, "parameters": resolved_parameters(path),
                               "reasons": resolved_parameters(path, key="reasons")}, str(path))
    scenario._name = path.stem
    return scenario


def reference_scenario(path: Path) -> Scenario | None:
    """The root of a scenario's ``modifies`` chain (the baseline), or None if it is the root."""
    path = Path(path)
    data = _read_yaml(path)
    if not isinstance(data, dict) or not data.get("modifies"):
        return None
    current = path
    while True:
        d = _read_yaml(current)
        parent = d.get("modifies") if isinstance(d, dict) else None
        if not parent:
            return load_scenario(current)
        current = current.with_name(f"{parent}.yaml")


def scenario_hash(scenario: Scenario) -> str:
    """sha256 of the validated parameters and header (defaults included), so two files that
    mean the same thing have the same hash."""
    payload = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()


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
