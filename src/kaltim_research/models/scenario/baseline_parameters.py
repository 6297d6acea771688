"""Parameter groups of the commodity-block baseline (issue 8): coal volume, blocks, nowcast.

Declared with the same ``P`` helper as every group (:mod:`kaltim_research.models.scenario.parameter`)
and mounted on :class:`kaltim_research.models.scenario.Parameters` as the groups
``coal_volume`` and ``blocks``.

Sources: ``data/processed/context.csv`` (RKAB 2026 plan, DMO, export duty, BPS national coal
exports, BI Kaltim growth rates) and ``fiscal_parameters.csv``; V/C/J as in :mod:`scenario`.
"""
from __future__ import annotations

from kaltim_research.models.scenario.parameter import Frozen, P, U, YearPath


class CoalVolume(Frozen):
    """Coal export volume: national output plan × (1 − DMO share), capped by destination
    demand (see :mod:`kaltim_research.models.baseline.volume`)."""

    output_mt: YearPath = P(
        {2025: 790.0, 2026: 600.0}, unit="million tonnes", ge=100, le=1500,
        description="National coal output: 2025 realised, then the plan (flat after the last "
                    "year); realised output after 2025 = plan × output_outturn_ratio",
        source="V: 2025 output 790 Mt (Minister Bahlil, context.csv coal_production); 2026 plan "
               "~600 Mt (ESDM via BI Kaltim, context.csv coal_production_plan; 'below 700 Mt', "
               "Kontan 2025-11-10). The March-2024 three-year approval of 902.97 Mt for 2026 "
               "(context_wave4.csv coal_rkab_approved_3yr) is superseded: RKAB is one-year "
               "again for 2026")
    output_outturn_ratio: U = P(
        {"value": 1.07, "low": 0.90, "high": 1.37}, unit="outturn / plan", ge=0.5, le=2.0,
        description="National coal output after 2025 (realised) over the plan: the drawn "
                    "national output is 600 Mt × this ratio (540–822 Mt, mode 642 Mt)",
        source="C+J (2026 evidence, context_wave4.csv): mode 1.07 = 2025 outturn over target "
               "(790/739.6; 2024: 836/710 = 1.18); high 1.37 = 822/600: the 902.97 Mt approval "
               "× the realised share of approvals in 2024–25 (836/922.14 = 0.91) if the cut is "
               "not enforced; low 0.90 J: a shortfall below plan, as ~300 firms had no 2026 "
               "RKAB on 24 Jan 2026, the interim rule allowed at most 25 % of the approval "
               "until 31 Mar 2026 and ICMA members report cuts of 40–70 %")
    dmo_share: YearPath = P(
        {2025: 0.25, 2026: 0.30}, unit="share of output", ge=0, le=0.8,
        description="Domestic market obligation: planned share of output sold at home "
                    "(realised after 2025 = plan + dmo_deviation_pp)",
        source="V: 25 % (2025), 30 % planned for 2026 (BI Kaltim, context.csv coal_dmo_share)")
    dmo_deviation_pp: U = P(
        {"value": 0.0, "low": -5.0, "high": 10.0}, unit="percentage points of output",
        ge=-30, le=30,
        description="Realised DMO share after 2025 minus the planned share",
        source="C+J: low −5 = the 25 % rule kept (30 % not enacted); high +10 = domestic sales "
               "held at their 2025 level (254 Mt = 32 % of 790 Mt, context.csv coal_dmo) "
               "while output falls to ~640 Mt (40 %); PLN alone takes 140–150 Mt (BI Kaltim)")
    plan_enforced: float = P(
        0.0, unit="share (0–1)", ge=0, le=1,
        description="How exactly the plan is enforced after 2025: 0 = realised output and DMO "
                    "share scatter around the plan as drawn (output_outturn_ratio, "
                    "dmo_deviation_pp); 1 = exactly the plan (the rkab_2026 case)",
        source="J: a policy setting, not an estimate; the baseline keeps the 2026 evidence "
               "that outturns have differed from plans (2024: 1.18, 2025: 1.07)")
    demand_growth_china_pct: U = P(
        {"value": -1.5, "low": -4.0, "high": 0.5}, unit="% per year", ge=-30, le=20,
        description="Growth of Chinese demand for Indonesian coal",
        source="V: BI Kaltim −1.49 % (2026); IEA Coal 2025 China 4.95→4.77 bn t 2025–30 "
               "(−0.7 %/yr); low J")
    demand_growth_india_pct: U = P(
        {"value": 2.0, "low": 0.0, "high": 4.0}, unit="% per year", ge=-30, le=20,
        description="Growth of Indian demand for Indonesian coal",
        source="V: IEA Coal 2025, India +3 %/yr (context.csv global_coal_demand); range J")
    demand_growth_japan_korea_pct: U = P(
        {"value": -3.0, "low": -6.0, "high": 0.0}, unit="% per year", ge=-30, le=20,
        description="Growth of Japanese and Korean demand (coal phase-down)",
        source="J: IEA Coal 2025 advanced-economy decline; research NOTES")
    demand_growth_southeast_asia_pct: U = P(
        {"value": 2.0, "low": 0.0, "high": 5.0}, unit="% per year", ge=-30, le=20,
        description="Growth of Philippine and other South-East Asian demand",
        source="J: IEA Coal 2025, South-East Asia the one growing region")
    demand_growth_rest_pct: U = P(
        {"value": -1.0, "low": -4.0, "high": 1.0}, unit="% per year", ge=-30, le=20,
        description="Growth of demand in the other destinations",
        source="V: IEA world 8.85→8.58 bn t 2025–30 (−0.6 %/yr); stress −8 % (BI) not central")
    price_passthrough: U = P(
        {"value": 0.2, "low": 0.05, "high": 0.395}, unit="% price per % supply cut", ge=0,
        le=2,
        description="Rise of the coal unit value when a supply cut leaves demand unmet",
        source="C+J: bounded by Indonesia's share of seaborne coal s = 514/1,300 Mt = 0.395 "
               "(2025, context_wave4.csv coal_global_trade_share): a cut of x % of Indonesian "
               "supply is s·x % of world supply, and the price rises s/(|ε_demand| + (1 − s)"
               "·ε_rivals) ≤ s when the elasticities sum to at least 1 (J); mode s/2 J "
               "(rivals and demand absorb half); low 0.05 J (low-CV coal easily replaced)")
    export_duty_pct: YearPath = P(
        {2025: 0.0}, unit="% of export value", ge=0, le=20,
        description="Coal export duty (bea keluar)",
        source="V: 1–5 % announced for 2026 (Purbaya, Dec 2025; fiscal_parameters.csv); 0 = none")
    duty_volume_elasticity: U = P(
        {"value": 1.0, "low": 0.5, "high": 2.0}, unit="% volume per % duty", ge=0, le=5,
        description="Fall of export volume per percentage point of duty",
        source="J: low-CV Indonesian coal competes with Australian and Russian coal on price")
    unit_value_elasticity: U = P(
        {"value": 0.80, "low": 0.65, "high": 0.95}, unit="elasticity", ge=0, le=2,
        description="Elasticity of Indonesian coal unit value (US$/t) to the Newcastle price",
        source="C: BPS national unit value 75.1→62.6 US$/t (2024→25) against Newcastle "
               "136.1→108.5: 0.80; range ±2 se J")


