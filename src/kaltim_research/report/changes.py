"""What changed since a scenario's previous good report (``changes.json``).

When the runner replaces a good report whose inputs differ, it records which inputs changed
(data, parameters, code), the data resources added, the parameters changed and the headline
medians before and after, so the brief can say "Perubahan sejak telaah sebelumnya" and the
``refresh`` summary can list what moved.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

DATA_KEYS = ("data_manifest_hash",)


def _side(results: dict, fingerprint: dict | None) -> dict:
    prov = results.get("provenance") or {}
    fp = fingerprint or {}
    return {"created": results.get("created") or fp.get("created"),
            "data_manifest_hash": prov.get("data_manifest_hash"),
            "scenario_hash": prov.get("scenario_hash") or (results.get("scenario") or {}).get("hash"),
            "package_version": prov.get("package_version"),
            "data_vintage": results.get("data_vintage") or {"text": prov.get("data_vintage")}}


def _params(results: dict) -> dict[str, object]:
    return {a["name"]: a.get("value") for a in results.get("assumptions") or [] if "name" in a}


def _resources(fingerprint: dict | None) -> set[str]:
    return set((fingerprint or {}).get("data_resources") or [])


def compute_changes(previous_results: dict, current_results: dict,
                    previous_fingerprint: dict | None, current_fingerprint: dict) -> dict:
    """The changes.json dict (schema in the helpers' contracts).

    Parameters
    ----------
    previous_results, current_results : dict
        results.json of the previous good report and of the new one.
    previous_fingerprint, current_fingerprint : dict
        The runner's input fingerprints (``fingerprint.json``); the previous may be None.

    Returns
    -------
    dict
        scenario, previous, current, inputs_changed (subset of data, parameters, code),
        data_resources_added, parameters_changed, headlines (median before/after per province).
    """
    prev, cur = _side(previous_results, previous_fingerprint), _side(current_results, None)
    inputs = []
    if prev["data_manifest_hash"] != cur["data_manifest_hash"]:
        inputs.append("data")
    p_before, p_after = _params(previous_results), _params(current_results)
    params = [{"name": n, "before": p_before.get(n), "after": p_after.get(n)}
              for n in sorted(set(p_before) | set(p_after)) if p_before.get(n) != p_after.get(n)]
    if params:  # a changed header (title, reasons) alone changes no number
        inputs.append("parameters")
    pf, cf = previous_fingerprint or {}, current_fingerprint or {}
    if (prev["package_version"] != cur["package_version"]
            or pf.get("source_hash") != cf.get("source_hash")):
        inputs.append("code")
    before = {h["province"]: h for h in previous_results.get("headline") or []}
    heads = []
    for h in current_results.get("headline") or []:
        b = before.get(h["province"])
        if b is None:
            continue
        stat = "p50" if h.get("total_p50") is not None and b.get("total_p50") is not None \
            else "mean"
        bv, av = b.get(f"total_{stat}"), h.get(f"total_{stat}")
        heads.append({"province": h["province"], "basis": h.get("basis"), "year": h.get("year"),
                      "stat": stat, "before_usd_m": bv, "after_usd_m": av,
                      "change_usd_m": av - bv,
                      "change_pct": 100 * (av / bv - 1) if bv else None})
    return {"scenario": (current_results.get("scenario") or {}).get("name"),
            "previous": prev, "current": cur, "inputs_changed": inputs,
            "data_resources_added": sorted(_resources(current_fingerprint)
                                           - _resources(previous_fingerprint))
            if previous_fingerprint and "data_resources" in previous_fingerprint else [],
            "parameters_changed": params, "headlines": heads}


def write_changes(previous_dir: Path, new_dir: Path, current_fingerprint: dict) -> dict | None:
    """Write ``changes.json`` into ``new_dir`` when ``previous_dir`` holds a good report whose
    inputs differ; return the dict (None when there is no previous report or no change)."""
    from kaltim_research.report.integrity import read_results

    prev_rj = Path(previous_dir) / "results.json"
    previous = read_results(prev_rj)
    if previous is None:  # none, or damaged: no good report to compare with
        return None
    current = json.loads((Path(new_dir) / "results.json").read_text(encoding="utf-8"))
    fp_path = Path(previous_dir) / "fingerprint.json"
    try:
        prev_fp = json.loads(fp_path.read_text(encoding="utf-8")) if fp_path.exists() else None
    except ValueError:
        prev_fp = None
    changes = compute_changes(previous, current, prev_fp, current_fingerprint)
    if not changes["inputs_changed"]:
        return None
    # No timestamp is stored in results.json (reruns stay byte-identical): the previous
    # report's date is its file's time, the current one is now.
    changes["previous"]["created"] = changes["previous"]["created"] or datetime.fromtimestamp(
        prev_rj.stat().st_mtime, UTC).isoformat(timespec="seconds")
    changes["current"]["created"] = (changes["current"]["created"]
                                     or datetime.now(UTC).isoformat(timespec="seconds"))
    (Path(new_dir) / "changes.json").write_text(
        json.dumps(changes, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return changes
