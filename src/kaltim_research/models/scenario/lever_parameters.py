"""Parameter groups of the levers the governor can act on, and of the budget and jobs.

Export Center, KIHI and connectivity (the three levers), the fiscal chain from coal tonnes to the
province's revenue-sharing transfer (DBH), and jobs. Declared with :func:`parameter.P` like every
other group (unit, valid range, plausible range, default, source; V = verified source, C =
computed from verified data, J = judgement, see ``data/raw/research/NOTES.md``). Legal rates and
shares (royalty tiers, the province's 16 % of royalty) are *not* parameters: they are read from
``data/processed/fiscal_parameters.csv`` by :mod:`kaltim_research.models.budget.fiscal`.
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from kaltim_research.models.scenario.parameter import (
    MAX_HORIZON,
    Frozen,
    P,
    U,
    YearPath,
    path_value,
)


class ExportCenter(Frozen):
    onboarded_kaltim: YearPath = P(
        {2025: 0.0}, unit="firms per year", ge=0, le=5000,
        description="Kaltim UMKM onboarded (curated and put into business matching) per year",
        source="J: no ECB target published (facts: 'not found'); Kemendag ECP coached 360 UMKM "
               "in 12 provinces in 2023; UMKM BISA Ekspor 1,049 UMKM nationally (Dec 2025)")
    onboarded_kaltara: YearPath = P(
        {2025: 0.0}, unit="firms per year", ge=0, le=5000,
        description="Kaltara UMKM onboarded through the Export Center (7 Aug 2025 agreement)",
        source="J: agreement names the ECB as export hub for Kaltara products; no target")
    match_rate: U = P({"value": 0.10, "low": 0.03, "high": 0.20}, unit="share", ge=0, le=1,
                      description="Share of onboarded firms making a first export",
                      source="J: East Java 19% of pioneers active; Balikpapan 8 export-ready "
                             "of >10,000 UMKM (research NOTES)")
    first_year_value_usd_k: U = P({"value": 75.0, "low": 30.0, "high": 150.0},
                                  unit="US$ thousand per firm", ge=1, le=5000,
                                  description="Mean first-year export value of a new exporter",
                                  source="V for 60–90k (coached-UKM first shipments); range J")
    continuation_rates: tuple[float, float, float] = P(
        (0.45, 0.63, 0.72), unit="probability", description="Continuation 1→2, 2→3, 3→4 years",
        source="V: Pane & Patunru (2021), Indonesian manufacturing entrants 2001–2012")
    later_continuation_rate: U = P({"value": 0.85, "low": 0.75, "high": 0.90}, unit="probability",
                                   ge=0, le=1, description="Continuation at later ages",
                                   source="C: gives ≈5% of a cohort after 12 years (5.2% in "
                                          "Pane & Patunru 2021)")
    survival_uplift_year1: U = P({"value": 0.05, "low": 0.0, "high": 0.10}, unit="probability",
                                 ge=0, le=0.5, description="Promotion's uplift of first-year "
                                 "survival", source="J: Lederman, Olarreaga & Zavala (2015)")
    survivor_growth_rate: U = P({"value": 0.05, "low": 0.0, "high": 0.15}, unit="per year",
                                ge=-0.5, le=1, description="Growth of exports per surviving firm",
                                source="J: survivors supply about half of export growth within "
                                       "a decade (Eaton et al., Colombia)")
    promotion_budget_usd_m: float = P(0.5, unit="US$ million per year", ge=0, le=100,
                                      description="Promotion budget for the literature "
                                      "cross-check", source="J: no published ECB budget")
    exports_per_usd: U = P({"value": 15.0, "low": 11.0, "high": 19.0},
                           unit="US$ exports per US$ of promotion", ge=0, le=300,
                           description="Literature cross-check (not added to totals)",
                           source="V: Olarreaga, Sperlich & Trachsel (2015), 95% CI 11–19; "
                                  "Lederman, Olarreaga & Payton (2010): ~40 for the median agency")
    deadweight_share: U = P({"value": 0.3, "low": 0.1, "high": 0.5}, unit="share", ge=0, le=1,
                            description="Share of the matched firms' exports that would have "
                            "happened without the centre (not counted as a gain)",
                            source="J: promotion works mainly through entry and survival "
                                   "(Lederman, Olarreaga & Zavala 2015), so most is additional; "
                                   "but Kaltim already had 15 exporting UKM (2020) and 10 UKM "
                                   "in the 2021 release event (kaltim_umkm_wave2)")
    kaltim_port_share: U = P({"value": 0.6, "low": 0.4, "high": 0.9}, unit="share", ge=0, le=1,
                             description="Share of new Kaltim UMKM exports loaded at Kaltim "
                             "ports (the rest leaves through Surabaya or Jakarta and is not in "
                             "Kaltim's port-of-loading total)",
                             source="J: small consignments are consolidated at Tanjung Perak or "
                                    "Tanjung Priok (BPS Kaltara 2022 on outside ports; Kaltara "
                                    "shrimp to Japan routed via Surabaya, kaltara_export_facts)")
    destination_weights: dict[str, float] | None = P(
        {"Japan": 0.30, "China": 0.20, "India": 0.15, "South Korea": 0.10, "Malaysia": 0.10,
         "United States": 0.10, "Sri Lanka": 0.05},
        unit="weights", description="Destination weights of new UMKM exports, by the products "
        "UMKM export (None = today's coal-led Kaltim nonmigas destination shares)",
        source="J from the products: shrimp, fish, crab, shellfish named at the ECB launch "
               "(export_center_facts_wave3); black-tiger shrimp to Japan and seaweed to China and "
               "Busan (kaltara_export_facts); lidi nipah to India, damar to Sri Lanka "
               "(kaltim_umkm_wave2)")


class KihiProject(Frozen):
    name: str = Field(min_length=1, pattern=r"^[^/]+$", description="Unique name (no '/')")
    product: Literal["aluminium"]
    nameplate_kt: float = Field(ge=0, le=5000, description="Nameplate capacity, kt per year")
    first_year: int = Field(ge=2024, le=MAX_HORIZON, description="Planned first production year")
    operating_jobs: float = Field(0.0, ge=0, le=100_000, description="Operating jobs at nameplate")
    source: str


class Kihi(Frozen):
    projects: tuple[KihiProject, ...] = P(
        (), unit="projects", description="KIHI projects modelled (aluminium only: the other "
        "projects have no verifiable capacity or price series)",
        source="data/raw/kihi/kihi_projects.csv")
    start_delay_years: U = P({"value": 0.5, "low": 0.0, "high": 1.5}, unit="years", ge=0, le=10,
                             description="Slip of every project's first year (and of its "
                                         "captive units) after the planned first year",
                             source="V+J: the record of slips: 'semester I 2025' (infotambang "
                                    "2023-03-13) -> Q3 2025 (Bisnis 2024-08-06) -> end-2025 with "
                                    "72 pots (CNBC 2025-03-20) -> Dec 2025 (beritaborneo "
                                    "2025-11-12), about 0.75 year in 32 months, and no first "
                                    "metal confirmed by Feb 2026 (kihi_facts_wave3 gap row); "
                                    "range to 1.5 years covers the same pace for two more years "
                                    "(J)")
    ramp_up: tuple[float, ...] = P((0.2, 0.4, 0.6, 0.8, 1.0),
                                   unit="share of nameplate by operating year",
                                   description="Ramp-up curve: potlines added step by step",
                                   source="V+J: first potline of 72 pots 'up to 100 kt first' "
                                   "(0.2 of 500 kt), then stepwise 'dari tahun ke tahun' as power "
                                   "allows (KAI, kihi_facts_wave3); one ~100 kt step a year is J. "
                                   "Not the Qatalum/Ma'aden greenfield ramp (45 % → 90 %)")
    utilisation: U = P({"value": 0.95, "low": 0.85, "high": 1.0}, unit="share", ge=0, le=1,
                       description="Utilisation of capacity online", source="J")
    export_share: U = P({"value": 0.7, "low": 0.5, "high": 0.9}, unit="share", ge=0, le=1,
                        description="Share of output exported", source="J: Indonesian demand "
                        "~1–1.2 Mt/yr, mostly imported, so part may stay at home")
    power_mwh_per_t: U = P({"value": 14.5, "low": 12.5, "high": 15.0}, unit="MWh/t", ge=5, le=20,
                           description="Electricity per tonne of aluminium",
                           source="V: newest 12.5; most 14.5–15 (research NOTES §5)")
    captive_units_mw: tuple[float, ...] = P(
        (270.0, 270.0, 270.0, 270.0), unit="MW per unit (net)",
        description="The smelter's captive coal units, in the order they enter service",
        source="J: no unit list published; 'several' own units needed before the first pots "
               "(KAI, beritaborneo 2025-11-12); 1,080 MW in all, inside the 1,425-1,900 MW of "
               "coal plants CELIOS counts for all of KIHI (betahita 2023-09-19, context.csv) and "
               "below Qatalum's 1,350 MW for 585 kt (research NOTES §5)")
    captive_unit_interval_years: U = P({"value": 1.0, "low": 0.5, "high": 1.5}, unit="years",
                                       ge=0, le=5, description="Years between captive units "
                                       "entering service",
                                       source="J: units 'come one by one' with the potlines "
                                              "('dari tahun ke tahun', KAI 2025-11-12)")
    captive_power_availability: U = P({"value": 0.8, "low": 0.65, "high": 0.9}, unit="share",
                                      ge=0, le=1, description="Net energy per MW-year of the "
                                      "captive units (own use, outages, commissioning slips)",
                                      source="J: Qatalum's ramp was delayed by a power outage "
                                             "(research NOTES §5); new coal units in Indonesia "
                                             "run well below 0.9")
    hydro_cod_year: U = P({"value": 2032, "low": 2031, "high": 2035}, unit="year", ge=2026,
                          le=MAX_HORIZON, description="Mentarang Induk hydro (1,375 MW) COD",
                          source="V+J: ~5 % built in Mar 2025 (petromindo; ecobiz says ~25 %), "
                                 "financial close sought for Q1 2026, 500 kV line to KIHI still "
                                 "to be built (context.csv); official target 2030 not credible; "
                                 "about 6 years from financial close (J)")
    alumina_t_per_t: U = P({"value": 1.93, "low": 1.9, "high": 2.0}, unit="t alumina per t Al",
                           ge=1.5, le=2.5, description="Alumina per tonne of aluminium",
                           source="V: 1 Mt alumina for 500 kt (research NOTES §5); ~1.9–2 t "
                                  "(context.csv)")
    alumina_price_usd_per_t: U = P({"value": 330.0, "low": 300.0, "high": 450.0}, unit="US$/t",
                                   ge=100, le=1500, description="Alumina price",
                                   source="V: LME alumina (Platts) 307.86 US$/t on 2026-01-15 "
                                          "(context.csv); range J")
    alumina_share_from_kalbar: U = P({"value": 0.5, "low": 0.3, "high": 0.8}, unit="share", ge=0,
                                     le=1, description="Share of the alumina bought from West "
                                     "Kalimantan (an inter-provincial transfer, not a national "
                                     "gain: Kalbar would otherwise export it)",
                                     source="V: 'about half local under MoU' (research NOTES); "
                                            "'Kalbar first; Australia if short' (context.csv)")
    anode_cost_usd_per_t: U = P({"value": 350.0, "low": 250.0, "high": 450.0},
                                unit="US$ per t Al", ge=0, le=2000,
                                description="Imported anode materials (calcined petroleum coke, "
                                "pitch) per tonne of aluminium",
                                source="J: ~0.4 t net carbon per t Al at 600–900 US$/t; no price "
                                       "in the data")
    other_imported_usd_per_t: U = P({"value": 150.0, "low": 80.0, "high": 250.0},
                                    unit="US$ per t Al", ge=0, le=2000,
                                    description="Other imported inputs (aluminium fluoride, "
                                    "cathodes, spares) per tonne", source="J")
    hydro_twh: float = P(9.0, unit="TWh per year", ge=0, le=100,
                         description="Hydro energy available at full operation",
                         source="V: Mentarang Induk ~9 TWh/yr (kihi_projects.csv)")
    hydro_share_for_kihi: U = P({"value": 0.8, "low": 0.5, "high": 1.0}, unit="share", ge=0, le=1,
                                description="Share of the hydro output available to KIHI",
                                source="J: 500 kV line to KIHI planned; possible sales to Sabah")
    green_premium_usd_per_t: U = P({"value": 30.0, "low": 0.0, "high": 50.0}, unit="US$/t",
                                   ge=0, le=500, description="Premium for hydro-powered metal",
                                   source="V: Fastmarkets P1020A Europe 25–40 (Jul-2023), up to 50")
    eu_export_share: float = P(0.1, unit="share", ge=0, le=1,
                               description="Share of exports sold into the EU (CBAM exposure)",
                               source="J: green-product rationale for EU/US markets (kihi_facts)")
    eu_carbon_price_usd_per_t: float = P(85.0, unit="US$/t CO2", ge=0, le=500,
                                         description="EU carbon price for CBAM exposure",
                                         source="J: illustrative, not in the research notes")
    @field_validator("captive_units_mw")
    @classmethod
    def _units(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if any(not (0 <= x <= 5000) for x in v):
            raise ValueError(f"expected each unit's capacity between 0 and 5,000 MW, found {v}")
        return v

    @field_validator("projects")
    @classmethod
    def _unique_names(cls, v: tuple[KihiProject, ...]) -> tuple[KihiProject, ...]:
        names = [p.name for p in v]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError("project names must be unique; repeated: " + ", ".join(dupes))
        return v

    port_share_via_kaltim: YearPath = P({2025: 0.0}, unit="share", ge=0, le=1,
                                        description="Share of KIHI exports loaded at Kaltim ports",
                                        source="J: KIHI has its own jetty (kihi_projects.csv)")


class Connectivity(Frozen):
    """Where Kaltara-origin goods are loaded; the two shares may not exceed 1 in any year."""

    reroute_share_to_kaltim: YearPath = P(
        {2025: 0.0}, unit="share", ge=0, le=1,
        description="Share of Kaltara-origin exports now leaving via ports outside Kaltara that "
                    "is shipped through Kaltim (Balikpapan) instead", source="J (scenario lever)")
    reroute_share_to_kaltara: YearPath = P(
        {2025: 0.0}, unit="share", ge=0, le=1,
        description="Share shipped through Kaltara's own ports instead",
        source="J: direct-call trials from Tarakan since Nov 2023 (kaltara_export_facts)")

    port_services_share: U = P({"value": 0.03, "low": 0.02, "high": 0.05}, unit="share of "
                               "cargo value", ge=0, le=0.5, description="Port, handling and "
                               "local logistics services per US$ of cargo loaded (a gain for "
                               "the loading province)", source="J")
    kaltara_goods_usd_per_t: U = P({"value": 2500.0, "low": 1000.0, "high": 5000.0},
                                   unit="US$/t", ge=50, le=50000, description="Unit value of the "
                                   "Kaltara goods that now leave through outside ports (shrimp, "
                                   "fish, seaweed, plywood), for port tonnes",
                                   source="J: frozen shrimp several thousand US$/t, dried "
                                          "seaweed and plywood under 1,500 (kaltara_export_facts)")

    @model_validator(mode="after")
    def _shares_at_most_one(self) -> Connectivity:
        _check_shares(self)
        return self


def _check_shares(self_) -> None:
    years = sorted(set(self_.reroute_share_to_kaltim) | set(self_.reroute_share_to_kaltara))
    for y in range(years[0], MAX_HORIZON + 1):
        total = (path_value(self_.reroute_share_to_kaltim, y)
                 + path_value(self_.reroute_share_to_kaltara, y))
        if total > 1 + 1e-12:
            raise ValueError(f"reroute_share_to_kaltim + reroute_share_to_kaltara = {total:g} in "
                             f"{y}; expected at most 1 (they split one flow of goods)")


class Fiscal(Frozen):
    """From coal tonnes and prices to royalty and the province's DBH (fiscal README §4)."""

    exchange_rate_idr_per_usd: YearPath = P(
        {2025: 16500.0, 2026: 16700.0}, unit="IDR per US$", ge=5000, le=40000,
        description="Exchange rate for royalty in rupiah",
        source="V: APBN 2026 assumption Rp16,500–16,900 per US$ (KEM-PPKF 2026; "
               "exchange_rates in context.csv); held flat after 2026 (J)")
    calorie_band_shares: dict[str, float] = P(
        {"low": 0.35, "mid": 0.45, "high": 0.20}, unit="share of tonnes",
        description="Tonnes by calorie band: low ≤ 4,200, mid 4,200–5,200, high > 5,200 kcal/kg "
                    "GAR (PP 81/2019 bands 4,700/5,700 are mapped to the same three classes)",
        source="J: Kideco and Berau mostly 4,200–5,000 GAR, KPC 5,000–6,300 (fiscal README §4 "
               "uses the 4,200–5,200 band as the typical case)")
    domestic_sales_share: U = P({"value": 0.18, "low": 0.10, "high": 0.30}, unit="share", ge=0,
                                le=0.9, description="Share of coal tonnes sold at home (royalty "
                                "is due on them too, at the DMO price)",
                                source="C: Kaltim 2021: 236 Mt exported of 288 Mt produced "
                                       "(coal.csv) → 18 %; DMO 25 %, 30 % from 2026 (context.csv)")
    domestic_price_usd_per_t: float = P(70.0, unit="US$/t", ge=0, le=500,
                                        description="Price of domestic (DMO) sales",
                                        source="V: DMO cap for power plants 70 US$/t "
                                               "(fiscal_parameters.csv)")
    land_rent_to_royalty: float = P(0.015, unit="ratio", ge=0, le=0.2,
                                    description="Land rent (iuran tetap) relative to royalty",
                                    source="V: national land rent Rp0.44–0.64 tn vs royalty "
                                           "Rp20.8–43.8 tn in 2018–2022 (fiscal_parameters.csv)")
    payment_share_same_year: U = P({"value": 0.6, "low": 0.45, "high": 0.8}, unit="share",
                                   ge=0, le=1, description="Share of a year's DBH accrual paid "
                                   "in the same year; the rest arrives the next year (kurang "
                                   "bayar)", source="V+J: 56.9 % of Kaltim's 2025 DBH realised "
                                   "by 30 Sep 2025; Kotabaru 40 % by July (fiscal README §2)")
    allocation_pagu_path_kaltim: YearPath = P(
        {2025: 1.0, 2026: 0.235}, unit="share", ge=0, le=1.5,
        description="Low end of the central allocation: DBH paid / DBH that revenue alone "
                    "would give if the 2026 transfer cut is held, Kalimantan Timur",
        source="C: 2026 pagu Rp1.62 tn (editorialkaltim 2025-11-29) / KUA-PPAS projection "
               "Rp6.9 tn (berauterkini 2025-09-30), fiscal_parameters.csv; both are all DBH, "
               "applied to coal-royalty DBH; held after 2026 (no 2027 allocation published: "
               "fiscal_parameters_wave4 gap row)")
    allocation_restoration: U = P(
        {"value": 0.5, "low": 0.0, "high": 1.0}, unit="share of the gap closed", ge=0, le=1,
        description="Where the central allocation lands from the restoration year on, between "
                    "the 2026 pagu ratio held (0) and payment on realisation (1, factor 1)",
        source="V (ends) + J (mode): 0 = 2026 pagu ratio held (Rp1.62 / 6.9 tn); 1 = 'penyaluran "
               "DBH ... based on actual revenue ... pagu awal bisa bertambah' (KPPN Tanjung "
               "Redeb, dbh_payment_principle) and about Rp3 tn of 2025 DBH unpaid in Oct 2025 "
               "with a top-up promised for Q1 2026 (fiscal_parameters_wave4); mode J")
    allocation_restoration_year: int = P(
        2027, unit="year", ge=2026, le=MAX_HORIZON,
        description="First year whose allocation is drawn (the 2026 pagu is already set)",
        source="V: 2026 pagu published (fiscal_parameters.csv); 2027 not (wave-4 gap row)")
    @field_validator("calorie_band_shares")
    @classmethod
    def _bands(cls, v: dict[str, float]) -> dict[str, float]:
        if set(v) != {"low", "mid", "high"} or any(x < 0 for x in v.values()) \
                or abs(sum(v.values()) - 1) > 1e-9:
            raise ValueError("expected shares for exactly 'low', 'mid' and 'high' that are "
                             f"non-negative and sum to 1, found {v}")
        return v


