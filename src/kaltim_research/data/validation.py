"""Integrity of the raw snapshot beyond one file's schema: the manifest itself and finite numbers.

A manifest entry copied from another (as the README suggests) that keeps the original ``name``
would silently replace the other resource's rows (resources are keyed by name); a misspelt
``kaltim:role`` would silently ignore the file; a ``path`` with ``..``, an absolute path or a
symlink could read a file outside the immutable snapshot. Each is reported here, naming the
manifest entry (its position and name), before any file is read.

Numbers must be finite: ``inf`` or ``nan`` typed into a raw file would pass a type check
(Python's ``float`` accepts them) and flow into every table and model.
"""
from __future__ import annotations

import difflib
import math
import re
from pathlib import Path, PurePosixPath
from typing import Any

from kaltim_research.errors import Problem

ROLE_KEY = "kaltim:role"

#: Processed tables a resource can feed (``data.build`` dispatches on these). A resource
#: without a role is documentation (README, notes) and is only checksummed.
KNOWN_ROLES = ("annotations", "coal", "commodities", "context", "destinations", "exports",
               "facts", "fiscal_parameters", "grdp", "implied_exports", "kihi_projects",
               "origin_by_port_province", "ports", "prices_annual", "prices_monthly")

_NON_FINITE = re.compile(r"^[+-]?(inf|infinity|nan)$", re.IGNORECASE)


def _entry(i: int, res: Any) -> str:
    name = res.get("name") if isinstance(res, dict) else None
    return f"resources[{i}]" + (f" (name '{name}')" if name else "")


def manifest_problems(raw_dir: Path, manifest: Any, manifest_file: str) -> list[Problem]:
    """Every structural problem of a parsed manifest; each names the entry and what is expected.

    Checks: ``resources`` is a list of objects; each has a ``name`` and a ``path``; names are
    unique; ``kaltim:role`` is one of :data:`KNOWN_ROLES` (with a "did you mean" hint); the
    path is relative, has no ``..`` and resolves (symlinks followed) inside ``raw_dir``.
    """
    if not isinstance(manifest, dict) or not isinstance(manifest.get("resources"), list):
        return [Problem(manifest_file, "expected a JSON object with a 'resources' list "
                        "(Frictionless Data Package)")]
    raw_root = Path(raw_dir).resolve()
    problems: list[Problem] = []
    first_of: dict[str, int] = {}
    for i, res in enumerate(manifest["resources"]):
        where = _entry(i, res)
        if not isinstance(res, dict):
            problems.append(Problem(manifest_file, f"{where}: expected an object with name, "
                                    "path, hash and (for tables) schema and kaltim:role"))
            continue
        name, path = res.get("name"), res.get("path")
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem(manifest_file, f"{where}: 'name' is missing or empty; "
                                    "expected a unique resource name"))
        elif name in first_of:
            problems.append(Problem(
                manifest_file, f"{where}: duplicated name '{name}' (also resources"
                f"[{first_of[name]}]); expected a unique name per resource — a copied entry "
                "needs its own name, else one file's rows would replace the other's"))
        else:
            first_of[name] = i
        role = res.get(ROLE_KEY)
        if role is not None and role not in KNOWN_ROLES:
            close = difflib.get_close_matches(str(role), KNOWN_ROLES, n=1, cutoff=0.6)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            problems.append(Problem(
                manifest_file, f"{where}: unknown {ROLE_KEY} {role!r}.{hint} Expected one of: "
                + ", ".join(KNOWN_ROLES) + " (or no role for a documentation file)"))
        if role is not None and role != "annotations" and "schema" not in res:
            problems.append(Problem(manifest_file, f"{where}: {ROLE_KEY} {role!r} needs a "
                                    "'schema' (Table Schema with the file's fields)"))
        if not isinstance(path, str) or not path.strip():
            problems.append(Problem(manifest_file, f"{where}: 'path' is missing or empty; "
                                    "expected a path relative to data/raw"))
            continue
        problems.extend(_path_problems(raw_root, path, where, manifest_file))
    return problems


def _path_problems(raw_root: Path, path: str, where: str, manifest_file: str) -> list[Problem]:
    pure = PurePosixPath(path.replace("\\", "/"))
    if pure.is_absolute() or re.match(r"^[A-Za-z]:", path):
        return [Problem(manifest_file, f"{where}: path {path!r} is absolute; expected a path "
                        "relative to data/raw (the snapshot must be self-contained)")]
    if ".." in pure.parts:
        return [Problem(manifest_file, f"{where}: path {path!r} contains '..'; expected a path "
                        "inside data/raw")]
    resolved = (raw_root / pure).resolve()
    if not resolved.is_relative_to(raw_root):
        return [Problem(manifest_file, f"{where}: path {path!r} resolves to {resolved}, outside "
                        f"{raw_root} (a symlink out of the snapshot); expected a file inside "
                        "data/raw")]
    return []


def non_finite_problems(file: str, header: list[str], body: list[list[str]],
                        numeric: set[str]) -> list[Problem]:
    """Every cell of a numeric column that spells a non-finite number (inf, nan, infinity)."""
    problems = []
    cols = [(j, c) for j, c in enumerate(header) if c in numeric]
    for i, row in enumerate(body, start=2):
        for j, col in cols:
            v = row[j].strip() if j < len(row) else ""
            if v and _NON_FINITE.match(v):
                problems.append(Problem(file, "not a finite number; expected a finite number "
                                        "(leave the cell empty if the value is unknown)",
                                        line=i, column=col, value=v))
    return problems


def is_finite_number(value: Any) -> bool:
    """True for an int or a finite float (not bool)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value)


def comma_number_hint(value: str) -> str:
    """What a number printed with a comma should become, without inviting a 1000× error.

    Read by the one number parser (:func:`kaltim_research.data.numbers.parse_number`), the
    same rules as the BPS-table and WebAPI paths: ``22,490`` may be twenty-two thousand
    (English thousands separator) or 22.49 (Indonesian decimal comma), so the hint names both
    readings instead of suggesting ``22.490`` (which would silently read as 22.49).
    """
    from kaltim_research.data import numbers

    v = value.strip()
    try:
        number = numbers.parse_number(v)
    except numbers.NumberError as exc:
        if len(exc.readings) == 2:
            grouped, decimal = (numbers.fmt(x) for x in exc.readings)
            return (f" with a decimal point and no thousands separators: {grouped} if ',' "
                    f"separates thousands (English style), or {decimal} if it is a decimal "
                    "comma (Indonesian style); check the source")
        return " with a decimal point and no thousands separators"
    if number is None:
        return " with a decimal point and no thousands separators"
    shown = numbers.fmt(number)
    if re.fullmatch(r"[+-]?\d+,\d+", v):
        return (f" with a decimal point, not a decimal comma: {shown} if ',' is the "
                "decimal separator (check the source)")
    return f" with a decimal point and no thousands separators: {shown}"
