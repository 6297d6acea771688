"""The brief's facts as data: the structure :func:`facts.brief_facts` fills, and the
rounding rule of every printed figure.

The brief's facts: one pass over results.json into a tested, language-free structure.

Everything the brief concludes is decided here, once: the attribution of each province's
change (:mod:`attribution`), whom each action is addressed to, the figures rounded to what
their band supports, the reference year and the peak, and what changed since the previous
brief. The wording (:mod:`content`, :mod:`analysis`, :mod:`actions`) reads only this
structure and the renderers only the wording.

Fiscal (DBH) and jobs lines are read from ``results["fiscal"]`` / ``results["jobs"]`` when
present; a missing key, a missing year or a row marked not estimable gives a line with
``status`` "missing"/"not_estimable" instead of an error (the budget model owns those keys).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from kaltim_research.report.brief.attribution import ChangedAssumption, Contribution
from kaltim_research.report.formatting import is_missing

KALTIM = "Kalimantan Timur"
KALTARA = "Kalimantan Utara"
#: Jobs carry no band in results.json; coefficients per Mt and per exporter are uncertain by
#: tens of percent (research/ ranges), so two significant figures (judgement, range 1-3).
JOBS_SIGNIFICANT_FIGURES = 2


# --------------------------------------------------------------------------- rounding


def supported_step(band_width: float) -> float:
    """The rounding a band supports: the power of ten at most 5 % of its width (the rule of
    ``report.results.rounding_usd_m``, applied to every printed figure); NaN when the band
    is unknown (the figure is then printed with one decimal, unrounded)."""
    if is_missing(band_width) or band_width <= 0:
        return math.nan
    return float(10 ** math.floor(math.log10(band_width / 20)))


def round_to(value: float, step: float) -> float:
    """``value`` rounded to a multiple of ``step`` (NaN stays NaN)."""
    if is_missing(value):
        return math.nan
    if is_missing(step):
        return float(value)
    return round(round(float(value) / step) * step, 10)


def round_significant(value: float, digits: int) -> float:
    if is_missing(value) or value == 0:
        return 0.0 if value == 0 else math.nan
    return round(float(value), digits - 1 - int(math.floor(math.log10(abs(float(value))))))


@dataclass(frozen=True)
class Amount:
    """A US$ million figure already rounded to ``step`` (the wording prints it as is)."""

    value_usd_m: float
    step: float


def amount(value: float, step: float) -> Amount:
    return Amount(round_to(value, step), step)


# --------------------------------------------------------------------------- structure


@dataclass(frozen=True)
class Reference:
    """A past or nowcast year of a province: ``kind`` is full|derived|nowcast|peak."""

    year: int
    value: Amount
    kind: str


@dataclass(frozen=True)
class Line:
    """A fiscal or jobs line of one province: ``status`` ok|missing|not_estimable."""

    status: str
    value: float = math.nan
    low: float = math.nan
    high: float = math.nan
    difference: float = math.nan
    basis: str = ""  # accrual|cash when the results say so
    parts: tuple[tuple[str, float], ...] = ()  # jobs by sector (sector, rounded median)


@dataclass(frozen=True)
class ProvinceFacts:
    province: str
    basis: str
    year: int
    p50: Amount
    p10: Amount
    p90: Amount
    mean: Amount
    baseline_mean: Amount
    difference: Amount
    difference_pct: float
    paired: tuple[Amount, Amount] | None
    contributions: tuple[Contribution, ...]
    reference: Reference | None
    peak: Reference | None
    coal_share_pct: float
    coal_share_baseline_pct: float
    new_exports: Amount | None
    rerouted: Amount | None
    fiscal: Line
    jobs: Line

    @property
    def cause(self) -> Contribution | None:
        """The largest contribution (None when nothing acts on the province)."""
        return self.contributions[0] if self.contributions else None

    def acts(self, key: str) -> bool:
        return any(c.key == key for c in self.contributions)


@dataclass(frozen=True)
class Action:
    """An action for one addressee (``addressees`` block of templates/brief_text.yaml):
    ``pemprov_kaltim`` (what the Pemprov Kaltim controls), ``kerja_sama_kaltara``
    (cooperation under the 7 August 2025 agreement) or a ministry (a recommendation)."""

    addressee: str
    key: str
    province: str
    values: tuple[tuple[str, object], ...] = ()

    def value(self, name: str, default=None):
        return dict(self.values).get(name, default)


@dataclass(frozen=True)
class Release:
    """A data release that changed: ``source`` (bps|prices), province, period before/after."""

    source: str
    province: str
    before: tuple[int, int] | None
    after: tuple[int, int] | None


@dataclass(frozen=True)
class Changes:
    previous_date: str
    inputs: tuple[str, ...]
    releases: tuple[Release, ...]
    resources_added: int
    parameters: tuple[tuple[str, object, object], ...]  # (name, before, after)
    headlines: tuple[tuple[str, Amount, Amount, float], ...]  # province, before, after, %


@dataclass(frozen=True)
class BriefFacts:
    scenario: str
    kind: str  # baseline|shock|lever
    brief_date: str  # ISO date
    scenario_date: str
    provinces: tuple[ProvinceFacts, ...]
    changed: tuple[ChangedAssumption, ...]
    actions: tuple[Action, ...] = ()
    changes: Changes | None = None
    kihi: tuple[Amount, Amount, int] | None = None  # gross, retained, year
    notes: dict = field(default_factory=dict)

    def province(self, name: str) -> ProvinceFacts | None:
        return next((p for p in self.provinces if p.province == name), None)

    @property
    def largest(self) -> tuple[ProvinceFacts, Contribution] | None:
        """The largest contribution over both provinces (and its province)."""
        best = None
        for p in self.provinces:
            c = p.cause
            if c is not None and (best is None or abs(c.value_usd_m) > abs(best[1].value_usd_m)):
                best = (p, c)
        return best