class Jobs(Frozen):
    """Jobs per unit of activity (the output effects use the IO multipliers in context.csv)."""

    mining_jobs_per_mt: U = P({"value": 460.0, "low": 364.0, "high": 560.0},
                              unit="jobs per Mt per year", ge=0, le=5000,
                              description="Mining jobs (employees and contractors) per Mt",
                              source="C: KPC 4,499 employees + 21,000 contractor staff for ~70 Mt "
                                     "→ 364; Berau Coal ~20,000 for ~36 Mt → 560 (context.csv, "
                                     "fiscal_parameters.csv)")
    mining_jobs_short_run_elasticity: U = P(
        {"value": 0.5, "low": 0.2, "high": 0.8}, unit="elasticity (jobs to tonnes)", ge=0, le=1,
        description="Short-run elasticity of coal-mining jobs to tonnes against the reference "
                    "run, in the first projected year (rises to 1 over the adjustment years)",
        source="V+J: Sakernas Kaltim mining employment +46,002 (Feb 2024 -> Feb 2025, "
               "sirana.id) while Q1 production fell 95 -> 77 Mt (coal.csv): jobs do not follow "
               "tonnes one for one in the short run; contractors absorb first (KPC 4,499 "
               "employees + 21,000 contractor staff, fiscal_parameters.csv); value J")
    mining_jobs_adjustment_years: float = P(
        3.0, unit="years", ge=0, le=20,
        description="Years for the mining-jobs elasticity to reach 1 (full adjustment)",
        source="J: contracts of mining contractors run a few years")
    kihi_construction_jobs_per_kt: U = P(
        {"value": 12.0, "low": 8.0, "high": 23.8}, unit="jobs per kt of nameplate not yet "
        "online", ge=0, le=1000, description="KIHI construction jobs while potlines are built",
        source="V+J: KAI '>6,000' construction jobs for 500 kt (infotambang 2023-03-13) -> 12; "
               "11,900 workers in the KIPI/KAI area in Nov 2025 (teraskaltara 2025-11-12, "
               "the whole estate) -> 23.8 upper; low J")
    umkm_jobs_per_exporter: U = P({"value": 5.0, "low": 3.0, "high": 10.0},
                                  unit="jobs per exporting firm", ge=0, le=500,
                                  description="Jobs in a UMKM that exports",
                                  source="C: ≥1.5 m workers in 307,343 Kaltim UMKM (2020) → 4.9 "
                                         "per unit (kaltim_umkm_wave2); exporters larger (J)")
