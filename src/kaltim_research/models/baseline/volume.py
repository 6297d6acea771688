"""Coal export volume as a stochastic, policy-anchored driver, and the coal unit value.

Method
------
Indonesian coal export volume relative to 2025 is the smaller of what policy lets out and
what buyers take (a supply-or-demand-constrained market, as in the IEA Coal reports):

* **supply** = national output × (1 − DMO share), over its 2025 value. Output after 2025 is
  drawn: the ESDM plan (~600 Mt for 2026) × an outturn ratio whose range is anchored on the
  2026 evidence (the 902.97 Mt three-year approval, the interim 25 % rule, ~300 firms without
  an RKAB, member cuts of 40–70 %; context_wave4.csv), so national output runs 540–822 Mt
  (mode 642). The DMO share is the plan (25 % → 30 %) plus a drawn deviation (−5 to +10 pp);
* **demand** = a destination-weighted index Π (1 + Σ_d w_d g_d + shift), with weights from
  the printed destination shares of Kaltim exports (all periods that print them) and growth
  rates g_d from cited outlooks (IEA Coal 2025, BI Kaltim), times (1 − duty)^ε for an export
  duty (a duty raises the delivered price of Indonesian coal);
* **volume** = min(supply, demand). When supply binds, the unmet demand raises the unit value
  through a pass-through parameter bounded by Indonesia's share of seaborne coal (514 of
  1,300 Mt = 0.395 in 2025). Output, DMO and pass-through are drawn in the baseline, so all
  three appear in its tornado; ``rkab_2026`` is the named case of the plan enforced exactly
  (``plan_enforced = 1``: the drawn outturn and DMO deviation are switched off, so its paired
  difference from the baseline is the effect of enforcement alone).

Each province's coal block is its 2025 coal export value × volume index × unit-value index;
the province's share of national volume is held at its 2025 level (no data on its change).
The unit value follows the Newcastle price with an elasticity estimated from BPS national
unit values. HBA (the Indonesian reference price, 6,322 GAR) is mapped from Newcastle with the
ratio of HBA to the previous month's Newcastle price **estimated after the 2023 formula break
only** (the pre-2023 ratio is reported beside it, never pooled); the royalty tiers of the
fiscal module are set on HBA.

:func:`coal_volume_frame` is the public interface for the fiscal module: export and production
tonnes per province, year and draw, and the unit value and HBA in US$/t.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from kaltim_research.models.scenario import path_value

BASE_YEAR = 2025
#: Destination groups of the demand index and the parameter of each.
DESTINATIONS = {"china": "demand_growth_china_pct", "india": "demand_growth_india_pct",
                "japan_korea": "demand_growth_japan_korea_pct",
                "southeast_asia": "demand_growth_southeast_asia_pct",
                "rest": "demand_growth_rest_pct"}
_GROUP_OF = {"china": "china", "india": "india", "japan": "japan_korea",
             "south korea": "japan_korea", "korea": "japan_korea", "taiwan": "japan_korea",
             "philippines": "southeast_asia", "malaysia": "southeast_asia",
             "thailand": "southeast_asia", "vietnam": "southeast_asia",
             "asean (group)": "southeast_asia", "bangladesh": "rest"}
#: Fallback weights if no destination shares are printed (IEA seaborne shares, J).
FALLBACK_WEIGHTS = {"china": 0.35, "india": 0.15, "japan_korea": 0.15, "southeast_asia": 0.15,
                    "rest": 0.20}


def destination_weights(destinations: pd.DataFrame,
                        province: str = "Kalimantan Timur") -> tuple[dict[str, float], str]:
    """Weights of the demand index: the mean over every period with printed shares (nonmigas
    or total scope) of each destination group's share; the unlisted remainder is 'rest'.

    Returns the weights and a description of the periods used.
    """
    d = destinations[(destinations["province"] == province)
                     & destinations["scope"].isin(["nonmigas", "total"])
                     & destinations["share_pct"].notna()]
    if d.empty:
        return dict(FALLBACK_WEIGHTS), "fallback (no printed shares)"
    per_period = []
    for key, g in d.groupby(["scope", "period_type", "year", "month"]):
        w = {k: 0.0 for k in DESTINATIONS}
        for c, s in zip(g["country"].str.lower(), g["share_pct"], strict=True):
            w[_GROUP_OF.get(c, "rest")] += s / 100
        w["rest"] += max(0.0, 1 - sum(w.values()))
        per_period.append((key, w))
    weights = {k: float(np.mean([w[k] for _, w in per_period])) for k in DESTINATIONS}
    total = sum(weights.values())
    used = ", ".join(f"{k[0]} {k[1]} {int(k[2])}-{int(k[3]):02d}" for k, _ in per_period)
    return {k: v / total for k, v in weights.items()}, used


def hba_mapping(prices_monthly: pd.DataFrame) -> dict:
    """Ratio of HBA to the previous month's Newcastle price, before and after the 2023 formula
    break (median of the monthly ratios; the post-break ratio maps Newcastle to HBA)."""
    pm = prices_monthly.assign(t=lambda x: x["year"] * 12 + x["month"] - 1)
    newc = pm[pm["series_id"] == "coal_newcastle"].set_index("t")["price"]
    hba = pm[pm["series_id"] == "hba"].set_index("t")["price"]
    ratio = (hba / newc.reindex(hba.index - 1).to_numpy()).dropna()
    years = ratio.index // 12
    post = ratio[years >= 2023]
    pre = ratio[years < 2023]
    return {"ratio_post_2023": float(post.median()) if len(post) else 0.90,
            "ratio_pre_2023": float(pre.median()) if len(pre) else np.nan,
            "n_post": int(len(post)), "n_pre": int(len(pre))}


def national_unit_value(context: pd.DataFrame, year: int = BASE_YEAR) -> dict:
    """BPS national coal export unit value (US$/t) = value / volume of ``year``."""
    c = context[(context["province"] == "Indonesia") & (context["period"].astype(str) == str(year))]
    val = c[c["topic"] == "coal_exports_value"]
    vol = c[c["topic"] == "coal_exports_volume"]
    if val.empty or vol.empty:
        raise ValueError(f"context.csv: no national coal_exports_value/volume for {year}; "
                         "expected the BPS rows of macro/context_wave3.csv")
    v, q = float(val["value_num"].iloc[0]), float(vol["value_num"].iloc[0])
    return {"usd_per_t": v / q, "value_usd_m": v, "volume_mt": q,
            "source_url": str(val["source_url"].iloc[0])}


def dmo_realised(cv, u: dict[str, np.ndarray], years: np.ndarray) -> np.ndarray:
    """Realised DMO share (n × T): the planned path, plus the drawn deviation after 2025
    (the 2025 share is the rule in force, the base of the supply index)."""
    plan = np.array([path_value(cv.dmo_share, int(y)) for y in years])[None, :]
    dev = u["coal_volume.dmo_deviation_pp"][:, None] / 100 * (1 - cv.plan_enforced)
    dmo = np.where(years[None, :] > BASE_YEAR, plan + dev, plan)
    if dmo.min() < 0 or dmo.max() >= 1:
        raise ValueError(f"coal_volume.dmo_share + coal_volume.dmo_deviation_pp gives a DMO "
                         f"share from {dmo.min():.2f} to {dmo.max():.2f}; expected between 0 and 1")
    return dmo


def volume_index(cv, shift_path: dict[int, float], u: dict[str, np.ndarray],
                 years: np.ndarray, weights: dict[str, float], n: int) -> dict[str, np.ndarray]:
    """Coal export volume relative to 2025 (n × T) and the unit-value pass-through factor.

    ``cv`` is the scenario's ``coal_volume`` group, ``shift_path`` the extra demand growth
    (``coal_demand.volume_growth_pct``), ``u`` the drawn uncertain parameters. Supply is
    national output (plan × drawn outturn after 2025) × (1 − realised DMO share), over 2025.
    """
    t = len(years)
    out_base = path_value(cv.output_mt, BASE_YEAR) * (1 - path_value(cv.dmo_share, BASE_YEAR))
    # an enforced plan (plan_enforced = 1) removes the drawn outturn; the draw is still
    # made, so the scenario and its reference share every random number
    outturn = 1 + (u["coal_volume.output_outturn_ratio"][:, None] - 1) * (1 - cv.plan_enforced)
    output = np.array([path_value(cv.output_mt, int(y)) for y in years])[None, :]
    output = np.where(years[None, :] > BASE_YEAR, outturn * output, output)
    dmo = dmo_realised(cv, u, years)
    supply = output * (1 - dmo) / out_base
    g = sum(w * u[f"coal_volume.{DESTINATIONS[k]}"] for k, w in weights.items())[:, None] / 100
    shift = np.array([path_value(shift_path, int(y)) / 100 if y > BASE_YEAR else 0.0
                      for y in years])
    step = np.where(years[None, :] > BASE_YEAR, 1 + g + shift[None, :], 1.0)
    # Years between 2025 and the first projected year compound too.
    gap = int(years[0]) - BASE_YEAR - 1
    demand = np.cumprod(step, axis=1) * (1 + g + shift[0]) ** max(gap, 0)
    duty = np.array([path_value(cv.export_duty_pct, int(y)) for y in years])[None, :] / 100
    demand = demand * (1 - duty) ** u["coal_volume.duty_volume_elasticity"][:, None]
    volume = np.minimum(supply, demand)
    short = np.clip(volume / demand, 1e-6, 1.0)
    price_factor = short ** (-u["coal_volume.price_passthrough"][:, None])
    return {"supply": np.broadcast_to(supply, (n, t)).copy(), "demand": demand,
            "volume": volume, "price_factor": price_factor, "dmo": np.broadcast_to(dmo, (n, t)),
            "output_mt": np.broadcast_to(output, (n, t))}


def unit_value(newcastle: np.ndarray, newcastle_base: float, base_usd_per_t: float,
               elasticity: np.ndarray, price_factor: np.ndarray) -> np.ndarray:
    """Coal unit value (US$/t, n × T): the 2025 national unit value moved by the Newcastle
    price (``newcastle``, n × T, drawn) with the estimated elasticity and the pass-through."""
    return base_usd_per_t * (newcastle / newcastle_base) ** elasticity[:, None] * price_factor


def coal_volume_frame(coal_value: dict[str, np.ndarray], uv: np.ndarray, hba: np.ndarray,
                      dmo: np.ndarray, years: np.ndarray) -> dict[str, np.ndarray]:
    """Tonnes for the fiscal module: per province, export Mt = coal export value / unit value
    and production Mt = export Mt / (1 − DMO share) (the national identity, province share of
    the domestic market assumed national). Arrays are draws × years (``dmo`` n × T or T)."""
    out: dict[str, np.ndarray] = {"years": np.asarray(years), "unit_value_usd_per_t": uv,
                                  "hba_usd_per_t": hba}
    for prov, value in coal_value.items():
        exp_mt = value / uv
        out[f"{prov}/export_mt"] = exp_mt
        out[f"{prov}/production_mt"] = exp_mt / (1 - np.atleast_2d(dmo))
    return out


def tidy_coal_volume(frame: dict[str, np.ndarray], scenario: str) -> pd.DataFrame:
    """coal_volume.csv: scenario, province, year, stat, export_mt, production_mt,
    unit_value_usd_per_t, hba_usd_per_t (mean, p10, p50, p90)."""
    years = frame["years"]
    rows = []
    provs = sorted({k.split("/")[0] for k in frame if "/" in k})
    stats = {"mean": lambda a: a.mean(axis=0), "p10": lambda a: np.percentile(a, 10, axis=0),
             "p50": lambda a: np.percentile(a, 50, axis=0),
             "p90": lambda a: np.percentile(a, 90, axis=0)}
    for prov in provs:
        for s, f in stats.items():
            ex, pr = f(frame[f"{prov}/export_mt"]), f(frame[f"{prov}/production_mt"])
            uv, hb = f(frame["unit_value_usd_per_t"]), f(frame["hba_usd_per_t"])
            for i, y in enumerate(years):
                rows.append({"scenario": scenario, "province": prov, "year": int(y), "stat": s,
                             "export_mt": ex[i], "production_mt": pr[i],
                             "unit_value_usd_per_t": uv[i], "hba_usd_per_t": hb[i]})
    return pd.DataFrame(rows)