class Blocks(Frozen):
    """Drivers of the non-coal blocks and the error process of the baseline."""

    palm_oil: YearPath = P(
        {2025: 1008.2}, unit="US$/t", ge=100, le=5000,
        description="Palm oil price (Pink Sheet, Malaysia)",
        source="V: 2025 Jan–Nov mean 1,008 (Pink Sheet); flat J")
    urea: YearPath = P(
        {2025: 425.4}, unit="US$/t", ge=50, le=2000,
        description="Urea price (Pink Sheet), driver of chemicals and fertiliser",
        source="V: 2025 Jan–Nov mean 425 (Pink Sheet); flat J")
    palm_oil_elasticity: U = P(
        {"value": 1.0, "low": 0.7, "high": 1.0}, unit="elasticity", ge=0, le=2,
        description="Elasticity of palm-oil export value to the palm-oil price",
        source="J: volume fixed by plantation area in the short run")
    chemicals_elasticity: U = P(
        {"value": 0.6, "low": 0.3, "high": 1.0}, unit="elasticity", ge=0, le=2,
        description="Elasticity of chemical and fertiliser export value to the urea price",
        source="J: Pupuk Kaltim urea/ammonia plus methanol and other chemicals")
    other_trend_pct: U = P(
        {"value": 0.0, "low": -3.0, "high": 3.0}, unit="% per year", ge=-20, le=20,
        description="Trend of the other nonmigas exports (wood, fish, other manufactures)",
        source="J: no price driver; printed sector shares move without a clear trend")
    migas_volume_growth_pct: U = P(
        {"value": -5.0, "low": -10.0, "high": 0.0}, unit="% per year", ge=-30, le=10,
        description="Growth of Kaltim oil and LNG export volume (Bontang trains, Mahakam)",
        source="C+J: migas value/LNG price fell ~15 %/yr 2014–22 (ledger, Pink Sheet); "
               "slower decline J")
    price_error_persistence: float = P(
        0.5, unit="AR(1) coefficient per year", ge=0, le=0.95,
        description="Persistence of commodity price errors (mean-reverting, not a random walk)",
        source="J: commodity price shocks decay over a few years (Cashin, McDermott & Scott "
               "2002)")
    model_error_persistence: float = P(
        0.0, unit="AR(1) coefficient per year", ge=0, le=0.95,
        description="Persistence of the annual model error around the block projection",
        source="J: the persistent parts (volume, shares, elasticities, nowcast) are drawn "
               "as parameters; the residual annual error is taken as independent")
    kaltim_share_of_national_coal: U = P(
        {"value": 0.586, "low": 0.55, "high": 0.65}, unit="share", ge=0.2, le=1,
        description="Kaltim's share of national coal export value (nowcast)",
        source="V: 58.57 % in Sep 2022 (BPS provincial breakdown, commodities.csv); 60.7 % of "
               "volume 2018–22 (coal.csv); range J")
    nowcast_coal_growth_2025_pct: U = P(
        {"value": -21.7, "low": -27.55, "high": -16.66}, unit="% y/y", ge=-80, le=80,
        description="Kaltim coal export value growth 2025 (nowcast)",
        source="C: weighs the provincial signals, which are all at or below the national "
               "−19.70 %: mode = ¼ × Kaltim Q1 −27.55 % (BI Kaltim) + ¾ × national −19.70 % "
               "(BPS; no Kaltim quarter after Q1) = −21.7 %; low −27.55 % = the Q1 rate all year "
               "(Kalimantan Tengah coal −25.72 % Jan–Sep, context.csv); high −16.66 % = the "
               "national unit-value fall alone (62.62 vs 75.14 US$/t) with Kaltim volume flat, "
               "as Kaltim mining GRDP was −0.13 % (Q2) and −0.22 % (Q3) y/y in real terms "
               "(kaltim_grdp_wave4.csv). Kaltara's mining fall is a small, different coal base "
               "and is not weighed")
    nowcast_cpo_growth_2025_pct: U = P(
        {"value": -24.5, "low": -42.0, "high": -7.02}, unit="% y/y", ge=-80, le=80,
        description="Kaltim CPO export growth 2025 (nowcast)",
        source="V: BI Kaltim Q1 2025 −42 %, Q2 −7.02 % (context.csv); mode their mean")

for cls in (CoalVolume, Blocks):
    cls.__module__ = "kaltim_research.models.scenario"
    cls.__qualname__ = cls.__name__
