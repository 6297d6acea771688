"""Measurement model: one state space per province in which every printed figure is an
observation of latent monthly exports (statsmodels ``MLEModel``, own design).

States (levels in units of the system's scale, US$ m / scale), per own block k:

* ``mu_k`` — persistent level, a random walk (its uncertainty accumulates with the horizon);
* ``a_k`` — transitory part, a stationary AR(1) (coefficient estimated, at most 0.95);
* ``C_k`` — the cumulator: the sum of the block's months since January (Harvey 1989, §6.3:
  a flow observed at a coarser frequency is a cumulator reset each January).

The month value is ``v_k,t = mu_k,t + a_k,t + beta_k x_k,t`` with ``x`` the relative deviation
of the block's commodity price (Newcastle coal, LNG Japan) from its mean. A **linked** block
(Kaltara by port of loading) is ``share × Σ own v + u_t`` with an estimated share and its own
transitory deviation ``u`` and cumulator, so a via-ports month informs the by-origin months.

Observations (:mod:`measurement_obs`): printed months, Jan-to-month cumulatives and full
years (the cumulator), derived figures with a larger error, the national-coal bridge for
Kaltim; each carries its rounding. The Kalman filter skips missing figures; the smoother
returns months that add up to the printed cumulatives within their errors.

Hyperparameters (variances, price coefficients, share) are estimated by maximum likelihood
(Durbin & Koopman 2012, ch. 7) with approximate-diffuse initial states.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kaltim_research.models.baseline import measurement_obs as mo

Z90 = 1.2815515655446004  # P10/P90 of a normal
NP = 4  # parameters per own block: level and transitory variances, price coefficient, phi
PHI_MAX = 0.95  # bound of the transitory AR(1) coefficient (stationary, not a second level)


def _mlemodel():
    from statsmodels.tsa.statespace.mlemodel import MLEModel

    return MLEModel


def make_model(data: np.ndarray, var: np.ndarray, x: np.ndarray, cols: list[mo.Column],
               system: mo.System):
    """The statsmodels model (class built on first use: statsmodels costs ~1.5 s to import)."""
    MLEModel = _mlemodel()

    class Measurement(MLEModel):
        def __init__(self):
            own, linked = system.own, [b for b in system.blocks if b.linked]
            self.K, self.L = len(own), len(linked)
            k_states = 3 * self.K + 2 * self.L
            k_posdef = 2 * self.K + self.L
            super().__init__(data, k_states=k_states, k_posdef=k_posdef)
            self.x, self.cols, self.names = x, cols, [b.name for b in system.blocks]
            cal = mo.calendar()
            # psi_{t+1}: 0 when month t+1 is January (the cumulator restarts)
            self.reset = np.array([0.0 if (p + 1).month == 1 else 1.0 for p in cal])
            self["obs_cov"] = np.stack([np.diag(v) for v in var], axis=-1)
            self["transition"] = np.zeros((k_states, k_states, len(cal)))
            self["state_intercept"] = np.zeros((k_states, len(cal)))
            self["obs_intercept"] = np.zeros((len(cols), len(cal)))
            self["design"] = np.zeros((len(cols), k_states))
            self["selection"] = np.zeros((k_states, k_posdef))
            self.initialize_approximate_diffuse(1e3)

        @property
        def param_names(self):
            out = []
            for b in system.own:
                out += [f"sigma2_level.{b.name}", f"sigma2_transitory.{b.name}",
                        f"beta_price.{b.name}", f"phi_transitory.{b.name}"]
            for b in system.blocks:
                if b.linked:
                    out += [f"share.{b.name}", f"sigma2_link.{b.name}"]
            return out

        @property
        def start_params(self):
            p = []
            for _ in range(self.K):
                p += [0.005, 0.02, 0.3, 0.5]
            for _ in range(self.L):
                p += [1.5, 0.1]
            return np.array(p)

        def transform_params(self, u):
            p = np.array(u, dtype=float)
            for k in range(self.K):
                p[NP * k:NP * k + 2] = u[NP * k:NP * k + 2] ** 2
                p[NP * k + 3] = PHI_MAX / (1 + np.exp(-u[NP * k + 3]))
            for j in range(self.L):
                o = NP * self.K + 2 * j
                p[o], p[o + 1] = np.exp(u[o]), u[o + 1] ** 2
            return p

        def untransform_params(self, p):
            u = np.array(p, dtype=float)
            for k in range(self.K):
                u[NP * k:NP * k + 2] = np.sqrt(p[NP * k:NP * k + 2])
                r = p[NP * k + 3] / PHI_MAX
                u[NP * k + 3] = np.log(r / (1 - r))
            for j in range(self.L):
                o = NP * self.K + 2 * j
                u[o], u[o + 1] = np.log(p[o]), np.sqrt(p[o + 1])
            return u

        def update(self, params, **kwargs):
            params = super().update(params, **kwargs)
            fill_matrices(self, params)

    return Measurement()


def layout(K: int) -> dict:
    """State index of each block's level, transitory part and cumulator (linked after)."""
    return {"mu": [3 * k for k in range(K)], "a": [3 * k + 1 for k in range(K)],
            "C": [3 * k + 2 for k in range(K)], "u": 3 * K, "CL": 3 * K + 1}


