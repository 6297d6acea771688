"""Draws of the uncertain parameters: one seeded stream per parameter, triangular over its range."""
from __future__ import annotations

import zlib

import numpy as np

from kaltim_research.models.scenario import Parameters, Uncertain, path_value, uncertain_range


def _declared(model_cls, name: str) -> Uncertain | None:
    default = model_cls.model_fields[name].default
    if isinstance(default, dict) and "value" in default:
        return Uncertain.model_validate(default)
    return default if isinstance(default, Uncertain) else None


def draw_uncertain(rng: np.random.Generator, n: int, u: Uncertain, declared: Uncertain | None,
                   fixed: str | np.ndarray | None = None) -> np.ndarray:
    """Triangular draws over (low, mode, high); ``fixed`` = 'low'|'mode'|'high' for the
    tornado, or one such word per draw (the tornado's rows in one simulation)."""
    low, mode, high = uncertain_range(u, declared)
    if fixed is not None:
        ends = {"low": low, "mode": mode, "high": high}
        if isinstance(fixed, str):
            return np.full(n, ends[fixed])
        return np.array([ends[f] for f in fixed], dtype=float)
    if high <= low:
        # Consume what a triangular draw would (one uniform per draw), so pinning a lever
        # value keeps the common random numbers of every later draw (price, model shocks).
        rng.random(n)
        return np.full(n, mode)
    return rng.triangular(low, mode, high, size=n)


def param_rng(seed: int, name: str) -> np.random.Generator:
    """The random stream of one uncertain parameter (stable across added parameters)."""
    return np.random.default_rng([int(seed), zlib.crc32(name.encode("utf-8"))])


def uncertain_parameters(params: Parameters) -> list[tuple[str, Uncertain, Uncertain | None]]:
    """(dotted name, value, declared default) for every uncertain scalar of a scenario."""
    out = []
    for group_name in type(params).model_fields:
        group = getattr(params, group_name)
        for name in type(group).model_fields:
            value = getattr(group, name)
            if isinstance(value, Uncertain):
                out.append((f"{group_name}.{name}", value, _declared(type(group), name)))
    return out


def path_array(path: dict[int, float], years: np.ndarray) -> np.ndarray:
    """A year path's value in each of ``years`` (flat after its last year)."""
    return np.array([path_value(path, int(y)) for y in years], dtype=float)
