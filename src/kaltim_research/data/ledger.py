"""The export ledger: every printed export figure, resolved to one value per period.

Three steps, each a pure function of DataFrames:

1. :func:`observations` normalises the raw export files (reported values, values implied by a
   reported value and a reported % change, and BPS sector values printed in the commodity file)
   into one long table, applies the project's curation annotations, and marks each row with
   its ``basis`` (``reported`` or ``implied_from_pct_change``).
2. :func:`resolve` keeps one value per province × concept × flow × period by one documented
   rule (:data:`RESOLUTION_RULE`) and lists every duplicate and conflict in a reconciliation
   table with both values and both sources.
3. :func:`annual_view` gives one best value per province × concept × flow × year and says how
   it was obtained; :func:`cross_checks` tests the accounting identities and cumulative sums.

Rows of different concepts (origin / via_ports / unspecified), flows or period types are
never added together: every sum in this module is within one key.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kaltim_research.data import ledger_rules
from kaltim_research.data.vocabulary import FLOW_IDENTITIES, is_non_bps, parse_flow_label
from kaltim_research.errors import DataError, Problem

KEY = ["province", "concept", "flow", "period_type", "year", "month"]

EXPORT_COLUMNS = KEY[:4] + ["year", "month", "value_usd_m", "basis", "source_url",
                            "source_date", "derivation", "flow_qualifier", "resource",
                            "source_line"]

RESOLUTION_RULE = (
    "one value per province, concept, flow, period type, year and month: rows excluded by "
    "curation are dropped; a reported value beats a value implied from a % change; then the "
    "later release wins (source date: a revision supersedes); then the more precise figure "
    "(more significant digits), which also wins when the later figure is it rounded (19,500 "
    "printed after 19,590: within one unit of its last digit); then the earlier row of the manifest"
)

ANNUAL_BASES = (
    "reported_full_year",
    "sum_of_12_reported_months",
    "reported_ytd_plus_reported_months",
    "sum_of_reported_parts",
    "implied_from_pct_change",
    "missing",
)


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------

def significant_digits(value: float) -> int:
    """Significant digits of a printed figure; trailing zeros of whole numbers are not counted
    because the press rounds ('2,96 miliar' is printed as 2960)."""
    if value == 0 or pd.isna(value):
        return 0
    text = f"{abs(value):.6f}".rstrip("0").rstrip(".")
    digits = text.replace(".", "").lstrip("0")
    if "." not in text:
        digits = digits.rstrip("0")
    return len(digits)


def rounding_half_unit(value: float) -> float:
    """Half a unit of the last significant digit: the rounding a printed figure may carry."""
    if value == 0 or pd.isna(value):
        return 0.0
    text = f"{abs(value):.6f}".rstrip("0").rstrip(".")
    if "." in text:
        return 0.5 * 10 ** -(len(text.split(".")[1]))
    trailing = len(text) - len(text.rstrip("0"))
    return 0.5 * 10 ** trailing


_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def source_date_key(text: object) -> tuple[int, int, int]:
    """Sortable (year, month, day) from the free-text article date; unknown parts are 0."""
    if not isinstance(text, str):
        return (0, 0, 0)
    m = _DATE_RE.match(text.strip())
    if not m:
        return (0, 0, 0)
    return tuple(int(g) if g else 0 for g in m.groups())  # type: ignore[return-value]


# --------------------------------------------------------------------------------------------
# 1. observations
# --------------------------------------------------------------------------------------------

def _flows(frame: pd.DataFrame, label_col: str, file: str) -> pd.DataFrame:
    parsed, problems = [], []
    for label, line in zip(frame[label_col], frame["source_line"], strict=True):
        try:
            parsed.append(parse_flow_label(str(label)))
        except ValueError as exc:
            problems.append(Problem(file, str(exc), line=int(line), column=label_col,
                                    value=str(label)))
    if problems:
        raise DataError(problems)
    out = frame.copy()
    out["flow"] = [p[0] for p in parsed]
    out["flow_qualifier"] = [p[1] for p in parsed]
    out["usable"] = [p[2] for p in parsed]
    out["flow_label"] = frame[label_col]
    out["province"] = ledger_rules.province_names(frame, file)
    if "concept" in out.columns:  # the explicit rule for non-BPS series (vocabulary)
        non_bps = [is_non_bps(p[1]) for p in parsed]
        out["concept"] = out["concept"].where(~pd.Series(non_bps, index=out.index), "unspecified")
    return out


def _reported(frame: pd.DataFrame, res_name: str, file: str) -> pd.DataFrame:
    f = _flows(frame, "flow", file)
    month = f["month"] if "month" in f.columns else f["period_end_month"]
    return pd.DataFrame({
        "province": f["province"], "concept": f["concept"], "flow": f["flow"],
        "period_type": f["period_type"], "year": f["year"].astype(int),
        "month": month.astype(int), "value_usd_m": f["value_usd_million"].astype(float),
        "basis": "reported", "source_url": f["source_url"], "source_date": f["source_date"],
        "derivation": None, "flow_qualifier": f["flow_qualifier"], "flow_label": f["flow_label"],
        "usable": f["usable"], "resource": res_name, "source_line": f["source_line"],
        "notes": f["notes"],
    })


def _implied(frame: pd.DataFrame, res_name: str, file: str) -> pd.DataFrame:
    f = _flows(frame, "flow", file)
    # Rows without a printed % change were derived by other arithmetic (trade balance,
    # difference of cumulative totals); their notes begin with that arithmetic (wave 3).
    derivation = [
        f"implied: {fv:g} ({fp}) with a reported change of {pc:+g}% -> {iv:g}" if pd.notna(pc)
        else f"derived: {str(nt).split(';')[0] if isinstance(nt, str) else 'see source'} -> {iv:g}"
        for fv, fp, pc, iv, nt in zip(f["from_value_usd_million"], f["from_period"],
                                      f["pct_change_reported"], f["implied_value_usd_million"],
                                      f["notes"], strict=True)
    ]
    return pd.DataFrame({
        "province": f["province"], "concept": f["concept"], "flow": f["flow"],
        "period_type": f["period_type"], "year": f["year"].astype(int),
        "month": f["period_end_month"].astype(int),
        "value_usd_m": f["implied_value_usd_million"].astype(float),
        "basis": "implied_from_pct_change", "source_url": f["source_url"],
        "source_date": f["source_date"], "derivation": derivation,
        "flow_qualifier": f["flow_qualifier"], "flow_label": f["flow_label"],
        "usable": f["usable"], "resource": res_name, "source_line": f["source_line"],
        "notes": f["notes"],
    })


def _sectors_from_commodities(frame: pd.DataFrame, res_name: str) -> pd.DataFrame:
    """BPS sector values (``hs2`` = ``sector:NAME`` with a value) belong to the ledger."""
    sel = frame[frame["hs2"].str.startswith("sector:") & frame["value_usd_million"].notna()]
    sel = sel[sel["hs2"].str.removeprefix("sector:").isin(["agriculture", "industry", "mining"])]
    if sel.empty:
        return pd.DataFrame()
    sel = sel.rename(columns={"hs2": "flow"})
    return _reported(sel, res_name, res_name)


def apply_annotations(obs: pd.DataFrame, annotations: pd.DataFrame, file: str) -> pd.DataFrame:
    """Apply the curation file: ``set_concept`` corrects a concept, ``exclude`` drops a row
    from resolution (it stays in the observations with its reason). Each annotation must match
    exactly one observation, so a stale annotation fails loudly."""
    obs = obs.copy()
    obs["curation"] = None
    problems = []
    for ann in annotations.to_dict("records"):
        hit = (
            (obs["resource"] == ann["resource"]) & (obs["year"] == int(ann["year"]))
            & (obs["month"] == int(ann["period_end_month"]))
            & (obs["flow_label"] == ann["flow"])
            & np.isclose(obs["value_usd_m"], float(ann["value_usd_million"]))
            & (obs["source_url"] == ann["source_url"])
        )
        if hit.sum() != 1:
            problems.append(Problem(file, f"annotation matches {int(hit.sum())} rows of "
                                    f"{ann['resource']}; expected exactly one",
                                    line=int(ann["source_line"])))
            continue
        if ann["action"] == "set_concept":
            obs.loc[hit, "concept"] = ann["concept"]
            obs.loc[hit, "curation"] = f"concept set to {ann['concept']}: {ann['reason']}"
        elif ann["action"] == "exclude":
            obs.loc[hit, "usable"] = False
            obs.loc[hit, "curation"] = f"excluded: {ann['reason']}"
        else:
            problems.append(Problem(file, "unknown action; expected set_concept or exclude",
                                    line=int(ann["source_line"]), column="action",
                                    value=str(ann["action"])))
    if problems:
        raise DataError(problems)
    return obs


def observations(tables: dict[str, tuple[str, str, pd.DataFrame]],
                 annotations: pd.DataFrame | None = None,
                 annotations_file: str = "curation/annotations.csv") -> pd.DataFrame:
    """All export figures as one long table.

    ``tables`` maps resource name -> (role, file path, validated frame) for the roles
    ``exports``, ``implied_exports`` and ``commodities``, in manifest order.
    """
    parts = []
    for name, (role, file, frame) in tables.items():
        if role == "exports":
            parts.append(_reported(frame, name, file))
        elif role == "implied_exports":
            parts.append(_implied(frame, name, file))
        elif role == "commodities":
            parts.append(_sectors_from_commodities(frame, name))
    parts = [p for p in parts if not p.empty]
    obs = pd.concat(parts, ignore_index=True)
    late = ledger_rules.period_problems(obs, {n: t[1] for n, t in tables.items()},
                                        source_date_key)
    if late:
        raise DataError(late)
    obs["order"] = range(len(obs))
    if annotations is not None and not annotations.empty:
        obs = apply_annotations(obs, annotations, annotations_file)
    else:
        obs["curation"] = None
    obs.loc[~obs["usable"] & obs["curation"].isna(), "curation"] = (
        "excluded: the label marks the figure as ambiguous (" + obs["flow_label"] + ")")
    return obs


# --------------------------------------------------------------------------------------------
# 2. resolution
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Resolved:
    exports: pd.DataFrame         # one row per KEY (the ledger)
    observations: pd.DataFrame    # every figure with its status
    reconciliation: pd.DataFrame  # duplicates and conflicts, both values and both sources


def resolve(obs: pd.DataFrame) -> Resolved:
    """Apply :data:`RESOLUTION_RULE` and list every duplicate or conflict."""
    obs = obs.copy()
    obs["rank_basis"] = (obs["basis"] != "reported").astype(int)
    obs["rank_precision"] = -obs["value_usd_m"].map(significant_digits)
    dates = obs["source_date"].map(source_date_key)
    obs["rank_date"] = [-(y * 10000 + m * 100 + d) for y, m, d in dates]
    usable = obs[obs["usable"]].sort_values(
        KEY + ["rank_basis", "rank_date", "rank_precision", "order"], kind="mergesort")
    picks, reasons = [], {}
    for _key, group in usable.groupby(KEY, sort=False):
        pick, why = (group.index[0], {}) if len(group) == 1 else ledger_rules.choose(
            group, rounding_half_unit, significant_digits)
        picks.append(pick)
        reasons.update(why)
    chosen = usable.loc[picks]
    obs["status"] = "superseded"
    obs.loc[~obs["usable"], "status"] = "excluded"
    obs.loc[chosen.index, "status"] = "selected"

    recon_rows = []
    for _key, group in obs.groupby(KEY, sort=True):
        if len(group) < 2:
            continue
        sel = group[group["status"] == "selected"]
        if sel.empty:
            continue
        best = sel.iloc[0]
        for _, other in group[group["status"] != "selected"].iterrows():
            same = np.isclose(other["value_usd_m"], best["value_usd_m"])
            kind = ("excluded by curation" if other["status"] == "excluded"
                    else "duplicate (same value)" if same else "conflict")
            recon_rows.append({
                **{k: best[k] for k in KEY},
                "kind": kind,
                "chosen_value_usd_m": best["value_usd_m"], "chosen_basis": best["basis"],
                "chosen_source_url": best["source_url"], "chosen_source_date": best["source_date"],
                "other_value_usd_m": other["value_usd_m"], "other_basis": other["basis"],
                "other_source_url": other["source_url"], "other_source_date": other["source_date"],
                "difference_pct": round(100 * (other["value_usd_m"] / best["value_usd_m"] - 1), 3)
                if best["value_usd_m"] else np.nan,
                "reason": other["curation"] if isinstance(other["curation"], str)
                else reasons.get(other.name, RESOLUTION_RULE),
            })
    recon = pd.DataFrame(recon_rows, columns=KEY + [
        "kind", "chosen_value_usd_m", "chosen_basis", "chosen_source_url", "chosen_source_date",
        "other_value_usd_m", "other_basis", "other_source_url", "other_source_date",
        "difference_pct", "reason"])
    # Excluded figures without any usable rival are still listed, so nothing disappears silently.
    lonely = obs[(obs["status"] == "excluded")]
    lonely = lonely[~lonely.set_index(KEY).index.isin(recon.set_index(KEY).index)]
    if not lonely.empty:
        extra = pd.DataFrame({
            **{k: lonely[k].values for k in KEY}, "kind": "excluded by curation",
            "chosen_value_usd_m": np.nan, "chosen_basis": None, "chosen_source_url": None,
            "chosen_source_date": None, "other_value_usd_m": lonely["value_usd_m"].values,
            "other_basis": lonely["basis"].values, "other_source_url": lonely["source_url"].values,
            "other_source_date": lonely["source_date"].values, "difference_pct": np.nan,
            "reason": lonely["curation"].values})
        recon = pd.concat([recon, extra], ignore_index=True)
    recon = recon.sort_values(KEY + ["kind", "other_source_url"], kind="mergesort")

    exports = chosen.assign(source_line=chosen["source_line"].astype(int))[EXPORT_COLUMNS]
    exports = exports.sort_values(KEY, kind="mergesort").reset_index(drop=True)
    obs_out = obs.drop(columns=["rank_basis", "rank_precision", "rank_date", "order", "usable"])
    obs_out = obs_out.sort_values(KEY + ["status", "resource", "source_line"], kind="mergesort")
    return Resolved(exports, obs_out.reset_index(drop=True), recon.reset_index(drop=True))


# --------------------------------------------------------------------------------------------
# 3. annual view, coverage and cross-checks
# --------------------------------------------------------------------------------------------

MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _sources(rows: pd.DataFrame) -> str:
    return " | ".join(dict.fromkeys(rows["source_url"]))


def _full_year_parts(exports, prov, concept, flow, year) -> pd.DataFrame | None:
    """Reported full-year values of the first complete decomposition of ``flow``, if any."""
    fy = exports[(exports["province"] == prov) & (exports["concept"] == concept)
                 & (exports["year"] == year) & (exports["period_type"] == "year")
                 & (exports["basis"] == "reported")]
    for parts in FLOW_IDENTITIES.get(flow, []):
        sel = fy[fy["flow"].isin(parts)]
        if sel["flow"].nunique() == len(parts):
            return sel
    return None


def annual_view(exports: pd.DataFrame) -> pd.DataFrame:
    """One best annual value per province × concept × flow × year, with its basis.

    Order of preference: a reported full-year value; the sum of 12 reported months; a reported
    January-to-month cumulative value plus the reported months after it (e.g. Jan–Nov plus
    December); the sum of reported full-year parts (e.g. migas + nonmigas for the total); a
    full-year value implied from a reported value and a % change; otherwise the
    year is listed as ``missing`` (value empty). Years run from each province's first to last
    year with any export figure.
    """
    rows = []
    groups = dict(iter(exports.groupby(["province", "concept", "flow"], sort=True)))
    # A parent flow with no figure of its own still gets a year from its full-year parts.
    for prov, concept, year in exports[["province", "concept", "year"]].drop_duplicates().itertuples(
            index=False):
        for parent in FLOW_IDENTITIES:
            if (prov, concept, parent) not in groups and \
                    _full_year_parts(exports, prov, concept, parent, year) is not None:
                groups[(prov, concept, parent)] = exports.iloc[0:0]
    for (prov, concept, flow), g in sorted(groups.items(), key=lambda kv: kv[0]):
        prov_years = exports.loc[exports["province"] == prov, "year"]
        for year in range(int(prov_years.min()), int(prov_years.max()) + 1):
            y = g[g["year"] == year]
            rep = y[y["basis"] == "reported"]
            full = rep[rep["period_type"] == "year"]
            months = rep[rep["period_type"] == "month"]
            ytds = rep[rep["period_type"] == "ytd"]
            value, basis, detail, src = np.nan, "missing", "", ""
            if not full.empty:
                value, basis = full["value_usd_m"].iloc[0], "reported_full_year"
                detail, src = "full year as printed", _sources(full)
            elif months["month"].nunique() == 12:
                value, basis = months["value_usd_m"].sum(), "sum_of_12_reported_months"
                detail, src = "Jan–Dec monthly values summed", _sources(months)
            else:
                for _, ytd in ytds.sort_values("month", ascending=False).iterrows():
                    m = int(ytd["month"])
                    after = months[months["month"] > m]
                    if m < 12 and after["month"].nunique() == 12 - m:
                        value = ytd["value_usd_m"] + after["value_usd_m"].sum()
                        basis = "reported_ytd_plus_reported_months"
                        tail = "+".join(MONTH_ABBR[k - 1] for k in sorted(after["month"]))
                        detail = f"Jan–{MONTH_ABBR[m - 1]} cumulative + {tail}"
                        src = _sources(pd.concat([ytd.to_frame().T, after]))
                        break
                if basis == "missing":
                    parts = _full_year_parts(exports, prov, concept, flow, year)
                    if parts is not None:
                        value, basis = parts["value_usd_m"].sum(), "sum_of_reported_parts"
                        detail = "full-year " + " + ".join(parts["flow"]) + " as printed"
                        src = _sources(parts)
                if basis == "missing":
                    imp = y[(y["basis"] == "implied_from_pct_change") & (y["period_type"] == "year")]
                    if not imp.empty:
                        value, basis = imp["value_usd_m"].iloc[0], "implied_from_pct_change"
                        detail, src = imp["derivation"].iloc[0], _sources(imp)
            if basis == "missing":
                have = []
                if not ytds.empty:
                    have.append(f"cumulative to {MONTH_ABBR[int(ytds['month'].max()) - 1]}")
                if not months.empty:
                    have.append(f"{months['month'].nunique()} single months")
                detail = "no full-year figure" + (f" (have: {', '.join(have)})" if have else "")
            rows.append({"province": prov, "concept": concept, "flow": flow, "year": year,
                         "value_usd_m": value, "basis": basis, "detail": detail,
                         "is_derived": basis not in ("reported_full_year", "missing"),
                         "source_url": src})
    return pd.DataFrame(rows)


def coverage(exports: pd.DataFrame) -> pd.DataFrame:
    """Which single months and cumulative figures exist, per province × concept × flow × year.

    One row per month of every year with any figure: ``month_status`` is ``reported``,
    ``implied`` or ``missing``; ``ytd_status`` says whether a January-to-this-month cumulative
    figure exists.
    """
    rows = []
    for (prov, concept, flow, year), g in exports.groupby(
            ["province", "concept", "flow", "year"], sort=True):
        for m in range(1, 13):
            mo = g[(g["period_type"] == "month") & (g["month"] == m)]
            yt = g[(g["period_type"].isin(["ytd", "year"])) & (g["month"] == m)]
            rows.append({
                "province": prov, "concept": concept, "flow": flow, "year": year, "month": m,
                "month_status": "missing" if mo.empty else
                ("reported" if (mo["basis"] == "reported").any() else "implied"),
                "ytd_status": "missing" if yt.empty else
                ("reported" if (yt["basis"] == "reported").any() else "implied"),
            })
    return pd.DataFrame(rows)


def cross_checks(exports: pd.DataFrame) -> pd.DataFrame:
    """Accounting checks on the resolved ledger; failures are reported, never hidden.

    * ``flow_identity``: a parent flow equals the sum of its parts (:data:`FLOW_IDENTITIES`)
      within the rounding of the printed figures (half a unit of each figure's last digit).
    * ``months_sum_to_ytd``: a reported Jan-to-month figure equals its reported months.
    * ``implied_arithmetic``: an implied value equals from_value / (1 + change/100).
    """
    rows = []
    rep = exports[exports["basis"] == "reported"]
    for key, g in rep.groupby(["province", "concept", "period_type", "year", "month"], sort=True):
        vals = dict(zip(g["flow"], g["value_usd_m"], strict=True))
        srcs = dict(zip(g["flow"], g["source_url"], strict=True))
        for parent, decompositions in FLOW_IDENTITIES.items():
            if parent not in vals:
                continue
            for parts in decompositions:
                if all(p in vals for p in parts):
                    total = sum(vals[p] for p in parts)
                    tol = rounding_half_unit(vals[parent]) + sum(rounding_half_unit(vals[p])
                                                                 for p in parts)
                    diff = total - vals[parent]
                    rows.append(dict(zip(["province", "concept", "period_type", "year", "month"],
                                         key, strict=True),
                                     check="flow_identity",
                                     description=f"{parent} = {' + '.join(parts)}",
                                     expected_usd_m=vals[parent], found_usd_m=round(total, 6),
                                     difference_usd_m=round(diff, 6), tolerance_usd_m=tol,
                                     passed=abs(diff) <= tol + 1e-9,
                                     sources=" | ".join(dict.fromkeys(
                                         srcs[p] for p in (parent, *parts)))))
                    break
    for key, g in rep.groupby(["province", "concept", "flow", "year"], sort=True):
        months = g[g["period_type"] == "month"].set_index("month")["value_usd_m"]
        for _, ytd in g[g["period_type"].isin(["ytd", "year"])].iterrows():
            m = int(ytd["month"])
            if all(k in months.index for k in range(1, m + 1)):
                total = float(months.loc[1:m].sum())
                tol = rounding_half_unit(ytd["value_usd_m"]) + sum(
                    rounding_half_unit(v) for v in months.loc[1:m])
                diff = total - ytd["value_usd_m"]
                rows.append(dict(province=key[0], concept=key[1], period_type=ytd["period_type"],
                                 year=key[3], month=m, check="months_sum_to_ytd",
                                 description=f"{key[2]}: Jan–{MONTH_ABBR[m - 1]} months = cumulative",
                                 expected_usd_m=ytd["value_usd_m"], found_usd_m=round(total, 6),
                                 difference_usd_m=round(diff, 6), tolerance_usd_m=tol,
                                 passed=abs(diff) <= tol + 1e-9, sources=ytd["source_url"]))
    return pd.DataFrame(rows, columns=[
        "check", "province", "concept", "period_type", "year", "month", "description",
        "expected_usd_m", "found_usd_m", "difference_usd_m", "tolerance_usd_m", "passed",
        "sources"])


def implied_arithmetic(frame: pd.DataFrame, file: str) -> pd.DataFrame:
    """Recompute each implied value from its reported value and % change (rows derived
    without a printed % change, e.g. by trade-balance arithmetic, have nothing to recompute)."""
    frame = frame[frame["pct_change_reported"].notna() & frame["from_value_usd_million"].notna()]
    recomputed = frame["from_value_usd_million"] / (1 + frame["pct_change_reported"] / 100)
    diff = recomputed - frame["implied_value_usd_million"]
    tol = 0.051 + 0.001 * frame["implied_value_usd_million"].abs()  # printed to one decimal
    return pd.DataFrame({
        "check": "implied_arithmetic", "province": frame["province"],
        "concept": frame["concept"], "period_type": frame["period_type"],
        "year": frame["year"].astype(int), "month": frame["period_end_month"].astype(int),
        "description": [f"{file} line {ln}: {fl}" for ln, fl in
                        zip(frame["source_line"], frame["flow"], strict=True)],
        "expected_usd_m": frame["implied_value_usd_million"], "found_usd_m": recomputed.round(3),
        "difference_usd_m": diff.round(3), "tolerance_usd_m": tol.round(3),
        "passed": diff.abs() <= tol, "sources": frame["source_url"]})
