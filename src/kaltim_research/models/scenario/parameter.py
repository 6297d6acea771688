"""Declaring scenario parameters: the building blocks every parameter group uses.

``P`` declares a parameter once (unit, valid range, plausible range, default, source), ``Frozen``
is the strict pydantic base (unknown keys rejected, values checked against their valid range),
``YearPath`` a ``{year: value}`` mapping held flat after its last year, ``U`` an uncertain scalar
(central value with an optional triangular range). Split out of :mod:`scenario` so that parameter
groups can live in their own modules (:mod:`lever_parameters`) without a circular import.
"""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

FIRST_PATH_YEAR = 2024
MAX_HORIZON = 2045


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
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True,
                              allow_inf_nan=False)  # '.nan' would give all-NaN headlines

    @model_validator(mode="after")
    def _within_valid_ranges(self):
        bad = []  # every bad value of the group, not only the first
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
                    bad.append({"key": name + suffix, "value": v, "lo": lo, "hi": hi,
                                "unit": extra.get("unit", "")})
        if bad:
            raise PydanticCustomError("out_of_range", "{key} = {value} is out of range: expected"
                                      " a value between {lo} and {hi} ({unit})",
                                      {**bad[0], "all": bad})
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
