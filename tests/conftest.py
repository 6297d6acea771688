"""Shared fixtures: writable copies of the raw snapshot, a corruption helper, one shared build.

The real ``data/raw`` is never written by the suite: every test that changes raw data works on
a copy made by :func:`raw_copy`, and the session fixture :func:`_real_raw_is_never_modified`
fails the session if any file of the real snapshot changed while the tests ran.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from kaltim_research.config import MANIFEST_NAME, RAW_DIR
from kaltim_research.data import build

REAL_RAW = Path(RAW_DIR)
PREVIOUS_BUILD_MARKER = "# previous build (test marker)\n"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tree_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file below ``folder``, keyed by its relative POSIX path."""
    folder = Path(folder)
    return {p.relative_to(folder).as_posix(): sha256_bytes(p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _make_writable(folder: Path) -> None:
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            p = Path(root) / name
            p.chmod(p.stat().st_mode | stat.S_IWUSR | stat.S_IRUSR | (stat.S_IXUSR if p.is_dir()
                                                                        else 0))


def copy_raw(dest: Path) -> Path:
    """Copy the real snapshot to ``dest`` and make the copy writable."""
    shutil.copytree(REAL_RAW, dest)
    _make_writable(dest)
    return dest


def load_manifest_json(raw_dir: Path) -> dict:
    return json.loads((Path(raw_dir) / MANIFEST_NAME).read_text(encoding="utf-8"))


def write_manifest_json(raw_dir: Path, manifest: dict) -> None:
    (Path(raw_dir) / MANIFEST_NAME).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def set_manifest_hash(raw_dir: Path, resource_path: str) -> None:
    """Record the current sha256 and size of ``resource_path`` in the copy's manifest."""
    data = (Path(raw_dir) / resource_path).read_bytes()
    manifest = load_manifest_json(raw_dir)
    hits = [r for r in manifest["resources"] if r["path"] == resource_path]
    assert len(hits) == 1, f"{resource_path} is not (once) in the manifest"
    hits[0]["hash"] = "sha256:" + sha256_bytes(data)
    hits[0]["bytes"] = len(data)
    write_manifest_json(raw_dir, manifest)


def corrupt(raw_dir: Path, resource_path: str, transform: Callable[[str], str | bytes],
            update_hash: bool = True) -> None:
    """Rewrite one file of a raw COPY through ``transform`` (UTF-8 text in, text or bytes out).

    Unless ``update_hash`` is False the copy's manifest gets the new sha256, so reading gets
    past the checksum and reaches the encoding / layout / schema checks.
    """
    raw_dir = Path(raw_dir)
    assert raw_dir.resolve() != REAL_RAW.resolve(), "corrupt() must only touch copies"
    path = raw_dir / resource_path
    out = transform(path.read_bytes().decode("utf-8"))
    data = out if isinstance(out, bytes) else out.encode("utf-8")
    path.write_bytes(data)
    if update_hash:
        set_manifest_hash(raw_dir, resource_path)


@pytest.fixture
def raw_copy(tmp_path: Path) -> Path:
    """A writable copy of data/raw in the test's tmp folder."""
    return copy_raw(tmp_path / "raw")


@pytest.fixture(scope="session")
def built_processed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real data/raw built once for the session (treat as read-only; copy it to change it)."""
    out = tmp_path_factory.mktemp("built") / "processed"
    build.run(REAL_RAW, out)
    return out


@pytest.fixture(scope="session")
def default_inputs(built_processed: Path):
    """The default baseline fitted on the session build, uncached (so the fit itself is what
    the tests exercise), once per test process: four test modules read it (treat as
    read-only)."""
    from kaltim_research.models import engine
    from kaltim_research.models.scenario import Parameters

    return engine.load_inputs(Parameters(), built_processed, use_cache=False)


@pytest.fixture
def processed_copy(built_processed: Path, tmp_path: Path) -> Path:
    """A previously built processed folder of this test's own (a copy of the session build).

    Every CSV gets a trailing marker line, so that a new build overwriting a table is visible
    even where it would write the same content."""
    dest = tmp_path / "processed"
    shutil.copytree(built_processed, dest)
    for table in dest.glob("*.csv"):
        with table.open("a", encoding="utf-8") as fh:
            fh.write(PREVIOUS_BUILD_MARKER)
    return dest


@pytest.fixture(scope="session", autouse=True)
def _real_raw_is_never_modified():
    """Hash every file of the real data/raw before the session and compare at its end."""
    before = tree_hashes(REAL_RAW)
    assert before, f"no raw snapshot found in {REAL_RAW}"
    yield
    after = tree_hashes(REAL_RAW)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"the test suite modified the real raw snapshot: {changed}"


THIRD_PROVINCE = "Kalimantan Selatan"
THIRD_PROVINCE_FILE = Path(__file__).parent / "fixtures" / "third_province" / "kalsel_exports_monthly.csv"


def add_third_province(raw_dir: Path) -> Path:
    """Add a SYNTHETIC third province to a raw COPY the way the README says: a new file in the
    columns of an existing export file and a manifest entry copied from that file's entry (with
    its own name, path and hash). No code change; the values are test data, not figures."""
    raw_dir = Path(raw_dir)
    assert raw_dir.resolve() != REAL_RAW.resolve(), "only copies get a third province"
    dest = raw_dir / "exports" / THIRD_PROVINCE_FILE.name
    shutil.copy(THIRD_PROVINCE_FILE, dest)
    manifest = load_manifest_json(raw_dir)
    src = next(r for r in manifest["resources"] if r["name"] == "kaltim_exports_monthly")
    manifest["resources"].append({
        **src, "name": "kalsel_exports_monthly", "path": f"exports/{dest.name}",
        "title": "SYNTHETIC third province (test fixture)",
        "kaltim:defaults": {"concept": "origin", "period_type": "month"}})
    write_manifest_json(raw_dir, manifest)
    set_manifest_hash(raw_dir, f"exports/{dest.name}")
    return raw_dir


@pytest.fixture(scope="session")
def third_province(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(raw, processed) of the real snapshot plus a synthetic third province, built once."""
    root = tmp_path_factory.mktemp("third_province")
    raw = add_third_province(copy_raw(root / "raw"))
    processed = root / "processed"
    build.run(raw, processed)
    return raw, processed
