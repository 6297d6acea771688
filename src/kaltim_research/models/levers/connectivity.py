"""Kaltim-Kaltara connectivity: port of loading of Kaltara-origin exports.

Much of what Kalimantan Utara produces for export leaves through ports outside
the province, mostly Jawa Timur, but also Sulawesi Selatan and DKI Jakarta
(BPS Kaltara reports e.g. US$5.95 million in July 2024 and US$11.55 million in
January 2025 shipped from outside ports). Better Kaltim-Kaltara connectivity
can move the loading of these goods to Kaltim ports (Balikpapan) or to
Kaltara's own ports. Rerouting changes only *where* goods are loaded, never
the value of Kaltara-origin exports. The module also splits KIHI exports
between Kaltim and Kaltara ports of loading.

Pure and vectorised; no loops.

Shape convention: every input is a scalar, a 1-D year path ``(T,)`` shared by
all draws, or ``(N, T)``. Pass a per-draw constant as ``(N, 1)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ConnectivityResult", "port_throughput", "simulate_connectivity"]


@dataclass(frozen=True)
class ConnectivityResult:
    """Where Kaltara-origin and KIHI exports are loaded, US$ million.

    Attributes
    ----------
    years : numpy.ndarray
        Calendar years, ``(T,)``.
    rerouted_to_kaltim_usd_m : numpy.ndarray
        Kaltara-origin exports newly shipped through Kaltim ports (Balikpapan), ``(N, T)``.
    rerouted_to_kaltara_usd_m : numpy.ndarray
        Kaltara-origin exports newly shipped through Kaltara's own ports, ``(N, T)``.
    still_outside_usd_m : numpy.ndarray
        Still shipped via Jawa Timur / Sulawesi Selatan / DKI Jakarta, ``(N, T)``.
    kihi_via_kaltim_usd_m, kihi_via_kaltara_usd_m : numpy.ndarray
        KIHI exports by port of loading, ``(N, T)``.
    handled_by_kaltim_ports_usd_m : numpy.ndarray
        ``rerouted_to_kaltim + kihi_via_kaltim``, ``(N, T)``.
    handled_by_kaltara_ports_usd_m : numpy.ndarray
        ``rerouted_to_kaltara + kihi_via_kaltara``, ``(N, T)``.
    """

    years: np.ndarray
    rerouted_to_kaltim_usd_m: np.ndarray
    rerouted_to_kaltara_usd_m: np.ndarray
    still_outside_usd_m: np.ndarray
    kihi_via_kaltim_usd_m: np.ndarray
    kihi_via_kaltara_usd_m: np.ndarray
    handled_by_kaltim_ports_usd_m: np.ndarray
    handled_by_kaltara_ports_usd_m: np.ndarray


def _nt(x, t_len: int, name: str) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if a.ndim == 1:
        a = a[np.newaxis, :]
    if a.ndim > 2 or (a.ndim == 2 and a.shape[1] not in (1, t_len)):
        raise ValueError(f"{name} must be a scalar, (T,) or (N, T) with T={t_len}, got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains non-finite values")
    return np.atleast_2d(a)


def _checked_shares(s_kt: np.ndarray, s_ku: np.ndarray, k_share: np.ndarray,
                    tolerance: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three shares, checked to lie in ``[0, 1]`` (up to ``tolerance``) and clipped to it."""
    for name, s in (
        ("reroute_share_to_kaltim", s_kt),
        ("reroute_share_to_kaltara", s_ku),
        ("kihi_share_via_kaltim", k_share),
    ):
        if np.any((s < -tolerance) | (s > 1.0 + tolerance)):
            raise ValueError(f"{name} must lie in [0, 1]")
    s_kt, s_ku, k_share = (np.clip(s, 0.0, 1.0) for s in (s_kt, s_ku, k_share))
    return s_kt, s_ku, k_share


def _common_shape(arrays: tuple[np.ndarray, ...], t_len: int) -> tuple[int, int]:
    """``(N, T)`` of the inputs broadcast together; raise if their numbers of draws differ."""
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        raise ValueError("inputs have inconsistent numbers of draws") from None
    return (shape[0], t_len)