def fill_matrices(m, params) -> None:
    """System matrices for ``params`` (see the module docstring for the equations)."""
    K, L, nobs = m.K, m.L, m.nobs
    ix = layout(K)
    beta = np.array([params[NP * k + 2] for k in range(K)])
    dt = np.result_type(params, float)  # complex during complex-step derivatives
    q = np.zeros(2 * K + L, dtype=dt)
    T = np.zeros((m.k_states, m.k_states, nobs), dtype=dt)
    R = np.zeros((m.k_states, 2 * K + L), dtype=dt)
    c = np.zeros((m.k_states, nobs), dtype=dt)
    d = np.zeros((len(m.cols), nobs), dtype=dt)
    Z = np.zeros((len(m.cols), m.k_states), dtype=dt)
    bx = m.x * beta[None, :]                        # nobs × K: price effect per block
    nxt = np.vstack([bx[1:], bx[-1:]])              # at t+1 (state intercept of C)
    for k in range(K):
        q[2 * k], q[2 * k + 1] = params[NP * k], params[NP * k + 1]
        T[ix["mu"][k], ix["mu"][k]] = 1.0
        T[ix["a"][k], ix["a"][k]] = T[ix["C"][k], ix["a"][k]] = params[NP * k + 3]
        T[ix["C"][k], ix["C"][k]] = m.reset
        T[ix["C"][k], ix["mu"][k]] = 1.0
        R[ix["mu"][k], 2 * k] = R[ix["C"][k], 2 * k] = 1.0
        R[ix["a"][k], 2 * k + 1] = R[ix["C"][k], 2 * k + 1] = 1.0
        c[ix["C"][k]] = nxt[:, k]
    share = params[NP * K] if L else 0.0
    if L:
        q[2 * K] = params[NP * K + 1]
        T[ix["CL"], ix["CL"]] = m.reset
        for k in range(K):
            T[ix["CL"], ix["mu"][k]] = share
            T[ix["CL"], ix["a"][k]] = share * params[NP * k + 3]
            R[ix["CL"], 2 * k] = R[ix["CL"], 2 * k + 1] = share
        R[ix["u"], 2 * K] = R[ix["CL"], 2 * K] = 1.0
        c[ix["CL"]] = share * nxt.sum(axis=1)
    own_names = m.names[:K]
    for j, col in enumerate(m.cols):
        for name in col.blocks:
            if name in own_names:
                k = own_names.index(name)
                if col.kind == "month":
                    Z[j, ix["mu"][k]] += col.scale
                    Z[j, ix["a"][k]] += col.scale
                    d[j] += col.scale * bx[:, k]
                else:
                    Z[j, ix["C"][k]] += col.scale
            else:  # the linked block
                if col.kind == "month":
                    for k in range(K):
                        Z[j, ix["mu"][k]] += share * col.scale
                        Z[j, ix["a"][k]] += share * col.scale
                    Z[j, ix["u"]] += col.scale
                    d[j] += col.scale * share * bx.sum(axis=1)
                else:
                    Z[j, ix["CL"]] += col.scale
    m["transition"] = T
    m["selection"] = R
    m["state_cov"] = np.diag(q)
    m["state_intercept"] = c
    m["obs_intercept"] = d
    m["design"] = Z


@dataclass(frozen=True)
class Fit:
    """A fitted measurement system: smoothed months, cumulators and what was observed."""

    system: mo.System
    scale: float
    params: dict
    loglike: float
    months: pd.DataFrame = field(repr=False)     # per printed flow × month: mean, sd (US$ m)
    cums: pd.DataFrame = field(repr=False)       # per printed flow × month: cumulator mean, sd
    used: pd.DataFrame = field(repr=False)       # the measurements (ledger figures) used
    seconds: float = 0.0


