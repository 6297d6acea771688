"""Command-line overrides (``-p draws N``, ``-p seed S``, ``--draws``, ``--seed``) validated by
the same pydantic model as scenario files, so the command line cannot bypass a rule that a
YAML file obeys (e.g. the 200,000-draw cap that bounds memory: 10,000 draws of all modules
to 2045 take ~0.3 s; 10^8 draws would need tens of GB).
"""
from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from kaltim_research.models.scenario.files import ScenarioError, _describe
from kaltim_research.models.scenario.parameters import Simulation

#: Overrides checked against :class:`Simulation` fields (the others are notebook strings).
SIMULATION_OVERRIDES = ("draws", "seed")


def validate_simulation_value(name: str, value: Any, origin: str) -> int | None:
    """Validate one simulation override; return it as the field's type, None for "unset".

    A negative seed keeps its notebook meaning ("use the scenario's own seed") and gives None.
    Raises :class:`ScenarioError` naming ``origin`` (e.g. ``-p draws``), the value and the
    expected range, with the messages used for scenario files.
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if name == "seed" and text.startswith("-") and text[1:].isdigit():
            return None
    elif name == "seed" and isinstance(value, int) and not isinstance(value, bool) and value < 0:
        return None
    try:
        sim = Simulation.model_validate({name: value}, strict=False)
    except ValidationError as exc:
        msgs = [_describe({**e, "loc": ("parameters", "simulation", *e["loc"])})
                for e in exc.errors() if e["loc"] and e["loc"][0] == name]
        raise ScenarioError(origin, msgs or [str(exc)]) from None
    return getattr(sim, name)


def validate_overrides(overrides: dict[str, Any], origin: str = "-p") -> dict[str, Any]:
    """Validated copies of the simulation overrides in ``overrides`` (others unchanged)."""
    out = dict(overrides)
    for name in SIMULATION_OVERRIDES:
        if name in out:
            out[name] = validate_simulation_value(name, out[name], f"{origin} {name}")
    return out