def _check_reroute_sum(s_kt: np.ndarray, s_ku: np.ndarray, shape: tuple[int, int], yrs: np.ndarray,
                       tolerance: float) -> None:
    """Raise if the two reroute shares sum to more than 1, naming the first such year."""
    over = np.broadcast_to(s_kt + s_ku > 1.0 + tolerance, shape)
    if np.any(over):
        bad_cols = np.flatnonzero(over.any(axis=0))
        bad_years = [int(y) for y in yrs[bad_cols]]
        raise ValueError(
            "reroute_share_to_kaltim + reroute_share_to_kaltara exceeds 1 in year "
            f"{bad_years[0]}" + (f" (also {bad_years[1:]})" if len(bad_years) > 1 else "")
        )


def _reroute(outside: np.ndarray, s_kt: np.ndarray,
             s_ku: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rerouted to Kaltim, to Kaltara and still outside, summing exactly to ``outside``."""
    # Quantise the rerouted parts to the floating-point grid of ``outside`` (spacing
    # q = ulp(outside), a power of two, so the scaling is exact). Then every part is a
    # multiple of q no larger than ``outside``, all sums below are exact, and
    # rerouted_to_kaltim + rerouted_to_kaltara + still_outside == outside holds
    # bit for bit. The perturbation is at most q/2 (relative ~1e-16).
    q = np.spacing(outside)
    to_kaltim = np.minimum(np.round(outside * s_kt / q) * q, outside)
    to_kaltara = np.minimum(np.round(outside * s_ku / q) * q, outside - to_kaltim)
    still = outside - (to_kaltim + to_kaltara)
    return to_kaltim, to_kaltara, still


def _split_kihi(kihi: np.ndarray, k_share: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """KIHI exports loaded at Kaltim ports (``kihi * share``) and at Kaltara ports (the rest)."""
    kihi_kaltim = kihi * k_share
    return kihi_kaltim, kihi - kihi_kaltim


def simulate_connectivity(
    years,
    outside_ports_usd_m,
    reroute_share_to_kaltim,
    reroute_share_to_kaltara,
    kihi_export_usd_m,
    kihi_share_via_kaltim,
    *,
    tolerance: float = 1e-12,
) -> ConnectivityResult:
    """Reroute Kaltara-origin exports' port of loading and split KIHI exports.

    Method: ``rerouted_to_kaltim = outside * s_kaltim``, ``rerouted_to_kaltara =
    outside * s_kaltara`` and ``still_outside = outside - (rerouted_to_kaltim +
    rerouted_to_kaltara)``, computed as a residual. The rerouted parts are
    rounded to the floating-point grid of ``outside`` (a change of at most half
    an ulp) so that ``rerouted_to_kaltim + rerouted_to_kaltara + still_outside ==
    outside`` holds exactly in floating point and no part is negative
    (conservation).
    KIHI: ``kihi_via_kaltim = kihi * share``, ``kihi_via_kaltara = kihi -
    kihi_via_kaltim``.

    Parameters
    ----------
    years : array_like of int, shape (T,)
    outside_ports_usd_m : array_like, (T,) or (N, T)
        Kaltara-origin exports that would leave through ports outside Kaltara,
        US$ million, grown with the baseline (derived by the engine from the BPS
        ledger: e.g. US$5.95 m in Jul 2024 and 11.55 m in Jan 2025, mostly via
        Jawa Timur).
    reroute_share_to_kaltim, reroute_share_to_kaltara : array_like, (T,) or (N, T)
        Year paths of the shares of those exports moved to Kaltim ports and to
        Kaltara ports, each in ``[0, 1]`` with sum at most 1.
    kihi_export_usd_m : array_like, (T,) or (N, T)
        KIHI export value, US$ million (e.g. summed over products from
        :func:`kaltim_research.kihi.simulate_projects`).
    kihi_share_via_kaltim : array_like, scalar, (T,) or (N, T)
        Share of KIHI exports loaded at Kaltim ports, in ``[0, 1]``.
    tolerance : float, optional
        Rounding allowance for the share checks (default 1e-12).

    Returns
    -------
    ConnectivityResult
        Arrays ``(N, T)``.

    Raises
    ------
    ValueError
        If a share lies outside ``[0, 1]`` or the two reroute shares sum to more
        than 1 in some year (the message names the first such year), if
        ``outside_ports_usd_m`` is negative, or on shape mismatch.
    """
    yrs = np.asarray(years)
    if yrs.ndim != 1:
        raise ValueError(f"years must be 1-D, got shape {yrs.shape}")
    t_len = yrs.shape[0]
    outside = _nt(outside_ports_usd_m, t_len, "outside_ports_usd_m")
    s_kt = _nt(reroute_share_to_kaltim, t_len, "reroute_share_to_kaltim")
    s_ku = _nt(reroute_share_to_kaltara, t_len, "reroute_share_to_kaltara")
    kihi = _nt(kihi_export_usd_m, t_len, "kihi_export_usd_m")
    k_share = _nt(kihi_share_via_kaltim, t_len, "kihi_share_via_kaltim")
    s_kt, s_ku, k_share = _checked_shares(s_kt, s_ku, k_share, tolerance)
    if np.any(outside < 0):
        raise ValueError("outside_ports_usd_m must be non-negative")
    shape = _common_shape((outside, s_kt, s_ku, kihi, k_share), t_len)
    _check_reroute_sum(s_kt, s_ku, shape, yrs, tolerance)

    to_kaltim, to_kaltara, still = _reroute(np.broadcast_to(outside, shape), s_kt, s_ku)
    kihi_kaltim, kihi_kaltara = _split_kihi(np.broadcast_to(kihi, shape), k_share)
    return ConnectivityResult(
        years=yrs.copy(),
        rerouted_to_kaltim_usd_m=to_kaltim,
        rerouted_to_kaltara_usd_m=to_kaltara,
        still_outside_usd_m=still,
        kihi_via_kaltim_usd_m=kihi_kaltim,
        kihi_via_kaltara_usd_m=kihi_kaltara,
        handled_by_kaltim_ports_usd_m=to_kaltim + kihi_kaltim,
        handled_by_kaltara_ports_usd_m=to_kaltara + kihi_kaltara,
    )


def port_throughput(conn: ConnectivityResult, kihi_exported_kt, goods_usd_per_t,
                    services_share) -> dict[str, dict[str, np.ndarray]]:
    """Cargo handled by each province's ports because of the levers: value, tonnes and the
    port and logistics services it brings (a gain for the loading province).

    In the provincial *export* totals this cargo is only a change of loading port: Kaltara's
    goods loaded at Balikpapan were exported anyway (through Surabaya, Makassar or Jakarta);
    Kalimantan exports nothing extra. The services (handling, pilotage, trucking, agency) are
    the province's real gain: ``services = value handled × services_share``.

    Returns ``{port_province: {cargo: {"value_usd_m", "tonnes_kt", "services_usd_m"}}}`` with
    ``(N, T)`` arrays; cargo is ``kaltara_goods`` or ``kihi_aluminium``.
    """
    s = np.asarray(services_share, float)
    s = s.reshape(-1, 1) if s.ndim else float(s)
    unit_goods = np.asarray(goods_usd_per_t, float)
    unit_goods = unit_goods.reshape(-1, 1) if unit_goods.ndim == 1 else unit_goods
    kihi_kt = np.asarray(kihi_exported_kt, float)
    kihi_total = conn.kihi_via_kaltim_usd_m + conn.kihi_via_kaltara_usd_m
    out: dict = {}
    for prov, goods, alu in (
            ("Kalimantan Timur", conn.rerouted_to_kaltim_usd_m, conn.kihi_via_kaltim_usd_m),
            ("Kalimantan Utara", conn.rerouted_to_kaltara_usd_m, conn.kihi_via_kaltara_usd_m)):
        # Tonnes split like the value (the port share applies to both).
        with np.errstate(invalid="ignore", divide="ignore"):
            alu_kt = np.where(kihi_total > 0, kihi_kt * alu / kihi_total, 0.0)
        out[prov] = {
            "kaltara_goods": {"value_usd_m": goods, "tonnes_kt": goods * 1e3 / unit_goods,
                              "services_usd_m": goods * s},
            "kihi_aluminium": {"value_usd_m": alu, "tonnes_kt": alu_kt,
                               "services_usd_m": alu * s}}
    return out
