"""A scenario's own reasoning for the parameters it sets (``reasons:`` in a scenario file).

The brief's assumptions table shows, for each parameter a scenario changes, *why this scenario
sets it so*, not the source of the parameter's default (a coal price of 60 US$/t in a
transition scenario is a stress case, not a World Bank forecast)::

    reasons:
      prices.coal_newcastle:
        why_id: Kasus tekanan gaya NZE ...
        why_en: NZE-type stress case ...
"""
from __future__ import annotations

import difflib
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from kaltim_research.models.scenario.parameters import parameter_docs


class Reason(BaseModel):
    """Why a scenario sets one parameter as it does, in Bahasa Indonesia and English."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    why_id: str = Field(min_length=3, description="Reason in Bahasa Indonesia")
    why_en: str = Field(min_length=3, description="Reason in English")


def _known_keys(value: dict[str, Reason]) -> dict[str, Reason]:
    names = [d.name for d in parameter_docs()]
    for key in value:
        if key not in names:
            close = difflib.get_close_matches(key, names, n=1, cutoff=0.5)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise ValueError(f"'{key}' is not a declared parameter.{hint} Keys are "
                             "'group.name' as listed by `kaltim-research scenario params`")
    return value


Reasons = Annotated[dict[str, Reason], AfterValidator(_known_keys)]
