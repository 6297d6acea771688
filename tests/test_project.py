"""Project hygiene: pinned versions agree, notebooks are committed clean and parameterised."""
from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _lock() -> dict[str, str]:
    out = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, version = line.split("==")
            out[_norm(name)] = version
    return out


def _env_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    return {_norm(p.split("==")[0]): p.split("==")[1] for p in pip if "==" in p}


def test_environment_yml_pins_the_lock_versions():
    lock, env = _lock(), _env_pins()
    assert env, "environment.yml pins no packages"
    disagree = {n: (v, lock.get(n)) for n, v in env.items() if lock.get(n) != v}
    assert not disagree, f"environment.yml and requirements.lock disagree: {disagree}"


def test_every_declared_dependency_is_pinned_in_both():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())
    deps = py["project"]["dependencies"] + py["project"]["optional-dependencies"]["dev"]
    lock, env = _lock(), _env_pins()
    for dep in deps:
        name = _norm(re.split(r"[<>=\[ ]", dep)[0])
        assert name in lock, f"{dep} is not pinned in requirements.lock"
        assert name in env, f"{dep} is missing from environment.yml"


def test_environment_yml_python_matches_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    assert ">=3.11" in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "requires-python"]


def _committed_text(path: Path) -> str:
    """What git would commit for ``path``: the staged (index) version. Running a notebook in
    place (JupyterLab autosave, ``nbconvert --inplace``) changes only the working tree, and the
    nbstripout filter strips outputs on ``git add``; outside a git checkout, the file itself."""
    rel = path.relative_to(ROOT).as_posix()
    try:
        out = subprocess.run(["git", "show", f":{rel}"], cwd=ROOT, capture_output=True,
                             check=True)
    except (OSError, subprocess.CalledProcessError):
        return path.read_text(encoding="utf-8")
    return out.stdout.decode("utf-8")


def test_notebooks_are_clean_and_parameterised():
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert len(notebooks) >= 6
    for nb in notebooks:
        data = json.loads(_committed_text(nb))
        code = [c for c in data["cells"] if c["cell_type"] == "code"]
        with_output = [i for i, c in enumerate(code) if c.get("outputs")]
        assert not with_output, (f"{nb.name}: staged with outputs; `make setup` installs the "
                                 "nbstripout git filter, then `git add` it again")
        assert all(c.get("execution_count") is None for c in code), f"{nb.name}: execution counts"
        tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, f"{nb.name}: needs exactly one cell tagged 'parameters'"
        assert data["metadata"]["kernelspec"]["name"] == "kaltim-research", nb.name


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make reports" in readme


def test_readme_is_a_front_page_and_its_links_resolve():
    """The README stays a front page (reference lives in docs/), and every relative link in it
    and in docs/ points at a file that exists."""
    import re

    readme = ROOT / "README.md"
    assert readme.stat().st_size <= 10_000, "README.md over 10 KB: move reference to docs/"
    for page in [readme, *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).exists(), f"{page.name}: link to missing {target}"
