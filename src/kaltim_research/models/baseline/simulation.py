"""The baseline component of a Monte Carlo run: commodity blocks from a 2025 starting point.

Called by :func:`kaltim_research.models.engine.simulate` once per run; see :mod:`blocks`
(shares, drivers, errors), :mod:`volume` (coal volume and unit value) and :mod:`nowcast`
(Kaltim 2024–2025). Scenario and reference baseline share every random number (common random
numbers), so their per-draw difference is the effect of the scenario's parameters alone.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kaltim_research.models.baseline import blocks as bk
from kaltim_research.models.baseline import nowcast as nc
from kaltim_research.models.baseline import price_model as bl
from kaltim_research.models.baseline import volume as vo
from kaltim_research.models.scenario import Parameters, path_value

BASE = bk.BASE_YEAR
#: Extra price drivers of the blocks (beyond the fitted series' drivers and aluminium).
BLOCK_DRIVERS = ("palm_oil", "urea")
NOWCAST_PROVINCE = "Kalimantan Timur"


@dataclass(frozen=True)
class BlockInputs:
    """Scenario-independent inputs of the block baseline (cached with the fit)."""

    shares: dict[str, dict[str, float]]   # series label -> block -> share
    share_table: pd.DataFrame
    weights: dict[str, float]
    weights_periods: str
    hba: dict
    unit_value_2025: dict
    national: dict
    urea_ratio_2025: float
    annual_sd: dict[str, float]           # series label -> annual log-error sd (ex post)
    reported: dict[int, float | None]     # Kaltim full years that replace the nowcast
    persistent_sd: dict[str, float] = None  # province -> random-walk log-sd per year (horizon)
    signals: dict = None                      # wave-4 figures checked against the model
    #: (province, concept, flow) -> (mean, sd) of the measurement model's smoothed 2025 total
    #: (:mod:`assimilation`): the starting point from every figure printed
    start: dict | None = None


def prepare(fitted: tuple[bl.FittedSeries, ...], exports: pd.DataFrame,
            exports_annual: pd.DataFrame, commodities: pd.DataFrame,
            destinations: pd.DataFrame, context: pd.DataFrame, prices_monthly: pd.DataFrame,
            annual_sd: dict[str, float], persistent_sd: dict[str, float] | None = None
            ) -> BlockInputs:
    shares, tables = {}, []
    for f in fitted:
        sh, tab = bk.block_shares(commodities, exports, f.spec.province, f.spec.flow,
                                  f.spec.concept)
        shares[f.spec.label] = sh
        tables.append(tab.assign(series=f.spec.label))
    weights, periods = vo.destination_weights(destinations)
    urea = prices_monthly[prices_monthly["series_id"] == "urea"].groupby("year")["price"].mean()
    return BlockInputs(shares, pd.concat(tables, ignore_index=True), weights, periods,
                       vo.hba_mapping(prices_monthly), vo.national_unit_value(context),
                       nc.national_coal(context), float(urea[2025] / urea[2024]), annual_sd,
                       {y: nc.reported_year(exports_annual, NOWCAST_PROVINCE, "via_ports", y)
                        for y in nc.NOWCAST_YEARS}, dict(persistent_sd or {}),
                       nc.wave4_signals(context, prices_monthly))


def _drawn_price(path: dict[int, float], shock: np.ndarray, var: np.ndarray,
                 years: np.ndarray) -> np.ndarray:
    """Scenario price path × mean-one bounded shock (n × T)."""
    return np.array([path_value(path, int(y)) for y in years])[None, :] * np.exp(shock - 0.5 * var)


def _indices(p: Parameters, u: dict, years: np.ndarray, shocks: dict, var: dict,
             b: BlockInputs, n: int) -> dict:
    """Driver indices relative to 2025 (n × T) for one parameter set."""
    vi = vo.volume_index(p.coal_volume, p.coal_demand.volume_growth_pct, u, years, b.weights, n)
    newc = _drawn_price(p.prices.coal_newcastle, shocks["coal_newcastle"], var["price"], years)
    n25 = path_value(p.prices.coal_newcastle, BASE)
    uv = vo.unit_value(newc, n25, b.unit_value_2025["usd_per_t"],
                       u["coal_volume.unit_value_elasticity"], vi["price_factor"])
    h = years - BASE
    out = {"coal": vi["volume"] * uv / b.unit_value_2025["usd_per_t"],
           "palm_oil": (_drawn_price(p.blocks.palm_oil, shocks["palm_oil"], var["price"], years)
                        / path_value(p.blocks.palm_oil, BASE))
           ** u["blocks.palm_oil_elasticity"][:, None],
           "chemicals": (_drawn_price(p.blocks.urea, shocks["urea"], var["price"], years)
                         / path_value(p.blocks.urea, BASE))
           ** u["blocks.chemicals_elasticity"][:, None],
           "other": (1 + u["blocks.other_trend_pct"][:, None] / 100) ** h[None, :],
           "migas": (1 + u["blocks.migas_volume_growth_pct"][:, None] / 100) ** h[None, :]
           * _drawn_price(p.prices.lng_japan, shocks["lng_japan"], var["price"], years)
           / path_value(p.prices.lng_japan, BASE)}
    dmo = vi["dmo"]  # realised share (n × T): plan + drawn deviation
    hba = newc * b.hba["ratio_post_2023"] * vi["price_factor"]
    # the volume index's supply, demand and pass-through are in these; not kept (memory)
    return {"index": out, "uv": uv, "hba": hba, "dmo": dmo}


def start_draw(mean: float, sd: float, z: np.ndarray) -> np.ndarray:
    """A positive draw of the 2025 starting point with the smoother's mean and sd:
    log-normal, mean-one factor, bounded (triangular, unit-variance) innovation ``z``."""
    s = float(np.sqrt(np.log1p((sd / mean) ** 2))) if mean > 0 else 0.0
    return max(mean, 1e-6) * np.exp(s * z - 0.5 * s * s)


def _anchors(fitted: tuple[bl.FittedSeries, ...], p: Parameters, u: dict, b: BlockInputs,
             projection, n: int, z: np.ndarray) -> tuple[dict, dict]:
    """2025 block values (n,) per series label, and the Kaltim nowcast (or {}).

    The series' 2025 total is the measurement model's smoothed value (``b.start``), drawn
    with its sd; Kaltim nonmigas keeps the nowcast's per-draw block split. Without a
    measurement fit the nowcast or the price model's 2025 value is the total."""
    anchors: dict[str, dict[str, np.ndarray]] = {}
    migas = next((f for f in fitted if f.spec.province == NOWCAST_PROVINCE
                  and f.spec.flow == "migas"), None)
    nonmigas = next((f for f in fitted if f.spec.province == NOWCAST_PROVINCE
                     and f.spec.flow == "nonmigas"), None)
    now = {}
    if migas is not None and nonmigas is not None:
        m = projection(migas, p.prices.lng_japan, np.array(nc.NOWCAST_YEARS))
        now = nc.kaltim_nowcast(b.national, b.shares[nonmigas.spec.label], u,
                                b.urea_ratio_2025, dict(zip(nc.NOWCAST_YEARS, m, strict=True)))
    start = b.start or {}
    for i, f in enumerate(fitted):
        sh = b.shares[f.spec.label]
        key = (f.spec.province, f.spec.concept, f.spec.flow)
        total = start_draw(*start[key], z[:, i]) if key in start else None
        if now and f is nonmigas:
            blocks = {k: now[BASE][k] for k in sh}
            rep = b.reported.get(BASE) if total is None else None
            if rep is not None:  # a BPS full year replaces the nowcast (scaled to its total)
                tot = sum(blocks.values()) + now[BASE]["migas"]
                blocks = {k: v * rep / tot for k, v in blocks.items()}
            if total is not None:
                s = sum(blocks.values())
                blocks = {k: v * total / s for k, v in blocks.items()}
            anchors[f.spec.label] = blocks
        elif now and f is migas:
            anchors[f.spec.label] = {"migas": now[BASE]["migas"] if total is None else total}
        else:
            base = total if total is not None else np.full(n, float(
                projection(f, getattr(p.prices, f.spec.driver), np.array([BASE]))[0]))
            anchors[f.spec.label] = {k: base * s for k, s in sh.items()}
    return anchors, now


