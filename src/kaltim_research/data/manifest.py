"""The raw snapshot's manifest (``data/raw/datapackage.json``) and validated reading of raw files.

The manifest follows the Frictionless Data Package conventions: each resource has a path, a
``hash`` (``sha256:...``), a Table Schema (field names, types, units, constraints, primary key)
and two project properties: ``kaltim:role`` (which processed table the file feeds) and
``kaltim:defaults`` (constant columns the file omits, e.g. ``province`` for a file that holds
one province). Reading a file checks, in order: checksum, encoding, delimiter and header, row
widths, types, constraints and key uniqueness (the last two with pandera). Every problem names
the file, the line, the column and what was expected. Nothing here writes to ``data/raw``.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas and pandera are imported where a table is read (~0.5 s), so the
    # manifest's hash and checksums (every no-change `run` and `data build`) stay quick
    import pandas as pd
    import pandera.pandas as pa
    from pandera.errors import SchemaErrors

from kaltim_research.config import MANIFEST_NAME
from kaltim_research.data.validation import comma_number_hint, manifest_problems, non_finite_problems
from kaltim_research.errors import DataError, Problem

ROLE_KEY = "kaltim:role"
DEFAULTS_KEY = "kaltim:defaults"


def load_manifest(raw_dir: Path) -> dict[str, Any]:
    """Read ``datapackage.json`` from ``raw_dir`` and check its integrity (unique names, known
    roles, paths inside ``raw_dir``: :func:`validation.manifest_problems`); raise DataError
    naming the manifest entry if it is absent, not JSON or not sound."""
    path = Path(raw_dir) / MANIFEST_NAME
    if not path.exists():
        raise DataError([Problem(str(path), "manifest not found; expected a Frictionless "
                                 "datapackage.json listing every raw file")])
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError([Problem(str(path), f"manifest is not valid UTF-8 JSON: {exc}")]) from exc
    problems = manifest_problems(raw_dir, manifest, str(path))
    if problems:
        raise DataError(problems)
    return manifest


def manifest_hash(raw_dir: Path) -> str:
    """sha256 of the manifest file: it pins every raw file through their own hashes."""
    return "sha256:" + sha256_file(Path(raw_dir) / MANIFEST_NAME)


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def resources(manifest: dict[str, Any], role: str | None = None) -> list[dict[str, Any]]:
    """Resources of the manifest, optionally only those feeding ``role``."""
    out = manifest.get("resources", [])
    if role is not None:
        out = [r for r in out if r.get(ROLE_KEY) == role]
    return out


def verify_checksums(raw_dir: Path, manifest: dict[str, Any]) -> list[Problem]:
    """Compare every listed file with its manifest hash. Returns the problems (empty if fine)."""
    problems = []
    for res in resources(manifest):
        path = Path(raw_dir) / res["path"]
        if not path.exists():
            problems.append(Problem(res["path"], "listed in the manifest but missing"))
            continue
        want = str(res.get("hash", "")).removeprefix("sha256:")
        got = sha256_file(path)
        if want != got:
            problems.append(Problem(
                res["path"], f"checksum differs from the manifest: expected sha256 {want[:12]}…, "
                f"found {got[:12]}… (a changed raw file needs a new manifest entry; see README)"))
    return problems


# --------------------------------------------------------------------------------------------
# Reading one tabular resource
# --------------------------------------------------------------------------------------------

def _line_of_byte(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


def _decode(res: dict[str, Any], data: bytes) -> str:
    name = res["path"]
    if not data.strip():
        fields = [f["name"] for f in res["schema"]["fields"]]
        raise DataError([Problem(name, "file is empty; expected a header line with columns "
                                 + ", ".join(fields) + " and data rows")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = _line_of_byte(data, exc.start)
        raise DataError([Problem(name, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); "
                                 "expected UTF-8 text: re-save the file as UTF-8", line=line)]) from exc
    return text.removeprefix("\ufeff")


def _check_layout(res: dict[str, Any], text: str) -> list[list[str]]:
    """Header and row widths, with the csv module (pandas would guess or skip)."""
    name = res["path"]
    expected = [f["name"] for f in res["schema"]["fields"]]
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[0] if rows else []
    if len(header) == 1 and ";" in header[0]:
        raise DataError([Problem(name, "the header is separated by semicolons; expected a "
                                 "comma-delimited CSV (dialect in datapackage.json)", line=1,
                                 value=header[0][:80])])
    problems = []
    dup = sorted({c for c in header if header.count(c) > 1})
    if dup:
        raise DataError([Problem(name, "duplicated column(s) " + ", ".join(dup) + " in the "
                                 "header; expected each column once: " + ", ".join(expected),
                                 line=1)])
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    if missing:
        problems.append(Problem(name, "missing column(s) " + ", ".join(missing)
                                + "; expected columns: " + ", ".join(expected), line=1))
    if extra:
        problems.append(Problem(name, "unexpected column(s) " + ", ".join(extra)
                                + " (add them to the manifest schema first)", line=1))
    if problems:
        raise DataError(problems)
    if len(rows) < 2:
        raise DataError([Problem(name, "file has a header but no data rows")])
    for i, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            problems.append(Problem(name, f"row has {len(row)} fields, expected {len(header)} "
                                    "(an unquoted comma or a missing quote?)", line=i))
    if problems:
        raise DataError(problems)
    return rows


_PANDAS_TYPES = {"integer": "Int64", "number": "float64", "string": str}


def _schemas(res: dict[str, Any]) -> tuple[pa.DataFrameSchema, pa.DataFrameSchema]:
    """Two pandera schemas built from the Table Schema: types first, then constraints."""
    import pandera.pandas as pa

    types, checks = {}, {}
    for f in res["schema"]["fields"]:
        c = f.get("constraints", {})
        required = bool(c.get("required"))
        types[f["name"]] = pa.Column(_PANDAS_TYPES[f["type"]], coerce=True, nullable=not required)
        col_checks = []
        if "minimum" in c:
            col_checks.append(pa.Check.ge(c["minimum"]))
        if "maximum" in c:
            col_checks.append(pa.Check.le(c["maximum"]))
        if "enum" in c:
            col_checks.append(pa.Check.isin(c["enum"]))
        if "pattern" in c:
            col_checks.append(pa.Check.str_matches(c["pattern"]))
        checks[f["name"]] = pa.Column(nullable=True, checks=col_checks)
    key = res["schema"].get("primaryKey")
    return (pa.DataFrameSchema(types, strict=True),
            pa.DataFrameSchema(checks, unique=key, report_duplicates="all"))


def _expected(check: str, field: dict[str, Any]) -> str:
    c = field.get("constraints", {}) if field else {}
    if check.startswith("coerce_dtype") or check.startswith("dtype"):
        kind = {"integer": "a whole number", "number": "a number"}.get(field.get("type"), "text")
        return f"expected {kind}"
    if check == "not_nullable":
        return "empty; a value is required"
    if check.startswith("greater_than_or_equal_to"):
        return f"expected a value ≥ {c.get('minimum')}"
    if check.startswith("less_than_or_equal_to"):
        return f"expected a value ≤ {c.get('maximum')}"
    if check.startswith("isin"):
        return "unknown value; expected one of: " + ", ".join(map(str, c.get("enum", [])))
    if check.startswith("str_matches"):
        return f"does not match the expected form {c.get('pattern')}"
    return f"failed check {check}"


def _problems_from(res: dict[str, Any], err: SchemaErrors, key: list[str] | None) -> list[Problem]:
    import pandas as pd

    fields = {f["name"]: f for f in res["schema"]["fields"]}
    fc = err.failure_cases
    problems, seen = [], set()
    for rec in fc.to_dict("records"):
        check, col, idx = str(rec["check"]), rec["column"], rec["index"]
        if isinstance(rec["failure_case"], str) and rec["failure_case"].startswith("TypeError("):
            continue
        if check.startswith("dtype(") and (col, idx) in seen:
            continue
        line = int(idx) + 2 if idx is not None and not pd.isna(idx) else None
        if check in ("field_uniqueness", "multiple_fields_uniqueness") or col in (None, "") \
                or (key and str(col) == str(key)):
            if ("duplicated key", idx) in seen:  # pandera lists a duplicate once per key column
                continue
            seen.add(("duplicated key", idx))
            msg = "duplicated key: another row has the same " + ", ".join(key or [])
            problems.append(Problem(res["path"], msg, line=line))
            continue
        value = rec["failure_case"]
        value = None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
        msg = _expected(check, fields.get(col, {}))
        if value and "," in value and fields.get(col, {}).get("type") in ("number", "integer"):
            msg += comma_number_hint(value)
        seen.add((col, idx))
        problems.append(Problem(res["path"], msg, line=line, column=str(col), value=value))
    return problems


def read_resource(raw_dir: Path, res: dict[str, Any], verify_hash: bool = True) -> pd.DataFrame:
    """Read one tabular resource and return it typed and validated.

    Raises DataError naming the file, line, column and expectation for every problem found.
    The returned frame has a ``source_line`` column (line in the raw file, header = 1) and the
    manifest's ``kaltim:defaults`` added as constant columns where the file lacks them.
    """
    import pandas as pd
    from pandera.errors import SchemaErrors

    path = Path(raw_dir) / res["path"]
    if not path.exists():
        raise DataError([Problem(res["path"], "file listed in the manifest is missing")])
    data = path.read_bytes()
    if verify_hash:
        want = str(res.get("hash", "")).removeprefix("sha256:")
        got = hashlib.sha256(data).hexdigest()
        if want != got:
            raise DataError([Problem(res["path"], f"checksum differs from the manifest: expected "
                                     f"sha256 {want[:12]}…, found {got[:12]}…")])
    text = _decode(res, data)
    rows = _check_layout(res, text)
    header, body = rows[0], rows[1:]
    numeric = {f["name"] for f in res["schema"]["fields"] if f["type"] in ("number", "integer")}
    non_finite = non_finite_problems(res["path"], header, body, numeric)
    frame = pd.DataFrame(body, columns=header, dtype=object)
    frame = frame.map(lambda v: None if v.strip() == "" else v.strip())
    type_schema, check_schema = _schemas(res)
    key = res["schema"].get("primaryKey")
    try:
        frame = type_schema.validate(frame, lazy=True)
    except SchemaErrors as err:
        seen = {(p.line, p.column) for p in non_finite}
        raise DataError(non_finite + [p for p in _problems_from(res, err, key)
                                      if (p.line, p.column) not in seen]) from None
    if non_finite:
        raise DataError(non_finite)
    try:
        check_schema.validate(frame, lazy=True)
    except SchemaErrors as err:
        raise DataError(_problems_from(res, err, key)) from None
    frame = frame.copy()
    frame["source_line"] = range(2, len(frame) + 2)
    for col, val in (res.get(DEFAULTS_KEY) or {}).items():
        if col not in frame.columns:
            frame[col] = val
    return frame


def check_raw(raw_dir: Path) -> list[Problem]:
    """Verify every checksum and every tabular schema; return all problems found."""
    manifest = load_manifest(raw_dir)
    problems = verify_checksums(raw_dir, manifest)
    bad = {p.file for p in problems}
    for res in resources(manifest):
        if "schema" not in res or res["path"] in bad:
            continue
        try:
            read_resource(raw_dir, res, verify_hash=False)
        except DataError as err:
            problems.extend(err.problems)
    return problems
