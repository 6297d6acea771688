"""Scenario files: read, inherit along ``modifies``, validate with located messages, hash.

A scenario file (``scenarios/NAME.yaml``) opens with a header (title, description, the scenario
it modifies, date, references) and then sets parameters under ``parameters:``. Every parameter
is declared once (:mod:`.parameters`) as a field of a frozen pydantic model with
``extra="forbid"`` (in the spirit
of PSL ParamTools / PolicyEngine): a description, a unit, a hard valid range (``ge``/``le``),
a *plausible* range used by the Monte Carlo and the tornado chart, a default and a source.

Values that change over time are **year paths**: a mapping ``{year: value}`` whose years must
be contiguous and inside the horizon (2024–2045); after the last year given the path stays flat.
An uncertain scalar may be written as a number (the central value; the declared plausible
range is kept, widened if needed to include the value) or as ``{value, low, high}``.

Validation errors name the file, the key and the value, and say what was expected; an unknown
key lists the valid names and suggests the closest one (see :func:`load_scenario`).

Source labels follow the research notes (``data/raw/research/NOTES.md``): V = directly from a
verified source, C = computed from verified data, J = judgement informed by the sources.
"""
from __future__ import annotations

import difflib
import hashlib
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, PrivateAttr, ValidationError, field_validator

from kaltim_research.errors import ScenarioError  # noqa: F401 (re-exported)
from kaltim_research.fileio import YamlLimitError, load_yaml_bounded
from kaltim_research.models.scenario.parameter import Frozen
from kaltim_research.models.scenario.parameters import Parameters, parameter_docs
from kaltim_research.models.scenario.reasons import Reasons


class Scenario(Frozen):
    title: str = Field(min_length=3)
    title_id: str = Field(min_length=3, description="Title in Bahasa Indonesia")
    description: str = Field(min_length=10)
    description_id: str | None = Field(None, min_length=10,
                                      description="Description in Bahasa Indonesia")
    modifies: str | None = Field(description="Scenario this one modifies (None for the baseline)",
                                 pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$", json_schema_extra={
                                     "unit": "expected a scenario name in the same folder, not a path"})
    date: date
    references: list[str] = Field(default_factory=list)
    parameters: Parameters = Parameters()
    reasons: Reasons = Field(default_factory=dict, description="why_id/why_en per parameter")
    _name: str | None = PrivateAttr(default=None)

    @property
    def name(self) -> str:
        """File stem of the scenario (``combined_moderate``)."""
        return self._name or self.title.lower().replace(" ", "_")

    @field_validator("references")
    @classmethod
    def _refs(cls, v: list[str]) -> list[str]:
        return [str(x) for x in v]

    @field_validator("title", "title_id", "description", "description_id", "references")
    @classmethod
    def _printable(cls, v):
        # a control character (other than a line break or tab) breaks the PDF/DOCX of every
        # brief of the run that compares scenarios: refused where it is written
        for text in (v if isinstance(v, list) else [v]):
            bad = [c for c in str(text or "") if ord(c) < 32 and c not in "\n\t" or ord(c) == 127]
            if bad:
                raise ValueError(f"contains the control character {bad[0]!r}; expected "
                                 "printable text")
        return v


# --------------------------------------------------------------------------------------------
# loading with readable errors
# --------------------------------------------------------------------------------------------

def _model_at(loc: tuple) -> type[BaseModel] | None:
    model: Any = Scenario
    for part in loc:
        if isinstance(part, int) or model is None:
            return None
        field = model.model_fields.get(part)
        if field is None:
            return None
        ann = field.annotation
        model = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
    return model


def _field_info(loc: tuple):
    parent = _model_at(loc[:-1])
    if parent is None or not isinstance(loc[-1], str):
        return None
    return parent.model_fields.get(loc[-1])


def _describe(err: dict) -> str:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    key = ".".join(str(p) for p in loc)
    value = err.get("input")
    kind = err["type"]
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        names = sorted(parent.model_fields) if parent else []
        close = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.5)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        return (f"unknown key '{key}' (value {value!r}).{hint} Valid names here: "
                + ", ".join(names))
    info = (_field_info(loc) or _field_info(loc[:-1])) if loc else None
    unit = ""
    if info is not None and isinstance(info.json_schema_extra, dict):
        unit = f" ({info.json_schema_extra.get('unit')})"
    ctx = err.get("ctx", {})
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        lo = hi = None
        if info is not None:
            for m in info.metadata:
                lo = getattr(m, "ge", lo) if getattr(m, "ge", None) is not None else lo
                hi = getattr(m, "le", hi) if getattr(m, "le", None) is not None else hi
        rng = (f"between {lo} and {hi}" if lo is not None and hi is not None
               else ", ".join(f"{k} {v}" for k, v in ctx.items()))
        return f"'{key}' = {value!r} is out of range: expected a value {rng}{unit}"
    if kind == "out_of_range":
        return "; ".join(f"'{'.'.join([*map(str, loc), str(b['key'])])}' = {b['value']!r} is out "
                         f"of range: expected a value between {b['lo']} and {b['hi']} ({b['unit']})"
                         for b in ctx.get("all", [ctx]))
    if kind == "missing":
        return f"'{key}' is required but missing"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "bool_parsing",
                "string_type", "date_from_datetime_parsing", "date_parsing", "literal_error",
                "dict_type", "tuple_type", "list_type", "model_type"):
        return f"'{key}' = {value!r} has the wrong type: {err['msg'].lower()}{unit}"
    return f"'{key}' = {value!r}: {err['msg']}{unit}"