def simulate(fitted: tuple[bl.FittedSeries, ...], p: Parameters, ref: Parameters, u: dict,
             years: np.ndarray, rng: np.random.Generator, n: int, b: BlockInputs,
             projection, price_shock: dict, price_var: np.ndarray, shocks: bool) -> dict:
    """Per series: 2025 anchors, model error and sizes; the driver indices of the scenario
    and the reference (blocks = anchor × index × error, see :func:`series_blocks`)."""
    var = {"price": price_var if shocks else np.zeros_like(price_var)}
    ind = _indices(p, u, years, price_shock, var, b, n)
    ind_ref = _indices(ref, u, years, price_shock, var, b, n)
    # one starting-point innovation per draw and series, shared by scenario and reference
    z = (rng.triangular(-bk.SQRT6, 0.0, bk.SQRT6, size=(n, len(fitted))) if shocks
         else np.zeros((n, len(fitted))))
    anchors, now = _anchors(fitted, p, u, b, projection, n, z)
    anchors_ref, _ = _anchors(fitted, ref, u, b, projection, n, z)
    phi = p.blocks.model_error_persistence
    h = np.arange(1, len(years) + 1)  # the AR(1) errors start at the first projected year
    out = {}
    errors: dict[str, np.ndarray] = {}
    for f in fitted:
        sd = b.annual_sd[f.spec.label]
        sp = (b.persistent_sd or {}).get(f.spec.province, 0.0)
        key = f"{f.spec.province}/{sd:.12g}/{sp:.12g}"
        if key not in errors:
            # One error per province (the horizon tests are on its total), shared by its
            # series when they carry the same sizes. Structural uncertainty accumulates: a
            # random walk that starts after the first projected year, so
            # var(h) = sd² + (h − 1) sp² (horizon.py calibrates sd and sp).
            e = bk.ar1_bounded(rng, n, len(years), sd, phi, shocks)
            rw = bk.ar1_bounded(rng, n, len(years), sp, 1.0, shocks)
            rw = np.concatenate([np.zeros((n, 1)), rw[:, :-1]], axis=1)
            var = bk.ar1_variance(sd, phi, h) + bk.ar1_variance(sp, 1.0, h - 1)
            errors[key] = np.exp(e + rw - (0.5 * var if shocks else 0.0))
        # The blocks themselves are made by series_blocks, one series at a time, so all
        # series' (draws x years) blocks never exist at once (peak memory).
        out[f.spec.label] = {"anchor": anchors[f.spec.label],
                             "anchor_ref": anchors_ref[f.spec.label], "error": errors[key],
                             "sd_annual_log": sd, "sd_persistent_log": sp}
    coal = {}
    for f in fitted:
        sr = out[f.spec.label]
        if "coal" in sr["anchor"] and f.spec.province not in coal:
            coal[f.spec.province] = bk.combine({"coal": sr["anchor"]["coal"]}, ind["index"],
                                               sr["error"])["coal"]
    vol = vo.coal_volume_frame(coal, ind["uv"], ind["hba"], ind["dmo"], years)
    del coal
    # the reference baseline's unit value and HBA, for paired fiscal differences
    vol_ref = {"unit_value_usd_per_t": ind_ref["uv"], "hba_usd_per_t": ind_ref["hba"]}
    return {"series": out, "nowcast": now, "coal_volume": vol, "coal_volume_ref": vol_ref,
            "index": ind["index"], "index_ref": ind_ref["index"]}


def series_blocks(res: dict, label: str) -> tuple[dict, dict]:
    """Block values (n × T) of one series of :func:`simulate`'s result ``res``, for the
    scenario and the reference."""
    sr = res["series"][label]
    return (bk.combine(sr["anchor"], res["index"], sr["error"]),
            bk.combine(sr["anchor_ref"], res["index_ref"], sr["error"]))
