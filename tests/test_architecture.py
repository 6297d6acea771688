"""The package layout is the architecture: data -> models -> report, never backwards.

These rules are read from the source with ``ast`` (no import needed), so a forbidden import
fails here even if it sits inside a function.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "kaltim_research"
LAYERS = ("data", "models", "report")
#: what each layer may not import (lower layers never import higher ones)
FORBIDDEN = {"data": ("models", "report"), "models": ("report",), "report": ()}
PLUMBING = {"__init__.py", "cli.py", "config.py", "errors.py", "fileio.py"}
MAX_LINES = 600


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    """Absolute module names imported by ``path`` (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.append((node.lineno, mod))
            # ``from kaltim_research import report`` imports the layer itself
            out += [(node.lineno, f"{mod}.{a.name}") for a in node.names]
    return out


def layer_violations(pkg: Path = PKG) -> list[str]:
    """Every import that goes against the data -> models -> report direction."""
    bad = []
    for layer in LAYERS:
        for path in sorted((pkg / layer).rglob("*.py")):
            for line, mod in _imported_modules(path):
                for higher in FORBIDDEN[layer]:
                    if mod == f"kaltim_research.{higher}" or mod.startswith(f"kaltim_research.{higher}."):
                        bad.append(f"{path.relative_to(pkg)}:{line} imports {mod} "
                                   f"({layer} must not import {higher})")
    return bad


def test_layers_import_one_way():
    assert layer_violations() == []


def test_rule_catches_a_backward_import(tmp_path):
    """The checker itself can fail: a models module importing report is reported."""
    fake = tmp_path / "kaltim_research"
    for layer in LAYERS:
        (fake / layer).mkdir(parents=True)
        (fake / layer / "__init__.py").write_text("")
    (fake / "models" / "bad.py").write_text(
        "def f():\n    from kaltim_research.report.results import write_run\n")
    (fake / "data" / "worse.py").write_text("from ..models import engine\n")
    global PKG
    saved = PKG
    PKG = fake
    try:
        found = layer_violations(fake)
    finally:
        PKG = saved
    assert any("models/bad.py:2" in v and "report" in v for v in found), found
    assert any("data/worse.py:1" in v and "models" in v for v in found), found


def test_top_level_holds_only_plumbing():
    top = {p.name for p in PKG.glob("*.py")}
    assert top <= PLUMBING, f"domain modules at the top of the package: {sorted(top - PLUMBING)}"
    for layer in LAYERS:
        assert (PKG / layer / "__init__.py").exists(), f"{layer}/ is not a package"


@pytest.mark.parametrize("path", sorted(PKG.rglob("*.py")), ids=lambda p: str(p.relative_to(PKG)))
def test_modules_are_small_enough_to_read(path):
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"{path.relative_to(PKG)} has {n} lines; split it by concept"


def test_no_module_reuses_a_cli_module():
    for path in PKG.rglob("*.py"):
        for line, mod in _imported_modules(path):
            assert not mod.endswith("_cli") and ".cli" not in mod.removeprefix("kaltim_research.cli"), \
                f"{path.relative_to(PKG)}:{line} imports {mod}: call the package's functions instead"