def parse_scenario(data: Any, file: str = "<scenario>") -> Scenario:
    """Validate a scenario mapping; raise ScenarioError with one message per problem."""
    if not isinstance(data, dict):
        raise ScenarioError(file, ["expected a mapping with title, title_id, description, "
                                   "modifies, date, references and parameters"])
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(file, [_describe(e) for e in exc.errors()]) from None


def _read_yaml(path: Path) -> Any:
    try:
        return load_yaml_bounded(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise ScenarioError(str(path), ["file not found"]) from None
    except YamlLimitError as exc:
        raise ScenarioError(str(path), [str(exc)]) from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), [f"not valid UTF-8 YAML: {exc}"]) from None


def _merge(base: dict, over: dict) -> dict:
    """Deep merge: mappings merge key by key; any other value in ``over`` replaces."""
    out = dict(base)
    for k, v in over.items():
        # Year paths (keys 2026 or "2026" alike) are replaced whole, groups are merged.
        if isinstance(v, dict) and isinstance(out.get(k), dict) and not all(
                isinstance(x, int) or str(x).strip().isdigit() for x in v):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def modifies_chain(path: Path) -> list[tuple[Path, dict]]:
    """The scenario file and the files it ``modifies`` (``<name>.yaml`` in the same folder),
    from the root (the baseline) to ``path``, each read and validated on its own once."""
    chain: list[tuple[Path, dict]] = []
    current = Path(path)
    while True:
        data = _read_yaml(current)
        parse_scenario(data, str(current))  # each file of the chain on its own
        chain.append((current, data))
        parent = data.get("modifies")
        if not parent:
            return chain[::-1]
        parent_path = current.with_name(f"{parent}.yaml")
        if parent_path in [p for p, _ in chain]:
            raise ScenarioError(str(current), [f"'modifies: {parent}' makes a cycle"])
        if not parent_path.exists():
            raise ScenarioError(str(current), [f"'modifies: {parent}' names no file "
                                               f"{parent_path.name} in the same folder"])
        current = parent_path


def resolved_parameters(path: Path, key: str = "parameters",
                        chain: list[tuple[Path, dict]] | None = None) -> dict:
    """Parameters (or ``reasons``) of a scenario file merged over those of the scenarios it
    ``modifies``, root first."""
    out: dict = {}
    for _p, data in chain or modifies_chain(path):
        out = _merge(out, data.get(key) or {})
    return out


def load_scenario(path: Path) -> Scenario:
    """Read and validate ``scenarios/NAME.yaml``, inheriting the parameters of the scenario it
    modifies. The file's own keys are validated first, so an error names this file."""
    path = Path(path)
    # 'modifies: null' (written explicitly: the key is required) makes a self-contained root
    # scenario, compared with the declared defaults, i.e. the baseline (tests/fixtures/ci_small).
    chain = modifies_chain(path)
    data = chain[-1][1]
    scenario = parse_scenario({**data, "parameters": resolved_parameters(path, chain=chain),
                               "reasons": resolved_parameters(path, "reasons", chain)}, str(path))
    problems = description_mismatches(data)
    if problems:
        raise ScenarioError(str(path), problems)
    scenario._name = path.stem
    return scenario


#: Quantities a description may state in words, by the parameter's declared unit: a number
#: followed by these words must be one of the values the file sets (issue 20: the RKAB
#: description said 600 Mt after the value became 650).
#: A number in a description stated in a parameter's unit. A range ("540–822 Mt") describes
#: what the baseline draws, not a value the file sets, so the number after a dash is skipped.
DESCRIBED_UNITS = {"million tonnes": {
    "description": r"(?<![\d,.]–)(?<![\d,.]-)\b(\d[\d,]*(?:\.\d+)?)\s*Mt\b",
    "description_id": r"(?<![\d,.]–)(?<![\d,.]-)\b(\d[\d.]*(?:,\d+)?)\s*juta ton\b"}}


def _number(text: str, key: str) -> float:
    if key == "description_id":  # Indonesian: 1.375,5
        return float(text.replace(".", "").replace(",", "."))
    return float(text.replace(",", ""))


def description_mismatches(data: dict) -> list[str]:
    """Numbers in the file's own description and description_id stated in the unit of a
    parameter the file sets (``DESCRIBED_UNITS``) that match none of that parameter's values,
    e.g. "600 Mt" when ``coal_volume.output_mt`` is ``{2025: 790, 2026: 650}``."""
    units = {d.name: d.unit for d in parameter_docs()}
    out = []
    for group, fields in (data.get("parameters") or {}).items():
        for name, value in (fields or {}).items() if isinstance(fields, dict) else ():
            full = f"{group}.{name}"
            patterns = DESCRIBED_UNITS.get(units.get(full, ""))
            if not patterns:
                continue
            vals = set((value or {}).values()) if isinstance(value, dict) else {value}
            vals = {float(v) for v in vals if isinstance(v, int | float)}
            for key, pattern in patterns.items():
                for m in re.finditer(pattern, str(data.get(key) or "")):
                    said = _number(m.group(1), key)
                    if said not in vals:
                        out.append(f"'{key}' says {m.group(0)!r} but '{full}' is "
                                   f"{value}: update the description")
    return out


def reference_scenario(path: Path) -> Scenario | None:
    """The root of a scenario's ``modifies`` chain (the baseline), or None if it is the root."""
    chain = modifies_chain(Path(path))  # validates the chain (names, cycles) first
    return load_scenario(chain[0][0]) if len(chain) > 1 else None


def scenario_hash(scenario: Scenario) -> str:
    """sha256 of the validated parameters and header (defaults included), so two files that
    mean the same thing have the same hash."""
    payload = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()
