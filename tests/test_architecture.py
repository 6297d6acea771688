"""The package layout is the architecture: data -> models -> report, never backwards.

Inside ``models/`` the sub-packages follow the question each answers: ``scenario`` (what is
assumed) imports no model; ``baseline``, ``levers`` and ``budget`` import ``scenario`` only and
never one another; ``engine`` composes them. No import cycle anywhere in ``src/``; modules
and functions small enough to read in one sitting.

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
MAX_LINES = 500
MAX_FUNCTION_LINES = 100
MODEL_PACKAGES = ("scenario", "baseline", "levers", "budget", "engine")
#: what each models sub-package may not import (its siblings' internals included)
MODEL_FORBIDDEN = {
    "scenario": ("baseline", "levers", "budget", "engine"),
    "baseline": ("levers", "budget", "engine"),
    "levers": ("baseline", "budget", "engine"),
    "budget": ("baseline", "levers", "engine"),
    "engine": (),
}


def _imported_modules(path: Path, pkg: Path | None = None) -> list[tuple[int, str]]:
    """Absolute module names imported by ``path`` (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parts = list(path.relative_to((pkg or PKG).parent).with_suffix("").parts)
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
            for line, mod in _imported_modules(path, pkg):
                for higher in FORBIDDEN[layer]:
                    if mod == f"kaltim_research.{higher}" or mod.startswith(f"kaltim_research.{higher}."):
                        bad.append(f"{path.relative_to(pkg)}:{line} imports {mod} "
                                   f"({layer} must not import {higher})")
    return bad


def test_layers_import_one_way():
    assert layer_violations() == []


def test_rule_catches_a_backward_import(tmp_path):
    """The checker itself can fail: a models module importing report is reported."""
    fake = _fake_package(tmp_path, {
        "models/bad.py": "def f():\n    from kaltim_research.report.results import write_run\n",
        "data/worse.py": "from ..models import engine\n",
        "report/ok.py": "",
    })
    found = layer_violations(fake)
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


def model_package_violations(pkg: Path = PKG) -> list[str]:
    """Imports between models sub-packages that go against MODEL_FORBIDDEN."""
    bad = []
    for sub in MODEL_PACKAGES:
        for path in sorted((pkg / "models" / sub).rglob("*.py")):
            for line, mod in _imported_modules(path, pkg):
                for other in MODEL_FORBIDDEN[sub]:
                    target = f"kaltim_research.models.{other}"
                    if mod == target or mod.startswith(target + "."):
                        bad.append(f"{path.relative_to(pkg)}:{line} imports {mod} "
                                   f"(models/{sub} must not import models/{other})")
    return bad


def _module_name(path: Path, pkg: Path) -> str:
    parts = list(path.relative_to(pkg.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_cycles(pkg: Path = PKG) -> list[list[str]]:
    """Cycles in the graph "module imports module" over every module of ``pkg``.

    ``from a.b import c`` is an edge to ``a.b.c`` when that is a module, else to ``a.b``; a
    package's ``__init__`` re-exporting its own submodules is an edge only in that direction.
    """
    modules = {_module_name(p, pkg): p for p in pkg.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for _line, mod in _imported_modules(path, pkg):
            if mod in modules and mod != name:
                graph[name].add(mod)
    cycles, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    return cycles


def long_functions(pkg: Path = PKG, limit: int = MAX_FUNCTION_LINES) -> list[str]:
    out = []
    for path in sorted(pkg.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > limit:
                    out.append(f"{path.relative_to(pkg)}:{node.lineno} {node.name}() has {n} lines")
    return out


def test_models_has_subpackages_with_a_docstring():
    for sub in MODEL_PACKAGES:
        init = PKG / "models" / sub / "__init__.py"
        assert init.exists(), f"models/{sub}/ is not a package"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and "May import" in doc, \
            f"models/{sub}/__init__.py must open with what it answers and what it may import"
    flat = sorted(p.name for p in (PKG / "models").glob("*.py") if p.name != "__init__.py")
    assert flat == [], f"modules directly in models/ (put them in a sub-package): {flat}"


def test_model_subpackages_respect_their_rules():
    assert model_package_violations() == []


def test_no_import_cycles():
    assert import_cycles() == []


def test_functions_are_short_enough_to_read():
    assert long_functions() == []


def _fake_package(tmp_path: Path, files: dict[str, str]) -> Path:
    fake = tmp_path / "kaltim_research"
    for rel, text in files.items():
        path = fake / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for d in [fake, *[p for p in fake.rglob("*") if p.is_dir()]]:
        (d / "__init__.py").touch()
    return fake


def test_cycle_rule_catches_a_planted_cycle(tmp_path):
    """A planted a -> b -> a cycle (one import inside a function) is found; a -> b alone is not."""
    fake = _fake_package(tmp_path, {
        "data/a.py": "from kaltim_research.data import b\n",
        "data/b.py": "def f():\n    from kaltim_research.data.a import g\n",
        "data/c.py": "from kaltim_research.data import b\n",
    })
    cycles = import_cycles(fake)
    assert cycles and {"kaltim_research.data.a", "kaltim_research.data.b"} <= set(cycles[0]), cycles
    (fake / "data" / "b.py").write_text("x = 1\n")
    assert import_cycles(fake) == []


def test_subpackage_rule_catches_levers_importing_budget(tmp_path):
    fake = _fake_package(tmp_path, {
        "models/levers/kihi.py": "from kaltim_research.models.budget import fiscal\n",
        "models/scenario/files.py": "from kaltim_research.models.baseline.volume import x\n",
        "models/engine/run.py": "from kaltim_research.models.levers import kihi\n",
    })
    found = model_package_violations(fake)
    assert any("levers/kihi.py:1" in v and "budget" in v for v in found), found
    assert any("scenario/files.py:1" in v and "baseline" in v for v in found), found
    assert not any("engine" in v.split(":")[0] for v in found), found


def test_long_function_rule_can_fail(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES + 1))
    fake = _fake_package(tmp_path, {"report/long.py": f"def f():\n{body}\n"})
    assert long_functions(fake) and "f()" in long_functions(fake)[0]
