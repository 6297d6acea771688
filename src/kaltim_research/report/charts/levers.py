"""What each lever adds: Export Center cohorts, KIHI projects, port rerouting."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from kaltim_research.report.charts.common import (
    DERIVED_GID,
    DERIVED_LABEL,
    PALETTE,
    UNIT,
    draw_empty,
    finish,
    is_derived,
    run_source,
)


def export_center_chart(export_center: pd.DataFrame, *, source: str | None = None) -> Figure:
    """Export Center cohorts by province: active exporters (firms), export value of the
    cohorts (new and total per year) and cumulative value, with the literature cross-check
    (exports per US$ of promotion; not added to totals)."""
    ec = export_center.sort_values(["province", "year"])
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(15, 5), width_ratios=(1, 1.2))
    provs = list(dict.fromkeys(ec["province"]))
    for k, prov in enumerate(provs):
        g = ec[ec["province"] == prov]
        c = PALETTE[k % len(PALETTE)]
        ax1.plot(g["year"], g["active_exporters_mean"], marker="o", color=c, label=prov)
        ax2.plot(g["year"], g["export_value_usd_m_mean"], marker="o", color=c,
                 label=f"{prov}: exports of all cohorts")
        ax2.plot(g["year"], g["new_export_value_usd_m_mean"], linestyle=":", color=c,
                 label=f"{prov}: of which new exporters")
    if not ec.empty and "literature_crosscheck_usd_m_mean" in ec.columns:
        cc = ec.groupby("year")["literature_crosscheck_usd_m_mean"].first()
        ax2.plot(cc.index, cc.to_numpy(), color="black", linestyle="--",
                 label="literature cross-check (promotion × exports per US$; not in totals)")
    if ec.empty or not ec["active_exporters_mean"].abs().sum():
        for ax in (ax1, ax2):
            draw_empty(ax, "no UMKM onboarded in this scenario")
            ax.set_ylim(0, 1)
    ax1.set_ylabel("Active exporters (firms, mean of draws)")
    ax2.set_ylabel(f"{UNIT} per year")
    for ax in (ax1, ax2):
        ax.set_xlabel("Year")
        ax.grid(alpha=0.3)
    ax1.legend(fontsize=7.5, loc="upper left")
    ax2.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax1.set_title("UMKM exporting after onboarding", fontsize=10)
    ax2.set_title("Export value of the cohorts", fontsize=10)
    fig.suptitle("Export Center Balikpapan: UMKM cohorts", fontsize=12)
    return finish(fig, run_source(ec, source))


def kihi_chart(kihi: pd.DataFrame, *, source: str | None = None) -> Figure:
    """KIHI aluminium: output (kt) and export value, power demand against hydro supplied
    (the rest from captive coal, derived), emissions and CBAM cost, jobs."""
    k = kihi.sort_values("year")
    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    (a1, a2), (a3, a4) = axes
    a1.bar(k["year"], k["gross_export_usd_m_mean"], color="#e76f51", label="gross exports")
    # Value retained in Indonesia: gross minus alumina (incl. Kalbar's, a transfer), anode
    # and other imported inputs.
    a1.bar(k["year"], k["net_retained_usd_m_mean"], width=0.4, color="#9d0208",
           label="net value retained in Indonesia")
    a1.legend(fontsize=7.5, loc="upper left")
    a1.set_ylabel(f"{UNIT} per year")
    a1b = a1.twinx()
    a1b.plot(k["year"], k["output_kt_mean"], color="black", marker="o", label="output (kt)")
    a1b.set_ylabel("Aluminium output (kt per year; black line)")
    a1b.set_ylim(bottom=0)
    a1.set_title("Gross exports and net value retained (bars), output (line)", fontsize=10)
    hyd = k["hydro_used_twh_mean"].to_numpy()
    cap = np.clip(k["power_demand_twh_mean"].to_numpy() - hyd, 0, None)
    a2.bar(k["year"], hyd, color="#48cae4", label="hydro (Mentarang Induk) used")
    a2.bar(k["year"], cap, bottom=hyd, color="#6c757d",
           label=f"captive coal (demand − hydro), {DERIVED_LABEL}")
    a2.plot(k["year"], k["power_demand_twh_mean"], color="black", marker="_", linestyle="none",
            markersize=14, label="power demand")
    a2.set_ylabel("Electricity (TWh per year)")
    a2.set_title("Power demand vs hydro and captive coal", fontsize=10)
    a3.bar(k["year"], k["emissions_mt_co2_mean"], color="#adb5bd", label="emissions (Mt CO2)")
    a3.set_ylabel("Emissions (Mt CO2 per year; bars)")
    a3b = a3.twinx()
    a3b.plot(k["year"], k["cbam_cost_usd_m_mean"], marker="s", color="#9d0208", linestyle="--",
             label="EU CBAM cost (US$ m)")
    a3b.set_ylabel("CBAM cost (US$ million per year)", color="#9d0208")
    a3.set_title("Emissions (bars) and EU CBAM cost (red, right axis)", fontsize=10)
    a4.bar(k["year"], k["jobs_mean"], color="#2a9d8f")
    a4.set_ylabel("Operating jobs (persons)")
    a4.set_title("Jobs", fontsize=10)
    for ax in (a1, a2, a3, a4):
        ax.set_xlabel("Year")
        ax.grid(alpha=0.3, axis="y")
    a2.legend(fontsize=7.5, loc="lower right")
    if k["output_kt_mean"].abs().sum() == 0:
        a1.text(0.5, 0.5, "no KIHI production in this scenario", transform=a1.transAxes,
                ha="center", color="0.35")
    fig.suptitle("KIHI Tanjung Palas Timur, Bulungan: aluminium smelter (means of the draws)",
                 fontsize=12)
    return finish(fig, run_source(k, source))


def ports_chart(ports: pd.DataFrame, history: pd.DataFrame | None = None, *,
                source: str | None = None) -> Figure:
    """Connectivity: Kaltara-origin goods (rerouted and KIHI) handled by Kaltim ports, by
    Kaltara ports and still leaving through other provinces (left); projected exports through
    Kaltara ports (right) with, if ``history`` (``exports_annual``) is given, the printed full
    years of the same series (derived years hollow)."""
    p = ports.sort_values("year")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5))
    for col, label, c in (("handled_by_kaltim_ports_usd_m", "handled by Kaltim ports", "#457b9d"),
                          ("handled_by_kaltara_ports_usd_m", "handled by Kaltara ports",
                           "#e76f51"),
                          ("still_outside_usd_m", "still via other provinces' ports", "0.5")):
        if col in p.columns:
            ax1.plot(p["year"], p[col], marker="o", color=c, label=label)
    if "outside_ports_base_usd_m" in p.columns and not p.empty:
        ax1.axhline(float(p["outside_ports_base_usd_m"].iloc[0]), color="0.5", linestyle=":",
                    label=f"outside base today ({DERIVED_LABEL}: mean of printed months × 12)")
    ax1.set_ylabel(f"{UNIT} per year")
    ax1.set_title("Where Kaltara-origin goods are loaded (rerouted + KIHI)", fontsize=10)
    vcols = [c for c in p.columns if c.endswith("via_ports total_usd_m")]
    for col in vcols:
        ax2.plot(p["year"], p[col], marker="o", color="#264653",
                 label="projection (mean): " + col.replace("_usd_m", ""))
    if history is not None and not history.empty:
        h = history[(history["province"] == "Kalimantan Utara")
                    & (history["concept"] == "via_ports") & (history["flow"] == "total")
                    & history["value_usd_m"].notna()]
        der = is_derived(h).to_numpy()
        if (~der).any():
            ax2.plot(h["year"].to_numpy()[~der], h["value_usd_m"].to_numpy()[~der], "o",
                     color="black", label="printed full year (reported)")
        if der.any():
            line, = ax2.plot(h["year"].to_numpy()[der], h["value_usd_m"].to_numpy()[der], "D",
                             markerfacecolor="none", markeredgecolor="black",
                             label=f"printed full year, {DERIVED_LABEL}")
            line.set_gid(DERIVED_GID)
    if not vcols:
        draw_empty(ax2, "no via-ports series in this run")
    ax2.set_ylabel(f"{UNIT} per year")
    ax2.set_title("Kalimantan Utara: exports through its ports (port of loading basis)",
                  fontsize=10)
    for ax in (ax1, ax2):
        ax.set_ylim(bottom=0)
        ax.set_xlabel("Year")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7.5, loc="best")
    fig.suptitle("Kaltim–Kaltara connectivity (means of the draws): a change of loading port, "
                 "not new exports", fontsize=12)
    return finish(fig, run_source(p, source))


def fiscal_chart(fiscal: pd.DataFrame, *, source: str | None = None) -> Figure:
    """The province's coal-royalty DBH (median and P10–P90 of the draws, IDR bn) with the
    accrual that revenue alone would give (dashed), one panel per province: the gap is the
    central allocation factor (the 2026 transfer cut) and the payment lag."""
    provs = list(dict.fromkeys(fiscal["province"]))
    fig, axes = plt.subplots(1, max(1, len(provs)), figsize=(7 * max(1, len(provs)), 4.5),
                             squeeze=False)
    for ax, prov in zip(axes[0], provs, strict=False):
        g = fiscal[fiscal["province"] == prov]
        st = {s: g[g["stat"] == s].sort_values("year") for s in ("p10", "p50", "p90")}
        ax.fill_between(st["p50"]["year"], st["p10"]["dbh_province_idr_bn"],
                        st["p90"]["dbh_province_idr_bn"], color="#90be6d", alpha=0.35,
                        label="cash paid, P10–P90")
        ax.plot(st["p50"]["year"], st["p50"]["dbh_province_idr_bn"], color="#2d6a4f",
                marker="o", label="cash paid (median)")
        ax.plot(st["p50"]["year"], st["p50"]["dbh_accrual_idr_bn"], color="#2d6a4f",
                linestyle="--", label="16 % of royalty + 30 % of land rent (revenue alone)")
        ax.set_ylim(bottom=0)
        ax.set_ylabel("coal-royalty DBH (provincial share), IDR bn/yr")
        ax.set_xlabel("Year")
        ax.set_title(prov, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7.5, loc="best")
    fig.suptitle("Provincial DBH from coal royalty (UU 1/2022)", fontsize=12)
    return finish(fig, run_source(fiscal, source))