def fit_system(exports: pd.DataFrame, prices_monthly: pd.DataFrame, context: pd.DataFrame,
               system: mo.System, derived_rel_sd: float, share: dict | None = None,
               coal_share: dict | None = None, until: pd.Period | None = None,
               start: np.ndarray | None = None) -> Fit:
    """Fit by maximum likelihood and smooth. ``until`` keeps only figures up to that month
    and freezes prices after it (an ex-ante origin)."""
    import time

    t0 = time.perf_counter()
    cols, data, var, used = mo.columns_and_data(exports, context, system, derived_rel_sd,
                                                share, coal_share, until)
    month_cols = [j for j, c in enumerate(cols) if c.kind == "month"]
    scale = float(np.nanmedian(data[:, month_cols])) if np.isfinite(data[:, month_cols]).any() \
        else float(np.nanmedian(data))
    x = mo.driver_matrix(prices_monthly, system, until)
    model = make_model(data / scale, var / scale ** 2, x, cols, system)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(start_params=start if start is not None else model.start_params,
                        disp=False, maxiter=300, method="lbfgs",
                        cov_type="none")  # parameter covariances are not used: saves ~4 s
        sm = res.smoother_results
    alpha, P = np.asarray(sm.smoothed_state), np.asarray(sm.smoothed_state_cov)
    months, cums = _smoothed_tables(model, res.params, alpha, P, scale, system)
    return Fit(system, scale, dict(zip(model.param_names, map(float, res.params), strict=True)),
               float(res.llf), months, cums, used, time.perf_counter() - t0)


def output_vectors(model, params, system) -> dict:
    """Per printed flow (concept, flow): the state loadings of its month value, the price
    term of the month value, and the loadings of its cumulator."""
    K = model.K
    ix = layout(K)
    beta = np.array([params[NP * k + 2] for k in range(K)])
    bx = model.x * beta[None, :]
    share = params[NP * K] if model.L else 0.0
    own = [o.name for o in system.own]
    out = {}
    for key, names in system.totals.items():
        z, cz, d = np.zeros(model.k_states), np.zeros(model.k_states), np.zeros(model.nobs)
        for name in names:
            if name in own:
                k = own.index(name)
                z[ix["mu"][k]] += 1.0
                z[ix["a"][k]] += 1.0
                d = d + bx[:, k]
                cz[ix["C"][k]] += 1.0
            else:
                for k in range(K):
                    z[ix["mu"][k]] += share
                    z[ix["a"][k]] += share
                z[ix["u"]] += 1.0
                d = d + share * bx.sum(axis=1)
                cz[ix["CL"]] += 1.0
        out[key] = (z, d, cz)
    return out


def _smoothed_tables(model, params, alpha, P, scale, system) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Month values and cumulators per printed flow (mean and sd in US$ m)."""
    cal = mo.calendar()
    mrows, crows = [], []
    for (concept, flow), (z, d, cz) in output_vectors(model, params, system).items():
        mean = z @ alpha + d
        sd = np.sqrt(np.maximum(np.einsum("i,ijt,j->t", z, P, z), 0.0))
        cmean = cz @ alpha
        csd = np.sqrt(np.maximum(np.einsum("i,ijt,j->t", cz, P, cz), 0.0))
        for t, p in enumerate(cal):
            if t == 0:
                continue  # the empty December 2013
            key = {"concept": concept, "flow": flow, "year": p.year, "month": p.month}
            mrows.append({**key, "mean_usd_m": mean[t] * scale, "sd_usd_m": sd[t] * scale})
            crows.append({**key, "mean_usd_m": cmean[t] * scale, "sd_usd_m": csd[t] * scale})
    return pd.DataFrame(mrows), pd.DataFrame(crows)


def cumulative(fit: Fit, concept: str, flow: str, year: int, month: int = 12
               ) -> tuple[float, float]:
    """Smoothed Jan-to-``month`` total of a printed flow (its cumulator): mean, sd (US$ m)."""
    c = fit.cums[(fit.cums["concept"] == concept) & (fit.cums["flow"] == flow)
                 & (fit.cums["year"] == year) & (fit.cums["month"] == month)]
    return float(c["mean_usd_m"].iloc[0]), float(c["sd_usd_m"].iloc[0])


def last_observation(fit: Fit) -> dict:
    """The latest figure the system used (any kind), for results.json."""
    u = fit.used.sort_values(["year", "month"])
    r = u.iloc[-1]
    return {"year": int(r["year"]), "month": int(r["month"]), "concept": r["concept"],
            "flow": r["flow"], "period_type": r["period_type"], "kind": r["kind"],
            "value_usd_m": float(r["value_usd_m"]), "source_url": r["source_url"]}
